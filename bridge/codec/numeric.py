"""The value every numeric codec returns and takes (`Numbers`), its exact arithmetic, and Arrow building.

Decision: a column of decimals is held as *unscaled integers* plus one scale, never as floats.
Up to 18 digits the integers are an ``int64`` array; from 19 to 38 digits they are 128-bit
two's-complement integers stored as an ``int64`` array of shape (n, 2): ``[low 64 bits, high
64 bits]``, which is exactly the little-endian layout of Arrow's ``decimal128`` buffer, so a
decoded column becomes an Arrow array without one Python object. From 39 to 76 digits they are
256-bit integers of shape (n, 4), the layout of Arrow's ``decimal256``. The 128-bit arithmetic
(multiply-add, divide by a small number, negate) is written here once, in numba, on ``uint64``
limbs, and shared by the codecs; the 256-bit arithmetic is the same on a row of limbs.

Beyond 76 digits no Arrow decimal holds a value exactly, so `check_digits` refuses the item
(`LayoutError`) before anything is decoded: a number is exact or refused, never wrong.

`Numbers.invalid` marks values the bytes could not give (their value slot holds 0); a codec
never guesses a number from bad bytes. What to do with them (null, error) is the caller's call.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Context, Decimal, InvalidOperation, ROUND_HALF_UP
from typing import Any, Literal

import numpy as np
import pyarrow as pa

from bridge.codec.jit import njit
from bridge.errors import EncodeError, LayoutError
from bridge.layout.model import Field, Kind

__all__ = [
    "MAX_DIGITS",
    "Numbers",
    "check_digits",
    "Rounding",
    "digits_of",
    "from_arrow",
    "from_values",
    "is_wide",
    "load_be8",
    "many_arrays",
    "many_buffers",
    "many_put",
    "rescale",
    "to_arrow",
    "to_python",
    "to_wide",
]

Rounding = Literal["half-up"] | None
NumberKind = Literal["int", "decimal", "float"]

MAX_PRECISION = 38         # decimal128: the widest precision of the (n, 2) representation
MAX_DIGITS = 76            # decimal256: the widest number any codec decodes
# wide enough that no 76-digit value is ever rounded by Decimal arithmetic, and exponents so wide
# that 1E-99999999 stays itself (the default Emin would flush it to 0: a wrong number in silence)
_CTX = Context(prec=200, Emin=-(10**17), Emax=10**17)


def limbs_for(precision: int) -> int:
    """64-bit limbs per value for a precision: 1 (int64), 2 (decimal128) or 4 (decimal256)."""
    return 1 if precision <= 18 else 2 if precision <= MAX_PRECISION else 4


def check_digits(field: Field) -> None:
    """Refuse a numeric item whose values no Arrow decimal can hold exactly (more than 76 digits).

    :raises LayoutError: naming the item, its PICTURE and the limit.
    """
    kind = field.kind
    if kind in (Kind.ZONED, Kind.PACKED, Kind.NUMERIC_EDITED, Kind.BINARY):
        digits = field.digits   # 0 for a binary item without a PICTURE: its storage decides (<= 32 bytes)
        if kind is Kind.NUMERIC_EDITED:
            from bridge.codec.edited import MAX_EDITED_DIGITS as limit
        else:
            limit = MAX_DIGITS
        reach = digits + max(0, -field.scale)   # 9(70)P(10) has 80 digits once scaled
        if digits > limit or reach > MAX_DIGITS or field.scale > MAX_DIGITS:
            what = "numeric-edited item" if kind is Kind.NUMERIC_EDITED else "number"
            raise LayoutError(
                f"{field.qualified_name} PIC {field.picture or '?'}: a {what} of {max(digits, reach)} digits "
                f"is beyond the {limit} digits the bridge decodes exactly (Arrow decimal"
                f"{'256' if limit > 38 else '128'}); shorten the PICTURE or read the bytes as PIC X",
                field=field.qualified_name)


@dataclass(frozen=True, eq=False)
class Numbers:
    """A column of numbers decoded from, or to be encoded into, one field.

    * ``values``: ``int64`` (n,) unscaled integers when ``precision <= 18``; ``int64`` (n, 2)
      two's-complement 128-bit integers ``[low, high]`` when ``precision`` is 19..38; ``int64``
      (n, 4) 256-bit integers (little-endian limbs) when ``precision`` is 39..76;
      ``float64`` (n,) when ``kind == "float"``.
    * ``invalid``: ``bool`` (n,), True where the bytes held no valid value (its slot holds 0).
    * ``precision``: decimal digits the values can have (for floats: 24 for IEEE single, 53 otherwise).
    * ``scale``: power of ten the integers are divided by (negative for ``9(3)PPP``).
    * ``kind``: ``"int"`` (scale <= 0), ``"decimal"`` or ``"float"``.
    * ``arrow_int``: for binary storage, the Arrow integer type that always holds the values
      (``"int64"``/``"uint64"``), so the column type does not depend on the data.
    """

    values: np.ndarray
    invalid: np.ndarray
    precision: int
    scale: int
    kind: NumberKind
    arrow_int: str | None = None

    def __len__(self) -> int:
        return int(self.invalid.shape[0])

    @property
    def wide(self) -> bool:
        return is_wide(self.values)


def is_wide(values: np.ndarray) -> bool:
    """True for the (n, 2) 128-bit representation."""
    return values.ndim == 2


def kind_for(scale: int) -> NumberKind:
    return "int" if scale <= 0 else "decimal"


# --------------------------------------------------------------------------------------------
# 128-bit arithmetic on uint64 limbs (numba). Every constant is uint64: numba turns a mix of
# signed and unsigned 64-bit integers into float64, which would silently lose digits.
_ZERO = np.uint64(0)
_ONE = np.uint64(1)
_M32 = np.uint64(0xFFFFFFFF)
_S32 = np.uint64(32)
_S63 = np.uint64(63)


@njit(cache=True, inline="always")
def u128_mul_add(lo, hi, m, a):
    """(hi:lo) * m + a for m, a < 2**32; wraps modulo 2**128."""
    p0 = (lo & _M32) * m + a
    p1 = (lo >> _S32) * m + (p0 >> _S32)
    return (p0 & _M32) | (p1 << _S32), hi * m + (p1 >> _S32)


@njit(cache=True, inline="always")
def u128_neg(lo, hi):
    """Two's-complement negation."""
    nlo = ~lo + _ONE
    nhi = ~hi
    if nlo == _ZERO:
        nhi = nhi + _ONE
    return nlo, nhi


@njit(cache=True, inline="always")
def u128_divmod_small(lo, hi, d):
    """Unsigned (hi:lo) // d and % d for 0 < d < 2**32."""
    t = hi >> _S32
    q3 = t // d
    r = t - q3 * d
    t = (r << _S32) | (hi & _M32)
    q2 = t // d
    r = t - q2 * d
    t = (r << _S32) | (lo >> _S32)
    q1 = t // d
    r = t - q1 * d
    t = (r << _S32) | (lo & _M32)
    q0 = t // d
    r = t - q0 * d
    return (q1 << _S32) | q0, (q3 << _S32) | q2, r


@njit(cache=True, inline="always")
def u128_le(alo, ahi, blo, bhi):
    """Unsigned a <= b."""
    if ahi != bhi:
        return ahi < bhi
    return alo <= blo


# The same on a row of limbs (little-endian uint64, any count): the 256-bit values of 39 to 76
# digits. Each works in place on ``x`` (a row of the values array or a scratch array).
@njit(cache=True, inline="always")
def l_mul_add(x, m, a):
    """x = x * m + a for m, a < 2**32; wraps."""
    carry = a
    for k in range(x.shape[0]):
        v = x[k]
        p0 = (v & _M32) * m + carry
        p1 = (v >> _S32) * m + (p0 >> _S32)
        x[k] = (p0 & _M32) | (p1 << _S32)
        carry = p1 >> _S32


@njit(cache=True, inline="always")
def l_neg(x):
    """Two's-complement negation."""
    carry = _ONE
    for k in range(x.shape[0]):
        v = ~x[k] + carry
        carry = _ONE if (carry == _ONE and v == _ZERO) else _ZERO
        x[k] = v


@njit(cache=True, inline="always")
def l_divmod_small(x, d):
    """x = x // d (unsigned), returns x % d, for 0 < d < 2**32."""
    r = _ZERO
    for k in range(x.shape[0] - 1, -1, -1):
        v = x[k]
        t = (r << _S32) | (v >> _S32)
        qh = t // d
        r = t - qh * d
        t = (r << _S32) | (v & _M32)
        ql = t // d
        r = t - ql * d
        x[k] = (qh << _S32) | ql
    return r


@njit(cache=True, inline="always")
def l_le(x, y):
    """Unsigned x <= y."""
    for k in range(x.shape[0] - 1, -1, -1):
        if x[k] != y[k]:
            return x[k] < y[k]
    return True


@njit(cache=True, inline="always")
def l_is_zero(x):
    for k in range(x.shape[0]):
        if x[k] != _ZERO:
            return False
    return True


@njit(cache=True, inline="always")
def l_negative(x):
    return (x[x.shape[0] - 1] >> _S63) != _ZERO


def limbs_of(v: int, count: int = 4) -> np.ndarray:
    """The two's-complement limbs (uint64, little-endian) of a Python int."""
    u = v & ((1 << (64 * count)) - 1)
    return np.array([(u >> (64 * k)) & 0xFFFFFFFFFFFFFFFF for k in range(count)], np.uint64)


_POW10_L4 = np.stack([limbs_of(10**k) for k in range(MAX_DIGITS + 1)])   # (77, 4)


def _pow10_limbs() -> tuple[np.ndarray, np.ndarray]:
    lo = np.empty(40, np.uint64)
    hi = np.empty(40, np.uint64)
    for k in range(40):
        v = 10**k
        lo[k] = v & 0xFFFFFFFFFFFFFFFF
        hi[k] = (v >> 64) & 0xFFFFFFFFFFFFFFFF
    return lo, hi


POW10_LO, POW10_HI = _pow10_limbs()
_POW10_I64 = np.array([10**k for k in range(19)], np.int64)


@njit(cache=True, nogil=True, small=True, native=True)
def _widen(values, out):
    for i in range(values.shape[0]):
        v = values[i]
        out[i, 0] = v
        out[i, 1] = v >> 63


def to_wide(values: np.ndarray) -> np.ndarray:
    """The (n, 2) 128-bit form of int64 or already-wide values (256-bit values stay (n, 4))."""
    if values.ndim == 2:
        return values
    out = np.empty((values.shape[0], 2), np.int64)
    _widen(np.ascontiguousarray(values, dtype=np.int64), out)
    return out


def limb_count(values: np.ndarray) -> int:
    return 1 if values.ndim == 1 else int(values.shape[1])


def to_limbs(values: np.ndarray, count: int) -> np.ndarray:
    """Values sign-extended to ``count`` limbs: (n, count) int64 (count >= the values' own)."""
    have = limb_count(values)
    if have == count and values.ndim == 2:
        return values
    rows = values.reshape(-1, 1) if values.ndim == 1 else values
    out = np.empty((rows.shape[0], count), np.int64)
    out[:, :have] = rows
    out[:, have:] = (rows[:, have - 1] >> 63)[:, None]
    return out


def _narrow(wide: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(int64 values, fits) of 128- or 256-bit values; rows that do not fit int64 get 0."""
    lo = wide[:, 0]
    fits = (wide[:, 1:] == (lo >> 63)[:, None]).all(axis=1)
    return np.where(fits, lo, 0), fits


def _shrink(values: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """(values in ``count`` limbs, fits): rows whose upper limbs are not the sign get 0."""
    if count == 1:
        return _narrow(values)
    top = values[:, count - 1] >> 63
    fits = (values[:, count:] == top[:, None]).all(axis=1)
    return np.where(fits[:, None], values[:, :count], 0), fits


def _as_python_int(values: np.ndarray, i: int) -> int:
    if values.ndim == 2:
        return int.from_bytes(np.ascontiguousarray(values[i]).astype("<i8").tobytes(), "little", signed=True)
    return int(values[i])


# --------------------------------------------------------------------------------------------
# Digits of values, for the encoders (zoned, packed, edited write digit by digit).
@njit(cache=True, nogil=True)
def _digits_narrow(values, ndig, digits, negative, overflow):
    for i in range(values.shape[0]):
        v = values[i]
        neg = v < 0
        # unsigned magnitude copes with -2**63
        u = np.uint64(v)
        if neg:
            u = ~u + _ONE
        for j in range(ndig - 1, -1, -1):
            q = u // np.uint64(10)
            digits[i, j] = np.uint8(u - q * np.uint64(10))
            u = q
        negative[i] = neg
        overflow[i] = u != _ZERO


@njit(cache=True, nogil=True)
def _digits_wide(values, ndig, digits, negative, overflow):
    d9 = np.uint64(1000000000)
    ten = np.uint64(10)
    for i in range(values.shape[0]):
        lo = values[i, 0]
        hi = values[i, 1]
        neg = (hi >> _S63) != _ZERO
        if neg:
            lo, hi = u128_neg(lo, hi)
        j = ndig - 1
        while j >= 0:
            lo, hi, r = u128_divmod_small(lo, hi, d9)
            for _ in range(9):
                if j < 0:
                    break
                q = r // ten
                digits[i, j] = np.uint8(r - q * ten)
                r = q
                j -= 1
            if r != _ZERO:
                overflow[i] = True
        negative[i] = neg
        if lo != _ZERO or hi != _ZERO:
            overflow[i] = True


@njit(cache=True, nogil=True)
def _digits_limbs(values, ndig, digits, negative, overflow):
    d9 = np.uint64(1000000000)
    ten = np.uint64(10)
    x = np.empty(values.shape[1], np.uint64)
    for i in range(values.shape[0]):
        for k in range(x.shape[0]):
            x[k] = values[i, k]
        neg = l_negative(x)
        if neg:
            l_neg(x)
        j = ndig - 1
        while j >= 0:
            r = l_divmod_small(x, d9)
            for _ in range(9):
                if j < 0:
                    break
                q = r // ten
                digits[i, j] = np.uint8(r - q * ten)
                r = q
                j -= 1
            if r != _ZERO:
                overflow[i] = True
        negative[i] = neg
        if not l_is_zero(x):
            overflow[i] = True


def digits_of(values: np.ndarray, ndig: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(digits uint8 (n, ndig) of |value| most significant first, negative, overflow).

    ``overflow`` marks values with more than ``ndig`` digits; their digits are the low-order
    ones (what COBOL keeps when it truncates a MOVE).
    """
    n = values.shape[0]
    digits = np.zeros((n, max(ndig, 0)), np.uint8)
    negative = np.zeros(n, np.bool_)
    overflow = np.zeros(n, np.bool_)
    if values.ndim == 2 and values.shape[1] > 2:
        _digits_limbs(np.ascontiguousarray(values).view(np.uint64), ndig, digits, negative, overflow)
    elif values.ndim == 2:
        _digits_wide(np.ascontiguousarray(values).view(np.uint64), ndig, digits, negative, overflow)
    else:
        _digits_narrow(np.ascontiguousarray(values, dtype=np.int64), ndig, digits, negative, overflow)
    return digits, negative, overflow


# --------------------------------------------------------------------------------------------
# Rescaling (exact, or half-up on request).
@njit(cache=True, nogil=True)
def _scale_up_wide(values, k, out, overflow):
    # multiply |v| by 10**k, k <= 38; overflow when the result needs more than 38 digits
    ten9 = np.uint64(1000000000)
    lim_lo = POW10_LO[38]
    lim_hi = POW10_HI[38]
    for i in range(values.shape[0]):
        lo = values[i, 0]
        hi = values[i, 1]
        neg = (hi >> _S63) != _ZERO
        if neg:
            lo, hi = u128_neg(lo, hi)
        rest = k
        bad = False
        while rest > 0:
            step = 9 if rest > 9 else rest
            m = ten9 if step == 9 else np.uint64(POW10_LO[step])
            # detect overflow before multiplying: |v| must be < 10**(38-step)
            if not u128_le(lo, hi, POW10_LO[38 - step], POW10_HI[38 - step]):
                bad = True
                break
            lo, hi = u128_mul_add(lo, hi, m, _ZERO)
            rest -= step
        if bad or not u128_le(lo, hi, lim_lo, lim_hi):
            overflow[i] = True
            lo = _ZERO
            hi = _ZERO
        if neg:
            lo, hi = u128_neg(lo, hi)
        out[i, 0] = lo
        out[i, 1] = hi


@njit(cache=True, nogil=True)
def _scale_down_wide(values, k, half_up, out, inexact):
    ten = np.uint64(10)
    for i in range(values.shape[0]):
        lo = values[i, 0]
        hi = values[i, 1]
        neg = (hi >> _S63) != _ZERO
        if neg:
            lo, hi = u128_neg(lo, hi)
        rest = k - 1
        lost = False
        while rest > 0:
            step = 9 if rest > 9 else rest
            lo, hi, r = u128_divmod_small(lo, hi, np.uint64(POW10_LO[step]))
            if r != _ZERO:
                lost = True
            rest -= step
        lo, hi, r = u128_divmod_small(lo, hi, ten)
        if r != _ZERO:
            lost = True
        if half_up and r >= np.uint64(5):
            lo, hi = u128_mul_add(lo, hi, _ONE, _ONE)
        inexact[i] = lost
        if neg:
            lo, hi = u128_neg(lo, hi)
        out[i, 0] = lo
        out[i, 1] = hi


@njit(cache=True, nogil=True)
def _scale_up_limbs(values, k, limit, out, overflow):
    # multiply |v| by 10**k one digit at a time; overflow when the result is beyond `limit`
    ten = np.uint64(10)
    x = np.empty(values.shape[1], np.uint64)
    for i in range(values.shape[0]):
        for j in range(x.shape[0]):
            x[j] = values[i, j]
        neg = l_negative(x)
        if neg:
            l_neg(x)
        bad = not l_le(x, limit)
        for _ in range(k):
            if bad:
                break
            l_mul_add(x, ten, _ZERO)
            bad = not l_le(x, limit)
        if bad:
            overflow[i] = True
            for j in range(x.shape[0]):
                x[j] = _ZERO
        if neg:
            l_neg(x)
        for j in range(x.shape[0]):
            out[i, j] = x[j]


@njit(cache=True, nogil=True)
def _scale_down_limbs(values, k, half_up, out, inexact):
    ten = np.uint64(10)
    x = np.empty(values.shape[1], np.uint64)
    for i in range(values.shape[0]):
        for j in range(x.shape[0]):
            x[j] = values[i, j]
        neg = l_negative(x)
        if neg:
            l_neg(x)
        lost = False
        r = _ZERO
        for step in range(k):
            r = l_divmod_small(x, ten)
            if r != _ZERO and step < k - 1:
                lost = True
        if r != _ZERO:
            lost = True
        if half_up and r >= np.uint64(5):
            l_mul_add(x, _ONE, _ONE)
        inexact[i] = lost
        if neg:
            l_neg(x)
        for j in range(x.shape[0]):
            out[i, j] = x[j]


def _shift_scale(values: np.ndarray, by: int, rounding: Rounding, *, huge: bool = False
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Values multiplied by 10**by (by > 0) or divided (by < 0): (wide values, rows in trouble).

    Rows in trouble overflowed 38 digits (76 when ``huge``, or the values are 256-bit) going up,
    or lost digits going down (without rounding).
    """
    if huge or limb_count(values) > 2:
        wide = np.ascontiguousarray(to_limbs(values, 4))
        n = wide.shape[0]
        out = np.empty((n, 4), np.int64)
        trouble = np.zeros(n, np.bool_)
        if by > 0:
            limit = limbs_of(10**MAX_DIGITS - 1)
            _scale_up_limbs(wide.view(np.uint64), by, limit, out.view(np.uint64), trouble)
        else:
            _scale_down_limbs(wide.view(np.uint64), -by, rounding == "half-up", out.view(np.uint64), trouble)
            if rounding == "half-up":
                trouble[:] = False
        return out, trouble
    wide = np.ascontiguousarray(to_wide(values))
    n = wide.shape[0]
    out = np.empty((n, 2), np.int64)
    trouble = np.zeros(n, np.bool_)
    if by > 0:
        _scale_up_wide(wide.view(np.uint64), by, out.view(np.uint64), trouble)
    else:
        _scale_down_wide(wide.view(np.uint64), -by, rounding == "half-up", out.view(np.uint64), trouble)
        if rounding == "half-up":
            trouble[:] = False
    return out, trouble


def _fit(values: np.ndarray, precision: int) -> np.ndarray:
    """Values in the representation the precision asks for (kept wider if they do not fit)."""
    want = limbs_for(precision)
    have = limb_count(values)
    if have > want:
        smaller, fits = _shrink(values, want)
        return smaller if fits.all() else values
    if have < want:
        return to_limbs(values, want)
    return values


def rescale(numbers: Numbers, scale: int, *, rounding: Rounding = None, field: Field | None = None,
            rows: np.ndarray | None = None) -> Numbers:
    """The same numbers at another scale; exact, or rounded half-up (away from zero) on request.

    :raises EncodeError: a value would lose digits (without rounding) or need more than 38 digits.
    """
    if numbers.kind == "float":
        raise TypeError("rescale takes decimal numbers; floats go through from_values")
    by = scale - numbers.scale
    if by == 0:
        return numbers
    precision = max(1, numbers.precision + by)
    huge = precision > MAX_PRECISION or limb_count(numbers.values) > 2
    if precision > MAX_DIGITS:
        precision = MAX_DIGITS
    if by > 0 and numbers.values.ndim == 1 and numbers.precision + by <= 18:
        values = numbers.values * _POW10_I64[by]
        trouble = np.zeros(len(numbers), np.bool_)
    else:
        values, trouble = _shift_scale(numbers.values, by, rounding, huge=huge)
    trouble &= ~numbers.invalid
    if trouble.any():
        i = int(np.flatnonzero(trouble)[0])
        shown = _format_value(numbers, i)
        why = (f"needs more than {MAX_DIGITS if huge else MAX_PRECISION} digits" if by > 0 else
               f"has more than {scale} decimal places; pass rounding='half-up' to round it")
        _raise_encode(f"value {shown} {why}", i, field, shown, rows)
    return Numbers(_fit(values, precision), numbers.invalid, precision, scale, kind_for(scale))


def _format_value(numbers: Numbers, i: int) -> str:
    v = to_python(numbers, i)
    return "null" if v is None else str(v)


def _raise_encode(message: str, i: int, field: Field | None, value: Any, rows: np.ndarray | None) -> None:
    row = int(rows[i]) if rows is not None else i
    raise EncodeError(message, row=row, field=field.qualified_name if field else None, value=value,
                      picture=field.picture if field else None)


# --------------------------------------------------------------------------------------------
# Arrow
def _validity(invalid: np.ndarray) -> pa.Buffer | None:
    if not invalid.any():
        return None
    return pa.py_buffer(np.packbits(~invalid, bitorder="little"))


def to_arrow(numbers: Numbers) -> pa.Array:
    """An exact Arrow array of the numbers, invalid values null.

    ``int64`` (or the binary storage's ``uint64``) when the values are integers of at most 18
    digits; ``decimal128(precision, scale)`` otherwise; ``float64`` for floats (``float32``
    for IEEE single). A negative scale (``9(3)PPP``) is multiplied out to scale 0.
    """
    n = len(numbers)
    validity = _validity(numbers.invalid)
    if numbers.kind == "float":
        t = pa.float32() if numbers.precision == 24 else pa.float64()
        data = numbers.values.astype(np.float32) if numbers.precision == 24 else numbers.values
        return pa.Array.from_buffers(t, n, [validity, pa.py_buffer(np.ascontiguousarray(data))])
    if numbers.scale < 0:
        numbers = rescale(numbers, 0)
    values = numbers.values
    if numbers.scale == 0 and numbers.arrow_int is not None:
        t = pa.uint64() if numbers.arrow_int == "uint64" else pa.int64()
        narrow = np.ascontiguousarray(values[:, 0] if values.ndim == 2 else values)
        return pa.Array.from_buffers(t, n, [validity, pa.py_buffer(narrow)])
    if numbers.scale == 0 and numbers.precision <= 18:
        narrow = values if values.ndim == 1 else _narrow(values)[0]
        return pa.Array.from_buffers(pa.int64(), n, [validity, pa.py_buffer(np.ascontiguousarray(narrow))])
    precision = max(1, numbers.precision, numbers.scale)
    if precision <= MAX_PRECISION and limb_count(values) > 2:
        smaller, fits = _shrink(values, 2)
        if fits.all():
            values = smaller
        else:
            precision = MAX_PRECISION + 1
    if precision > MAX_PRECISION or limb_count(values) > 2:
        wide = np.ascontiguousarray(to_limbs(values, 4))
        t = pa.decimal256(min(MAX_DIGITS, precision), numbers.scale)
        return pa.Array.from_buffers(t, n, [validity, pa.py_buffer(wide)])
    wide = np.ascontiguousarray(to_wide(values))
    return pa.Array.from_buffers(pa.decimal128(precision, numbers.scale), n, [validity, pa.py_buffer(wide)])


def to_python(numbers: Numbers, i: int) -> Decimal | int | float | None:
    """Row ``i`` as a Python value: `Decimal` with its scale, `int`, `float`, or None if invalid."""
    if numbers.invalid[i]:
        return None
    if numbers.kind == "float":
        return float(numbers.values[i])
    v = _as_python_int(numbers.values, i)
    if numbers.scale <= 0:
        return v * 10 ** (-numbers.scale)
    return Decimal(v).scaleb(-numbers.scale, context=_CTX)


def _field_precision(field: Field) -> int:
    if field.kind is Kind.BINARY and field.digits == 0:
        return min(MAX_DIGITS, len(str(2 ** (8 * field.length))))
    return max(1, field.digits)


def from_arrow(array: Any, field: Field, *, rounding: Rounding = None,
               rows: np.ndarray | None = None) -> Numbers:
    """`Numbers` for ``field`` from an Arrow array (decimal, integer, float or string) or a pandas Series.

    Nulls become invalid rows. Decimals and integers are rescaled exactly to the field's scale;
    floats are taken as the shortest decimal that reads back as the same float (``0.1`` is
    ``0.1``), or rounded half-up from their exact binary value when ``rounding="half-up"``.

    :raises EncodeError: a value cannot be represented at the field's scale without rounding,
        or a string is not a number.
    """
    return from_values(array, field, rounding=rounding, rows=rows)


def from_values(values: Any, field: Field, *, rounding: Rounding = None,
                rows: np.ndarray | None = None) -> Numbers:
    """`Numbers` for ``field`` from Arrow, pandas, numpy or a list of Decimal/int/float/str/None.

    See `from_arrow`; ``rows`` are the row numbers used in error messages.
    """
    try:
        arr = _as_arrow(values)
    except (OverflowError, pa.ArrowInvalid, pa.ArrowTypeError):
        # Python ints beyond 64 bits, or mixed objects: one by one, exactly
        if field.kind is Kind.FLOAT:
            raise
        return _from_objects(list(values), field, _field_precision(field), rounding, rows)
    n = len(arr)
    invalid = np.asarray(arr.is_null().to_numpy(zero_copy_only=False), dtype=np.bool_) if arr.null_count \
        else np.zeros(n, np.bool_)
    t = arr.type
    if field.kind is Kind.FLOAT:
        if pa.types.is_string(t) or pa.types.is_large_string(t):
            return _floats_from_text(arr.to_pylist(), field, rows)
        try:
            vals = np.asarray(arr.cast(pa.float64()).fill_null(0).to_numpy(zero_copy_only=False), np.float64)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
            raise EncodeError(f"cannot write Arrow type {t} into a floating-point field",
                              field=field.qualified_name, picture=field.picture) from None
        return Numbers(vals, invalid, 24 if field.length == 4 else 53, 0, "float")
    scale = field.scale
    precision = _field_precision(field)
    if pa.types.is_decimal(t) and t.bit_width not in (128, 256):
        arr = arr.cast(pa.decimal128(t.precision, t.scale))
        t = arr.type
    if pa.types.is_decimal(t):
        limbs = t.bit_width // 64
        filled = arr.fill_null(pa.scalar(Decimal(0), t)) if arr.null_count else arr
        buf = filled.buffers()[1]
        wide = np.frombuffer(buf, np.int64, count=limbs * (n + filled.offset))[limbs * filled.offset:] \
            .reshape(n, limbs).copy()
        base = Numbers(_fit(wide, t.precision), invalid, t.precision, t.scale, kind_for(t.scale))
    elif pa.types.is_integer(t):
        filled = arr.fill_null(0) if arr.null_count else arr
        if pa.types.is_uint64(t):
            u = np.asarray(filled.to_numpy(zero_copy_only=False), np.uint64)
            wide = np.zeros((n, 2), np.int64)
            wide[:, 0] = u.view(np.int64)
            base = Numbers(_fit(wide, 20), invalid, 20, 0, "int")
        else:
            base = Numbers(np.asarray(filled.to_numpy(zero_copy_only=False), np.int64), invalid, 19, 0, "int")
    elif pa.types.is_floating(t):
        f = np.asarray(arr.cast(pa.float64()).fill_null(0).to_numpy(zero_copy_only=False), np.float64)
        return _from_floats(f, invalid, field, precision, rounding, rows)
    elif pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_null(t):
        return _from_objects(arr.to_pylist(), field, precision, rounding, rows)
    else:
        raise EncodeError(f"cannot write Arrow type {t} into a numeric field",
                          field=field.qualified_name, picture=field.picture)
    out = rescale(base, scale, rounding=rounding, field=field, rows=rows)
    return Numbers(_fit(out.values, precision), invalid, precision, scale, kind_for(scale))


def _floats_from_text(items: list, field: Field, rows: np.ndarray | None) -> Numbers:
    # CSV/JSONL text for COMP-1/COMP-2: parsed one by one so a bad one is named, not a traceback
    n = len(items)
    vals = np.zeros(n, np.float64)
    invalid = np.zeros(n, np.bool_)
    for i, item in enumerate(items):
        if item is None or not item.strip():
            invalid[i] = True
            continue
        try:
            vals[i] = float(Decimal(item.strip()))
        except (InvalidOperation, OverflowError):
            _raise_encode(f"{item!r} is not a number", i, field, item, rows)
    return Numbers(vals, invalid, 24 if field.length == 4 else 53, 0, "float")


def _as_arrow(values: Any) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks()
    if isinstance(values, pa.Array):
        return values
    if isinstance(values, np.ndarray):
        if values.dtype == object:
            return pa.array(list(values), from_pandas=True)
        return pa.array(values)
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is a dependency
        pd = None
    if pd is not None and isinstance(values, (pd.Series, pd.Index)):
        if values.dtype == object:
            return pa.array(list(values), from_pandas=True)
        return pa.array(values, from_pandas=True)
    return pa.array(list(values), from_pandas=True)


def _from_objects(items: list, field: Field, precision: int, rounding: Rounding,
                  rows: np.ndarray | None) -> Numbers:
    # Strings (CSV/JSONL input) and mixed Python objects: parsed one by one as Decimal.
    n = len(items)
    scale = field.scale
    invalid = np.zeros(n, np.bool_)
    ints: list[int] = []
    for i, item in enumerate(items):
        if item is None or (isinstance(item, float) and math.isnan(item)) or (isinstance(item, str) and not item.strip()):
            invalid[i] = True
            ints.append(0)
            continue
        try:
            d = Decimal(repr(item) if isinstance(item, float) else str(item).strip())
        except InvalidOperation:
            _raise_encode(f"{item!r} is not a number", i, field, item, rows)
        if not d.is_finite():
            _raise_encode(f"{item!r} is not a finite number", i, field, item, rows)
        if d and d.adjusted() + scale >= MAX_DIGITS:
            # refused before int() would build the digits of 1E+99999999
            _raise_encode(f"value {item} needs more than {MAX_DIGITS} digits", i, field, str(item), rows)
        ints.append(_scaled_int(d, Decimal(item) if isinstance(item, float) else d, scale, rounding, i, field, rows))
    return _numbers_from_ints(ints, invalid, field, precision, rows)


def _numbers_from_ints(ints: list[int], invalid: np.ndarray, field: Field, precision: int,
                       rows: np.ndarray | None) -> Numbers:
    n = len(ints)
    wide = np.zeros((n, 4), np.int64)
    for i, v in enumerate(ints):
        if abs(v) >= 10**MAX_DIGITS:
            _raise_encode(f"value {v} needs more than {MAX_DIGITS} digits", i, field, v, rows)
        wide[i] = limbs_of(v).view(np.int64)
    return Numbers(_fit(wide, precision), invalid, precision, field.scale, kind_for(field.scale))


def _scaled_int(shortest: Decimal, exact: Decimal, scale: int, rounding: Rounding, i: int, field: Field,
                rows: np.ndarray | None) -> int:
    # shortest: the decimal as written (repr of a float); exact: its binary value, used to round
    scaled = _CTX.scaleb(shortest, scale)
    if scaled == scaled.to_integral_value():
        return int(scaled)
    if rounding is None:
        _raise_encode(f"value {shortest} has more than {scale} decimal places; pass rounding='half-up' to round it",
                      i, field, str(shortest), rows)
    return int(_CTX.scaleb(exact, scale).to_integral_value(rounding=ROUND_HALF_UP))


def _signed64(u: int) -> int:
    return u - (1 << 64) if u >= (1 << 63) else u


@njit(cache=True, nogil=True)
def _float_to_scaled(f, pow10, out, status):
    # status: 0 exact (the shortest decimal of the float has <= scale places), 1 rounded
    # (clear of a tie), 2 too close to a tie or too large to decide in float: exact path
    for i in range(f.shape[0]):
        x = f[i]
        if not np.isfinite(x):
            status[i] = 3
            continue
        y = x * pow10
        if abs(y) >= 4.0e15:
            status[i] = 2
            continue
        r = np.rint(y)
        if r / pow10 != x:
            if (r - 1.0) / pow10 == x:
                r = r - 1.0
            elif (r + 1.0) / pow10 == x:
                r = r + 1.0
        if r / pow10 == x:
            out[i] = np.int64(r)
            status[i] = 0
            continue
        a = abs(y)
        fl = np.floor(a)
        frac = a - fl
        # |y - x*10**scale| <= 2**-53 * a: clear of a tie by more than that, the float decides
        if abs(frac - 0.5) <= 1e-15 * a + 1e-300:
            status[i] = 2
            continue
        q = fl + 1.0 if frac > 0.5 else fl
        out[i] = np.int64(q if x >= 0 else -q)
        status[i] = 1


def _from_floats(f: np.ndarray, invalid: np.ndarray, field: Field, precision: int, rounding: Rounding,
                 rows: np.ndarray | None) -> Numbers:
    invalid = invalid | np.isnan(f)
    scale = field.scale
    n = f.shape[0]
    out = np.zeros(n, np.int64)
    status = np.zeros(n, np.int8)
    if 0 <= scale <= 22:
        _float_to_scaled(np.where(invalid, 0.0, f), float(10**scale), out, status)
    else:
        status[:] = 2
    status[invalid] = 0
    if (status == 3).any():
        i = int(np.flatnonzero(status == 3)[0])
        _raise_encode(f"{f[i]} is not a finite number", i, field, float(f[i]), rows)
    if rounding is None and (status == 1).any():
        i = int(np.flatnonzero(status == 1)[0])
        _raise_encode(f"value {float(f[i])!r} has more than {scale} decimal places; pass rounding='half-up' to round it",
                      i, field, float(f[i]), rows)
    slow = np.flatnonzero(status == 2)
    if slow.size == 0:
        return Numbers(_fit(out, precision), invalid, precision, scale, kind_for(scale))
    wide = to_limbs(out, 4).copy()
    for i in slow:
        x = float(f[i])
        v = _scaled_int(Decimal(repr(x)), Decimal(x), scale, rounding, int(i), field, rows)
        if abs(v) >= 10**MAX_DIGITS:
            _raise_encode(f"value {x!r} needs more than {MAX_DIGITS} digits", int(i), field, x, rows)
        wide[i] = limbs_of(v).view(np.int64)
    return Numbers(_fit(wide, precision), invalid, precision, scale, kind_for(scale))


# --------------------------------------------------------------------------------------------
# Shared by the encoders: pick rows, check fit, write into records.
def take(numbers: Numbers, rows: np.ndarray) -> Numbers:
    """The numbers at the given row positions."""
    return Numbers(numbers.values[rows], numbers.invalid[rows], numbers.precision, numbers.scale,
                   numbers.kind, numbers.arrow_int)


def for_field(numbers: Numbers, field: Field, rows: np.ndarray | None) -> Numbers:
    """The numbers at the field's scale (exactly), refusing invalid (null) rows.

    :raises EncodeError: a null/invalid value (nothing to write), or a value that needs rounding.
    """
    if numbers.invalid.any():
        i = int(np.flatnonzero(numbers.invalid)[0])
        _raise_encode("value is null or invalid and there are no original bytes to keep; "
                      "patch the record instead or supply a value", i, field, None, rows)
    if numbers.kind == "float":
        return from_values(numbers.values, field, rows=rows)
    return rescale(numbers, field.scale, field=field, rows=rows)


def refuse_overflow(numbers: Numbers, field: Field, bad: np.ndarray, rows: np.ndarray | None,
                    why: str) -> None:
    """Raise `EncodeError` for the first row in ``bad``."""
    i = int(np.flatnonzero(bad)[0])
    shown = _format_value(numbers, i)
    _raise_encode(f"value {shown} {why}; --on-overflow truncate (on_overflow='truncate') keeps the low-order "
                  "digits as COBOL's MOVE does",
                  i, field, shown, rows)


def refuse_out_of_range(numbers: Numbers, field: Field, overflow: np.ndarray, negative: np.ndarray,
                        rows: np.ndarray | None) -> None:
    """Raise `EncodeError` for the first value with more digits than the PICTURE, or negative in an
    unsigned field (the decimal codecs' check, after their kernels flagged the rows)."""
    if overflow.any():
        refuse_overflow(numbers, field, overflow, rows, f"has more than the {field.digits} digits of the PICTURE")
    if not field.signed and negative.any():
        refuse_overflow(numbers, field, negative, rows, "is negative and the field is unsigned")


@njit(cache=True, nogil=True, native=True)
def _place_all(matrix, offset, data):
    width = data.shape[1]
    for i in range(data.shape[0]):
        for j in range(width):
            matrix[i, offset + j] = data[i, j]


@njit(cache=True, nogil=True, native=True)
def _place_rows(matrix, offset, data, rows):
    width = data.shape[1]
    for k in range(rows.shape[0]):
        i = rows[k]
        for j in range(width):
            matrix[i, offset + j] = data[k, j]


def place(matrix: np.ndarray, offset: int, data: np.ndarray, rows: np.ndarray | None) -> None:
    """Write a field's bytes (n, length) into records at ``offset``: all rows, or the listed ones."""
    if offset < 0 or offset + data.shape[1] > matrix.shape[1]:
        raise ValueError(f"field bytes [{offset}, {offset + data.shape[1]}) fall outside records of {matrix.shape[1]} bytes")
    if rows is None:
        _place_all(matrix, offset, data)
    else:
        _place_rows(matrix, offset, data, rows.astype(np.int64))


def encode_rows(encode, matrix: np.ndarray, offset: int, numbers: Numbers, field: Field, options: Any,
                mask: np.ndarray | None, **kwargs: Any) -> None:
    """``encode`` the rows selected by ``mask`` (all when None) and write them in place."""
    if mask is None:
        place(matrix, offset, encode(numbers, field, options, **kwargs), None)
        return
    rows = np.flatnonzero(mask)
    if rows.size == 0:
        return
    data = encode(take(numbers, rows), field, options, rows=rows, **kwargs)
    place(matrix, offset, data, rows)


@njit(cache=True, nogil=True)
def _wide_from_digits(digits, negative, out):
    for i in range(digits.shape[0]):
        lo = _ZERO
        hi = _ZERO
        for j in range(digits.shape[1]):
            lo, hi = u128_mul_add(lo, hi, np.uint64(10), np.uint64(digits[i, j]))
        if negative[i]:
            lo, hi = u128_neg(lo, hi)
        out[i, 0] = lo
        out[i, 1] = hi


@njit(cache=True, nogil=True)
def _limbs_from_digits(digits, negative, out):
    ten = np.uint64(10)
    for i in range(digits.shape[0]):
        x = out[i]
        for k in range(x.shape[0]):
            x[k] = _ZERO
        for j in range(digits.shape[1]):
            l_mul_add(x, ten, np.uint64(digits[i, j]))
        if negative[i]:
            l_neg(x)


def from_digits(digits: np.ndarray, negative: np.ndarray) -> np.ndarray:
    """128-bit values (n, 2) of digit rows (most significant first) with signs; 256-bit (n, 4)
    beyond 38 digits."""
    if digits.shape[1] > MAX_PRECISION:
        out = np.empty((digits.shape[0], 4), np.int64)
        _limbs_from_digits(np.ascontiguousarray(digits), negative, out.view(np.uint64))
        return out
    out = np.empty((digits.shape[0], 2), np.int64)
    _wide_from_digits(np.ascontiguousarray(digits), negative, out.view(np.uint64))
    return out


@njit(cache=True, nogil=True, small=True, native=True)
def _any_violation(values, limit, signed):
    for i in range(values.shape[0]):
        v = values[i]
        u = np.uint64(v)
        if v < 0:
            if not signed:
                return True
            u = ~u + _ONE
        if u >= limit:
            return True
    return False


def fits_narrow(numbers: Numbers, field: Field) -> bool | None:
    """For the fused patch path: None when the numbers need the general path (wide, float,
    another scale, nulls), else whether every value fits the PICTURE's digits and sign."""
    if (numbers.values.ndim != 1 or numbers.kind == "float" or field.digits > 18
            or numbers.scale != field.scale or numbers.invalid.any()):
        return None
    return not _any_violation(numbers.values, np.uint64(10**field.digits), field.signed)


def target_rows(matrix: np.ndarray, offset: int, field: Field, mask: np.ndarray | None) -> np.ndarray | None:
    """Rows a patch writes (None for all), after checking the field lies inside the records."""
    if offset < 0 or offset + field.length > matrix.shape[1]:
        raise ValueError(f"field {field.qualified_name} bytes [{offset}, {offset + field.length}) fall outside "
                         f"records of {matrix.shape[1]} bytes")
    return None if mask is None else np.flatnonzero(mask)


# -- eight bytes at a time (the many-column kernels of packed and binary) ------------------------------
_B = tuple(np.uint64(8 * k) for k in range(8))


@njit(cache=True, inline="always")
def load_be8(row, end):  # pragma: no cover - compiled
    """Bytes ``row[end - 8:end]`` (``end >= 8``) as a big-endian uint64: one load and byte swap once
    compiled (LLVM joins the eight byte reads when the offsets are unsigned)."""
    u = np.uint64(end) - np.uint64(8)
    return ((np.uint64(row[u]) << _B[7]) | (np.uint64(row[u + np.uint64(1)]) << _B[6])
            | (np.uint64(row[u + np.uint64(2)]) << _B[5]) | (np.uint64(row[u + np.uint64(3)]) << _B[4])
            | (np.uint64(row[u + np.uint64(4)]) << _B[3]) | (np.uint64(row[u + np.uint64(5)]) << _B[2])
            | (np.uint64(row[u + np.uint64(6)]) << _B[1]) | np.uint64(row[u + np.uint64(7)]))


# -- the buffers of a many-column kernel (`decode_many` of packed, zoned and binary) ----------------
# One int64 buffer holds every column of the batch, each where its Arrow array reads it: an item
# with decimals as decimal128 ([low, high] words), any other as int64. The kernel's store is then
# two writes at a computed address, the same instructions for both kinds (no branch per value,
# no second buffer): faster than a store that chose its buffer per value, in the bench_shapes wide run.

def many_buffers(fields: list[Field], rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where a many-column kernel writes: ``(base, step, flat)``: field ``c``'s value of row ``i``
    is at word ``base[c] + i * step[c]`` of ``flat``, ``step`` 2 (decimal128: a field with
    decimals) or 1 (int64)."""
    step = np.array([2 if f.scale > 0 else 1 for f in fields], dtype=np.int64)
    base = np.zeros(len(fields), dtype=np.int64)
    np.cumsum(step[:-1] * rows, out=base[1:])
    return base, step, np.empty(int(step.sum()) * rows, np.int64)


@njit(cache=True, inline="always")
def many_put(flat, base, step, c, i, v):  # pragma: no cover - compiled
    """Row ``i`` of field ``c``: int64, or decimal128 sign-extended (the high word is written
    first, at the value's own word when the step is 1, where the value then overwrites it)."""
    s = step[c]
    at = base[c] + i * s
    flat[at + s - 1] = v >> 63
    flat[at] = v


def many_arrays(fields: list[Field], precisions: list[int], rows: int, base: np.ndarray, step: np.ndarray,
                flat: np.ndarray, invalid: np.ndarray | None) -> list[tuple[pa.Array, np.ndarray]]:
    """Per field, the Arrow array over the kernel's buffer (nulls where ``invalid``) and its invalid mask."""
    clean = np.zeros(rows, np.bool_)
    bad_columns = np.zeros(len(fields), np.bool_) if invalid is None else invalid.any(axis=1)
    out = []
    for c, field in enumerate(fields):
        bad = clean if invalid is None else invalid[c]
        validity = pa.py_buffer(np.packbits(~bad, bitorder="little")) if bad_columns[c] else None
        at, words = int(base[c]), int(step[c]) * rows
        data = pa.py_buffer(flat[at:at + words])
        kind = pa.decimal128(precisions[c], field.scale) if step[c] == 2 else pa.int64()
        out.append((pa.Array.from_buffers(kind, rows, [validity, data]), bad))
    return out
