"""ODO counts to concrete offsets: a `Record` laid out for the table sizes one record actually has.

The compiler lays every table out full; a record of an OCCURS DEPENDING ON layout is shorter and
its variably located items sit earlier. This works on the frozen model alone (slack computed for
full tables stays, because slack is fixed when the program is compiled), so the layout package
never needs the compiler that built it.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable, Mapping

from bridge.errors import LayoutError
from bridge.layout.model import Dim, Field, Kind, Record

__all__ = ["record_sizes", "resolve_counts"]


def _count(f: Field, count_of: Callable[[Field], int]) -> int:
    if f.occurs is None:
        return 1
    if f.occurs.depending_on is None:
        return f.occurs.max
    return count_of(f)


def record_sizes(root: Field, count_of: Callable[[Field], int]) -> dict[int, int]:
    """Length of one occurrence of every item (by ``id``) for the given table counts."""
    full: dict[int, int] = {}
    out: dict[int, int] = {}

    def content(f: Field, counts: Callable[[Field], int], sizes: dict[int, int]) -> int:
        end = 0
        area_end = 0
        starts: dict[str, int] = {}
        for c in f.children:
            if c.redefines is not None:
                start = starts.get(c.redefines, area_end)
            else:
                start = area_end + c.slack_before
                starts[c.name] = start
            size(c, counts, sizes)
            area_end = max(area_end, start + sizes[id(c)] * _count(c, counts)) if c.redefines is not None \
                else start + sizes[id(c)] * _count(c, counts)
            end = max(end, area_end)
        return end

    def size(f: Field, counts: Callable[[Field], int], sizes: dict[int, int]) -> None:
        if not f.children:
            sizes[id(f)] = f.length
            return
        used = content(f, counts, sizes)
        if counts is max_count:
            sizes[id(f)] = f.length
        else:
            if id(f) not in full:
                size(f, max_count, full)
            pad = f.length - content(f, max_count, full)
            sizes[id(f)] = used + pad

    def max_count(f: Field) -> int:
        return f.occurs.max

    size(root, count_of, out)
    return out


def resolve_counts(record: Record, counts: Mapping[tuple[str, ...], int]) -> Record:
    """The record laid out for actual ODO counts: tables of their actual size, later items shifted.

    ``counts`` maps each ODO object path (`Record.odo_objects`) to its value. ``occurs`` keeps the
    declared bounds; offsets, group lengths, dim strides and the record ``length`` are those of the
    concrete record. Raises `LayoutError` for a missing count or one outside the table's bounds.
    """
    if not record.odo_objects:
        return record
    if record.has_nested_odo:
        raise LayoutError(f"record {record.name} has nested OCCURS DEPENDING ON (a count inside a table's "
                          "element): its offsets differ per element and are placed record by record, not "
                          "from one count per table")
    wanted = {tuple(k): v for k, v in counts.items()}

    def count_of(f: Field) -> int:
        path = f.occurs.depending_path
        if path not in wanted:
            raise LayoutError(f"no count given for the ODO object {'.'.join(path)} of table {f.name}",
                              field=f.name)
        n = int(wanted[path])
        if not f.occurs.min <= n <= f.occurs.max:
            raise LayoutError(f"{'.'.join(path)} = {n} is outside OCCURS {f.occurs.min} TO {f.occurs.max} "
                              f"of table {f.name}", field=f.name)
        return n

    sizes = record_sizes(record.root, count_of)
    moved: dict[int, Field] = {}

    def rebuild(f: Field, offset: int, dims: tuple[Dim, ...]) -> Field:
        length = sizes[id(f)]
        if f.occurs is not None:
            own = f.dims[len(dims)] if len(f.dims) > len(dims) else None
            if own is not None:
                dims = (*dims, replace(own, stride=length))
        children: list[Field] = []
        area_end = offset
        starts: dict[str, int] = {}
        for c in f.children:
            if c.redefines is not None:
                start = starts.get(c.redefines, area_end)
            else:
                start = area_end + c.slack_before
                starts[c.name] = start
            new = rebuild(c, start, dims)
            total = sizes[id(c)] * _count(c, count_of)
            area_end = max(area_end, start + total) if c.redefines is not None else start + total
            children.append(new)
        out = replace(f, offset=offset, length=length, dims=dims, children=tuple(children))
        moved[id(f)] = out
        return out

    root = rebuild(record.root, 0, ())
    by_path: dict[tuple[str, ...], Field] = {}
    for f in root.walk():
        by_path.setdefault(f.path, f)
    fields: list[Field] = []
    for f in record.fields:
        if f.kind is Kind.RENAMES:
            first, last = by_path[f.renames[0]], by_path[f.renames[1]]
            end = max(last.end, first.end)
            fields.append(replace(f, offset=first.offset, length=end - first.offset))
        else:
            fields.append(moved[id(f)])
    return replace(record, root=root, length=sizes[id(record.root)], fields=tuple(fields))
