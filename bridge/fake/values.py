"""Valid values for one elementary item, a whole column at a time.

Every value fits its item as the encoder checks it: text no longer than the field (in
characters of its kind), numbers within the PICTURE's digits and scale, negative only where
the item can print or store a sign (an edited picture needs ``+``, ``-``, ``CR`` or ``DB``),
DBCS as the hexadecimal text the DBCS codec takes. Where an item has level-88 conditions its
values come from them (single values, THRU ranges, hexadecimal and figurative literals);
where it is a date (`bridge.fake.dates`) they are real dates.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bridge.codec.codepage import CodePage
from bridge.fake.dates import DateFormat, date_numbers, date_text, digit_matrix, part_numbers
from bridge.layout.model import Field, Kind

__all__ = ["column_values", "decimal_array", "fixed_text"]

_WORDS = pa.array(["ACME", "NORTH", "WEST", "BANK", "SMITH", "JONES", "TRADING", "LTD", "GARCIA", "MULLER",
                   "ROSSI", "DUPONT", "HOLDINGS", "MARKET", "RIVER", "OAK", "PARK", "STONE", "GREEN", "HILL"])
_TEXT = (Kind.ALPHANUMERIC, Kind.ALPHANUMERIC_EDITED, Kind.NATIONAL)
# DBCS characters every EBCDIC DBCS code page has: the double-byte forms of A-I (x'42C1'-x'42C9')
_DBCS_CHARS = np.array([0x42C1, 0x42C2, 0x42C3, 0x42C4, 0x42C5, 0x42C6, 0x42C7, 0x42C8, 0x42C9], dtype=np.int64)
_HEX = np.frombuffer(b"0123456789ABCDEF", dtype=np.uint8)
_MAX_INT_DIGITS = 15   # magnitudes stay inside int64 at every scale the encoder applies
_FIGURATIVE_SHARE = 0.2


def decimal_array(unscaled: np.ndarray, precision: int, scale: int, valid: np.ndarray | None = None) -> pa.Array:
    """A decimal Arrow array from int64 unscaled values, without Python objects: decimal128 up to
    38 digits, decimal256 (four little-endian limbs) beyond, as decoding gives them."""
    v = np.ascontiguousarray(unscaled, dtype=np.int64)
    digits = max(precision, scale, 1)
    limbs = 2 if digits <= 38 else 4
    data = np.empty((v.size, limbs), dtype=np.int64)
    data[:, 0] = v
    data[:, 1:] = (v >> 63)[:, None]
    mask = None
    if valid is not None and not valid.all():
        mask = pa.py_buffer(np.packbits(valid, bitorder="little").tobytes())
    kind = pa.decimal128 if limbs == 2 else pa.decimal256
    return pa.Array.from_buffers(kind(digits, max(scale, 0)), v.size,
                                 [mask, pa.py_buffer(data)], null_count=-1 if mask is not None else 0)


def fixed_text(chars: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """A string array from an (n, width) uint8 matrix of ASCII characters, one value per row."""
    n, width = chars.shape
    offsets = np.arange(n + 1, dtype=np.int64) * width
    data = np.ascontiguousarray(chars, dtype=np.uint8).tobytes()
    arr = pa.Array.from_buffers(pa.large_string(), n, [None, pa.py_buffer(offsets.tobytes()), pa.py_buffer(data)])
    arr = arr.cast(pa.string())
    return _mask(arr, valid)


def _mask(arr: pa.Array, valid: np.ndarray | None) -> pa.Array:
    if valid is None or valid.all():
        return arr
    return pc.if_else(pa.array(valid), arr, pa.nulls(len(arr), arr.type))


def column_values(f: Field, n: int, rng: np.random.Generator, valid: np.ndarray, *, page: CodePage,
                  date: tuple[DateFormat, tuple[int, int]] | None = None, part: str | None = None) -> pa.Array:
    """``n`` valid values of ``f`` (null where ``valid`` is False)."""
    if f.kind in _TEXT:
        width = f.length // 2 if f.kind is Kind.NATIONAL else f.length
        picked, only_figurative = _text_conditions(f, page, width)
        if picked and not only_figurative:
            return _mask(pa.array(picked).take(pa.array(rng.integers(0, len(picked), size=n))), valid)
        if date is not None and f.kind is not Kind.NATIONAL:
            return fixed_text(date_text(date[0], rng, n, date[1]), valid)
        if part is not None:
            return fixed_text(digit_matrix(part_numbers(part, rng, n), width), valid)
        words = _words(rng, n, width)
        if picked:  # e.g. a message field whose one 88 is LOW-VALUES: that value in some rows, text in the rest
            reset = pa.array(picked).take(pa.array(rng.integers(0, len(picked), size=n)))
            words = pc.if_else(pa.array(rng.random(n) < _FIGURATIVE_SHARE), reset, words)
        return _mask(words, valid)
    if f.kind is Kind.DBCS:
        return _dbcs(rng, n, f.length // 2, valid)
    if f.kind is Kind.FLOAT:
        values = np.round(rng.normal(1000, 300, size=n), 2)
        if not f.signed:
            values = np.abs(values)
        return pa.array(values, pa.float64(), mask=~valid)
    digits, scale, signed = _numeric_shape(f)
    unscaled = _numeric_conditions(f, rng, n, digits, scale, signed)
    if unscaled is None and date is not None:
        unscaled = date_numbers(date[0], rng, n, date[1])
    if unscaled is None and part is not None:
        unscaled = part_numbers(part, rng, n)
    if unscaled is None:
        unscaled = _magnitudes(rng, n, digits, signed)
    return _numbers(unscaled, digits, scale, valid)


def _numeric_shape(f: Field) -> tuple[int, int, bool]:
    """Digits, scale and whether negatives are allowed, as the encoder will check them."""
    if f.kind is Kind.NUMERIC_EDITED:
        from bridge.codec.edited import CRDB, SIGN_MINUS, SIGN_PLUS, edit_mask

        mask = edit_mask(f.edit_mask or f.picture or "")
        # an S in an edited picture stores nothing: only a printed sign carries a negative value
        signed = bool(np.isin(mask.codes, (SIGN_PLUS, SIGN_MINUS, CRDB)).any()) or mask.float_symbol in (43, 45)
        return mask.digits, mask.frac_digits, signed
    if f.kind is Kind.BINARY and f.digits == 0:
        # a usage without a PICTURE (BINARY-LONG, COMP-X on X): as many digits as its bytes always hold
        return len(str(2 ** (8 * f.length - (1 if f.signed else 0)) - 1)) - 1, 0, f.signed
    return f.digits, f.scale, f.signed


def _numbers(unscaled: np.ndarray, digits: int, scale: int, valid: np.ndarray) -> pa.Array:
    if scale > 0:
        return decimal_array(unscaled, max(digits, 1), scale, valid)
    if scale < 0:
        return pa.array(unscaled * 10 ** (-scale), pa.int64(), mask=~valid)
    return pa.array(unscaled, pa.int64(), mask=~valid)


def _magnitudes(rng: np.random.Generator, n: int, digits: int, signed: bool) -> np.ndarray:
    hi = 10 ** max(1, min(digits, _MAX_INT_DIGITS))
    # heavy-tailed like amounts: many small values, a few near the PICTURE's limit
    magnitude = (rng.pareto(2.0, size=n) * hi / 20).astype(np.int64) % hi
    if signed:
        magnitude = np.where(rng.random(n) < 0.2, -magnitude, magnitude)
    return magnitude


def _words(rng: np.random.Generator, n: int, width: int) -> pa.Array:
    first = _WORDS.take(pa.array(rng.integers(0, len(_WORDS), size=n)))
    second = _WORDS.take(pa.array(rng.integers(0, len(_WORDS), size=n)))
    text = pc.binary_join_element_wise(first, second, " ")
    return pc.utf8_slice_codeunits(text, 0, max(width, 0))


def _dbcs(rng: np.random.Generator, n: int, width: int, valid: np.ndarray) -> pa.Array:
    codes = _DBCS_CHARS[rng.integers(0, len(_DBCS_CHARS), size=(n, width))]
    nibbles = (codes[:, :, None] >> np.array([12, 8, 4, 0])) & 0xF
    return fixed_text(_HEX[nibbles.reshape(n, width * 4)], valid)


# -- level-88 conditions --------------------------------------------------------------------------

def _condition_literals(f: Field) -> list[Any]:
    out: list[Any] = []
    for c in f.conditions:
        out.extend(c.values)
        for lo, hi in c.ranges:
            out.append((lo, hi))
    return out


def _text_conditions(f: Field, page: CodePage, width: int) -> tuple[list[str], bool]:
    """The 88-level values of a text item that fit it and survive its code page, and whether all are figurative."""
    if not f.conditions:
        return [], False
    from bridge.copybook.items import Figurative

    picked = []
    only_figurative = True
    for v in _condition_literals(f):
        if isinstance(v, tuple):   # 'A' THRU 'Z': both ends are values of the condition
            picked.extend(x for x in v if isinstance(x, str))
            only_figurative = False
            continue
        only_figurative = only_figurative and isinstance(v, Figurative)
        if isinstance(v, Figurative):
            v = _figurative_text(v, page, width)
        elif isinstance(v, (bytes, bytearray)):
            v = _bytes_text(bytes(v), page)
        elif isinstance(v, (int, Decimal)):
            v = str(v)
        if isinstance(v, str) and len(v) <= width and (f.kind is Kind.NATIONAL or all(page.can_encode(ch) for ch in v)):
            picked.append(v)
    return picked, only_figurative


def _bytes_text(data: bytes, page: CodePage) -> str | None:
    # X'01' is a byte, not text: it is the character the code page decodes it to, if it has one
    if not all(page.round_trips[b] for b in data):
        return None
    return page.decode(data)


def _figurative_text(v: Any, page: CodePage, width: int) -> str | None:
    if v.name == "SPACES":
        return " "
    if v.name == "ZEROS":
        return "0" * width
    if v.name == "QUOTES":
        return '"' * width
    if v.name in ("HIGH-VALUES", "LOW-VALUES", "NULLS"):
        return _bytes_text(bytes([0xFF if v.name == "HIGH-VALUES" else 0x00]) * width, page)
    if v.name == "ALL" and isinstance(v.literal, str) and v.literal:
        return (v.literal * width)[:width]
    return None


def _numeric_conditions(f: Field, rng: np.random.Generator, n: int, digits: int, scale: int,
                        signed: bool) -> np.ndarray | None:
    """Unscaled values drawn from the item's 88-level values and ranges, or None when none fit."""
    if not f.conditions:
        return None
    from bridge.copybook.items import Figurative

    limit = 10 ** min(digits, 18) - 1
    low = -limit if signed else 0
    singles: list[int] = []
    ranges: list[tuple[int, int]] = []

    def unscaled(v: Any) -> int | None:
        if isinstance(v, Figurative):
            return 0 if v.name == "ZEROS" else None
        if not isinstance(v, (int, Decimal)) or isinstance(v, bool):
            return None
        u = Decimal(v).scaleb(scale)
        if u != u.to_integral_value():
            return None
        return int(u)

    for v in _condition_literals(f):
        if isinstance(v, tuple):
            lo, hi = unscaled(v[0]), unscaled(v[1])
            if lo is None or hi is None:
                continue
            lo, hi = max(min(lo, hi), low), min(max(lo, hi), limit)
            if lo <= hi:
                ranges.append((lo, hi))
        else:
            u = unscaled(v)
            if u is not None and low <= u <= limit:
                singles.append(u)
    if not singles and not ranges:
        return None
    choice = rng.integers(0, len(singles) + len(ranges), size=n)
    out = np.zeros(n, dtype=np.int64)
    if singles:
        values = np.array(singles, dtype=np.int64)
        single = choice < len(singles)
        out[single] = values[choice[single]]
    for k, (lo, hi) in enumerate(ranges):
        rows = choice == len(singles) + k
        out[rows] = lo + (rng.random(int(rows.sum())) * (hi - lo + 1)).astype(np.int64).clip(0, hi - lo)
    return out
