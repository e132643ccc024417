"""Compiler limits: sizes, counts and digits above IBM's are refused with a located message naming
the limit, or accepted with a warning where the compiler is lenient (issue 8)."""
from __future__ import annotations

import time

import pytest

from bridge.copybook import compile_copybook
from bridge.copybook.picture import parse_picture
from bridge.errors import CopybookError
from tests.copybook.cobol_text import compiled, record


def refused(*lines: str, **options) -> str:
    with pytest.raises(CopybookError) as caught:
        compiled(*lines, **options)
    return str(caught.value)


def test_a_picture_repeat_count_is_not_expanded_symbol_by_symbol_issue_8():
    started = time.perf_counter()
    rec = record("01 R.", "    05 A PIC X(200000000).")
    assert rec.length == 200_000_000
    assert time.perf_counter() - started < 0.5


def test_picture_parsing_time_does_not_grow_with_the_repeat_counts():
    started = time.perf_counter()
    for n in range(1, 2000):
        parse_picture(f"S9(20)V9({n})") if n <= 56 else parse_picture(f"X({n * 400_000})")
    assert time.perf_counter() - started < 1.0


def test_a_repeat_count_beyond_any_integer_type_is_refused_with_its_location_issue_8():
    message = refused("01 R.", "    05 A PIC X(99999999999999999999).")
    assert message.startswith("<copybook>:2:22: PICTURE X(99999999999999999999) of A is not valid")
    assert "above the limit of 999,999,999" in message


def test_an_occurs_count_above_the_limit_is_refused_with_its_location_issue_8():
    message = refused("01 R.", "    05 A PIC X OCCURS 99999999999999999999.")
    assert message == ("<copybook>:2:30: the OCCURS count 99999999999999999999 is above the limit of "
                       "999,999,999")


def test_an_occurs_maximum_above_the_limit_is_refused():
    message = refused("01 R.", "    05 N PIC 9(4) COMP.",
                      "    05 A PIC X OCCURS 1 TO 1000000000 DEPENDING ON N.")
    assert "the OCCURS maximum 1000000000 is above the limit of 999,999,999" in message


def test_a_table_larger_than_an_item_may_be_is_refused_at_its_occurs_clause():
    message = refused("01 R.", "    05 T OCCURS 1000 TIMES.", "       10 U OCCURS 1000000 TIMES.",
                      "          15 A PIC X(2).")
    assert message.startswith("<copybook>:2:17: table T takes 2,000,000,000 bytes")
    assert "at most 999,999,999 bytes" in message


def test_an_elementary_item_larger_than_an_item_may_be_is_refused():
    message = refused("01 R.", "    05 A PIC N(600000000).")
    assert message.startswith("<copybook>:2:21: A takes 1,200,000,000 bytes")


def test_a_record_larger_than_an_item_may_be_is_refused():
    message = refused("01 R.", "    05 A PIC X(999999999).", "    05 B PIC X.")
    assert message.startswith("<copybook>:1:11: R takes 1,000,000,000 bytes; an item may take at most")


@pytest.mark.parametrize("clause, what, ibm", [
    ("PIC 9(77)", "a DISPLAY number", 31),
    ("PIC S9(77) COMP-3", "a packed-decimal number", 31),
    ("PIC 9(5000)", "a DISPLAY number", 31),
])
def test_numbers_beyond_76_digits_are_refused_issue_8(clause, what, ibm):
    message = refused("01 R.", f"    05 A {clause}.")
    assert message.startswith("<copybook>:2:21: A has ")
    assert f"at most 76 digits are supported for {what} (IBM's limit is {ibm})" in message


def test_binary_numbers_beyond_16_bytes_are_refused():
    assert compiled("01 R.", "    05 A PIC S9(38) COMP.").records[0].length == 16
    message = refused("01 R.", "    05 A PIC S9(39) COMP.")
    assert message == ("<copybook>:2:21: A has 39 digits; at most 38 digits are supported for a binary "
                       "number (IBM's limit is 18)")


@pytest.mark.parametrize("clause, ibm", [("PIC S9(76)", 31), ("PIC S9(76) COMP-3", 31), ("PIC S9(32)", 31)])
def test_numbers_between_ibms_limit_and_76_digits_are_accepted_with_a_warning(clause, ibm):
    layout = compiled("01 R.", f"    05 A {clause}.")
    assert len(layout.warnings) == 1
    assert f"more than IBM's limit of {ibm}" in layout.warnings[0]
    assert layout.warnings[0].startswith("<copybook>:2:21: warning: A has ")


@pytest.mark.parametrize("clause", ["PIC S9(32)", "PIC S9(76) COMP-3", "PIC S9(19) COMP"])
def test_numbers_beyond_ibms_digit_limit_are_errors_under_strict(clause):
    message = refused("01 R.", f"    05 A {clause}.", strict=True)
    assert "rejected because strict mode is on" in message


def test_a_numeric_edited_picture_beyond_the_editing_limit_is_refused():
    message = refused("01 R.", "    05 A PIC Z(40000)9.")
    assert "an edited PICTURE may have at most 32,767 character positions; this one has 40,001" in message


def test_a_numeric_edited_picture_beyond_ibms_249_positions_is_a_warning():
    layout = compiled("01 R.", "    05 A PIC X(10)B(300).")
    assert layout.records[0].length == 310
    layout = compiled("01 R.", "    05 A PIC 9(10)B(245).")
    assert any("255 character positions, more than IBM's limit of 249" in w for w in layout.warnings)


def test_a_numeric_literal_of_thousands_of_digits_is_refused_not_converted():
    with pytest.raises(CopybookError) as caught:
        compile_copybook("01 R.\n  05 A PIC 9(5) VALUE " + "1" * 5000 + ".\n", source_format="free")
    message = str(caught.value)
    assert message.startswith("<copybook>:2:23: the numeric literal 1111")
    assert "has more than 76 digits" in message


def test_a_picture_string_longer_than_ibms_50_characters_is_a_warning():
    layout = compile_copybook("01 R.\n  05 A PIC " + "X" * 60 + ".\n", source_format="free")
    assert any("60 characters, more than IBM's limit of 50" in w for w in layout.warnings)


def test_p_scaling_positions_count_toward_the_76_digit_limit():
    assert compiled("01 R.", "    05 A PIC 9(70)P(6).").records[0].fields[1].scale == -6
    message = refused("01 R.", "    05 A PIC 9P(999999999).")
    assert message == ("<copybook>:2:21: A has 1,000,000,000 digit positions with its P scaling positions; "
                       "at most 76 are supported")
