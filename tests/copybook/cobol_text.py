"""Copybook text for tests: code lines placed in the fixed-format code area (column 8 on)."""
from __future__ import annotations

from bridge.copybook import compile_copybook
from bridge.layout.model import Layout, Record


def fixed(*lines: str) -> str:
    """Fixed-format copybook text: each line starts in column 8 (Area A)."""
    return "".join(f"       {line}\n" for line in lines)


def compiled(*lines: str, **options) -> Layout:
    """The layout of the given code lines (fixed format)."""
    return compile_copybook(fixed(*lines), **options)


def record(*lines: str, **options) -> Record:
    """The first record of the given code lines."""
    return compiled(*lines, **options).records[0]


def offsets(rec: Record) -> dict[str, tuple[int, int]]:
    """name -> (offset, length) for every named item of a record (first of duplicate names wins)."""
    out: dict[str, tuple[int, int]] = {}
    for f in rec.fields:
        out.setdefault(f.name, (f.offset, f.length))
    return out
