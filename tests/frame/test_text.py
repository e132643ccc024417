"""RECFM TEXT: lines padded with the code page's space, each line end kept."""
from __future__ import annotations

import pytest

from bridge.errors import FramingError
from bridge.frame import FrameOptions, LineEnd, iter_batches, read_batch

from .framefiles import tiny_chunks

ASCII = dict(recfm="TEXT", lrecl=8, text_space=0x20)


def test_lines_are_right_padded_with_the_space_byte():
    batch = read_batch(b"ab\nabcdefgh\n\n", FrameOptions(**ASCII))
    assert batch.matrix.tobytes() == b"ab      abcdefgh        "
    assert batch.lengths.tolist() == [2, 8, 0]
    assert batch.file_offsets.tolist() == [0, 3, 12]


def test_ebcdic_text_is_padded_with_x40_by_default():
    batch = read_batch(b"\xc1\x15", FrameOptions(recfm="TEXT", lrecl=3))
    assert batch.matrix.tobytes() == b"\xc1\x40\x40"
    assert batch.line_ends.tolist() == [LineEnd.NL]


def test_auto_keeps_lf_and_crlf_per_line():
    batch = read_batch(b"a\r\nb\nc", FrameOptions(**ASCII))
    assert batch.records() == [b"a", b"b", b"c"]
    assert batch.line_ends.tolist() == [LineEnd.CRLF, LineEnd.LF, LineEnd.NONE]


def test_lf_mode_keeps_a_carriage_return_as_data():
    batch = read_batch(b"a\r\n", FrameOptions(**ASCII, text_newline="lf"))
    assert batch.records() == [b"a\r"]


def test_nl_mode_ignores_lf_bytes():
    batch = read_batch(b"a\nb\x15c\x15", FrameOptions(**ASCII, text_newline="nl"))
    assert batch.records() == [b"a\nb", b"c"]


def test_auto_picks_nl_when_x15_comes_first():
    batch = read_batch(b"\xc1\x15\xc2\x25\x15", FrameOptions(recfm="TEXT", lrecl=4))
    assert batch.records() == [b"\xc1", b"\xc2\x25"]


def test_file_without_any_line_end_is_one_line():
    batch = read_batch(b"abc", FrameOptions(**ASCII))
    assert batch.records() == [b"abc"] and batch.line_ends.tolist() == [LineEnd.NONE]


def test_line_longer_than_lrecl_is_refused_with_its_number_and_offset():
    with pytest.raises(FramingError) as err:
        read_batch(b"ok\n123456789\n", FrameOptions(**ASCII))
    assert err.value.record == 2 and err.value.offset == 3
    assert "line of 9 bytes is longer than LRECL 8" in str(err.value)
    assert "binary data cannot be read as TEXT" in str(err.value)


def test_line_without_end_longer_than_lrecl_is_refused_before_reading_it_all():
    with tiny_chunks(4), pytest.raises(FramingError, match="no line end found yet"):
        read_batch(b"x" * 100 + b"\n", FrameOptions(**ASCII))


def test_lines_straddling_chunks_keep_their_crlf():
    data = b"".join(b"line%d\r\n" % i for i in range(200))
    with tiny_chunks(5):
        batches = list(iter_batches(data, FrameOptions(**ASCII), batch_records=30))
    assert [r for b in batches for r in b.records()] == [b"line%d" % i for i in range(200)]
    assert all(e == LineEnd.CRLF for b in batches for e in b.line_ends)


def test_without_lrecl_the_matrix_is_as_wide_as_the_longest_line():
    batch = read_batch(b"a\nabcde\n", FrameOptions(recfm="TEXT", text_space=0x20))
    assert batch.matrix.shape == (2, 5)
