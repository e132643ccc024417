"""The mainframe "no value" conventions, recognised from a field's raw bytes.

Old programs mark a missing value with a fill instead of a null: SPACES, LOW-VALUES
(``x'00'``), HIGH-VALUES (``x'FF'``), all zeros or all nines (``99999999`` = "no date").
The decoder turns most of these into null (invalid) or into a plausible number; the
profile counts them apart, from the bytes, before it looks at the decoded value.

Decisions:

* SPACES, LOW-VALUES and HIGH-VALUES are "no value" for display, packed and string fields.
  In a binary or float field every bit pattern is a number (HIGH-VALUES is -1 in a signed
  COMP), so there they are counted as a hint but stay valid; LOW-VALUES is counted as zeros.
* All zeros and all nines are values of zoned and packed fields (all digits 0, or all 9, any
  valid sign), read from the decoded column; all zeros also of binary fields. They are counted
  for every numeric field but are "no value" only for dates; elsewhere zero is a real balance
  and the count is shown next to the statistics.
"""
from __future__ import annotations

import decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bridge.codec.codepage import CodePage
from bridge.layout.model import Field, Kind

__all__ = ["CONVENTIONS", "convention_masks", "no_value_conventions"]

#: names, in the order they are tested (the first that matches a value wins)
CONVENTIONS = ("spaces", "low_values", "high_values", "zeros", "nines")


def no_value_conventions(field: Field, is_date: bool) -> tuple[str, ...]:
    """The conventions that mean "no value" (not a real value) for ``field``."""
    fills = () if field.kind in (Kind.BINARY, Kind.FLOAT) else ("spaces", "low_values", "high_values")
    return fills + (("zeros", "nines") if is_date else ())


def _fills(raw: np.ndarray, bytes_: tuple[int, ...]) -> dict[int, np.ndarray]:
    """Per byte value, the rows made of that byte only; only rows whose first and last bytes match are scanned."""
    n = raw.shape[0]
    if raw.shape[1] == 0:
        return {b: np.zeros(n, dtype=bool) for b in bytes_}
    first = np.ascontiguousarray(raw[:, 0])
    last = np.ascontiguousarray(raw[:, -1])
    out = {}
    for b in bytes_:
        rows = np.flatnonzero((first == b) & (last == b))
        mask = np.zeros(n, dtype=bool)
        if rows.size:
            mask[rows[np.all(raw[rows] == b, axis=1)]] = True
        out[b] = mask
    return out


def convention_masks(raw: np.ndarray, field: Field, page: CodePage, values: pa.Array) -> dict[str, np.ndarray]:
    """Per convention, the rows of ``raw`` (n × field length bytes) that hold it; disjoint masks.

    ``values`` is the decoded column: all zeros and all nines are read from it (a zoned or
    packed value is all zeros or all nines exactly when its digits are).
    """
    n = raw.shape[0]
    none = np.zeros(n, dtype=bool)
    fills = _fills(raw, (page.space, 0x00, 0xFF))
    masks = {"spaces": fills[page.space], "high_values": fills[0xFF]}
    kind = field.kind
    binary = kind in (Kind.BINARY, Kind.FLOAT)
    masks["low_values"] = none if binary else fills[0x00]
    if kind in (Kind.ZONED, Kind.PACKED, Kind.BINARY, Kind.FLOAT):
        masks["zeros"] = _equal(values, 0)
        masks["nines"] = none if binary else _equal(pc.abs(values), _nines(field, values.type))
    else:
        masks["zeros"] = none
        masks["nines"] = none
    taken = np.zeros(n, dtype=bool)
    for name in CONVENTIONS:
        masks[name] = masks[name] & ~taken
        taken |= masks[name]
    return masks


def _equal(values: pa.Array, scalar) -> np.ndarray:
    eq = pc.equal(values, scalar).fill_null(False)
    return np.asarray(eq.to_numpy(zero_copy_only=False), dtype=bool)


def _nines(field: Field, typ: pa.DataType):
    unscaled = 10 ** max(field.digits, 1) - 1
    if pa.types.is_decimal(typ):
        return pa.scalar(decimal.Decimal(unscaled).scaleb(-field.scale), typ)
    if field.scale < 0:
        return pa.scalar(unscaled * 10 ** (-field.scale), typ)
    return pa.scalar(unscaled, typ)
