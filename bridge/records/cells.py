"""The occurrences of a table item, decoded together: gather the cells the rows hold, spread them back.

Under OCCURS DEPENDING ON a batch's rows hold different numbers of occurrences, at offsets of
their own. Reading each occurrence as a column of its own (one decode per occurrence, over every
row, then nulling the rows past their count) spends most of its time on cells that do not exist.
The decision: `gather_cells` copies the cells that do exist, occurrence after occurrence, into
one matrix that one decode reads; `spread_fixed` and `spread_offsets` turn the decoded values
back into one Arrow buffer per occurrence, a row per record, with no Python per occurrence row.
Kernels walk the records in order, so each record's bytes are read once.
"""
from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["gather_cells", "spread_fixed", "spread_offsets"]


def gather_cells(matrix: np.ndarray, held: np.ndarray, offsets: np.ndarray, length: int) -> np.ndarray:
    """The cells ``held`` marks, as a (held.sum(), length) matrix: occurrence 1 of every row that
    holds it, then occurrence 2, ...

    ``held`` and ``offsets`` are (occurrences, rows): whether each row holds each occurrence, and
    where it starts. Bytes past the matrix's width read as 0."""
    held = np.ascontiguousarray(held, dtype=np.bool_)
    out = np.empty((int(held.sum()), length), dtype=np.uint8)
    _gather_cells(matrix, held, np.ascontiguousarray(offsets, dtype=np.int64), _starts(held), out)
    return out


def spread_fixed(values: np.ndarray, held: np.ndarray) -> np.ndarray:
    """(occurrences, rows, width) zero-filled: ``values`` (cells in `gather_cells` order, ``width``
    units each) put back at the rows that hold them."""
    out = np.empty((held.shape[0], held.shape[1], values.shape[1]), dtype=values.dtype)
    _spread_fixed(values, held, _starts(held), out)
    return out


def spread_offsets(ends: np.ndarray, held: np.ndarray) -> np.ndarray:
    """(occurrences, rows + 1) Arrow offsets into the shared character data whose ``ends`` (cells
    in `gather_cells` order, ``len + 1`` entries) are given; a row that does not hold the
    occurrence gets an empty slot."""
    out = np.empty((held.shape[0], held.shape[1] + 1), dtype=ends.dtype)
    _spread_offsets(ends, held, _starts(held), out)
    return out


def _starts(held: np.ndarray) -> np.ndarray:
    sizes = held.sum(axis=1)
    starts = np.zeros(held.shape[0], dtype=np.int64)
    np.cumsum(sizes[:-1], out=starts[1:])
    return starts


@njit(cache=True, nogil=True)
def _gather_cells(matrix, held, offsets, starts, out):  # pragma: no cover - compiled
    width = matrix.shape[1]
    length = out.shape[1]
    cursor = starts.copy()
    for r in range(matrix.shape[0]):
        for c in range(held.shape[0]):
            if not held[c, r]:
                continue
            i = cursor[c]
            cursor[c] = i + 1
            o = offsets[c, r]
            m = min(length, max(0, width - o)) if o >= 0 else 0
            for j in range(m):
                out[i, j] = matrix[r, o + j]
            for j in range(m, length):
                out[i, j] = 0


@njit(cache=True, nogil=True)
def _spread_fixed(values, held, starts, out):  # pragma: no cover - compiled
    per = values.shape[1]
    for c in range(held.shape[0]):
        i = starts[c]
        for r in range(held.shape[1]):
            if held[c, r]:
                for j in range(per):
                    out[c, r, j] = values[i, j]
                i += 1
            else:  # each output byte written once (np.zeros would write them all first)
                for j in range(per):
                    out[c, r, j] = 0


@njit(cache=True, nogil=True)
def _spread_offsets(ends, held, starts, out):  # pragma: no cover - compiled
    for c in range(held.shape[0]):
        i = starts[c]
        at = ends[i]
        out[c, 0] = at
        for r in range(held.shape[1]):
            if held[c, r]:
                at += ends[i + 1] - ends[i]
                i += 1
            out[c, r + 1] = at
