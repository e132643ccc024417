"""Packed decimal: sign nibbles, pad nibble, invalid bytes, exact wide values."""
from __future__ import annotations

from decimal import Context, Decimal

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from bridge.codec import packed
from bridge.codec.numeric import from_values, to_python
from bridge.codec.options import CodecOptions
from bridge.errors import EncodeError
from bridge.layout.model import Field, Kind

OPTS = CodecOptions()
WIDE = Context(prec=60)


def packed_field(picture: str, digits: int, scale: int = 0, *, signed: bool = True) -> Field:
    return Field(name="BALANCE", path=("REC", "BALANCE"), level=5, offset=0, length=digits // 2 + 1,
                 kind=Kind.PACKED, picture=picture, usage="COMP-3", digits=digits, scale=scale, signed=signed)


def matrix(*rows: bytes) -> np.ndarray:
    return np.array([list(r) for r in rows], np.uint8)


def assert_codec(field: Field, data: bytes, value) -> None:
    """Decode gives the value, encode gives the bytes back, and the length is the field's."""
    assert packed.length(field) == len(data) == field.length
    numbers = packed.decode(matrix(data), 0, field, OPTS)
    assert not numbers.invalid[0]
    assert to_python(numbers, 0) == value
    assert packed.encode(numbers, field, OPTS).tobytes() == data
    assert packed.encode(from_values([value], field), field, OPTS).tobytes() == data


def test_positive_amount_ends_in_sign_nibble_c():
    assert_codec(packed_field("S9(7)V99", 9, 2), bytes.fromhex("123456789C"), Decimal("1234567.89"))


def test_negative_amount_ends_in_sign_nibble_d():
    assert_codec(packed_field("S9(7)V99", 9, 2), bytes.fromhex("123456789D"), Decimal("-1234567.89"))


def test_zero_is_written_with_a_positive_sign():
    assert_codec(packed_field("S9(7)V99", 9, 2), bytes.fromhex("000000000C"), Decimal("0.00"))


def test_unsigned_field_uses_sign_nibble_f():
    assert_codec(packed_field("9(3)", 3, signed=False), bytes.fromhex("123F"), 123)


def test_even_digit_count_has_a_leading_zero_pad_nibble():
    assert_codec(packed_field("9(4)", 4, signed=False), bytes.fromhex("01234F"), 1234)


def test_every_ibm_sign_nibble_is_accepted_on_decode():
    f = packed_field("S9(3)", 3)
    n = packed.decode(matrix(*(bytes([0x12, 0x30 | s]) for s in (0xA, 0xB, 0xC, 0xD, 0xE, 0xF))), 0, f, OPTS)
    assert [to_python(n, i) for i in range(6)] == [123, -123, 123, -123, 123, 123]


def test_spaces_low_values_and_bad_nibbles_are_invalid():
    f = packed_field("S9(3)", 3)
    n = packed.decode(matrix(b"\x40\x40", b"\x00\x00", b"\xff\xff", bytes.fromhex("1A3C"), bytes.fromhex("1234")),
                      0, f, OPTS)
    assert n.invalid.all()
    assert not n.values.any()


def test_non_zero_pad_nibble_is_invalid():
    assert packed.decode(matrix(bytes.fromhex("11234C")), 0, packed_field("S9(4)", 4), OPTS).invalid[0]


def test_negative_sign_in_unsigned_field_is_invalid():
    assert packed.decode(matrix(bytes.fromhex("123D")), 0, packed_field("9(3)", 3, signed=False), OPTS).invalid[0]


def test_31_digit_packed_value_is_exact():
    f = packed_field("S9(29)V99", 31, 2)
    assert_codec(f, bytes.fromhex("1234567890123456789012345678901D"), Decimal("-12345678901234567890123456789.01"))


def test_38_digit_extremes_are_exact():
    f = packed_field("S9(38)", 38)
    assert_codec(f, bytes.fromhex("0" + "9" * 38 + "D"), -(10**38 - 1))
    assert_codec(f, bytes.fromhex("0" + "9" * 38 + "C"), 10**38 - 1)


def test_value_too_long_for_the_picture_is_refused():
    f = packed_field("S9(3)V99", 5, 2)
    with pytest.raises(EncodeError, match=r"record 1, field REC.BALANCE PIC S9\(3\)V99: value 1000.00 has more than"):
        packed.encode(from_values(["1000"], f), f, OPTS)


def test_more_decimal_places_than_the_scale_is_refused_unless_rounding():
    f = packed_field("S9(3)V99", 5, 2)
    with pytest.raises(EncodeError, match="more than 2 decimal places"):
        from_values(["1.005"], f)
    assert packed.encode(from_values(["1.005"], f, rounding="half-up"), f, OPTS).tobytes() == bytes.fromhex("00101C")


def test_encode_into_patches_masked_rows_only():
    f = packed_field("S9(3)", 3).with_changes(offset=1)
    m = np.full((2, 4), 0x40, np.uint8)
    packed.encode_into(m, 1, from_values([-7, 8], f), f, OPTS, mask=np.array([False, True]))
    assert m.tobytes() == bytes.fromhex("40404040" "40008C40")


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 38), st.integers(-2, 5), st.booleans(), st.data())
def test_encoded_values_decode_to_themselves(digits, scale, signed, data):
    f = packed_field("S9", digits, scale, signed=signed)
    top = 10**digits - 1
    ints = data.draw(st.lists(st.integers(-top if signed else 0, top), min_size=1, max_size=5))
    numbers = from_values([Decimal(v).scaleb(-scale, context=WIDE) for v in ints], f)
    back = packed.decode(packed.encode(numbers, f, OPTS), 0, f, OPTS)
    assert not back.invalid.any()
    assert [to_python(back, i) for i in range(len(ints))] == [to_python(numbers, i) for i in range(len(ints))]


def _canonical(data: bytes, digits: int, signed: bool) -> bool:
    nibbles = data.hex().upper()
    body, sign = nibbles[:-1], nibbles[-1]
    if not body.isdigit() or (len(body) > digits and body[0] != "0"):
        return False
    if not signed:
        return sign == "F"
    return sign == "C" or (sign == "D" and int(body) != 0)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 25), st.booleans(), st.binary(min_size=13, max_size=13),
       st.lists(st.sampled_from([0x00, 0x12, 0x99, 0x40, 0xFF, 0x5C, 0x0D, 0x7F, 0x3A]), min_size=13, max_size=13))
def test_any_bytes_decode_to_a_value_or_invalid_and_canonical_ones_encode_back(digits, signed, noise, pool):
    f = packed_field("S9", digits, signed=signed)
    raw = bytes(p if k % 3 else noise[k] for k, p in enumerate(pool))[:f.length]
    n = packed.decode(matrix(raw), 0, f, OPTS)
    if n.invalid[0]:
        assert not n.values.any()
        return
    again = packed.encode(n, f, OPTS).tobytes()
    assert to_python(packed.decode(matrix(again), 0, f, OPTS), 0) == to_python(n, 0)
    assert (again == raw) == _canonical(raw, digits, signed)


def test_refused_patch_leaves_the_records_untouched():
    f = packed_field("S9(3)", 3)
    m = np.full((2, 2), 0x40, np.uint8)
    with pytest.raises(EncodeError, match="record 2"):
        packed.encode_into(m, 0, from_values([1, 1000], f), f, OPTS)
    assert (m == 0x40).all()


# ---- targeted vectors (hand-derived nibbles): each kernel, odd and even digit counts ------------
KERNELS = [3, 4, 19, 20, 39, 40]  # int64, 128-bit and 256-bit kernels, without and with a pad nibble


def nibbles(digits: int, body: str, sign: str) -> bytes:
    """``body`` right-aligned in the field's digit nibbles (pad nibble 0 when ``digits`` is even)."""
    return bytes.fromhex(body.rjust(2 * (digits // 2) + 1, "0") + sign)


@pytest.mark.parametrize("digits", KERNELS)
def test_each_sign_nibble_reads_as_ibm_says_in_every_kernel(digits):
    f = packed_field("S9", digits)
    n = packed.decode(matrix(*(nibbles(digits, "7", s) for s in "ABCDEF0912")), 0, f, OPTS)
    assert [to_python(n, i) for i in range(10)] == [7, -7, 7, -7, 7, 7, None, None, None, None]


@pytest.mark.parametrize("digits", KERNELS)
def test_a_negative_sign_in_an_unsigned_field_is_invalid_in_every_kernel(digits):
    f = packed_field("9", digits, signed=False)
    n = packed.decode(matrix(*(nibbles(digits, "7", s) for s in "ABCDEF")), 0, f, OPTS)
    assert [to_python(n, i) for i in range(6)] == [7, None, 7, None, 7, 7]
    assert not np.asarray(n.values[1]).any() and not np.asarray(n.values[3]).any()


@pytest.mark.parametrize("digits", KERNELS)
def test_a_digit_nibble_above_nine_is_invalid_wherever_it_is(digits):
    f = packed_field("S9", digits)
    good = nibbles(digits, "1" * digits, "C")
    rows = [good] + [good[:k] + bytes([good[k] | 0x0A]) + good[k + 1:] for k in range(len(good) - 1)]
    rows.append(good[:-1] + bytes([0xAC]))
    n = packed.decode(matrix(*rows), 0, f, OPTS)
    assert n.invalid.tolist() == [False] + [True] * len(good)
    assert to_python(n, 0) == int("1" * digits)


@pytest.mark.parametrize("digits", [4, 20, 40])
def test_a_pad_nibble_other_than_zero_is_invalid_in_every_kernel(digits):
    f = packed_field("S9", digits)
    good = nibbles(digits, "9" * digits, "D")
    n = packed.decode(matrix(good, bytes([0x10 | good[0]]) + good[1:], bytes([0xF0 | good[0]]) + good[1:]),
                      0, f, OPTS)
    assert n.invalid.tolist() == [False, True, True]
    assert to_python(n, 0) == -int("9" * digits)


@pytest.mark.parametrize("digits", [3, 19, 39])
def test_an_odd_digit_count_has_no_pad_nibble_to_check(digits):
    f = packed_field("S9", digits)
    assert_codec(f, nibbles(digits, "9" * digits, "C"), int("9" * digits))


@pytest.mark.parametrize("digits", KERNELS)
def test_a_field_is_read_at_its_offset_in_every_kernel(digits):
    f = packed_field("S9", digits)
    body = ("1234567890" * 4)[:digits]
    n = packed.decode(matrix(b"\x00\x00" + nibbles(digits, body, "D") + b"\xFF"), 2, f, OPTS)
    assert to_python(n, 0) == -int(body)


@pytest.mark.parametrize("digits", KERNELS)
def test_values_are_written_with_pad_digits_and_sign_nibbles_in_every_kernel(digits):
    body = ("1234567890" * 4)[:digits]
    assert_codec(packed_field("S9", digits), nibbles(digits, body, "D"), -int(body))
    assert_codec(packed_field("S9", digits), nibbles(digits, body, "C"), int(body))
    assert_codec(packed_field("9", digits, signed=False), nibbles(digits, body, "F"), int(body))
    assert_codec(packed_field("S9", digits), nibbles(digits, "5", "D"), -5)


@pytest.mark.parametrize("digits", KERNELS)
def test_a_negative_value_truncated_to_zero_is_written_as_positive_zero(digits):
    f = packed_field("S9", digits)
    got = packed.encode(from_values([-(10**digits)], f), f, OPTS, truncate=True).tobytes()
    assert got == nibbles(digits, "0", "C")


@pytest.mark.parametrize("digits", KERNELS)
def test_truncate_writes_a_negative_value_into_an_unsigned_field_as_its_low_digits(digits):
    f = packed_field("9", digits, signed=False)
    got = packed.encode(from_values([-(10**digits) - 7], f), f, OPTS, truncate=True).tobytes()
    assert got == nibbles(digits, "7", "F")


@pytest.mark.parametrize("digits", KERNELS)
def test_a_negative_value_for_an_unsigned_field_is_refused_in_every_kernel(digits):
    f = packed_field("9", digits, signed=False)
    with pytest.raises(EncodeError, match="record 2, .*negative and the field is unsigned"):
        packed.encode(from_values([1, -1], f), f, OPTS)


def test_encode_into_writes_unsigned_and_every_row_without_a_mask():
    f = packed_field("9(4)", 4, signed=False).with_changes(offset=1)
    m = np.full((2, 5), 0x40, np.uint8)
    packed.encode_into(m, 1, from_values([1234, 5], f), f, OPTS)
    assert m.tobytes() == bytes.fromhex("4001234F40" "4000005F40")


def test_encode_into_with_truncate_keeps_the_low_order_digits_in_place():
    f = packed_field("S9(3)", 3)
    m = np.full((1, 2), 0x40, np.uint8)
    packed.encode_into(m, 0, from_values([-12345], f), f, OPTS, truncate=True)
    assert m.tobytes() == bytes.fromhex("345D")


@pytest.mark.parametrize("digits", [4, 20, 40])
def test_a_pad_nibble_of_one_over_zero_digits_is_invalid_not_a_bigger_number_issue_8(digits):
    # 10 00 0C in S9(4) COMP-3: the pad byte is exactly x'10'
    f = packed_field("S9", digits)
    data = bytes([0x10]) + bytes(f.length - 2) + b"\x0C"
    n = packed.decode(matrix(data, bytes(f.length - 1) + b"\x0C"), 0, f, OPTS)
    assert n.invalid.tolist() == [True, False]
    assert to_python(n, 1) == 0
