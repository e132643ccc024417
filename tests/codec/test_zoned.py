"""Zoned decimal: IBM EBCDIC zones, separate signs, the two ASCII conventions, invalid bytes."""
from __future__ import annotations

from decimal import Context, Decimal

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from bridge.codec import zoned
from bridge.codec.numeric import Numbers, from_values, to_python
from bridge.codec.options import CodecOptions
from bridge.errors import EncodeError
from bridge.layout.model import Field, Kind

WIDE = Context(prec=60)
EBCDIC = CodecOptions()
GNU = CodecOptions(codepage="ascii", dialect="gnucobol")
IBM_ASCII = CodecOptions(codepage="latin-1", dialect="ibm")


def zoned_field(picture: str, digits: int, scale: int = 0, *, signed: bool = False, leading: bool = False,
                separate: bool = False, bwz: bool = False) -> Field:
    return Field(name="AMOUNT", path=("REC", "AMOUNT"), level=5, offset=0,
                 length=digits + (1 if separate else 0), kind=Kind.ZONED, picture=picture, digits=digits,
                 scale=scale, signed=signed, sign_leading=leading, sign_separate=separate, blank_when_zero=bwz)


def matrix(*rows: bytes) -> np.ndarray:
    return np.array([list(r) for r in rows], np.uint8)


def assert_codec(field: Field, options: CodecOptions, data: bytes, value) -> None:
    """Decode gives the value, encode gives the bytes back, and the length is the field's."""
    assert zoned.length(field) == len(data) == field.length
    numbers = zoned.decode(matrix(data), 0, field, options)
    assert not numbers.invalid[0]
    assert to_python(numbers, 0) == value
    assert zoned.encode(numbers, field, options).tobytes() == data
    assert zoned.encode(from_values([value], field), field, options).tobytes() == data


def test_ebcdic_negative_amount_carries_d_zone_in_last_byte():
    assert_codec(zoned_field("S9(5)V99", 7, 2, signed=True), EBCDIC, bytes.fromhex("F1F2F3F4F5F6D7"),
                 Decimal("-12345.67"))


def test_ebcdic_positive_signed_amount_carries_c_zone():
    assert_codec(zoned_field("S9(5)V99", 7, 2, signed=True), EBCDIC, bytes.fromhex("F1F2F3F4F5F6C7"),
                 Decimal("12345.67"))


def test_ebcdic_unsigned_number_has_f_zones_only():
    assert_codec(zoned_field("9(8)", 8), EBCDIC, bytes.fromhex("F2F0F2F4F0F1F3F1"), 20240131)


def test_sign_leading_rides_in_the_first_byte():
    assert_codec(zoned_field("S9(3)", 3, signed=True, leading=True), EBCDIC, bytes.fromhex("D1F2F3"), -123)


def test_sign_leading_separate_is_a_plus_or_minus_byte_of_the_code_page():
    f = zoned_field("S9(5)", 5, signed=True, leading=True, separate=True)
    assert_codec(f, EBCDIC, bytes.fromhex("60F1F2F3F4F5"), -12345)
    assert_codec(f, EBCDIC, bytes.fromhex("4EF0F0F0F0F0"), 0)
    assert_codec(f, GNU, b"+12345", 12345)


def test_sign_trailing_separate_follows_the_digits():
    assert_codec(zoned_field("S9(3)V9", 4, 1, signed=True, separate=True), EBCDIC, bytes.fromhex("F1F2F3F460"),
                 Decimal("-123.4"))


def test_gnucobol_ascii_negative_is_p_to_y_in_last_digit():
    assert_codec(zoned_field("S9(5)V99", 7, 2, signed=True), GNU, b"123456w", Decimal("-12345.67"))
    assert_codec(zoned_field("S9(5)V99", 7, 2, signed=True), GNU, b"000000q", Decimal("-0.01"))
    assert_codec(zoned_field("S9(5)V99", 7, 2, signed=True), GNU, b"1234567", Decimal("12345.67"))


def test_ibm_dialect_writes_ascii_overpunch_braces_and_letters():
    f = zoned_field("S9(5)V99", 7, 2, signed=True)
    assert_codec(f, IBM_ASCII, b"123456P", Decimal("-12345.67"))
    assert_codec(f, IBM_ASCII, b"123456G", Decimal("12345.67"))
    assert_codec(f, IBM_ASCII, b"000000{", Decimal("0.00"))
    assert_codec(f, IBM_ASCII, b"123456}", Decimal("-12345.60"))


def test_ascii_decode_accepts_both_sign_conventions_whatever_the_dialect():
    f = zoned_field("S9(3)", 3, signed=True)
    for opts in (GNU, IBM_ASCII):
        n = zoned.decode(matrix(b"12y", b"12R", b"12I", b"12{", b"129"), 0, f, opts)
        assert [to_python(n, i) for i in range(5)] == [-129, -129, 129, 120, 129]


def test_spaces_low_values_and_letters_are_invalid_not_zero():
    f = zoned_field("S9(3)", 3, signed=True)
    n = zoned.decode(matrix(b"\x40\x40\x40", b"\x00\x00\x00", b"\xff\xff\xff", bytes.fromhex("F1C1F3")), 0, f, EBCDIC)
    assert n.invalid.tolist() == [True, True, True, True]
    assert n.values.tolist() == [0, 0, 0, 0]


def test_negative_sign_in_an_unsigned_field_is_invalid():
    n = zoned.decode(matrix(bytes.fromhex("F1F2D3"), bytes.fromhex("F1F2C3")), 0, zoned_field("9(3)", 3), EBCDIC)
    assert n.invalid.tolist() == [True, False]
    assert to_python(n, 1) == 123


def test_separate_sign_that_is_a_space_is_invalid():
    f = zoned_field("S9(3)", 3, signed=True, leading=True, separate=True)
    assert zoned.decode(matrix(bytes.fromhex("40F1F2F3")), 0, f, EBCDIC).invalid[0]


def test_blank_when_zero_spaces_read_as_a_valid_zero():
    f = zoned_field("9(3)V99", 5, 2, bwz=True)
    n = zoned.decode(matrix(b"\x40" * 5), 0, f, EBCDIC)
    assert not n.invalid[0] and to_python(n, 0) == Decimal("0.00")


def test_p_scaling_keeps_the_scale_of_the_layout():
    f = zoned_field("9(3)PPP", 3, -3)
    n = zoned.decode(matrix(bytes.fromhex("F1F2F3")), 0, f, EBCDIC)
    assert to_python(n, 0) == 123000
    g = zoned_field("PPP99", 2, 5)
    assert to_python(zoned.decode(matrix(bytes.fromhex("F4F2")), 0, g, EBCDIC), 0) == Decimal("0.00042")


def test_31_digit_values_decode_exactly():
    f = zoned_field("S9(29)V99", 31, 2, signed=True)
    digits = "1234567890123456789012345678901"
    data = bytes(0xF0 | int(c) for c in digits[:-1]) + bytes([0xD0 | int(digits[-1])])
    assert_codec(f, EBCDIC, data, Decimal("-" + digits[:-2] + "." + digits[-2:]))


def test_value_with_more_digits_than_the_picture_is_refused_naming_row_and_field():
    f = zoned_field("S9(3)", 3, signed=True)
    with pytest.raises(EncodeError, match=r"record 2, field REC.AMOUNT PIC S9\(3\): value 1234 has more than the 3 digits"):
        zoned.encode(from_values([1, 1234], f), f, EBCDIC)


def test_truncate_keeps_the_low_order_digits_like_move():
    f = zoned_field("S9(3)", 3, signed=True)
    assert zoned.encode(from_values([-1234], f), f, EBCDIC, truncate=True).tobytes() == bytes.fromhex("F2F3D4")


def test_negative_value_for_unsigned_field_is_refused():
    f = zoned_field("9(3)", 3)
    with pytest.raises(EncodeError, match="negative and the field is unsigned"):
        zoned.encode(from_values([-5], f), f, EBCDIC)


def test_negative_zero_is_written_positive():
    f = zoned_field("S9(3)", 3, signed=True)
    n = Numbers(np.array([0]), np.array([False]), 3, 0, "int")
    assert zoned.encode(n, f, EBCDIC).tobytes() == bytes.fromhex("F0F0C0")


def test_encode_into_writes_only_masked_rows_and_only_the_field_bytes():
    f = zoned_field("S9(3)", 3, signed=True).with_changes(offset=2)
    m = np.full((3, 7), 0xAA, np.uint8)
    zoned.encode_into(m, 2, from_values([1, None, -3], f), f, EBCDIC, mask=np.array([True, False, True]))
    assert m[0].tobytes() == bytes.fromhex("AAAAF0F0C1AAAA")
    assert m[1].tobytes() == b"\xaa" * 7
    assert m[2].tobytes() == bytes.fromhex("AAAAF0F0D3AAAA")


# ---- properties --------------------------------------------------------------------------
layouts = st.tuples(
    st.integers(1, 38),                      # digits
    st.integers(-3, 6),                      # scale
    st.booleans(),                           # signed
    st.booleans(),                           # leading
    st.booleans(),                           # separate
    st.sampled_from([EBCDIC, GNU, IBM_ASCII, CodecOptions(codepage="cp1141"), CodecOptions(codepage="cp1047")]),
)


@settings(max_examples=150, deadline=None)
@given(layouts, st.data())
def test_encoded_values_decode_to_themselves(layout, data):
    digits, scale, signed, leading, separate, opts = layout
    f = zoned_field("S9", digits, scale, signed=signed, leading=leading and signed, separate=separate and signed)
    top = 10**digits - 1
    ints = data.draw(st.lists(st.integers(-top if signed else 0, top), min_size=1, max_size=5))
    numbers = from_values([Decimal(v).scaleb(-scale, context=WIDE) for v in ints], f)
    back = zoned.decode(zoned.encode(numbers, f, opts), 0, f, opts)
    assert not back.invalid.any()
    assert [to_python(back, i) for i in range(len(ints))] == [to_python(numbers, i) for i in range(len(ints))]


def _canonical_ebcdic(data: bytes, signed: bool) -> bool:
    *body, last = data
    if any(b >> 4 != 0xF or b & 0xF > 9 for b in body) or last & 0xF > 9:
        return False
    zero = all(b & 0xF == 0 for b in data)
    return (last >> 4 in (0xC, 0xD) and not (zero and last >> 4 == 0xD)) if signed else last >> 4 == 0xF


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 20), st.booleans(),
       st.lists(st.sampled_from([0xF0, 0xF5, 0xF9, 0xC3, 0xD7, 0xD0, 0xA1, 0xB2, 0x40, 0x00, 0xFF, 0xFA, 0xC1]),
                min_size=20, max_size=20))
def test_any_bytes_decode_to_a_value_or_invalid_and_canonical_ones_encode_back(digits, signed, pool):
    f = zoned_field("S9", digits, signed=signed)
    raw = bytes(pool[:digits])
    n = zoned.decode(matrix(raw), 0, f, EBCDIC)
    if n.invalid[0]:
        assert n.values[0] == 0 if n.values.ndim == 1 else not n.values[0].any()
        return
    again = zoned.encode(n, f, EBCDIC).tobytes()
    assert to_python(zoned.decode(matrix(again), 0, f, EBCDIC), 0) == to_python(n, 0)
    assert (again == raw) == _canonical_ebcdic(raw, signed)


def test_an_unsigned_ascii_zoned_field_with_a_letter_in_its_last_byte_is_invalid():
    import numpy as np

    from bridge.codec import zoned
    from bridge.codec.options import CodecOptions
    from bridge.copybook import compile_copybook

    field = compile_copybook("       01 R.\n          05 N PIC 9(3).\n").record().field("N")
    matrix = np.frombuffer(b"12A123", np.uint8).reshape(2, 3).copy()
    numbers = zoned.decode(matrix, 0, field, CodecOptions(codepage="ascii"))
    assert numbers.invalid.tolist() == [True, False]
    assert int(numbers.values[1]) == 123


# ---- targeted vectors (hand-derived bytes): each kernel, each sign position --------------------
KERNELS = [3, 20, 40]  # int64, 128-bit and 256-bit kernels


def ebcdic_digits(text: str) -> bytes:
    return bytes(0xF0 | int(c) for c in text)


@pytest.mark.parametrize("digits", KERNELS)
def test_blank_when_zero_looks_at_the_field_bytes_only_not_the_byte_before_it(digits):
    f = zoned_field("9", digits, bwz=True).with_changes(offset=1)
    spaces = b"\x40" * digits
    n = zoned.decode(matrix(b"\xC1" + spaces + b"\xC1", b"\xC1" + spaces[1:] + b"\x00\xC1",
                            b"\xC1\x00" + spaces[1:] + b"\xC1"), 1, f, EBCDIC)
    assert n.invalid.tolist() == [False, True, True]
    assert to_python(n, 0) == 0


@pytest.mark.parametrize("offset", [1, 2])
@pytest.mark.parametrize("digits", KERNELS)
def test_blank_when_zero_with_a_leading_separate_sign_covers_the_sign_byte_too(digits, offset):
    f = zoned_field("S9", digits, signed=True, leading=True, separate=True, bwz=True).with_changes(offset=offset)
    spaces = b"\x40" * digits
    lead = b"\xC1" * offset
    n = zoned.decode(matrix(lead + b"\x40" + spaces, lead + b"\x60" + spaces, lead + b"\x4E" + spaces), offset, f,
                     EBCDIC)
    assert n.invalid.tolist() == [False, True, True]
    assert to_python(n, 0) == 0


@pytest.mark.parametrize("digits", KERNELS)
def test_blank_when_zero_with_a_trailing_separate_sign_covers_the_sign_byte_too(digits):
    f = zoned_field("S9", digits, signed=True, separate=True, bwz=True)
    spaces = b"\x40" * digits
    n = zoned.decode(matrix(spaces + b"\x40", spaces + b"\x60"), 0, f, EBCDIC)
    assert n.invalid.tolist() == [False, True]


@pytest.mark.parametrize("digits", KERNELS)
def test_a_separate_sign_byte_that_is_neither_plus_nor_minus_is_invalid_in_every_kernel(digits):
    f = zoned_field("S9", digits, signed=True, separate=True)
    body = ebcdic_digits("1" * digits)
    n = zoned.decode(matrix(body + b"\x4E", body + b"\x60", body + b"\xF1", body + b"\x40"), 0, f, EBCDIC)
    assert n.invalid.tolist() == [False, False, True, True]
    assert [to_python(n, 0), to_python(n, 1)] == [int("1" * digits), -int("1" * digits)]


@pytest.mark.parametrize("digits", KERNELS)
def test_a_leading_separate_sign_at_offset_zero_is_read_and_written_in_every_kernel(digits):
    f = zoned_field("S9", digits, signed=True, leading=True, separate=True)
    data = b"\x60" + ebcdic_digits("0" * (digits - 1) + "5")
    assert_codec(f, EBCDIC, data, -5)
    assert_codec(f, EBCDIC, b"\x4E" + ebcdic_digits("0" * (digits - 1) + "5"), 5)


@pytest.mark.parametrize("digits", KERNELS)
def test_a_trailing_separate_sign_is_written_after_the_digits_in_every_kernel(digits):
    f = zoned_field("S9", digits, signed=True, separate=True)
    assert_codec(f, EBCDIC, ebcdic_digits("0" * (digits - 2) + "42") + b"\x60", -42)
    assert_codec(f, GNU, b"0" * (digits - 2) + b"42+", 42)


@pytest.mark.parametrize("digits", KERNELS)
def test_a_leading_overpunch_rides_in_the_zone_of_the_first_digit_in_every_kernel(digits):
    f = zoned_field("S9", digits, signed=True, leading=True)
    assert_codec(f, EBCDIC, bytes([0xD0]) + ebcdic_digits("0" * (digits - 3) + "75"), -75)
    assert_codec(f, EBCDIC, bytes([0xC9]) + ebcdic_digits("9" * (digits - 1)), 10**digits - 1)


@pytest.mark.parametrize("digits", KERNELS)
def test_a_negative_zone_in_the_middle_of_the_digits_is_invalid_in_every_kernel(digits):
    f = zoned_field("S9", digits, signed=True)
    good = ebcdic_digits("1" * digits)
    n = zoned.decode(matrix(good, b"\xD1" + good[1:], good[:1] + b"\xC1" + good[2:], good[:-1] + b"\xD1"),
                     0, f, EBCDIC)
    assert n.invalid.tolist() == [False, True, True, False]
    assert to_python(n, 3) == -int("1" * digits)


@pytest.mark.parametrize("digits", KERNELS)
def test_a_negative_zone_in_an_unsigned_field_is_invalid_in_every_kernel(digits):
    f = zoned_field("9", digits)
    good = ebcdic_digits("2" * digits)
    n = zoned.decode(matrix(good, good[:-1] + b"\xD2", good[:-1] + b"\xC2", good[:-1] + b"\xB2"), 0, f, EBCDIC)
    assert n.invalid.tolist() == [False, True, False, True]
    assert not np.asarray(n.values[1]).any() and to_python(n, 2) == int("2" * digits)


@pytest.mark.parametrize("digits", KERNELS)
def test_a_field_is_read_at_its_offset_in_every_kernel(digits):
    f = zoned_field("S9", digits, signed=True)
    body = ebcdic_digits("1234567890" * 4)[:digits - 1] + b"\xD9"
    n = zoned.decode(matrix(b"\x00\x00" + body + b"\x00"), 2, f, EBCDIC)
    assert to_python(n, 0) == -int(("1234567890" * 4)[:digits - 1] + "9")


@pytest.mark.parametrize("digits", KERNELS)
def test_a_negative_value_truncated_to_zero_is_written_as_positive_zero(digits):
    f = zoned_field("S9", digits, signed=True)
    assert zoned.encode(from_values([-(10**digits)], f), f, EBCDIC, truncate=True).tobytes() == \
        ebcdic_digits("0" * (digits - 1)) + b"\xC0"
    g = zoned_field("S9", digits, signed=True, separate=True)
    assert zoned.encode(from_values([-(10**digits)], g), g, EBCDIC, truncate=True).tobytes() == \
        ebcdic_digits("0" * digits) + b"\x4E"


@pytest.mark.parametrize("digits", KERNELS)
def test_truncate_writes_a_negative_value_into_an_unsigned_field_as_its_low_digits(digits):
    f = zoned_field("9", digits)
    got = zoned.encode(from_values([-(10**digits) - 7], f), f, EBCDIC, truncate=True).tobytes()
    assert got == ebcdic_digits("0" * (digits - 1) + "7")


def test_unsigned_fields_are_written_with_plain_digits_in_every_ascii_dialect():
    f = zoned_field("9(3)", 3)
    assert zoned.encode(from_values([120], f), f, IBM_ASCII).tobytes() == b"120"
    assert zoned.encode(from_values([120], f), f, GNU).tobytes() == b"120"


def test_every_ascii_overpunch_letter_reads_its_digit_and_sign():
    f = zoned_field("S9(2)", 2, signed=True)
    letters = "{ABCDEFGHI}JKLMNOPQR"
    n = zoned.decode(matrix(*(b"1" + c.encode() for c in letters)), 0, f, IBM_ASCII)
    assert [to_python(n, i) for i in range(20)] == [10 + d for d in range(10)] + [-(10 + d) for d in range(10)]
    gnu = zoned.decode(matrix(*(b"1" + bytes([0x70 + d]) for d in range(10))), 0, f, GNU)
    assert [to_python(gnu, i) for i in range(10)] == [-(10 + d) for d in range(10)]


def test_ascii_letters_beyond_the_overpunch_are_invalid():
    f = zoned_field("S9(2)", 2, signed=True)
    n = zoned.decode(matrix(b"1S", b"1@", b"1Z", b"1z", b"1\x7a", b"1 "), 0, f, IBM_ASCII)
    assert n.invalid.all()


@pytest.mark.parametrize("digits", KERNELS)
def test_encode_into_writes_a_separate_sign_at_the_fields_offset(digits):
    f = zoned_field("S9", digits, signed=True, leading=True, separate=True).with_changes(offset=1)
    m = np.full((2, digits + 3), 0xAA, np.uint8)
    zoned.encode_into(m, 1, from_values([-3, 4], f), f, EBCDIC)
    tail = ebcdic_digits("0" * (digits - 1))
    assert m[0].tobytes() == b"\xAA\x60" + tail + b"\xF3\xAA"
    assert m[1].tobytes() == b"\xAA\x4E" + tail + b"\xF4\xAA"


def test_a_code_page_without_single_byte_digits_is_refused_naming_the_option():
    from bridge.errors import BridgeError

    with pytest.raises(BridgeError, match="--codepage"):
        zoned.charset("utf-16")


@pytest.mark.parametrize("digits", KERNELS)
def test_a_sign_zone_on_a_digit_of_a_separately_signed_field_is_invalid(digits):
    for leading in (True, False):
        f = zoned_field("S9", digits, signed=True, leading=leading, separate=True)
        body = ebcdic_digits("1" * digits)
        zoned_first, zoned_last = b"\xC1" + body[1:], body[:-1] + b"\xD1"
        rows = [b"\x4E" + r if leading else r + b"\x4E" for r in (body, zoned_first, zoned_last)]
        n = zoned.decode(matrix(*rows), 0, f, EBCDIC)
        assert n.invalid.tolist() == [False, True, True], leading


def test_a_refused_patch_leaves_the_records_untouched_and_truncate_patches_the_low_digits():
    f = zoned_field("S9(3)", 3, signed=True)
    m = np.full((2, 3), 0x40, np.uint8)
    with pytest.raises(EncodeError, match="record 2"):
        zoned.encode_into(m, 0, from_values([1, 1000], f), f, EBCDIC)
    assert (m == 0x40).all()
    zoned.encode_into(m, 0, from_values([1, -1234], f), f, EBCDIC, truncate=True)
    assert m.tobytes() == bytes.fromhex("F0F0C1" "F2F3D4")


def test_a_code_pages_charset_is_shared_and_cannot_be_changed():
    import dataclasses

    cs = zoned.charset("cp037")
    assert cs is zoned.charset("cp037") and (cs.space, cs.byte("0"), cs.ascii_digits) == (0x40, 0xF0, False)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cs.ascii_digits = True
