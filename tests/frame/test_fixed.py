"""RECFM F/FB: LRECL-sized records, the size check, and records that state their own length."""
from __future__ import annotations

import numpy as np
import pytest

from bridge.errors import FramingError
from bridge.frame import FrameOptions, iter_batches, read_batch

F10 = FrameOptions(recfm="FB", lrecl=10)


def test_fixed_records_become_matrix_rows():
    batch = read_batch(bytes(range(30)), F10)
    assert batch.matrix.shape == (3, 10)
    assert batch.matrix[2].tobytes() == bytes(range(20, 30))
    assert batch.lengths.tolist() == [10, 10, 10]
    assert batch.file_offsets.tolist() == [0, 10, 20]
    assert batch.matrix.flags.c_contiguous and batch.matrix.flags.writeable


def test_batches_number_their_records_from_zero_across_the_file():
    batches = list(iter_batches(bytes(100), F10, batch_records=4))
    assert [len(b) for b in batches] == [4, 4, 2]
    assert [b.first_record for b in batches] == [0, 4, 8]
    assert batches[2].file_offsets.tolist() == [80, 90]


def test_file_not_a_multiple_of_lrecl_states_sizes_and_fragment():
    with pytest.raises(FramingError) as err:
        read_batch(bytes(35), F10)
    message = str(err.value)
    assert "file size 35 bytes" in message
    assert "record length 10" in message
    assert "3 whole records and a trailing fragment of 5 bytes" in message
    assert err.value.offset == 30
    assert "--lrecl" in message


def test_fragment_message_mentions_the_skipped_bytes():
    options = FrameOptions(lrecl=10, skip_header_bytes=3, skip_trailer_bytes=2)
    with pytest.raises(FramingError, match=r"file size 30 bytes \(record area 25 bytes after skipping 5\)"):
        read_batch(bytes(30), options)


def test_header_and_trailer_are_skipped_and_carried():
    data = b"HDR" + bytes(range(20)) + b"TRAILER"
    batches = list(iter_batches(data, FrameOptions(lrecl=10, skip_header_bytes=3,
                                                   skip_trailer_bytes=7), batch_records=1))
    assert batches[0].header == b"HDR" and batches[-1].trailer == b"TRAILER"
    assert b"".join(b.matrix.tobytes() for b in batches) == bytes(range(20))
    assert batches[0].file_offsets.tolist() == [3]


def test_empty_file_gives_one_empty_batch():
    batches = list(iter_batches(b"", F10))
    assert len(batches) == 1 and batches[0].matrix.shape == (0, 10)


def test_trailer_found_after_a_full_last_batch_comes_on_an_empty_batch():
    batches = list(iter_batches(bytes(20) + b"T", FrameOptions(lrecl=10, skip_trailer_bytes=1),
                                batch_records=2))
    assert batches[-1].trailer == b"T"
    assert sum(len(b) for b in batches) == 2


def test_file_shorter_than_its_header_is_refused():
    with pytest.raises(FramingError, match="fewer than the 10-byte header"):
        read_batch(b"abc", FrameOptions(lrecl=1, skip_header_bytes=10))


def test_file_shorter_than_header_and_trailer_is_refused():
    with pytest.raises(FramingError, match="--skip-trailer-bytes"):
        read_batch(b"abcdef", FrameOptions(lrecl=1, skip_header_bytes=3, skip_trailer_bytes=5))


def _first_byte_is_length(head: np.ndarray) -> int:
    return int(head[0])


def test_records_with_their_own_length_are_cut_by_the_callable():
    data = b"\x03ab\x05abcd\x01"
    options = FrameOptions(lrecl=8, variable_occurs=True)
    batch = read_batch(data, options, record_length=_first_byte_is_length)
    assert batch.records() == [b"\x03ab", b"\x05abcd", b"\x01"]
    assert batch.matrix.shape == (3, 8)
    assert batch.file_offsets.tolist() == [0, 3, 8]


def test_own_length_records_are_batched():
    data = b"\x02a" * 7
    options = FrameOptions(lrecl=4, variable_occurs=True)
    batches = list(iter_batches(data, options, record_length=_first_byte_is_length, batch_records=3))
    assert [len(b) for b in batches] == [3, 3, 1]
    assert batches[2].first_record == 6


def test_own_length_past_lrecl_names_the_record_and_option():
    options = FrameOptions(lrecl=4, variable_occurs=True)
    with pytest.raises(FramingError) as err:
        read_batch(b"\x02a\x09abcdefgh", options, record_length=_first_byte_is_length)
    assert err.value.record == 2 and err.value.offset == 2
    assert "outside 1..LRECL 4" in str(err.value) and "--variable-occurs" in str(err.value)


def test_own_length_running_past_the_end_of_file_is_refused():
    options = FrameOptions(lrecl=8, variable_occurs=True)
    with pytest.raises(FramingError, match="runs past the end of the file"):
        read_batch(b"\x02a\x06ab", options, record_length=_first_byte_is_length)


def test_variable_occurs_without_a_length_function_is_refused():
    with pytest.raises(FramingError, match="needs a record_length function"):
        read_batch(b"ab", FrameOptions(lrecl=2, variable_occurs=True))
