"""RECFM F/FB edges a mutation run found untested: batch sizes, where a batch ends, which record an
error names, and records of their own length read across many small chunks."""
from __future__ import annotations

import numpy as np
import pytest

from bridge.errors import FramingError
from bridge.frame import FrameOptions, iter_batches, read_batch
from bridge.frame import fixed

F10 = FrameOptions(recfm="FB", lrecl=10)


def _first_byte_is_length(head: np.ndarray) -> int:
    return int(head[0])


def test_batch_bytes_smaller_than_one_record_still_gives_one_record_per_batch():
    batches = list(iter_batches(bytes(30), F10, batch_bytes=5))
    assert [len(b) for b in batches] == [1, 1, 1]


def test_batch_bytes_fit_two_records_per_batch():
    batches = list(iter_batches(bytes(30), F10, batch_bytes=25))
    assert [len(b) for b in batches] == [2, 1]


def test_file_of_whole_batches_gives_no_extra_empty_batch():
    batches = list(iter_batches(bytes(40), F10, batch_records=4))
    assert [len(b) for b in batches] == [4]


def test_header_comes_with_the_first_batch_only():
    batches = list(iter_batches(b"HD" + bytes(30), FrameOptions(lrecl=10, skip_header_bytes=2),
                                batch_records=2))
    assert [b.header for b in batches] == [b"HD", b""]
    assert [b.first_record for b in batches] == [0, 2]
    assert [b.file_offsets.tolist() for b in batches] == [[2, 12], [22]]


def test_fragment_in_a_later_batch_counts_the_records_of_the_earlier_ones():
    with pytest.raises(FramingError) as err:
        list(iter_batches(bytes(35), F10, batch_records=2))
    assert "3 whole records and a trailing fragment of 5 bytes" in str(err.value)
    assert (err.value.record, err.value.offset) == (4, 30)


def test_own_length_batches_follow_batch_bytes():
    options = FrameOptions(lrecl=4, variable_occurs=True)
    batches = list(iter_batches(b"\x02a" * 5, options, record_length=_first_byte_is_length, batch_bytes=9))
    assert [len(b) for b in batches] == [2, 2, 1]
    batches = list(iter_batches(b"\x02a" * 3, options, record_length=_first_byte_is_length, batch_bytes=3))
    assert [len(b) for b in batches] == [1, 1, 1]


def test_own_length_header_comes_with_the_first_batch_only():
    options = FrameOptions(lrecl=4, variable_occurs=True, skip_header_bytes=1)
    batches = list(iter_batches(b"H" + b"\x02a" * 3, options, record_length=_first_byte_is_length,
                                batch_records=2))
    assert [b.header for b in batches] == [b"H", b""]
    assert [b.file_offsets.tolist() for b in batches] == [[1, 3], [5]]


def test_own_length_callable_sees_lrecl_bytes_and_fewer_only_at_the_end():
    seen: list[bytes] = []

    def length(head: np.ndarray) -> int:
        seen.append(head.tobytes())
        return int(head[0])

    read_batch(b"\x02a\x03bc\x01", FrameOptions(lrecl=4, variable_occurs=True), record_length=length)
    assert seen == [b"\x02a\x03b", b"\x03bc\x01", b"\x01"]


def test_own_length_of_exactly_lrecl_is_accepted():
    batch = read_batch(b"\x04abc\x01", FrameOptions(lrecl=4, variable_occurs=True),
                       record_length=_first_byte_is_length)
    assert batch.records() == [b"\x04abc", b"\x01"]


def test_own_length_of_zero_is_refused_not_looped_on():
    with pytest.raises(FramingError) as err:
        read_batch(b"\x02a\x00abc", FrameOptions(lrecl=4, variable_occurs=True),
                   record_length=_first_byte_is_length)
    assert "the record's own length is 0, outside 1..LRECL 4" in str(err.value)
    assert (err.value.record, err.value.offset, err.value.seen) == (2, 2, b"\x00abc")


def test_own_length_error_shows_at_most_16_bytes_and_counts_earlier_batches():
    data = b"\x01" * 5 + bytes([30]) + bytes(range(1, 20))
    with pytest.raises(FramingError) as err:
        list(iter_batches(data, FrameOptions(lrecl=20, variable_occurs=True),
                          record_length=_first_byte_is_length, batch_records=2))
    assert (err.value.record, err.value.offset) == (6, 5)
    assert err.value.seen == bytes([30]) + bytes(range(1, 16))


def test_own_length_past_the_end_names_record_offset_and_bytes_left():
    with pytest.raises(FramingError) as err:
        read_batch(b"\x02a\x06ab", FrameOptions(lrecl=8, variable_occurs=True),
                   record_length=_first_byte_is_length)
    assert err.value.reason == "a record of 6 bytes runs past the end of the file (3 bytes left)"
    assert (err.value.record, err.value.offset, err.value.seen) == (2, 2, b"\x06ab")


def test_own_length_past_the_end_shows_at_most_16_bytes():
    data = b"\x01\x01" + bytes([30]) + bytes(range(1, 20))
    with pytest.raises(FramingError) as err:
        read_batch(data, FrameOptions(lrecl=40, variable_occurs=True), record_length=_first_byte_is_length)
    assert err.value.reason == "a record of 30 bytes runs past the end of the file (20 bytes left)"
    assert (err.value.record, err.value.offset) == (3, 2)
    assert err.value.seen == bytes([30]) + bytes(range(1, 16))


def _own_length_file(count: int) -> tuple[bytes, list[bytes]]:
    records = [bytes([n % 4 + 1]) + b"xyz"[: n % 4] for n in range(count)]
    return b"".join(records), records


@pytest.mark.parametrize("batch_records", [1, 7, 64, 1000])
def test_own_length_records_read_across_small_chunks_are_all_found(monkeypatch, batch_records):
    monkeypatch.setattr(fixed, "CHUNK_SIZE", 16)
    data, records = _own_length_file(101)
    options = FrameOptions(lrecl=4, variable_occurs=True, skip_header_bytes=2, skip_trailer_bytes=3)
    batches = list(iter_batches(b"HD" + data + b"TRL", options, record_length=_first_byte_is_length,
                                batch_records=batch_records))
    assert [r for b in batches for r in b.records()] == records
    assert [b.first_record for b in batches] == list(range(0, 101, batch_records))
    offsets = np.concatenate([b.file_offsets for b in batches]).tolist()
    assert offsets == [2 + sum(len(r) for r in records[:n]) for n in range(101)]
    assert batches[-1].trailer == b"TRL" and all(b.trailer == b"" for b in batches[:-1])


def test_own_length_trailer_after_a_full_last_batch_comes_on_an_empty_batch(monkeypatch):
    monkeypatch.setattr(fixed, "CHUNK_SIZE", 16)
    data, records = _own_length_file(40)
    options = FrameOptions(lrecl=4, variable_occurs=True, skip_trailer_bytes=1)
    batches = list(iter_batches(data + b"T", options, record_length=_first_byte_is_length,
                                batch_records=40))
    assert [r for b in batches for r in b.records()] == records
    assert batches[-1].trailer == b"T"


def test_own_length_error_counts_records_of_earlier_batches_and_of_this_one():
    data = b"\x01" * 5 + bytes([9]) + bytes(8)
    with pytest.raises(FramingError) as err:
        list(iter_batches(data, FrameOptions(lrecl=4, variable_occurs=True),
                          record_length=_first_byte_is_length, batch_records=3))
    assert (err.value.record, err.value.offset) == (6, 5)
