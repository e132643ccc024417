"""Packed decimal (COMP-3 / PACKED-DECIMAL): two digits a byte, the sign in the last nibble.

A field of ``d`` digits takes ``d // 2 + 1`` bytes; with an even ``d`` the first nibble is a pad
that must be zero. Sign nibbles ``A``/``C``/``E``/``F`` read as positive and ``B``/``D`` as
negative (IBM accepts all six); a digit nibble above 9, a sign nibble 0-9 (spaces ``40`` and
low-values ``00`` end that way), a non-zero pad nibble, or a negative sign in an unsigned field
makes the value invalid. Encoding writes ``C``/``D`` in signed fields and ``F`` in unsigned ones,
as COBOL arithmetic does (a ``F`` in a signed field fails NUMPROC(PFD) consumers).

Decision: a 256-entry table turns each whole byte into its two-digit value (or -1), so a column
decodes with one table read and one multiply-add per byte in a numba loop. `decode_many` goes
further: the up to eight digit bytes before the sign byte are one big-endian word, checked and
combined lane by lane (three multiplies for sixteen digits instead of a table read and a
multiply-add per byte). Zoned digits keep their byte loop: the same scheme was slower there.

Canonical bytes (decode then encode gives them back): digit nibbles 0-9, pad nibble 0, sign
``C``/``D`` (signed) or ``F`` (unsigned), and no negative zero.
IBM reference: Enterprise COBOL "Formats for numeric data" (packed-decimal items), NUMPROC option.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyarrow as pa

from bridge.codec.jit import njit
from bridge.codec.numeric import (
    _M32,
    _S32,
    load_be8,
    many_arrays,
    many_buffers,
    many_put,
    MAX_PRECISION,
    Numbers,
    _ZERO,
    check_digits,
    digits_of,
    encode_rows,
    fits_narrow,
    for_field,
    kind_for,
    refuse_out_of_range,
    take,
    target_rows,
    l_mul_add,
    l_neg,
    u128_mul_add,
    u128_neg,
)
from bridge.codec.options import CodecOptions
from bridge.layout.model import Field

_NO_ROWS = np.empty(0, np.int64)

__all__ = ["batchable", "decode", "decode_many", "encode", "encode_into", "length"]


def length(field: Field) -> int:
    """Bytes a packed field of ``field.digits`` digits takes."""
    return field.digits // 2 + 1


@lru_cache(maxsize=1)
def _tables() -> tuple[np.ndarray, np.ndarray]:
    """(pair: byte -> two-digit value or -1, last: byte -> digit + 16 if negative, or -1)."""
    pair = np.full(256, -1, np.int16)  # pragma: no mutate (any negative marks an invalid byte)
    last = np.full(256, -1, np.int8)  # pragma: no mutate (any negative marks an invalid byte)
    for b in range(256):
        hi, lo = b >> 4, b & 0xF
        if hi <= 9 and lo <= 9:
            pair[b] = hi * 10 + lo
        if hi <= 9 and lo >= 0xA:
            last[b] = hi + (16 if lo in (0xB, 0xD) else 0)
    return pair, last


@njit(cache=True, nogil=True, small=True)
def _decode_narrow(matrix, offset, nbytes, pad, signed, pair, last, values, invalid):
    # Branch-free over the bytes: table codes are ORed and a -1 anywhere marks the value invalid.
    end = offset + nbytes - 1
    for i in range(matrix.shape[0]):
        acc = np.int64(0)
        flags = np.int16(0)
        for j in range(offset, end):
            p = pair[matrix[i, j]]
            flags |= p
            acc = acc * 100 + p
        c = last[matrix[i, end]]
        flags |= c
        acc = acc * 10 + (c & 15)
        neg = (c & 16) != 0
        bad = flags < 0 or (pad and matrix[i, offset] >= 16) or (neg and not signed)
        if bad:
            acc = 0
            neg = False
        values[i] = -acc if neg else acc
        invalid[i] = bad


@njit(cache=True, nogil=True)
def _decode_wide(matrix, offset, nbytes, pad, signed, pair, last, values, invalid):
    end = offset + nbytes - 1
    hundred = np.uint64(100)
    ten = np.uint64(10)
    for i in range(matrix.shape[0]):
        lo = _ZERO
        hi = _ZERO
        bad = pad and matrix[i, offset] >= 16
        if not bad:
            for j in range(offset, end):
                p = pair[matrix[i, j]]
                if p < 0:
                    bad = True
                    break
                lo, hi = u128_mul_add(lo, hi, hundred, np.uint64(p))
        neg = False
        if not bad:
            c = last[matrix[i, end]]
            if c < 0:
                bad = True
            else:
                if c >= 16:
                    neg = True
                    c -= 16
                    bad = not signed
                lo, hi = u128_mul_add(lo, hi, ten, np.uint64(c))
        if bad:
            lo = _ZERO
            hi = _ZERO
        elif neg:
            lo, hi = u128_neg(lo, hi)
        values[i, 0] = lo
        values[i, 1] = hi
        invalid[i] = bad


@njit(cache=True, nogil=True)
def _decode_limbs(matrix, offset, nbytes, pad, signed, pair, last, values, invalid):
    # _decode_wide on 256-bit values (39 to 76 digits)
    end = offset + nbytes - 1
    hundred = np.uint64(100)
    ten = np.uint64(10)
    for i in range(matrix.shape[0]):
        x = values[i]
        for k in range(x.shape[0]):
            x[k] = _ZERO
        bad = pad and matrix[i, offset] >= 16
        if not bad:
            for j in range(offset, end):
                p = pair[matrix[i, j]]
                if p < 0:
                    bad = True
                    break
                l_mul_add(x, hundred, np.uint64(p))
        neg = False
        if not bad:
            c = last[matrix[i, end]]
            if c < 0:
                bad = True
            else:
                if c >= 16:
                    neg = True
                    c -= 16
                    bad = not signed
                l_mul_add(x, ten, np.uint64(c))
        if bad:
            for k in range(x.shape[0]):
                x[k] = _ZERO
        elif neg:
            l_neg(x)
        invalid[i] = bad


# Eight digit bytes at a time: a word's nibbles are checked and combined lane by lane (SWAR: byte
# lanes of 0-99, then 16-bit lanes of 0-9999, then 32-bit ones; no lane carries into the next).
_LO = np.uint64(0x0F0F0F0F0F0F0F0F)
_HI = np.uint64(0xF0F0F0F0F0F0F0F0)
_SIX = np.uint64(0x0606060606060606)
_M16 = np.uint64(0x00FF00FF00FF00FF)
_M32W = np.uint64(0x0000FFFF0000FFFF)


@njit(cache=True, inline="always")
def _packed8(x):  # pragma: no cover - compiled
    """(value, bad) of eight bytes of digit pairs (sixteen digits, the first in the top byte):
    bad unless every nibble is 0-9 (a nibble above 9 plus 6 carries into its byte's top half)."""
    hi = (x >> np.uint64(4)) & _LO
    lo = x & _LO
    bad = (((hi + _SIX) | (lo + _SIX)) & _HI) != _ZERO
    d = hi * np.uint64(10) + lo
    d = ((d >> np.uint64(8)) & _M16) * np.uint64(100) + (d & _M16)
    d = ((d >> np.uint64(16)) & _M32W) * np.uint64(10000) + (d & _M32W)
    return np.int64((d >> _S32) * np.uint64(100000000) + (d & _M32)), bad


@njit(cache=True, nogil=True, native=True)
def _decode_columns(matrix, starts, nbytes, pads, signed, pair, last, keeps, base, step, flat, invalid):
    # _decode_narrow over several columns, row by row (each record comes into cache once), writing
    # each value where its Arrow array reads it: int64, or decimal128's [low, high] (no widening pass).
    # Where ``keeps[c]`` is not 0 the digit bytes before the sign byte are read as the word that
    # ends there (`_packed8`, the lanes above the field masked to 00), a ninth one through ``pair``.
    sixteen = np.int64(10**16)
    for i in range(matrix.shape[0]):
        row = matrix[i]
        for c in range(starts.shape[0]):
            offset = starts[c]
            end = offset + nbytes[c] - 1
            acc = np.int64(0)
            flags = np.int16(0)
            keep = keeps[c]
            if keep != _ZERO:
                acc, wrong = _packed8(load_be8(row, end) & keep)
                if wrong:
                    flags = np.int16(-1)
                if end - offset > 8:
                    p = pair[row[offset]]
                    flags |= p
                    acc += p * sixteen
            else:
                for j in range(offset, end):
                    p = pair[row[j]]
                    flags |= p
                    acc = acc * 100 + p
            code = last[row[end]]
            flags |= code
            acc = acc * 10 + (code & 15)
            neg = (code & 16) != 0
            bad = flags < 0 or (pads[c] and row[offset] >= 16) or (neg and not signed[c])
            if bad:
                acc = 0
                neg = False
            v = -acc if neg else acc
            many_put(flat, base, step, c, i, v)
            if bad:  # the mask starts all False: valid values, the common case, write nothing
                invalid[c, i] = True


def _keep(offset: int, field: Field) -> np.uint64:
    """The lanes of the word ending at the sign byte that hold the field's digit bytes (up to 8),
    or 0 when that word would start before the record (the byte loop reads the field)."""
    end = offset + field.length - 1
    lanes = min(8, field.length - 1)   # 0 for a one-byte field: its mask 0 is the byte loop's mark too
    # the bound only keeps the word inside the record (from -1 it reads a byte the mask drops)
    if end < 8:  # pragma: no mutate (both paths give the same values)
        return np.uint64(0)
    return np.uint64((1 << (8 * lanes)) - 1)


def batchable(field: Field) -> bool:
    """Whether `decode_many` reads ``field``: up to 18 digits, scale not negative (``PPP`` rescales)."""
    return field.usage != "COMP-6" and 1 <= max(1, field.digits) <= 18 and field.scale >= 0


def decode_many(matrix: np.ndarray, offsets: list[int], fields: list[Field]) -> list[tuple[pa.Array, np.ndarray]]:
    """Several packed columns (each `batchable`) in one pass: per field, the Arrow array `decode`
    and `to_arrow` give (int64, or decimal128 when the field has decimals) and its invalid mask."""
    pair, last = _tables()
    n = matrix.shape[0]
    k = len(fields)
    for field in fields:
        check_digits(field)
    base, step, flat = many_buffers(fields, n)
    invalid = np.zeros((k, n), np.bool_)
    _decode_columns(matrix, np.array(offsets, dtype=np.int64), np.array([f.length for f in fields], dtype=np.int64),
                    np.array([2 * f.length - 1 > f.digits for f in fields], dtype=np.bool_),
                    np.array([f.signed for f in fields], dtype=np.bool_), pair, last,
                    np.array([_keep(o, f) for o, f in zip(offsets, fields)], dtype=np.uint64), base, step, flat,
                    invalid)
    return many_arrays(fields, [max(1, f.digits, f.scale) for f in fields], n, base, step, flat, invalid)


def decode(matrix: np.ndarray, offset: int, field: Field, options: CodecOptions) -> Numbers:
    """The packed field at ``offset`` of every record: exact unscaled integers and an invalid mask."""
    pair, last = _tables()
    nbytes = field.length
    pad = 2 * nbytes - 1 > field.digits
    n = matrix.shape[0]
    precision = max(1, field.digits)
    invalid = np.empty(n, np.bool_)
    check_digits(field)
    if precision <= 18:
        values = np.empty(n, np.int64)
        _decode_narrow(matrix, offset, nbytes, pad, field.signed, pair, last, values, invalid)
    elif precision <= MAX_PRECISION:
        values = np.empty((n, 2), np.int64)
        _decode_wide(matrix, offset, nbytes, pad, field.signed, pair, last, values.view(np.uint64), invalid)
    else:
        values = np.empty((n, 4), np.int64)
        _decode_limbs(matrix, offset, nbytes, pad, field.signed, pair, last, values.view(np.uint64), invalid)
    return Numbers(values, invalid, precision, field.scale, kind_for(field.scale))


@njit(cache=True, nogil=True, native=True, error_model="numpy")   # limit is 10**digits: never 0
def _encode_narrow(values, limit, first, nbytes, signed, pos_sign, neg_sign, out, out_rows, overflow, negative):
    # One pass from int64 values to bytes, right to left; values beyond the PICTURE keep their
    # low-order digits (the caller refuses them unless asked to truncate). Row i lands in
    # out[out_rows[i]] when out_rows is given (patching records in place), else in out[i].
    ten = np.uint64(10)
    remap = out_rows.shape[0] > 0
    for i in range(values.shape[0]):
        r = out_rows[i] if remap else i
        v = values[i]
        isneg = v < 0
        u = np.uint64(v)
        if isneg:
            u = ~u + np.uint64(1)
        negative[i] = isneg
        if u >= limit:
            overflow[i] = True
            u = u % limit
        else:
            overflow[i] = False
        if u == np.uint64(0) or not signed:
            isneg = False
        q = u // ten
        d = u - q * ten
        u = q
        out[r, first + nbytes - 1] = np.uint8((d << np.uint64(4)) | np.uint64(neg_sign if isneg else pos_sign))
        for k in range(nbytes - 2, -1, -1):
            q = u // ten
            lo = u - q * ten
            u = q
            q = u // ten
            hi = u - q * ten
            u = q
            out[r, first + k] = np.uint8((hi << np.uint64(4)) | lo)


@njit(cache=True, nogil=True)
def _encode_kernel(digits, negative, nbytes, pos_sign, neg_sign, out):
    ndig = digits.shape[1]
    nib = 2 * nbytes - 1
    lead = nib - ndig   # pad nibbles before the digits
    for i in range(digits.shape[0]):
        for k in range(nbytes):
            a = 2 * k - lead
            b = a + 1
            # a or b below 0: a pad nibble; neither reaches past the last digit (a <= ndig - 1)
            h = digits[i, a] if a >= 0 else 0
            if k == nbytes - 1:
                lo = neg_sign if negative[i] else pos_sign
            else:
                lo = digits[i, b] if b >= 0 else 0
            out[i, k] = np.uint8((h << 4) | lo)


def encode(numbers: Numbers, field: Field, options: CodecOptions, *, rows: np.ndarray | None = None,
           truncate: bool = False) -> np.ndarray:
    """The field's bytes (n, length): digits, pad nibble 0, sign ``C``/``D`` (signed) or ``F``.

    :raises EncodeError: a null value, more digits than the PICTURE (unless ``truncate``), a
        negative value in an unsigned field (unless ``truncate``: absolute value), or more
        decimal places than the field's scale.
    """
    numbers = for_field(numbers, field, rows)
    out = np.empty((len(numbers), field.length), np.uint8)
    pos_sign = 0xC if field.signed else 0xF
    if numbers.values.ndim == 1 and field.digits <= 18:
        overflow = np.empty(len(numbers), np.bool_)
        negative = np.empty(len(numbers), np.bool_)
        _encode_narrow(numbers.values, np.uint64(10**field.digits), 0, field.length, field.signed, pos_sign, 0xD,
                       out, _NO_ROWS, overflow, negative)
    else:
        digits, negative, overflow = digits_of(numbers.values, field.digits)
        signed_neg = negative & digits.any(axis=1) if field.signed else np.zeros_like(negative)
        _encode_kernel(digits, signed_neg, field.length, pos_sign, 0xD, out)
    if not truncate:
        refuse_out_of_range(numbers, field, overflow, negative, rows)
    return out


def encode_into(matrix: np.ndarray, offset: int, numbers: Numbers, field: Field, options: CodecOptions,
                mask: np.ndarray | None = None, *, truncate: bool = False) -> None:
    """Encode in place into records at ``offset``, only the rows where ``mask`` is True.

    Nothing is written when a value is refused.
    """
    rows = target_rows(matrix, offset, field, mask)
    sub = numbers if rows is None else take(numbers, rows)
    fits = fits_narrow(sub, field)
    if fits is None or (not fits and not truncate):
        # the general path: raises for refused values before writing
        encode_rows(encode, matrix, offset, numbers, field, options, mask, truncate=truncate)
        return
    out_rows = _NO_ROWS if rows is None else rows.astype(np.int64)
    flags = np.empty(len(sub), np.bool_)
    flags2 = np.empty(len(sub), np.bool_)
    if len(sub):
        _encode_narrow(sub.values, np.uint64(10**field.digits), offset, field.length, field.signed,
                       0xC if field.signed else 0xF, 0xD, matrix, out_rows, flags, flags2)
