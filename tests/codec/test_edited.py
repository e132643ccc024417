"""Numeric-edited fields: encode exactly as COBOL edits, decode leniently."""
from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from bridge.codec import edited
from bridge.codec.numeric import from_values, to_python
from bridge.codec.options import CodecOptions
from bridge.errors import EncodeError
from bridge.layout.model import Field, Kind

ASCII = CodecOptions(codepage="ascii")
EBCDIC = CodecOptions()


def edited_field(mask: str, *, bwz: bool = False) -> Field:
    m = edited.edit_mask(mask)
    return Field(name="PRINTED", path=("REC", "PRINTED"), level=5, offset=0, length=m.width,
                 kind=Kind.NUMERIC_EDITED, picture=mask, edit_mask=mask, digits=m.digits, scale=m.frac_digits,
                 blank_when_zero=bwz)


def matrix(*rows: bytes) -> np.ndarray:
    return np.array([list(r) for r in rows], np.uint8)


def assert_codec(mask: str, value: str, printed: str, *, bwz: bool = False, options: CodecOptions = ASCII) -> None:
    """Encode prints the value as COBOL would, decode reads it back, the length is the mask's."""
    f = edited_field(mask, bwz=bwz)
    data = printed.encode(options.codepage)
    assert edited.length(f) == len(data)
    assert edited.encode(from_values([value], f), f, options).tobytes() == data
    n = edited.decode(matrix(data), 0, f, options)
    assert not n.invalid[0]
    assert to_python(n, 0) == Decimal(value)


@pytest.mark.parametrize("mask, value, printed", [
    ("-ZZZ,ZZ9.99", "-1234.5", "-  1,234.50"),
    ("-ZZZ,ZZ9.99", "0", "       0.00"),
    ("-ZZZ,ZZ9.99", "123456.78", " 123,456.78"),
    ("ZZ9.99-", "-1.2", "  1.20-"),
    ("+ZZ9", "7", "+  7"),
    ("+ZZ9", "-7", "-  7"),
    ("ZZ9.99CR", "-1.2", "  1.20CR"),
    ("9CR", "-5", "5CR"),
    ("9DB", "-5", "5DB"),
    ("ZZ9.99DB", "1.2", "  1.20  "),
    ("$$$,$$9.99", "123", "   $123.00"),
    ("$$$,$$9.99", "12345.78", "$12,345.78"),
    ("+++9", "-12", " -12"),
    ("+++9", "0", "  +0"),
    ("---,--9.99", "-1", "     -1.00"),
    ("***,**9.99", "12.5", "*****12.50"),
    ("ZZZ.ZZ", "0.05", "   .05"),
    ("$$$.99", "0.05", "  $.05"),
    ("99/99/99", "311299", "31/12/99"),
    ("ZZZ9BB", "42", "  42  "),
    ("9990099", "12345", "1230045"),
])
def test_values_print_as_cobol_edits_them(mask, value, printed):
    assert_codec(mask, value, printed)


def test_all_z_picture_prints_zero_as_spaces():
    assert_codec("ZZZ.ZZ", "0", "      ")


def test_all_star_picture_prints_zero_as_stars_with_the_point():
    assert_codec("****.**", "0", "****.**")


def test_blank_when_zero_prints_spaces():
    assert_codec("-ZZZ9.99", "0", "        ", bwz=True)


def test_ebcdic_printing_uses_the_code_page():
    assert_codec("-ZZ9.99", "-1.5", "-  1.50", options=EBCDIC)


def test_decode_is_lenient_about_alignment_sign_position_and_missing_point():
    f = edited_field("-ZZZ,ZZ9.99")
    rows = [b"12.5", b"-3", b"  1,234.50-", b"1234.5 CR", b"+7.25"]
    n = edited.decode(matrix(*(r.ljust(11) for r in rows)), 0, f, ASCII)
    assert [to_python(n, i) for i in range(len(rows))] == [Decimal("12.50"), Decimal("-3.00"), Decimal("-1234.50"),
                                                             Decimal("-1234.50"), Decimal("7.25")]


def test_decode_marks_garbage_and_excess_precision_invalid():
    f = edited_field("-ZZZ,ZZ9.99")
    rows = [b"abc", b"12.345", b"1.2.3", b"--5", b"", b"12345678"]
    n = edited.decode(matrix(*(r.ljust(11) for r in rows)), 0, f, ASCII)
    assert n.invalid.tolist() == [True, True, True, True, True, True]


def test_decode_accepts_trailing_zero_decimals_beyond_the_scale():
    f = edited_field("-ZZZ,ZZ9.99")
    assert to_python(edited.decode(matrix(b"12.340".ljust(11)), 0, f, ASCII), 0) == Decimal("12.34")


def test_blank_field_is_zero_only_when_the_picture_prints_zero_as_blank():
    assert not edited.decode(matrix(b" " * 6), 0, edited_field("ZZZ.ZZ"), ASCII).invalid[0]
    assert edited.decode(matrix(b" " * 7), 0, edited_field("ZZZ9.99"), ASCII).invalid[0]
    assert not edited.decode(matrix(b" " * 7), 0, edited_field("ZZZ9.99", bwz=True), ASCII).invalid[0]


def test_value_too_large_for_the_picture_is_refused():
    f = edited_field("ZZ9.99")
    with pytest.raises(EncodeError, match=r"record 1, field REC.PRINTED PIC ZZ9.99: value 1000.00 has more digits"):
        edited.encode(from_values(["1000"], f), f, ASCII)


MASKS = ["-ZZZ,ZZ9.99", "ZZ9.99CR", "$$$,$$9.99", "+++,++9", "---9.99", "***,**9.99", "ZZZ9.99-", "+9(5).99",
         "ZZZ,ZZZ.ZZ", "$$$.$$", "9(3)V99"]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(MASKS), st.data())
def test_printed_values_read_back_as_themselves(mask, data):
    f = edited_field(mask)
    signed = any(c in mask for c in "+-") or "CR" in mask
    top = 10**f.digits - 1
    v = data.draw(st.integers(-top if signed else 0, top))
    value = Decimal(v).scaleb(-f.scale)
    printed = edited.encode(from_values([value], f), f, ASCII)
    n = edited.decode(printed, 0, f, ASCII)
    assert not n.invalid[0], printed.tobytes()
    assert to_python(n, 0) == value
    assert edited.encode(n, f, ASCII).tobytes() == printed.tobytes()


def test_negative_value_for_a_picture_without_sign_is_refused():
    f = edited_field("ZZ9.99")
    with pytest.raises(EncodeError, match="is negative and the picture ZZ9.99 prints no sign"):
        edited.encode(from_values(["-1"], f), f, ASCII)
    assert edited.encode(from_values(["-1"], f), f, ASCII, truncate=True).tobytes() == b"  1.00"


def test_layout_without_a_scale_still_reads_and_prints_the_masks_decimals():
    f = edited_field("-ZZ9.99").with_changes(scale=0)
    n = edited.decode(matrix(b"-  1.25"), 0, f, ASCII)
    assert to_python(n, 0) == Decimal("-1.25")
    assert edited.encode(n, f, ASCII).tobytes() == b"-  1.25"


def test_a_pound_sign_picture_edits_and_reads_back_in_the_uk_code_page():
    import io
    from decimal import Decimal

    import pyarrow as pa

    from bridge.copybook import compile_copybook
    from bridge.records.api import read_records, write_records

    layout = compile_copybook("       01 R.\n          05 A PIC £££9.99.\n")
    out = io.BytesIO()
    write_records(pa.table({"A": pa.array([Decimal("12.50")], pa.decimal128(6, 2))}), out, layout, codepage="cp285")
    assert out.getvalue().decode("cp285") == " £12.50"
    assert read_records(out.getvalue(), layout, codepage="cp285")["A"].iloc[0] == Decimal("12.50")


def signed_without_symbol(picture: str, mask: str) -> Field:
    return Field(name="AMT", path=("REC", "AMT"), level=5, offset=0, length=len(mask),
                 kind=Kind.NUMERIC_EDITED, picture=picture, edit_mask=mask, digits=sum(c in "9Z" for c in mask),
                 scale=len(mask.split(".")[1]) if "." in mask else 0, signed=True, display_length=len(mask))


@pytest.mark.parametrize("text,expected", [("  1.2M", Decimal("-1.24")), ("  1.2D", Decimal("1.24")),
                                           ("  1.24", Decimal("1.24")), ("123.4}", Decimal("-123.40")),
                                           ("  0.0{", Decimal("0.00")), ("  1.2Z", None)])
def test_an_s_picture_without_a_sign_symbol_reads_the_overpunched_last_digit_issue_9(text, expected):
    f = signed_without_symbol("SZZ9.99", "ZZ9.99")
    for page in ("cp037", "latin-1"):
        m = np.frombuffer(text.encode(page), np.uint8).reshape(1, -1)
        assert to_python(edited.decode(m, 0, f, CodecOptions(codepage=page)), 0) == expected


def test_gnucobol_p_to_y_overpunch_reads_negative_in_an_s_picture():
    f = signed_without_symbol("S9(3).99", "999.99")
    m = np.frombuffer(b"001.2t", np.uint8).reshape(1, -1)
    assert to_python(edited.decode(m, 0, f, CodecOptions(codepage="latin-1")), 0) == Decimal("-1.24")


def test_a_negative_value_in_an_s_picture_is_written_overpunched_and_reads_back():
    f = signed_without_symbol("SZZ9.99", "ZZ9.99")
    out = edited.encode(from_values(["-1.24", "1.24", "-0.00"], f), f, CodecOptions())
    assert [bytes(r).decode("cp037") for r in out] == ["  1.2M", "  1.24", "  0.00"]
    assert [to_python(edited.decode(out, 0, f, CodecOptions()), i) for i in range(3)] == \
        [Decimal("-1.24"), Decimal("1.24"), Decimal("0.00")]


# ---- targeted vectors (printed by hand, as COBOL's MOVE edits them) -----------------------------
@pytest.mark.parametrize("mask, value, printed", [
    ("$$,$$9", "5", "    $5"),
    ("$$,$$9", "1234", "$1,234"),
    ("$$,$$9", "0", "    $0"),
    ("**,**9", "5", "*****5"),
    ("**,**9", "1234", "*1,234"),
    ("--9", "5", "  5"),
    ("--9", "-5", " -5"),
    ("++9", "5", " +5"),
    ("ZZ,ZZ9", "5", "     5"),
    ("ZZ,ZZ9", "12345", "12,345"),
    ("99B99", "1234", "12 34"),
    ("9/9", "12", "1/2"),
    ("ZZ9.99DB", "-1.2", "  1.20DB"),
    ("ZZ9.99CR", "1.2", "  1.20  "),
    ("+9.99", "0", "+0.00"),
    ("-9.99", "-0", " 0.00"),
    ("$ZZ9", "5", "$  5"),
    ("$$$,$$9.99", "0", "     $0.00"),
    ("ZZZ.ZZ", "1.5", "  1.50"),
    ("$$$.$$", "0", "      "),
    ("Z(3)9", "42", "  42"),
    ("9(2)0(2)9", "123", "12003"),
    ("-$$$9", "-5", "-  $5"),
])
def test_more_values_print_as_cobol_edits_them(mask, value, printed):
    assert_codec(mask, value, printed)


NARROW = "-ZZZ,ZZ9.99"                 # 8 digits: the int64 kernel
WIDE = "-" + "Z" * 15 + "ZZZ,ZZ9.99"   # 23 digits: the digit-matrix kernel


@pytest.mark.parametrize("mask", [NARROW, WIDE], ids=["int64", "wide"])
@pytest.mark.parametrize("text, expected", [
    ("12.5", Decimal("12.50")), ("12", Decimal("12.00")), ("0000012.50", Decimal("12.50")),
    ("$1,234.50", Decimal("1234.50")), ("*1/2", Decimal("12.00")), ("5 cr", Decimal("-5.00")),
    ("5 db", Decimal("-5.00")), ("5 CR", Decimal("-5.00")), ("+5", Decimal("5.00")), ("5-", Decimal("-5.00")),
    ("12.340", Decimal("12.34")), ("0.000", Decimal("0.00")),
    ("12.345", None), ("1.2.3", None), ("+5-", None), ("5CR-", None), ("5 CX", None), ("  -", None),
    ("", None), ("5C", None), ("5D", None), ("1x", None), (".", None), ("5 CQ", None), ("5 DA", None),
    ("5 CB", None), ("5AB", None), ("1:5", None), ("10000.00", Decimal("10000.00")),
])
def test_edited_text_reads_as_a_person_reads_it_in_both_kernels(mask, text, expected):
    f = edited_field(mask)
    data = text.rjust(f.length).encode()
    n = edited.decode(matrix(data, data.replace(b" ", b"").ljust(f.length)), 0, f, ASCII)
    assert [to_python(n, 0), to_python(n, 1)] == [expected, expected]
    assert n.invalid.tolist() == [expected is None] * 2


@pytest.mark.parametrize("mask", ["ZZ9V99", "Z(18)9V99"], ids=["int64", "wide"])
def test_without_a_point_in_the_text_an_implied_point_keeps_the_pictures_scale(mask):
    f = edited_field(mask)
    rows = [b"12345", b"1.5", b"123", b"1.234", b"1.230", b"1."]
    n = edited.decode(matrix(*(r.rjust(f.length) for r in rows)), 0, f, ASCII)
    assert [to_python(n, i) for i in range(6)] == [Decimal("123.45"), Decimal("1.50"), Decimal("1.23"), None,
                                                    Decimal("1.23"), Decimal("1.00")]


@pytest.mark.parametrize("mask, digits", [(NARROW, 8), (WIDE, 23)], ids=["int64", "wide"])
def test_more_digits_than_the_picture_has_are_invalid_in_both_kernels(mask, digits):
    f = edited_field(mask)
    most = ("9" * (digits - 2) + ".99")
    more = ("9" * (digits - 1) + ".99")
    n = edited.decode(matrix(most.rjust(f.length).encode(), more.rjust(f.length).encode()[-f.length:]), 0, f, ASCII)
    assert to_python(n, 0) == Decimal(most) and n.invalid.tolist() == [False, True]


def test_a_field_is_read_at_its_offset():
    for mask in (NARROW, WIDE):
        f = edited_field(mask)
        for text in (b"-12.5", b"12.5CR", b"12.5DB", b"12.5"):
            data = b"##" + text.rjust(f.length) + b"##"
            want = Decimal("12.50") if text == b"12.5" else Decimal("-12.50")
            assert to_python(edited.decode(matrix(data), 2, f, ASCII), 0) == want, (mask, text)


@pytest.mark.parametrize("picture", ["ZZ(", "Z(3", "Z()9", "Z(X)9", "9(-1)"])
def test_a_repetition_without_a_count_or_a_closing_parenthesis_is_refused(picture):
    from bridge.errors import LayoutError

    with pytest.raises(LayoutError, match=r"\( needs a count and a closing parenthesis"):
        edited.edit_mask(picture)


def test_insertion_zeros_are_not_read_as_digits_and_another_digit_there_is_one_too_many():
    f = edited_field("99099")
    n = edited.decode(matrix(b"12034", b"12134"), 0, f, ASCII)
    assert [to_python(n, 0), to_python(n, 1)] == [1234, None]


def test_a_character_with_no_place_in_an_edited_picture_is_refused_naming_it():
    from bridge.errors import LayoutError

    with pytest.raises(LayoutError, match=r"'ZZ9X': 'X' has no place in a numeric-edited picture"):
        edited.edit_mask("ZZ9X")


def test_a_mask_is_compiled_into_digits_scale_and_symbols():
    m = edited.edit_mask("$$,$$9.99CR")
    assert (m.width, m.int_digits, m.frac_digits, m.digits) == (11, 4, 2, 6)
    assert chr(m.float_symbol) == "$" and m.has_nine and not m.star and m.explicit_point
    assert bytes(m.chars[-2:]).decode() == "CR"
    star = edited.edit_mask("**9V99")
    assert star.star and not star.explicit_point and star.frac_digits == 2 and star.width == 5


def test_an_edited_item_without_a_mask_is_refused_by_name():
    from bridge.errors import LayoutError

    f = edited_field("ZZ9").with_changes(picture=None, edit_mask=None)
    with pytest.raises(LayoutError, match="REC.PRINTED: a numeric-edited item needs its edit mask"):
        edited.decode(matrix(b"  1"), 0, f, ASCII)


def test_a_mask_that_prints_a_different_width_than_the_item_is_refused():
    from bridge.errors import LayoutError

    f = edited_field("ZZ9").with_changes(length=4)
    with pytest.raises(LayoutError, match="edit mask 'ZZ9' prints 3 characters but the item has 4 bytes"):
        edited.encode(from_values([1], edited_field("ZZ9")), f, ASCII)


def test_truncate_prints_the_low_order_digits():
    f = edited_field("ZZ9.99")
    assert edited.encode(from_values(["1234.5", "-5"], f), f, ASCII, truncate=True).tobytes() == b"234.50  5.00"


def test_encode_into_writes_only_masked_rows():
    f = edited_field("-Z9").with_changes(offset=1)
    m = np.full((2, 5), ord("#"), np.uint8)
    edited.encode_into(m, 1, from_values([-5, 7], f), f, ASCII, mask=np.array([True, False]))
    assert m.tobytes() == b"#- 5#" + b"#####"


def test_an_overpunched_last_digit_reads_negative_beyond_18_digits_too():
    mask = "Z" * 18 + "9.99"
    f = signed_without_symbol("S" + mask, mask)
    rows = [b"1.2M".rjust(f.length), b"1.2D".rjust(f.length), b"1.2Z".rjust(f.length), b"-1.2M".rjust(f.length)]
    n = edited.decode(matrix(*rows), 0, f, CodecOptions(codepage="latin-1"))
    assert [to_python(n, i) for i in range(4)] == [Decimal("-1.24"), Decimal("1.24"), None, Decimal("-1.24")]
    out = edited.encode(from_values(["-1.24"], f), f, CodecOptions(codepage="latin-1"))
    assert out.tobytes() == b"1.2M".rjust(f.length)


def test_an_18_digit_picture_reads_its_largest_value_and_refuses_one_more_digit():
    f = edited_field("Z(17)9")
    n = edited.decode(matrix(b"9" * 18, b"1" + b"0" * 17, b" " * 17 + b"0"), 0, f, ASCII)
    assert [to_python(n, i) for i in range(3)] == [10**18 - 1, 10**17, 0]
    wider = edited_field("Z(18)9")
    assert edited.decode(matrix(b"1" + b"0" * 18), 0, wider, ASCII).invalid.tolist() == [False]


def test_an_integer_text_that_would_overflow_at_the_pictures_scale_is_invalid():
    # 99 read into 9.9(17) is 99 * 10**17, past 18 digits (and past int64): invalid, never wrapped
    f = edited_field("9.9(17)")
    n = edited.decode(matrix(b"99".rjust(19), b"9.5".rjust(19)), 0, f, ASCII)
    assert n.invalid.tolist() == [True, False]
    assert to_python(n, 1) == Decimal("9.5")


def test_an_overpunch_letter_in_an_unsigned_picture_is_invalid():
    f = edited_field("ZZ9.99")
    n = edited.decode(matrix(b"1J2.00", b"J12.00", b"12.00J", b" 12.00"), 0, f, ASCII)
    assert n.invalid.tolist() == [True, True, True, False]


def test_a_compiled_mask_is_shared_and_cannot_be_changed():
    import dataclasses

    m = edited.edit_mask("ZZ9.99")
    assert m is edited.edit_mask("ZZ9.99")
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.star = True


@pytest.mark.parametrize("mask", ["ZZZ.ZZ", "Z(20).ZZ"], ids=["int64", "wide"])
def test_a_blank_all_z_field_reads_zero_in_both_kernels(mask):
    f = edited_field(mask)
    n = edited.decode(matrix(b" " * f.length, b"-".rjust(f.length)), 0, f, ASCII)
    assert to_python(n, 0) == Decimal("0.00") and n.invalid.tolist() == [False, True]


@pytest.mark.parametrize("mask", [NARROW, WIDE], ids=["int64", "wide"])
def test_leading_zeros_beyond_the_pictures_digits_are_not_significant(mask):
    f = edited_field(mask)
    text = ("0" * (f.length - 3) + "1.5").encode()
    assert to_python(edited.decode(matrix(text), 0, f, ASCII), 0) == Decimal("1.50")


def test_a_one_digit_s_picture_overpunches_its_only_digit():
    f = signed_without_symbol("S9", "9")
    out = edited.encode(from_values([-5, 5], f), f, ASCII)
    assert out.tobytes() == b"N5"
    assert [to_python(edited.decode(out, 0, f, ASCII), i) for i in range(2)] == [-5, 5]


def test_more_than_18_significant_digits_in_an_18_digit_picture_are_invalid_not_wrapped():
    # B insertions leave room for 20 characters; zeros after the first digit are significant too
    f = edited_field("Z(17)9BB")
    n = edited.decode(matrix(b"10203040506070809010", b"  102030405060708090"), 0, f, ASCII)
    assert n.invalid.tolist() == [True, False]
    assert to_python(n, 1) == 102030405060708090


def test_a_picture_with_trailing_p_scaling_prints_the_digits_before_the_ps():
    from bridge.copybook import compile_copybook

    f = compile_copybook("       01 R.\n          05 B PIC Z9PP.\n").record().field("B")
    out = edited.encode(from_values(["1200", "500"], f), f, ASCII)
    assert out.tobytes() == b"12 5"
    assert [to_python(edited.decode(out, 0, f, ASCII), i) for i in range(2)] == [1200, 500]
    with pytest.raises(EncodeError, match="value 1250 has more than -2 decimal places"):
        edited.encode(from_values(["1250"], f), f, ASCII)
