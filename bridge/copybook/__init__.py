"""Copybook compiler: COBOL copybook text to the immutable `bridge.layout.model.Layout`.

``load_copybook`` reads a file, ``compile_copybook`` compiles text; both resolve COPY
members from the including file's directory and ``include_dirs``. The stages are
`source` (columns, comments, continuation), `tokens`, `library` (COPY ... REPLACING,
++INCLUDE/-INC, then REPLACE), `parser` (entries and item trees) and `compute` (sizes and
offsets into the layout model), every size and count held to `limits`.
Leniency warnings land in ``Layout.warnings``; ``strict=True`` makes them errors.
"""
from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import Iterable

from bridge.copybook.compute import compute_layout
from bridge.copybook.diagnostics import Diagnostics
from bridge.copybook.library import expand_copies, replace_statements
from bridge.copybook.parser import build_tree, parse_entries
from bridge.copybook.source import read_source
from bridge.copybook.tokens import Token, tokenize
from bridge.errors import CopybookError
from bridge.layout.model import Dialect, Layout, SourceLocation

__all__ = ["compile_copybook", "load_copybook"]


def load_copybook(path: str | PathLike[str], *, include_dirs: Iterable[str | PathLike[str]] = (),
                  dialect: str | Dialect = "ibm",
                  strict: bool = False, source_format: str = "auto") -> Layout:
    """Compile the copybook file at ``path``; raises `CopybookError` for a copybook that cannot be compiled."""
    p = Path(path)
    text = _read(p, str(path))
    return compile_copybook(text, name=str(path), include_dirs=include_dirs, dialect=dialect, strict=strict,
                            source_format=source_format)


def compile_copybook(text: str, *, name: str = "<copybook>", include_dirs: Iterable[str | PathLike[str]] = (),
                     dialect: str | Dialect = "ibm", strict: bool = False,
                     source_format: str = "auto") -> Layout:
    """Compile copybook text; ``name`` is the file name used in messages and for COPY look-ups."""
    try:
        chosen = Dialect(str(dialect).lower())
    except ValueError:
        raise CopybookError(f"unknown dialect {dialect!r}: use ibm, gnucobol or microfocus", file=name) from None
    if source_format not in ("auto", "fixed", "free"):
        raise CopybookError(f"unknown source format {source_format!r}: use auto, fixed or free", file=name)
    dirs = tuple(Path(d) for d in include_dirs)
    diag = Diagnostics(strict=strict)

    loaded: dict[Path, list[Token]] = {}

    def load(member: Path) -> list[Token]:
        # a member copied many times is read and tokenized once per compile
        if member not in loaded:
            loaded[member] = tokenize(read_source(_read(member, str(member)), file=str(member),
                                                  source_format=source_format))
        return loaded[member]

    tokens = tokenize(read_source(text, file=name, source_format=source_format))
    def notice(message: str, where: Token) -> None:
        diag.warn(message, SourceLocation(where.file, where.line, where.column))

    tokens = expand_copies(tokens, file=name, include_dirs=dirs, load=load,
                           notice=notice if chosen is Dialect.IBM else None)
    tokens = replace_statements(tokens)
    entries = parse_entries(tokens, diag)
    records, level77 = build_tree(entries, diag, member=name)
    if not records and not level77:
        raise CopybookError("the copybook has no data description entries (no 01, 77 or other level)",
                            file=name)
    return compute_layout(records, level77, dialect=chosen, diag=diag, source=name)


def _read(path: Path, shown: str) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CopybookError(f"cannot read the copybook: {exc.strerror or exc}", file=shown) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")
