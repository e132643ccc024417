"""Forms from rehosted applications (Micro Focus, GnuCOBOL): COMP-X, COMP-6, BINARY-CHAR/SHORT/LONG/
DOUBLE, GROUP-USAGE NATIONAL; accepted under the dialects that define them, warned about under ibm
and refused under ibm with strict (issue 9). Sizes are GnuCOBOL 3.1.2's under -std=mf, held against
real cobc in tests/integration/test_layout_matches_gnucobol.py."""
from __future__ import annotations

import pytest

from bridge.errors import CopybookError
from bridge.layout.model import Kind
from tests.copybook.cobol_text import compiled, offsets, record


@pytest.mark.parametrize("clause, length", [
    ("PIC 9 COMP-X", 1), ("PIC 99 COMP-X", 1), ("PIC 9(3) COMP-X", 2), ("PIC 9(5) COMP-X", 3),
    ("PIC 9(7) COMP-X", 3), ("PIC 9(8) COMP-X", 4), ("PIC 9(10) COMP-X", 5), ("PIC 9(18) COMP-X", 8),
    ("PIC S9(5) COMP-X", 3), ("PIC X(3) COMP-X", 3), ("PIC XX COMPUTATIONAL-X", 2),
])
def test_comp_x_takes_the_fewest_bytes_that_hold_the_digits_or_the_x_count(clause, length):
    rec = record("01 R.", f"    05 A {clause}.", dialect="microfocus")
    field = rec.field("A")
    assert (field.kind, field.length, field.usage, field.native_binary) == (Kind.BINARY, length, "COMP-X", False)


@pytest.mark.parametrize("clause, length, digits", [("PIC 9 COMP-6", 1, 1), ("PIC 99 COMP-6", 1, 2),
                                                    ("PIC 9(3) COMP-6", 2, 3), ("PIC 9(5)V99 COMP-6", 4, 7)])
def test_comp_6_is_unsigned_packed_decimal_without_a_sign_nibble(clause, length, digits):
    field = record("01 R.", f"    05 A {clause}.", dialect="gnucobol").field("A")
    assert (field.kind, field.usage, field.length, field.digits, field.signed) == (Kind.PACKED, "COMP-6", length,
                                                                                    digits, False)


def test_comp_6_with_a_sign_in_its_picture_is_refused():
    with pytest.raises(CopybookError) as caught:
        compiled("01 R.", "    05 A PIC S9(3) COMP-6.", dialect="microfocus")
    assert str(caught.value) == ("<copybook>:2:21: A is USAGE COMP-6 (unsigned packed decimal, no sign nibble); "
                                 "its PICTURE S9(3) cannot have an S")


@pytest.mark.parametrize("usage, length, signed", [
    ("BINARY-CHAR", 1, True), ("BINARY-CHAR UNSIGNED", 1, False), ("BINARY-SHORT", 2, True),
    ("BINARY-LONG SIGNED", 4, True), ("BINARY-DOUBLE UNSIGNED", 8, False), ("USAGE BINARY-LONG UNSIGNED", 4, False),
])
def test_fixed_size_binary_usages_have_no_picture_and_native_byte_order(usage, length, signed):
    field = record("01 R.", f"    05 A {usage}.", dialect="gnucobol").field("A")
    assert (field.kind, field.length, field.signed, field.native_binary, field.digits) == (Kind.BINARY, length,
                                                                                          signed, True, 0)


def test_a_fixed_size_binary_usage_with_a_picture_is_refused():
    with pytest.raises(CopybookError) as caught:
        compiled("01 R.", "    05 A PIC 9(4) BINARY-SHORT.", dialect="gnucobol")
    assert "A is USAGE BINARY-SHORT, which takes no PICTURE clause" in str(caught.value)


def test_group_usage_national_makes_the_groups_items_national():
    rec = record("01 R GROUP-USAGE NATIONAL.", "    05 A PIC N(3).", "    05 B PIC 9(3).")
    assert offsets(rec) == {"R": (0, 12), "A": (0, 6), "B": (6, 6)}
    assert (rec.root.usage, rec.field("B").usage, rec.field("B").kind) == ("NATIONAL", "NATIONAL", Kind.ZONED)


def test_group_usage_on_an_elementary_item_is_refused():
    with pytest.raises(CopybookError) as caught:
        compiled("01 R.", "    05 A PIC N(3) GROUP-USAGE NATIONAL.")
    assert str(caught.value) == "<copybook>:2:26: GROUP-USAGE applies to group items; A is elementary"


REHOSTED = ["PIC 9(4) COMP-X", "PIC 9(4) COMP-6", "BINARY-CHAR", "BINARY-DOUBLE UNSIGNED"]


@pytest.mark.parametrize("clause", REHOSTED)
def test_rehosted_usages_are_a_located_warning_under_ibm(clause):
    layout = compiled("01 R.", f"    05 A {clause}.")
    usage = clause.removeprefix("PIC 9(4) ")
    assert layout.warnings[0].startswith(f"<copybook>:2:")
    assert f"USAGE {usage} of A is not IBM Enterprise COBOL (Micro Focus and GnuCOBOL define it)" in layout.warnings[0]


@pytest.mark.parametrize("clause", REHOSTED)
def test_rehosted_usages_are_refused_under_ibm_strict(clause):
    with pytest.raises(CopybookError) as caught:
        compiled("01 R.", f"    05 A {clause}.", strict=True)
    assert "is not IBM Enterprise COBOL" in str(caught.value) and "strict mode" in str(caught.value)


@pytest.mark.parametrize("dialect", ["gnucobol", "microfocus"])
@pytest.mark.parametrize("clause", REHOSTED)
def test_rehosted_usages_are_silent_under_the_dialects_that_define_them(clause, dialect):
    assert compiled("01 R.", f"    05 A {clause}.", dialect=dialect, strict=True).warnings == ()
