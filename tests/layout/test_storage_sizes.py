"""Storage sizes by USAGE and dialect, as IBM Enterprise COBOL (and GnuCOBOL / Micro Focus) compute them."""
from __future__ import annotations

import pytest

from bridge.errors import CopybookError
from bridge.copybook.compute import binary_length
from bridge.layout.model import Dialect, Kind
from tests.copybook.cobol_text import compiled, record


def _item(clauses: str, **options):
    return record("01 REC.", f"    05 A {clauses}.", **options).field("A")


@pytest.mark.parametrize("clauses, length, kind", [
    ("PIC 9(7)", 7, Kind.ZONED),
    ("PIC S9(7)", 7, Kind.ZONED),
    ("PIC S9(7) SIGN TRAILING SEPARATE", 8, Kind.ZONED),
    ("PIC S9(7)V99 COMP-3", 5, Kind.PACKED),
    ("PIC S9(6) COMP-3", 4, Kind.PACKED),
    ("PIC 9 PACKED-DECIMAL", 1, Kind.PACKED),
    ("PIC X(12)", 12, Kind.ALPHANUMERIC),
    ("PIC A(3)", 3, Kind.ALPHANUMERIC),
    ("PIC N(4)", 8, Kind.NATIONAL),
    ("PIC N(4) USAGE NATIONAL", 8, Kind.NATIONAL),
    ("PIC N(4) USAGE DISPLAY-1", 8, Kind.DBCS),
    ("PIC G(4)", 8, Kind.DBCS),
    ("PIC 9(3) USAGE NATIONAL", 6, Kind.ZONED),
    ("COMP-1", 4, Kind.FLOAT),
    ("COMP-2", 8, Kind.FLOAT),
    ("USAGE INDEX", 4, Kind.BINARY),
    ("USAGE POINTER", 4, Kind.BINARY),
    ("PIC -ZZ,ZZ9.99", 10, Kind.NUMERIC_EDITED),
    ("PIC XBX", 3, Kind.ALPHANUMERIC_EDITED),
])
def test_storage_length_by_usage(clauses, length, kind):
    a = _item(clauses)
    assert (a.length, a.kind) == (length, kind)


@pytest.mark.parametrize("usage", ["COMP", "COMPUTATIONAL", "COMP-4", "BINARY", "COMP-5"])
@pytest.mark.parametrize("digits, length", [(1, 2), (4, 2), (5, 4), (9, 4), (10, 8), (18, 8)])
def test_ibm_binary_is_2_4_or_8_bytes(usage, digits, length):
    assert _item(f"PIC S9({digits}) {usage}").length == length


@pytest.mark.parametrize("usage, normalised", [
    ("COMP", "COMP"), ("COMP-4", "COMP"), ("BINARY", "COMP"), ("COMPUTATIONAL-4", "COMP"),
    ("COMP-3", "COMP-3"), ("PACKED-DECIMAL", "COMP-3"), ("COMP-5", "COMP-5"), ("DISPLAY", "DISPLAY"),
])
def test_usage_is_normalised(usage, normalised):
    assert _item(f"PIC 9(3) {usage}").usage == normalised


def test_comp_5_is_native_binary():
    assert _item("PIC S9(4) COMP-5").native_binary and not _item("PIC S9(4) COMP").native_binary


def test_comp_0_is_comp_with_a_warning():
    layout = compiled("01 REC.", "    05 A PIC S9(4) COMP-0.")
    assert layout.records[0].field("A").usage == "COMP" and layout.records[0].length == 2
    assert "COMP-0 of A is not IBM Enterprise COBOL" in layout.warnings[0]


@pytest.mark.parametrize("digits, length", [(1, 1), (2, 1), (3, 2), (4, 2), (5, 4), (9, 4), (10, 8), (18, 8)])
def test_gnucobol_binary_is_1_2_4_or_8_bytes(digits, length):
    assert _item(f"PIC 9({digits}) COMP", dialect="gnucobol").length == length


@pytest.mark.parametrize("digits, length", [(2, 1), (3, 2), (4, 2), (5, 3), (6, 3), (7, 4), (9, 4), (10, 5),
                                            (11, 5), (12, 6), (14, 6), (15, 7), (16, 7), (17, 8), (18, 8)])
def test_microfocus_binary_takes_the_fewest_bytes(digits, length):
    assert _item(f"PIC S9({digits}) COMP", dialect="microfocus").length == length


def test_binary_beyond_18_digits_is_sized_as_cobrix_does_with_a_warning():
    layout = compiled("01 REC.", "    05 A PIC 9(20) COMP.", "    05 B PIC S9(38) BINARY.")
    rec = layout.records[0]
    assert (rec.field("A").length, rec.field("B").length) == (9, 16)
    assert "beyond IBM's 18" in layout.warnings[0]
    assert binary_length(37, Dialect.IBM) == 16


def test_binary_beyond_18_digits_is_an_error_when_strict():
    with pytest.raises(CopybookError, match="binary item of 20 digits.*strict"):
        compiled("01 REC.", "    05 A PIC 9(20) COMP.", strict=True)


def test_display_number_beyond_31_digits_is_a_warning():
    layout = compiled("01 REC.", "    05 A PIC 9(32).")
    assert layout.records[0].length == 32 and "more than IBM's limit of 31" in layout.warnings[0]


def test_usage_on_a_group_applies_to_its_elementary_items():
    rec = record("01 REC.", "    05 G COMP-3.", "        10 A PIC S9(5).", "        10 B PIC S9(3).")
    assert [(f.usage, f.length) for f in rec.field("G").children] == [("COMP-3", 3), ("COMP-3", 2)]


def test_p_scaling_takes_no_storage():
    rec = record("01 REC.", "    05 A PIC 9(3)PPP.", "    05 B PIC PPP99.", "    05 C PIC SVPP9 COMP-3.",
                 "    05 D PIC S9(3)PP COMP.")
    assert [(f.length, f.digits, f.scale) for f in rec.fields[1:]] == [(3, 3, -3), (2, 2, 5), (1, 1, 3), (2, 3, -2)]


def test_numeric_edited_item_carries_its_editing_facts():
    a = _item("PIC $$$,$$9.99CR")
    assert (a.digits, a.scale, a.signed, a.display_length, a.edit_mask) == (7, 2, True, 12, "$$$,$$9.99CR")


def test_s_in_a_numeric_edited_picture_is_a_warning():
    layout = compiled("01 REC.", "    05 A PIC S9(3).99.")
    assert layout.records[0].field("A").length == 6 and "S in a numeric-edited PICTURE" in layout.warnings[0]


@pytest.mark.parametrize("clauses, message", [
    ("PIC X(4) COMP", "A is USAGE COMP, which needs a numeric PICTURE; PICTURE X(4) is alphanumeric"),
    ("PIC 9(4) USAGE INDEX", "A is USAGE INDEX, which takes no PICTURE clause"),
    ("PIC ZZ9 COMP-3", "PICTURE ZZ9 is numeric-edited, which is always USAGE DISPLAY"),
    ("PIC G(2) COMP", "does not fit PICTURE G(2)"),
    ("PIC 9(2) DISPLAY-1", "does not fit the numeric PICTURE 9(2)"),
])
def test_usage_that_does_not_fit_the_picture_is_an_error(clauses, message):
    with pytest.raises(CopybookError) as info:
        _item(clauses)
    assert message in info.value.reason


def test_comp_1_with_a_picture_is_a_warning():
    layout = compiled("01 REC.", "    05 A PIC 9(4) COMP-1.")
    assert layout.records[0].field("A").length == 4 and "takes no PICTURE clause" in layout.warnings[0]


def test_microfocus_binary_takes_the_fewest_bytes_with_or_without_a_sign_bit():
    # values read from cobc -std=mf FUNCTION BYTE-LENGTH (GnuCOBOL 3.1.2)
    from bridge.copybook import compile_copybook

    layout = compile_copybook("""
       01 R.
          05 U2  PIC 9(2) COMP.
          05 U5  PIC 9(5) COMP.
          05 U7  PIC 9(7) COMP.
          05 S7  PIC S9(7) COMP.
          05 U12 PIC 9(12) COMP.
          05 S12 PIC S9(12) COMP.
          05 U15 PIC 9(15) COMP.
          05 S6  PIC S9(6) COMP.
""", dialect="microfocus")
    assert [f.length for f in layout.record().elementary()] == [1, 3, 3, 4, 5, 6, 7, 3]
