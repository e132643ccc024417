"""Every decimal codec at and past its digit limit: exact values, or a refusal naming the item.

The bytes here are built from Python integers by hand-written stdlib code (an oracle that
shares nothing with the codecs): zoned as EBCDIC ``F0``-``F9`` with the sign zone on the last
byte, packed as nibbles with the sign nibble last, binary as ``int.to_bytes``. The limits: 18
digits fit int64, 38 decimal128, 76 decimal256; beyond 76 digits no Arrow decimal holds a value
exactly, so the item is refused (issue 8).
"""
from __future__ import annotations

from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings, strategies as st

from bridge.codec import packed, zoned
from bridge.codec.column import arrow_type, decode_column, encode_column_into
from bridge.codec.numeric import MAX_DIGITS, from_values, to_arrow, to_python
from bridge.codec.options import CodecOptions
from bridge.errors import EncodeError, LayoutError
from bridge.layout.model import Field, Kind

EBCDIC = CodecOptions()
LIMITS = [1, 17, 18, 19, 20, 37, 38, 39, 40, 41, 75, 76]


def number_field(kind: Kind, digits: int, scale: int = 0, *, signed: bool = True) -> Field:
    length = digits if kind is Kind.ZONED else digits // 2 + 1
    pic = f"{'S' if signed else ''}9({digits - scale})" + (f"V9({scale})" if scale else "")
    return Field(name="AMT", path=("REC", "AMT"), level=5, offset=0, length=length, kind=kind,
                 picture=pic, usage="DISPLAY" if kind is Kind.ZONED else "COMP-3",
                 digits=digits, scale=scale, signed=signed)


def zoned_bytes(v: int, digits: int, signed: bool) -> bytes:
    text = str(abs(v)).rjust(digits, "0")
    body = bytes(0xF0 + int(c) for c in text)
    zone = (0xD0 if v < 0 else 0xC0) if signed else 0xF0
    return body[:-1] + bytes([zone | (body[-1] & 0x0F)])


def packed_bytes(v: int, digits: int, signed: bool) -> bytes:
    nibbles = str(abs(v)).rjust(2 * (digits // 2) + 1, "0")
    sign = "D" if v < 0 else "C" if signed else "F"
    return bytes.fromhex(nibbles + sign)


def oracle_bytes(kind: Kind, v: int, digits: int, signed: bool) -> bytes:
    return zoned_bytes(v, digits, signed) if kind is Kind.ZONED else packed_bytes(v, digits, signed)


def codec_of(kind: Kind):
    return zoned if kind is Kind.ZONED else packed


def rows(*data: bytes) -> np.ndarray:
    return np.array([list(r) for r in data], np.uint8)


@pytest.mark.parametrize("kind", [Kind.ZONED, Kind.PACKED])
@pytest.mark.parametrize("digits", LIMITS)
def test_largest_smallest_and_all_ones_values_decode_exactly_at_every_limb_boundary(kind, digits):
    field = number_field(kind, digits)
    values = [10**digits - 1, -(10**digits - 1), int("1" * digits), -int("1" * digits), 0, 1, -1]
    data = rows(*(oracle_bytes(kind, v, digits, True) for v in values))
    column = decode_column(data, 0, field, EBCDIC)
    assert column.array.to_pylist() == values
    assert not column.invalid.any()


@pytest.mark.parametrize("kind", [Kind.ZONED, Kind.PACKED])
@pytest.mark.parametrize("digits", LIMITS)
def test_the_same_values_encode_to_the_oracle_bytes(kind, digits):
    field = number_field(kind, digits)
    values = [10**digits - 1, -(10**digits - 1), int("1" * digits), 0]
    out = np.zeros((len(values), field.length), np.uint8)
    encode_column_into(out, 0, field, values, EBCDIC)
    assert [bytes(r) for r in out] == [oracle_bytes(kind, v, digits, True) for v in values]


def test_forty_ones_in_pic_9_40_decode_to_forty_ones_issue_8():
    field = number_field(Kind.ZONED, 40, signed=False)
    assert decode_column(rows(b"\xF1" * 40), 0, field, EBCDIC).array.to_pylist() == [int("1" * 40)]


def test_a_positive_41_digit_packed_value_stays_positive_issue_8():
    field = number_field(Kind.PACKED, 41)
    v = 10**41 - 1
    assert decode_column(rows(packed_bytes(v, 41, True)), 0, field, EBCDIC).array.to_pylist() == [v]


@pytest.mark.parametrize("digits,expected", [(18, pa.int64()), (19, pa.decimal128(19, 0)),
                                             (38, pa.decimal128(38, 0)), (39, pa.decimal256(39, 0)),
                                             (76, pa.decimal256(76, 0))])
def test_the_arrow_type_follows_the_digits_not_the_data(digits, expected):
    assert arrow_type(number_field(Kind.PACKED, digits)) == expected


def test_a_76_digit_decimal_with_a_scale_keeps_every_digit():
    field = number_field(Kind.ZONED, 76, 30)
    v = -(10**76 - 1)
    got = decode_column(rows(zoned_bytes(v, 76, True)), 0, field, EBCDIC).array
    assert got.type == pa.decimal256(76, 30)
    assert got.to_pylist() == [Decimal(f"{v}E-30")]


@pytest.mark.parametrize("kind", [Kind.ZONED, Kind.PACKED])
def test_a_number_of_77_digits_is_refused_with_the_item_and_the_limit(kind):
    field = number_field(kind, 77)
    with pytest.raises(LayoutError, match=r"REC.AMT PIC S9\(77\): a number of 77 digits is beyond the 76 digits"):
        codec_of(kind).decode(rows(bytes(field.length)), 0, field, EBCDIC)


def test_p_scaling_that_takes_a_number_past_76_digits_is_refused():
    field = number_field(Kind.ZONED, 70).with_changes(scale=-10, picture="S9(70)P(10)")
    with pytest.raises(LayoutError, match="80 digits"):
        zoned.decode(rows(bytes(70)), 0, field, EBCDIC)


@pytest.mark.parametrize("kind", [Kind.ZONED, Kind.PACKED])
@pytest.mark.parametrize("digits", [18, 38, 76])
def test_one_more_digit_than_the_picture_is_refused_on_encode(kind, digits):
    field = number_field(kind, digits)
    why = "needs more than 76 digits" if digits == 76 else f"has more than the {digits} digits of the PICTURE"
    with pytest.raises(EncodeError, match=why):
        codec_of(kind).encode(from_values([10**digits], field), field, EBCDIC)


def test_a_value_beyond_76_digits_is_refused_before_any_picture_check():
    field = number_field(Kind.PACKED, 76)
    with pytest.raises(EncodeError, match="needs more than 76 digits"):
        from_values([str(10**77)], field)


def test_decimal256_input_is_written_exactly():
    field = number_field(Kind.PACKED, 60, 10)
    v = Decimal("-12345678901234567890123456789012345678901234567890.1234567890")
    arr = pa.array([v], pa.decimal256(60, 10))
    numbers = from_values(arr, field)
    assert packed.encode(numbers, field, EBCDIC).tobytes() == packed_bytes(int(str(v).replace(".", "")), 60, True)


def test_decimal128_input_is_rescaled_into_a_wider_field_exactly():
    field = number_field(Kind.ZONED, 50, 12)
    arr = pa.array([Decimal("12345678901234567890123456.78")], pa.decimal128(28, 2))
    numbers = from_values(arr, field)
    assert to_python(numbers, 0) == Decimal("12345678901234567890123456.780000000000")
    assert zoned.encode(numbers, field, EBCDIC).tobytes() == zoned_bytes(1234567890123456789012345678 * 10**10, 50, True)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(LIMITS), st.sampled_from([Kind.ZONED, Kind.PACKED]), st.booleans(), st.data())
def test_any_value_within_the_picture_matches_the_oracle_both_ways(digits, kind, signed, data):
    v = data.draw(st.integers(-(10**digits - 1) if signed else 0, 10**digits - 1))
    field = number_field(kind, digits, signed=signed)
    raw = oracle_bytes(kind, v, digits, signed)
    numbers = codec_of(kind).decode(rows(raw), 0, field, EBCDIC)
    assert to_python(numbers, 0) == v
    assert to_arrow(numbers).to_pylist() == [v]
    assert codec_of(kind).encode(from_values([v], field), field, EBCDIC).tobytes() == raw


def test_max_digits_is_76():
    assert MAX_DIGITS == 76


def edited_field(mask: str, scale: int) -> Field:
    return Field(name="AMT", path=("REC", "AMT"), level=5, offset=0, length=len(mask), kind=Kind.NUMERIC_EDITED,
                 picture=mask, edit_mask=mask, digits=sum(c in "9Z" for c in mask), scale=scale, signed=True,
                 display_length=len(mask))


@pytest.mark.parametrize("digits", [18, 19, 38, 39, 76])
def test_numeric_edited_values_at_every_limb_boundary_read_as_printed(digits):
    from bridge.codec import edited

    field = edited_field("-" + "Z" * (digits - 3) + "9.99", 2)
    values = [10**digits - 1, -(10**digits - 1), int("1" * digits), -1, 0]
    printed = []
    for v in values:   # the oracle: COBOL's editing of the value, written out by hand
        text = f"{abs(v) // 100}.{abs(v) % 100:02d}"
        printed.append(("-" if v < 0 else " ") + text.rjust(digits + 1))
    data = rows(*(p.encode("cp037") for p in printed))
    got = edited.decode(data, 0, field, EBCDIC)
    assert [to_python(got, i) for i in range(len(values))] == [Decimal(f"{v}E-2") for v in values]
    assert [bytes(r).decode("cp037") for r in edited.encode(from_values([f"{v}E-2" for v in values], field),
                                                          field, EBCDIC)] == printed


def test_a_numeric_edited_picture_of_77_digits_is_refused():
    from bridge.codec import edited

    field = edited_field("-" + "9" * 77, 0)
    with pytest.raises(LayoutError, match="77 digits is beyond the 76 digits"):
        edited.decode(rows(b"\x40" * 78), 0, field, EBCDIC)


@pytest.mark.parametrize("digits", [18, 40])
@pytest.mark.parametrize("suffix", ["CR", "DB"])
def test_numeric_edited_cr_and_db_suffixes_read_negative_and_two_signs_are_invalid(digits, suffix):
    from bridge.codec import edited

    field = edited_field("Z" * (digits - 3) + "9.99" + suffix, 2)
    width = digits + 3
    printed = [("1" * (digits - 2) + ".25" + suffix),                 # negative: the suffix printed
               ("1" * (digits - 2) + ".25  "),                        # positive: the suffix blank
               ("1" * (digits - 3) + "-.25" + suffix)]                # a minus and CR/DB: two signs
    data = rows(*(p.rjust(width).encode("cp037") for p in printed))
    got = edited.decode(data, 0, field, EBCDIC)
    whole = Decimal("1" * (digits - 2) + ".25")
    assert [to_python(got, i) for i in range(3)] == [whole.copy_negate(), whole, None]
