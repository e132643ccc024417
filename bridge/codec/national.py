"""PIC N USAGE NATIONAL columns (UTF-16BE, CCSID 1200) ↔ Arrow string arrays.

Same contract and same approach as `bridge.codec.alphanumeric`: numba kernels translate the
column's UTF-16BE code units straight from the record matrix into one UTF-8 buffer and
offsets, and back from an Arrow string array's buffers; no Python strings on either path.

Decisions:

* The national space is U+0020 (NX'0020'), the padding IBM writes; trimming removes that code
  unit only, as the file's ``trim`` option says.
* A field's capacity is ``length // 2`` UTF-16 code units. A character outside the BMP takes
  two (a surrogate pair), as in COBOL; truncation never splits a pair.
* A lone surrogate in the data decodes to U+FFFD (it cannot be written back as it was; patch
  mode keeps such fields' bytes because it does not re-encode unchanged fields).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pyarrow as pa

from bridge.codec.alphanumeric import (
    TRIM_MODES,
    available_bytes,
    check_column,
    arrow_strings,
    arrow_text,
    string_buffers,
    place_text,
    utf8_char,
)
from bridge.codec.jit import njit
from bridge.codec.options import CodecOptions
from bridge.errors import EncodeError
from bridge.layout.model import Field

__all__ = ["NATIONAL_SPACE", "decode", "encode", "encode_into"]

NATIONAL_SPACE = 0x0020

_INT32_LIMIT = 2**31 - 1


def decode(matrix: np.ndarray, offset: int, field: Field, options: CodecOptions, *,
           avail: np.ndarray | None = None, valid: np.ndarray | None = None) -> pa.Array:
    """The field's column as an Arrow string array (see `bridge.codec.alphanumeric.decode`)."""
    width = field.length
    check_column(matrix, offset, width, field)
    n = matrix.shape[0]
    # a code unit becomes at most 3 UTF-8 bytes (a pair of them 4)
    large = n * (width // 2) * 3 > _INT32_LIMIT
    offsets = np.empty(n + 1, dtype=np.int64 if large else np.int32)
    starts = np.empty(n, dtype=np.int64)
    ends = np.empty(n, dtype=np.int64)
    total = _measure(matrix, offset, width, available_bytes(avail, n), TRIM_MODES[options.trim], starts, ends, offsets)
    data = np.empty(total, dtype=np.uint8)
    _fill(matrix, starts, ends, offsets, data)
    return arrow_strings(offsets, data, valid)


@njit(cache=True, nogil=True, inline="always")
def _unit(matrix, i, j):
    return (np.int64(matrix[i, j]) << 8) | np.int64(matrix[i, j + 1])


@njit(cache=True, nogil=True)
def _measure(matrix, offset, width, avail, trim, starts, ends, offsets):
    n = matrix.shape[0]
    has_avail = avail.shape[0] > 0
    total = 0
    offsets[0] = 0
    for i in range(n):
        usable = width
        if has_avail:
            a = avail[i]
            if a < 0:
                a = 0
            if a < usable:
                usable = a
        s = offset
        e = offset + usable - (usable & 1)
        if trim & 1:
            while e > s and _unit(matrix, i, e - 2) == 0x0020:
                e -= 2
        if trim & 2:
            while s < e and _unit(matrix, i, s) == 0x0020:
                s += 2
        j = s
        while j < e:
            u = _unit(matrix, i, j)
            if u < 0x80:
                total += 1
            elif u < 0x800:
                total += 2
            elif 0xD800 <= u < 0xDC00 and j + 2 < e and 0xDC00 <= _unit(matrix, i, j + 2) < 0xE000:
                total += 4
                j += 2
            else:
                total += 3
            j += 2
        starts[i] = s
        ends[i] = e
        offsets[i + 1] = total
    return total


@njit(cache=True, nogil=True)
def _fill(matrix, starts, ends, offsets, data):
    n = matrix.shape[0]
    for i in range(n):
        pos = offsets[i]
        j = starts[i]
        e = ends[i]
        while j < e:
            u = _unit(matrix, i, j)
            j += 2
            if u < 0x80:
                data[pos] = u
                pos += 1
            elif u < 0x800:
                data[pos] = 0xC0 | (u >> 6)
                data[pos + 1] = 0x80 | (u & 0x3F)
                pos += 2
            else:
                if 0xD800 <= u < 0xDC00 and j < e and 0xDC00 <= _unit(matrix, i, j) < 0xE000:
                    cp = 0x10000 + ((u - 0xD800) << 10) + (_unit(matrix, i, j) - 0xDC00)
                    j += 2
                    data[pos] = 0xF0 | (cp >> 18)
                    data[pos + 1] = 0x80 | ((cp >> 12) & 0x3F)
                    data[pos + 2] = 0x80 | ((cp >> 6) & 0x3F)
                    data[pos + 3] = 0x80 | (cp & 0x3F)
                    pos += 4
                    continue
                if 0xD800 <= u < 0xE000:
                    u = 0xFFFD
                data[pos] = 0xE0 | (u >> 12)
                data[pos + 1] = 0x80 | ((u >> 6) & 0x3F)
                data[pos + 2] = 0x80 | (u & 0x3F)
                pos += 3


def encode(values: pa.Array | Sequence[str | None], field: Field, options: CodecOptions, *,
           rows: np.ndarray | None = None, truncate: bool = False) -> np.ndarray:
    """The field's UTF-16BE bytes per value, padded with NX'0020'; `EncodeError` for a value too long."""
    arr = arrow_text(values)
    offsets, data, valid = string_buffers(arr)
    out = np.empty((len(arr), field.length), dtype=np.uint8)
    status = np.zeros(3, dtype=np.int64)
    _encode_rows(data, offsets, valid, field.length // 2, field.length, field.justified, truncate, out, status)
    if status[0]:
        i = int(status[1])
        value = arr[i].as_py()
        raise EncodeError(
            f"value {value!r} needs {int(status[2])} UTF-16 code units, more than the field's "
            f"{field.length // 2}; shorten it or ask for truncation",
            row=int(rows[i]) if rows is not None else i, field=field.qualified_name, value=value,
            picture=field.picture)
    return out


def encode_into(matrix: np.ndarray, offset: int, values: pa.Array | Sequence[str | None], field: Field,
                options: CodecOptions, mask: np.ndarray | None = None, *, truncate: bool = False) -> None:
    """Write the field at ``offset`` of the rows where ``mask`` is true (every row when None)."""
    place_text(encode, matrix, offset, values, field, options, mask, truncate=truncate)


@njit(cache=True, nogil=True)
def _encode_rows(data, offsets, valid, capacity, width, justified, truncate, out, status):
    n = offsets.shape[0] - 1
    for i in range(n):
        for k in range(0, width - 1, 2):
            out[i, k] = 0x00
            out[i, k + 1] = 0x20
        if width & 1:
            out[i, width - 1] = 0x00
        if not valid[i]:
            continue
        p = offsets[i]
        q = offsets[i + 1]
        units = 0
        pos = p
        while pos < q:
            cp, used = utf8_char(data, pos)
            pos += used
            units += 2 if cp >= 0x10000 else 1
        start = p
        if units > capacity:
            if not truncate:
                status[0] = 1
                status[1] = i
                status[2] = units
                return
            if justified:
                # drop leading characters until the rest fits
                while units > capacity:
                    cp, used = utf8_char(data, start)
                    start += used
                    units -= 2 if cp >= 0x10000 else 1
        col = 0
        if justified and units < capacity:
            col = (capacity - units) * 2
        pos = start
        while pos < q:
            cp, used = utf8_char(data, pos)
            need = 4 if cp >= 0x10000 else 2
            if col + need > capacity * 2:
                break
            pos += used
            if cp >= 0x10000:
                v = cp - 0x10000
                hi = 0xD800 + (v >> 10)
                lo = 0xDC00 + (v & 0x3FF)
                out[i, col] = hi >> 8
                out[i, col + 1] = hi & 0xFF
                out[i, col + 2] = lo >> 8
                out[i, col + 3] = lo & 0xFF
            else:
                out[i, col] = cp >> 8
                out[i, col + 1] = cp & 0xFF
            col += need
