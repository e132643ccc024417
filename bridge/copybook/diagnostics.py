"""Leniency warnings: collected as ``FILE:LINE:COLUMN: warning: message``, or errors under strict.

One object travels through parsing and layout, so ``strict=True`` turns every leniency into a
`CopybookError` in one place and the non-strict run reports each of them in source order.
"""
from __future__ import annotations

from bridge.errors import CopybookError, CopybookWarning
from bridge.layout.model import SourceLocation

__all__ = ["Diagnostics"]


class Diagnostics:
    """Where the compiler reports what it accepted beyond IBM's rules."""

    def __init__(self, *, strict: bool = False) -> None:
        self.strict = strict
        self.warnings: list[str] = []

    def warn(self, message: str, where: SourceLocation | None) -> None:
        """Record a warning, or raise `CopybookError` with the same message when strict."""
        file = where.file if where else None
        line = where.line if where else None
        column = where.column if where else None
        if self.strict:
            raise CopybookError(message + " (rejected because strict mode is on)", file=file, line=line,
                                column=column)
        text = str(CopybookWarning(message, file=file, line=line, column=column))
        if text not in self.warnings:
            self.warnings.append(text)


def error(message: str, where: SourceLocation | None) -> CopybookError:
    """A `CopybookError` located at ``where``."""
    if where is None:
        return CopybookError(message)
    return CopybookError(message, file=where.file, line=where.line, column=where.column)
