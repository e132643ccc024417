"""Fake values for one record type as a table of `read_records` columns.

Under REDEFINES one view of each area is filled: the first (the redefined item), or the
branch a segment map selects. OCCURS DEPENDING ON counts are spread over their whole range,
the minimum and the maximum always among them when there are two rows or more; occurrences
past a row's count are null, as the decoder returns them.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bridge.codec.column import is_string
from bridge.codec.codepage import codepage as code_page
from bridge.fake.dates import DateRules, date_format, date_part
from bridge.fake.values import column_values
from bridge.layout.model import Field, Layout, Record
from bridge.records.plan import column_names, plan_columns

__all__ = ["fake_table", "odo_counts"]


def fake_table(layout: Layout, n: int, *, seed: int | np.random.Generator = 0, record: str | None = None,
               branch: str | None = None, dates: DateRules | None = None, codepage: str = "cp037",
               field_codepages: dict[str, str] | None = None) -> pa.Table:
    """``n`` valid records of ``record`` (default the first) as a table of `read_records` columns.

    ``branch`` names the REDEFINES item to fill in its area instead of the first view;
    ``dates`` overrides which items are dates (`bridge.fake.dates.load_date_rules`). The
    code page decides which 88-level hexadecimal values can be written as text. A record of
    FILLER only gives a table with ``n`` rows and no columns.

    >>> from bridge.copybook import compile_copybook
    >>> layout = compile_copybook("01 R. 05 OPEN-DATE PIC 9(8). 05 ST PIC X. 88 ACTIVE VALUE 'A'.")
    >>> fake_table(layout, 2).to_pylist()
    [{'OPEN-DATE': 20230225, 'ST': 'A'}, {'OPEN-DATE': 20041011, 'ST': 'A'}]
    """
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    rec: Record = layout.record(record)
    plan = plan_columns(rec, column_names(layout))
    counts = odo_counts(rec, n, rng) if not rec.has_nested_odo else {}
    element_counts = _element_counts(rec, plan, n, rng) if rec.has_nested_odo else {}
    skipped = _other_views(rec, branch)
    parents = {f.path: f for f in rec.fields}
    pages = field_codepages or {}
    columns: dict[str, pa.Array] = {}
    described: dict[tuple[str, ...], tuple] = {}
    for col in plan.columns:
        f = col.field
        if any(f.path[:len(p)] == p for p in skipped):
            continue
        valid = _held(col, element_counts, n) if element_counts else np.ones(n, dtype=bool)
        if f.path in counts or (f.path, col.subscripts) in element_counts:
            drawn = counts[f.path] if f.path in counts else element_counts[(f.path, col.subscripts)]
            # a count kept as text (PIC X) is written as its digits; null where its element is not held
            values = pc.cast(pa.array(drawn), pa.string()) if is_string(f) else pa.array(drawn, pa.int64())
            columns[col.name] = values if valid.all() else pc.if_else(pa.array(valid), values,
                                                                      pa.nulls(n, values.type))
            continue
        for sub, dim in zip(col.subscripts, f.dims):
            if dim.depending_path is not None and dim.depending_path in counts:
                valid &= counts[dim.depending_path] >= sub
        if f.path not in described:
            page = code_page(pages.get(f.name) or pages.get(f.qualified_name) or codepage)
            described[f.path] = (page, date_format(f, dates), date_part(f, parents.get(f.path[:-1])))
        page, date, part = described[f.path]
        columns[col.name] = column_values(f, n, rng, valid, page=page, date=date, part=part)
    if not columns:
        return pa.table({"_": pa.nulls(n)}).drop_columns(["_"])
    return pa.table(columns)


def odo_counts(rec: Record, n: int, rng: np.random.Generator) -> dict[tuple[str, ...], np.ndarray]:
    """Each row's OCCURS DEPENDING ON counts, uniform over min..max with both ends present."""
    counts: dict[tuple[str, ...], np.ndarray] = {}
    for path in rec.odo_objects:
        table = next(f for f in rec.fields if f.occurs and f.occurs.depending_path == path)
        lo, hi = table.occurs.min, table.occurs.max
        drawn = rng.integers(lo, hi + 1, size=n)
        if n >= 2 and hi > lo:
            ends = rng.choice(n, size=2, replace=False)
            drawn[ends] = (lo, hi)
        counts[path] = drawn
    return counts


def _element_counts(rec: Record, plan, n: int, rng: np.random.Generator) -> dict[tuple, np.ndarray]:
    """Nested OCCURS DEPENDING ON: a count per occurrence of each count item (``INNER-COUNT(2)``),
    each spread over its table's range as `odo_counts` spreads them."""
    objects = set(rec.odo_objects)
    out: dict[tuple, np.ndarray] = {}
    for col in plan.columns:
        if col.field.path not in objects:
            continue
        table = next(f for f in rec.fields if f.occurs and f.occurs.depending_path == col.field.path)
        lo, hi = table.occurs.min, table.occurs.max
        drawn = rng.integers(lo, hi + 1, size=n)
        if n >= 2 and hi > lo:
            drawn[rng.choice(n, size=2, replace=False)] = (lo, hi)
        out[(col.field.path, col.subscripts)] = drawn
    return out


def _held(col, counts: dict[tuple, np.ndarray], n: int) -> np.ndarray:
    """Rows that hold this occurrence: every enclosing table's count (per element) reaches its subscript."""
    depth = {path: len(subs) for path, subs in counts}
    held = np.ones(n, dtype=bool)
    for sub, dim in zip(col.subscripts, col.field.dims):
        if dim.depending_path is None:
            continue
        # the count lies in an element enclosing this table: its subscripts are this item's outer ones
        key = (dim.depending_path, col.subscripts[:depth[dim.depending_path]])
        held &= counts[key] >= sub
    return held


def _other_views(rec: Record, branch: str | None) -> list[tuple[str, ...]]:
    """Paths of the REDEFINES views left empty: every redefining item, or the siblings of ``branch``."""
    chosen: Field | None = rec.field(branch) if branch else None
    if chosen is not None and chosen.path == rec.root.path:
        chosen = None
    skipped = []
    for f in rec.fields:
        if chosen is not None and f.path[:-1] == chosen.path[:-1]:
            area = chosen.redefines or chosen.name
            if (f.name == area or f.redefines == area) and f.path != chosen.path:
                skipped.append(f.path)
                continue
            if f.path == chosen.path:
                continue
        if f.redefines:
            skipped.append(f.path)
    return skipped
