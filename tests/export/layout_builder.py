"""Hand-built layouts for the exporter tests, so they do not depend on the copybook compiler.

`record(group(1, "REC", item(5, "A", "X(3)"), ...))` lays the items out the way the compiler
does for the simple cases these tests need: items in sequence, REDEFINES at the offset of the
item they redefine, OCCURS (fixed and DEPENDING ON) with dims, items after an ODO table marked
variably located, 66 RENAMES spanning two items. No SYNC slack: tests that want slack say so.
"""
from __future__ import annotations

from dataclasses import dataclass, field as dc_field
from typing import Any

from bridge.layout.model import Condition, Dim, Field, Kind, Layout, Occurs, Record

_KIND_BY_USAGE = {
    "COMP": Kind.BINARY, "COMP-5": Kind.BINARY, "COMP-3": Kind.PACKED, "COMP-1": Kind.FLOAT,
    "COMP-2": Kind.FLOAT, "NATIONAL": Kind.NATIONAL, "DISPLAY-1": Kind.DBCS,
    "INDEX": Kind.BINARY, "POINTER": Kind.BINARY,
}


@dataclass
class Spec:
    level: int
    name: str
    kind: Kind
    length: int = 0
    attrs: dict[str, Any] = dc_field(default_factory=dict)
    children: list["Spec"] = dc_field(default_factory=list)
    occurs: Occurs | None = None
    redefines: str | None = None
    renames: tuple[str, str] | None = None


def item(level: int, name: str, picture: str | None, *, usage: str = "DISPLAY", length: int,
         kind: Kind | None = None, digits: int = 0, scale: int = 0, signed: bool = False,
         occurs: int | tuple[int, int, str] | None = None, redefines: str | None = None,
         conditions: tuple[Condition, ...] = (), **attrs: Any) -> Spec:
    """An elementary item; ``kind`` defaults from the usage (DISPLAY: zoned if digits, else X)."""
    if kind is None:
        kind = _KIND_BY_USAGE.get(usage, Kind.ZONED if digits else Kind.ALPHANUMERIC)
    attrs.update(picture=picture, usage=usage, digits=digits, scale=scale, signed=signed,
                 conditions=conditions)
    return Spec(level, name, kind, length, attrs, occurs=_occurs(occurs), redefines=redefines)


def group(level: int, name: str, *children: Spec, occurs: int | tuple[int, int, str] | None = None,
          redefines: str | None = None) -> Spec:
    return Spec(level, name, Kind.GROUP, 0, {}, list(children), _occurs(occurs), redefines)


def renames(name: str, first: str, last: str) -> Spec:
    return Spec(66, name, Kind.RENAMES, renames=(first, last))


def layout(*records: Record) -> Layout:
    return Layout(records=tuple(records), source="handmade.cpy")


def record(root: Spec) -> Record:
    """Lay out an 01 group spec into a `Record`."""
    state = _State()
    built = _place(root, (), 0, (), state)
    flat = tuple(built.walk())
    renamed = []
    for spec in root.children:
        if spec.renames:
            first, last = (next(f for f in flat if f.name == n) for n in spec.renames)
            renamed.append(Field(name=spec.name, path=(root.name, spec.name), level=66,
                                 offset=first.offset, length=last.end - first.offset,
                                 kind=Kind.RENAMES, renames=(first.path, last.path)))
    if renamed:
        built = built.with_changes(children=built.children + tuple(renamed))
        flat = tuple(built.walk())
    return Record(name=root.name, root=built, length=built.length,
                  min_length=built.length - state.odo_shrink, fields=flat,
                  odo_objects=tuple(state.odo_objects))


class _State:
    def __init__(self) -> None:
        self.after_odo = False
        self.odo_shrink = 0
        self.odo_objects: list[tuple[str, ...]] = []


def _occurs(spec: int | tuple[int, int, str] | None) -> Occurs | None:
    if spec is None:
        return None
    if isinstance(spec, int):
        return Occurs(spec, spec)
    low, high, on = spec
    return Occurs(low, high, depending_on=on)


def _place(spec: Spec, parent_path: tuple[str, ...], offset: int, dims: tuple[Dim, ...],
           state: _State) -> Field:
    path = parent_path + (spec.name,)
    variable = state.after_odo
    if spec.kind is Kind.GROUP:
        children: list[Field] = []
        cursor = offset
        positions: dict[str, int] = {}
        placeholder_dims = dims  # own dim added below once the length is known
        for child in spec.children:
            if child.kind is Kind.RENAMES:
                continue
            slack = child.attrs.get("slack_before", 0)
            start = positions[child.redefines] if child.redefines else cursor + slack
            built = _place(child, path, start, placeholder_dims, state)
            positions[child.name] = start
            children.append(built)
            cursor = max(cursor, start + built.total_length)
        length = cursor - offset
        own = _with_dims(spec, path, length, dims, state)
        children = [_prefix_dims(c, own, dims) for c in children]
        return Field(name=spec.name, path=path, level=spec.level, offset=offset, length=length,
                     kind=Kind.GROUP, occurs=spec.occurs, dims=own, redefines=spec.redefines,
                     is_filler=spec.name == "FILLER", variable_offset=variable,
                     children=tuple(children))
    own = _with_dims(spec, path, spec.length, dims, state)
    return Field(name=spec.name, path=path, level=spec.level, offset=offset, length=spec.length,
                 kind=spec.kind, occurs=spec.occurs, dims=own, redefines=spec.redefines,
                 is_filler=spec.name == "FILLER", variable_offset=variable, **spec.attrs)


def _with_dims(spec: Spec, path: tuple[str, ...], length: int, dims: tuple[Dim, ...],
               state: _State) -> tuple[Dim, ...]:
    if spec.occurs is None:
        return dims
    occ = spec.occurs
    depending = (path[0], occ.depending_on) if occ.depending_on else None
    if depending:
        state.after_odo = True
        state.odo_shrink += (occ.max - occ.min) * length
        state.odo_objects.append(depending)
    return dims + (Dim(occ.min, occ.max, length, depending, path),)


def _prefix_dims(child: Field, own: tuple[Dim, ...], outer: tuple[Dim, ...]) -> Field:
    # Children were placed before the group knew its own Dim: insert it after the outer ones.
    extra = own[len(outer):]
    if not extra:
        return child
    depth = len(outer)
    new_dims = child.dims[:depth] + extra + child.dims[depth:]
    return child.with_changes(dims=new_dims,
                              children=tuple(_prefix_dims(c, own, outer) for c in child.children))
