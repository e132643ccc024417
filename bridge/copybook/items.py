"""The parsed data description entries: a mutable item tree, as written, before any layout.

The parser fills these; `bridge.copybook.compute` reads them and builds the immutable
`bridge.layout.model` tree. Nothing here knows storage sizes or offsets.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bridge.copybook.picture import Picture
from bridge.layout.model import Condition, SourceLocation

__all__ = ["DataItem", "Figurative", "OccursClause", "Reference", "SignClause"]


@dataclass(frozen=True, slots=True)
class Figurative:
    """A figurative constant in a VALUE clause: SPACES, ZEROS, HIGH-VALUES, LOW-VALUES, QUOTES,
    NULLS, or ``ALL literal`` (``name="ALL"``, ``literal`` set)."""

    name: str
    literal: Any = None

    def __str__(self) -> str:
        return f"ALL {self.literal!r}" if self.name == "ALL" else self.name


@dataclass(frozen=True, slots=True)
class Reference:
    """A data name as written, with its qualifiers (``A OF B OF C`` is ``("A", "B", "C")``)."""

    names: tuple[str, ...]
    location: SourceLocation

    def __str__(self) -> str:
        return " OF ".join(self.names)


@dataclass(frozen=True, slots=True)
class SignClause:
    leading: bool
    separate: bool
    location: SourceLocation


@dataclass(frozen=True, slots=True)
class OccursClause:
    min: int
    max: int
    depending_on: Reference | None
    has_minimum: bool            # "m TO n" was written
    keys: tuple[str, ...]
    indexed_by: tuple[str, ...]
    location: SourceLocation


@dataclass(slots=True, eq=False)
class DataItem:
    """One data description entry (levels 01-49, 66, 77) with its subordinates and 88s."""

    level: int
    name: str | None                        # upper case; None for FILLER or an unnamed item
    location: SourceLocation
    picture: Picture | None = None
    picture_location: SourceLocation | None = None
    usage: str | None = None                # normalised (DISPLAY, COMP, COMP-1, ... POINTER, INDEX)
    usage_written: str | None = None        # as written (COMP-4, BINARY, PACKED-DECIMAL, ...)
    usage_location: SourceLocation | None = None
    group_usage: str | None = None          # GROUP-USAGE NATIONAL: the group's items default to NATIONAL
    group_usage_location: SourceLocation | None = None
    sign: SignClause | None = None
    occurs: OccursClause | None = None
    redefines: Reference | None = None
    sync: bool = False
    sync_location: SourceLocation | None = None
    justified: bool = False
    blank_when_zero: bool = False
    value: Any = None
    external: bool = False
    global_: bool = False
    renames: tuple[Reference, Reference | None] | None = None   # level 66: first [THRU last]
    conditions: list[Condition] = field(default_factory=list)
    children: list["DataItem"] = field(default_factory=list)
    renames_items: list["DataItem"] = field(default_factory=list)   # 66 entries of a 01 record

    @property
    def display_name(self) -> str:
        return self.name or "FILLER"
