"""Source text to one logical stream: reference format columns, comments, continuation lines.

The rest of the compiler never sees columns. This module turns a copybook's lines into one
string of code (lines joined by newlines, continuation lines spliced in) plus a map from
positions in that string back to file, line and column, so every later error can point at
the character the programmer wrote.

Fixed (reference) format: columns 1-6 are the sequence area and ignored, column 7 is the
indicator (``*`` and ``/`` comment, ``D``/``d`` debugging line taken as a comment, ``$`` a
compiler directive, ``-`` continuation), columns 8-72 are code and 73-80 are ignored.
Free format: the whole line is code. ``*>`` starts a comment to the end of the line in both.

Tabs. A tab moves to the next 8-column stop (columns 9, 17, 25, ... as GnuCOBOL counts by
default), so ``<TAB>05 X`` puts the level number in column 9 and ``000100<TAB>05 X`` too.
Because a tab makes the indicator column ambiguous, a line whose first character after the
sequence area is ``*`` or ``/`` and that has a tab before it is a comment as well.

Library-manager includes: a ``-INC member`` line (Librarian, from column 1) or a
``++INCLUDE member`` line (Panvalet, any column) is taken whole as code in either format, since
it sits outside the reference-format areas; `library` expands it as a COPY.

Format detection ("auto"): a file is fixed format unless some line cannot be explained by
it: something in columns 1-6 that is not a single sequence number or identifier, or a
character in column 7 that is no indicator. Then the whole file is read as free format.
Comment lines starting with ``*`` or ``/`` do not count, and in fixed format a line with ``*``
or ``/`` in column 1 is a comment even when column 7 holds no indicator (a common slip).
A ``>>SOURCE [FORMAT] [IS] FREE|FIXED`` directive switches the format from the next line on.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from bridge.errors import CopybookError

__all__ = ["LogicalSource", "detect_format", "read_source"]

_INDICATORS = frozenset(" *-/Dd$")
_COMMENT_INDICATORS = frozenset("*/Dd$")
_FIXED_CODE_WIDTH = 65           # columns 8-72
_QUOTE_OR_COMMENT = re.compile(r"['\"]|\*>")
# Library-manager includes, outside the reference format: Librarian's -INC from column 1,
# Panvalet's ++INCLUDE from any column (usually 1 or 8).
_INCLUDE = re.compile(r"^(?:-INC|\s*\+\+INCLUDE)(?:\s|$)", re.IGNORECASE)
_DIRECTIVE = re.compile(r"^\s*>>\s*SOURCE(?:\s+FORMAT)?(?:\s+IS)?\s+(FREE|FIXED)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class LogicalSource:
    """The code of one file as a single string, with the way back to line and column."""

    file: str
    text: str
    starts: tuple[int, ...]      # position in ``text`` where each segment begins
    lines: tuple[int, ...]       # 1-based line of each segment
    columns: tuple[int, ...]     # 1-based column of each segment's first character

    def location(self, pos: int) -> tuple[int, int]:
        """1-based (line, column) of position ``pos`` in ``text``."""
        i = bisect.bisect_right(self.starts, pos) - 1
        if i < 0:
            return (1, 1)
        return self.lines[i], self.columns[i] + (pos - self.starts[i])


def detect_format(lines: list[str]) -> str:
    """``"fixed"`` or ``"free"``: free only when some line cannot be fixed format."""
    for raw in lines:
        line = raw.expandtabs(8)
        if not line.strip() or line.lstrip()[:1] in ("*", "/") or _INCLUDE.match(line):
            continue                 # a comment in either format says nothing about the format
        if _DIRECTIVE.match(line):
            return "free" if _DIRECTIVE.match(line).group(1).upper() == "FREE" else "fixed"
        head = line[:6]
        if head.strip() and " " in head.strip():
            return "free"
        if len(line) > 6 and line[6] not in _INDICATORS:
            return "free"
    return "fixed"


def read_source(text: str, *, file: str, source_format: str = "auto") -> LogicalSource:
    """Turn copybook text into a `LogicalSource`; raises `CopybookError` for a bad continuation line."""
    if source_format not in ("auto", "fixed", "free"):
        raise CopybookError(f"unknown source format {source_format!r}: use auto, fixed or free", file=file)
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", " ").split("\n")
    mode = detect_format(raw_lines) if source_format == "auto" else source_format

    pieces: list[str] = []
    length = 0
    starts: list[int] = []
    seg_lines: list[int] = []
    seg_cols: list[int] = []
    open_quote: str | None = None     # the quote of a literal still open at the end of the last code line
    last_code_width = 0               # characters of code on the last code line (fixed: pad to column 72)

    for number, raw in enumerate(raw_lines, start=1):
        directive = _DIRECTIVE.match(raw)
        if directive:
            mode = directive.group(1).lower()
            continue
        line = raw.expandtabs(8)
        if _INCLUDE.match(line) and open_quote is None:
            body = line.rstrip()
            col = len(body) - len(body.lstrip()) + 1
            pieces.append("\n")
            length += 1
            starts.append(length)
            seg_lines.append(number)
            seg_cols.append(col)
            pieces.append(body.lstrip())
            length += len(body.lstrip())
            last_code_width = 0
            continue
        if mode == "fixed":
            indicator = line[6] if len(line) > 6 else " "
            code = line[7:72]
            first_col = 8
            if indicator in _COMMENT_INDICATORS:
                continue
            stripped = code.lstrip()
            if stripped[:1] in ("*", "/") and not stripped.startswith("*>") and "\t" in raw:
                continue
            if indicator not in _INDICATORS and line[:1] in ("*", "/"):
                continue             # a comment written from column 1
            if indicator not in _INDICATORS:
                raise CopybookError(
                    f"column 7 holds {indicator!r}, which is not an indicator (space, *, /, -, D); "
                    "if the copybook is free format, compile it with source format free",
                    file=file, line=number, column=7)
            continuation = indicator == "-"
        else:
            code = line
            first_col = 1
            stripped = code.lstrip()
            if stripped.startswith(("*", "/")) and not stripped.startswith("*>") or stripped.startswith(">>"):
                continue
            continuation = False

        if not continuation:
            if not code.strip():
                continue
            pieces.append("\n")
            length += 1
            content, content_col = code, first_col
        elif open_quote is not None:
            body = code.lstrip()
            col = first_col + len(code) - len(body)
            if not body.startswith(open_quote):
                raise CopybookError(
                    f"this continuation line must start with a quote ({open_quote}) to continue the "
                    "literal left open on the line before",
                    file=file, line=number, column=col)
            if mode == "fixed" and last_code_width < _FIXED_CODE_WIDTH:
                pad = " " * (_FIXED_CODE_WIDTH - last_code_width)
                pieces.append(pad)       # the continued literal runs to column 72
                length += len(pad)
            content, content_col = body[1:], col + 1
        else:
            body = code.lstrip()
            if not body:
                continue
            # A continued word goes on right after the last non-blank character.
            while pieces and not pieces[-1].strip() and pieces[-1] != "\n":
                length -= len(pieces.pop())
            if pieces:
                trimmed = pieces[-1].rstrip(" ")
                length -= len(pieces[-1]) - len(trimmed)
                pieces[-1] = trimmed
            content, content_col = body, first_col + len(code) - len(body)

        content, open_quote = _strip_comment(content, open_quote)
        starts.append(length)
        seg_lines.append(number)
        seg_cols.append(content_col)
        pieces.append(content)
        length += len(content)
        last_code_width = (content_col - first_col) + len(content)

    return LogicalSource(file, "".join(pieces), tuple(starts), tuple(seg_lines), tuple(seg_cols))


def _strip_comment(code: str, quote: str | None) -> tuple[str, str | None]:
    """Cut a ``*>`` comment (outside literals); report the quote of a literal left open at the end."""
    pos = 0
    while True:
        if quote is not None:
            end = code.find(quote, pos)
            if end < 0:
                return code, quote
            pos = end + 1
            if code.startswith(quote, pos):      # doubled quote inside the literal
                pos += 1
                continue
            quote = None
            continue
        m = _QUOTE_OR_COMMENT.search(code, pos)
        if m is None:
            return code, None
        if m.group() == "*>":
            return code[:m.start()], None
        quote = m.group()
        pos = m.end()
