"""Binary integers (COMP, COMP-4, BINARY, COMP-5, INDEX, POINTER): two's complement in 1 to 16 bytes.

Big-endian as on z/OS; COMP-5 little-endian when the options say so (GnuCOBOL and Micro Focus
write COMP-5 in the platform's order, little-endian on x86). Sizes are the layout's: IBM's
2/4/8, the 1-8 of other dialects, 9-16 bytes for more than 18 digits.

Decision: decode what is stored, whatever the PICTURE says (TRUNC(BIN) and COMP-5 keep values
beyond the PICTURE's digits), so the precision of the result is the storage's (4 bytes: 10
digits) and its Arrow type holds every stored value: ``int64`` up to 8 signed bytes, ``uint64``
for 8 unsigned bytes, ``decimal128`` beyond or with a scale. Every bit pattern is a number, so a
binary value is never invalid (x'40404040' in S9(9) COMP is 1077952576), except a 32-byte value
beyond 76 digits, which no decimal256 holds. Encoding refuses values beyond the PICTURE's digits
(beyond the storage for COMP-5 and items without a PICTURE) unless ``truncate=True``, which keeps
the low-order digits as TRUNC(STD) does.

Canonical bytes (decode then encode gives them back): values within the PICTURE's digits (within
the storage for COMP-5), non-negative in an unsigned field.
IBM reference: Enterprise COBOL "Formats for numeric data" (binary items), TRUNC option.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from bridge.codec.jit import njit
from bridge.codec.numeric import (
    load_be8,
    many_arrays,
    many_buffers,
    many_put,
    MAX_DIGITS,
    MAX_PRECISION,
    Numbers,
    check_digits,
    l_le,
    l_neg,
    l_negative,
    limb_count,
    limbs_of,
    to_limbs,
    _ZERO,
    _S63,
    digits_of,
    encode_rows,
    for_field,
    from_digits,
    kind_for,
    refuse_overflow,
    to_wide,
    u128_le,
    u128_neg,
)
from bridge.codec.options import CodecOptions
from bridge.errors import LayoutError
from bridge.layout.model import Field

__all__ = ["batchable", "decode", "decode_many", "encode", "encode_into", "length", "precision"]


def length(field: Field) -> int:
    """Bytes of the binary item (the layout decides it from the PICTURE and the dialect)."""
    return field.length


def precision(field: Field) -> int:
    """Decimal digits of the largest value the storage holds (2 bytes: 5, 4: 10, 8 signed: 19),
    at most 76 (a 32-byte item holds 77-digit values, which decode as invalid)."""
    bits = 8 * field.length
    # unsigned: 2**bits has the digits of the largest value, 2**bits - 1 (no power of two is a power of ten)
    top = 2 ** (bits - 1) if field.signed else 2**bits
    return min(MAX_DIGITS, len(str(top)))


def _little_endian(field: Field, options: CodecOptions) -> bool:
    return (field.native_binary or field.usage == "COMP-5") and options.comp5_little_endian


def _is_comp5(field: Field) -> bool:
    return field.native_binary or field.usage in ("COMP-5", "INDEX", "POINTER") or field.digits == 0


@njit(cache=True, nogil=True, small=True)
def _decode_narrow(matrix, offset, nbytes, little, signed, values):
    shift = np.int64(64 - 8 * nbytes)
    for i in range(matrix.shape[0]):
        acc = np.int64(0)
        if little:
            for j in range(nbytes - 1, -1, -1):
                acc = (acc << 8) | np.int64(matrix[i, offset + j])
        else:
            for j in range(nbytes):
                acc = (acc << 8) | np.int64(matrix[i, offset + j])
        if signed and shift > 0:
            acc = (acc << shift) >> shift
        values[i] = acc


@njit(cache=True, nogil=True)
def _decode_wide(matrix, offset, nbytes, little, signed, values):
    # 8 unsigned or 9 to 15 bytes: every stored value (below 2**120) has at most 37 digits, so
    # none is invalid here; 16 bytes and more go to _decode_huge, which checks the digits
    s8 = np.uint64(8)
    for i in range(matrix.shape[0]):
        lo = _ZERO
        hi = _ZERO
        for k in range(nbytes):
            j = nbytes - 1 - k if little else k
            hi = (hi << s8) | (lo >> np.uint64(56))
            lo = (lo << s8) | np.uint64(matrix[i, offset + j])
        top = 8 * nbytes
        if signed and top < 128 and (matrix[i, offset + (nbytes - 1 if little else 0)] & 0x80) != 0:
            # sign-extend from the storage's top bit (this kernel sees 9 to 16 bytes when signed)
            hi = hi | (~_ZERO << np.uint64(top - 64))
        values[i, 0] = lo
        values[i, 1] = hi


@njit(cache=True, nogil=True, native=True)
def _decode_columns(matrix, starts, nbytes, little, signed, word, base, step, flat):
    # _decode_narrow over several columns, row by row (each record comes into cache once), writing
    # each value where its Arrow array reads it: int64, or decimal128's [low, high] (no widening pass).
    # A big-endian column that ends 8 bytes or more into the record (``word[c]``) is read as the
    # word ending at its last byte (`load_be8`), its bytes above the field shifted out.
    for i in range(matrix.shape[0]):
        row = matrix[i]
        for c in range(starts.shape[0]):
            offset = starts[c]
            size = nbytes[c]
            shift = np.int64(64 - 8 * size)
            if word[c]:
                acc = np.int64(load_be8(row, offset + size) << np.uint64(shift))
                acc = acc >> shift if signed[c] else np.int64(np.uint64(acc) >> np.uint64(shift))
            else:
                acc = np.int64(0)
                if little[c]:
                    for j in range(size - 1, -1, -1):
                        acc = (acc << 8) | np.int64(row[offset + j])
                else:
                    for j in range(size):
                        acc = (acc << 8) | np.int64(row[offset + j])
                if signed[c] and shift > 0:
                    acc = (acc << shift) >> shift
            many_put(flat, base, step, c, i, acc)


def _word(offset: int, field: Field, options: CodecOptions) -> bool:
    """Whether `_decode_columns` reads the field as the big-endian word ending at its last byte:
    not little-endian, and that word starts inside the record. Either path gives the same values."""
    if _little_endian(field, options):
        return False
    # the bound only keeps the word inside the record (from -1 it reads a byte the shift drops)
    return offset + field.length >= 8  # pragma: no mutate (both paths give the same values)


def batchable(field: Field) -> bool:
    """Whether `decode_many` reads ``field``: values that always fit int64 (under 8 bytes, or 8
    signed), scale not negative (``PPP`` rescales)."""
    return (1 <= field.length < 8 or (field.length == 8 and field.signed)) and field.scale >= 0


def decode_many(matrix: np.ndarray, offsets: list[int], fields: list[Field],
                options: CodecOptions) -> list[tuple[pa.Array, np.ndarray]]:
    """Several binary columns (each `batchable`) in one pass: per field, the Arrow array `decode`
    and `to_arrow` give (int64, or decimal128 when the field has decimals) and its invalid mask
    (all False: every bit pattern of such a field is a value)."""
    n = matrix.shape[0]
    for field in fields:
        _check_length(field)
    base, step, flat = many_buffers(fields, n)
    _decode_columns(matrix, np.array(offsets, dtype=np.int64), np.array([f.length for f in fields], dtype=np.int64),
                    np.array([_little_endian(f, options) for f in fields], dtype=np.bool_),
                    np.array([f.signed for f in fields], dtype=np.bool_),
                    np.array([_word(o, f, options) for o, f in zip(offsets, fields)], dtype=np.bool_),
                    base, step, flat)
    return many_arrays(fields, [max(1, precision(f), f.scale) for f in fields], n, base, step, flat, None)


def decode(matrix: np.ndarray, offset: int, field: Field, options: CodecOptions) -> Numbers:
    """The binary field at ``offset`` of every record, as stored (TRUNC(BIN))."""
    nbytes = field.length
    _check_length(field)
    little = _little_endian(field, options)
    n = matrix.shape[0]
    prec = precision(field)
    invalid = np.zeros(n, np.bool_)
    arrow_int = None
    if nbytes > 16 or prec > MAX_PRECISION:
        values, invalid = _decode_huge(matrix, offset, nbytes, little, field.signed)
    elif nbytes < 8 or (nbytes == 8 and field.signed):
        narrow = np.empty(n, np.int64)
        _decode_narrow(matrix, offset, nbytes, little, field.signed, narrow)
        arrow_int = "int64"
        values = narrow if prec <= 18 else to_wide(narrow)
    else:
        values = np.empty((n, 2), np.int64)
        _decode_wide(matrix, offset, nbytes, little, field.signed, values.view(np.uint64))
        if nbytes == 8:
            arrow_int = "uint64"
    return Numbers(values, invalid, prec, field.scale, kind_for(field.scale), arrow_int)


def _check_length(field: Field) -> None:
    if not 1 <= field.length <= 32:
        raise LayoutError(f"{field.qualified_name}: a binary item of {field.length} bytes is not supported "
                          "(1 to 32 bytes, up to 76 digits)", field=field.qualified_name)
    check_digits(field)


def _decode_huge(matrix: np.ndarray, offset: int, nbytes: int, little: bool, signed: bool
                 ) -> tuple[np.ndarray, np.ndarray]:
    """17 to 32 bytes: sign-extended into 256-bit values; beyond 76 digits invalid."""
    raw = matrix[:, offset:offset + nbytes]
    le = raw[:, ::-1] if not little else raw
    n = raw.shape[0]
    buf = np.zeros((n, 32), np.uint8)
    buf[:, :nbytes] = le
    if signed:
        negative = (le[:, nbytes - 1] & 0x80) != 0
        buf[negative, nbytes:] = 0xFF
    values = np.ascontiguousarray(buf).view("<i8").astype(np.int64).reshape(n, 4)
    limit = limbs_of(10**MAX_DIGITS - 1)
    invalid = np.zeros(n, np.bool_)
    _beyond(values.view(np.uint64), limit, invalid)
    if not signed and nbytes == 32:
        invalid |= values[:, 3] < 0   # 2**255 and up: no sign bit to take, and beyond 76 digits anyway
    values[invalid] = 0
    return values, invalid


@njit(cache=True, nogil=True)
def _beyond(values, limit, out):
    x = np.empty(values.shape[1], np.uint64)
    for i in range(values.shape[0]):
        for k in range(x.shape[0]):
            x[k] = values[i, k]
        if l_negative(x):
            l_neg(x)
        out[i] = not l_le(x, limit)


@njit(cache=True, nogil=True)
def _check_range_limbs(values, pos, neg_lim, bad, negative):
    x = np.empty(values.shape[1], np.uint64)
    for i in range(values.shape[0]):
        for k in range(x.shape[0]):
            x[k] = values[i, k]
        neg = l_negative(x)
        negative[i] = neg
        if neg:
            l_neg(x)
            bad[i] = not l_le(x, neg_lim)
        else:
            bad[i] = not l_le(x, pos)


@njit(cache=True, nogil=True)
def _encode_limbs(values, nbytes, little, out):
    for i in range(values.shape[0]):
        for k in range(nbytes):
            b = np.uint8((values[i, k // 8] >> np.uint64(8 * (k % 8))) & np.uint64(0xFF))
            out[i, k if little else nbytes - 1 - k] = b


@njit(cache=True, nogil=True, native=True)
def _check_range(values, pos_lo, pos_hi, neg_lo, neg_hi, bad, negative):
    for i in range(values.shape[0]):
        lo = values[i, 0]
        hi = values[i, 1]
        neg = (hi >> _S63) != _ZERO
        negative[i] = neg
        if neg:
            lo, hi = u128_neg(lo, hi)
            bad[i] = not u128_le(lo, hi, neg_lo, neg_hi)
        else:
            bad[i] = not u128_le(lo, hi, pos_lo, pos_hi)


@njit(cache=True, nogil=True, native=True)
def _encode_kernel(values, nbytes, little, out):
    s8 = np.uint64(8)
    for i in range(values.shape[0]):
        lo = values[i, 0]
        hi = values[i, 1]
        for k in range(nbytes):
            b = np.uint8(lo & np.uint64(0xFF))
            lo = (lo >> s8) | (hi << np.uint64(56))
            hi = hi >> s8
            out[i, k if little else nbytes - 1 - k] = b


def _limbs(v: int) -> tuple[np.uint64, np.uint64]:
    return np.uint64(v & (2**64 - 1)), np.uint64(v >> 64)


def encode(numbers: Numbers, field: Field, options: CodecOptions, *, rows: np.ndarray | None = None,
           truncate: bool = False) -> np.ndarray:
    """The field's bytes (n, length), big-endian two's complement (little-endian COMP-5 if asked).

    :raises EncodeError: a null value, a value beyond the PICTURE's digits (COMP-5 and items
        without a PICTURE: beyond the storage), a negative value in an unsigned field, or more
        decimal places than the scale; ``truncate`` instead keeps the low-order digits (and the
        absolute value for an unsigned field), as COBOL's MOVE does.
    """
    _check_length(field)
    numbers = for_field(numbers, field, rows)
    nbytes = field.length
    bits = 8 * nbytes
    max_pos = 2 ** (bits - 1) - 1 if field.signed else 2**bits - 1
    max_neg = 2 ** (bits - 1) if field.signed else 0
    pic = 10**field.digits - 1
    if not _is_comp5(field):
        max_pos, max_neg = min(max_pos, pic), min(max_neg, pic)
    huge = nbytes > 16 or limb_count(numbers.values) > 2
    bad = np.zeros(len(numbers), np.bool_)
    negative = np.zeros(len(numbers), np.bool_)
    if huge:
        wide = np.ascontiguousarray(to_limbs(numbers.values, 4))
        _check_range_limbs(wide.view(np.uint64), limbs_of(max_pos), limbs_of(max_neg), bad, negative)
    else:
        wide = np.ascontiguousarray(to_wide(numbers.values))
        _check_range(wide.view(np.uint64), *_limbs(max_pos), *_limbs(max_neg), bad, negative)
    if bad.any():
        if not truncate or field.digits == 0:
            why = ("is negative and the field is unsigned" if not field.signed and (bad & negative).any()
                   else f"does not fit the {field.digits} digits of the PICTURE" if not _is_comp5(field)
                   else f"does not fit {nbytes} bytes")
            refuse_overflow(numbers, field, bad, rows, why)
        digits, neg, _ = digits_of(wide, field.digits)
        if not field.signed:
            neg[:] = False
        kept = to_limbs(from_digits(digits, neg), limb_count(wide))
        wide = np.where(bad[:, None], kept, wide)
    out = np.empty((len(numbers), nbytes), np.uint8)
    if huge:
        _encode_limbs(np.ascontiguousarray(wide).view(np.uint64), nbytes, _little_endian(field, options), out)
    else:
        _encode_kernel(np.ascontiguousarray(wide).view(np.uint64), nbytes, _little_endian(field, options), out)
    return out


def encode_into(matrix: np.ndarray, offset: int, numbers: Numbers, field: Field, options: CodecOptions,
                mask: np.ndarray | None = None, *, truncate: bool = False) -> None:
    """Encode in place into records at ``offset``, only the rows where ``mask`` is True."""
    encode_rows(encode, matrix, offset, numbers, field, options, mask, truncate=truncate)
