"""ODO counts to concrete offsets, worked out by hand: tables of their actual size, later items and
their REDEFINES and RENAMES moved up, SYNC padding kept per occurrence, and the bounds refused
with the object, the value and the table named."""
from __future__ import annotations

import pytest

from bridge.errors import LayoutError
from bridge.layout.resolve import resolve_counts
from tests.copybook.cobol_text import record

SIMPLE = ("01 R.", "    05 N PIC 9.", "    05 T OCCURS 1 TO 5 DEPENDING ON N.", "        10 A PIC X(2).",
          "        10 B PIC X.", "    05 C PIC X(4).", "    05 D REDEFINES C PIC X(2).", "    05 E PIC X.",
          "    66 CE RENAMES C THRU E.")


def _where(rec, *names):
    return [(rec.field(n).offset, rec.field(n).length) for n in names]


def test_items_after_a_table_sit_at_its_full_size_until_resolved():
    rec = record(*SIMPLE)
    assert _where(rec, "T", "C", "D", "E", "CE") == [(1, 3), (16, 4), (16, 2), (20, 1), (16, 5)]
    assert rec.length == 21


@pytest.mark.parametrize("n", [1, 2, 5])
def test_later_items_their_redefines_and_renames_move_with_the_count(n):
    rec = resolve_counts(record(*SIMPLE), {("R", "N"): n})
    c = 1 + 3 * n
    assert _where(rec, "T", "C", "D", "E", "CE") == [(1, 3), (c, 4), (c, 2), (c + 4, 1), (c, 5)]
    assert rec.length == c + 5 and rec.root.length == c + 5
    assert rec.field("T").dims[0].stride == 3 and rec.field("A").offset == 1


@pytest.mark.parametrize("n", [0, 6])
def test_a_count_outside_the_bounds_names_object_value_and_table(n):
    with pytest.raises(LayoutError) as err:
        resolve_counts(record(*SIMPLE), {("R", "N"): n})
    assert str(err.value).startswith(f"R.N = {n} is outside OCCURS 1 TO 5 of table T")


def test_a_missing_count_names_the_object_and_the_table():
    with pytest.raises(LayoutError) as err:
        resolve_counts(record(*SIMPLE), {("R", "M"): 2})
    assert str(err.value).startswith("no count given for the ODO object R.N of table T")


def test_a_record_without_odo_is_returned_as_it_is():
    rec = record("01 R.", "    05 A PIC X.")
    assert resolve_counts(rec, {}) is rec


def test_a_nested_table_sizes_each_outer_occurrence_by_its_own_count():
    rec = record("01 R.", "    05 N PIC 9.", "    05 M PIC 9.", "    05 G OCCURS 1 TO 3 DEPENDING ON N.",
                 "        10 H PIC X.", "        10 T PIC X(2) OCCURS 1 TO 4 DEPENDING ON M.", "    05 Z PIC X.")
    assert (rec.field("G").length, rec.field("Z").offset, rec.length) == (9, 29, 30)
    got = resolve_counts(rec, {("R", "N"): 2, ("R", "M"): 3})
    # each G: H (1) + 3 x T (2) = 7 bytes; two of them from offset 2
    assert (got.field("G").length, got.field("G").dims[0].stride, got.field("T").dims[1].stride) == (7, 7, 2)
    assert (got.field("Z").offset, got.length) == (16, 17)


def test_sync_padding_at_the_end_of_each_occurrence_is_kept():
    rec = record("01 R.", "    05 N PIC 9.", "    05 T OCCURS 1 TO 3 DEPENDING ON N.", "        10 A PIC X(2).",
                 "        10 B PIC S9(4) COMP SYNC.", "    05 Z PIC X.")
    # T at 1: A 1-2, one slack byte, B 4-5: 5 bytes, padded to 6 for the halfword
    assert (rec.field("T").length, rec.field("B").offset, rec.field("Z").offset) == (6, 4, 19)
    got = resolve_counts(rec, {("R", "N"): 2})
    assert (got.field("T").length, got.field("Z").offset, got.length) == (6, 13, 14)


def test_slack_before_an_item_after_the_table_stays_as_compiled():
    rec = record("01 R.", "    05 N PIC 9.", "    05 T PIC X OCCURS 1 TO 4 DEPENDING ON N.",
                 "    05 B PIC S9(4) COMP SYNC.")
    # full: T 1-4, one slack byte, B on the halfword at 6; for 2 the slack byte stays: B at 1+2+1
    assert (rec.field("B").offset, rec.field("B").slack_before) == (6, 1)
    assert resolve_counts(rec, {("R", "N"): 2}).field("B").offset == 4


@pytest.mark.parametrize("n", [1, 2])
def test_a_redefines_larger_than_its_item_inside_a_group_widens_the_group_after_the_table(n):
    # G: P (1) + C (2), and D REDEFINES C takes 3 bytes from C's start: G is 1 + 3 = 4 bytes
    rec = resolve_counts(record("01 R.", "    05 N PIC 9.", "    05 T OCCURS 1 TO 5 DEPENDING ON N.",
                                "        10 A PIC X(2).", "        10 B PIC X.", "    05 G.", "        10 P PIC X.",
                                "        10 C PIC X(2).", "        10 D REDEFINES C.",
                                "            15 D1 PIC X OCCURS 3.", "    05 E PIC X."), {("R", "N"): n})
    g = 1 + 3 * n
    assert _where(rec, "G", "C", "D", "E") == [(g, 4), (g + 1, 2), (g + 1, 3), (g + 4, 1)]
    assert rec.length == g + 5
