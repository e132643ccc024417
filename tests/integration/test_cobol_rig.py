"""The GnuCOBOL rig works: programs compile, write the known records, read them back, and the probe measures."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import COPYBOOKS, require_tool
from tests.integration.cobol import EBCDIC_SIGN_FLAGS, IBM_FLAGS, CobolCompileError, CobolProgram
from tests.integration.cobol_layout import OdoSetting, ProbeItem, gnucobol_layout
from tests.integration.cobol_records import (
    CUSTOMER_RECORD_LENGTH,
    expected_customer_records,
    expected_transaction_records,
    parse_customer_display,
    parse_transaction_display,
)


@pytest.fixture(scope="module")
def custwrt() -> CobolProgram:
    require_tool("cobc")
    return CobolProgram.compile("CUSTWRT.cbl")


@pytest.fixture(scope="module")
def custrd() -> CobolProgram:
    return CobolProgram.compile("CUSTRD.cbl")


@pytest.fixture(scope="module")
def customer_file(custwrt: CobolProgram, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cust") / "CUSTOMER.DAT"
    custwrt.run(dd={"CUSTOUT": path}, args=["10"])
    return path


def test_customer_writer_writes_fixed_records_without_separators(customer_file: Path) -> None:
    assert customer_file.stat().st_size == 10 * CUSTOMER_RECORD_LENGTH


def test_customer_reader_displays_the_values_the_writer_wrote(custrd: CobolProgram, customer_file: Path) -> None:
    shown = parse_customer_display(custrd.run(dd={"CUSTIN": customer_file}).stdout)
    assert shown == expected_customer_records(10)


def test_records_after_the_eighth_repeat_the_cases_with_their_record_number_as_id() -> None:
    records = expected_customer_records(10)
    assert records[8] == {**records[0], "CUST-ID": 9}
    assert records[9]["CUST-ID"] == 10 and records[9]["BALANCE"] == records[1]["BALANCE"]


def test_customer_file_uses_big_endian_binary_packed_signs_and_ascii_zoned_signs(customer_file: Path) -> None:
    data = customer_file.read_bytes()
    first, second = data[:117], data[117:234]
    assert first[0:4] == bytes.fromhex("00000001")                  # CUST-ID 9(9) COMP
    assert first[42:49] == bytes.fromhex("1234567890123c")          # BALANCE S9(11)V99 COMP-3
    assert second[42:49] == bytes.fromhex("1234567890123d")
    assert first[54:56] == bytes.fromhex("04d2")                    # TXN-COUNT S9(4) COMP
    assert second[54:56] == bytes.fromhex("fb2e")                   # -1234, two's complement
    assert first[58:67] == b"001234567"                             # AVG-TXN-AMT S9(7)V99
    assert second[58:67] == b"00123456w"                            # negative: last digit p-y
    assert first[75:117] == b" " * 42                               # SCORE-AREA and FILLER


def test_ebcdic_sign_flag_writes_ibm_overpunch_characters(tmp_path: Path) -> None:
    require_tool("cobc")
    writer = CobolProgram.compile("CUSTWRT.cbl", flags=EBCDIC_SIGN_FLAGS)
    path = tmp_path / "CUSTOMER.DAT"
    writer.run(dd={"CUSTOUT": path}, args=["3"])
    data = path.read_bytes()
    assert [data[66:67], data[117 + 66:117 + 67], data[234 + 66:234 + 67]] == [b"G", b"P", b"{"]


def test_reader_reports_a_missing_file_as_file_status_35(custrd: CobolProgram, tmp_path: Path) -> None:
    done = custrd.run(dd={"CUSTIN": tmp_path / "absent.dat"}, check=False)
    assert done.returncode == 8
    with pytest.raises(AssertionError, match="FILE-STATUS=35"):
        parse_customer_display(done.stdout)


def test_compile_error_carries_cobc_diagnostics(tmp_path: Path) -> None:
    require_tool("cobc")
    bad = tmp_path / "BROKEN.cbl"
    bad.write_text("       IDENTIFICATION DIVISION.\n       PROGRAM-ID. BROKEN.\n"
                   "       PROCEDURE DIVISION.\n           MOVE NOWHERE TO NOTHING.\n")
    with pytest.raises(CobolCompileError, match="NOWHERE"):
        CobolProgram.compile(bad)


def test_probe_measures_the_customer_copybook_as_ibm_lays_it_out() -> None:
    require_tool("cobc")
    rec = "CUSTOMER-REC"
    expected = {
        (rec,): (0, 117),
        (rec, "CUST-ID"): (0, 4),
        (rec, "BALANCE"): (42, 7),
        (rec, "TXN-COUNT"): (54, 2),
        (rec, "UTILISATION-PCT"): (72, 3),
        (rec, "SCORE-AREA"): (75, 32),
        (rec, "SCORE-AREA", "REASON-CODE"): (81, 4),
        (rec, "SCORE-AREA", "SCORE-STATUS"): (105, 2),
    }
    items = [ProbeItem(path, 1 if path[-1] == "REASON-CODE" else 0) for path in expected]
    assert gnucobol_layout(COPYBOOKS / "customer.cpy", items) == expected


def test_probe_places_items_after_odo_tables_by_the_counts_it_is_given() -> None:
    require_tool("cobc")
    rec = "HC-ODO-REC"
    items = [ProbeItem((rec,)), ProbeItem((rec, "HC-O-MIDDLE")), ProbeItem((rec, "HC-O-AFTER-NUM")),
             ProbeItem((rec, "HC-O-GROUPS", "HC-O-G-ITEM", "HC-O-G-VAL"), 2)]
    full = [OdoSetting((rec, "HC-O-COUNT"), 5), OdoSetting((rec, "HC-O-GCOUNT"), 3)]
    part = [OdoSetting((rec, "HC-O-COUNT"), 2), OdoSetting((rec, "HC-O-GCOUNT"), 2)]
    include = [COPYBOOKS / "include"]
    assert list(gnucobol_layout(COPYBOOKS / "hard_cases.cpy", items, full, include_dirs=include).values()) == [
        (0, 98), (39, 2), (94, 4), (45, 3)]
    assert list(gnucobol_layout(COPYBOOKS / "hard_cases.cpy", items, part, include_dirs=include).values()) == [
        (0, 61), (18, 2), (57, 4), (24, 3)]


ODO_FLAGS = IBM_FLAGS + ("-fodoslide",)


@pytest.fixture(scope="module")
def transaction_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_tool("cobc")
    path = tmp_path_factory.mktemp("txn") / "TXNHIST.DAT"
    CobolProgram.compile("TXNWRT.cbl", flags=ODO_FLAGS).run(dd={"TXNOUT": path})
    return path


def test_transaction_reader_displays_the_values_the_writer_wrote(transaction_file: Path) -> None:
    reader = CobolProgram.compile("TXNRD.cbl", flags=ODO_FLAGS)
    assert parse_transaction_display(reader.run(dd={"TXNIN": transaction_file}).stdout) == expected_transaction_records()


def test_transaction_records_are_as_long_as_their_count_behind_a_prefix_that_does_not_count_itself(
    transaction_file: Path,
) -> None:
    data = transaction_file.read_bytes()
    lengths, at = [], 0
    while at < len(data):
        assert data[at + 2:at + 4] == b"\0\0"
        lengths.append(int.from_bytes(data[at:at + 2], "big"))
        at += 4 + lengths[-1]
    assert lengths == [r["RECORD-LENGTH"] for r in expected_transaction_records()] == [96, 36, 1036, 56]


def test_items_after_the_table_follow_its_last_entry(transaction_file: Path) -> None:
    first = transaction_file.read_bytes()[4:100]
    assert first[85:92] == bytes.fromhex("0000000020734c")   # STMT-TOTAL after 3 entries of 20 bytes
    assert first[92:96] == b"A   "
