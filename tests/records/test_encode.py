"""Fresh records from values: INITIALIZE defaults, REDEFINES views, ODO agreement, values that do not fit."""
from __future__ import annotations

import io
from decimal import Decimal

import pyarrow as pa
import pytest

from bridge.copybook import compile_copybook
from bridge.errors import BridgeError, EncodeError
from bridge.records.api import read_records, write_records

VIEWS = compile_copybook("""
       01 REC.
          05 KIND      PIC X.
          05 BODY      PIC X(6).
          05 NUM-VIEW REDEFINES BODY.
             10 AMOUNT PIC 9(4)V99.
          05 FILLER    PIC X(3).
""", name="views.cpy")

ODO = compile_copybook("""
       01 REC.
          05 CNT   PIC 9.
          05 T OCCURS 0 TO 3 DEPENDING ON CNT.
             10 V  PIC XX.
          05 TAIL  PIC XX.
""", name="odo.cpy")


def _encode(layout, columns: dict, **kw) -> bytes:
    out = io.BytesIO()
    write_records(pa.table(columns), out, layout, **kw)
    return out.getvalue()


def test_fresh_records_start_as_spaces_with_numbers_at_zero():
    layout = compile_copybook("""
       01 REC.
          05 NAME  PIC X(3).
          05 QTY   PIC 9(3).
          05 FILLER PIC X(2).
""", name="init.cpy")
    assert _encode(layout, {"NAME": ["AB"]}) == "AB 000  ".encode("cp037")


def test_the_first_view_is_written_when_given():
    assert _encode(VIEWS, {"KIND": ["T"], "BODY": ["HELLO!"]}) == "THELLO!   ".encode("cp037")


def test_another_view_given_alone_is_written_alone():
    data = _encode(VIEWS, {"KIND": ["N"], "AMOUNT": pa.array([Decimal("12.34")], pa.decimal128(6, 2))})
    assert data == "N001234   ".encode("cp037")
    assert read_records(data, VIEWS)["AMOUNT"].iloc[0] == Decimal("12.34")


def test_views_given_together_must_agree():
    agree = {"BODY": ["001234"], "AMOUNT": pa.array([Decimal("12.34")], pa.decimal128(6, 2))}
    assert _encode(VIEWS, agree)[1:7] == "001234".encode("cp037")
    disagree = {"BODY": ["HELLO!"], "AMOUNT": pa.array([Decimal("12.34")], pa.decimal128(6, 2))}
    with pytest.raises(EncodeError, match="record 1, field AMOUNT.*REDEFINES views disagree"):
        _encode(VIEWS, disagree)


def test_a_value_past_the_odo_count_is_refused():
    with pytest.raises(EncodeError, match=r"field V\(2\).*past the OCCURS DEPENDING ON count"):
        _encode(ODO, {"CNT": [1], "V(1)": ["AA"], "V(2)": ["BB"], "TAIL": ["ZZ"]})


def test_odo_records_are_as_long_as_their_counts_and_the_tail_follows_the_table():
    data = _encode(ODO, {"CNT": [2, 0], "V(1)": ["AA", None], "V(2)": ["BB", None], "TAIL": ["ZZ", "YY"]},
                   recfm="V")
    assert data == (b"\x00\x0b\x00\x00" + "2AABBZZ".encode("cp037") + b"\x00\x07\x00\x00" + "0YY".encode("cp037"))


def test_a_string_longer_than_its_field_names_the_row_and_field_unless_truncated():
    with pytest.raises(EncodeError, match="record 2, field KIND"):
        _encode(VIEWS, {"KIND": ["A", "TOO LONG"]})
    assert _encode(VIEWS, {"KIND": ["A", "TOO LONG"]}, truncate=True)[10:11] == "T".encode("cp037")


def test_a_number_with_too_many_digits_is_refused_and_rounding_is_only_on_request():
    with pytest.raises(EncodeError, match="AMOUNT"):
        _encode(VIEWS, {"AMOUNT": pa.array([Decimal("123456.00")], pa.decimal128(8, 2))})
    with pytest.raises(EncodeError, match="AMOUNT"):
        _encode(VIEWS, {"AMOUNT": pa.array([Decimal("1.235")], pa.decimal128(6, 3))})
    data = _encode(VIEWS, {"AMOUNT": pa.array([Decimal("1.235")], pa.decimal128(6, 3))}, rounding="half-up")
    assert data[1:7] == "000124".encode("cp037")


NUMBERS = compile_copybook("""
       01 REC.
          05 BIG   PIC 9(9) COMP.
          05 SMALL PIC 9(3).
          05 PKD   PIC S9(3) COMP-3.
          05 NAME  PIC X(2).
""", name="numbers.cpy")


@pytest.mark.parametrize("column,value,why", [
    ("BIG", 2147483648, "value 2147483648 does not fit the 9 digits of the PICTURE"),
    ("SMALL", -1, "value -1 is negative and the field is unsigned"),
    ("SMALL", 1000, "value 1000 has more than the 3 digits of the PICTURE"),
    ("PKD", -1234, "value -1234 has more than the 3 digits of the PICTURE"),
])
def test_truncate_cuts_strings_only_and_a_number_that_does_not_fit_is_still_refused_issue_8(column, value, why):
    with pytest.raises(EncodeError, match=rf"record 1, field {column}.*{why}; --on-overflow truncate"):
        _encode(NUMBERS, {column: [value], "NAME": ["TOO LONG"]}, truncate=True)


def test_on_overflow_truncate_keeps_the_low_order_digits_as_cobol_move_does():
    data = _encode(NUMBERS, {"BIG": [2147483648], "SMALL": [-1], "PKD": [-1234]}, on_overflow="truncate")
    assert data[0:4] == (147483648).to_bytes(4, "big")
    assert data[4:7] == "001".encode("cp037")
    assert data[7:9] == bytes.fromhex("234D")


def test_on_overflow_truncate_does_not_cut_strings():
    with pytest.raises(EncodeError, match="record 1, field NAME"):
        _encode(NUMBERS, {"NAME": ["TOO LONG"]}, on_overflow="truncate")


def test_an_unknown_on_overflow_policy_lists_the_accepted_ones():
    with pytest.raises(BridgeError, match="on_overflow='wrap' is not one of: error, truncate"):
        _encode(NUMBERS, {"BIG": [1]}, on_overflow="wrap")


def test_a_record_longer_than_lrecl_is_refused_instead_of_cut():
    with pytest.raises(EncodeError, match="a record of 10 bytes does not fit LRECL 8"):
        _encode(VIEWS, {"KIND": ["A"]}, lrecl=8)
    assert len(_encode(VIEWS, {"KIND": ["A"]}, lrecl=8, truncate=True)) == 8


def test_encode_errors_name_the_row_of_the_table_not_of_the_batch():
    kinds = ["A"] * 44 + ["TOO LONG"]
    with pytest.raises(EncodeError, match="record 45, field KIND"):
        _encode(VIEWS, {"KIND": kinds}, batch_records=7)


def test_fields_after_an_odo_table_can_be_patched_when_tables_keep_their_full_size():
    from bridge.records.api import patch_records

    data = _encode(ODO, {"CNT": [1], "V(1)": ["AA"], "TAIL": ["ZZ"]}, odo_placement="max")
    out = io.BytesIO()
    patch_records(data, out, ODO, lambda b: pa.table({"TAIL": ["YY"]}), odo_placement="max")
    assert out.getvalue() == "1AA    YY".encode("cp037")


def test_patch_errors_name_the_row_of_the_file_not_of_the_batch():
    from bridge.records.api import patch_records

    data = _encode(VIEWS, {"KIND": ["A"] * 50})

    def update(batch):
        first = batch.frame.first_record
        return pa.table({"KIND": ["TOO LONG" if first + i == 44 else "B" for i in range(len(batch.frame.lengths))]})

    with pytest.raises(EncodeError, match="record 45, field KIND"):
        patch_records(data, io.BytesIO(), VIEWS, update, batch_records=7)


@pytest.mark.parametrize("text,why", [("Infinity", "inf is not a number"), ("-Infinity", "-inf is not a number"),
                                      ('"inf"', "inf is not a number"),
                                      ('"1e99999999"', "has more digits than any field holds")])
def test_json_lines_infinity_or_a_huge_exponent_for_an_integer_field_is_refused_by_line_issue_8(tmp_path, text, why):
    from bridge.records.sources import read_values

    src = tmp_path / "in.jsonl"
    src.write_text('{"BIG": 1}\n{"BIG": %s}\n' % text)
    with pytest.raises(EncodeError, match=f"field BIG: line 2: .*{why}"):
        read_values(str(src), "jsonl", NUMBERS)
