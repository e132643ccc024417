"""The table kernels of `bridge.records.cells`: elements gathered once, occurrence after occurrence."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bridge.records.cells import gather_cells, gather_elements


def _matrix(rows: int, width: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (rows, width), dtype=np.uint8)


@settings(max_examples=60, deadline=None)
@given(rows=st.integers(1, 40), stride=st.integers(1, 24), occurs=st.integers(1, 6), start=st.integers(0, 7),
       extra=st.integers(0, 3), seed=st.integers(0, 2**32 - 1), data=st.data())
def test_gathered_elements_are_the_cells_gather_cells_copies_one_occurrence_after_another(
        rows, stride, occurs, start, extra, seed, data):
    width = start + occurs * stride + extra
    matrix = _matrix(rows, width, seed)
    held = np.array(data.draw(st.lists(st.integers(0, occurs), min_size=rows, max_size=rows)), dtype=np.int64)
    starts = np.full(rows, start, dtype=np.int64)
    length = data.draw(st.integers(1, stride))

    got = gather_elements(matrix, starts, held, stride, length)

    mask = np.arange(1, occurs + 1)[:, None] <= held[None, :]
    offsets = start + np.arange(occurs)[:, None] * stride + np.zeros(rows, dtype=np.int64)[None, :]
    assert np.array_equal(got, gather_cells(matrix, mask, offsets, length))


def test_an_element_past_the_matrix_width_reads_as_zero_bytes_not_beyond_it():
    matrix = np.arange(1, 13, dtype=np.uint8).reshape(1, 12)

    got = gather_elements(matrix, np.array([4]), np.array([3]), 4, 6)

    # elements at 4, 8 and 12 of a 12-byte row: the copy stops at the row's end, zeros after it
    assert got.tolist() == [[5, 6, 7, 8, 9, 10], [9, 10, 11, 12, 0, 0], [0] * 6]


def test_elements_of_rows_in_a_non_contiguous_matrix_are_read_from_their_own_row():
    wide = _matrix(6, 40, 3)
    matrix = wide[::2, 5:35]            # rows 80 bytes apart, each starting 5 bytes in

    got = gather_elements(matrix, np.array([2, 0, 9]), np.array([2, 1, 0]), 10, 9)

    assert got.tolist() == [matrix[0, 2:11].tolist(), matrix[1, 0:9].tolist(), matrix[0, 12:21].tolist()]
