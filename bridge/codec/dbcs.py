"""PIC G / PIC N USAGE DISPLAY-1 (DBCS) columns ↔ Arrow string arrays of hexadecimal text.

Python has no EBCDIC double-byte codec (cp930, cp939, cp933, cp935, cp937 are absent from the
standard library and from the ``ebcdic`` package), and guessing one would produce plausible but
wrong text. So a DBCS value is shown as what it is: the uppercase hexadecimal of its bytes,
four hex digits per double-byte character (``42C142C2`` for the DBCS form of "AB"). This is
lossless, round-trips exactly, and a consumer that knows the CCSID can map it further. A real
table can later be plugged in without changing the contract.

* The DBCS space is the code page's space byte doubled (x'4040' in EBCDIC); trimming removes
  whole DBCS spaces as the ``trim`` option says.
* Encode takes the same hex text (upper or lower case), a multiple of four digits, and pads
  with DBCS spaces (on the left for JUSTIFIED RIGHT). Bad hex, odd lengths and values longer
  than the field raise `EncodeError`.
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
    field_codepage,
    place_text,
    string_buffers,
)
from bridge.codec.jit import njit
from bridge.codec.options import CodecOptions
from bridge.errors import EncodeError
from bridge.layout.model import Field

__all__ = ["decode", "encode", "encode_into"]

_HEX = np.frombuffer(b"0123456789ABCDEF", dtype=np.uint8)
_NIBBLE = np.full(256, -1, dtype=np.int16)
for _i, _c in enumerate(b"0123456789ABCDEF"):
    _NIBBLE[_c] = _i
for _i, _c in enumerate(b"abcdef"):
    _NIBBLE[_c] = 10 + _i


def decode(matrix: np.ndarray, offset: int, field: Field, options: CodecOptions, *,
           avail: np.ndarray | None = None, valid: np.ndarray | None = None) -> pa.Array:
    """The field's column as hex text, 4 digits per DBCS character (see the module docstring)."""
    page = field_codepage(field, options)
    width = field.length
    check_column(matrix, offset, width, field)
    n = matrix.shape[0]
    large = n * width * 2 > 2**31 - 1
    offsets = np.empty(n + 1, dtype=np.int64 if large else np.int32)
    starts = np.empty(n, dtype=np.int64)
    ends = np.empty(n, dtype=np.int64)
    total = _measure(matrix, offset, width, available_bytes(avail, n), page.space, TRIM_MODES[options.trim],
                     starts, ends, offsets)
    data = np.empty(total, dtype=np.uint8)
    _fill(matrix, starts, ends, offsets, _HEX, data)
    return arrow_strings(offsets, data, valid)


@njit(cache=True, nogil=True)
def _measure(matrix, offset, width, avail, space, trim, starts, ends, offsets):
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
            while e > s and matrix[i, e - 2] == space and matrix[i, e - 1] == space:
                e -= 2
        if trim & 2:
            while s < e and matrix[i, s] == space and matrix[i, s + 1] == space:
                s += 2
        total += 2 * (e - s)
        starts[i] = s
        ends[i] = e
        offsets[i + 1] = total
    return total


@njit(cache=True, nogil=True)
def _fill(matrix, starts, ends, offsets, hexdigits, data):
    for i in range(matrix.shape[0]):
        pos = offsets[i]
        for j in range(starts[i], ends[i]):
            b = matrix[i, j]
            data[pos] = hexdigits[b >> 4]
            data[pos + 1] = hexdigits[b & 0x0F]
            pos += 2


def encode(values: pa.Array | Sequence[str | None], field: Field, options: CodecOptions, *,
           rows: np.ndarray | None = None, truncate: bool = False) -> np.ndarray:
    """The field's bytes from hex text per value, padded with DBCS spaces; `EncodeError` if it does not fit."""
    page = field_codepage(field, options)
    arr = arrow_text(values)
    offsets, data, valid = string_buffers(arr)
    out = np.empty((len(arr), field.length), dtype=np.uint8)
    status = np.zeros(3, dtype=np.int64)
    _encode_rows(data, offsets, valid, _NIBBLE, page.space, field.length, field.justified, truncate,
                 out, status)
    if status[0]:
        kind, i, extra = (int(x) for x in status)
        value = arr[i].as_py()
        if kind == 1:
            message = (f"value {value!r} holds {extra} DBCS characters, more than the field's "
                       f"{field.length // 2}; shorten it or ask for truncation")
        else:
            message = (f"value {value!r} is not DBCS hex text (4 hex digits per character, "
                       f"as decode writes it)")
        raise EncodeError(message, row=int(rows[i]) if rows is not None else i,
                          field=field.qualified_name, value=value, picture=field.picture)
    return out


def encode_into(matrix: np.ndarray, offset: int, values: pa.Array | Sequence[str | None], field: Field,
                options: CodecOptions, mask: np.ndarray | None = None, *, truncate: bool = False) -> None:
    """Write the field at ``offset`` of the rows where ``mask`` is true (every row when None)."""
    place_text(encode, matrix, offset, values, field, options, mask, truncate=truncate)


@njit(cache=True, nogil=True)
def _encode_rows(data, offsets, valid, nibble, space, width, justified, truncate, out, status):
    n = offsets.shape[0] - 1
    usable = width - (width & 1)
    for i in range(n):
        for k in range(width):
            out[i, k] = space
        if not valid[i]:
            continue
        p = offsets[i]
        q = offsets[i + 1]
        digits = q - p
        if digits % 4:
            status[0] = 2
            status[1] = i
            return
        for k in range(p, q):
            if nibble[data[k]] < 0:
                status[0] = 2
                status[1] = i
                return
        nbytes = digits // 2
        if nbytes > usable:
            if not truncate:
                status[0] = 1
                status[1] = i
                status[2] = digits // 4
                return
            if justified:
                p = q - 2 * usable
            nbytes = usable
        col = usable - nbytes if justified else 0
        for k in range(nbytes):
            out[i, col + k] = (nibble[data[p + 2 * k]] << 4) | nibble[data[p + 2 * k + 1]]
