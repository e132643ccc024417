"""Binary columns decoded together in one pass (`binary.decode_many`): the same Arrow arrays as
one `binary.decode` + `to_arrow` per column, for every byte order, sign and scale."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from bridge.codec import binary
from bridge.codec.numeric import to_arrow
from bridge.codec.options import CodecOptions
from bridge.layout.model import Field, Kind


def binary_field(offset: int, size: int, scale: int, signed: bool, usage: str, name: str = "QTY") -> Field:
    return Field(name, ("REC", name), 5, offset, size, Kind.BINARY, picture=("S" if signed else "") + "9(4)",
                 usage=usage, digits={1: 2, 2: 4, 4: 9, 8: 18}.get(size, 4), scale=scale, signed=signed)


@st.composite
def layouts(draw):
    fields = []
    offset = 0
    for k in range(draw(st.integers(1, 6))):
        size = draw(st.sampled_from([1, 2, 4, 8]))
        signed = draw(st.booleans()) or size == 8
        fields.append(binary_field(offset, size, draw(st.integers(0, 4)), signed,
                                   draw(st.sampled_from(["COMP", "COMP-4", "COMP-5", "BINARY"])), f"QTY-{k}"))
        offset += size
    rows = draw(st.integers(0, 25))
    width = offset + draw(st.integers(0, 3))
    data = draw(st.binary(min_size=rows * width, max_size=rows * width))
    return np.frombuffer(data, dtype=np.uint8).reshape(rows, width).copy(), fields


@settings(max_examples=50, deadline=None)
@given(layouts(), st.booleans())
def test_binary_columns_decoded_together_equal_each_decoded_alone(case, comp5_little):
    matrix, fields = case
    options = CodecOptions(comp5_byteorder="little" if comp5_little else "big")
    together = binary.decode_many(matrix, [f.offset for f in fields], fields, options)
    for field, (array, invalid) in zip(fields, together):
        alone = to_arrow(binary.decode(matrix, field.offset, field, options))
        assert array.type == alone.type
        assert array.equals(alone)
        assert not invalid.any()


def test_a_halfword_with_two_decimals_is_a_decimal128_of_its_storage_precision():
    field = binary_field(0, 2, 2, True, "COMP")
    matrix = np.frombuffer(bytes.fromhex("fb2e"), dtype=np.uint8).reshape(1, 2).copy()
    (array, _), = binary.decode_many(matrix, [0], [field], CodecOptions())
    assert array.type == pa.decimal128(5, 2)
    assert str(array[0].as_py()) == "-12.34"


def test_an_unsigned_doubleword_and_a_negative_scale_are_left_to_decode():
    assert binary.batchable(binary_field(0, 8, 0, True, "COMP"))
    assert not binary.batchable(binary_field(0, 8, 0, False, "COMP"))
    assert not binary.batchable(binary_field(0, 4, -2, True, "COMP"))


def test_big_endian_fields_eight_bytes_or_more_into_the_record_read_as_words_give_the_same_values():
    # a halfword, an unsigned fullword and a doubleword that each end 8 or more bytes into the
    # record are read as the word ending at their last byte; the bytes before them are not theirs
    fields = [binary_field(8, 2, 0, True, "COMP", "H"), binary_field(10, 4, 0, False, "COMP", "F"),
              binary_field(14, 8, 2, True, "COMP", "D")]
    matrix = np.frombuffer(bytes.fromhex("7f" * 8 + "fb2e" + "ffffffff" + "fffffffffffffffe"),
                           dtype=np.uint8).reshape(1, 22).copy()
    together = binary.decode_many(matrix, [f.offset for f in fields], fields, CodecOptions())
    assert [str(a[0].as_py()) for a, _ in together] == ["-1234", "4294967295", "-0.02"]
