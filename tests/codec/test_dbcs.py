"""PIC G / DISPLAY-1 (DBCS) columns ↔ hex text, four digits per double-byte character."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bridge.codec import dbcs
from bridge.codec.options import CodecOptions
from bridge.codec.reference import field_construct
from bridge.errors import EncodeError
from bridge.layout.model import Field, Kind


def dbcs_field(chars: int, *, justified: bool = False) -> Field:
    return Field("KANJI-NAME", ("REC", "KANJI-NAME"), 5, 0, 2 * chars, Kind.DBCS, picture=f"G({chars})",
                 usage="DISPLAY-1", justified=justified)


def matrix_of(*rows: bytes) -> np.ndarray:
    return np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(len(rows), -1).copy()


def check_codec(values: list[str], field: Field, options: CodecOptions) -> None:
    encoded = dbcs.encode(values, field, options)
    assert encoded.shape == (len(values), field.length)
    assert dbcs.decode(encoded, 0, field, options).to_pylist() == values


def test_dbcs_characters_decode_to_hex_with_trailing_dbcs_spaces_trimmed():
    matrix = matrix_of(bytes.fromhex("42C142C240404040"))
    assert dbcs.decode(matrix, 0, dbcs_field(4), CodecOptions()).to_pylist() == ["42C142C2"]
    check_codec(["42C142C2", "", "45A1"], dbcs_field(4), CodecOptions())


def test_a_single_x40_byte_is_not_a_dbcs_space():
    matrix = matrix_of(bytes.fromhex("42C14041"))
    assert dbcs.decode(matrix, 0, dbcs_field(2), CodecOptions()).to_pylist() == ["42C14041"]


def test_padding_is_the_dbcs_space_and_justified_pads_on_the_left():
    assert bytes(dbcs.encode(["42c1"], dbcs_field(2), CodecOptions())[0]) == bytes.fromhex("42C14040")
    assert bytes(dbcs.encode(["42C1"], dbcs_field(2, justified=True), CodecOptions())[0]) == \
        bytes.fromhex("404042C1")


def test_text_that_is_not_dbcs_hex_is_refused():
    with pytest.raises(EncodeError, match=r"record 1, field REC.KANJI-NAME PIC G\(2\): value '42C' is not DBCS hex"):
        dbcs.encode(["42C"], dbcs_field(2), CodecOptions())
    with pytest.raises(EncodeError, match="not DBCS hex"):
        dbcs.encode(["ZZZZ"], dbcs_field(2), CodecOptions())


def test_a_value_with_too_many_characters_is_refused_unless_truncated():
    with pytest.raises(EncodeError, match="holds 3 DBCS characters, more than the field's 2"):
        dbcs.encode(["42C142C242C3"], dbcs_field(2), CodecOptions())
    assert bytes(dbcs.encode(["42C142C242C3"], dbcs_field(2), CodecOptions(), truncate=True)[0]) == \
        bytes.fromhex("42C142C2")


def test_encode_into_writes_only_the_masked_rows():
    matrix = np.zeros((2, 2), dtype=np.uint8)
    dbcs.encode_into(matrix, 0, ["42C1", "42C2"], dbcs_field(1), CodecOptions(), mask=np.array([True, False]))
    assert [bytes(r) for r in matrix] == [bytes.fromhex("42C1"), bytes(2)]


@settings(max_examples=150, deadline=None)
@given(data=st.data(), trim=st.sampled_from(["none", "right", "left", "both"]))
def test_arrow_path_equals_the_reference_codec_for_random_bytes(data, trim):
    chars = data.draw(st.integers(1, 5))
    pairs = st.sampled_from([b"\x40\x40", b"\x42\xc1", b"\x40\x41", b"\x00\x00", b"\xff\xff"])
    rows = [b"".join(data.draw(st.lists(pairs, min_size=chars, max_size=chars)))
            for _ in range(data.draw(st.integers(1, 6)))]
    field = dbcs_field(chars)
    options = CodecOptions(trim=trim)
    got = dbcs.decode(matrix_of(*rows), 0, field, options).to_pylist()
    assert got == [field_construct(field, options).parse(r) for r in rows]


@settings(max_examples=100, deadline=None)
@given(values=st.lists(st.binary(max_size=6).filter(lambda b: len(b) % 2 == 0 and not b.endswith(b"@@")),
                       min_size=1, max_size=6))
def test_encoding_then_decoding_gives_the_values_back(values):
    check_codec([v.hex().upper() for v in values], dbcs_field(3), CodecOptions())
