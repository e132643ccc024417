"""The mainframe "no value" conventions, recognised from a field's raw bytes.

Old programs mark a missing value with a fill instead of a null: SPACES, LOW-VALUES
(``x'00'``), HIGH-VALUES (``x'FF'``), all zeros or all nines (``99999999`` = "no date").
The decoder turns most of these into null (invalid) or into a plausible number; the
profile counts them apart, from the bytes, before it looks at the decoded value.

Decisions:

* SPACES, LOW-VALUES and HIGH-VALUES are "no value" for display, packed and string fields.
  In a binary or float field every bit pattern is a number (HIGH-VALUES is -1 in a signed
  COMP), so there they are counted as a hint but stay valid; LOW-VALUES is counted as zeros.
* All zeros and all nines are digit patterns of zoned and packed fields (any sign nibble).
  They are counted for every numeric field but are "no value" only for dates; elsewhere
  zero is a real balance and the count is shown next to the statistics.
"""
from __future__ import annotations

import numpy as np

from bridge.codec.codepage import CodePage
from bridge.layout.model import Field, Kind

__all__ = ["CONVENTIONS", "convention_masks", "no_value_conventions"]

#: names, in the order they are tested (the first that matches a value wins)
CONVENTIONS = ("spaces", "low_values", "high_values", "zeros", "nines")


def no_value_conventions(field: Field, is_date: bool) -> tuple[str, ...]:
    """The conventions that mean "no value" (not a real value) for ``field``."""
    fills = () if field.kind in (Kind.BINARY, Kind.FLOAT) else ("spaces", "low_values", "high_values")
    return fills + (("zeros", "nines") if is_date else ())


def _all_equal(raw: np.ndarray, byte: int) -> np.ndarray:
    return np.all(raw == byte, axis=1)


def convention_masks(raw: np.ndarray, field: Field, page: CodePage) -> dict[str, np.ndarray]:
    """Per convention, the rows of ``raw`` (n × field length bytes) that hold it; disjoint masks."""
    n = raw.shape[0]
    none = np.zeros(n, dtype=bool)
    masks = {"spaces": _all_equal(raw, page.space)}
    kind = field.kind
    binary = kind in (Kind.BINARY, Kind.FLOAT)
    low = _all_equal(raw, 0)
    masks["low_values"] = none if binary else low
    masks["high_values"] = _all_equal(raw, 0xFF)
    if kind is Kind.ZONED:
        masks["zeros"], masks["nines"] = _zoned_digits(raw, field, page)
    elif kind is Kind.PACKED:
        masks["zeros"], masks["nines"] = _packed_digits(raw, field)
    elif binary:
        masks["zeros"] = low
        masks["nines"] = none
    else:
        masks["zeros"] = none
        masks["nines"] = none
    taken = np.zeros(n, dtype=bool)
    for name in CONVENTIONS:
        masks[name] = masks[name] & ~taken
        taken |= masks[name]
    return masks


def _zoned_digits(raw: np.ndarray, field: Field, page: CodePage) -> tuple[np.ndarray, np.ndarray]:
    digits = raw
    if field.sign_separate:
        digits = raw[:, 1:] if field.sign_leading else raw[:, :-1]
    # the digit is the low nibble in EBCDIC (F0-F9, C0-C9/D0-D9 in the signed byte), and in
    # ASCII overpunch the low nibble too for 30-39/70-79; a space or letter is not 0 or 9
    low = digits & 0x0F
    zone = digits >> 4
    digit_zone = page.digit0 >> 4
    plain = zone == digit_zone
    signed_at = 0 if field.sign_leading else digits.shape[1] - 1
    ok_zone = plain.copy()
    if field.signed and not field.sign_separate and digits.shape[1]:
        z = zone[:, signed_at]
        ok_zone[:, signed_at] = plain[:, signed_at] | np.isin(z, (0xA, 0xB, 0xC, 0xD, 0xE, 0xF, 0x7))
    zeros = np.all(ok_zone & (low == 0), axis=1)
    nines = np.all(ok_zone & (low == 9), axis=1)
    return zeros, nines


def _packed_digits(raw: np.ndarray, field: Field) -> tuple[np.ndarray, np.ndarray]:
    nibbles = np.empty((raw.shape[0], raw.shape[1] * 2), dtype=np.uint8)
    nibbles[:, 0::2] = raw >> 4
    nibbles[:, 1::2] = raw & 0x0F
    valid_sign = nibbles[:, -1] >= 0xA
    digits = nibbles[:, :-1]
    zeros = valid_sign & np.all(digits == 0, axis=1)
    # a packed 9(n) with an even n has a leading pad nibble: 0, never 9
    pad = max(digits.shape[1] - max(field.digits, 1), 0)
    nines = valid_sign & np.all(digits[:, :pad] == 0, axis=1) & np.all(digits[:, pad:] == 9, axis=1)
    return zeros, nines
