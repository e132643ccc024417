"""gather_records: record spans copied into the padded matrix (one memcpy per record)."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from bridge.frame.batch import gather_records


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=70), max_size=30), st.integers(0, 255), st.integers(0, 5))
def test_each_record_lands_in_its_row_and_the_rest_of_the_row_is_padding(records, pad, spare):
    src = np.frombuffer(b"".join(records), dtype=np.uint8)
    lengths = np.array([len(r) for r in records], dtype=np.int32)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64) if records else np.empty(0, np.int64)
    width = (max(lengths) if records else 0) + spare
    out = np.full((len(records), width), 7, dtype=np.uint8)
    gather_records(src, starts, lengths, out, pad)
    for row, r in zip(out, records):
        assert row.tobytes() == r + bytes([pad]) * (width - len(r))


def test_a_span_past_the_buffer_is_refused_before_any_copy():
    src = np.arange(10, dtype=np.uint8)
    out = np.zeros((1, 8), dtype=np.uint8)
    with pytest.raises(ValueError, match="leaves the buffer"):
        gather_records(src, np.array([5], dtype=np.int64), np.array([8], dtype=np.int32), out, 0)
    assert not out.any()


def test_a_record_wider_than_the_matrix_is_refused():
    src = np.arange(10, dtype=np.uint8)
    out = np.zeros((1, 4), dtype=np.uint8)
    with pytest.raises(ValueError, match="does not fit a row"):
        gather_records(src, np.array([0], dtype=np.int64), np.array([5], dtype=np.int32), out, 0)
