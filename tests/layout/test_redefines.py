"""REDEFINES: elementary, group and 01 level; adjacency; larger-than-target areas."""
from __future__ import annotations

import pytest

from bridge.errors import CopybookError
from tests.copybook.cobol_text import compiled, offsets, record


def test_elementary_redefines_shares_the_offset():
    rec = record("01 R.", "    05 A PIC 9(5) COMP-3.", "    05 B REDEFINES A PIC X(3).", "    05 C PIC X.")
    assert offsets(rec) == {"R": (0, 4), "A": (0, 3), "B": (0, 3), "C": (3, 1)}
    assert rec.field("B").redefines == "A" and rec.field("A").redefined_by == ("B",)


def test_group_redefines_and_several_views_of_one_area():
    rec = record("01 R.", "    05 DETAIL PIC X(10).",
                 "    05 MOTOR REDEFINES DETAIL.", "        10 REG PIC X(8).", "        10 FILLER PIC X(2).",
                 "    05 HOME REDEFINES DETAIL.", "        10 POSTCODE PIC X(6).", "        10 ROOMS PIC 99.",
                 "    05 TAIL PIC X.")
    assert rec.field("DETAIL").redefined_by == ("MOTOR", "HOME")
    assert [rec.field(n).offset for n in ("MOTOR", "HOME", "POSTCODE", "ROOMS", "TAIL")] == [0, 0, 0, 6, 10]
    assert [c.name for c in rec.root.children] == ["DETAIL", "MOTOR", "HOME", "TAIL"]


def test_larger_redefinition_takes_the_area_with_a_warning():
    layout = compiled("01 R.", "    05 A PIC X(4).", "    05 B REDEFINES A PIC X(6).", "    05 C PIC X.")
    rec = layout.records[0]
    assert (rec.field("A").length, rec.field("B").length, rec.field("C").offset, rec.length) == (4, 6, 6, 7)
    assert "B (6 bytes) is larger than A (4 bytes), which it redefines; the area takes 6 bytes" in layout.warnings[0]


def test_larger_redefinition_is_an_error_when_strict():
    with pytest.raises(CopybookError, match="larger than A.*strict"):
        compiled("01 R.", "    05 A PIC X(4).", "    05 B REDEFINES A PIC X(6).", strict=True)


def test_redefines_at_01_level_is_another_record_type():
    layout = compiled("01 REC-A.", "    05 A PIC X(10).", "01 REC-B REDEFINES REC-A.", "    05 B PIC 9(12).")
    assert [(r.name, r.length, r.redefines) for r in layout.records] == [("REC-A", 10, None), ("REC-B", 12, "REC-A")]
    assert layout.warnings == ()


def test_redefines_of_a_missing_item_is_an_error():
    with pytest.raises(CopybookError) as info:
        compiled("01 R.", "    05 A PIC X.", "    05 B REDEFINES NOPE PIC X.")
    assert info.value.reason == "B REDEFINES NOPE, but no item named NOPE precedes it at level 05 in R"
    assert (info.value.line, info.value.column) == (3, 27)


def test_redefines_of_a_non_adjacent_item_is_an_error():
    with pytest.raises(CopybookError) as info:
        compiled("01 R.", "    05 A PIC X.", "    05 B PIC X.", "    05 C REDEFINES A PIC X.")
    assert "C REDEFINES A, but A is not the item just before it at level 05 (that is B)" in info.value.reason


def test_redefines_of_an_item_at_another_level_is_an_error():
    with pytest.raises(CopybookError, match="no item named A precedes it at level 10 in G"):
        compiled("01 R.", "    05 A PIC X.", "    05 G.", "        10 B REDEFINES A PIC X.")


def test_01_redefines_of_a_missing_record_is_an_error():
    with pytest.raises(CopybookError, match="no 01 record named NOPE precedes it"):
        compiled("01 A PIC X.", "01 B REDEFINES NOPE PIC X.")


def test_redefines_containing_odo_is_an_error():
    with pytest.raises(CopybookError, match="a REDEFINES cannot involve a variable-length item"):
        compiled("01 R.", "    05 N PIC 9.", "    05 A PIC X(9).", "    05 B REDEFINES A.",
                 "        10 T PIC X OCCURS 1 TO 9 DEPENDING ON N.")
