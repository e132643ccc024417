"""PIC N USAGE NATIONAL (UTF-16BE) columns ↔ Arrow strings."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bridge.codec import national
from bridge.codec.options import CodecOptions
from bridge.codec.reference import field_construct
from bridge.errors import EncodeError
from bridge.layout.model import Field, Kind


def national_field(chars: int, *, justified: bool = False) -> Field:
    return Field("NAME-N", ("REC", "NAME-N"), 5, 0, 2 * chars, Kind.NATIONAL, picture=f"N({chars})",
                 usage="NATIONAL", justified=justified)


def matrix_of(*rows: bytes) -> np.ndarray:
    return np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(len(rows), -1).copy()


def check_codec(values: list[str], field: Field, options: CodecOptions) -> None:
    encoded = national.encode(values, field, options)
    assert encoded.shape == (len(values), field.length)
    assert national.decode(encoded, 0, field, options).to_pylist() == values


def test_utf16be_text_decodes_right_trimmed_and_encodes_back():
    field = national_field(4)
    matrix = matrix_of("Zoë ".encode("utf-16-be"), "日本  ".encode("utf-16-be"))
    assert national.decode(matrix, 0, field, CodecOptions()).to_pylist() == ["Zoë", "日本"]
    check_codec(["Zoë", "日本", ""], field, CodecOptions())


def test_padding_is_the_national_space_nx0020():
    assert bytes(national.encode(["A"], national_field(2), CodecOptions())[0]) == bytes.fromhex("00410020")


def test_justified_right_pads_on_the_left():
    assert bytes(national.encode(["A"], national_field(2, justified=True), CodecOptions())[0]) == \
        bytes.fromhex("00200041")


def test_surrogate_pairs_decode_to_one_character_and_count_two_code_units():
    field = national_field(3)
    matrix = matrix_of("😀a".encode("utf-16-be"))
    assert national.decode(matrix, 0, field, CodecOptions()).to_pylist() == ["😀a"]
    with pytest.raises(EncodeError, match="needs 4 UTF-16 code units, more than the field's 3"):
        national.encode(["😀ab"], field, CodecOptions())


def test_truncation_never_splits_a_surrogate_pair():
    encoded = national.encode(["ab😀"], national_field(3), CodecOptions(), truncate=True)
    assert bytes(encoded[0]) == "ab ".encode("utf-16-be")


def test_a_lone_surrogate_decodes_to_the_replacement_character():
    matrix = matrix_of(bytes.fromhex("d83d0041"))
    assert national.decode(matrix, 0, national_field(2), CodecOptions()).to_pylist() == ["\ufffdA"]


def test_short_records_cut_the_field_at_a_whole_code_unit():
    matrix = matrix_of("ABC".encode("utf-16-be"))
    got = national.decode(matrix, 0, national_field(3), CodecOptions(), avail=np.array([3]))
    assert got.to_pylist() == ["A"]


def test_a_value_too_long_names_row_field_and_picture():
    with pytest.raises(EncodeError, match=r"record 1, field REC.NAME-N PIC N\(2\): value 'ABC'"):
        national.encode(["ABC"], national_field(2), CodecOptions())


def test_encode_into_writes_only_the_masked_rows():
    matrix = np.zeros((2, 4), dtype=np.uint8)
    national.encode_into(matrix, 0, ["AB", "CD"], national_field(2), CodecOptions(), mask=np.array([False, True]))
    assert [bytes(r) for r in matrix] == [bytes(4), "CD".encode("utf-16-be")]


@settings(max_examples=150, deadline=None)
@given(data=st.data(), trim=st.sampled_from(["none", "right", "left", "both"]))
def test_arrow_path_equals_python_utf16_decode_for_random_bytes(data, trim):
    chars = data.draw(st.integers(1, 6))
    units = st.sampled_from([0x0020, 0x0041, 0x00E9, 0x65E5, 0xD83D, 0xDE00, 0xFFFD, 0x0000])
    rows = [b"".join(u.to_bytes(2, "big") for u in data.draw(st.lists(units, min_size=chars, max_size=chars)))
            for _ in range(data.draw(st.integers(1, 8)))]
    field = national_field(chars)
    options = CodecOptions(trim=trim)
    got = national.decode(matrix_of(*rows), 0, field, options).to_pylist()
    assert got == [field_construct(field, options).parse(r) for r in rows]


@settings(max_examples=150, deadline=None)
@given(values=st.lists(st.text(st.characters(blacklist_categories=("Cs",)), max_size=4), min_size=1, max_size=8))
def test_encoding_then_decoding_gives_the_values_back(values):
    values = [v.rstrip(" ") for v in values]
    field = national_field(8)
    check_codec(values, field, CodecOptions())
    reference = field_construct(field, CodecOptions())
    assert [bytes(r) for r in national.encode(values, field, CodecOptions())] == [reference.build(v) for v in values]
