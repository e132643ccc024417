"""Decoder behaviour worth pinning: short V records, ODO placement, segment maps, invalid data.

Small copybooks and hand-made bytes (ASCII where the code page does not matter), decoded
through the public API and the JSON-lines writer the ``decode`` command uses.
"""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from bridge.cli.main import main
from bridge.copybook import compile_copybook, load_copybook
from bridge.errors import InvalidDataError, LayoutError
from bridge.records.api import open_reader, read_records
from bridge.records.nested import JsonlWriter
from tests.conftest import COPYBOOKS, FIXTURES

ASCII = {"codepage": "ascii"}


def _copybook(text: str):
    return compile_copybook("\n".join("       " + line for line in text.strip().splitlines()))


def _rdw(*payloads: bytes) -> bytes:
    return b"".join((len(p) + 4).to_bytes(2, "big") + b"\0\0" + p for p in payloads)


def _json_lines(data: bytes, layout, **options) -> list[dict]:
    reader = open_reader(data, layout, **options)
    writer = JsonlWriter(layout, reader.schema, records=reader.decoder.records,
                         selective=bool(reader.options.segment_map))
    return [json.loads(line, parse_float=Decimal) for batch in reader for line in writer.lines(batch.table)]


SHORT = _copybook("""
01 REC.
   05 CODE  PIC X(4).
   05 NAME  PIC X(6).
   05 QTY   PIC 9(3).
""")


def test_short_variable_record_truncates_the_string_its_end_cuts() -> None:
    df = read_records(_rdw(b"ABCDXYZ"), SHORT, recfm="V", **ASCII)
    assert df["NAME"].tolist() == ["XYZ"]


def test_items_wholly_past_the_end_of_a_short_record_are_null_not_invalid() -> None:
    df = read_records(_rdw(b"ABCDXYZ", b"AB"), SHORT, recfm="V", **ASCII)
    assert df["QTY"].isna().tolist() == [True, True]
    assert df["CODE"].tolist() == ["ABCD", "AB"] and df["NAME"].isna().tolist() == [False, True]
    assert df.attrs["bridge"]["invalid"] == {}


def test_full_length_variable_record_decodes_every_item() -> None:
    df = read_records(_rdw(b"ABCDXYZUVW042"), SHORT, recfm="V", **ASCII)
    assert df.iloc[0].tolist() == ["ABCD", "XYZUVW", 42]


def test_short_record_json_line_has_null_for_absent_items() -> None:
    assert _json_lines(_rdw(b"ABCDXY"), SHORT, recfm="V", **ASCII) == [{"CODE": "ABCD", "NAME": "XY", "QTY": None}]


ODO = _copybook("""
01 REC.
   05 CNT  PIC 9.
   05 T OCCURS 0 TO 3 DEPENDING ON CNT.
      10 V PIC XX.
   05 TAIL PIC XX.
""")


def test_odo_shift_places_the_items_after_the_table_after_its_last_entry() -> None:
    rows = _json_lines(_rdw(b"1AAZZ", b"0YY", b"3AABBCCXX"), ODO, recfm="V", **ASCII)
    assert rows == [{"CNT": 1, "T": [{"V": "AA"}], "TAIL": "ZZ"}, {"CNT": 0, "T": [], "TAIL": "YY"},
                    {"CNT": 3, "T": [{"V": "AA"}, {"V": "BB"}, {"V": "CC"}], "TAIL": "XX"}]


def test_odo_max_keeps_the_table_at_full_size_and_shows_only_the_counted_entries() -> None:
    rows = _json_lines(b"1AA....ZZ" + b"2AABB..YY", ODO, odo_placement="max", **ASCII)
    assert rows == [{"CNT": 1, "T": [{"V": "AA"}], "TAIL": "ZZ"},
                    {"CNT": 2, "T": [{"V": "AA"}, {"V": "BB"}], "TAIL": "YY"}]


def test_odo_entries_past_the_count_are_null_columns() -> None:
    df = read_records(b"1AA....ZZ", ODO, odo_placement="max", **ASCII)
    assert df[["V(1)", "V(2)", "V(3)"]].iloc[0].tolist()[0] == "AA"
    assert df[["V(2)", "V(3)"]].isna().all(axis=None)


def test_odo_count_outside_its_range_is_an_error_naming_table_and_bytes_with_on_invalid_error() -> None:
    with pytest.raises(InvalidDataError, match=r"record 1.*CNT.*outside 0 TO 3 for table T") as info:
        read_records(_rdw(b"7AAZZ"), ODO, recfm="V", on_invalid="error", **ASCII)
    assert "37" in str(info.value)   # the count's byte in hex


def test_odo_count_outside_its_range_nulls_the_table_and_what_follows_and_is_counted() -> None:
    df = read_records(_rdw(b"7AAZZ") + _rdw(b"1AZZ"), ODO, recfm="V", **ASCII)
    assert df.attrs["bridge"]["invalid"] == {"CNT": 1}
    first = df.iloc[0]
    assert first.isna().all()
    assert df.iloc[1].notna().any()


BRANCHES = _copybook("""
01 REC.
   05 KIND PIC X.
   05 BODY PIC X(6).
   05 NUM-VIEW REDEFINES BODY.
      10 AMOUNT PIC 9(4)V99.
   05 TXT-VIEW REDEFINES BODY.
      10 WORD PIC X(6).
""")
BRANCH_MAP = {"segment_field": "KIND", "segment_map": {"N": "NUM-VIEW", "T": "TXT-VIEW"}}


def test_segment_map_selects_the_redefines_branch_and_leaves_the_others_out() -> None:
    rows = _json_lines(b"N001250THELLO!", BRANCHES, **BRANCH_MAP, **ASCII)
    assert rows == [{"KIND": "N", "NUM-VIEW": {"AMOUNT": Decimal("12.50")}},
                    {"KIND": "T", "TXT-VIEW": {"WORD": "HELLO!"}}]


def test_text_under_a_numeric_branch_it_was_not_selected_for_is_not_counted_invalid() -> None:
    df = read_records(b"N001250THELLO!", BRANCHES, **BRANCH_MAP, **ASCII)
    assert df.attrs["bridge"]["invalid"] == {}
    assert df["AMOUNT"].isna().tolist() == [False, True] and df["BODY"].isna().all()


def test_a_selector_value_missing_from_the_map_decodes_every_branch() -> None:
    rows = _json_lines(b"X001250", BRANCHES, **BRANCH_MAP, **ASCII)
    assert rows == [{"KIND": "X", "BODY": "001250", "NUM-VIEW": {"AMOUNT": Decimal("12.50")},
                     "TXT-VIEW": {"WORD": "001250"}}]


def test_selector_padded_with_low_values_selects_as_with_spaces() -> None:
    layout = _copybook("""
01 REC.
   05 KIND PIC X(3).
   05 BODY PIC X(4).
   05 NUM-VIEW REDEFINES BODY PIC 9(4).
""")
    rows = _json_lines(b"N\0\x000042", layout, segment_field="KIND", segment_map={"N": "NUM-VIEW"}, **ASCII)
    assert rows[0]["NUM-VIEW"] == 42 and "BODY" not in rows[0]


def test_segment_map_selects_the_01_record_of_each_row() -> None:
    layout = _copybook("""
01 HDR.
   05 HDR-TYPE PIC X.
   05 HDR-DATE PIC 9(8).
01 DTL.
   05 DTL-TYPE PIC X.
   05 DTL-AMT  PIC S9(6)V99.
""")
    rows = _json_lines(b"H20240131D00001234", layout, segment_field="HDR-TYPE",
                       segment_map={"H": "HDR", "D": "DTL"}, **ASCII)
    assert rows == [{"HDR-TYPE": "H", "HDR-DATE": 20240131}, {"DTL-TYPE": "D", "DTL-AMT": Decimal("12.34")}]


NUMERIC_SEGMENTS = _copybook("""
01 REC-A.
   05 SEG  PIC 9(2).
   05 NAME PIC X(4).
01 REC-B.
   05 SEGB PIC 9(2).
   05 AMT  PIC 9(4).
""")


def test_a_numeric_segment_field_selects_by_its_number_issue_8() -> None:
    rows = _json_lines(b"01JOHN020123", NUMERIC_SEGMENTS, segment_field="SEG",
                       segment_map={"1": "REC-A", "02": "REC-B"}, **ASCII)
    assert rows == [{"SEG": 1, "NAME": "JOHN"}, {"SEGB": 2, "AMT": 123}]


def test_a_numeric_segment_field_holding_garbage_leaves_the_record_unmapped_and_counted() -> None:
    reader = open_reader(b"01JOHN  0123", NUMERIC_SEGMENTS, segment_field="SEG",
                         segment_map={"1": "REC-A"}, **ASCII)
    tables = [batch.table for batch in reader]
    assert tables[0].column("NAME").to_pylist() == ["JOHN", "0123"]
    assert reader.decoder.unmapped == {"": 1}


def test_a_segment_map_value_that_is_not_a_number_for_a_numeric_selector_is_refused() -> None:
    with pytest.raises(LayoutError, match=r"--segment-map value 'A' is not a number that segment field SEG "
                                          r"\(PIC 9\(2\)\) can hold"):
        open_reader(b"01JOHN", NUMERIC_SEGMENTS, segment_field="SEG", segment_map={"A": "REC-A"}, **ASCII)


def test_records_shorter_than_the_segment_field_are_unmapped_not_a_crash_issue_8() -> None:
    layout = _copybook("""
01 REC-A.
   05 NAME PIC X(4).
   05 SEG  PIC X(2).
""")
    reader = open_reader(b"ABC", layout, lrecl=3, segment_field="SEG", segment_map={"A1": "REC-A"}, **ASCII)
    assert [t.table.column("NAME").to_pylist() for t in reader] == [["ABC"]]
    assert reader.decoder.unmapped == {"": 1}
    reader = open_reader(_rdw(b"JOHNA1", b"JO"), layout, recfm="V", segment_field="SEG",
                         segment_map={"A1": "REC-A"}, **ASCII)
    assert [t.table.column("SEG").to_pylist() for t in reader] == [["A1", None]]
    assert reader.decoder.unmapped == {"": 1}


def test_filler_group_and_the_items_under_it_are_left_out_of_json_lines() -> None:
    layout = _copybook("""
01 REC.
   05 NAME PIC X(4).
   05 FILLER REDEFINES NAME.
      10 INITIAL PIC X.
      10 FILLER PIC X(3).
   05 CODE PIC X(2).
""")
    assert _json_lines(b"JOHNAB", layout, **ASCII) == [{"NAME": "JOHN", "CODE": "AB"}]


# -- invalid data ---------------------------------------------------------------------------------

def _customers():
    return (FIXTURES / "customer.cp037.dat").read_bytes(), load_copybook(COPYBOOKS / "customer.cpy")


def test_invalid_values_are_null_and_counted_per_field_in_the_summary() -> None:
    data, layout = _customers()
    df = read_records(data, layout)
    assert df.attrs["bridge"] == {"records": 9, "invalid": {"BIRTH-DATE": 1, "BALANCE": 1, "SCORE": 8}}
    assert df["BALANCE"].isna().tolist() == [False] * 8 + [True]


def test_on_invalid_error_names_record_byte_offset_field_and_hex() -> None:
    data, layout = _customers()
    with pytest.raises(InvalidDataError) as info:
        read_records(data, layout, on_invalid="error")
    message = str(info.value)
    assert "record 9" in message
    assert "byte offset 970" in message            # 8 records of 117 bytes + BIRTH-DATE at 34
    assert "BIRTH-DATE" in message and "PIC 9(8)" in message
    assert "E4D5D2D5D6E6D540" in message           # 'UNKNOWN ' in cp037


def test_decode_command_prints_the_invalid_counts_on_stderr_and_exits_zero(capsys) -> None:
    rc = main(["decode", str(FIXTURES / "customer.cp037.dat"), "-c", str(COPYBOOKS / "customer.cpy")])
    captured = capsys.readouterr()
    assert rc == 0
    assert len(captured.out.splitlines()) == 9 and "invalid" not in captured.out
    assert "9 records decoded, 10 invalid values" in captured.err
    assert "BALANCE: 1" in captured.err and "SCORE: 8" in captured.err


def test_decode_command_with_on_invalid_error_exits_non_zero_with_the_location(capsys) -> None:
    rc = main(["decode", str(FIXTURES / "customer.cp037.dat"), "-c", str(COPYBOOKS / "customer.cpy"),
               "--on-invalid", "error"])
    assert rc != 0
    assert "record 9, byte offset 970, field BIRTH-DATE" in capsys.readouterr().err


def test_jsonl_keeps_a_selected_occurs_element(tmp_path):
    import subprocess
    import sys

    import bridge
    from bridge.records.api import write_records
    from bridge.testing import fake_table

    layout = bridge.load_copybook(COPYBOOKS / "customer.cpy")
    data = tmp_path / "c.dat"
    write_records(fake_table(layout, 3, seed=1), data, layout)
    out = subprocess.run([sys.executable, "-m", "bridge.cli.main", "decode", str(data), "-c",
                          str(COPYBOOKS / "customer.cpy"), "--columns", "CUST-ID,REASON-CODE(1)"],
                         capture_output=True, text=True, check=True).stdout
    first = json.loads(out.splitlines()[0])
    assert len(first["SCORE-AREA"]["REASON-CODE"]) == 1


def test_record_length_field_gives_each_f_record_its_own_length():
    layout = compile_copybook("""
       01 MSG-REC.
          05 MSG-LEN   PIC 9(4) COMP.
          05 MSG-TYPE  PIC X.
          05 MSG-TEXT  PIC X(20).
""", name="msg.cpy")
    raw = b"".join(len(t).to_bytes(2, "big") + t.encode("cp037") for t in ("AHELLO", "BHI", "CTWENTY CHARS LONG.."))
    df = read_records(raw, layout, record_length_field="MSG-LEN", record_length_adjust=2)
    assert list(df["MSG-TYPE"]) == ["A", "B", "C"]
    assert list(df["MSG-TEXT"]) == ["HELLO", "HI", "TWENTY CHARS LONG.."]


def test_record_length_field_that_is_not_numeric_names_the_field_and_bytes():
    from bridge.errors import FramingError

    layout = compile_copybook("""
       01 MSG-REC.
          05 MSG-LEN   PIC 9(4).
          05 MSG-TEXT  PIC X(20).
""", name="msg.cpy")
    with pytest.raises(FramingError, match="MSG-LEN is not numeric: 40404040"):
        read_records(b"\x40" * 24, layout, record_length_field="MSG-LEN")


def test_text_framing_is_refused_for_a_layout_with_binary_or_packed_fields():
    from bridge.errors import FramingError

    layout = load_copybook(COPYBOOKS / "customer.cpy")
    with pytest.raises(FramingError, match="RECFM TEXT cannot carry CUST-ID .*transfer the file in binary mode"):
        read_records(b"", layout, recfm="TEXT")


def test_text_framing_reads_lines_padded_to_the_record_length():
    layout = compile_copybook("""
       01 LINE-REC.
          05 CODE   PIC X(3).
          05 AMOUNT PIC S9(3)V99 SIGN TRAILING SEPARATE.
          05 NOTE   PIC X(10).
""", name="text.cpy")
    data = "ABC12345+HELLO\nXYZ00001-\n".encode("cp037").replace(b"\x25", b"\x15")
    df = read_records(data, layout, recfm="TEXT")
    assert list(df["CODE"]) == ["ABC", "XYZ"]
    assert [str(v) for v in df["AMOUNT"]] == ["123.45", "-0.01"]
    assert list(df["NOTE"]) == ["HELLO", ""]


def test_patching_a_text_file_can_fill_a_field_the_transfer_trimmed():
    import io

    import pyarrow as pa

    from bridge.records.api import patch_records

    layout = compile_copybook("""
       01 LINE-REC.
          05 CODE   PIC X(3).
          05 NOTE   PIC X(5).
""", name="text.cpy")
    out = io.BytesIO()
    patch_records(b"ABC\nXYZNOTE1\n", out, layout, lambda b: pa.table({"NOTE": ["SCORE", None]}),
                  recfm="TEXT", codepage="latin-1")
    assert out.getvalue() == b"ABCSCORE\nXYZNOTE1\n"


def test_a_record_with_more_columns_than_the_bridge_decodes_is_refused_before_reading_issue_8() -> None:
    layout = _copybook("""
01 REC.
   05 T OCCURS 99999999 TIMES.
      10 A PIC X.
      10 B PIC 9(3).
""")
    with pytest.raises(LayoutError, match=r"record REC has 199,999,998 columns .* at most 100,000 columns"):
        open_reader(b"A", layout, **ASCII)


def test_a_file_read_with_the_wrong_code_page_family_gets_a_hint_in_the_summary_issue_9() -> None:
    layout = _copybook("""
01 REC.
   05 NAME PIC X(10).
   05 QTY  PIC 9(5).
   05 AMT  PIC S9(5)V99.
""")
    ebcdic = ("JOHN SMITH" "00012" "000123").encode("cp037") + b"\xC4"
    reader = open_reader(ebcdic * 3, layout, codepage="ascii")
    list(reader)
    assert reader.summary.invalid == {"QTY": 3, "AMT": 3}
    assert "look like EBCDIC" in reader.summary.hint and "try --codepage cp037" in reader.summary.hint
    right = open_reader(ebcdic * 3, layout)
    list(right)
    assert right.summary.invalid == {} and right.summary.hint is None
