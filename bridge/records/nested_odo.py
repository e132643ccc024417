"""Nested OCCURS DEPENDING ON: each record's item offsets, walked from the counts it holds.

When an ODO count lies inside the element of an enclosing table::

    05 GROUP OCCURS 0 TO 2 TIMES DEPENDING ON COUNT.
       10 INNER-COUNT  PIC 9.
       10 INNER-GROUP  OCCURS 0 TO 3 TIMES DEPENDING ON INNER-COUNT.

each element of ``GROUP`` has its own size, so no stride places the second element (Cobrix
reads such files with ``variable_size_occurs``). The decision: every layout that has a fixed
stride keeps the fixed-stride plans (`bridge.records.plan`); only these records are placed here,
by walking the layout tree once per batch with one numpy cursor per position, a row per record.
A table advances each row by the element sizes that row's counts give. The Python loop runs
over the items and occurrences of the layout, never over the records, so the pass stays
columnar; a position is an array plus a constant, and a new array is made only where a table
with counts inside its element ends, so the items of a fixed stretch share one array.

A count is read (decoded from the bytes, or taken from the table being encoded) when the walk
reaches it, which is always before its table (the compiler checks that). A count outside its
range (or not a number) is the reader's business (`CountReader`): the walk lays that record out
with the table's minimum and marks every item after the count absent in that record, so the
items before it still decode and nothing after it is read from a guessed position.

Under ``odo_placement="max"`` every table keeps its full size (the plans' offsets) and the walk
only says which occurrences each record holds.

A flat table (its element holds no table and no count) is walked one element deep: every
element is the first one shifted by the stride, so the walk records the table (`TableSpot`: where
it starts, its stride, how many elements each record holds) and answers for the other
occurrences from it. A table of 50 elements then costs one element's Python per batch, and the
decoder copies its elements in one pass (`bridge.records.cells.gather_elements`).
"""
from __future__ import annotations

from dataclasses import dataclass, field as dc_field
from typing import Callable

import numpy as np
from numba import njit

from bridge.layout.model import Field, Kind, Record

__all__ = ["CountReader", "Placement", "TableSpot", "gather", "length_walker", "place", "scatter"]

#: ``(count item, its subscripts, offsets (n,), rows that hold it) -> (counts, bad rows)``.
#: Counts are int64 and, in the bad rows and the rows that do not hold the item, anything in range.
CountReader = Callable[[Field, tuple[int, ...], np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

Key = tuple[tuple[str, ...], tuple[int, ...]]


@dataclass(frozen=True)
class TableSpot:
    """Where a table of fixed-size elements lies in each record and how much of it each holds.

    Element ``i`` (1-based) of a record starts at ``base + k + (i - 1) * stride`` (``base`` None:
    at ``k`` in every record), and a record holds elements 1 to ``held`` of it: within its count,
    and none after a bad count. Every item of the element is present exactly there."""

    base: np.ndarray | None
    k: int
    stride: int
    occurs: int                                        # elements in a full table
    held: np.ndarray                                   # int64 (n,)

    def starts(self, n: int) -> np.ndarray:
        """Offset of the first element in each record (int64, n)."""
        return np.full(n, self.k, dtype=np.int64) if self.base is None else self.base + self.k


@dataclass
class Placement:
    """Where each occurrence of each elementary item lies in each record of a batch.

    Keyed by ``(field path, subscripts)`` as `bridge.records.plan.Column` names them.
    """

    n: int
    ends: np.ndarray                                   # int64 (n,): each record's length by its counts
    bad: np.ndarray                                    # bool (n,): a count was outside its range
    _spots: dict[Key, tuple[np.ndarray | None, int, np.ndarray, np.ndarray]] = dc_field(default_factory=dict)
    _tables: dict[Key, TableSpot] = dc_field(default_factory=dict)

    #: items of flat tables, placed from their table rather than one by one:
    #: (item path, enclosing subscripts) -> (table, item's offset in the element)
    _items: dict[Key, tuple[TableSpot, int]] = dc_field(default_factory=dict)

    def _spot(self, path: tuple[str, ...], subscripts: tuple[int, ...]) \
            -> tuple[np.ndarray | None, int, np.ndarray, np.ndarray | None]:
        spot = self._spots.get((path, subscripts))
        if spot is not None:
            return spot
        table, d = self._items[(path, subscripts[:-1])]
        i = subscripts[-1]
        if not 1 <= i <= table.occurs:
            raise KeyError((path, subscripts))
        return table.base, table.k + d + (i - 1) * table.stride, table.held >= i, None

    def offsets(self, path: tuple[str, ...], subscripts: tuple[int, ...]) -> np.ndarray:
        """Offset of the occurrence in each record (int64, n)."""
        base, k, _, _ = self._spot(path, subscripts)
        if base is None:
            return np.full(self.n, k, dtype=np.int64)
        return base + k

    def static_offset(self, path: tuple[str, ...], subscripts: tuple[int, ...]) -> int | None:
        """The offset when it is the same in every record (nothing variable before it), else None."""
        base, k, _, _ = self._spot(path, subscripts)
        return k if base is None else None

    def base(self, path: tuple[str, ...], subscripts: tuple[int, ...]) -> tuple[np.ndarray | None, int]:
        """The offset as (array shared by the items of one fixed stretch or None, constant added):
        items with the same array lie at fixed distances from each other in every record."""
        base, k, _, _ = self._spot(path, subscripts)
        return base, k

    def present(self, path: tuple[str, ...], subscripts: tuple[int, ...]) -> np.ndarray:
        """Whether each record holds the occurrence: within every count, and no bad count before it."""
        _, _, live, tainted = self._spot(path, subscripts)
        return live if tainted is None else live & ~tainted

    def table(self, path: tuple[str, ...], subscripts: tuple[int, ...] = ()) -> TableSpot | None:
        """The table carried by the item at ``path`` (within the enclosing occurrence
        ``subscripts``), when its elements have one size and hold no count; else None."""
        return self._tables.get((path, subscripts))


def place(record: Record, n: int, read_count: CountReader, *, full: bool = False) -> Placement:
    """Walk ``record``'s items for ``n`` records whose counts ``read_count`` gives.

    ``full``: tables keep their full size (``odo_placement="max"``); else each table takes the
    elements its count says, each of its own size, and later items move up.
    """
    objects = {p: next(f for f in record.fields if f.path == p) for p in record.odo_objects}
    counts: dict[Key, np.ndarray] = {}
    everyone = np.ones(n, dtype=bool)
    state = {"tainted": np.zeros(n, dtype=bool)}
    spots: dict[Key, tuple[np.ndarray | None, int, np.ndarray, np.ndarray]] = {}
    tables: dict[Key, TableSpot] = {}
    items: dict[Key, tuple[TableSpot, int]] = {}
    pads = _pads(record.root)
    flat = _flat(record)
    varies = _varies(record.root)
    table_min = {p: _table_of(record, p).occurs.min for p in record.odo_objects}

    def materialise(base: np.ndarray | None, k: int) -> np.ndarray:
        return np.full(n, k, dtype=np.int64) if base is None else base + k

    def element(f: Field, base: np.ndarray | None, k: int, subs: tuple[int, ...],
                live: np.ndarray, into: dict | None = None) -> tuple[np.ndarray | None, int]:
        if f.kind is Kind.RENAMES:  # pragma: no cover - 66 items are not children
            return base, k
        if f.is_elementary:
            key = (f.path, subs)
            if f.path in objects:
                value, bad = read_count(f, subs, materialise(base, k), live)
                bad = bad & live & ~state["tainted"]
                if bad.any():
                    state["tainted"] = state["tainted"] | bad
                    value = np.where(bad, table_min[f.path], value)
                counts[key] = np.where(live, value, 0)
            (spots if into is None else into)[key] = (base, k, live, state["tainted"])
            return base, k + f.length
        end_base, end_k = base, k
        starts: dict[str, tuple[np.ndarray | None, int]] = {}
        for c in f.children:
            if c.redefines is not None:
                c_base, c_k = starts.get(c.redefines, (end_base, end_k))
            else:
                c_base, c_k = end_base, end_k + c.slack_before
                starts[c.name] = (c_base, c_k)
            if c.occurs is not None:
                e_base, e_k = table(c, c_base, c_k, subs, live)
            else:
                e_base, e_k = element(c, c_base, c_k, subs, live, into)
            if c.redefines is not None:
                end_base, end_k = _furthest((end_base, end_k), (e_base, e_k), materialise)
            else:
                end_base, end_k = e_base, e_k
        return end_base, end_k + pads[id(f)]

    def table(c: Field, base: np.ndarray | None, k: int, subs: tuple[int, ...],
              live: np.ndarray) -> tuple[np.ndarray | None, int]:
        occ = c.occurs
        count = None
        if occ.depending_path is not None:
            obj = objects[occ.depending_path]
            count = counts[(occ.depending_path, subs[:len(obj.dims)])]
        fixed_size = full or not varies[id(c)]
        cur_base, cur_k = base, k
        tainted = state["tainted"]
        if flat[id(c)]:
            # one walk of the first element gives every item's offset in it; the other elements
            # are the same shifted by the stride (`Placement._spot`), so a table of 50 elements
            # costs one element's Python, not 50
            first: dict[Key, tuple] = {}
            element(c, base, k, (*subs, 1), live, first)
            held = np.full(n, occ.max, dtype=np.int64) if count is None else np.clip(count, 0, occ.max)
            spot = TableSpot(base, k, c.length, occ.max, np.where(live & ~tainted, held, 0))
            tables[(c.path, subs)] = spot
            for (path, _), (_, item_k, _, _) in first.items():
                items[(path, subs)] = (spot, item_k - k)
            if count is None or full:
                return base, k + occ.max * c.length
            return materialise(base, k) + count * c.length, 0
        for i in range(1, occ.max + 1):
            here = live if count is None else live & (count >= i)
            if fixed_size:
                element(c, base, k + (i - 1) * c.length, (*subs, i), here)
                continue
            e_base, e_k = element(c, cur_base, cur_k, (*subs, i), here)
            if count is None:
                cur_base, cur_k = e_base, e_k
            else:
                cur_base, cur_k = np.where(here, materialise(e_base, e_k), materialise(cur_base, cur_k)), 0
        if not fixed_size:
            return cur_base, cur_k
        if state["tainted"] is tainted:  # no count inside the element: every element is placed alike
            held = np.full(n, occ.max, dtype=np.int64) if count is None else np.clip(count, 0, occ.max)
            tables[(c.path, subs)] = TableSpot(base, k, c.length, occ.max, np.where(live & ~tainted, held, 0))
        if count is None or full:
            return base, k + occ.max * c.length
        return materialise(base, k) + count * c.length, 0

    end_base, end_k = element(record.root, None, 0, (), everyone)
    return Placement(n=n, ends=materialise(end_base, end_k), bad=state["tainted"], _spots=spots, _tables=tables,
                     _items=items)


def length_walker(record: Record) -> Callable[[Callable[[Field, int], int]], int]:
    """A function that gives one record's length from its counts, for framing a file whose records
    are as long as their counts make them (``--variable-occurs``).

    It takes ``count_at(count item, offset) -> count`` and walks with plain integers: the framer
    calls it once per record, before the record's end (and so the next record's start) is known,
    so the numpy walk of `place` (built for thousands of records at once) would cost more than it
    saves. Stretches that hold no count and no variable table are stepped over by their length.
    """
    objects = set(record.odo_objects)
    pads = _pads(record.root)
    varies = _varies(record.root)
    holds: dict[int, bool] = {}

    def visit(f: Field) -> bool:
        h = f.path in objects
        for c in f.children:
            h = visit(c) or h
        holds[id(f)] = h
        return h

    visit(record.root)

    # each group's children as plain tuples, built once: the walk runs once per record
    steps: dict[int, list[tuple]] = {}
    for f in record.root.walk():
        if f.children:
            steps[id(f)] = [(c, c.redefines, c.slack_before, c.name, c.occurs, c.path in objects,
                             not varies[id(c)] and not holds[id(c)], c.length) for c in f.children]

    def walker(count_at: Callable[[Field, int], int]) -> int:
        counts: dict[tuple[str, ...], int] = {}   # the count read last is the one of the current element

        def group(f: Field, at: int) -> int:
            area_end = at
            starts: dict[str, int] = {}
            for c, redefines, slack, name, occurs, is_object, fixed, length in steps[id(f)]:
                if redefines is not None:
                    start = starts.get(redefines, area_end)
                else:
                    start = area_end + slack
                    starts[name] = start
                if occurs is not None:
                    n = counts[occurs.depending_path] if occurs.depending_path is not None else occurs.max
                    if fixed:
                        stop = start + n * length
                    else:
                        stop = start
                        for _ in range(n):
                            stop = group(c, stop)
                elif is_object:
                    counts[c.path] = count_at(c, start)
                    stop = start + length
                elif fixed:
                    stop = start + length
                else:
                    stop = group(c, start)
                area_end = max(area_end, stop) if redefines is not None else stop
            return area_end + pads[id(f)]

        return group(record.root, 0)

    return walker


def gather(matrix: np.ndarray, offsets: np.ndarray, length: int) -> np.ndarray:
    """The ``length`` bytes at each row's own offset, as an (n, length) matrix; bytes past the
    matrix's width read as 0 (the caller knows which rows are short)."""
    out = np.empty((matrix.shape[0], length), dtype=np.uint8)
    _gather(matrix, np.ascontiguousarray(offsets, dtype=np.int64), out)
    return out


def scatter(matrix: np.ndarray, offsets: np.ndarray, part: np.ndarray, rows: np.ndarray) -> None:
    """Write ``part``'s rows ``rows`` back at each row's own offset (the inverse of `gather`)."""
    if rows.size == 0:
        return
    _scatter(matrix, np.ascontiguousarray(offsets, dtype=np.int64), part, np.ascontiguousarray(rows, dtype=np.int64))


# numpy's two-dimensional fancy indexing spent 40 ms on 65,536 five-byte reads; a plain copy loop
# is a memcpy per row
@njit(cache=True, nogil=True)
def _gather(matrix, offsets, out):  # pragma: no cover - compiled
    n, width = matrix.shape
    length = out.shape[1]
    for r in range(n):
        o = offsets[r]
        m = min(length, max(0, width - o)) if o >= 0 else 0
        for j in range(m):
            out[r, j] = matrix[r, o + j]
        for j in range(m, length):
            out[r, j] = 0


@njit(cache=True, nogil=True)
def _scatter(matrix, offsets, part, rows):  # pragma: no cover - compiled
    length = part.shape[1]
    width = matrix.shape[1]
    for i in range(rows.shape[0]):
        r = rows[i]
        o = offsets[r]
        if o < 0 or o + length > width:  # compiled code has no bounds check: never write outside
            continue
        for j in range(length):
            matrix[r, o + j] = part[r, j]


def _furthest(a: tuple[np.ndarray | None, int], b: tuple[np.ndarray | None, int], materialise) \
        -> tuple[np.ndarray | None, int]:
    if a[0] is b[0]:
        return a[0], max(a[1], b[1])
    return np.maximum(materialise(*a), materialise(*b)), 0


def _pads(root: Field) -> dict[int, int]:
    """Bytes after a group's last item (SYNC slack at the end of an occurrence), which stay
    whatever the counts: the group's full length less the end of its content when full."""
    pads: dict[int, int] = {}
    for f in root.walk():
        if f.children:
            content = max(c.offset + c.total_length for c in f.children) - f.offset
            pads[id(f)] = max(0, f.length - content)
        else:
            pads[id(f)] = 0
    return pads


def _flat(record: Record) -> dict[int, bool]:
    """Whether an item is a table whose element holds no table and no count (nor is one)."""
    objects = set(record.odo_objects)
    out: dict[int, bool] = {}

    def visit(f: Field) -> bool:
        inner = False
        for c in f.children:
            inner = visit(c) or inner
        out[id(f)] = f.occurs is not None and not inner and f.path not in objects
        return inner or f.occurs is not None or f.path in objects

    visit(record.root)
    return out


def _varies(root: Field) -> dict[int, bool]:
    """Whether an item's size depends on counts: it holds an OCCURS DEPENDING ON table."""
    out: dict[int, bool] = {}

    def visit(f: Field) -> bool:
        v = False
        for c in f.children:
            v = visit(c) or v
            if c.occurs is not None and c.occurs.depending_path is not None:
                v = True
        out[id(f)] = v
        return v

    visit(root)
    return out


def _table_of(record: Record, object_path: tuple[str, ...]) -> Field:
    return next(f for f in record.fields if f.occurs and f.occurs.depending_path == object_path)
