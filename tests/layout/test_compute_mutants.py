"""Layout computation edges a mutation run found untested: the digit where a SYNC binary item moves
from a halfword to a fullword, per dialect; COMP-X and pointer boundaries; REDEFINES areas;
ODO objects that cannot be; record-level REDEFINES order; SIGN clauses that change the storage.
Offsets are worked out by hand from IBM's rules in each test."""
from __future__ import annotations

import pytest

from bridge.errors import CopybookError
from tests.copybook.cobol_text import compiled, record


def _error(*lines: str, **options) -> CopybookError:
    with pytest.raises(CopybookError) as err:
        compiled(*lines, **options)
    return err.value


@pytest.mark.parametrize("picture, offset", [("S9(1)", 2), ("S9(4)", 2), ("S9(5)", 4), ("S9(10)", 4)])
def test_ibm_sync_binary_is_on_a_halfword_up_to_4_digits_and_a_fullword_above(picture, offset):
    rec = record("01 R.", "    05 A PIC X.", f"    05 B PIC {picture} COMP SYNC.")
    assert (rec.field("B").offset, rec.field("B").slack_before) == (offset, offset - 1)


@pytest.mark.parametrize("picture, offset", [("9(2)", 1), ("9(3)", 2), ("9(5)", 4), ("9(10)", 8)])
def test_gnucobol_sync_binary_is_aligned_on_its_own_1_2_4_or_8_bytes(picture, offset):
    rec = record("01 R.", "    05 A PIC X.", f"    05 B PIC {picture} COMP SYNC.", dialect="gnucobol")
    assert rec.field("B").offset == offset


@pytest.mark.parametrize("picture, offset", [("S9(4)", 2), ("S9(5)", 1), ("S9(9)", 4), ("S9(11)", 1)])
def test_microfocus_sync_binary_of_an_odd_size_is_not_aligned(picture, offset):
    # Micro Focus sizes: S9(4) 2 bytes, S9(5) 3, S9(9) 4, S9(11) 5; only 2, 4 and 8 have a boundary
    rec = record("01 R.", "    05 A PIC X.", f"    05 B PIC {picture} COMP SYNC.", dialect="microfocus")
    assert rec.field("B").offset == offset


@pytest.mark.parametrize("clause, offset", [("PIC X(3) COMP-X", 1), ("PIC X(4) COMP-X", 4),
                                            ("PIC X(8) COMP-X", 8), ("PIC X(9) COMP-X", 1),
                                            ("PIC 9(4) COMP-X", 2), ("PIC 9(5) COMP-X", 1)])
def test_sync_comp_x_is_aligned_only_when_it_takes_2_4_or_8_bytes(clause, offset):
    rec = record("01 R.", "    05 A PIC X.", f"    05 B {clause} SYNC.", dialect="microfocus")
    assert rec.field("B").offset == offset


def test_comp_x_of_16_bytes_is_the_widest():
    assert record("01 R.", "    05 B PIC X(16) COMP-X.", dialect="microfocus").length == 16
    err = _error("01 R.", "    05 B PIC X(17) COMP-X.", dialect="microfocus")
    assert err.reason == "B is PICTURE X(17) COMP-X; at most 16 bytes are supported for a binary number"


def test_sync_index_is_on_a_fullword_and_a_float_on_its_own_size():
    rec = record("01 R.", "    05 A PIC X.", "    05 I USAGE INDEX SYNC.", "    05 B PIC X.", "    05 F COMP-2 SYNC.")
    assert [(f.name, f.offset) for f in rec.fields[1:]] == [("A", 0), ("I", 4), ("B", 8), ("F", 16)]


def test_redefinition_of_the_same_size_warns_nothing():
    layout = compiled("01 R.", "    05 A PIC X(4).", "    05 B REDEFINES A PIC 9(4).", "    05 C PIC X.")
    assert layout.warnings == () and layout.records[0].field("C").offset == 4


def test_an_area_ends_after_its_largest_view_whichever_comes_first():
    rec = record("01 R.", "    05 A PIC X(6).", "    05 B REDEFINES A PIC X(2).", "    05 C REDEFINES A PIC X(4).",
                 "    05 D PIC X.")
    assert (rec.field("D").offset, rec.length) == (6, 7)
    assert rec.field("A").redefined_by == ("B", "C")


def test_a_redefinition_takes_the_largest_boundary_into_its_group_table():
    rec = record("01 R.", "    05 T OCCURS 2.", "        10 A PIC X(3).", "        10 B REDEFINES A.",
                 "            15 B1 PIC X.", "            15 B2 PIC S9(4) COMP SYNC.")
    # B2 on a halfword at 2: the element is 4 bytes (3 rounded up to the boundary of 2)
    assert (rec.field("B2").offset, rec.field("T").length, rec.length) == (2, 4, 8)


def test_a_table_element_already_a_multiple_of_its_boundary_gets_no_padding():
    rec = record("01 R.", "    05 T OCCURS 3.", "        10 A PIC X(2).", "        10 B PIC S9(4) COMP SYNC.")
    assert (rec.field("T").length, rec.length) == (4, 12)


def test_a_table_without_sync_items_gets_no_padding():
    rec = record("01 R.", "    05 T OCCURS 3.", "        10 A PIC X(3).", "        10 B PIC S9(4) COMP.")
    assert (rec.field("T").length, rec.length) == (5, 15)


def test_a_level_77_item_cannot_occur():
    err = _error("77 A PIC X OCCURS 3.")
    assert err.reason == "OCCURS is not allowed at level 77 (A)"


def test_the_first_record_cannot_redefine():
    err = _error("01 A REDEFINES X PIC X.")
    assert err.reason == "A REDEFINES X, but no 01 record precedes it"


def test_a_record_redefines_the_record_just_before_it_or_that_ones_target():
    layout = compiled("01 A PIC X.", "01 B REDEFINES A PIC XX.", "01 C REDEFINES A PIC XXX.")
    assert [r.redefines for r in layout.records] == [None, "A", "A"]
    err = _error("01 A PIC X.", "01 B PIC X.", "01 C REDEFINES A PIC X.")
    assert err.reason == ("C REDEFINES A, but A is not the 01 record just before it (B); REDEFINES must follow "
                          "the item it redefines or another REDEFINES of it")


def test_a_table_cannot_depend_on_itself():
    err = _error("01 R.", "    05 T PIC 9 OCCURS 1 TO 5 DEPENDING ON T.")
    assert "the ODO object T of table T is defined" in err.reason
    assert err.reason.endswith("the object must be defined before the table, at a fixed position")


def test_an_odo_table_in_a_record_that_redefines_another_is_refused():
    err = _error("01 A PIC X(5).", "01 B REDEFINES A.", "    05 N PIC 9.",
                 "    05 T PIC X OCCURS 1 TO 4 DEPENDING ON N.")
    assert err.reason == ("T has OCCURS DEPENDING ON inside a REDEFINES; IBM COBOL does not allow a "
                          "variable-length table there")


def test_a_group_cannot_be_an_odo_object():
    err = _error("01 R.", "    05 N.", "        10 N1 PIC 9.", "    05 T PIC X OCCURS 1 TO 5 DEPENDING ON N.")
    assert err.reason == ("the ODO object N of table T is a group item; it must be an integer "
                          "(such as PIC S9(4) COMP)")


def test_an_integer_odo_object_of_any_numeric_usage_is_accepted():
    for clause in ("PIC 9", "PIC S9(4) COMP", "PIC S9(3) COMP-3", "PIC 9PP"):
        rec = record("01 R.", f"    05 N {clause}.", "    05 T PIC X OCCURS 1 TO 5 DEPENDING ON N.")
        assert rec.odo_objects == (("R", "N"),)


def test_sign_on_an_unsigned_picture_makes_it_signed_with_a_warning():
    layout = compiled("01 R.", "    05 A PIC 9(3) SIGN LEADING SEPARATE.", "    05 B PIC 9(3) SIGN TRAILING.")
    a, b = layout.records[0].field("A"), layout.records[0].field("B")
    assert (a.length, a.signed, a.sign_leading, a.sign_separate) == (4, True, True, True)
    assert (b.length, b.signed, b.sign_leading, b.sign_separate) == (3, True, False, False)
    assert [w.split("warning: ", 1)[1] for w in layout.warnings] == [
        "SIGN LEADING SEPARATE on A, whose PICTURE 9(3) has no S; the item is taken as signed",
        "SIGN TRAILING on B, whose PICTURE 9(3) has no S; the item is taken as signed"]


def test_a_group_sign_clause_leaves_its_unsigned_items_unsigned_and_silent():
    layout = compiled("01 R SIGN LEADING SEPARATE.", "    05 A PIC 9(3).", "    05 B PIC S9(3).")
    rec = layout.records[0]
    assert (rec.field("A").length, rec.field("A").signed, rec.field("B").length) == (3, False, 4)
    assert layout.warnings == ()


def test_sign_on_a_binary_item_is_ignored_with_a_warning():
    layout = compiled("01 R.", "    05 A PIC S9(4) COMP SIGN LEADING SEPARATE.")
    assert layout.records[0].field("A").length == 2
    assert layout.warnings[0].endswith("the SIGN clause applies to USAGE DISPLAY items only; it is ignored "
                                       "for A (USAGE COMP)")


def test_national_number_with_a_separate_sign_takes_two_bytes_per_position():
    a = record("01 R.", "    05 A PIC S9(3) SIGN LEADING SEPARATE USAGE NATIONAL.").field("A")
    assert (a.length, a.display_length) == (8, 4)


def test_national_picture_with_a_numeric_usage_is_refused():
    err = _error("01 R.", "    05 A PIC N(2) COMP.")
    assert err.reason == "A is USAGE COMP, which does not fit PICTURE N(2) (N is national)"


def test_renames_thru_a_group_covers_the_whole_group():
    rec = record("01 R.", "    05 A PIC X.", "    05 G.", "        10 G1 PIC X.", "        10 G2 PIC X(2).",
                 "    05 Z PIC X.", "    66 AG RENAMES A THRU G.")
    assert (rec.field("AG").offset, rec.field("AG").length) == (0, 4)


def test_renames_thru_a_group_that_holds_a_table_is_refused_naming_the_table():
    err = _error("01 R.", "    05 A PIC X.", "    05 G.", "        10 G1 PIC X.", "        10 GT PIC X OCCURS 2.",
                 "    05 Z PIC X.", "    66 AG RENAMES A THRU G.")
    assert err.reason.startswith("AG RENAMES a range that includes GT, which has an OCCURS clause")


def test_renames_of_an_item_inside_a_table_names_the_table_it_is_in():
    err = _error("01 R.", "    05 T OCCURS 2.", "        10 T1.", "            15 T2 PIC X.", "    66 X RENAMES T2.")
    assert err.reason.startswith("X RENAMES a range that includes T, which has an OCCURS clause")


@pytest.mark.parametrize("digits, length", [(19, 9), (21, 9), (22, 10)])
def test_binary_beyond_18_digits_takes_the_bytes_its_value_and_sign_bit_need(digits, length):
    # 10**19 - 1 needs 64 bits and the sign a 65th: 9 bytes; 10**22 - 1 needs 74 + 1: 10 bytes
    assert record("01 R.", f"    05 A PIC S9({digits}) COMP.").field("A").length == length


def test_an_index_is_a_signed_9_digit_fullword_and_a_pointer_an_unsigned_address():
    rec = record("01 R.", "    05 I USAGE INDEX.", "    05 P USAGE POINTER.")
    i, p = rec.field("I"), rec.field("P")
    assert (i.length, i.digits, i.signed) == (4, 9, True)
    assert (p.length, p.digits, p.signed) == (4, 0, False)


def test_an_items_usage_unlike_its_groups_is_a_warning_naming_both_as_written():
    layout = compiled("01 R.", "    05 G USAGE PACKED-DECIMAL.", "        10 A PIC S9(5).",
                      "        10 B PIC S9(4) BINARY.")
    assert any("USAGE BINARY of B differs from the USAGE PACKED-DECIMAL of its group" in w
               for w in layout.warnings), layout.warnings
