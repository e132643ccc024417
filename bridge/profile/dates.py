"""Which fields hold dates, and which of their values are real calendar dates.

A field is taken for a date when its name says so (``DATE``, ``-DT``, ``DOB``) and its
PICTURE holds 8 unscaled digits (``YYYYMMDD``) or 7 (``CYYMMDD``, IBM's century digit:
0 = 19xx, 1 = 20xx); `profile_file`'s ``dates`` option names fields and formats by hand
(``{"OPEN-DAY": "YYYYMMDD"}``, or ``None`` to say a recognised field is not a date).
Checking a date is integer arithmetic on the whole column: no per-value parsing.
"""
from __future__ import annotations

import re

import numpy as np

from bridge.layout.model import Field

__all__ = ["DATE_FORMATS", "date_format", "split_dates"]

DATE_FORMATS = ("YYYYMMDD", "CYYMMDD")
_NAME = re.compile(r"(DATE|(^|-)DT($|-)|DOB)")
_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def date_format(field: Field, column: str, overrides: dict[str, str | None]) -> str | None:
    """The date format of a field (from ``overrides`` by column or item name first), or None."""
    for key in (column, field.name):
        if key in overrides:
            fmt = overrides[key]
            if fmt is not None and fmt not in DATE_FORMATS:
                from bridge.errors import BridgeError

                raise BridgeError(f"date format {fmt!r} for {column} is not one of: {', '.join(DATE_FORMATS)}")
            return fmt
    if not field.kind.is_numeric or field.scale != 0 or not _NAME.search(field.name):
        return None
    return {8: "YYYYMMDD", 7: "CYYMMDD"}.get(field.digits)


def split_dates(values: np.ndarray, fmt: str) -> tuple[np.ndarray, np.ndarray]:
    """``(valid, yyyymmdd)``: which int64 values are calendar dates, and each as YYYYMMDD."""
    v = values.astype(np.int64)
    if fmt == "CYYMMDD":
        century = v // 1_000_000
        v = (1900 + century * 100 + (v // 10_000) % 100) * 10_000 + v % 10_000
        ok_century = (century >= 0) & (century <= 9)
    else:
        ok_century = np.ones(v.shape, dtype=bool)
    y, m, d = v // 10_000, (v // 100) % 100, v % 100
    m_ok = (m >= 1) & (m <= 12)
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    days = _DAYS[np.where(m_ok, m, 0)] + ((m == 2) & leap)
    valid = ok_century & (v >= 0) & (y >= 1) & m_ok & (d >= 1) & (d <= days)
    return valid, v
