"""Zoned columns decoded together in one pass (`zoned.decode_many`): the same Arrow arrays and
invalid rows as one `zoned.decode` + `to_arrow` per column, for every sign placement and page."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from bridge.codec import zoned
from bridge.codec.numeric import to_arrow
from bridge.codec.options import CodecOptions
from bridge.layout.model import Field, Kind


def zoned_field(offset: int, digits: int, scale: int, *, signed: bool = True, leading: bool = False,
                separate: bool = False, bwz: bool = False, name: str = "AMT") -> Field:
    size = digits + (1 if signed and separate else 0)
    return Field(name, ("REC", name), 5, offset, size, Kind.ZONED, picture=f"S9({digits})", digits=digits,
                 scale=scale, signed=signed, sign_leading=leading, sign_separate=separate and signed,
                 blank_when_zero=bwz)


@st.composite
def layouts(draw):
    fields = []
    offset = 0
    for k in range(draw(st.integers(1, 6))):
        digits = draw(st.integers(1, 18))
        fields.append(zoned_field(offset, digits, draw(st.integers(0, digits)), signed=draw(st.booleans()),
                                  leading=draw(st.booleans()), separate=draw(st.booleans()),
                                  bwz=draw(st.booleans()), name=f"AMT-{k}"))
        offset += fields[-1].length
    rows = draw(st.integers(0, 20))
    width = offset + draw(st.integers(0, 2))
    data = draw(st.binary(min_size=rows * width, max_size=rows * width))
    return _MOSTLY_NUMERIC[np.frombuffer(data, dtype=np.uint8)].reshape(rows, width), fields


# digits, signs, spaces and zones of both families for most byte values, and now and then any byte
_COMMON = [0xF0, 0xF5, 0xF9, 0xC3, 0xD7, 0x40, 0x4E, 0x60, 0x30, 0x37, 0x20, 0x2B, 0x2D, 0x7B, 0x7D, 0x4A, 0x00]
_MOSTLY_NUMERIC = np.array([_COMMON[b % len(_COMMON)] if b < 200 else b for b in range(256)], dtype=np.uint8)


@settings(max_examples=60, deadline=None)
@given(layouts(), st.sampled_from(["cp037", "cp1047", "latin-1"]))
def test_zoned_columns_decoded_together_equal_each_decoded_alone(case, page):
    matrix, fields = case
    options = CodecOptions(codepage=page)
    together = zoned.decode_many(matrix, [f.offset for f in fields], fields, options)
    for field, (array, invalid) in zip(fields, together):
        alone = zoned.decode(matrix, field.offset, field, options)
        assert array.type == to_arrow(alone).type
        assert array.equals(to_arrow(alone))
        assert invalid.tolist() == np.asarray(alone.invalid).tolist()


def test_a_trailing_overpunch_d_zone_reads_negative_with_its_decimals():
    field = zoned_field(0, 5, 2)
    matrix = np.frombuffer(bytes.fromhex("f1f2f3f4d5f1f2f3f4c5"), dtype=np.uint8).reshape(2, 5).copy()
    (array, invalid), = zoned.decode_many(matrix, [0], [field], CodecOptions())
    assert array.type == pa.decimal128(5, 2)
    assert [str(v) for v in array.to_pylist()] == ["-123.45", "123.45"]
    assert invalid.tolist() == [False, False]


def test_spaces_in_a_zoned_field_are_null_and_invalid_unless_blank_when_zero():
    matrix = np.full((1, 3), 0x40, dtype=np.uint8)
    (plain, bad), (blank, ok) = zoned.decode_many(
        np.concatenate([matrix, matrix], axis=1), [0, 3],
        [zoned_field(0, 3, 0), zoned_field(3, 3, 0, bwz=True)], CodecOptions())
    assert plain.to_pylist() == [None] and bad.tolist() == [True]
    assert blank.to_pylist() == [0] and ok.tolist() == [False]
