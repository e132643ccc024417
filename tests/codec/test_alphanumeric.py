"""PIC X columns ↔ Arrow strings: the numba path against Python's codecs and the reference codec."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bridge.codec import alphanumeric
from bridge.codec.codepage import codepage
from bridge.codec.options import CodecOptions
from bridge.codec.reference import field_construct
from bridge.errors import EncodeError
from bridge.layout.model import Field, Kind

PAGES = ["cp037", "cp273", "cp500", "cp875", "cp1047", "cp1140", "cp1141", "cp1148", "cp277",
         "latin-1", "ascii", "cp1252"]


def text_field(length: int, *, justified: bool = False, name: str = "CUST-NAME") -> Field:
    return Field(name, ("CUSTOMER-REC", name), 5, 0, length, Kind.ALPHANUMERIC,
                 picture=f"X({length})", justified=justified)


def matrix_of(*rows: bytes) -> np.ndarray:
    return np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(len(rows), -1).copy()


def python_trim(text: str, trim: str) -> str:
    return {"none": text, "right": text.rstrip(" "), "left": text.lstrip(" "), "both": text.strip(" ")}[trim]


def check_codec(values: list[str], field: Field, options: CodecOptions) -> None:
    """Encode gives (n, length) bytes, and decoding them gives the values back."""
    encoded = alphanumeric.encode(values, field, options)
    assert encoded.shape == (len(values), field.length)
    assert alphanumeric.decode(encoded, 0, field, options).to_pylist() == values


def test_cp037_names_decode_right_trimmed_and_encode_back():
    field = text_field(10)
    options = CodecOptions()
    matrix = matrix_of("JOHN SMITH".encode("cp037"), "ANNA      ".encode("cp037"))
    assert alphanumeric.decode(matrix, 0, field, options).to_pylist() == ["JOHN SMITH", "ANNA"]
    check_codec(["JOHN SMITH", "ANNA", ""], field, options)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), name=st.sampled_from(PAGES), trim=st.sampled_from(["none", "right", "left", "both"]))
def test_arrow_path_equals_python_decode_and_trim_for_random_bytes(data, name, trim):
    width = data.draw(st.integers(1, 12))
    rows = data.draw(st.lists(st.binary(min_size=width, max_size=width), min_size=1, max_size=20))
    page = codepage(name)
    # favour spaces so trimming is exercised
    rows = [bytes(page.space if b % 3 == 0 else b for b in r) for r in rows]
    field = text_field(width)
    options = CodecOptions(codepage=name, trim=trim)
    got = alphanumeric.decode(matrix_of(*rows), 0, field, options).to_pylist()
    assert got == [python_trim(r.decode(page.codec, errors="replace"), trim) for r in rows]
    assert got == [field_construct(field, options).parse(r) for r in rows]


@settings(max_examples=150, deadline=None)
@given(data=st.data(), name=st.sampled_from(PAGES))
def test_encoding_then_decoding_gives_the_values_back(data, name):
    page = codepage(name)
    alphabet = st.sampled_from(sorted(page.encode_map))
    width = data.draw(st.integers(1, 10))
    values = data.draw(st.lists(st.text(alphabet, max_size=width), min_size=1, max_size=10))
    values = [v.rstrip(" ") for v in values]
    field = text_field(width)
    check_codec(values, field, CodecOptions(codepage=name))
    reference = field_construct(field, CodecOptions(codepage=name))
    assert [bytes(r) for r in alphanumeric.encode(values, field, CodecOptions(codepage=name))] == \
        [reference.build(v) for v in values]


def test_trimming_removes_only_the_code_pages_space_byte():
    field = text_field(6)
    matrix = matrix_of(b"\x40\x00AB\x00\x40".replace(b"AB", "AB".encode("cp037")))
    assert alphanumeric.decode(matrix, 0, field, CodecOptions(trim="both")).to_pylist() == ["\x00AB\x00"]
    assert alphanumeric.decode(matrix, 0, field, CodecOptions(trim="left")).to_pylist() == ["\x00AB\x00 "]
    assert alphanumeric.decode(matrix, 0, field, CodecOptions(trim="none")).to_pylist() == [" \x00AB\x00 "]


def test_a_column_is_read_at_its_offset_inside_the_record():
    field = text_field(3)
    matrix = matrix_of(b"\x00\x01" + "ABC".encode("cp037") + b"\xff")
    assert alphanumeric.decode(matrix, 2, field, CodecOptions()).to_pylist() == ["ABC"]


def test_short_variable_records_truncate_the_string_and_the_caller_masks_absent_ones():
    field = text_field(5)
    matrix = matrix_of("ABCDE".encode("cp037"), "FGHIJ".encode("cp037"), "KLMNO".encode("cp037"))
    got = alphanumeric.decode(matrix, 0, field, CodecOptions(), avail=np.array([5, 2, 0]),
                              valid=np.array([True, True, False]))
    assert got.to_pylist() == ["ABCDE", "FG", None]
    assert got.null_count == 1


def test_euro_sign_of_cp1140_becomes_three_utf8_bytes():
    field = text_field(3)
    matrix = matrix_of(b"\x9f\x40\x40")
    got = alphanumeric.decode(matrix, 0, field, CodecOptions(codepage="cp1140"))
    assert got.to_pylist() == ["€"]
    assert got.type == pa.string()


def test_encode_pads_with_the_code_pages_space():
    encoded = alphanumeric.encode(["AB"], text_field(4), CodecOptions(codepage="latin-1"))
    assert bytes(encoded[0]) == b"AB  "


def test_justified_right_fields_are_padded_on_the_left():
    encoded = alphanumeric.encode(["AB"], text_field(4, justified=True), CodecOptions())
    assert bytes(encoded[0]) == bytes.fromhex("4040c1c2")


def test_null_values_encode_as_spaces():
    encoded = alphanumeric.encode(pa.array(["A", None]), text_field(2), CodecOptions())
    assert bytes(encoded[1]) == b"\x40\x40"


def test_a_value_longer_than_the_field_is_refused_with_row_field_and_picture():
    with pytest.raises(EncodeError) as info:
        alphanumeric.encode(["OK", "TOO LONG"], text_field(4), CodecOptions(), rows=np.array([10, 11]))
    assert str(info.value) == ("record 12, field CUSTOMER-REC.CUST-NAME PIC X(4): value 'TOO LONG' has 8 "
                               "characters, more than the field's 4; shorten it or ask for truncation")
    assert info.value.row == 11 and info.value.value == "TOO LONG"


def test_truncation_keeps_the_left_characters_or_the_right_ones_when_justified():
    assert bytes(alphanumeric.encode(["ABCDEF"], text_field(4), CodecOptions(codepage="latin-1"),
                                     truncate=True)[0]) == b"ABCD"
    assert bytes(alphanumeric.encode(["ABCDEF"], text_field(4, justified=True), CodecOptions(codepage="latin-1"),
                                     truncate=True)[0]) == b"CDEF"


def test_a_character_missing_from_the_code_page_is_refused_with_its_position():
    with pytest.raises(EncodeError, match=r"record 1, .*'€' \(U\+20AC\) at position 2 of 'a€' has no byte in code page cp037"):
        alphanumeric.encode(["a€"], text_field(4), CodecOptions())


def test_characters_beyond_the_bmp_are_refused():
    with pytest.raises(EncodeError, match="U\\+1F600"):
        alphanumeric.encode(["😀"], text_field(4), CodecOptions(codepage="latin-1"))


def test_sliced_and_chunked_arrow_inputs_are_read_from_their_own_offsets():
    arr = pa.array(["XX", "AB", "CD"]).slice(1)
    assert [bytes(r) for r in alphanumeric.encode(arr, text_field(2), CodecOptions(codepage="latin-1"))] == \
        [b"AB", b"CD"]
    chunked = pa.chunked_array([["AB"], ["CD"]], type=pa.large_string())
    assert [bytes(r) for r in alphanumeric.encode(chunked, text_field(2), CodecOptions(codepage="latin-1"))] == \
        [b"AB", b"CD"]


def test_non_text_values_are_refused():
    with pytest.raises(EncodeError, match="must be strings"):
        alphanumeric.encode([1, 2], text_field(2), CodecOptions())


def test_encode_into_writes_only_the_masked_rows():
    field = text_field(2)
    matrix = np.zeros((3, 4), dtype=np.uint8)
    alphanumeric.encode_into(matrix, 1, ["AB", "CD", "EF"], field, CodecOptions(codepage="latin-1"),
                             mask=np.array([True, False, True]))
    assert [bytes(r) for r in matrix] == [b"\x00AB\x00", b"\x00\x00\x00\x00", b"\x00EF\x00"]


def test_encode_into_writes_nothing_when_a_value_fails_and_reports_the_records_row():
    matrix = np.zeros((3, 2), dtype=np.uint8)
    with pytest.raises(EncodeError, match="record 3"):
        alphanumeric.encode_into(matrix, 0, ["AB", "CD", "EFG"], text_field(2), CodecOptions(),
                                 mask=np.array([True, False, True]))
    assert not matrix.any()


def test_per_field_code_page_override_is_used():
    field = text_field(3)
    options = CodecOptions(codepage="cp037", field_codepages={"CUST-NAME": "cp1047"})
    assert bytes(alphanumeric.encode(["[]^"], field, options)[0]) == bytes.fromhex("adbd5f")


def test_a_column_outside_the_records_is_refused():
    with pytest.raises(ValueError, match="does not fit records of 4 bytes"):
        alphanumeric.decode(np.zeros((1, 4), dtype=np.uint8), 2, text_field(3), CodecOptions())


def test_columns_that_could_pass_2_gib_use_large_string_offsets(monkeypatch):
    monkeypatch.setattr(alphanumeric, "_INT32_LIMIT", 10)
    got = alphanumeric.decode(matrix_of(b"\xc1\xc2\xc3\xc4", b"\xc5\x40\x40\x40"), 0, text_field(4), CodecOptions())
    assert got.type == pa.large_string()
    assert got.to_pylist() == ["ABCD", "E"]


ISSUE_PAGES = ["cp037", "cp273", "cp277", "cp278", "cp280", "cp284", "cp285", "cp297", "cp500", "cp871",
               "cp875", "cp1025", "cp1026", "cp1047", *[f"cp{n}" for n in range(1140, 1150)], "ascii", "latin-1"]


@pytest.mark.parametrize("name", ISSUE_PAGES)
def test_every_listed_code_page_carries_its_printable_repertoire_through_the_arrow_path(name):
    page = codepage(name)
    text = "".join(dict.fromkeys(ch for ch in page.decode_table if ch.isprintable() and ch != "\ufffd"))
    field = text_field(len(text))
    options = CodecOptions(codepage=name, trim="none")
    encoded = alphanumeric.encode([text], field, options)
    assert bytes(encoded[0]) == text.encode(page.codec)
    assert alphanumeric.decode(encoded, 0, field, options).to_pylist() == [text]


@settings(max_examples=50, deadline=None)
@given(rows=st.lists(st.binary(min_size=117, max_size=117), min_size=1, max_size=10),
       name=st.sampled_from(["cp037", "cp1047", "cp1141", "latin-1"]))
def test_every_text_column_of_the_customer_copybook_agrees_with_the_reference_codec(rows, name):
    from bridge.codec.reference import reference_codec
    from bridge.copybook import load_copybook
    from tests.conftest import COPYBOOKS

    rec = load_copybook(COPYBOOKS / "customer.cpy").record()
    options = CodecOptions(codepage=name)
    matrix = matrix_of(*rows)
    expected = [reference_codec(rec, options).decode(r) for r in rows]
    for f in rec.elementary():
        if f.kind is not Kind.ALPHANUMERIC or f.is_filler:
            continue
        for k in range(f.occurrences):
            offset = f.offset + k * (f.dims[0].stride if f.dims else 0)
            key = f.qualified_name.replace(".REASON-CODE", f".REASON-CODE({k + 1})") if f.dims else f.qualified_name
            got = alphanumeric.decode(matrix, offset, f, options).to_pylist()
            assert got == [e[key] for e in expected]


# ---- targeted vectors: edges of avail, trimming, buffers, UTF-8 widths, errors ------------------
def test_a_negative_or_longer_avail_reads_nothing_or_the_whole_field():
    field = text_field(3)
    matrix = matrix_of("ABC".encode("cp037"), "DEF".encode("cp037"), "GHI".encode("cp037"))
    got = alphanumeric.decode(matrix, 0, field, CodecOptions(trim="none"), avail=[-4, 3, 7])
    assert got.to_pylist() == ["", "DEF", "GHI"]


def test_avail_for_a_different_number_of_rows_is_refused():
    with pytest.raises(ValueError, match=r"avail has shape \(3,\), expected \(2,\)"):
        alphanumeric.decode(np.zeros((2, 3), np.uint8), 0, text_field(3), CodecOptions(), avail=[1, 2, 3])


def test_trimming_left_and_both_stop_at_the_available_bytes():
    field = text_field(6)
    matrix = matrix_of(b"\x40\xc1\x40\xc2\x40\x40")
    for trim, want in (("left", "A "), ("both", "A"), ("right", " A"), ("none", " A ")):
        got = alphanumeric.decode(matrix, 0, field, CodecOptions(trim=trim), avail=[3])
        assert got.to_pylist() == [want], trim


def test_an_all_space_field_trims_to_the_empty_string_in_every_mode_but_none():
    matrix = matrix_of(b"\x40\x40\x40")
    for trim, want in (("left", ""), ("both", ""), ("right", ""), ("none", "   ")):
        assert alphanumeric.decode(matrix, 0, text_field(3), CodecOptions(trim=trim)).to_pylist() == [want]


def test_a_matrix_that_is_not_two_dimensional_bytes_is_refused():
    with pytest.raises(TypeError, match="2-D uint8 array"):
        alphanumeric.decode(np.zeros((2, 3), np.int16), 0, text_field(3), CodecOptions())
    with pytest.raises(TypeError, match="2-D uint8 array"):
        alphanumeric.decode(np.zeros(3, np.uint8), 0, text_field(3), CodecOptions())


def test_a_column_at_a_negative_offset_is_refused_naming_the_field():
    with pytest.raises(ValueError, match=r"field CUSTOMER-REC.CUST-NAME at byte offset -1 length 3 does not fit"):
        alphanumeric.decode(np.zeros((1, 4), np.uint8), -1, text_field(3), CodecOptions())


def test_a_column_that_ends_exactly_at_the_record_end_is_read():
    got = alphanumeric.decode(matrix_of(b"\x00" + "AB".encode("cp037")), 1, text_field(2), CodecOptions())
    assert got.to_pylist() == ["AB"]


def test_a_valid_mask_without_nulls_gives_no_validity_buffer():
    got = alphanumeric.arrow_strings(np.array([0, 1, 2], np.int32), np.frombuffer(b"AB", np.uint8),
                                     np.array([True, True]))
    assert got.to_pylist() == ["A", "B"] and got.null_count == 0 and got.buffers()[0] is None
    nulls = alphanumeric.arrow_strings(np.array([0, 1, 2], np.int64), np.frombuffer(b"AB", np.uint8),
                                       [False, True])
    assert nulls.type == pa.large_string() and nulls.to_pylist() == [None, "B"] and nulls.null_count == 1


@pytest.mark.parametrize("text, page, data", [
    ("é", "latin-1", b"\xe9"), ("é", "cp037", b"\x51"), ("€", "cp1140", b"\x9f"), ("ß", "cp273", b"\xa1"),
    ("aé€", "cp1140", b"\x81\x51\x9f"),
])
def test_two_and_three_byte_utf8_characters_encode_to_their_code_page_byte(text, page, data):
    field = text_field(len(data))
    assert alphanumeric.encode([text], field, CodecOptions(codepage=page)).tobytes() == data
    assert alphanumeric.decode(matrix_of(data), 0, field, CodecOptions(codepage=page)).to_pylist() == [text]


def test_utf8_count_counts_characters_not_bytes():
    data = np.frombuffer("aé€😀".encode(), np.uint8)
    assert alphanumeric.utf8_count(data, 0, len(data)) == 4
    assert [alphanumeric.utf8_char(data, p) for p in (0, 1, 3, 6)] == [(0x61, 1), (0xE9, 2), (0x20AC, 3),
                                                                       (0x1F600, 4)]


def test_a_value_of_exactly_the_fields_length_is_written_whole_in_either_justification():
    for justified in (False, True):
        assert alphanumeric.encode(["ABCD"], text_field(4, justified=justified),
                                   CodecOptions(codepage="latin-1")).tobytes() == b"ABCD"


def test_an_unencodable_character_after_the_truncated_part_is_named_at_its_position():
    with pytest.raises(EncodeError, match=r"'€' \(U\+20AC\) at position 5 of 'ABCD€F'"):
        alphanumeric.encode(["ABCD€F"], text_field(3, justified=True), CodecOptions(), truncate=True)
    cut = alphanumeric.encode(["AB€DEF"], text_field(2), CodecOptions(), truncate=True)
    assert cut.tobytes() == "AB".encode("cp037")


def test_the_row_of_the_second_value_is_reported_when_it_fails():
    with pytest.raises(EncodeError, match=r"^record 2, .*at position 1 of '€'"):
        alphanumeric.encode(["A", "€"], text_field(2), CodecOptions())


def test_empty_strings_and_null_arrays_encode_as_spaces():
    assert alphanumeric.encode(["", ""], text_field(2), CodecOptions()).tobytes() == b"\x40" * 4
    assert alphanumeric.encode(pa.nulls(2), text_field(1), CodecOptions()).tobytes() == b"\x40\x40"
    assert alphanumeric.encode(pa.array([], pa.string()), text_field(1), CodecOptions()).shape == (0, 1)


def test_non_string_arrow_arrays_are_written_as_their_text():
    assert alphanumeric.encode(pa.array([12, 3]), text_field(2), CodecOptions(codepage="latin-1")).tobytes() == b"123 "


def test_encode_into_without_a_mask_writes_every_row_and_refuses_a_count_mismatch():
    matrix = np.zeros((2, 5), np.uint8)
    alphanumeric.encode_into(matrix, 2, ["A", "BC"], text_field(2), CodecOptions(codepage="latin-1"))
    assert matrix.tobytes() == b"\x00\x00A \x00" + b"\x00\x00BC\x00"
    with pytest.raises(ValueError, match="3 values for 2 records"):
        alphanumeric.encode_into(matrix, 1, ["A", "B", "C"], text_field(2), CodecOptions())


@pytest.mark.parametrize("cp", [0x00, 0x41, 0x7F, 0x80, 0xE9, 0x3FF, 0x7FF, 0x800, 0x841, 0x1234, 0x20AC, 0xFFFF,
                                0x10000, 0x1F600, 0x10FFFF])
def test_utf8_char_reads_every_sequence_length_and_every_payload_bit(cp):
    data = np.frombuffer(b"#" + chr(cp).encode() + b"#", np.uint8)
    assert alphanumeric.utf8_char(data, 1) == (cp, len(chr(cp).encode()))


def test_a_slice_from_the_start_of_an_arrow_array_encodes_only_its_own_rows():
    arr = pa.array(["AB", "CD", "EF", "GH"]).slice(0, 2)
    assert alphanumeric.encode(arr, text_field(2), CodecOptions(codepage="latin-1")).tobytes() == b"ABCD"
    middle = pa.array(["AB", "CD", "EF", "GH"]).slice(1, 2)
    assert alphanumeric.encode(middle, text_field(2), CodecOptions(codepage="latin-1")).tobytes() == b"CDEF"


def test_a_wide_column_well_under_2_gib_keeps_32_bit_offsets():
    field = text_field(50_000)
    got = alphanumeric.decode(np.full((3, 50_000), 0xC1, np.uint8), 0, field, CodecOptions())
    assert got.type == pa.string()
    assert [len(s) for s in got.to_pylist()] == [50_000] * 3
