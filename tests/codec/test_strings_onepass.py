"""PIC X columns decoded in one pass (`alphanumeric.decode_many`): the same strings as Python's
codecs give, byte for byte, whatever the page, trim, short records and neighbouring columns."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from bridge.codec import alphanumeric
from bridge.codec.codepage import codepage
from bridge.codec.options import CodecOptions
from bridge.layout.model import Field, Kind

#: cp037 and cp1047 give 2-byte UTF-8 for their accented letters, cp1140 and cp1148 a 3-byte one (the euro)
PAGES = ["cp037", "cp1047", "cp1140", "cp1148", "cp875", "latin-1", "ascii"]


def text_field(offset: int, length: int, name: str = "ITEM") -> Field:
    return Field(name, ("REC", name), 5, offset, length, Kind.ALPHANUMERIC, picture=f"X({length})")


def expected(matrix: np.ndarray, offset: int, width: int, page_name: str, trim: str,
             ends: np.ndarray | None) -> list[str]:
    """Each row's text as Python's codec reads it: cut at the row's end, the page's spaces trimmed."""
    page = codepage(page_name)
    space = bytes([page.space])
    out = []
    for i, row in enumerate(matrix):
        have = width if ends is None else max(0, min(width, int(ends[i]) - offset))
        raw = bytes(row[offset:offset + have])
        if trim in ("right", "both"):
            raw = raw.rstrip(space)
        if trim in ("left", "both"):
            raw = raw.lstrip(space)
        out.append(page.decode(raw))
    return out


@st.composite
def columns(draw):
    width = draw(st.integers(1, 40))
    rows = draw(st.integers(0, 30))
    data = draw(st.binary(min_size=rows * width, max_size=rows * width))
    matrix = np.frombuffer(data, dtype=np.uint8).reshape(rows, width).copy()
    # many bytes become a space (EBCDIC's or ASCII's) so that trimming has work to do
    spaces = draw(st.sampled_from([0x40, 0x20]))
    matrix[matrix % draw(st.integers(2, 5)) == 0] = spaces
    cuts = sorted(draw(st.lists(st.integers(0, width), min_size=1, max_size=5, unique=True)))
    spans = [(a, b - a) for a, b in zip([0] + cuts, cuts + [width]) if b > a]
    ends = None
    if draw(st.booleans()):
        ends = np.array(draw(st.lists(st.integers(-3, width + 3), min_size=rows, max_size=rows)), dtype=np.int64)
    return matrix, spans, ends


@settings(max_examples=80, deadline=None)
@given(columns(), st.sampled_from(PAGES), st.sampled_from(["none", "right", "left", "both"]))
def test_columns_decoded_together_read_as_pythons_codec_reads_each(case, page, trim):
    matrix, spans, ends = case
    options = CodecOptions(codepage=page, trim=trim)
    fields = [text_field(o, w, f"ITEM-{k}") for k, (o, w) in enumerate(spans)]
    arrays = alphanumeric.decode_many(matrix, [o for o, _ in spans], fields, options, ends=ends)
    for (offset, width), array in zip(spans, arrays):
        assert array.to_pylist() == expected(matrix, offset, width, page, trim, ends)


@settings(max_examples=40, deadline=None)
@given(columns(), st.sampled_from(PAGES))
def test_decoding_columns_together_equals_decoding_each_alone(case, page):
    matrix, spans, ends = case
    options = CodecOptions(codepage=page)
    fields = [text_field(o, w) for o, w in spans]
    together = alphanumeric.decode_many(matrix, [o for o, _ in spans], fields, options, ends=ends)
    for (offset, width), field, array in zip(spans, fields, together):
        avail = None if ends is None else ends - offset
        alone = alphanumeric.decode(matrix, offset, field, options, avail=avail)
        assert array.equals(alone)
        assert array.type == pa.string()


def test_a_column_of_only_multibyte_characters_does_not_spill_into_its_neighbour():
    # every byte of the first column is a 2-byte character (x'42' is 'â' in cp037): its worst case
    # fills its region to the last byte, and the next column's bytes must stay its own
    matrix = np.full((3, 8), 0x42, dtype=np.uint8)
    matrix[:, 4:] = np.frombuffer("ABCD".encode("cp037"), dtype=np.uint8)
    fields = [text_field(0, 4, "LEFT"), text_field(4, 4, "RIGHT")]
    left, right = alphanumeric.decode_many(matrix, [0, 4], fields, CodecOptions())
    assert left.to_pylist() == ["ââââ"] * 3
    assert right.to_pylist() == ["ABCD"] * 3


def test_the_euro_of_cp1140_takes_three_bytes_and_the_next_value_starts_after_them():
    matrix = np.frombuffer(b"\x9f\x40\xc1\x9f", dtype=np.uint8).reshape(2, 2).copy()
    array = alphanumeric.decode_many(matrix, [0], [text_field(0, 2)], CodecOptions(codepage="cp1140"))[0]
    assert array.to_pylist() == ["€", "A€"]
    assert array.buffers()[2].to_pybytes() == "€A€".encode("utf-8")


def test_the_data_buffer_arrow_sees_holds_only_the_bytes_written():
    matrix = np.frombuffer("AB  CD  ".encode("cp037"), dtype=np.uint8).reshape(2, 4).copy()
    array = alphanumeric.decode_many(matrix, [0], [text_field(0, 4)], CodecOptions())[0]
    assert array.buffers()[2].size == 4
    assert array.to_pylist() == ["AB", "CD"]


def test_fields_of_two_code_pages_come_back_in_the_order_asked():
    matrix = np.frombuffer(b"\xc1\xc2AB\xc3\xc4", dtype=np.uint8).reshape(1, 6).copy()
    fields = [text_field(0, 2, "E1"), text_field(2, 2, "A1"), text_field(4, 2, "E2")]
    options = CodecOptions(codepage="cp037", field_codepages={"A1": "latin-1"})
    arrays = alphanumeric.decode_many(matrix, [0, 2, 4], fields, options)
    assert [a.to_pylist() for a in arrays] == [["AB"], ["AB"], ["CD"]]
