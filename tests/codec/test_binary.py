"""Binary integers: big/little endian, signed/unsigned, TRUNC(BIN) decode, PICTURE-checked encode."""
from __future__ import annotations

from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings, strategies as st

from bridge.codec import binary
from bridge.codec.numeric import from_values, to_arrow, to_python
from bridge.codec.options import CodecOptions
from bridge.errors import EncodeError, LayoutError
from bridge.layout.model import Field, Kind

IBM = CodecOptions()
GNU = CodecOptions(codepage="ascii", dialect="gnucobol")


def binary_field(picture: str | None, length: int, digits: int, scale: int = 0, *, signed: bool = True,
                 usage: str = "COMP") -> Field:
    return Field(name="COUNT", path=("REC", "COUNT"), level=5, offset=0, length=length, kind=Kind.BINARY,
                 picture=picture, usage=usage, digits=digits, scale=scale, signed=signed,
                 native_binary=usage == "COMP-5")


def matrix(*rows: bytes) -> np.ndarray:
    return np.array([list(r) for r in rows], np.uint8)


def assert_codec(field: Field, options: CodecOptions, data: bytes, value) -> None:
    """Decode gives the value, encode gives the bytes back, and the length is the field's."""
    assert binary.length(field) == len(data) == field.length
    numbers = binary.decode(matrix(data), 0, field, options)
    assert not numbers.invalid[0]
    assert to_python(numbers, 0) == value
    assert binary.encode(numbers, field, options).tobytes() == data
    assert binary.encode(from_values([value], field), field, options).tobytes() == data


def test_halfword_is_big_endian_twos_complement():
    assert_codec(binary_field("S9(4)", 2, 4), IBM, bytes.fromhex("04D2"), 1234)
    assert_codec(binary_field("S9(4)", 2, 4), IBM, bytes.fromhex("FFFE"), -2)


def test_unsigned_fullword():
    assert_codec(binary_field("9(9)", 4, 9, signed=False), IBM, bytes.fromhex("075BCD15"), 123456789)


def test_scaled_binary_is_a_decimal():
    assert_codec(binary_field("S9(5)V99", 4, 7, 2), IBM, bytes.fromhex("FFFFFF85"), Decimal("-1.23"))


def test_spaces_in_a_fullword_are_a_valid_number_as_stored():
    n = binary.decode(matrix(b"\x40\x40\x40\x40"), 0, binary_field("S9(9)", 4, 9), IBM)
    assert not n.invalid[0] and to_python(n, 0) == 1077952576


def test_values_beyond_the_picture_decode_as_stored_and_type_holds_them():
    f = binary_field("S9(4)", 2, 4)
    n = binary.decode(matrix(bytes.fromhex("7FFF")), 0, f, IBM)
    assert to_python(n, 0) == 32767 and n.precision == 5


def test_comp5_is_little_endian_under_gnucobol():
    f = binary_field("S9(9)", 4, 9, usage="COMP-5")
    assert_codec(f, GNU, bytes.fromhex("78563412"), 305419896)
    assert_codec(f, GNU, bytes.fromhex("FEFFFFFF"), -2)
    assert_codec(f, IBM, bytes.fromhex("12345678"), 305419896)


def test_comp_stays_big_endian_under_gnucobol():
    assert_codec(binary_field("S9(9)", 4, 9), GNU, bytes.fromhex("075BCD15"), 123456789)


def test_microfocus_odd_sizes():
    assert_codec(binary_field("S9(6)", 3, 6), IBM, bytes.fromhex("FE1DC0"), -123456)
    assert_codec(binary_field("9(12)", 5, 12, signed=False), IBM, bytes.fromhex("E8D4A50FFF"), 10**12 - 1)


def test_doubleword_extremes_and_unsigned_doubleword():
    f = binary_field("S9(18)", 8, 18, usage="COMP-5")
    assert_codec(f, IBM, bytes.fromhex("8000000000000000"), -(2**63))
    u = binary_field("9(18)", 8, 18, signed=False, usage="COMP-5")
    assert_codec(u, IBM, bytes.fromhex("FFFFFFFFFFFFFFFF"), 2**64 - 1)
    assert to_arrow(binary.decode(matrix(bytes(8)), 0, u, IBM)).type == pa.uint64()
    assert to_arrow(binary.decode(matrix(bytes(8)), 0, f, IBM)).type == pa.int64()


def test_sixteen_byte_binary_holds_38_digits():
    f = binary_field("S9(38)", 16, 38)
    v = -(10**38 - 1)
    assert_codec(f, IBM, v.to_bytes(16, "big", signed=True), v)


def test_sixteen_byte_value_beyond_38_digits_decodes_exactly_as_decimal256():
    f = binary_field("S9(38)", 16, 38)
    numbers = binary.decode(matrix((2**127 - 1).to_bytes(16, "big"), (-2**127).to_bytes(16, "big", signed=True)),
                            0, f, IBM)
    assert to_arrow(numbers).type == pa.decimal256(39, 0)
    assert to_arrow(numbers).to_pylist() == [2**127 - 1, -2**127]


def test_thirty_two_byte_binary_holds_76_digits():
    f = binary_field("S9(76)", 32, 76)
    v = -(10**76 - 1)
    assert_codec(f, IBM, v.to_bytes(32, "big", signed=True), v)
    assert_codec(f, IBM, (10**76 - 1).to_bytes(32, "big", signed=True), 10**76 - 1)


def test_thirty_two_byte_value_beyond_76_digits_is_invalid_not_wrong():
    f = binary_field("S9(76)", 32, 76)
    numbers = binary.decode(matrix((10**76).to_bytes(32, "big"), (2**255 - 1).to_bytes(32, "big")), 0, f, IBM)
    assert numbers.invalid.tolist() == [True, True]
    assert to_arrow(numbers).to_pylist() == [None, None]


@pytest.mark.parametrize("digits", [19, 20, 37, 38, 39, 40, 75, 76])
def test_binary_at_every_limb_boundary_round_trips_its_largest_values(digits):
    import math

    nbytes = math.ceil((digits * math.log2(10) + 1) / 8)   # the layout's size beyond 18 digits
    f = binary_field(f"S9({digits})", nbytes, digits)
    for v in (10**digits - 1, -(10**digits - 1), 1, -1, 0):
        assert_codec(f, IBM, v.to_bytes(nbytes, "big", signed=True), v)


def test_binary_item_beyond_76_digits_is_refused_by_name():
    f = binary_field("S9(77)", 33, 77)
    with pytest.raises(LayoutError, match=r"COUNT.*1 to 32 bytes, up to 76 digits"):
        binary.decode(matrix(bytes(33)), 0, f, IBM)


def test_value_beyond_the_picture_is_refused_naming_row_field_and_picture():
    f = binary_field("S9(4)", 2, 4)
    with pytest.raises(EncodeError, match=r"record 3, field REC.COUNT PIC S9\(4\): value 12345 does not fit the 4 digits"):
        binary.encode(from_values([1, 2, 12345], f), f, IBM)


def test_truncate_keeps_low_order_digits():
    f = binary_field("S9(4)", 2, 4)
    out = binary.encode(from_values([12345, -12345], f), f, IBM, truncate=True)
    assert out.tobytes() == (2345).to_bytes(2, "big") + (-2345).to_bytes(2, "big", signed=True)


def test_comp5_accepts_what_the_storage_holds():
    f = binary_field("S9(4)", 2, 4, usage="COMP-5")
    assert binary.encode(from_values([32767], f), f, IBM).tobytes() == bytes.fromhex("7FFF")
    with pytest.raises(EncodeError, match="does not fit 2 bytes"):
        binary.encode(from_values([32768], f), f, IBM)


def test_negative_into_unsigned_is_refused():
    f = binary_field("9(4)", 2, 4, signed=False)
    with pytest.raises(EncodeError, match="negative and the field is unsigned"):
        binary.encode(from_values([-1], f), f, IBM)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 16, 17, 24, 31, 32]), st.booleans(), st.booleans(),
       st.binary(min_size=32, max_size=32))
def test_any_bytes_within_storage_round_trip_exactly(nbytes, signed, little, raw):
    f = binary_field(None, nbytes, 0, signed=signed, usage="COMP-5")
    opts = CodecOptions(comp5_byteorder="little" if little else "big")
    data = raw[:nbytes]
    n = binary.decode(matrix(data), 0, f, opts)
    expected = int.from_bytes(data, "little" if little else "big", signed=signed)
    if abs(expected) >= 10**76:
        assert n.invalid[0]
        return
    assert to_python(n, 0) == expected
    assert binary.encode(n, f, opts).tobytes() == data


@settings(max_examples=150, deadline=None)
@given(st.sampled_from([(2, 4), (4, 9), (8, 18), (12, 27), (16, 38)]), st.booleans(), st.data())
def test_encoded_values_decode_to_themselves(size, signed, data):
    nbytes, digits = size
    f = binary_field("S9", nbytes, digits, signed=signed)
    top = 10**digits - 1
    ints = data.draw(st.lists(st.integers(-top if signed else 0, top), min_size=1, max_size=5))
    back = binary.decode(binary.encode(from_values(ints, f), f, IBM), 0, f, IBM)
    assert [to_python(back, i) for i in range(len(ints))] == ints


# ---- targeted vectors (int.to_bytes is the oracle): offsets, sizes, truncation, messages --------
@pytest.mark.parametrize("nbytes, signed, expected", [
    (1, True, 3), (2, True, 5), (2, False, 5), (4, True, 10), (4, False, 10), (8, True, 19), (8, False, 20),
    (16, True, 39), (16, False, 39), (32, True, 76), (32, False, 76),
])
def test_precision_is_the_digits_of_the_largest_stored_value_at_most_76(nbytes, signed, expected):
    assert binary.precision(binary_field(None, nbytes, 0, signed=signed, usage="COMP-5")) == expected


@pytest.mark.parametrize("nbytes", [2, 8, 12, 17, 32])
@pytest.mark.parametrize("little", [False, True])
def test_a_field_is_read_at_its_offset_in_either_byte_order(nbytes, little):
    f = binary_field(None, nbytes, 0, usage="COMP-5")
    opts = CodecOptions(comp5_byteorder="little" if little else "big")
    v = -(2 ** (8 * nbytes - 2)) + 12345 if nbytes < 32 else -(10**75) - 12345  # 2**254 is past 76 digits
    data = b"\x7F\x7F" + v.to_bytes(nbytes, "little" if little else "big", signed=True) + b"\x7F"
    assert to_python(binary.decode(matrix(data), 2, f, opts), 0) == v


@pytest.mark.parametrize("nbytes", [8, 12, 15])
def test_unsigned_words_of_8_to_15_bytes_keep_their_top_bit_as_a_value(nbytes):
    f = binary_field(None, nbytes, 0, signed=False, usage="COMP-5")
    v = 2 ** (8 * nbytes) - 2
    n = binary.decode(matrix(v.to_bytes(nbytes, "big")), 0, f, IBM)
    assert not n.invalid[0] and to_python(n, 0) == v


@pytest.mark.parametrize("nbytes", [9, 12, 15, 17, 24])
def test_signed_words_beyond_8_bytes_are_sign_extended_from_their_top_bit(nbytes):
    f = binary_field(None, nbytes, 0, usage="COMP-5")
    for v in (-1, -(2 ** (8 * nbytes - 1)), 2 ** (8 * nbytes - 1) - 1):
        n = binary.decode(matrix(v.to_bytes(nbytes, "big", signed=True)), 0, f, IBM)
        assert to_python(n, 0) == v


def test_a_thirty_two_byte_unsigned_value_with_its_top_bit_set_is_invalid():
    f = binary_field(None, 32, 0, signed=False, usage="COMP-5")
    n = binary.decode(matrix(b"\x80" + bytes(31), (10**76 - 1).to_bytes(32, "big"), b"\xFF" * 32), 0, f, IBM)
    assert n.invalid.tolist() == [True, False, True]
    assert not n.values[0].any() and to_python(n, 1) == 10**76 - 1


def test_arrow_types_follow_the_storage():
    four = binary.decode(matrix(bytes(4)), 0, binary_field("S9(9)", 4, 9), IBM)
    nine = binary.decode(matrix(bytes(9)), 0, binary_field(None, 9, 0, usage="COMP-5"), IBM)
    assert to_arrow(four).type == pa.int64()
    assert to_arrow(nine).type == pa.decimal128(22, 0)


def test_a_binary_item_of_no_bytes_is_refused_by_name():
    with pytest.raises(LayoutError, match=r"COUNT: a binary item of 0 bytes is not supported"):
        binary.encode(from_values([1], binary_field("S9(4)", 2, 4)), binary_field("S9(4)", 0, 4), IBM)


def test_truncate_writes_a_negative_value_into_an_unsigned_field_as_its_low_digits():
    f = binary_field("9(4)", 2, 4, signed=False)
    assert binary.encode(from_values([-12345, -5], f), f, IBM, truncate=True).tobytes() == \
        (2345).to_bytes(2, "big") + (5).to_bytes(2, "big")


def test_truncate_cannot_cut_an_item_without_a_picture_and_refuses_it():
    f = binary_field(None, 2, 0, usage="COMP-5")
    with pytest.raises(EncodeError, match="value 70000 does not fit 2 bytes"):
        binary.encode(from_values([70000], f), f, IBM, truncate=True)


@pytest.mark.parametrize("digits, nbytes", [(30, 13), (40, 17)])
def test_truncate_keeps_the_low_order_digits_of_wide_values(digits, nbytes):
    f = binary_field(f"S9({digits})", nbytes, digits)
    out = binary.encode(from_values([10**digits + 7, -(10**digits) - 7, 3], f), f, IBM, truncate=True)
    assert out.tobytes() == b"".join(v.to_bytes(nbytes, "big", signed=True) for v in (7, -7, 3))


@pytest.mark.parametrize("digits, nbytes", [(30, 13), (40, 17)])
def test_a_wide_value_one_beyond_the_picture_is_refused_and_the_largest_is_written(digits, nbytes):
    f = binary_field(f"S9({digits})", nbytes, digits)
    top = 10**digits - 1
    assert binary.encode(from_values([top, -top], f), f, IBM).tobytes() == \
        top.to_bytes(nbytes, "big", signed=True) + (-top).to_bytes(nbytes, "big", signed=True)
    for v in (top + 1, -top - 1):
        with pytest.raises(EncodeError, match=f"record 2, .*does not fit the {digits} digits"):
            binary.encode(from_values([0, v], f), f, IBM)


@pytest.mark.parametrize("nbytes", [2, 17])
def test_a_negative_value_in_an_unsigned_field_is_refused_as_negative_even_beside_a_too_big_one(nbytes):
    digits = 4 if nbytes == 2 else 40
    f = binary_field(f"9({digits})", nbytes, digits, signed=False)
    with pytest.raises(EncodeError, match="negative and the field is unsigned"):
        binary.encode(from_values([10**digits, -1], f), f, IBM)


@pytest.mark.parametrize("nbytes", [2, 13, 17])
def test_comp5_refuses_one_past_either_end_of_the_storage(nbytes):
    f = binary_field(None, nbytes, 0, usage="COMP-5")
    low, high = -(2 ** (8 * nbytes - 1)), 2 ** (8 * nbytes - 1) - 1
    assert binary.encode(from_values([low, high], f), f, IBM).tobytes() == \
        low.to_bytes(nbytes, "big", signed=True) + high.to_bytes(nbytes, "big", signed=True)
    for v in (low - 1, high + 1):
        with pytest.raises(EncodeError, match=f"does not fit {nbytes} bytes"):
            binary.encode(from_values([v], f), f, IBM)


def test_encode_into_patches_masked_rows_at_the_offset():
    f = binary_field("S9(4)", 2, 4).with_changes(offset=1)
    m = np.full((2, 4), 0x40, np.uint8)
    binary.encode_into(m, 1, from_values([-2, 7], f), f, IBM, mask=np.array([True, False]))
    assert m.tobytes() == bytes.fromhex("40FFFE40" "40404040")
