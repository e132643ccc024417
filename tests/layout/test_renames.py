"""Level 66 RENAMES: a view over a range of items, listed in fields but in no group's children."""
from __future__ import annotations

import pytest

from bridge.errors import CopybookError
from bridge.layout.model import Kind
from tests.copybook.cobol_text import compiled, record

REC = ("01 R.",
       "    05 A PIC X(2).",
       "    05 G.",
       "        10 B PIC 9(3).",
       "        10 C PIC S9(4) COMP.",
       "    05 D PIC X(5).")


def test_renames_thru_spans_the_range():
    rec = record(*REC, "66 AB RENAMES A THRU C.")
    ab = rec.field("AB")
    assert (ab.kind, ab.level, ab.offset, ab.length, ab.path) == (Kind.RENAMES, 66, 0, 7, ("R", "AB"))
    assert ab.renames == (("R", "A"), ("R", "G", "C"))
    assert rec.fields[-1] is ab and all(ab is not c for f in rec.fields for c in f.children)


def test_renames_of_one_elementary_item_keeps_its_attributes():
    c = record(*REC, "66 CC RENAMES C.").field("CC")
    assert (c.offset, c.length, c.picture, c.usage, c.digits, c.signed) == (5, 2, "S9(4)", "COMP", 4, True)


def test_renames_of_a_group_thru_a_later_item():
    rec = record(*REC, "66 GD RENAMES G THROUGH D.")
    assert (rec.field("GD").offset, rec.field("GD").length) == (2, 10)


def test_renames_with_a_qualified_name():
    rec = record(*REC, "66 X RENAMES B OF G.")
    assert rec.field("X").renames == (("R", "G", "B"), ("R", "G", "B"))


def _error(*lines: str) -> CopybookError:
    with pytest.raises(CopybookError) as info:
        compiled(*lines)
    return info.value


def test_renames_of_a_missing_item_is_an_error():
    assert "X RENAMES NOPE: no item named NOPE in record R" in _error(*REC, "66 X RENAMES NOPE.").reason


def test_renames_thru_an_earlier_item_is_an_error():
    assert "X RENAMES D THRU A: A comes before D" in _error(*REC, "66 X RENAMES D THRU A.").reason


def test_renames_of_an_item_and_its_own_part_is_an_error():
    assert "one of them is part of the other" in _error(*REC, "66 X RENAMES G THRU C.").reason


def test_occurs_under_a_renames_is_an_error():
    e = _error("01 R.", "    05 A PIC X.", "    05 T PIC X OCCURS 3.", "    05 B PIC X.", "66 X RENAMES A THRU B.")
    assert "includes T, which has an OCCURS clause; RENAMES cannot cover a table" in e.reason


def test_renames_of_the_record_itself_is_an_error():
    assert "cannot RENAME the 01 record R itself" in _error(*REC, "66 X RENAMES R.").reason


def test_renames_before_any_record_is_an_error():
    assert "must follow the 01 record" in _error("66 X RENAMES A.").reason


def test_renames_without_renames_clause_is_an_error():
    assert "level 66 X needs a RENAMES clause" in _error(*REC, "66 X PIC X.").reason
