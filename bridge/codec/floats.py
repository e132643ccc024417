"""COMP-1 / COMP-2 floating point: IBM hexadecimal (HFP, the z/OS default) or IEEE 754, big-endian.

IBM HFP: a sign bit, a 7-bit exponent of 16 in excess-64, and a 24-bit (COMP-1) or 56-bit (COMP-2)
fraction, value = fraction * 16 ** (exponent - 64) with the fraction in [0, 1). ``43142EFC`` is
0x142EFC / 2**24 * 16**3 = 322.936477661133 (exactly 1322749 / 4096).

Decision: values come out as float64. An HFP single converts exactly (24 bits into 53, and its
range 5.4e-79..7.2e75 is inside float64's); an HFP double rounds its 56-bit fraction to 53 bits
to nearest, ties to even (the integer-to-float conversion does it once, then an exact power of
two scales it). Encoding HFP rounds to nearest, ties to even, and normalises (first hex digit
non-zero); values below the smallest normalised HFP number become denormal, then zero; values
beyond the largest, infinities and NaN are refused (HFP has none). Every bit pattern is a
number, so no float is ever invalid; IEEE NaNs and infinities pass through as themselves.

Canonical bytes (decode then encode gives them back): HFP single normalised or zero (``00000000``,
``80000000``); HFP double normalised, zero, with the last three fraction bits of its 56 bits
representable in 53 (low bits zero to float64's precision); IEEE: any.
Cobrix's COMP-1 decoding is wrong (its issue #853); the vectors in the tests are derived by hand.
"""
from __future__ import annotations

import math

import numpy as np

from bridge.codec.jit import njit
from bridge.codec.numeric import Numbers, _raise_encode, encode_rows, for_field
from bridge.codec.options import CodecOptions
from bridge.errors import LayoutError
from bridge.layout.model import Field

__all__ = ["decode", "encode", "encode_into", "length"]


def length(field: Field) -> int:
    """4 bytes for COMP-1, 8 for COMP-2."""
    return field.length


def _check(field: Field) -> None:
    if field.length not in (4, 8):
        raise LayoutError(f"{field.qualified_name}: a floating-point item has 4 or 8 bytes, not {field.length}",
                          field=field.qualified_name)


@njit(cache=True, nogil=True)
def _decode_hfp(matrix, offset, nbytes, values):
    fbits = 8 * nbytes - 8
    for i in range(matrix.shape[0]):
        head = matrix[i, offset]
        frac = np.uint64(0)
        for j in range(1, nbytes):
            frac = (frac << np.uint64(8)) | np.uint64(matrix[i, offset + j])
        e = np.int64(head & 0x7F) - 64
        v = math.ldexp(float(frac), int(4 * e - fbits))
        values[i] = -v if head & 0x80 else v


def decode(matrix: np.ndarray, offset: int, field: Field, options: CodecOptions) -> Numbers:
    """The float field at ``offset`` of every record as float64 (never invalid)."""
    _check(field)
    n = matrix.shape[0]
    nbytes = field.length
    if options.float_format == "ibm":
        values = np.empty(n, np.float64)
        _decode_hfp(matrix, offset, nbytes, values)
        precision = 53
    else:
        raw = np.ascontiguousarray(matrix[:, offset:offset + nbytes])
        values = raw.view(">f4" if nbytes == 4 else ">f8").reshape(n).astype(np.float64)
        precision = 24 if nbytes == 4 else 53
    return Numbers(values, np.zeros(n, np.bool_), precision, 0, "float")


@njit(cache=True, nogil=True)
def _encode_hfp(values, nbytes, out, status):
    # status: 0 ok, 1 not finite, 2 beyond the largest HFP number
    fbits = 8 * nbytes - 8
    for i in range(values.shape[0]):
        x = values[i]
        sign = 0x80 if (x < 0.0 or (x == 0.0 and math.copysign(1.0, x) < 0.0)) else 0
        for j in range(nbytes):
            out[i, j] = 0
        out[i, 0] = sign
        if not np.isfinite(x):
            status[i] = 1
            continue
        if x == 0.0:
            continue
        f, e = math.frexp(abs(x))             # |x| = f * 2**e, 0.5 <= f < 1
        m = np.int64(math.ldexp(f, 53))       # exact 53-bit integer, |x| = m * 2**(e - 53)
        E = (e + 3) // 4                      # hex exponent: fraction in [1/16, 1)
        if E < -64:
            E = -64                           # denormal: the fraction loses leading hex digits
        s = (e - 53) - 4 * E + fbits          # frac = m * 2**s
        if s >= 0:
            frac = np.uint64(m) << np.uint64(s)
        elif s <= -64:
            frac = np.uint64(0)
        else:
            k = np.uint64(-s)
            um = np.uint64(m)
            q = um >> k
            rem = um - (q << k)
            half = np.uint64(1) << (k - np.uint64(1))
            if rem > half or (rem == half and (q & np.uint64(1)) == np.uint64(1)):
                q += np.uint64(1)
            frac = q
        if frac >> np.uint64(fbits) != np.uint64(0):   # rounding carried into a new hex digit
            frac = frac >> np.uint64(4)
            E += 1
        if E + 64 > 127:
            status[i] = 2
            continue
        # frac is 0 only below the smallest denormal, where E is -64: these bytes are then zero
        out[i, 0] = sign | (E + 64)
        for j in range(nbytes - 1, 0, -1):
            out[i, j] = np.uint8(frac & np.uint64(0xFF))
            frac = frac >> np.uint64(8)


def encode(numbers: Numbers, field: Field, options: CodecOptions, *, rows: np.ndarray | None = None,
           truncate: bool = False) -> np.ndarray:
    """The field's bytes (n, 4 or 8): HFP rounded to nearest (ties to even), or IEEE big-endian.

    ``truncate`` has no effect (kept for the common signature).

    :raises EncodeError: a null value; for HFP a NaN, an infinity or a value beyond 7.2e75;
        for IEEE single a finite value beyond float32's range.
    """
    _check(field)
    if numbers.invalid.any():
        for_field(numbers, field, rows)
    values = np.ascontiguousarray(numbers.values if numbers.kind == "float"
                                  else _as_floats(numbers), dtype=np.float64)
    n = values.shape[0]
    nbytes = field.length
    if options.float_format == "ibm":
        out = np.empty((n, nbytes), np.uint8)
        status = np.zeros(n, np.int8)
        _encode_hfp(values, nbytes, out, status)
        if status.any():
            i = int(np.flatnonzero(status)[0])
            why = "is not a finite number" if status[i] == 1 else "is beyond the largest IBM floating-point number (7.2E+75)"
            _raise_encode(f"value {float(values[i])!r} {why}", i, field, float(values[i]), rows)
        return out
    with np.errstate(over="ignore"):
        typed = values.astype(">f4" if nbytes == 4 else ">f8")
    lost = np.isinf(typed) & np.isfinite(values)
    if lost.any():
        i = int(np.flatnonzero(lost)[0])
        _raise_encode(f"value {float(values[i])!r} is beyond the range of a 4-byte IEEE float", i, field, float(values[i]), rows)
    return typed.view(np.uint8).reshape(n, nbytes)


def _as_floats(numbers: Numbers) -> np.ndarray:
    """Decimals to float64, correctly rounded.

    Columnar when it is exact: an integer of at most 53 bits and a power of ten of at most 22
    are both exact doubles, so IEEE division (or multiplication) rounds their quotient correctly,
    as Python's Decimal -> float does. Anything else goes through Decimal, row by row.
    """
    values = numbers.values
    if values.ndim == 1 and abs(numbers.scale) <= 22:  # pragma: no mutate (both paths round alike; this picks the faster)
        v = values.astype(np.int64, copy=False)
        # a narrower bound only sends more values down the Decimal path, which rounds alike
        if not len(v) or int(np.abs(v).max()) <= 2**53:  # pragma: no mutate (equivalent, see above)
            exact = v.astype(np.float64)
            power = float(10 ** abs(numbers.scale))
            return exact / power if numbers.scale > 0 else exact * power
    from bridge.codec.numeric import to_python

    return np.array([float(to_python(numbers, i) or 0) for i in range(len(numbers))], np.float64)


def encode_into(matrix: np.ndarray, offset: int, numbers: Numbers, field: Field, options: CodecOptions,
                mask: np.ndarray | None = None, *, truncate: bool = False) -> None:
    """Encode in place into records at ``offset``, only the rows where ``mask`` is True."""
    encode_rows(encode, matrix, offset, numbers, field, options, mask, truncate=truncate)
