"""Zoned decimal (PIC 9 USAGE DISPLAY): one byte per digit, the sign in a zone or in a byte of its own.

EBCDIC files follow IBM: digits ``F0``-``F9``; the sign rides in the zone of the last byte (the
first with SIGN LEADING): ``C``/``A``/``E``/``F`` positive, ``B``/``D`` negative; SIGN SEPARATE
puts the code page's ``+``/``-`` (``4E``/``60``) in a byte before or after the digits. ASCII
files (a code page whose digits are ``30``-``39``: ascii, latin-1, cp1252, utf-8) carry either
the IBM-style overpunch (``{ A-I`` = +0..+9, ``} J-R`` = -0..-9) or the GnuCOBOL/Micro Focus
one (plain digits when positive, ``p``-``y`` = ``70``-``79`` when negative). Decoding accepts
both; encoding writes the dialect's (ibm: overpunch, gnucobol/microfocus: ``p``-``y``).

Decision: every byte goes through a 256-entry table (digit value, or digit plus sign) inside one
numba loop per column, so a byte that is not a digit of the code page (space, low-values,
a letter) makes the value invalid instead of a wrong number. An unsigned field accepts a positive
zone (``C``) in its last byte but a negative one makes the value invalid. BLANK WHEN ZERO
fields read all spaces as zero.

Canonical bytes (decode then encode gives them back): digits of the code page, the sign as
encode writes it (``C``/``D`` for signed, ``F`` for unsigned in EBCDIC; the dialect's
convention in ASCII; ``+``/``-`` when separate), and no negative zero.
IBM reference: Enterprise COBOL "Formats for numeric data" (zoned decimal), NUMPROC option.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyarrow as pa

from bridge.codec.jit import njit
from bridge.codec.numeric import (
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
from bridge.errors import BridgeError
from bridge.layout.model import Dialect, Field

_NO_ROWS = np.empty(0, np.int64)

__all__ = ["Charset", "batchable", "charset", "decode", "decode_many", "encode", "encode_into", "length"]


@dataclass(frozen=True, eq=False)
class Charset:
    """The bytes of a code page that numbers are written with.

    ``chars`` maps each byte to the ASCII code of its character (0 when it has none), ``bytes_of``
    each ASCII character to its byte (0 when the code page lacks it).
    """

    name: str
    ascii_digits: bool          # digits are 30-39 (a distributed system's file)
    chars: np.ndarray           # uint8 (256,): byte -> character (U+0000-U+00FF; 0 for others)
    bytes_of: np.ndarray        # uint8 (256,): character U+0000-U+00FF -> byte

    @property
    def space(self) -> int:
        return int(self.bytes_of[ord(" ")])

    def byte(self, ch: str) -> int:
        return int(self.bytes_of[ord(ch)])


@lru_cache(maxsize=64)
def charset(codepage: str) -> Charset:
    """The `Charset` of a code page name: the kernel tables of `bridge.codec.codepage.codepage`."""
    from bridge.codec.codepage import codepage as load

    page = load(codepage)  # one place that knows code pages, their names and their errors
    chars = np.zeros(256, np.uint8)
    bytes_of = np.zeros(256, np.uint8)
    for b, ch in enumerate(page.decode_table):
        if ord(ch) < 256:  # ASCII for digits and signs; Latin-1 too for currency signs such as £
            chars[b] = ord(ch)
    for ch, b in page.encode_map.items():
        if len(ch) == 1 and ord(ch) < 256:
            bytes_of[ord(ch)] = b
    if any(bytes_of[ord(c)] == 0 for c in "0123456789 ") and page.decode_table[0] != "0":
        raise BridgeError(f"code page {codepage!r} has no digits or space in single bytes; "
                          "numeric DISPLAY fields need a single-byte code page (option --codepage)")
    return Charset(page.codec, bool(bytes_of[ord("0")] == 0x30), chars, bytes_of)


def length(field: Field) -> int:
    """Bytes a zoned field takes: one per digit, plus one for a separate sign."""
    return field.digits + (1 if field.sign_separate else 0)


# --------------------------------------------------------------------------------------------
# Tables. plain: byte -> digit or -1. signed: byte -> digit (positive) or 16 + digit (negative) or -1.
@lru_cache(maxsize=64)
def _tables(codepage: str) -> tuple[np.ndarray, np.ndarray]:
    cs = charset(codepage)
    plain = np.full(256, -1, np.int8)  # pragma: no mutate (any negative marks an invalid byte)
    signed = np.full(256, -1, np.int8)  # pragma: no mutate (any negative marks an invalid byte)
    if cs.ascii_digits:
        for d in range(10):
            plain[0x30 + d] = d  # pragma: no mutate (a zone plus a digit: + | ^ agree)
            signed[0x30 + d] = d  # pragma: no mutate (a zone plus a digit: + | ^ agree)
            signed[0x70 + d] = 16 + d  # pragma: no mutate (a zone plus a digit: + | ^ agree)
        signed[ord("{")] = 0
        signed[ord("}")] = 16
        for d in range(1, 10):
            signed[ord("A") + d - 1] = d
            signed[ord("J") + d - 1] = 16 + d
    else:
        for d in range(10):
            plain[0xF0 + d] = d  # pragma: no mutate (a zone plus a digit: + | ^ agree)
            for zone, negative in ((0xA, False), (0xB, True), (0xC, False), (0xD, True), (0xE, False), (0xF, False)):
                signed[(zone << 4) | d] = d + (16 if negative else 0)  # pragma: no mutate (+ | ^ agree)
    return plain, signed


def _sign_bytes(field: Field, options: CodecOptions) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(plain digit bytes, positive sign-digit bytes, negative sign-digit bytes) that encode writes."""
    cs = charset(options.codepage_for(field.path))
    d = np.arange(10, dtype=np.uint8)
    if not cs.ascii_digits:
        plain = (0xF0 | d).astype(np.uint8)  # pragma: no mutate (a zone plus a digit: + | ^ agree)
        pos = ((0xC0 if field.signed else 0xF0) | d).astype(np.uint8)
        return plain, pos, (0xD0 | d).astype(np.uint8)
    plain = (0x30 | d).astype(np.uint8)  # pragma: no mutate (a zone plus a digit: + | ^ agree)
    if options.dialect is Dialect.IBM and field.signed:
        pos = np.frombuffer(b"{ABCDEFGHI", np.uint8).copy()
        neg = np.frombuffer(b"}JKLMNOPQR", np.uint8).copy()
    else:
        pos = plain.copy()
        neg = (0x70 | d).astype(np.uint8)  # pragma: no mutate (a zone plus a digit: + | ^ agree)
    return plain, pos, neg


# --------------------------------------------------------------------------------------------
# Decode kernels. `first` is the offset of the first digit byte, `sign_at` the index (among the
# digits) of the byte whose zone carries the sign, -1 when the sign is separate at `sep`.
@njit(cache=True, nogil=True, inline="always")
def _settle(matrix, i, sep, plus, minus, signed, bwz, space, start, width, neg, bad):
    """After the digits of record ``i``: the separate sign, a sign in an unsigned field, BLANK
    WHEN ZERO. Returns (negative, invalid, zero): ``zero`` when the value read is replaced by 0."""
    if sep >= 0 and not bad:
        s = matrix[i, sep]
        if s == minus:
            neg = True
        elif s != plus:
            bad = True
    if neg and not signed:
        bad = True
    if not bad:
        return neg, False, False
    if bwz:
        for j in range(width):
            if matrix[i, start + j] != space:
                return False, True, True
        return False, False, True
    return False, True, True


@njit(cache=True, nogil=True, small=True)
def _decode_narrow(matrix, first, ndig, sign_at, sep, plus, minus, signed, bwz, space, width,
                   plain, signtab, values, invalid):
    # Branch-free over the digits: table codes are ORed together and a negative one (-1) marks
    # the value invalid at the end; valid data, the common case, never mispredicts.
    start = first if sep < 0 or sep > first else first - 1
    lead = sign_at == 0 and ndig > 0
    trail = sign_at == ndig - 1 and ndig > 0 and not lead
    j0 = first + 1 if lead else first
    j1 = first + ndig - 1 if trail else first + ndig
    for i in range(matrix.shape[0]):
        acc = np.int64(0)
        flags = np.int8(0)
        if lead:
            c = signtab[matrix[i, first]]
            flags |= c
            acc = np.int64(c & 15)
        for j in range(j0, j1):
            c = plain[matrix[i, j]]
            flags |= c
            acc = acc * 10 + c
        if trail:
            c = signtab[matrix[i, j1]]
            flags |= c
            acc = acc * 10 + (c & 15)
        neg, bad, zero = _settle(matrix, i, sep, plus, minus, signed, bwz, space, start, width,
                                 (flags & 16) != 0, flags < 0)
        if zero:
            acc = 0
        values[i] = -acc if neg else acc
        invalid[i] = bad


@njit(cache=True, nogil=True)
def _decode_wide(matrix, first, ndig, sign_at, sep, plus, minus, signed, bwz, space, width,
                 plain, signtab, values, invalid):
    start = first if sep < 0 or sep > first else first - 1
    ten = np.uint64(10)
    for i in range(matrix.shape[0]):
        lo = _ZERO
        hi = _ZERO
        bad = False
        neg = False
        for j in range(ndig):
            b = matrix[i, first + j]
            c = signtab[b] if j == sign_at else plain[b]
            if c < 0:
                bad = True
                break
            if c >= 16:
                neg = True
                c -= 16
            lo, hi = u128_mul_add(lo, hi, ten, np.uint64(c))
        neg, bad, zero = _settle(matrix, i, sep, plus, minus, signed, bwz, space, start, width, neg, bad)
        if zero:
            lo = _ZERO
            hi = _ZERO
        if neg:
            lo, hi = u128_neg(lo, hi)
        values[i, 0] = lo
        values[i, 1] = hi
        invalid[i] = bad


@njit(cache=True, nogil=True)
def _decode_limbs(matrix, first, ndig, sign_at, sep, plus, minus, signed, bwz, space, width,
                  plain, signtab, values, invalid):
    # _decode_wide on 256-bit values (39 to 76 digits)
    start = first if sep < 0 or sep > first else first - 1
    ten = np.uint64(10)
    for i in range(matrix.shape[0]):
        x = values[i]
        for k in range(x.shape[0]):
            x[k] = _ZERO
        bad = False
        neg = False
        for j in range(ndig):
            b = matrix[i, first + j]
            c = signtab[b] if j == sign_at else plain[b]
            if c < 0:
                bad = True
                break
            if c >= 16:
                neg = True
                c -= 16
            l_mul_add(x, ten, np.uint64(c))
        neg, bad, zero = _settle(matrix, i, sep, plus, minus, signed, bwz, space, start, width, neg, bad)
        if zero:
            for k in range(x.shape[0]):
                x[k] = _ZERO
        if neg:
            l_neg(x)
        invalid[i] = bad


def _geometry(offset: int, field: Field) -> tuple[int, int, int]:
    """(first digit byte, index of the sign-carrying digit or -1, separate sign byte or -1)."""
    n = field.digits
    if field.sign_separate and field.signed:
        if field.sign_leading:
            return offset + 1, -1, offset
        return offset, -1, offset + n
    if field.signed and field.sign_leading:
        return offset, 0, -1
    return offset, n - 1, -1


@njit(cache=True, nogil=True, native=True)
def _decode_columns(matrix, leads, j0s, j1s, trails, seps, starts, plus, minus, signed, bwz, space, widths, plain,
                    signtab, base, step, flat, invalid):
    # _decode_narrow over several columns, row by row (each record comes into cache once), writing
    # each value where its Arrow array reads it: int64, or decimal128's [low, high] (no widening pass).
    # Per column: the byte of a leading sign zone (or -1), the plain digits [j0, j1), the byte of a
    # trailing sign zone (or -1); `_settle` runs only for what valid unsigned-or-zoned data never has.
    for i in range(matrix.shape[0]):
        row = matrix[i]
        for c in range(j0s.shape[0]):
            acc = np.int64(0)
            flags = np.int8(0)
            lead = leads[c]
            if lead >= 0:
                code = signtab[c, row[lead]]
                flags |= code
                acc = np.int64(code & 15)
            # unsigned offsets: no wrap-around test for negative indices on every byte
            for j in range(np.uint64(j0s[c]), np.uint64(j1s[c])):
                code = plain[c, row[j]]
                flags |= code
                acc = acc * 10 + code
            trail = trails[c]
            if trail >= 0:
                code = signtab[c, row[trail]]
                flags |= code
                acc = acc * 10 + (code & 15)
            neg = (flags & 16) != 0
            bad = flags < 0
            sep = seps[c]
            if bad or sep >= 0 or (neg and not signed[c]):
                neg, bad, zero = _settle(matrix, i, sep, plus[c], minus[c], signed[c], bwz[c], space[c], starts[c],
                                         widths[c], neg, bad)
                if zero:
                    acc = 0
            v = -acc if neg else acc
            many_put(flat, base, step, c, i, v)
            if bad:  # the mask starts all False: valid values, the common case, write nothing
                invalid[c, i] = True


def _column_geometry(offset: int, field: Field) -> tuple[int, int, int, int, int, int]:
    """What `_decode_columns` reads of a field: (leading sign byte or -1, first and end of the plain
    digit bytes, trailing sign byte or -1, separate sign byte or -1, first byte of the field)."""
    first, sign_at, sep = _geometry(offset, field)
    ndig = field.digits
    lead = sign_at == 0
    trail = sign_at == ndig - 1 and not lead
    start = first if sep < 0 or sep > first else first - 1
    return (first if lead else -1, first + 1 if lead else first, first + ndig - 1 if trail else first + ndig,
            first + ndig - 1 if trail else -1, sep, start)


def batchable(field: Field) -> bool:
    """Whether `decode_many` reads ``field``: 1 to 18 digits, scale not negative (``PPP`` rescales)."""
    return 1 <= field.digits <= 18 and field.scale >= 0


def decode_many(matrix: np.ndarray, offsets: list[int], fields: list[Field],
                options: CodecOptions) -> list[tuple[pa.Array, np.ndarray]]:
    """Several zoned columns (each `batchable`) in one pass: per field, the Arrow array `decode`
    and `to_arrow` give (int64, or decimal128 when the field has decimals) and its invalid mask."""
    n = matrix.shape[0]
    k = len(fields)
    plain = np.empty((k, 256), np.int8)
    signtab = np.empty((k, 256), np.int8)
    geometry = np.empty((6, k), np.int64)
    marks = np.empty((3, k), np.int64)
    for c, (offset, field) in enumerate(zip(offsets, fields)):
        check_digits(field)
        cs = charset(options.codepage_for(field.path))
        plain[c], signtab[c] = _tables(cs.name)
        if cs.ascii_digits and not field.signed:
            signtab[c] = plain[c]   # as in `decode`
        geometry[:, c] = _column_geometry(offset, field)
        marks[:, c] = (cs.byte("+"), cs.byte("-"), cs.space)
    base, step, flat = many_buffers(fields, n)
    invalid = np.zeros((k, n), np.bool_)
    _decode_columns(matrix, *geometry, marks[0], marks[1], np.array([f.signed for f in fields], dtype=np.bool_),
                    np.array([f.blank_when_zero for f in fields], dtype=np.bool_), marks[2],
                    np.array([f.length for f in fields], dtype=np.int64), plain, signtab, base, step, flat, invalid)
    return many_arrays(fields, [max(1, f.digits, f.scale) for f in fields], n, base, step, flat, invalid)


def decode(matrix: np.ndarray, offset: int, field: Field, options: CodecOptions) -> Numbers:
    """The zoned field at ``offset`` of every record: exact unscaled integers and an invalid mask."""
    cs = charset(options.codepage_for(field.path))
    plain, signtab = _tables(cs.name)
    if cs.ascii_digits and not field.signed:
        # no ASCII producer overpunches an unsigned field: a letter there is garbage, not a digit
        signtab = plain
    first, sign_at, sep = _geometry(offset, field)
    n = matrix.shape[0]
    precision = max(1, field.digits)
    invalid = np.empty(n, np.bool_)
    args = (matrix, first, field.digits, sign_at, sep, cs.byte("+"), cs.byte("-"), field.signed,
            field.blank_when_zero, cs.space, field.length, plain, signtab)
    check_digits(field)
    if precision <= 18:
        values = np.empty(n, np.int64)
        _decode_narrow(*args, values, invalid)
    elif precision <= MAX_PRECISION:
        values = np.empty((n, 2), np.int64)
        _decode_wide(*args, values.view(np.uint64), invalid)
    else:
        values = np.empty((n, 4), np.int64)
        _decode_limbs(*args, values.view(np.uint64), invalid)
    return Numbers(values, invalid, precision, field.scale, kind_for(field.scale))


# --------------------------------------------------------------------------------------------
@njit(cache=True, nogil=True, small=True, native=True, error_model="numpy")   # limit is 10**digits: never 0
def _encode_narrow(values, limit, first, ndig, sign_at, sep, plus, minus, signed, plain, pos, neg, out,
                   out_rows, overflow, negative):
    # One pass from int64 values to bytes; values beyond the PICTURE keep their low-order digits
    # (the caller refuses them unless asked to truncate). Row i lands in out[out_rows[i]] when
    # out_rows is given (patching records in place), else in out[i].
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
        dsign = 0
        for j in range(ndig - 1, -1, -1):
            q = u // ten
            d = np.int64(u - q * ten)
            u = q
            out[r, first + j] = plain[d]
            if j == sign_at:
                dsign = d
        if sign_at >= 0:
            out[r, first + sign_at] = neg[dsign] if isneg else pos[dsign]
        if sep >= 0:
            out[r, sep] = minus if isneg else plus


@njit(cache=True, nogil=True)
def _encode_kernel(digits, negative, first, sign_at, sep, plus, minus, plain, pos, neg, out):
    ndig = digits.shape[1]
    for i in range(digits.shape[0]):
        for j in range(ndig):
            out[i, first + j] = plain[digits[i, j]]
        if sign_at >= 0:
            d = digits[i, sign_at]
            out[i, first + sign_at] = neg[d] if negative[i] else pos[d]
        if sep >= 0:
            out[i, sep] = minus if negative[i] else plus


def encode(numbers: Numbers, field: Field, options: CodecOptions, *, rows: np.ndarray | None = None,
           truncate: bool = False) -> np.ndarray:
    """The field's bytes (n, length), signs and zones as the dialect writes them.

    ``rows`` are the row numbers reported in errors (default 0..n-1).

    :raises EncodeError: a null value, more digits than the PICTURE has (unless ``truncate``,
        which keeps the low-order digits), a negative value for an unsigned field (unless
        ``truncate``, which writes its absolute value as COBOL's MOVE does), or a value needing
        more decimal places than the field's scale.
    """
    numbers = for_field(numbers, field, rows)
    cs = charset(options.codepage_for(field.path))
    plain, pos, neg = _sign_bytes(field, options)
    first, sign_at, sep = _geometry(0, field)
    out = np.empty((len(numbers), field.length), np.uint8)
    if numbers.values.ndim == 1 and field.digits <= 18:
        overflow = np.empty(len(numbers), np.bool_)
        negative = np.empty(len(numbers), np.bool_)
        _encode_narrow(numbers.values, np.uint64(10**field.digits), first, field.digits, sign_at, sep,
                       cs.byte("+"), cs.byte("-"), field.signed, plain, pos, neg, out, _NO_ROWS, overflow, negative)
    else:
        digits, negative, overflow = digits_of(numbers.values, field.digits)
        signed_neg = negative & digits.any(axis=1) if field.signed else np.zeros_like(negative)
        _encode_kernel(digits, signed_neg, first, sign_at, sep, cs.byte("+"), cs.byte("-"), plain, pos, neg, out)
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
        cs = charset(options.codepage_for(field.path))
        plain, pos, neg = _sign_bytes(field, options)
        first, sign_at, sep = _geometry(offset, field)
        _encode_narrow(sub.values, np.uint64(10**field.digits), first, field.digits, sign_at, sep,
                       cs.byte("+"), cs.byte("-"), field.signed, plain, pos, neg, matrix, out_rows, flags, flags2)
