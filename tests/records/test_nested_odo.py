"""Nested OCCURS DEPENDING ON, the inner count inside each element of the outer table (issue 9).

Elements of the outer table differ in size, so the bridge places each record's items by walking
its counts (`bridge.records.nested_odo`): read, written, patched and round-tripped byte for byte.
"""
from __future__ import annotations

import io
import json
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings, strategies as st

from bridge.copybook import compile_copybook, load_copybook
from bridge.errors import CopybookError, EncodeError, InvalidDataError
from bridge.fake import fake_file
from bridge.records.api import open_reader, patch_records, read_records, read_table, write_records
from bridge.records.nested import JsonlWriter, record_objects
from bridge.records.roundtrip import round_trip
from tests.conftest import ROOT

TEST21 = load_copybook(ROOT / "tests" / "corpus" / "copybooks" / "cobrix" / "test21_copybook.cob")

# AbsaOSS/cobrix data/test21_data/data.dat and data/test21_expected/test21.txt (Apache-2.0, ABSA
# Group Limited; see tests/corpus/licenses/cobrix.md): five ASCII records laid end to end, each
# as long as its counts make it, and the rows Cobrix reads from them with variable_size_occurs.
COBRIX_DATA = b"01012AB21A2BC21A1B"
COBRIX_EXPECTED = """\
{"RECORD":{"COUNT":0,"GROUP":[]}}
{"RECORD":{"COUNT":1,"GROUP":[{"INNER_COUNT":0,"INNER-GROUP":[]}]}}
{"RECORD":{"COUNT":1,"GROUP":[{"INNER_COUNT":2,"INNER-GROUP":[{"FIELD":"A"},{"FIELD":"B"}]}]}}
{"RECORD":{"COUNT":2,"GROUP":[{"INNER_COUNT":1,"INNER-GROUP":[{"FIELD":"A"}]},{"INNER_COUNT":2,"INNER-GROUP":[{"FIELD":"B"},{"FIELD":"C"}]}]}}
{"RECORD":{"COUNT":2,"GROUP":[{"INNER_COUNT":1,"INNER-GROUP":[{"FIELD":"A"}]},{"INNER_COUNT":1,"INNER-GROUP":[{"FIELD":"B"}]}]}}
"""

WITH_TAIL = compile_copybook("""
       01 REC.
          05 N        PIC 9.
          05 OUTER OCCURS 0 TO 3 DEPENDING ON N.
             10 M     PIC 9.
             10 AMT   PIC S9(3) COMP-3 OCCURS 0 TO 4 DEPENDING ON M.
             10 CODE  PIC X.
          05 TAIL     PIC X(2).
""", name="tail.cpy")

THREE_LEVELS = compile_copybook("""
       01 REC.
          05 A-CNT       PIC 9.
          05 A OCCURS 0 TO 2 DEPENDING ON A-CNT.
             10 B-CNT    PIC 9.
             10 B OCCURS 0 TO 2 DEPENDING ON B-CNT.
                15 C-CNT PIC 9.
                15 C     PIC X OCCURS 1 TO 3 DEPENDING ON C-CNT.
          05 END-MARK    PIC X.
""", name="three.cpy")


VIEWS_AND_SYNC = compile_copybook("""
       01 REC.
          05 N           PIC 9.
          05 E OCCURS 1 TO 3 DEPENDING ON N.
             10 K        PIC 9.
             10 T        PIC X OCCURS 0 TO 5 DEPENDING ON K.
             10 CODE     PIC X(2).
             10 CODE-N   REDEFINES CODE PIC 99.
             10 AMT      PIC S9(8) COMP SYNC.
          05 TAIL        PIC X.
""", name="views-sync.cpy")

FIXED_OUTER = compile_copybook("""
       01 REC.
          05 FIXED-TAB OCCURS 3.
             10 J        PIC 9.
             10 U        PIC X(2) OCCURS 0 TO 2 DEPENDING ON J.
          05 TAIL        PIC X.
""", name="fixed-outer.cpy")


def _keys_as_cobrix(obj):
    """Cobrix spells '-' as '_' in names (but not in INNER-GROUP: its schema had it so)."""
    if isinstance(obj, dict):
        return {k.replace("-", "_"): _keys_as_cobrix(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_keys_as_cobrix(v) for v in obj]
    return obj


def _objects(data: bytes, layout, **options) -> list[dict]:
    reader = open_reader(data, layout, **options)
    table = pa.concat_tables([b.table for b in reader])
    writer = JsonlWriter(layout, table.schema, records=reader.decoder.records, selective=False)
    return list(record_objects(table, writer))


# -- reading ---------------------------------------------------------------------------------

def test_cobrix_test21_reads_as_cobrix_reads_it():
    objects = _objects(COBRIX_DATA, TEST21, codepage="ascii", variable_occurs=True)
    expected = [_keys_as_cobrix(json.loads(line)["RECORD"]) for line in COBRIX_EXPECTED.splitlines()]
    assert [_keys_as_cobrix(o) for o in objects] == expected


def test_second_element_starts_where_the_first_one_ends_by_its_own_count():
    df = read_records(COBRIX_DATA, TEST21, codepage="ascii", variable_occurs=True)
    row = df.iloc[3]  # "21A2BC": element 1 holds one FIELD, so element 2's count is the 4th byte
    assert (row["INNER-COUNT(1)"], row["FIELD(1,1)"], row["INNER-COUNT(2)"], row["FIELD(2,1)"], row["FIELD(2,2)"]) \
        == (1, "A", 2, "B", "C")
    assert df["FIELD(1,2)"].isna().iloc[3] and df["FIELD(2,3)"].isna().iloc[3]


def test_items_after_nested_tables_are_read_at_each_records_own_offset():
    data = bytes([0xF2, 0xF1]) + b"\x12\x3c" + b"\xc1" + bytes([0xF0]) + b"\xc2" + b"\xe3\xe3" \
        + bytes([0xF0]) + b"\xe9\xe9"
    table, _ = read_table(data, WITH_TAIL, variable_occurs=True)
    assert table.column("AMT(1,1)").to_pylist()[0] == 123
    assert table.column("CODE(1)").to_pylist() == ["A", None] and table.column("CODE(2)").to_pylist()[0] == "B"
    assert table.column("TAIL").to_pylist() == ["TT", "ZZ"]


def test_three_levels_of_counts_in_elements_are_read():
    # A-CNT 2 | B-CNT 1, C-CNT 2 "xy" | B-CNT 2, C-CNT 1 "p", C-CNT 3 "qrs" | END-MARK "!"
    data = b"2" + b"1" + b"2xy" + b"2" + b"1p" + b"3qrs" + b"!"
    df = read_records(data, THREE_LEVELS, codepage="ascii", variable_occurs=True)
    assert df.loc[0, ["C(1,1,1)", "C(1,1,2)", "C(2,1,1)", "C(2,2,1)", "C(2,2,3)", "END-MARK"]].tolist() \
        == ["x", "y", "p", "q", "s", "!"]
    assert df["C(1,2,1)"].isna().all() and df["C(1,1,3)"].isna().all()


def test_fixed_records_hold_the_actual_size_tables_padded_to_lrecl():
    records = [b"0" + b" " * 8, b"12AB" + b" " * 5, b"21A2BC   "]
    table, _ = read_table(b"".join(records), TEST21, codepage="ascii")
    assert table.column("FIELD(2,2)").to_pylist() == [None, None, "C"]
    assert table.column("INNER-COUNT(2)").to_pylist() == [None, None, 2]


def test_max_placement_keeps_every_element_full_and_masks_by_each_count():
    data = b"21A  2BC "
    df = read_records(data, TEST21, codepage="ascii", odo_placement="max")
    assert df.loc[0, ["FIELD(1,1)", "INNER-COUNT(2)", "FIELD(2,1)", "FIELD(2,2)"]].tolist() == ["A", 2, "B", "C"]
    assert df["FIELD(1,2)"].isna().all() and df["FIELD(2,3)"].isna().all()


def test_json_lines_from_the_cli_give_each_element_its_own_count(tmp_path, capsys):
    from bridge.cli.main import main

    src = tmp_path / "t21.dat"
    src.write_bytes(COBRIX_DATA)
    copybook = str(ROOT / "tests" / "corpus" / "copybooks" / "cobrix" / "test21_copybook.cob")
    assert main(["decode", str(src), "-c", copybook, "--codepage", "ascii", "--variable-occurs"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert json.loads(lines[3]) == {"COUNT": 2, "GROUP": [
        {"INNER-COUNT": 1, "INNER-GROUP": [{"FIELD": "A"}]},
        {"INNER-COUNT": 2, "INNER-GROUP": [{"FIELD": "B"}, {"FIELD": "C"}]}]}


# -- bad counts ------------------------------------------------------------------------------

def test_inner_count_past_its_maximum_is_null_and_counted_and_nothing_after_it_is_read():
    data = b"21A9BC   "   # INNER-COUNT(2) = 9, above OCCURS 0 TO 3
    reader = open_reader(data, TEST21, codepage="ascii")
    table = pa.concat_tables([b.table for b in reader])
    row = table.to_pylist()[0]
    assert (row["COUNT"], row["INNER-COUNT(1)"], row["FIELD(1,1)"]) == (2, 1, "A")
    assert row["INNER-COUNT(2)"] is None and row["FIELD(2,1)"] is None
    assert reader.summary.invalid == {"INNER-COUNT(2)": 1}


def test_inner_count_past_its_maximum_names_record_and_offset_with_on_invalid_error():
    data = b"0        " + b"21A9BC   "
    with pytest.raises(InvalidDataError) as err:
        read_records(data, TEST21, codepage="ascii", on_invalid="error")
    e = err.value
    assert (e.record, e.offset, e.field) == (2, 9 + 3, "INNER-COUNT(2)")
    assert "OCCURS DEPENDING ON count of table INNER-GROUP is 9, outside 0 TO 3" in str(e)


def test_inner_count_past_the_end_of_a_short_record_is_null_and_counted():
    record = b"21A"  # COUNT 2, element 1 complete, element 2's count is past the record's end
    data = (len(record) + 4).to_bytes(2, "big") + b"\0\0" + record
    reader = open_reader(data, TEST21, codepage="ascii", recfm="V")
    row = pa.concat_tables([b.table for b in reader]).to_pylist()[0]
    assert row["FIELD(1,1)"] == "A" and row["INNER-COUNT(2)"] is None
    assert reader.summary.invalid == {"INNER-COUNT(2)": 1}


def test_variable_occurs_framing_refuses_a_count_that_is_not_a_number():
    from bridge.errors import FramingError

    with pytest.raises(FramingError) as err:
        read_records(b"21AXBC", TEST21, codepage="ascii", variable_occurs=True)
    assert "OCCURS DEPENDING ON count INNER-COUNT at byte 3 of the record is not numeric: 58" in str(err.value)


# -- writing ---------------------------------------------------------------------------------

def test_decode_then_encode_gives_the_cobrix_file_back_byte_for_byte():
    table, _ = read_table(COBRIX_DATA, TEST21, codepage="ascii", variable_occurs=True, trim="none")
    out = io.BytesIO()
    write_records(table, out, TEST21, codepage="ascii", variable_occurs=True)
    assert out.getvalue() == COBRIX_DATA


def test_encode_refuses_a_value_past_its_elements_own_count():
    table = pa.table({"COUNT": [2], "INNER-COUNT(1)": [1], "INNER-COUNT(2)": [0],
                      "FIELD(1,1)": ["A"], "FIELD(2,1)": ["B"]})
    with pytest.raises(EncodeError) as err:
        write_records(table, io.BytesIO(), TEST21, codepage="ascii")
    assert err.value.field == "FIELD(2,1)" and "past the OCCURS DEPENDING ON count" in str(err.value)


def test_encode_refuses_an_inner_count_outside_its_range():
    table = pa.table({"COUNT": [1], "INNER-COUNT(1)": [4]})
    with pytest.raises(EncodeError) as err:
        write_records(table, io.BytesIO(), TEST21, codepage="ascii")
    assert err.value.field == "INNER-COUNT(1)" and "count 4 is outside 0 TO 3" in str(err.value)


def test_patch_writes_the_item_after_the_tables_at_each_records_offset_and_nothing_else():
    data = bytes([0xF2, 0xF1]) + b"\x12\x3c" + b"\xc1" + bytes([0xF0]) + b"\xc2" + b"\xe3\xe3" \
        + bytes([0xF0]) + b"\xe9\xe9"
    out = io.BytesIO()
    patch_records(data, out, WITH_TAIL, lambda b: pa.table({"TAIL": ["OK", "OK"]}), variable_occurs=True)
    assert out.getvalue() == data[:7] + b"\xd6\xd2" + data[9:10] + b"\xd6\xd2"


def test_patch_refuses_a_value_for_an_occurrence_the_record_does_not_hold():
    data = bytes([0xF0]) + b"\xe9\xe9"
    with pytest.raises(EncodeError) as err:
        patch_records(data, io.BytesIO(), WITH_TAIL, lambda b: pa.table({"CODE(1)": ["X"]}), variable_occurs=True)
    assert err.value.field == "CODE(1)" and "hold no such occurrence" in str(err.value)


@pytest.mark.parametrize("options", [{}, {"odo_placement": "max"}, {"variable_occurs": True}, {"recfm": "V"}],
                         ids=["shifted-F", "max-F", "variable-occurs", "V"])
@pytest.mark.parametrize("layout", [TEST21, WITH_TAIL, THREE_LEVELS, VIEWS_AND_SYNC, FIXED_OUTER],
                         ids=["test21", "with-tail", "three-levels", "redefines-and-sync", "fixed-outer"])
def test_fake_then_roundtrip_is_byte_identical(layout, options):
    out = io.BytesIO()
    summary = fake_file(layout, 40, out, seed=3, **options)
    assert summary.records == 40
    result = round_trip(out.getvalue(), layout, trim="none", **options)
    assert result.records == 40 and result.identical, (result.first_difference, result.framing_difference)
    # only the numeric view of the text fake wrote in the first view reads as invalid
    assert {name.split("(")[0] for name in result.invalid} <= {"CODE-N"}


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.lists(st.integers(0, 999), max_size=4), max_size=3), min_size=1, max_size=6),
       st.sampled_from([{"recfm": "V"}, {"variable_occurs": True}, {"odo_placement": "max"}]))
def test_random_counts_encode_then_decode_to_the_same_values(rows, options):
    columns: dict[str, list] = {"N": [], "TAIL": []}
    names = [f"M({i})" for i in range(1, 4)] + [f"AMT({i},{j})" for i in range(1, 4) for j in range(1, 5)] \
        + [f"CODE({i})" for i in range(1, 4)]
    columns.update({name: [] for name in names})
    for outer in rows:
        columns["N"].append(len(outer))
        columns["TAIL"].append("TT")
        for i in range(1, 4):
            inner = outer[i - 1] if i <= len(outer) else None
            columns[f"M({i})"].append(None if inner is None else len(inner))
            columns[f"CODE({i})"].append(None if inner is None else chr(64 + i))
            for j in range(1, 5):
                columns[f"AMT({i},{j})"].append(inner[j - 1] if inner is not None and j <= len(inner) else None)
    table = pa.table({k: pa.array(v, pa.int64() if not k.startswith(("CODE", "TAIL")) else pa.string())
                      for k, v in columns.items()})
    out = io.BytesIO()
    write_records(table, out, WITH_TAIL, **options)
    back, _ = read_table(out.getvalue(), WITH_TAIL, **options)
    for name in table.column_names:
        got = [None if v is None else (int(v) if isinstance(v, Decimal) else v) for v in back.column(name).to_pylist()]
        assert got == table.column(name).to_pylist(), name
    again = io.BytesIO()
    write_records(back, again, WITH_TAIL, **options)
    assert again.getvalue() == out.getvalue()


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([{}, {"variable_occurs": True}, {"odo_placement": "max"}]))
def test_fake_with_random_counts_round_trips_byte_for_byte(seed, options):
    out = io.BytesIO()
    fake_file(THREE_LEVELS, 25, out, seed=seed, **options)
    result = round_trip(out.getvalue(), THREE_LEVELS, trim="none", **options)
    assert result.records == 25 and result.identical, (result.first_difference, result.framing_difference)


def test_slack_before_a_sync_item_after_an_inner_table_stays_as_compiled_for_full_tables():
    layout = VIEWS_AND_SYNC.record()
    amt = layout.field("AMT")
    table = pa.table({"N": [1], "K(1)": [1], "T(1,1)": ["x"], "CODE(1)": ["AB"], "AMT(1)": [7], "TAIL": ["Z"]})
    out = io.BytesIO()
    write_records(table, out, VIEWS_AND_SYNC, variable_occurs=True)
    back, _ = read_table(out.getvalue(), VIEWS_AND_SYNC, variable_occurs=True)
    row = back.to_pylist()[0]
    assert (row["T(1,1)"], row["CODE(1)"], row["AMT(1)"], row["TAIL"]) == ("x", "AB", 7, "Z")
    # the element loses the four T it does not hold; the slack that aligned AMT when T was full,
    # and the padding that keeps each element a multiple of 4, stay as compiled
    element = layout.field("E").length
    assert (amt.slack_before, element) == (3, 16)
    assert len(out.getvalue()) == 1 + (element - 4) + 1


def test_a_fixed_table_whose_elements_hold_their_own_counts_is_walked_element_by_element():
    data = b"1ab" + b"0" + b"2cdef" + b"!"
    table, _ = read_table(data, FIXED_OUTER, codepage="ascii", variable_occurs=True)
    row = table.to_pylist()[0]
    assert (row["U(1,1)"], row["J(2)"], row["U(3,1)"], row["U(3,2)"], row["TAIL"]) == ("ab", 0, "cd", "ef", "!")


# -- what stays refused ----------------------------------------------------------------------

def test_a_count_inside_a_table_that_does_not_hold_its_table_is_refused_with_its_line():
    with pytest.raises(CopybookError) as err:
        compile_copybook("01 R.\n    05 G OCCURS 2.\n        10 N PIC 9.\n    05 T PIC X OCCURS 1 TO 5 DEPENDING ON N.\n")
    assert err.value.line == 4
    assert "inside the element of a table that holds T (nested OCCURS DEPENDING ON)" in err.value.reason


def test_a_count_after_another_variable_table_in_the_element_is_refused():
    with pytest.raises(CopybookError) as err:
        compile_copybook("01 R.\n    05 N PIC 9.\n    05 G OCCURS 0 TO 2 DEPENDING ON N.\n"
                         "        10 K PIC 9.\n        10 A PIC X OCCURS 0 TO 2 DEPENDING ON K.\n"
                         "        10 M PIC 9.\n        10 B PIC X OCCURS 0 TO 2 DEPENDING ON M.\n")
    assert "the ODO object M of table B follows a variable-length table" in err.value.reason


def test_one_count_per_table_cannot_resolve_a_nested_record():
    from bridge.errors import LayoutError

    with pytest.raises(LayoutError) as err:
        TEST21.record().resolve({("RECORD", "COUNT"): 1})
    assert "nested OCCURS DEPENDING ON" in str(err.value)


def test_inspect_lays_each_item_at_the_records_own_offset(tmp_path, capsys):
    from bridge.cli.main import main

    src = tmp_path / "t21.dat"
    src.write_bytes(COBRIX_DATA)
    copybook = str(ROOT / "tests" / "corpus" / "copybooks" / "cobrix" / "test21_copybook.cob")
    assert main(["inspect", str(src), "-c", copybook, "--codepage", "ascii", "--variable-occurs",
                 "--record-number", "4"]) == 0
    lines = {line.split()[3]: line.split() for line in capsys.readouterr().out.splitlines()
             if line.strip()[:1].isdigit() and len(line.split()) > 4}
    assert lines["INNER-COUNT(2)"][:2] == ["4", "4"] and lines["FIELD(2,2)"][:2] == ["6", "6"]
    assert "FIELD(1,2)" not in lines


def test_a_count_inside_each_element_is_a_warning_that_names_ibms_rule():
    assert any("the ODO object INNER-COUNT of table INNER-GROUP lies inside each element of an enclosing table"
               in w and "IBM COBOL wants the object outside the table" in w for w in TEST21.warnings)


def test_every_occurrence_of_a_flat_table_is_placed_from_its_first_element_by_the_stride():
    from bridge.records.nested_odo import place

    layout = compile_copybook("""
       01 REC.
          05 N        PIC 9(1).
          05 T OCCURS 0 TO 4 DEPENDING ON N.
             10 A     PIC X(2).
             10 B     PIC 9(3).
          05 TAIL     PIC X(1).
""", name="flat.cpy")
    counts = np.array([0, 3, 4])

    placement = place(layout.record(), 3, lambda f, subs, offsets, live: (counts, np.zeros(3, bool)))

    spot = placement.table(("REC", "T"))
    assert (spot.k, spot.stride, spot.held.tolist()) == (1, 5, [0, 3, 4])
    assert placement.offsets(("REC", "T", "B"), (3,)).tolist() == [1 + 2 * 5 + 2] * 3
    assert placement.present(("REC", "T", "B"), (3,)).tolist() == [False, True, True]
    assert placement.offsets(("REC", "TAIL"), ()).tolist() == [1, 16, 21]
    with pytest.raises(KeyError):
        placement.offsets(("REC", "T", "B"), (5,))
