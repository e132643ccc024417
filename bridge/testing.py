"""Synthetic records for a layout: fixtures, benchmarks and training data (`bridge fake`).

Values are valid for their PICTURE: digits and scale respected, signs only where the item
is signed, 88-level values used where an item has them, OCCURS DEPENDING ON counts drawn
within their range (occurrences past the count are null). Generation is columnar numpy,
seeded, so the same seed gives the same file.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from bridge.layout.model import Field, Kind, Layout, Record
from bridge.records.plan import column_names, plan_columns

__all__ = ["fake_table", "decimal_array"]

_WORDS = np.array(["ACME", "NORTH", "WEST", "BANK", "SMITH", "JONES", "TRADING", "LTD", "GARCIA", "MULLER",
                   "ROSSI", "DUPONT", "HOLDINGS", "MARKET", "RIVER", "OAK", "PARK", "STONE", "GREEN", "HILL"])


def decimal_array(unscaled: np.ndarray, precision: int, scale: int, valid: np.ndarray | None = None) -> pa.Array:
    """A decimal128(precision, scale) Arrow array from int64 unscaled values, without Python objects."""
    v = np.ascontiguousarray(unscaled, dtype=np.int64)
    data = np.empty((v.size, 2), dtype=np.int64)
    data[:, 0] = v
    data[:, 1] = v >> 63
    mask = None
    if valid is not None and not valid.all():
        mask = pa.py_buffer(np.packbits(valid, bitorder="little").tobytes())
    return pa.Array.from_buffers(pa.decimal128(precision, max(scale, 0)), v.size, [mask, pa.py_buffer(data)],
                                 null_count=-1 if mask is not None else 0)


def fake_table(layout: Layout, n: int, *, seed: int = 0, record: str | None = None) -> pa.Table:
    """``n`` valid records of ``record`` (default the first) as a table of `read_records` columns."""
    rng = np.random.default_rng(seed)
    rec: Record = layout.record(record)
    names = column_names(layout)
    plan = plan_columns(rec, names)
    counts: dict[tuple[str, ...], np.ndarray] = {}
    for path in rec.odo_objects:
        table_field = next(f for f in rec.fields if f.occurs and f.occurs.depending_path == path)
        counts[path] = rng.integers(table_field.occurs.min, table_field.occurs.max + 1, size=n)
    columns: dict[str, pa.Array] = {}
    redefining = _redefining_paths(rec)
    for col in plan.columns:
        f = col.field
        if any(f.path[:len(p)] == p for p in redefining):
            continue  # other views of an area: written through the first view
        if f.path in counts:
            columns[col.name] = pa.array(counts[f.path], pa.int64())
            continue
        valid = np.ones(n, dtype=bool)
        for sub, dim in zip(col.subscripts, f.dims):
            if dim.depending_path is not None:
                valid &= counts[dim.depending_path] >= sub
        columns[col.name] = _values(f, n, rng, valid)
    return pa.table(columns)


def _redefining_paths(rec: Record) -> list[tuple[str, ...]]:
    return [f.path for f in rec.fields if f.redefines]


def _values(f: Field, n: int, rng: np.random.Generator, valid: np.ndarray) -> pa.Array:
    if f.conditions and f.kind in (Kind.ALPHANUMERIC, Kind.ZONED, Kind.PACKED, Kind.BINARY):
        options = [v for c in f.conditions for v in c.values if v is not None and not isinstance(v, str) or
                   (isinstance(v, str) and len(v) <= f.length)]
        if options and f.kind is Kind.ALPHANUMERIC:
            picked = np.array([str(o) for o in options])[rng.integers(0, len(options), size=n)]
            return pa.array(picked.tolist(), pa.string(), mask=~valid)
    if f.kind in (Kind.ALPHANUMERIC, Kind.ALPHANUMERIC_EDITED, Kind.NATIONAL, Kind.DBCS):
        width = f.length // 2 if f.kind in (Kind.NATIONAL, Kind.DBCS) else f.length
        first = _WORDS[rng.integers(0, len(_WORDS), size=n)]
        second = _WORDS[rng.integers(0, len(_WORDS), size=n)]
        text = np.char.add(np.char.add(first, " "), second)
        text = np.array([t[:width] for t in text.tolist()]) if width < 15 else text
        return pa.array(text.tolist(), pa.string(), mask=~valid)
    if f.kind is Kind.FLOAT:
        return pa.array(np.round(rng.normal(1000, 300, size=n), 2), pa.float64(), mask=~valid)
    digits = max(1, min(f.digits, 18))
    if f.kind is Kind.BINARY:
        digits = max(1, min(f.digits, 18))
    hi = 10 ** min(digits, 15)
    magnitude = (rng.pareto(2.0, size=n) * hi / 20).astype(np.int64) % hi
    if f.signed:
        magnitude = np.where(rng.random(n) < 0.2, -magnitude, magnitude)
    if f.scale > 0:
        return decimal_array(magnitude, max(f.digits, 1), f.scale, valid)
    if f.scale < 0:
        return pa.array(magnitude * 10 ** (-f.scale), pa.int64(), mask=~valid)
    return pa.array(magnitude, pa.int64(), mask=~valid)
