"""PICTURE strings: categories, digits, scale (P included), signs, edited display lengths."""
from __future__ import annotations

import re

import pytest

from bridge.copybook.picture import Category, PictureError, parse_picture


@pytest.mark.parametrize("text, size", [("X(10)", 10), ("XXX", 3), ("x(2)x", 3), ("A(4)", 4), ("X9X", 3)])
def test_alphanumeric_pictures_count_character_positions(text, size):
    pic = parse_picture(text)
    assert pic.size == size and pic.category in (Category.ALPHANUMERIC, Category.ALPHABETIC)


@pytest.mark.parametrize("text, digits, scale, signed", [
    ("9(5)", 5, 0, False),
    ("S9(7)V99", 9, 2, True),
    ("S9(3)V9(4)", 7, 4, True),
    ("9V9999", 5, 4, False),
    ("9(3)PPP", 3, -3, False),
    ("S99PP", 2, -2, True),
    ("PPP99", 2, 5, False),
    ("VPP99", 2, 4, False),
    ("SVPP9", 1, 3, True),
    ("SV9(4)", 4, 4, True),
    ("99V", 2, 0, False),
])
def test_numeric_pictures_give_digits_and_scale(text, digits, scale, signed):
    pic = parse_picture(text)
    assert pic.category is Category.NUMERIC
    assert (pic.digits, pic.scale, pic.signed) == (digits, scale, signed)


def test_p_positions_take_no_storage_but_count_in_scale():
    pic = parse_picture("PPP99")
    # .000dd: the stored integer dd is divided by 10**5
    assert pic.digits == 2 and pic.scale == 5


@pytest.mark.parametrize("text, digits, scale, size, signed", [
    ("-ZZZ,ZZ9.99", 8, 2, 11, True),
    ("ZZZ9", 4, 0, 4, False),
    ("$$$,$$9.99CR", 7, 2, 12, True),
    ("+++9", 3, 0, 4, True),
    ("***,**9.99", 8, 2, 10, False),
    ("9(5)DB", 5, 0, 7, True),
    ("99/99/99", 6, 0, 8, False),
    ("Z(4)9.9(2)-", 7, 2, 9, True),
    ("ZZ9V99", 5, 2, 5, False),
    ("9BB9", 2, 0, 4, False),
])
def test_numeric_edited_pictures_give_digits_scale_and_display_length(text, digits, scale, size, signed):
    pic = parse_picture(text)
    assert pic.category is Category.NUMERIC_EDITED
    assert (pic.digits, pic.scale, pic.size, pic.signed) == (digits, scale, size, signed)


def test_edit_mask_expands_repeat_counts():
    assert parse_picture("Z(3)9.9(2)").edit_mask == "ZZZ9.99"


def test_s_in_a_numeric_edited_picture_is_noted_for_a_warning():
    pic = parse_picture("S9(3).99")
    assert pic.signed and pic.size == 6 and "S in a numeric-edited PICTURE" in pic.notes[0]


def test_alphanumeric_edited_picture_keeps_its_mask():
    pic = parse_picture("XXBXX/XX")
    assert pic.category is Category.ALPHANUMERIC_EDITED and pic.size == 8 and pic.edit_mask == "XXBXX/XX"


def test_national_and_dbcs_pictures():
    assert parse_picture("N(6)").category is Category.NATIONAL and parse_picture("N(6)").size == 6
    assert parse_picture("G(3)").category is Category.DBCS


@pytest.mark.parametrize("text, message", [
    ("X(", "not closed"),
    ("X()", "is empty"),
    ("X(0)", "at least 1"),
    ("(3)X", "must follow a PICTURE symbol"),
    ("9Q9", "'Q' is not a PICTURE symbol"),
    ("9S9", "S must appear once, as the first symbol"),
    ("9V9V9", "V (the assumed decimal point) may appear only once"),
    ("9P9", "P (decimal scaling) may appear only at the left or the right end"),
    ("SV", "needs at least one 9"),
    ("X(3)ZZ9", "cannot be mixed with numeric editing"),
    ("ZZ.9.9", "only one decimal point"),
    ("CR99", "CR must be the last symbol"),
    ("", "empty"),
])
def test_bad_pictures_say_what_is_wrong(text, message):
    with pytest.raises(PictureError, match=re.escape(message)):
        parse_picture(text)
