"""The occurrences of a table item, decoded together: gather the cells the rows hold, spread them back.

Under OCCURS DEPENDING ON a batch's rows hold different numbers of occurrences, at offsets of
their own. Reading each occurrence as a column of its own (one decode per occurrence, over every
row, then nulling the rows past their count) spends most of its time on cells that do not exist.
The decision: `gather_cells` copies the cells that do exist, occurrence after occurrence, into
one matrix that one decode reads; `spread_fixed` and `spread_offsets` turn the decoded values
back into one Arrow buffer per occurrence, a row per record, with no Python per occurrence row
(`spread_widened` makes int64 decimals decimal128 in the same pass, so the 128-bit values are
written once). Kernels walk the records in order, so each record's bytes are read once; the
spreads write every cell through a mask rather than a branch, since whether a row holds an
occurrence is as unpredictable as its count.

A table whose elements all have one size (no count inside them) is cheaper still:
`gather_elements` copies each element a row holds once, 8 bytes at a time, into one matrix
from which every item of the table is decoded, instead of one `gather_cells` per item.
"""
from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

__all__ = ["gather_cells", "gather_elements", "spread_fixed", "spread_offsets", "spread_widened"]


def gather_cells(matrix: np.ndarray, held: np.ndarray, offsets: np.ndarray, length: int) -> np.ndarray:
    """The cells ``held`` marks, as a (held.sum(), length) matrix: occurrence 1 of every row that
    holds it, then occurrence 2, ...

    ``held`` and ``offsets`` are (occurrences, rows): whether each row holds each occurrence, and
    where it starts. Bytes past the matrix's width read as 0."""
    held = np.ascontiguousarray(held, dtype=np.bool_)
    out = np.empty((int(held.sum()), length), dtype=np.uint8)
    _gather_cells(matrix, held, np.ascontiguousarray(offsets, dtype=np.int64), _starts(held), out)
    return out


def gather_elements(matrix: np.ndarray, starts: np.ndarray, held: np.ndarray, stride: int,
                    width: int) -> np.ndarray:
    """The elements of a table that the rows hold, ``width`` bytes of each, as a (held.sum(),
    width) matrix in `gather_cells` order (element 1 of every row that holds it, then element
    2, ...): row ``r``'s element ``i`` (0-based) starts at ``starts[r] + i * stride`` and the
    row holds elements ``0 .. held[r] - 1``.

    One copy per element, whatever the number of items in it, so every item of the table is
    then read from this one matrix. Bytes past the matrix's width read as 0."""
    held = np.ascontiguousarray(held, dtype=np.int64)
    count = int(held.max(initial=0))
    sizes = np.bincount(held, minlength=count + 1)[::-1].cumsum()[::-1][1:]   # rows holding element i
    first = np.zeros(count, dtype=np.int64)
    np.cumsum(sizes[:-1], out=first[1:])
    out = np.empty((int(held.sum()), width), dtype=np.uint8)
    if matrix.strides[1] != 1:
        matrix = np.ascontiguousarray(matrix)
    _gather_elements(matrix, np.ascontiguousarray(starts, dtype=np.int64), held, stride, first, out)
    return out


def spread_fixed(values: np.ndarray, held: np.ndarray, sizes: np.ndarray | None = None) -> np.ndarray:
    """(occurrences, rows, width) zero-filled: ``values`` (cells in `gather_cells` order, ``width``
    units each) put back at the rows that hold them. ``sizes``: ``held.sum(axis=1)`` when known."""
    out = np.empty((held.shape[0], held.shape[1], values.shape[1]), dtype=values.dtype)
    _spread_fixed(np.ascontiguousarray(values), np.ascontiguousarray(held, dtype=np.bool_),
                  _starts(held, sizes), out)
    return out


def spread_widened(values: np.ndarray, held: np.ndarray, sizes: np.ndarray | None = None) -> np.ndarray:
    """(occurrences, rows, 2) int64 zero-filled: ``values`` (int64 cells in `gather_cells` order)
    sign-extended to 128 bits, ``[low, high]``, at the rows that hold them: the decimal128 buffers
    of the occurrences, written once (no 128-bit copy of the values is made first)."""
    out = np.empty((held.shape[0], held.shape[1], 2), dtype=np.int64)
    _spread_widened(np.ascontiguousarray(values, dtype=np.int64), np.ascontiguousarray(held, dtype=np.bool_),
                    _starts(held, sizes), out)
    return out


def spread_offsets(ends: np.ndarray, held: np.ndarray, sizes: np.ndarray | None = None) -> np.ndarray:
    """(occurrences, rows + 1) Arrow offsets into the shared character data whose ``ends`` (cells
    in `gather_cells` order, ``len + 1`` entries) are given; a row that does not hold the
    occurrence gets an empty slot."""
    out = np.empty((held.shape[0], held.shape[1] + 1), dtype=ends.dtype)
    _spread_offsets(ends, np.ascontiguousarray(held, dtype=np.bool_), _starts(held, sizes), out)
    return out


def _starts(held: np.ndarray, sizes: np.ndarray | None = None) -> np.ndarray:
    if sizes is None:
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


@intrinsic
def _copy_word(typingctx, dst, d, src, s, wide):  # pragma: no cover - compiled
    """Copy 8 bytes (``wide`` True) or 1 byte from byte ``s`` of ``src``'s data to byte ``d`` of
    ``dst``'s, unaligned: an element's items start anywhere, and a copy a byte at a time cost
    twice the whole gather."""
    def codegen(context, builder, sig, args):
        unit = ir.IntType(64 if sig.args[4].literal_value else 8).as_pointer()
        target = context.make_array(sig.args[0])(context, builder, args[0])
        source = context.make_array(sig.args[2])(context, builder, args[2])
        at = builder.bitcast(builder.gep(source.data, [args[3]]), unit)
        builder.store(builder.load(at, align=1), builder.bitcast(builder.gep(target.data, [args[1]]), unit), align=1)
        return context.get_dummy_value()

    if not isinstance(wide, types.BooleanLiteral):
        return None
    return types.void(dst, d, src, s, wide), codegen


@njit(cache=True, inline="always")
def _copy_bytes(dst, d, src, s, n):  # pragma: no cover - compiled
    """``n`` bytes from byte ``s`` of ``src``'s data to byte ``d`` of ``dst``'s: 8 at a time, the
    last 8 overlapping the ones before."""
    if n < 8:
        for j in range(n):
            _copy_word(dst, d + j, src, s + j, False)
        return
    j = 0
    while j + 8 <= n:
        _copy_word(dst, d + j, src, s + j, True)
        j += 8
    if j < n:
        _copy_word(dst, d + n - 8, src, s + n - 8, True)


@njit(cache=True, nogil=True)
def _gather_elements(matrix, starts, held, stride, first, out):  # pragma: no cover - compiled
    width = matrix.shape[1]
    pitch = matrix.strides[0]
    length = out.shape[1]
    cursor = first.copy()
    for r in range(matrix.shape[0]):
        o = starts[r]
        whole = o >= 0 and o + (held[r] - 1) * stride + length <= width
        for c in range(held[r]):
            i = cursor[c]
            cursor[c] = i + 1
            if whole:
                _copy_bytes(out, i * length, matrix, r * pitch + o, length)
            else:  # compiled code has no bounds check: never read outside the matrix
                m = min(length, max(0, width - o)) if o >= 0 else 0
                for j in range(m):
                    out[i, j] = matrix[r, o + j]
                for j in range(m, length):
                    out[i, j] = 0
            o += stride


@njit(cache=True, nogil=True)
def _spread_fixed(values, held, starts, out):  # pragma: no cover - compiled
    # flat views and a mask instead of a branch per cell: whether a row holds an occurrence is
    # as random as its count, so a branch mispredicts half the time (2.7x slower on vb-odo)
    v = values.reshape(-1)
    o = out.reshape(-1)
    hf = held.reshape(-1)
    n = held.shape[1]
    per = values.shape[1]
    last = values.shape[0] - 1
    if last < 0:
        o[:] = 0
        return
    for c in range(held.shape[0]):
        i = starts[c]
        base = c * n
        for r in range(n):
            h = hf[base + r]
            at = min(i, last) * per    # a row past the last held one reads a real value, never past the end
            m = values.dtype.type(0) - values.dtype.type(h)   # all ones where held, else 0
            to = (base + r) * per
            if per == 1:
                o[to] = v[at] & m
            elif per == 2:
                o[to] = v[at] & m
                o[to + 1] = v[at + 1] & m
            else:
                for j in range(per):
                    o[to + j] = v[at + j] & m
            i += np.int64(h)


@njit(cache=True, nogil=True)
def _spread_widened(values, held, starts, out):  # pragma: no cover - compiled
    o = out.reshape(-1)
    hf = held.reshape(-1)
    n = held.shape[1]
    last = values.shape[0] - 1
    if last < 0:
        o[:] = 0
        return
    for c in range(held.shape[0]):
        i = starts[c]
        base = c * n
        for r in range(n):
            h = hf[base + r]
            v = values[min(i, last)]
            m = np.int64(0) - np.int64(h)
            o[(base + r) * 2] = v & m
            o[(base + r) * 2 + 1] = (v >> 63) & m
            i += np.int64(h)


@njit(cache=True, nogil=True)
def _spread_offsets(ends, held, starts, out):  # pragma: no cover - compiled
    # branch-free, as `_spread_fixed`: a row's length is added times whether it holds the cell
    hf = held.reshape(-1)
    n = held.shape[1]
    last = ends.shape[0] - 2          # the last cell; a row past it reads it, never past the end
    for c in range(held.shape[0]):
        i = starts[c]
        at = ends[i]
        out[c, 0] = at
        base = c * n
        if last < 0:
            out[c, 1:] = at
            continue
        for r in range(n):
            h = hf[base + r]
            j = min(i, last)
            at += (ends[j + 1] - ends[j]) * h
            i += np.int64(h)
            out[c, r + 1] = at
