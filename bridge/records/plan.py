"""Column plans: which byte range of a record each DataFrame column reads, and what it is called.

A plan is computed once per record type and then drives every batch; under OCCURS DEPENDING
ON its offsets are those of full tables, and each row's own offsets come from its counts
(`bridge.records.nested_odo.place`). Each elementary item becomes one column per occurrence;
FILLER and group items get none.

Column names (documented in docs/records.md):

* an elementary item whose name is unique in the copybook and that is not repeated keeps
  its copybook spelling: ``CUST-ID``;
* a name that occurs more than once is qualified by the shortest run of enclosing group
  names that makes it unique, dotted: ``HOME-DETAIL.FILLER`` / ``MOTOR-DETAIL.VEH-REG``;
* every occurrence of an item under OCCURS gets COBOL subscripts, 1-based, outermost
  first: ``REASON-CODE(1)``, ``TXN-AMT(12)``, ``CELL(2,3)``.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from typing import Iterable

from bridge.errors import LayoutError
from bridge.layout.model import Field, Layout, Record

__all__ = ["MAX_COLUMNS", "Column", "ColumnPlan", "column_names", "plan_columns"]

#: Columns one record type may decode into. Each column is an Arrow array per batch; an OCCURS
#: 99999999 table would otherwise build hundreds of millions of them before reading a byte.
MAX_COLUMNS = 100_000


@dataclass(frozen=True, slots=True)
class Column:
    """One DataFrame column: an elementary item at one occurrence."""

    name: str
    field: Field
    subscripts: tuple[int, ...]     # 1-based, one per entry of field.dims
    offset: int                     # byte offset of this occurrence in the record

    @property
    def end(self) -> int:
        return self.offset + self.field.length


@dataclass(frozen=True, slots=True)
class ColumnPlan:
    """The columns of one record type, in copybook order."""

    record: Record
    columns: tuple[Column, ...]

    def by_name(self) -> dict[str, Column]:
        return {c.name: c for c in self.columns}


def column_names(layout: Layout) -> dict[tuple[str, ...], str]:
    """Base column name (without subscripts) for every elementary item path of the layout."""
    items = [f for r in layout.records for f in r.fields if f.is_elementary and not f.is_filler]
    by_name: dict[str, list[Field]] = {}
    for f in items:
        by_name.setdefault(f.name, []).append(f)
    names: dict[tuple[str, ...], str] = {}
    for name, fields in by_name.items():
        if len(fields) == 1:
            names[fields[0].path] = name
            continue
        for f in fields:
            names[f.path] = _shortest_unique_suffix(f, fields)
    return names


def _shortest_unique_suffix(f: Field, rivals: list[Field]) -> str:
    for k in range(2, len(f.path) + 1):
        suffix = f.path[-k:]
        if sum(1 for r in rivals if r.path[-k:] == suffix) == 1:
            return ".".join(suffix)
    # identical paths (two 01 records with the same structure): number them in order
    return ".".join(f.path) + f"#{rivals.index(f) + 1}"


def plan_columns(record: Record, names: dict[tuple[str, ...], str],
                 *, resolved: Record | None = None) -> ColumnPlan:
    """Columns of ``record``; offsets come from ``resolved`` (actual ODO counts) when given.

    ``resolved`` must be ``record.resolve(counts)``: same items in the same order, only
    offsets and strides differ.
    """
    source = resolved or record
    count = sum(_occurrence_count(f) for f in source.fields if f.is_elementary and not f.is_filler)
    if count > MAX_COLUMNS:
        raise LayoutError(f"record {record.name} has {count:,} columns (one per occurrence of each item under "
                          f"OCCURS); the bridge decodes at most {MAX_COLUMNS:,} columns per record: check the "
                          "OCCURS counts, or decode the table as one PIC X item")
    columns: list[Column] = []
    for f_decl, f_act in zip(record.fields, source.fields):
        if not f_decl.is_elementary or f_decl.is_filler:
            continue
        base = names[f_decl.path]
        if not f_act.dims:
            columns.append(Column(base, f_decl, (), f_act.offset))
            continue
        for subs in _subscripts(f_act):
            off = f_act.offset + sum((s - 1) * d.stride for s, d in zip(subs, f_act.dims))
            columns.append(Column(f"{base}({','.join(map(str, subs))})", f_decl, subs, off))
    return ColumnPlan(record, tuple(columns))


def _occurrence_count(f: Field) -> int:
    n = 1
    for d in f.dims:
        n *= d.max
    return n


def _subscripts(f: Field) -> Iterable[tuple[int, ...]]:
    return product(*(range(1, d.max + 1) for d in f.dims))
