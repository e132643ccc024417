"""OCCURS and OCCURS DEPENDING ON: dims, strides, variably located items, nested ODO, resolve_counts."""
from __future__ import annotations

import pytest

from bridge.errors import CopybookError, LayoutError
from bridge.layout.resolve import resolve_counts
from bridge.layout.model import Dim
from tests.copybook.cobol_text import compiled, offsets, record

TXN = ("01 R.",
       "    05 CNT PIC S9(4) COMP.",
       "    05 T OCCURS 0 TO 5 TIMES DEPENDING ON CNT.",
       "        10 D PIC X(3).",
       "        10 AMT PIC S9(5) COMP-3.",
       "    05 TOTAL PIC S9(7) COMP-3.",
       "    05 FLAGS PIC X(2).")


def test_fixed_table_dims_and_length():
    rec = record("01 R.", "    05 A PIC X.", "    05 T OCCURS 3 TIMES.", "        10 B PIC X(2).",
                 "        10 C PIC 9 OCCURS 4.", "    05 Z PIC X.")
    c = rec.field("C")
    assert c.dims == (Dim(3, 3, 6, None, ("R", "T")), Dim(4, 4, 1, None, ("R", "T", "C")))
    assert (rec.field("T").length, rec.field("T").total_length, rec.field("Z").offset, rec.length) == (6, 18, 19, 20)
    assert c.offset == 3 and c.occurrences == 12


def test_odo_table_and_variably_located_items():
    rec = record(*TXN)
    t = rec.field("T")
    assert (t.offset, t.length, t.occurs.min, t.occurs.max, t.occurs.depending_on) == (2, 6, 0, 5, "CNT")
    assert t.occurs.depending_path == ("R", "CNT") and rec.odo_objects == (("R", "CNT"),)
    assert (rec.field("TOTAL").offset, rec.field("TOTAL").variable_offset) == (32, True)
    assert not rec.field("D").variable_offset and not rec.field("CNT").variable_offset
    assert (rec.length, rec.min_length) == (38, 8)
    assert rec.field("D").dims[0].depending_path == ("R", "CNT")


def test_resolve_counts_shifts_later_items_and_keeps_declared_bounds():
    rec = record(*TXN)
    two = resolve_counts(rec, {("R", "CNT"): 2})
    assert offsets(two)["TOTAL"] == (14, 4) and offsets(two)["FLAGS"] == (18, 2)
    assert two.length == 20 and two.min_length == 8 and two.field("T").occurs.max == 5
    assert two.root.length == 20
    assert rec.resolve({("R", "CNT"): 0}).length == 8


def test_resolve_counts_rejects_a_count_out_of_bounds_or_missing():
    rec = record(*TXN)
    with pytest.raises(LayoutError, match="R.CNT = 6 is outside OCCURS 0 TO 5 of table T"):
        resolve_counts(rec, {("R", "CNT"): 6})
    with pytest.raises(LayoutError, match="no count given for the ODO object R.CNT"):
        resolve_counts(rec, {})


def test_nested_odo_tables():
    rec = record("01 R.",
                 "    05 N1 PIC 99.",
                 "    05 N2 PIC 99.",
                 "    05 OUTER OCCURS 1 TO 3 DEPENDING ON N1.",
                 "        10 K PIC X.",
                 "        10 INNER PIC X(2) OCCURS 0 TO 4 DEPENDING ON N2.",
                 "        10 L PIC X.",
                 "    05 Z PIC X.")
    outer = rec.field("OUTER")
    assert (outer.length, rec.field("L").offset, rec.field("L").variable_offset) == (10, 13, True)
    assert (rec.length, rec.min_length, rec.field("Z").offset) == (35, 7, 34)
    r = rec.resolve({("R", "N1"): 2, ("R", "N2"): 1})
    assert r.field("OUTER").length == 4 and r.field("OUTER").dims[0].stride == 4
    assert r.field("INNER").dims == (Dim(1, 3, 4, ("R", "N1"), ("R", "OUTER")), Dim(0, 4, 2, ("R", "N2"), ("R", "OUTER", "INNER")))
    assert (r.field("L").offset, r.field("Z").offset, r.length) == (7, 12, 13)


def test_two_tables_depending_on_one_object():
    rec = record("01 R.", "    05 N PIC 9.", "    05 A PIC X OCCURS 0 TO 2 DEPENDING ON N.",
                 "    05 B PIC X OCCURS 0 TO 2 DEPENDING ON N.")
    assert (rec.field("B").offset, rec.field("B").variable_offset) == (3, True)
    assert rec.resolve({("R", "N"): 1}).field("B").offset == 2
    assert rec.odo_objects == (("R", "N"),)


def test_qualified_odo_object():
    rec = record("01 R.", "    05 H1.", "        10 N PIC 9.", "    05 H2.", "        10 N PIC 9.",
                 "    05 T PIC X OCCURS 1 TO 9 DEPENDING ON N OF H2.")
    assert rec.field("T").occurs.depending_path == ("R", "H2", "N")


def test_odo_without_a_minimum_is_read_as_zero_with_a_warning():
    layout = compiled("01 R.", "    05 N PIC 9.", "    05 T PIC X OCCURS 5 DEPENDING ON N.")
    assert layout.records[0].field("T").occurs.min == 0
    assert "OCCURS 5 DEPENDING ON N has no 'm TO'; it is read as OCCURS 0 TO 5" in layout.warnings[0]


def _error(*lines: str) -> CopybookError:
    with pytest.raises(CopybookError) as info:
        compiled(*lines)
    return info.value


def test_odo_object_missing_is_an_error():
    e = _error("01 R.", "    05 T PIC X OCCURS 1 TO 5 DEPENDING ON NOPE.")
    assert "T OCCURS ... DEPENDING ON NOPE: no item named NOPE in record R" in e.reason and e.line == 2


def test_odo_object_defined_after_its_table_is_an_error():
    e = _error("01 R.", "    05 T PIC X OCCURS 1 TO 5 DEPENDING ON N.", "    05 N PIC 9.")
    assert "the ODO object N of table T is defined after the table" in e.reason


def test_odo_object_inside_its_table_is_an_error():
    e = _error("01 R.", "    05 T OCCURS 1 TO 5 DEPENDING ON N.", "        10 N PIC 9.")
    assert "is defined inside the table" in e.reason


def test_odo_object_not_an_integer_is_an_error():
    e = _error("01 R.", "    05 N PIC 9V9.", "    05 T PIC X OCCURS 1 TO 5 DEPENDING ON N.")
    assert "the ODO object N of table T is not an integer (PICTURE 9V9 has decimal places)" in e.reason
    e = _error("01 R.", "    05 N COMP-2.", "    05 T PIC X OCCURS 1 TO 5 DEPENDING ON N.")
    assert "is not an integer (it is float)" in e.reason


def test_alphanumeric_odo_object_is_a_warning():
    layout = compiled("01 R.", "    05 N PIC X.", "    05 T PIC X OCCURS 0 TO 2 DEPENDING ON N.")
    assert "the ODO object N of table T is not numeric (PICTURE X)" in layout.warnings[0]


def test_odo_object_inside_a_table_is_an_error():
    e = _error("01 R.", "    05 G OCCURS 2.", "        10 N PIC 9.", "    05 T PIC X OCCURS 1 TO 5 DEPENDING ON N.")
    assert "is inside a table (OCCURS); it must be at a fixed position" in e.reason


def test_odo_object_after_another_odo_table_is_an_error():
    e = _error("01 R.", "    05 N PIC 9.", "    05 A PIC X OCCURS 1 TO 5 DEPENDING ON N.", "    05 M PIC 9.",
               "    05 B PIC X OCCURS 1 TO 5 DEPENDING ON M.")
    assert "the ODO object M of table B follows a variable-length table" in e.reason


def test_odo_object_that_is_ambiguous_must_be_qualified():
    e = _error("01 R.", "    05 H1.", "        10 N PIC 9.", "    05 H2.", "        10 N PIC 9.",
               "    05 T PIC X OCCURS 1 TO 9 DEPENDING ON N.")
    assert "is ambiguous in record R; qualify it with OF (R.H1.N, R.H2.N)" in e.reason


def test_occurs_at_level_01_is_an_error():
    assert "OCCURS is not allowed at level 01" in _error("01 R PIC X OCCURS 3.").reason
