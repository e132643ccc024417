"""Flat decoded columns → one nested object per record, as `mfbridge decode --to jsonl` writes them.

Keys are the 01 record's items spelled as in the copybook (the 01 itself is not a wrapper,
except when a copybook has several 01 records and no segment map chooses one per record: then
each 01 is a key holding its items, as every REDEFINES view appears);
groups are nested objects; OCCURS are arrays (of the actual count under OCCURS DEPENDING
ON); FILLER is left out; every REDEFINES view appears unless a segment map chose one, in
which case the views (and 01 records) that were not chosen, whose columns are then all
null, are left out. Numbers are written exactly with their scale (``30.50``); invalid
values are ``null``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterator

import pyarrow as pa

from bridge.layout.model import Field, Layout, Record
from bridge.records.plan import column_names

__all__ = ["JsonlWriter", "record_objects"]


@dataclass(frozen=True)
class _Node:
    key: str
    column: int | None = None                 # leaf: index into the table's columns
    children: tuple["_Node", ...] = ()        # group
    occurs: int = 0                           # >0: array of this many occurrences (max)
    count_column: int | None = None           # ODO: column holding the actual count
    optional: bool = False                    # REDEFINES view / 01 record: may be left out
    elements: tuple["_Node", ...] = ()        # array: one node per occurrence


class JsonlWriter:
    """Turns decoded tables into JSON lines for one layout and reader options."""

    def __init__(self, layout: Layout, table_schema: pa.Schema, *, records: tuple[Record, ...],
                 selective: bool) -> None:
        self.names = column_names(layout)
        self.index = {name: i for i, name in enumerate(table_schema.names)}
        self.selective = selective
        nodes: list[_Node] = []
        wrap = len(records) > 1 and not selective
        for r in records:
            kids = []
            for child in r.root.children:
                node = self._node(r, child, (), optional=len(records) > 1)
                if node is not None:
                    kids.append(node)
            if wrap:
                # several record types, none chosen per record: one object per 01, so that items of
                # the same name in two 01s stay apart (IBM: the 01s redefine one record area)
                nodes.append(_Node(r.name, children=tuple(kids), optional=True))
            else:
                nodes.extend(kids)
        self.roots = tuple(nodes)

    def _node(self, record: Record, f: Field, subs: tuple[int, ...], *, optional: bool = False,
              in_occurs: bool = False) -> _Node | None:
        if f.is_filler:
            return None  # a FILLER group too, with everything below it (as bridge.export.values)
        optional = optional or bool(f.redefines or f.redefined_by)
        if f.occurs and not in_occurs:
            count_col = None
            if f.occurs.depending_path is not None:
                count_col = self.index.get(_count_column(record, self.names, f.occurs.depending_path, subs))
            elements = []
            for i in range(1, f.occurs.max + 1):
                el = self._node(record, f, subs + (i,), in_occurs=True)
                elements.append(el)
            if all(e is None for e in elements):
                return None
            if any(e is None for e in elements):
                # only some occurrences were decoded (--columns NAME(1)): write those, in order
                elements = [e for e in elements if e is not None]
                return _Node(f.name, occurs=len(elements), count_column=None, optional=optional,
                             elements=tuple(elements))
            return _Node(f.name, occurs=f.occurs.max, count_column=count_col, optional=optional,
                         elements=tuple(elements))
        if f.is_elementary:
            base = self.names.get(f.path)
            if base is None:
                return None
            name = f"{base}({','.join(map(str, subs))})" if subs else base
            col = self.index.get(name)
            if col is None:
                return None
            return _Node(f.name, column=col, optional=optional)
        kids = []
        for c in f.children:
            node = self._node(record, c, subs)
            if node is not None:
                kids.append(node)
        if not kids and any(not c.is_filler for c in f.children):
            return None  # --columns left nothing of this group: leave it out, not an empty object
        return _Node(f.name, children=tuple(kids), optional=optional)

    def lines(self, table: pa.Table) -> Iterator[str]:
        """One JSON text per row of ``table``."""
        columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
        for row in range(table.num_rows):
            parts = []
            for node in self.roots:
                text = self._render(node, columns, row)
                if text is not None:
                    parts.append(f"{json.dumps(node.key)}:{text}")
            yield "{" + ",".join(parts) + "}"

    def _render(self, node: _Node, cols: list[list], row: int) -> str | None:
        if self.selective and node.optional and _all_null(node, cols, row):
            return None
        if node.column is not None:
            return _scalar(cols[node.column][row])
        if node.occurs:
            n = node.occurs
            if node.count_column is not None:
                count = cols[node.count_column][row]
                n = max(0, min(n, int(count))) if count is not None else 0
            items = [self._render(node.elements[i], cols, row) or "null" for i in range(n)]
            return "[" + ",".join(items) + "]"
        parts = []
        for child in node.children:
            text = self._render(child, cols, row)
            if text is not None:
                parts.append(f"{json.dumps(child.key)}:{text}")
        return "{" + ",".join(parts) + "}"


def _count_column(record: Record, names: dict[tuple[str, ...], str], path: tuple[str, ...],
                  subs: tuple[int, ...]) -> str:
    """The column of a table's ODO count: under nested OCCURS DEPENDING ON the count lies in the
    enclosing element, so it takes that element's subscripts (``INNER-COUNT(2)``)."""
    base = names.get(path, "")
    obj = next((f for f in record.fields if f.path == path), None)
    depth = len(obj.dims) if obj is not None else 0
    return f"{base}({','.join(map(str, subs[:depth]))})" if depth else base


def _all_null(node: _Node, cols: list[list], row: int) -> bool:
    if node.column is not None:
        return cols[node.column][row] is None
    subs = node.elements if node.occurs else node.children
    return all(_all_null(s, cols, row) for s in subs)


def _scalar(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, Decimal):
        return _decimal_text(value)
    if isinstance(value, float):
        return repr(value) if value == value and value not in (float("inf"), float("-inf")) else "null"
    if isinstance(value, (bytes, bytearray)):
        return json.dumps(value.hex().upper())
    return json.dumps(value, ensure_ascii=False)


def _decimal_text(d: Decimal) -> str:
    sign, digits, exp = d.as_tuple()
    if exp >= 0:  # P scaling to the left (9(3)PPP): write the integer
        return f"{int(d)}"
    return format(d, "f")


def record_objects(table: pa.Table, writer: JsonlWriter) -> Iterator[dict]:
    """The records as Python dicts (parsed back from the exact JSON text)."""
    for line in writer.lines(table):
        yield json.loads(line, parse_float=Decimal)
