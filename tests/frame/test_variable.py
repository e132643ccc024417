"""RECFM V/VB: RDWs, BDWs, and errors that name the offset, the bytes and the option to check."""
from __future__ import annotations

import pytest

from bridge.errors import FramingError
from bridge.frame import BLOCK_EXTENDED, BLOCK_NONE, BLOCK_STANDARD, FrameOptions, iter_batches, read_batch

from .framefiles import tiny_chunks, v_file, vb_file

V = FrameOptions(recfm="V")
RECORDS = [b"alpha", b"", b"b" * 300, b"gamma"]


def test_ibm_rdws_give_the_records_and_their_lengths():
    batch = read_batch(v_file(RECORDS), V)
    assert batch.records() == RECORDS
    assert batch.lengths.tolist() == [5, 0, 300, 5]
    assert batch.matrix.shape == (4, 300)
    assert batch.file_offsets.tolist() == [4, 13, 17, 321]


def test_short_records_are_padded_with_zeros_and_lengths_say_where_they_end():
    batch = read_batch(v_file([b"ab", b"abcd"]), V)
    assert batch.matrix.tobytes() == b"ab\0\0abcd"


def test_lrecl_sets_the_matrix_width():
    batch = read_batch(v_file([b"ab"]), FrameOptions(recfm="V", lrecl=8))
    assert batch.matrix.shape == (1, 8)


def test_record_longer_than_lrecl_is_refused_naming_lrecl():
    with pytest.raises(FramingError) as err:
        read_batch(v_file([b"abc", b"abcdefghij"]), FrameOptions(recfm="V", lrecl=8))
    assert err.value.record == 2 and err.value.offset == 7
    assert "record of 10 bytes is longer than LRECL 8" in str(err.value)
    assert "without the 4-byte RDW" in str(err.value)


def test_little_endian_rdw_read_as_big_suggests_rdw_endian_little():
    with pytest.raises(FramingError) as err:
        read_batch(v_file(RECORDS, "little"), V)
    assert err.value.offset == 0 and err.value.seen == bytes.fromhex("00000900")
    assert "little-endian RDW? try --rdw-endian little" in str(err.value)
    assert "(bytes seen: 00 00 09 00)" in str(err.value)


def test_rdw_that_counts_only_the_data_suggests_rdw_adjust_4():
    data = v_file([b"A" * 20, b"B" * 20], adjust=4)
    with pytest.raises(FramingError, match=r"RDW counts only the data\? try --rdw-adjust 4"):
        read_batch(data, V)


def test_rdw_that_counts_itself_is_rejected_with_adjust_4():
    data = v_file([b"A" * 20, b"B" * 20])
    with pytest.raises(FramingError, match=r"RDW counts itself \(IBM\)\? try --rdw-adjust 0"):
        read_batch(data, FrameOptions(recfm="V", rdw_adjust=4))


def test_rdw_adjust_4_reads_data_length_rdws():
    assert read_batch(v_file(RECORDS, adjust=4), FrameOptions(recfm="V", rdw_adjust=4)).records() == RECORDS


def test_rdw_shorter_than_itself_is_rejected():
    with pytest.raises(FramingError) as err:
        read_batch(b"\x00\x02\x00\x00ab", V)
    assert "RDW length 2 is shorter than the RDW itself" in str(err.value)
    assert "--rdw-adjust 4" in str(err.value)


def test_rdw_over_32760_is_rejected():
    with pytest.raises(FramingError, match="RDW length 32761 is over the maximum of 32760"):
        read_batch((32761).to_bytes(2, "big") + b"\0\0" + bytes(32757), V)


def test_record_running_past_end_of_file_states_what_is_missing():
    data = v_file([b"abc"]) + b"\x00\x10\x00\x00abc"
    with pytest.raises(FramingError) as err:
        read_batch(data, V)
    assert err.value.offset == 7 and err.value.record == 2
    assert "RDW announces a record of 12 bytes but the file ends 3 bytes after it" in str(err.value)


def test_bytes_too_few_for_an_rdw_at_the_end_are_refused():
    with pytest.raises(FramingError, match="2 bytes after the last record, too few for an RDW"):
        read_batch(v_file([b"abc"]) + b"\0\0", V)


def test_header_before_the_first_rdw_suggests_skip_header_bytes():
    with pytest.raises(FramingError, match="--skip-header-bytes"):
        read_batch(b"\x01" * 10 + v_file(RECORDS), V)


def test_skipped_header_and_trailer_frame_around_the_records():
    data = b"\x01" * 10 + v_file(RECORDS) + b"\x02" * 12
    batch = read_batch(data, FrameOptions(recfm="V", skip_header_bytes=10, skip_trailer_bytes=12))
    assert batch.records() == RECORDS
    assert batch.header == b"\x01" * 10 and batch.trailer == b"\x02" * 12
    assert batch.file_offsets[0] == 14


def test_records_straddling_read_chunks_are_found():
    records = [bytes([i % 251]) * (i % 37) for i in range(500)]
    with tiny_chunks(16):
        batches = list(iter_batches(v_file(records), V, batch_records=64))
    assert [r for b in batches for r in b.records()] == records
    assert [b.first_record for b in batches][:3] == [0, 64, 128]


def test_batch_bytes_bounds_the_matrix():
    records = [b"x" * 100] * 50
    batches = list(iter_batches(v_file(records), V, batch_bytes=1000))
    assert all(b.matrix.nbytes <= 1000 for b in batches)
    assert sum(len(b) for b in batches) == 50


VB = FrameOptions(recfm="VB", bdw=True)


def test_blocks_are_read_and_their_starts_kept():
    data = vb_file([(False, [b"a", b"bb"]), (True, [b"ccc"]), (False, [b"dd", b"e", b"f"])])
    batch = read_batch(data, VB)
    assert batch.records() == [b"a", b"bb", b"ccc", b"dd", b"e", b"f"]
    assert batch.blocks.tolist() == [BLOCK_STANDARD, BLOCK_NONE, BLOCK_EXTENDED, BLOCK_STANDARD,
                                     BLOCK_NONE, BLOCK_NONE]
    assert batch.file_offsets.tolist() == [8, 13, 23, 34, 40, 45]


def test_a_batch_may_end_inside_a_block():
    data = vb_file([(False, [b"a", b"b", b"c"]), (False, [b"d"])])
    batches = list(iter_batches(data, VB, batch_records=2))
    assert [b.blocks.tolist() for b in batches] == [[1, 0], [0, 1]]


def test_rdw_running_past_its_block_is_refused():
    body = v_file([b"abcd"])
    data = (len(body) + 2).to_bytes(2, "big") + b"\0\0" + body
    with pytest.raises(FramingError) as err:
        read_batch(data, VB)
    assert "RDW says 8 bytes (record and RDW) but only 6 are left in the block" in str(err.value)


def test_bdw_with_nonzero_reserved_bytes_is_refused():
    with pytest.raises(FramingError, match="BDW reserved bytes are not zero") as err:
        read_batch(b"\x00\x0c\x00\x01" + v_file([b"abcd"]), VB)
    assert err.value.seen == b"\x00\x0c\x00\x01"


def test_reading_rdw_only_file_with_bdw_suggests_dropping_bdw():
    with pytest.raises(FramingError, match="drop --bdw"):
        read_batch(v_file([b"C" + b"\0" * 63, b"P" * 60]), VB)


def test_file_ending_inside_a_block_is_refused():
    data = vb_file([(False, [b"abc", b"def"])])
    with pytest.raises(FramingError, match="block"):
        read_batch(data[:-7], VB)


def test_little_endian_blocks_follow_rdw_endian():
    data = vb_file([(False, [b"ab"]), (True, [b"cd"])], endian="little")
    batch = read_batch(data, FrameOptions(recfm="VB", bdw=True, rdw_endian="little"))
    assert batch.records() == [b"ab", b"cd"]
    assert batch.blocks.tolist() == [BLOCK_STANDARD, BLOCK_EXTENDED]
