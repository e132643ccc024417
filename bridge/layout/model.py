"""The layout model: an immutable tree of `Field`s per 01 record, computed once from a copybook.

Every later stage (decoder, encoder, scorer, schema exporters) reads this model and never
re-derives sizes or offsets. Conventions:

* ``offset`` is a 0-based byte count from the start of the 01 record. For an item inside
  OCCURS it is the offset of its first occurrence (every subscript 1). For an item after an
  OCCURS DEPENDING ON table ("variably located", ``variable_offset=True``) it is the offset
  it has when every table is full; `Record.resolve` gives the offsets for actual counts.
* ``length`` is the storage of one occurrence, in bytes, slack bytes of SYNC included in
  groups (as IBM counts them).
* ``scale`` is the power of ten the stored integer is divided by: ``S9(5)V99`` has scale 2,
  ``9(3)PPP`` has scale -3 and ``PPP99`` has scale 5 and ``VPP99`` scale 4. ``digits`` counts the
  digit positions that take storage (P positions excluded).
* ``dims`` lists, outermost first, every OCCURS that repeats the item (its own included):
  the byte ``stride`` between two occurrences, and ``min``/``max``/``depending_on``.

The model has no behaviour beyond navigation and resolving ODO counts (`bridge.layout.resolve`);
building it is the compiler's job (`bridge.copybook.compute`). This package imports nothing
from the compiler, so the arrows run one way: copybook -> layout.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum
from typing import Any, Iterator, Mapping

from bridge.errors import LayoutError

__all__ = [
    "Condition",
    "Dialect",
    "Dim",
    "Field",
    "Kind",
    "Layout",
    "Occurs",
    "Record",
    "SourceLocation",
]


class Kind(str, Enum):
    """What a field's bytes are, which decides the codec that reads them."""

    GROUP = "group"
    ALPHANUMERIC = "alphanumeric"          # PIC X / A, USAGE DISPLAY
    ZONED = "zoned"                        # PIC 9 USAGE DISPLAY (zoned decimal), sign options
    PACKED = "packed"                      # COMP-3 / PACKED-DECIMAL
    BINARY = "binary"                      # COMP / COMP-4 / BINARY / COMP-5 / COMP-0, INDEX, POINTER
    FLOAT = "float"                        # COMP-1 (4 bytes) / COMP-2 (8 bytes)
    NATIONAL = "national"                  # PIC N USAGE NATIONAL, UTF-16BE
    DBCS = "dbcs"                          # PIC G / PIC N USAGE DISPLAY-1
    NUMERIC_EDITED = "numeric-edited"      # Z, *, +, -, CR, DB, ., B, 0, / ...
    ALPHANUMERIC_EDITED = "alphanumeric-edited"
    RENAMES = "renames"                    # level 66: a view over other items, no storage of its own

    @property
    def is_numeric(self) -> bool:
        return self in (Kind.ZONED, Kind.PACKED, Kind.BINARY, Kind.FLOAT, Kind.NUMERIC_EDITED)

    def __str__(self) -> str:  # pragma: no cover - cosmetic
        return self.value


class Dialect(str, Enum):
    """The compiler whose storage rules a file follows."""

    IBM = "ibm"
    GNUCOBOL = "gnucobol"
    MICROFOCUS = "microfocus"

    def __str__(self) -> str:  # pragma: no cover - cosmetic
        return self.value


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """Where an item was written: file, 1-based line and column (after COPY expansion, the member's)."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Occurs:
    """An OCCURS clause: ``min`` equals ``max`` for a fixed table."""

    min: int
    max: int
    depending_on: str | None = None          # the data name as written (``TXN-COUNT``)
    depending_path: tuple[str, ...] | None = None  # resolved qualified path of the ODO object
    keys: tuple[str, ...] = ()               # ASCENDING/DESCENDING KEY names
    indexed_by: tuple[str, ...] = ()

    @property
    def is_variable(self) -> bool:
        return self.depending_on is not None


@dataclass(frozen=True, slots=True)
class Dim:
    """One OCCURS that repeats an item, as the codec walks it."""

    min: int
    max: int
    stride: int                               # bytes between occurrences (the occurring item's length)
    depending_path: tuple[str, ...] | None = None
    owner: tuple[str, ...] = ()               # path of the item that carries the OCCURS


@dataclass(frozen=True, slots=True)
class Condition:
    """A level-88 condition name: single values and (low, high) THRU ranges."""

    name: str
    values: tuple[Any, ...] = ()
    ranges: tuple[tuple[Any, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class Field:
    """One item of a record: a group, an elementary item, or a 66-level RENAMES view."""

    name: str                                  # as written, upper-cased; "FILLER" for FILLER/unnamed
    path: tuple[str, ...]                      # names from the 01 down to this item
    level: int
    offset: int
    length: int
    kind: Kind
    picture: str | None = None                 # as written, e.g. "S9(7)V99"
    usage: str = "DISPLAY"                     # normalised: DISPLAY, COMP, COMP-1, COMP-2, COMP-3, COMP-5,
                                               # NATIONAL, DISPLAY-1, POINTER, INDEX
    digits: int = 0
    scale: int = 0
    signed: bool = False
    sign_leading: bool = False
    sign_separate: bool = False
    native_binary: bool = False                # COMP-5: byte order of the platform under non-IBM dialects
    occurs: Occurs | None = None
    dims: tuple[Dim, ...] = ()
    redefines: str | None = None               # name of the redefined item
    redefined_by: tuple[str, ...] = ()         # names of items that redefine this one
    renames: tuple[tuple[str, ...], ...] = ()  # 66 level: paths of the first and last item renamed
    justified: bool = False
    blank_when_zero: bool = False
    sync: bool = False
    slack_before: int = 0                      # SYNC slack bytes inserted before this item
    value: Any = None                          # VALUE clause (literal or figurative constant name)
    conditions: tuple[Condition, ...] = ()
    display_length: int = 0                    # characters when displayed (edited pictures)
    edit_mask: str | None = None               # expanded PICTURE of an edited item, e.g. "-ZZZ,ZZ9.99"
    variable_offset: bool = False              # located after an ODO table
    is_filler: bool = False
    external: bool = False
    global_: bool = False
    source: SourceLocation | None = None
    children: tuple["Field", ...] = ()

    # -- navigation -------------------------------------------------------------------------
    @property
    def qualified_name(self) -> str:
        """Dotted path from the 01 record, e.g. ``CUSTOMER-REC.ADDRESS.CITY``."""
        return ".".join(self.path)

    @property
    def is_group(self) -> bool:
        return self.kind is Kind.GROUP

    @property
    def is_elementary(self) -> bool:
        return self.kind not in (Kind.GROUP, Kind.RENAMES)

    @property
    def end(self) -> int:
        """Offset one past the last byte of the first occurrence."""
        return self.offset + self.length

    @property
    def total_length(self) -> int:
        """Bytes taken by all occurrences when the table (if any) is full."""
        return self.length * (self.occurs.max if self.occurs else 1)

    @property
    def occurrences(self) -> int:
        """Total number of occurrences across every enclosing OCCURS, each at its maximum."""
        n = 1
        for d in self.dims:
            n *= d.max
        return n

    def walk(self) -> Iterator["Field"]:
        """This item, then every item below it, in copybook order."""
        yield self
        for child in self.children:
            yield from child.walk()

    def elementary(self) -> Iterator["Field"]:
        """The elementary items at or below this one, in copybook order."""
        for f in self.walk():
            if f.is_elementary:
                yield f

    def child(self, name: str) -> "Field":
        for c in self.children:
            if c.name == name.upper():
                return c
        raise LayoutError(f"{self.name} has no item named {name}", field=name)

    def with_changes(self, **changes: Any) -> "Field":
        return replace(self, **changes)


@dataclass(frozen=True, slots=True)
class Record:
    """One 01 record type of a copybook."""

    name: str
    root: Field
    length: int                                # maximum length (every ODO table full)
    min_length: int                            # every ODO table at its minimum
    fields: tuple[Field, ...]                  # flat, copybook order, the 01 item first
    odo_objects: tuple[tuple[str, ...], ...] = ()  # paths of fields that are ODO objects
    redefines: str | None = None               # 01 RECORD-B REDEFINES RECORD-A

    @property
    def has_odo(self) -> bool:
        return bool(self.odo_objects)

    @property
    def has_nested_odo(self) -> bool:
        """Whether an ODO count lies inside the element of a table (nested OCCURS DEPENDING ON):
        elements of that table then differ in size, so no stride places them."""
        if not self.odo_objects:
            return False
        objects = set(self.odo_objects)
        return any(f.dims for f in self.fields if f.path in objects)

    @property
    def is_fixed(self) -> bool:
        return self.length == self.min_length and not self.has_odo

    def elementary(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.is_elementary)

    def field(self, name: str) -> Field:
        """Find an item by name, ``NAME OF PARENT``, or dotted path; raises `LayoutError` if absent or ambiguous."""
        return _find(self.fields, name, where=f"record {self.name}")

    def resolve(self, counts: Mapping[tuple[str, ...], int]) -> "Record":
        """The record with offsets for the given ODO counts (tables of actual size, items after them shifted).

        One count per ODO object: a record with nested OCCURS DEPENDING ON (`has_nested_odo`) has a
        count per element and is placed by `bridge.records.nested_odo` instead; `LayoutError` here.
        """
        from bridge.layout.resolve import resolve_counts  # late import: resolve reads this module

        return resolve_counts(self, counts)


@dataclass(frozen=True, slots=True)
class Layout:
    """A compiled copybook: its 01 records (record types of one file) and how it was compiled."""

    records: tuple[Record, ...]
    dialect: Dialect = Dialect.IBM
    source: str | None = None
    warnings: tuple[str, ...] = ()
    level77: tuple[Field, ...] = ()

    def record(self, name: str | None = None) -> Record:
        """The named 01 record, or the first one when ``name`` is None."""
        if name is None:
            if not self.records:
                raise LayoutError("the copybook has no 01 record")
            return self.records[0]
        for r in self.records:
            if r.name == name.upper():
                return r
        known = ", ".join(r.name for r in self.records) or "none"
        raise LayoutError(f"no 01 record named {name.upper()} (records: {known})", field=name)

    @property
    def length(self) -> int:
        """Longest record of the file."""
        return max((r.length for r in self.records), default=0)

    def field(self, name: str) -> Field:
        fields = tuple(f for r in self.records for f in r.fields)
        return _find(fields, name, where="copybook")


def _find(fields: tuple[Field, ...], name: str, *, where: str) -> Field:
    wanted = name.strip().upper()
    if " OF " in wanted or " IN " in wanted:
        parts = [p.strip() for p in wanted.replace(" IN ", " OF ").split(" OF ")]
        leaf, qualifiers = parts[0], parts[1:]
        hits = [f for f in fields if f.name == leaf and _qualified_by(f.path[:-1], qualifiers)]
    elif "." in wanted:
        parts = wanted.split(".")
        hits = [f for f in fields if tuple(f.path[-len(parts):]) == tuple(parts)]
    else:
        hits = [f for f in fields if f.name == wanted]
    if not hits:
        raise LayoutError(f"{where} has no item named {name}", field=name)
    if len(hits) > 1:
        options = ", ".join(h.qualified_name for h in hits[:5])
        raise LayoutError(f"{name} is ambiguous in {where}: qualify it ({options})", field=name)
    return hits[0]


def _qualified_by(ancestors: tuple[str, ...], qualifiers: list[str]) -> bool:
    # COBOL qualification: each qualifier must be an ancestor, innermost first, in order.
    pos = len(ancestors)
    for q in qualifiers:
        while pos > 0 and ancestors[pos - 1] != q:
            pos -= 1
        if pos == 0:
            return False
        pos -= 1
    return True
