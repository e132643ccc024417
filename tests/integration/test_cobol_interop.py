"""COBOL interop, both directions: GnuCOBOL writes, the bridge reads exactly; the bridge writes, COBOL reads back.

The programs of the rig (``cobol/*.cbl``) hold known values, mirrored in `cobol_records`.
Files are ASCII with GnuCOBOL's conventions (``-std=ibm``: big-endian COMP, negative zoned
last digit ``p``-``y``); the transaction file is GnuCOBOL variable records whose 4-byte prefix
counts only the data (``recfm="V", rdw_adjust=4``), with IBM ODO placement (``-fodoslide``).
The EBCDIC case converts the CUSTWRT file to cp037 with a hand-written byte table for the
DISPLAY items (binary and packed bytes are the same in both worlds), so the check does not
lean on the bridge's own encoder or on Python's codec.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from bridge.copybook import load_copybook
from bridge.records.api import iter_batches, read_records, write_records
from tests.conftest import COPYBOOKS, require_tool
from tests.integration.cobol import IBM_FLAGS, CobolProgram
from tests.integration.cobol_records import (
    CUSTOMER_RECORD_LENGTH,
    expected_customer_records,
    expected_transaction_records,
    parse_customer_display,
    parse_transaction_display,
)

ODO_FLAGS = IBM_FLAGS + ("-fodoslide",)
ASCII = {"codepage": "ascii", "dialect": "gnucobol"}
TXN_FRAMING = {"recfm": "V", "rdw_adjust": 4}
TXN_TABLE = ("TXN-DATE", "TXN-TYPE", "TXN-AMT", "MCC")
N_CUSTOMERS = 20


@pytest.fixture(scope="module")
def customer_layout():
    return load_copybook(COPYBOOKS / "customer.cpy")


@pytest.fixture(scope="module")
def transaction_layout():
    return load_copybook(COPYBOOKS / "transactions.cpy")


@pytest.fixture(scope="module")
def cobol_customer_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_tool("cobc")
    path = tmp_path_factory.mktemp("custwrt") / "CUSTOMER.DAT"
    CobolProgram.compile("CUSTWRT.cbl").run(dd={"CUSTOUT": path}, args=[str(N_CUSTOMERS)])
    return path


@pytest.fixture(scope="module")
def cobol_transaction_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_tool("cobc")
    path = tmp_path_factory.mktemp("txnwrt") / "TXNHIST.DAT"
    CobolProgram.compile("TXNWRT.cbl", flags=ODO_FLAGS).run(dd={"TXNOUT": path})
    return path


# -- shaping DataFrame rows like cobol_records ---------------------------------------------------

def _customer_rows(df: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for rec in df.to_dict("records"):
        row = {k: v for k, v in rec.items() if not k.startswith("REASON-CODE(")}
        row["REASON-CODE"] = [rec[f"REASON-CODE({i})"] for i in range(1, 5)]
        rows.append(row)
    return rows


def _transaction_rows(df: pd.DataFrame, lengths: list[int]) -> list[dict[str, Any]]:
    rows = []
    for rec, length in zip(df.to_dict("records"), lengths):
        count = rec["TXN-CNT"]
        row = {"RECORD-LENGTH": length}
        row.update({k: rec[k] for k in ("ACCT-NO", "STMT-DATE", "CURRENCY-CD", "TXN-CNT", "STMT-TOTAL", "STMT-FLAGS")})
        for name in TXN_TABLE:
            row[name] = [rec[f"{name}({i})"] for i in range(1, count + 1)]
            assert all(rec[f"{name}({i})"] is None for i in range(count + 1, 51)), f"{name} past TXN-CNT"
        rows.append(row)
    return rows


def _assert_exactly(actual: list[dict[str, Any]], expected: list[dict[str, Any]]) -> None:
    """Equal values, and every Decimal with the scale of its PICTURE (0.00 is not 0)."""
    assert actual == expected
    for got, want in zip(actual, expected):
        for key, value in want.items():
            values = value if isinstance(value, list) else [value]
            gots = got[key] if isinstance(value, list) else [got[key]]
            for g, w in zip(gots, values):
                if isinstance(w, Decimal):
                    assert isinstance(g, Decimal) and g.as_tuple().exponent == w.as_tuple().exponent, (key, g, w)
                elif isinstance(w, int):
                    assert type(g) is int, (key, g)


def _customer_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    rows = []
    for rec in records:
        row = {k: v for k, v in rec.items() if k != "REASON-CODE"}
        row.update({f"REASON-CODE({i + 1})": code for i, code in enumerate(rec["REASON-CODE"])})
        rows.append(row)
    return pd.DataFrame(rows)


# -- COBOL writes, the bridge reads --------------------------------------------------------------

def test_bridge_reads_the_customer_file_cobol_wrote_exactly(cobol_customer_file: Path, customer_layout) -> None:
    df = read_records(cobol_customer_file, customer_layout, **ASCII)
    _assert_exactly(_customer_rows(df), expected_customer_records(N_CUSTOMERS))


def test_unscored_customer_file_counts_only_the_blank_scores_as_invalid(cobol_customer_file: Path,
                                                                         customer_layout) -> None:
    df = read_records(cobol_customer_file, customer_layout, **ASCII)
    assert df.attrs["bridge"] == {"records": N_CUSTOMERS, "invalid": {"SCORE": N_CUSTOMERS}}


def test_latin_1_reads_the_customer_file_as_ascii_does(cobol_customer_file: Path, customer_layout) -> None:
    df = read_records(cobol_customer_file, customer_layout, codepage="latin-1", dialect="gnucobol")
    _assert_exactly(_customer_rows(df), expected_customer_records(N_CUSTOMERS))


def test_bridge_reads_the_variable_odo_transaction_file_cobol_wrote_exactly(cobol_transaction_file: Path,
                                                                          transaction_layout) -> None:
    batches = list(iter_batches(cobol_transaction_file, transaction_layout, **TXN_FRAMING, **ASCII))
    lengths = [int(n) for b in batches for n in b.frame.lengths]
    df = pd.concat([b.table.to_pandas(types_mapper=pd.ArrowDtype) for b in batches], ignore_index=True)
    _assert_exactly(_transaction_rows(df, lengths), expected_transaction_records())


def test_redefined_statement_date_splits_into_year_month_day(cobol_transaction_file: Path,
                                                              transaction_layout) -> None:
    df = read_records(cobol_transaction_file, transaction_layout, **TXN_FRAMING, **ASCII)
    assert df[["STMT-YYYY", "STMT-MM", "STMT-DD"]].iloc[0].tolist() == [2024, 1, 31]


# -- the bridge writes, COBOL reads ---------------------------------------------------------------

def _scored_customers() -> list[dict[str, Any]]:
    records = expected_customer_records(8)
    for i, rec in enumerate(records):
        rec.update({"SCORE": Decimal(f"0.{1234 + 1111 * i:04d}") if i < 7 else Decimal("9.9999"),
                    "SCORE-BAND": "ABCDEFGH"[i], "REASON-CODE": [f"R{i}01", "", f"R{i}03", "ZZ"],
                    "MODEL-ID": f"GBM-{i:04d}", "SCORE-STATUS": ("00", "04", "08", "12")[i % 4]})
    return records


def test_cobol_reads_back_the_customer_records_the_bridge_wrote(tmp_path: Path, customer_layout) -> None:
    require_tool("cobc")
    path = tmp_path / "CUSTIN.DAT"
    records = _scored_customers()
    assert write_records(_customer_frame(records), path, customer_layout, **ASCII) == len(records)
    assert path.stat().st_size == len(records) * CUSTOMER_RECORD_LENGTH
    shown = CobolProgram.compile("CUSTRD.cbl").run(dd={"CUSTIN": path}).stdout
    assert parse_customer_display(shown) == records


def test_bridge_writes_gnucobol_zoned_signs_in_ascii(tmp_path: Path, customer_layout) -> None:
    path = tmp_path / "CUSTIN.DAT"
    write_records(_customer_frame(_scored_customers()[:2]), path, customer_layout, **ASCII)
    data = path.read_bytes()
    assert data[58:67] == b"001234567"                             # AVG-TXN-AMT +12345.67
    assert data[117 + 58:117 + 67] == b"00123456w"                 # -12345.67: last digit 0x77


def test_cobol_reads_back_the_variable_odo_records_the_bridge_wrote(tmp_path: Path, transaction_layout) -> None:
    require_tool("cobc")
    path = tmp_path / "TXNIN.DAT"
    expected = expected_transaction_records()
    rows = []
    for rec in expected:
        row = {k: rec[k] for k in ("ACCT-NO", "STMT-DATE", "CURRENCY-CD", "TXN-CNT", "STMT-TOTAL", "STMT-FLAGS")}
        for name in TXN_TABLE:
            row.update({f"{name}({i})": (rec[name][i - 1] if i <= rec["TXN-CNT"] else None) for i in range(1, 51)})
        rows.append(row)
    frame = pd.DataFrame(rows).astype({f"MCC({i})": "Int64" for i in range(1, 51)}
                                      | {f"TXN-DATE({i})": "Int64" for i in range(1, 51)})
    write_records(frame, path, transaction_layout, **TXN_FRAMING, **ASCII)
    shown = CobolProgram.compile("TXNRD.cbl", flags=ODO_FLAGS).run(dd={"TXNIN": path}).stdout
    assert parse_transaction_display(shown) == expected


def test_bridge_transaction_file_is_byte_identical_to_cobol_s(tmp_path: Path, cobol_transaction_file: Path,
                                                              transaction_layout) -> None:
    df = read_records(cobol_transaction_file, transaction_layout, **TXN_FRAMING, **ASCII)
    df = df.drop(columns=["STMT-YYYY", "STMT-MM", "STMT-DD"])
    path = tmp_path / "TXN.DAT"
    write_records(df, path, transaction_layout, **TXN_FRAMING, **ASCII)
    assert path.read_bytes() == cobol_transaction_file.read_bytes()


# -- EBCDIC: the COBOL file converted by a hand-written table ------------------------------------

# cp037 bytes of the characters CUSTWRT writes, from the IBM code page chart (not from a codec).
_EBCDIC_TEXT = {" ": 0x40, ".": 0x4B, "&": 0x50, "-": 0x60, ",": 0x6B, "#": 0x7B, "'": 0x7D}
_EBCDIC_TEXT.update({str(d): 0xF0 + d for d in range(10)})
for _first, _letters in ((0xC1, "ABCDEFGHI"), (0xD1, "JKLMNOPQR"), (0xE2, "STUVWXYZ"),
                         (0x81, "abcdefghi"), (0x91, "jklmnopqr"), (0xA2, "stuvwxyz")):
    _EBCDIC_TEXT.update({ch: _first + i for i, ch in enumerate(_letters)})

# CUSTOMER-REC DISPLAY items (start, end, kind); everything else is binary or packed and is copied.
_CUSTOMER_DISPLAY = (
    (4, 34, "text"),          # CUST-NAME X(30)
    (34, 42, "unsigned"),     # BIRTH-DATE 9(8)
    (56, 58, "text"),         # RISK-SEG X(2)
    (58, 67, "signed"),       # AVG-TXN-AMT S9(7)V99
    (67, 70, "unsigned"),     # MONTHS-ON-BOOK 9(3)
    (70, 72, "unsigned"),     # DELINQ-COUNT 9(2)
    (75, 117, "text"),        # SCORE-AREA (spaces: SCORE is not a number yet) and FILLER
)


def _to_cp037(record: bytes) -> bytes:
    out = bytearray(record)
    for start, end, kind in _CUSTOMER_DISPLAY:
        for i in range(start, end):
            ch = chr(record[i])
            if kind == "text":
                out[i] = _EBCDIC_TEXT[ch]
            elif i == end - 1 and kind == "signed":
                # GnuCOBOL: positive last digit plain, negative 'p'-'y'; IBM: zone C / D
                out[i] = (0xD0 + record[i] - 0x70) if 0x70 <= record[i] <= 0x79 else (0xC0 + record[i] - 0x30)
            else:
                out[i] = 0xF0 + record[i] - 0x30
    return bytes(out)


def test_bridge_decodes_the_cobol_file_converted_to_cp037_with_default_options(
        tmp_path: Path, cobol_customer_file: Path, customer_layout) -> None:
    data = cobol_customer_file.read_bytes()
    ebcdic = b"".join(_to_cp037(data[i:i + CUSTOMER_RECORD_LENGTH])
                      for i in range(0, len(data), CUSTOMER_RECORD_LENGTH))
    path = tmp_path / "CUSTOMER.EBCDIC"
    path.write_bytes(ebcdic)
    df = read_records(path, customer_layout)
    _assert_exactly(_customer_rows(df), expected_customer_records(N_CUSTOMERS))
