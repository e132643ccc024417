"""Data description entries: levels, names, every clause in any order, values and conditions."""
from __future__ import annotations

from decimal import Decimal

import pytest

from bridge.copybook import compile_copybook
from bridge.copybook.items import Figurative
from bridge.errors import CopybookError
from bridge.layout.model import Kind
from tests.copybook.cobol_text import compiled, fixed, offsets, record


def test_clauses_may_come_in_any_order_and_spread_over_lines():
    rec = record("01 REC.",
                 "    05 A COMP",
                 "         VALUE 7",
                 "         PIC S9(4)",
                 "         SYNC.")
    a = rec.field("A")
    assert (a.kind, a.usage, a.length, a.value, a.sync) == (Kind.BINARY, "COMP", 2, 7, True)


def test_picture_is_and_usage_is_are_optional_words():
    a = record("01 REC.", "    05 A PICTURE IS S9(5) USAGE IS PACKED-DECIMAL.").field("A")
    assert (a.usage, a.length, a.digits) == ("COMP-3", 3, 5)


@pytest.mark.parametrize("name", ["COUNT", "GROUP", "RECORD", "DATA", "SIGN", "TIME", "ADDRESS"])
def test_words_reserved_elsewhere_are_accepted_as_data_names(name):
    rec = record("01 REC.", f"    05 {name} PIC X(2).", "    05 B PIC X.")
    assert offsets(rec)[name] == (0, 2)


def test_an_entry_without_a_name_is_filler():
    rec = record("01 REC.", "    05 PIC X(2).", "    05 FILLER PIC X.", "    05 B PIC X.")
    fillers = [f for f in rec.fields if f.is_filler]
    assert [(f.name, f.offset, f.length) for f in fillers] == [("FILLER", 0, 2), ("FILLER", 2, 1)]


def test_underscores_in_names_are_accepted():
    assert record("01 REC.", "    05 COMPANY_NAME PIC X.").fields[1].name == "COMPANY_NAME"


def test_level_numbers_may_be_written_with_one_digit():
    rec = record("1 REC.", "  5 A PIC X.", "  5 B.", "    10 C PIC X.")
    assert [f.level for f in rec.fields] == [1, 5, 5, 10]


def test_sign_leading_separate_adds_a_byte():
    a = record("01 REC.", "    05 A PIC S9(5) SIGN IS LEADING SEPARATE CHARACTER.").field("A")
    assert (a.length, a.sign_leading, a.sign_separate, a.signed) == (6, True, True, True)


def test_sign_trailing_without_separate_keeps_the_length():
    a = record("01 REC.", "    05 A PIC S9(5) TRAILING.").field("A")
    assert (a.length, a.sign_leading, a.sign_separate) == (5, False, False)


def test_sign_clause_on_a_group_applies_to_its_signed_numbers():
    rec = record("01 REC SIGN LEADING SEPARATE.", "    05 A PIC S9(3).", "    05 B PIC 9(3).")
    assert (rec.field("A").length, rec.field("A").sign_leading) == (4, True)
    assert (rec.field("B").length, rec.field("B").sign_separate) == (3, False)


def test_sign_clause_on_an_unsigned_picture_is_accepted_with_a_warning():
    layout = compiled("01 REC.", "    05 A PIC 9(3) SIGN LEADING SEPARATE.")
    assert layout.records[0].field("A").length == 4
    assert "<copybook>:2:26: warning: SIGN LEADING SEPARATE on A, whose PICTURE 9(3) has no S" in layout.warnings[0]


def test_justified_and_blank_when_zero_are_kept():
    rec = record("01 REC.", "    05 A PIC X(5) JUST RIGHT.", "    05 B PIC ZZ9 BLANK WHEN ZERO.",
                 "    05 C PIC X JUSTIFIED.")
    assert rec.field("A").justified and rec.field("C").justified and rec.field("B").blank_when_zero


def test_external_and_global_are_kept():
    rec = record("01 REC IS EXTERNAL GLOBAL.", "    05 A PIC X.")
    assert rec.root.external and rec.root.global_


def test_occurs_with_keys_and_indexes():
    rec = record("01 REC.",
                 "    05 T OCCURS 3 TIMES ASCENDING KEY IS K DESCENDING J",
                 "         INDEXED BY IX1 IX2.",
                 "        10 K PIC X.", "        10 J PIC X.")
    occ = rec.field("T").occurs
    assert (occ.min, occ.max, occ.keys, occ.indexed_by) == (3, 3, ("K", "J"), ("IX1", "IX2"))


@pytest.mark.parametrize("clause, expected", [
    ("VALUE 'ABC'", "ABC"),
    ("VALUE \"A'B\"", "A'B"),
    ("VALUE 'IT''S'", "IT'S"),
    ("VALUE X'C1C2'", b"\xc1\xc2"),
    ("VALUE SPACES", Figurative("SPACES")),
    ("VALUE SPACE", Figurative("SPACES")),
    ("VALUE ZEROES", Figurative("ZEROS")),
    ("VALUE LOW-VALUES", Figurative("LOW-VALUES")),
    ("VALUE HIGH-VALUE", Figurative("HIGH-VALUES")),
    ("VALUE QUOTES", Figurative("QUOTES")),
    ("VALUE ALL '-'", Figurative("ALL", "-")),
    ("VALUE IS ALL SPACES", Figurative("SPACES")),
])
def test_alphanumeric_values_and_figurative_constants(clause, expected):
    assert record("01 REC.", f"    05 A PIC X(3) {clause}.").field("A").value == expected


@pytest.mark.parametrize("clause, expected", [
    ("VALUE 12", 12), ("VALUE -5", -5), ("VALUE +3", 3), ("VALUE 1.25", Decimal("1.25")),
    ("VALUE ZERO", Figurative("ZEROS")),
])
def test_numeric_values(clause, expected):
    assert record("01 REC.", f"    05 A PIC S9(3)V99 {clause}.").field("A").value == expected


def test_level_88_conditions_keep_values_and_thru_ranges():
    rec = record("01 REC.",
                 "    05 STATUS-CODE PIC 99.",
                 "        88 OK-CODES VALUES ARE 0 THRU 9, 20 THROUGH 29",
                 "                    40 50.",
                 "        88 SPECIAL VALUE 99.")
    ok, special = rec.field("STATUS-CODE").conditions
    assert ok.name == "OK-CODES" and ok.values == (40, 50) and ok.ranges == ((0, 9), (20, 29))
    assert special.values == (99,)


def test_level_88_on_a_group_and_with_figurative_values():
    rec = record("01 REC.", "    05 G.", "        88 G-EMPTY VALUE SPACES.", "        10 A PIC X.")
    assert rec.field("G").conditions[0].values == (Figurative("SPACES"),)


def test_level_88_when_set_to_false_is_accepted():
    rec = record("01 REC.", "    05 F PIC X.", "        88 F-ON VALUE 'Y' WHEN SET TO FALSE 'N'.")
    assert rec.field("F").conditions[0].values == ("Y",)


def test_conditions_do_not_take_storage():
    rec = record("01 REC.", "    05 A PIC X.", "        88 A-YES VALUE 'Y'.", "    05 B PIC X.")
    assert offsets(rec) == {"REC": (0, 2), "A": (0, 1), "B": (1, 1)}


def test_several_01_records_are_record_types_of_one_file():
    layout = compiled("01 HDR.", "    05 A PIC X(10).", "01 DTL.", "    05 B PIC X(20).")
    assert [(r.name, r.length) for r in layout.records] == [("HDR", 10), ("DTL", 20)]
    assert layout.length == 20


def test_elementary_01_record():
    rec = record("01 LINE-REC PIC X(80).")
    assert rec.length == 80 and rec.root.kind is Kind.ALPHANUMERIC and rec.fields == (rec.root,)


def test_level_77_items_are_kept_apart_from_records():
    layout = compiled("77 COUNTER PIC S9(4) COMP.", "01 REC.", "    05 A PIC X.")
    assert [f.name for f in layout.level77] == ["COUNTER"] and layout.level77[0].length == 2
    assert [r.name for r in layout.records] == ["REC"]


def test_a_copybook_below_level_01_gets_a_generated_record_with_a_warning():
    layout = compile_copybook(fixed("05 A PIC X(2).", "05 B PIC X(3)."), name="/lib/CUSTFLDS.cpy")
    rec = layout.records[0]
    assert rec.name == "CUSTFLDS" and rec.length == 5
    assert "generated 01 CUSTFLDS" in layout.warnings[0]


def test_a_missing_period_before_the_next_level_is_a_warning():
    layout = compiled("01 REC.", "    05 A PIC X(2)", "    05 B PIC X.")
    assert offsets(layout.records[0])["B"] == (2, 1)
    assert "the entry for A is not ended by a period before level 05" in layout.warnings[0]


def test_a_missing_final_period_is_a_warning():
    layout = compiled("01 REC.", "    05 A PIC X(2)")
    assert "not ended by a period" in layout.warnings[0]


def test_a_missing_period_is_an_error_when_strict():
    with pytest.raises(CopybookError, match="not ended by a period.*strict"):
        compiled("01 REC.", "    05 A PIC X(2)", "    05 B PIC X.", strict=True)


def test_division_and_section_headers_are_skipped():
    layout = compiled("WORKING-STORAGE SECTION.", "01 REC.", "    05 A PIC X.")
    assert layout.records[0].length == 1


def test_source_locations_point_at_the_data_name():
    a = record("01 REC.", "    05  CUST-ID  PIC X.").field("CUST-ID")
    assert (a.source.line, a.source.column) == (2, 16)


# -- errors -------------------------------------------------------------------------------------

def _error(*lines: str, **options) -> CopybookError:
    with pytest.raises(CopybookError) as info:
        compiled(*lines, **options)
    return info.value


def test_unknown_clause_is_named():
    e = _error("01 REC.", "    05 A PIC X FROBNICATE.")
    assert e.reason == "unknown clause 'FROBNICATE' in the description of A" and (e.line, e.column) == (2, 23)


def test_bad_picture_points_at_the_bad_symbol():
    e = _error("01 REC.", "    05 A PIC 9(3)Q9.")
    assert "PICTURE 9(3)Q9 of A is not valid: 'Q' is not a PICTURE symbol" in str(e)
    assert (e.line, e.column) == (2, 25)


def test_level_that_does_not_nest_is_an_error():
    e = _error("01 REC.", "    05 A.", "        10 B PIC X.", "      07 C PIC X.")
    assert "level 07 C does not nest" in e.reason and "level 10 (such as B)" in e.reason
    assert e.line == 4


def test_invalid_level_number_is_an_error():
    assert "level number 50 is not valid" in _error("01 REC.", "    50 A PIC X.").reason


def test_entry_must_start_with_a_level_number():
    assert "expected a level number" in _error("01 REC.", "    A PIC X.").reason


def test_group_with_a_picture_cannot_have_subordinates():
    e = _error("01 REC.", "    05 A PIC X.", "        10 B PIC X.")
    assert "A has a PICTURE, so it is elementary and cannot have subordinate items" in e.reason


def test_elementary_item_needs_a_picture():
    assert "B has neither a PICTURE clause nor subordinate items" in _error("01 REC.", "    05 B.").reason


def test_duplicate_clause_is_an_error():
    assert "the PICTURE clause appears twice" in _error("01 REC.", "    05 A PIC X PIC X.").reason


def test_unknown_usage_is_an_error():
    assert "'COMP-9' is not a USAGE" in _error("01 REC.", "    05 A PIC 9 USAGE COMP-9.").reason


def test_renames_outside_level_66_is_an_error():
    assert "RENAMES is only allowed at level 66" in _error("01 REC.", "    05 A RENAMES B.").reason


def test_condition_without_value_is_an_error():
    assert "condition X needs a VALUE clause" in _error("01 REC.", "    05 A PIC X.", "    88 X.").reason


def test_condition_before_any_item_is_an_error():
    assert "does not follow a data item" in _error("88 X VALUE 1.").reason


def test_level_77_cannot_have_subordinates():
    assert "level 77 C is elementary" in _error("77 C PIC X.", "    05 D PIC X.").reason


def test_occurs_to_without_depending_on_is_an_error():
    assert "needs DEPENDING ON" in _error("01 R.", "    05 T PIC X OCCURS 1 TO 5.").reason


def test_occurs_minimum_above_maximum_is_an_error():
    e = _error("01 R.", "    05 N PIC 9.", "    05 T PIC X OCCURS 6 TO 5 DEPENDING ON N.")
    assert "OCCURS 6 TO 5: the minimum is larger than the maximum" in e.reason


def test_occurs_count_must_be_an_integer():
    assert "the OCCURS count must be an unsigned integer" in _error("01 R.", "    05 T PIC X OCCURS N.").reason


def test_value_must_be_a_literal():
    assert "expected a literal or a figurative constant" in _error("01 R.", "    05 A PIC X VALUE B.").reason


def test_bad_hexadecimal_literal_is_an_error():
    assert "X'G1' is not a valid hexadecimal literal" in _error("01 R.", "    05 A PIC X VALUE X'G1'.").reason


def test_empty_copybook_is_an_error():
    with pytest.raises(CopybookError, match="no data description entries"):
        compile_copybook("      * nothing here\n")


def test_unknown_dialect_is_an_error():
    with pytest.raises(CopybookError, match="unknown dialect 'cobol74': use ibm, gnucobol or microfocus"):
        compiled("01 R PIC X.", dialect="cobol74")
