"""Packed columns decoded together in one pass (`packed.decode_many`): the same Arrow arrays
and invalid rows as one `packed.decode` + `to_arrow` per column."""
from __future__ import annotations

from decimal import Decimal

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from bridge.codec import packed
from bridge.codec.numeric import to_arrow
from bridge.codec.options import CodecOptions
from bridge.layout.model import Field, Kind


def packed_field(offset: int, digits: int, scale: int, signed: bool, name: str = "AMT") -> Field:
    picture = ("S" if signed else "") + (f"9({digits - scale})" if digits > scale else "") + \
        (f"V9({scale})" if scale else "")
    return Field(name, ("REC", name), 5, offset, digits // 2 + 1, Kind.PACKED, picture=picture,
                 usage="COMP-3", digits=digits, scale=scale, signed=signed)


@st.composite
def layouts(draw):
    specs = []
    offset = 0
    for k in range(draw(st.integers(1, 6))):
        digits = draw(st.integers(1, 18))
        scale = draw(st.integers(0, digits))
        specs.append(packed_field(offset, digits, scale, draw(st.booleans()), f"AMT-{k}"))
        offset += specs[-1].length
    rows = draw(st.integers(0, 25))
    width = offset + draw(st.integers(0, 3))
    good = []
    for _ in range(rows):
        row = bytearray(draw(st.binary(min_size=width, max_size=width)))
        for f in specs:   # most values valid, so that both paths of every row are exercised
            if draw(st.integers(0, 3)):
                digits = draw(st.integers(0, 10**f.digits - 1))
                sign = draw(st.sampled_from([0xC, 0xD, 0xF, 0xA, 0xB, 0xE]))
                text = f"{digits:0{2 * f.length - 1}d}"
                nibbles = [int(ch) for ch in text] + [sign]
                row[f.offset:f.end] = bytes((nibbles[2 * i] << 4) | nibbles[2 * i + 1] for i in range(f.length))
        good.append(bytes(row))
    matrix = np.frombuffer(b"".join(good), dtype=np.uint8).reshape(rows, width).copy()
    return matrix, specs


@settings(max_examples=50, deadline=None)
@given(layouts())
def test_packed_columns_decoded_together_equal_each_decoded_alone(case):
    matrix, fields = case
    together = packed.decode_many(matrix, [f.offset for f in fields], fields)
    for field, (array, invalid) in zip(fields, together):
        alone = packed.decode(matrix, field.offset, field, CodecOptions())
        assert array.equals(to_arrow(alone))
        assert array.type == to_arrow(alone).type
        assert invalid.tolist() == np.asarray(alone.invalid).tolist()


def test_a_packed_amount_with_decimals_is_a_decimal128_with_its_sign_in_the_high_half():
    field = packed_field(0, 9, 2, True)
    matrix = np.frombuffer(bytes.fromhex("123456789d"), dtype=np.uint8).reshape(1, 5).copy()
    (array, invalid), = packed.decode_many(matrix, [0], [field])
    assert array.type == pa.decimal128(9, 2)
    assert str(array[0].as_py()) == "-1234567.89"
    assert invalid.tolist() == [False]


def test_a_negative_sign_in_an_unsigned_packed_field_is_null_and_invalid():
    field = packed_field(0, 3, 0, False)
    matrix = np.frombuffer(bytes.fromhex("123d123f"), dtype=np.uint8).reshape(2, 2).copy()
    (array, invalid), = packed.decode_many(matrix, [0], [field])
    assert array.type == pa.int64()
    assert array.to_pylist() == [None, 123]
    assert invalid.tolist() == [True, False]


def test_packed_fields_wider_than_18_digits_or_with_ppp_are_left_to_decode():
    assert packed.batchable(packed_field(0, 18, 2, True))
    assert not packed.batchable(packed_field(0, 19, 2, True))
    assert not packed.batchable(Field("X", ("REC", "X"), 5, 0, 2, Kind.PACKED, picture="9(3)PP", usage="COMP-3",
                                      digits=3, scale=-2))
    assert not packed.batchable(Field("X", ("REC", "X"), 5, 0, 2, Kind.PACKED, picture="9(3)", usage="COMP-6",
                                      digits=3))


def test_packed_fields_eight_bytes_or_more_into_the_record_read_as_words_give_the_same_values():
    # each field ends 8 or more bytes into the record: its digit bytes are read as one word, a
    # ninth digit byte (17 and 18 digits) on its own
    fields = [packed_field(8, 17, 0, True, "A"), packed_field(17, 11, 2, True, "B"),
              packed_field(23, 18, 0, False, "C"), packed_field(33, 1, 0, True, "D")]
    good = "40" * 8 + "12345678901234567d" + "12345678901c" + "0123456789012345678f" + "9c"
    bad = "40" * 8 + "a2345678901234567c" + "1234567890ac" + "1123456789012345678f" + "9d"
    matrix = np.frombuffer(bytes.fromhex(good + bad), dtype=np.uint8).reshape(2, 34).copy()
    together = packed.decode_many(matrix, [f.offset for f in fields], fields)
    assert [a.to_pylist()[0] for a, _ in together] == [
        -12345678901234567, Decimal("123456789.01"), 123456789012345678, 9]
    # a bad nibble in the ninth byte, one in the word, a non-zero pad nibble: null and invalid
    assert [a.to_pylist()[1] for a, _ in together] == [None, None, None, -9]
    assert [bad.tolist() for _, bad in together] == [[False, True], [False, True], [False, True], [False, False]]
