"""PIC X / PIC A (USAGE DISPLAY) columns ↔ Arrow string arrays, without Python string objects.

Strings were the bottleneck of every columnar decoder measured (building one Python ``str``
per value costs more than decoding all numeric columns together). So the decode path never
creates one: a numba kernel translates the column's bytes, straight from the record matrix,
through the code page's byte → UTF-8 tables into one data buffer plus offsets, and Arrow wraps
those buffers as they are (``pa.Array.from_buffers``). One pass: the data buffer is allocated for
the worst case (every byte its page's longest UTF-8 sequence, 2 bytes in the EBCDIC pages) and the
kernel trims, translates and records offsets as it goes; then each column's bytes are copied out at
their exact size (a memcpy, far cheaper than a second pass over the records). An
earlier version measured every row first to allocate the exact size: that second pass over the
record bytes was half of a customer file's read time. `decode_many` runs several columns of the
same page in that one pass, row by row, so each record's bytes come into cache once.

Encoding runs the other way from an Arrow string array's UTF-8 buffers: a kernel decodes the
code points, maps them through the page's ``encode_table`` and pads with the page's space.

Decisions:

* Trimming removes the code page's space byte only (x'40' in EBCDIC, x'20' in ASCII pages),
  for every trim mode including ``both``; other blank-looking bytes (low-values, NBSP, controls)
  are data and stay.
* ``avail`` (bytes of the field present in each row, for variable records shorter than the
  layout) truncates a row before trimming; rows with nothing available decode to ``""`` and
  it is the caller's ``valid`` mask that makes them null.
* Offsets are int32 (``pa.string()``) unless the column could exceed 2 GiB of UTF-8, then
  int64 (``pa.large_string()``).
* Encode pads with the page's space (on the left for JUSTIFIED RIGHT fields); a null is all
  spaces; a value longer than the field is refused unless ``truncate`` (which keeps the
  leftmost characters, or the rightmost for JUSTIFIED RIGHT, as a COBOL MOVE does).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import numpy as np
import pyarrow as pa

from bridge.codec.codepage import CodePage, codepage
from bridge.codec.jit import njit
from bridge.codec.options import CodecOptions
from bridge.errors import EncodeError
from bridge.layout.model import Field

__all__ = [
    "TRIM_MODES",
    "arrow_strings",
    "arrow_text",
    "available_bytes",
    "check_column",
    "decode",
    "decode_many",
    "encode",
    "encode_into",
    "field_codepage",
    "string_buffers",
    "utf8_char",
    "utf8_count",
]

#: trim option → kernel bit mask (1 = right, 2 = left)
TRIM_MODES = {"none": 0, "right": 1, "left": 2, "both": 3}

_INT32_LIMIT = 2**31 - 1  # pragma: no mutate (Arrow's int32 offsets; a test needs 2 GiB of text)


def field_codepage(field: Field, options: CodecOptions) -> CodePage:
    """The code page of one field (its per-field override, else the file's)."""
    return codepage(options.codepage_for(field.path))


# -- decode -------------------------------------------------------------------------------------

def decode(matrix: np.ndarray, offset: int, field: Field, options: CodecOptions, *,
           avail: np.ndarray | None = None, valid: np.ndarray | None = None) -> pa.Array:
    """The field's column at byte ``offset`` of every row of ``matrix``, as an Arrow string array.

    ``avail[i]`` (optional) is how many of the field's bytes row ``i`` has; ``valid`` (optional,
    bool per row) marks the rows that are null (False). Strings are trimmed as ``options.trim`` says.
    """
    check_column(matrix, offset, field.length, field)
    ends = None
    if avail is not None:
        ends = available_bytes(avail, matrix.shape[0]) + offset
    return decode_many(matrix, [offset], [field], options, ends=ends, valid=valid)[0]


def decode_many(matrix: np.ndarray, offsets: Sequence[int], fields: Sequence[Field], options: CodecOptions, *,
                ends: np.ndarray | None = None, valid: np.ndarray | None = None) -> list[pa.Array]:
    """Several PIC X columns of ``matrix`` at once (``fields[k]`` at byte ``offsets[k]``), as Arrow
    string arrays in the same order: equal to one `decode` per field, in one pass over the rows.

    ``ends[i]`` (optional) is the byte of row ``i`` where its data stops (a short variable record):
    a field is cut there, and is ``""`` when it starts at or after it. ``valid`` as in `decode`.
    """
    n = matrix.shape[0]
    arrays: list[pa.Array | None] = [None] * len(fields)
    groups: dict[int, list[int]] = {}
    pages: dict[int, CodePage] = {}
    for k, (offset, field) in enumerate(zip(offsets, fields)):
        check_column(matrix, offset, field.length, field)
        page = field_codepage(field, options)
        pages[id(page)] = page
        groups.setdefault(id(page), []).append(k)
    row_ends = available_bytes(ends, n)
    trim = TRIM_MODES[options.trim]
    for key, members in groups.items():
        page = pages[key]
        for large, chosen in _by_offset_width(members, fields, n, page).items():
            starts = np.array([offsets[k] for k in chosen], dtype=np.int64)
            widths = np.array([fields[k].length for k in chosen], dtype=np.int64)
            # Worst case: every byte becomes its page's longest UTF-8 sequence (scratch, freed on return)
            capacity = widths * n * page.max_utf8_length
            bases = np.zeros(len(chosen) + 1, dtype=np.int64)
            np.cumsum(capacity, out=bases[1:])
            data = np.empty(int(bases[-1]), dtype=np.uint8)
            offs = np.empty((len(chosen), n + 1), dtype=np.int64 if large else np.int32)
            totals = np.empty(len(chosen), dtype=np.int64)
            first, second, third, lengths = _utf8_tables(page)
            _translate(matrix, starts, widths, row_ends, page.space, trim, first, second, third, lengths,
                       bases, offs, data, totals)
            for c, k in enumerate(chosen):
                lo = int(bases[c])
                # a copy of exactly the bytes written (a memcpy, cheap next to the pass): the arrays
                # must not hold the worst-case buffer, which huge pages would make resident
                arrays[k] = arrow_strings(offs[c], data[lo:lo + int(totals[c])].copy(), valid)
    return arrays  # type: ignore[return-value]


@lru_cache(maxsize=None)
def _utf8_tables(page: CodePage) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The page's UTF-8 bytes as three flat tables and the lengths as int64 (a quarter faster in
    the kernel than the 2-D uint8 tables: one index, no widening)."""
    table = page.utf8_bytes
    return (np.ascontiguousarray(table[:, 0]), np.ascontiguousarray(table[:, 1]),
            np.ascontiguousarray(table[:, 2]), page.utf8_length.astype(np.int64))


def _by_offset_width(members: list[int], fields: Sequence[Field], n: int, page: CodePage) -> dict[bool, list[int]]:
    """Members split by the offset type their column needs (int64 past 2 GiB of UTF-8)."""
    split: dict[bool, list[int]] = {}
    for k in members:
        split.setdefault(n * fields[k].length * page.max_utf8_length > _INT32_LIMIT, []).append(k)
    return split


def arrow_strings(offsets: np.ndarray, data: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """Wrap UTF-8 ``data`` and ``offsets`` (int32 or int64) as an Arrow string array, zero-copy."""
    n = len(offsets) - 1
    kind = pa.large_string() if offsets.dtype == np.int64 else pa.string()
    validity = None
    nulls = 0
    if valid is not None:
        valid = np.asarray(valid, dtype=np.bool_)
        nulls = int(n - np.count_nonzero(valid))
        if nulls:
            validity = pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(kind, n, [validity, pa.py_buffer(offsets), pa.py_buffer(data)],
                                 null_count=nulls)


def available_bytes(avail: np.ndarray | None, n: int) -> np.ndarray:
    """``avail`` as int64 per row, or an empty array meaning "every row is complete"."""
    if avail is None:
        return np.empty(0, dtype=np.int64)
    arr = np.asarray(avail, dtype=np.int64)
    if arr.shape != (n,):
        raise ValueError(f"avail has shape {arr.shape}, expected ({n},)")
    return arr


def check_column(matrix: np.ndarray, offset: int, width: int, field: Field) -> None:
    """Refuse a matrix that is not uint8 records x bytes, or a column that does not fit in it."""
    if matrix.ndim != 2 or matrix.dtype != np.uint8:
        raise TypeError("the record matrix must be a 2-D uint8 array (records x bytes)")
    if offset < 0 or offset + width > matrix.shape[1]:
        raise ValueError(
            f"field {field.qualified_name} at byte offset {offset} length {width} does not fit "
            f"records of {matrix.shape[1]} bytes")


@njit(cache=True, nogil=True, small=True, native=True)
def _translate(matrix, starts, widths, row_ends, space, trim, first, second, third, lengths, bases, offsets, data,
               totals):
    # One pass, row by row across the columns (each record's bytes are read while in cache):
    # cut at the row's end, trim, and write each byte's UTF-8 straight into the column's region.
    n = matrix.shape[0]
    ncol = starts.shape[0]
    has_ends = row_ends.shape[0] > 0
    for c in range(ncol):   # totals: the bytes written so far (no allocation here)
        offsets[c, 0] = 0
        totals[c] = 0
    for i in range(n):
        for c in range(ncol):
            s = starts[c]
            e = s + widths[c]
            if has_ends:
                r = row_ends[i]
                if r < s:
                    r = s
                if r < e:
                    e = r
            if trim & 1:
                while e > s and matrix[i, e - 1] == space:
                    e -= 1
            if trim & 2:
                while s < e and matrix[i, s] == space:
                    s += 1
            p = bases[c] + totals[c]
            for j in range(s, e):
                b = matrix[i, j]
                k = lengths[b]
                data[p] = first[b]
                if k > 1:
                    data[p + 1] = second[b]
                    if k > 2:
                        data[p + 2] = third[b]
                p += k
            totals[c] = p - bases[c]
            offsets[c, i + 1] = totals[c]


# -- encode -------------------------------------------------------------------------------------

def encode(values: pa.Array | Sequence[str | None], field: Field, options: CodecOptions, *,
           rows: np.ndarray | None = None, truncate: bool = False) -> np.ndarray:
    """The field's bytes for each value, as a ``(len(values), field.length)`` uint8 array.

    ``rows`` (optional) are the row numbers errors report for each value (default 0, 1, ...).
    Raises `EncodeError` for a value longer than the field (unless ``truncate``) or a
    character the field's code page has no byte for.
    """
    page = field_codepage(field, options)
    arr = arrow_text(values)
    offsets, data, valid = string_buffers(arr)
    n = len(arr)
    out = np.empty((n, field.length), dtype=np.uint8)
    status = np.zeros(3, dtype=np.int64)
    _encode_rows(data, offsets, valid, page.encode_table, page.space, field.length,
                 field.justified, truncate, out, status)
    if status[0]:
        _raise_encode_error(status, arr, field, page, rows)
    return out


def encode_into(matrix: np.ndarray, offset: int, values: pa.Array | Sequence[str | None], field: Field,
                options: CodecOptions, mask: np.ndarray | None = None, *, truncate: bool = False) -> None:
    """Write the field's bytes at ``offset`` of the rows of ``matrix`` where ``mask`` is true (all rows
    when None); ``values`` has one entry per row of ``matrix``. Nothing is written if any value fails."""
    place_text(encode, matrix, offset, values, field, options, mask, truncate=truncate)


def place_text(encode_fn, matrix: np.ndarray, offset: int, values, field: Field, options: CodecOptions,
               mask: np.ndarray | None, *, truncate: bool) -> None:
    """``encode_into`` of a text codec (alphanumeric, national, DBCS) given its ``encode``: encodes
    the masked rows, naming their row numbers in errors, then writes them; nothing on a refusal."""
    check_column(matrix, offset, field.length, field)
    arr = arrow_text(values)
    if len(arr) != matrix.shape[0]:
        raise ValueError(f"{len(arr)} values for {matrix.shape[0]} records")
    if mask is None:
        matrix[:, offset:offset + field.length] = encode_fn(arr, field, options, truncate=truncate)
        return
    mask = np.asarray(mask, dtype=np.bool_)
    rows = np.flatnonzero(mask)
    encoded = encode_fn(arr.filter(pa.array(mask)), field, options, rows=rows, truncate=truncate)
    matrix[rows, offset:offset + field.length] = encoded


def arrow_text(values: pa.Array | pa.ChunkedArray | Sequence[str | None]) -> pa.Array:
    """``values`` as one Arrow string (or large_string) array; nulls stay nulls."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
            return values
        if pa.types.is_null(values.type):
            return pa.nulls(len(values), pa.string())
        return values.cast(pa.string())
    try:
        return pa.array(values, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise EncodeError(f"values for a text field must be strings or None ({exc})") from None


def string_buffers(arr: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The offsets, UTF-8 data and validity (bool per row) of an Arrow string array, zero-copy where possible."""
    n = len(arr)
    bufs = arr.buffers()
    dtype = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    offsets = np.frombuffer(bufs[1], dtype=dtype)[arr.offset:arr.offset + n + 1] if bufs[1] is not None \
        else np.zeros(n + 1, dtype=dtype)
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None and bufs[2].size \
        else np.zeros(1, dtype=np.uint8)
    if arr.null_count:
        valid = arr.is_valid().to_numpy(zero_copy_only=False)
    else:
        valid = np.ones(n, dtype=np.bool_)
    return offsets, data, valid


@njit(cache=True, nogil=True, inline="always")
def utf8_char(data, pos):
    """(code point, bytes used) of the UTF-8 sequence at ``pos`` (Arrow has validated it)."""
    b0 = np.int64(data[pos])
    if b0 < 0x80:
        return b0, 1
    if b0 < 0xE0:
        return ((b0 & 0x1F) << 6) | (np.int64(data[pos + 1]) & 0x3F), 2
    if b0 < 0xF0:
        return (((b0 & 0x0F) << 12) | ((np.int64(data[pos + 1]) & 0x3F) << 6)
                | (np.int64(data[pos + 2]) & 0x3F)), 3
    return (((b0 & 0x07) << 18) | ((np.int64(data[pos + 1]) & 0x3F) << 12)
            | ((np.int64(data[pos + 2]) & 0x3F) << 6) | (np.int64(data[pos + 3]) & 0x3F)), 4


@njit(cache=True, nogil=True, inline="always")
def utf8_count(data, p, q):
    """Characters in the UTF-8 bytes ``data[p:q]``."""
    count = 0
    for k in range(p, q):
        if (data[k] & 0xC0) != 0x80:
            count += 1
    return count


@njit(cache=True, nogil=True, small=True, rows=1, native=True)
def _encode_rows(data, offsets, valid, table, space, width, justified, truncate, out, status):
    # status: [kind (0 ok, 1 too long, 2 unencodable), row, character count or position]
    n = offsets.shape[0] - 1
    for i in range(n):
        for k in range(width):
            out[i, k] = space
        if not valid[i]:
            continue
        p = offsets[i]
        q = offsets[i + 1]
        nchar = utf8_count(data, p, q)
        skip = 0
        col = 0
        if nchar > width:
            if not truncate:
                status[0] = 1
                status[1] = i
                status[2] = nchar
                return
            if justified:
                skip = nchar - width
        elif justified:
            col = width - nchar
        c = 0
        pos = p
        while pos < q and col < width:
            cp, used = utf8_char(data, pos)
            pos += used
            if c >= skip:
                b = -1
                if cp < 65536:
                    b = table[cp]
                if b < 0:
                    status[0] = 2
                    status[1] = i
                    status[2] = c
                    return
                out[i, col] = b
                col += 1
            c += 1


def _raise_encode_error(status: np.ndarray, arr: pa.Array, field: Field, page: CodePage,
                        rows: np.ndarray | None) -> None:
    kind, i, extra = (int(x) for x in status)
    value = arr[i].as_py()
    row = int(rows[i]) if rows is not None else i
    if kind == 1:
        message = (f"value {value!r} has {extra} characters, more than the field's {field.length}; "
                   f"shorten it or ask for truncation")
    else:
        ch = value[extra]
        message = (f"character {ch!r} (U+{ord(ch):04X}) at position {extra + 1} of {value!r} has no "
                   f"byte in code page {page.name}; check --codepage or the field's code page")
    raise EncodeError(message, row=row, field=field.qualified_name, value=value, picture=field.picture)
