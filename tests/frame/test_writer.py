"""FrameWriter: framing for new records, and refusals that name the record and the option."""
from __future__ import annotations

import gzip
import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bridge.errors import FramingError
from bridge.frame import (BLOCK_NONE, FrameOptions, FrameWriter, RecordBatch, read_batch,
                          write_batches)
from bridge.frame.rdw import parse_bdw

from .framefiles import v_file


def written(options: FrameOptions, *batches: RecordBatch, **kw) -> bytes:
    out = io.BytesIO()
    write_batches(out, batches, options, **kw)
    return out.getvalue()


def test_fixed_records_are_written_as_the_matrix_bytes():
    batch = RecordBatch.of(np.frombuffer(b"abcdef", np.uint8).reshape(2, 3))
    assert written(FrameOptions(lrecl=3), batch) == b"abcdef"


def test_fixed_record_of_another_length_is_refused():
    batch = RecordBatch.from_records([b"abc", b"ab"])
    with pytest.raises(FramingError) as err:
        written(FrameOptions(lrecl=3), batch)
    assert err.value.record == 2
    assert "exactly LRECL 3" in str(err.value) and "--variable-occurs" in str(err.value)


def test_variable_occurs_records_are_written_at_their_own_length():
    batch = RecordBatch.from_records([b"abc", b"ab"])
    assert written(FrameOptions(lrecl=3, variable_occurs=True), batch) == b"abcab"


@pytest.mark.parametrize("endian, adjust, rdw", [("big", 0, "00060000"), ("little", 0, "00000600"),
                                                 ("big", 4, "00020000")])
def test_rdw_is_computed_from_the_record_length(endian, adjust, rdw):
    batch = RecordBatch.from_records([b"ab"])
    options = FrameOptions(recfm="V", rdw_endian=endian, rdw_adjust=adjust)
    assert written(options, batch) == bytes.fromhex(rdw) + b"ab"


def test_variable_record_longer_than_lrecl_is_refused():
    with pytest.raises(FramingError, match="longer than LRECL 2"):
        written(FrameOptions(recfm="V", lrecl=2), RecordBatch.from_records([b"abc"]))


@settings(max_examples=60, deadline=None)
@given(recs=st.lists(st.binary(max_size=3000), max_size=40), block_size=st.sampled_from([200, 9000, 27998]),
       split=st.integers(1, 40))
def test_new_records_are_packed_in_blocks_no_larger_than_the_block_size(recs, block_size, split):
    options = FrameOptions(recfm="VB", bdw=True)
    batches = [RecordBatch.from_records(recs[i:i + split]) for i in range(0, len(recs), split)]
    data = written(options, *batches, block_size=block_size)
    batch = read_batch(data, options)
    assert batch.records() == recs
    pos, sizes = 0, []
    while pos < len(data):
        sizes.append(parse_bdw(data[pos:pos + 4]).length)
        pos += sizes[-1]
    # a block holds more than one record only when they fit the block size
    assert all(s <= max(block_size, 8 + max(len(r) for r in recs)) for s in sizes)


def test_batch_starting_inside_a_block_needs_an_open_block():
    batch = RecordBatch.from_records([b"ab"])
    batch.blocks = np.array([BLOCK_NONE], dtype=np.int8)
    with pytest.raises(FramingError, match="does not start a block"):
        written(FrameOptions(recfm="VB", bdw=True), batch)


def test_text_lines_get_the_option_line_end():
    ebcdic = RecordBatch.from_records([b"ab", b"c"], pad=0x40)
    ascii_ = RecordBatch.from_records([b"ab", b"c"], pad=0x20)
    assert written(FrameOptions(recfm="TEXT", text_newline="crlf", text_space=0x20), ascii_) == b"ab\r\nc\r\n"
    assert written(FrameOptions(recfm="TEXT"), ebcdic) == b"ab\x15c\x15"
    assert written(FrameOptions(recfm="TEXT", text_space=0x20), ascii_) == b"ab\nc\n"


def test_text_bytes_set_past_the_line_length_are_written():
    options = FrameOptions(recfm="TEXT", lrecl=6, text_space=0x20)
    batch = read_batch(b"ab\ncd\n", options)
    batch.matrix[0, 4] = ord("X")    # a patched field beyond the trimmed line
    assert written(options, batch) == b"ab  X\ncd\n"


def test_text_record_holding_its_line_end_byte_is_refused():
    with pytest.raises(FramingError, match="would come back as two records"):
        written(FrameOptions(recfm="TEXT", text_newline="lf"), RecordBatch.from_records([b"a\nb"]))


def test_header_after_records_is_refused():
    writer = FrameWriter(io.BytesIO(), FrameOptions(lrecl=1))
    writer.write(RecordBatch.from_records([b"a"]))
    late = RecordBatch.from_records([b"b"])
    late.header = b"H"
    with pytest.raises(FramingError, match="header can only come before the first record"):
        writer.write(late)


def test_gz_destination_is_compressed(tmp_path):
    path = tmp_path / "out.dat.gz"
    options = FrameOptions(recfm="V")
    write_batches(path, [RecordBatch.from_records([b"abc"])], options)
    assert gzip.decompress(path.read_bytes()) == v_file([b"abc"])
    assert read_batch(path, options).records() == [b"abc"]


def test_writer_counts_records():
    with FrameWriter(io.BytesIO(), FrameOptions(lrecl=1)) as writer:
        writer.write(RecordBatch.from_records([b"a", b"b"]))
    assert writer.records == 2
