"""COMP-6 (unsigned packed decimal, no sign nibble): decode, encode and length held together, and
against GnuCOBOL's bytes (issue 9)."""
from __future__ import annotations

from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings, strategies as st

from bridge.codec import packed_unsigned
from bridge.codec.column import codec_for, decode_column, encode_column_into
from bridge.codec.options import CodecOptions
from bridge.copybook import compile_copybook
from bridge.errors import EncodeError

OPTIONS = CodecOptions()


def field(picture: str):
    return compile_copybook(f"01 R.\n  05 A PIC {picture} COMP-6.\n", source_format="free",
                            dialect="gnucobol").records[0].field("A")


def check(picture: str, values: list, expected: bytes) -> None:
    """encode gives the bytes, decode gives the values back, length is the byte count."""
    f = field(picture)
    assert packed_unsigned.length(f) == f.length == len(expected) // len(values)
    matrix = np.zeros((len(values), f.length), np.uint8)
    encode_column_into(matrix, 0, f, pa.array(values), OPTIONS)
    assert matrix.tobytes() == expected
    assert decode_column(matrix, 0, f, OPTIONS).array.to_pylist() == values


def test_comp_6_fields_are_read_by_their_own_codec():
    assert codec_for(field("9(3)")) is packed_unsigned


def test_odd_digit_counts_have_a_zero_pad_nibble_as_gnucobol_writes_them():
    # cobc -std=mf: MOVE 123 TO PIC 9(3) COMP-6 stores 0123
    check("9(3)", [123, 5, 999, 0], bytes.fromhex("0123 0005 0999 0000"))


def test_even_digit_counts_fill_every_nibble_with_digits():
    # cobc -std=mf: MOVE 12345.67 TO PIC 9(5)V99 COMP-6 stores 01234567
    check("9(5)V99", [Decimal("12345.67"), Decimal("0.01")], bytes.fromhex("01234567 00000001"))


def test_a_digit_nibble_above_nine_or_a_set_pad_nibble_is_invalid():
    f = field("9(3)")
    matrix = np.frombuffer(bytes.fromhex("0123 1123 012A"), np.uint8).reshape(3, 2).copy()
    column = decode_column(matrix, 0, f, OPTIONS)
    assert column.invalid.tolist() == [False, True, True]


def test_a_negative_value_or_too_many_digits_cannot_be_written():
    f = field("9(3)")
    matrix = np.zeros((1, 2), np.uint8)
    with pytest.raises(EncodeError, match="more than the 3 digits"):
        encode_column_into(matrix, 0, f, pa.array([1000]), OPTIONS)
    with pytest.raises(EncodeError):
        encode_column_into(matrix, 0, f, pa.array([-1]), OPTIONS)
    assert matrix.tobytes() == b"\0\0"


@settings(max_examples=60, deadline=None)
@given(digits=st.integers(1, 30), data=st.data())
def test_every_value_within_the_digits_round_trips(digits, data):
    values = data.draw(st.lists(st.integers(0, 10**digits - 1), min_size=1, max_size=5))
    f = field(f"9({digits})")
    matrix = np.zeros((len(values), f.length), np.uint8)
    encode_column_into(matrix, 0, f, pa.array([Decimal(v) for v in values], pa.decimal128(38, 0)), OPTIONS)
    text = matrix.tobytes().hex()
    for i, v in enumerate(values):
        assert text[i * 2 * f.length:(i + 1) * 2 * f.length] == str(v).rjust(2 * f.length, "0")
    decoded = decode_column(matrix, 0, f, OPTIONS).array.to_pylist()
    assert [int(x) for x in decoded] == values
