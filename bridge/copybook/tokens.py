"""The logical source stream as COBOL tokens: words, literals, parentheses, periods, ``==``.

Tokens keep the file, line and column where they were written, and whether a space came
before them. PICTURE strings are not special here: ``X(10)`` arrives as ``X`` ``(`` ``10``
``)`` with no space between, and the parser joins adjacent tokens back into the picture.
That keeps COPY REPLACING ``==X(10)== BY ==X(20)==`` a plain token-sequence match.

A period, comma or semicolon ends a word only when a space or the end of a line follows it,
so ``ZZ,ZZ9.99`` and ``1.5`` are single words. ``EJECT`` and ``SKIP1/2/3`` (listing control)
are dropped here, and literals joined with ``&`` become one literal.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bridge.copybook.source import LogicalSource
from bridge.errors import CopybookError

__all__ = ["Token", "tokenize", "WORD", "LITERAL", "PERIOD", "LPAREN", "RPAREN", "PSEUDO"]

WORD = "word"
LITERAL = "literal"
PERIOD = "period"
LPAREN = "lparen"
RPAREN = "rparen"
PSEUDO = "pseudo"            # the == delimiter of pseudo-text

_LISTING_CONTROL = frozenset({"EJECT", "SKIP1", "SKIP2", "SKIP3"})
_SCANNER = re.compile(r"""
    (?P<ws>(?:\s|[,;](?=\s|$))+)
  | (?P<pseudo>==)
  | (?P<lit>(?:[Nn][Xx]|[NnXxGgZzBbUu])?['"])
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<period>\.(?=\s|$))
  | (?P<word>(?:[^\s()'".,;=]|[.,;](?=[^\s.,;'"()=])|=(?!=))+)
""", re.VERBOSE)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str                   # as written (for a literal: its content, quotes removed)
    file: str
    line: int
    column: int
    space_before: bool = True
    prefix: str = ""            # literal prefix: X, N, G, Z, NX, B or ""
    quote: str = ""             # the quote character of a literal

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == WORD else self.text

    def is_word(self, *words: str) -> bool:
        return self.kind == WORD and self.text.upper() in words

    def shown(self) -> str:
        """The token as the programmer wrote it, for messages."""
        if self.kind == LITERAL:
            q = self.quote or "'"
            return f"{self.prefix}{q}{self.text}{q}"
        return self.text

    def moved(self, other: "Token") -> "Token":
        """This token placed where ``other`` was written (COPY REPLACING keeps the member's lines)."""
        return replace(self, file=other.file, line=other.line, column=other.column,
                       space_before=other.space_before)


def tokenize(source: LogicalSource) -> list[Token]:
    """All tokens of a logical source; raises `CopybookError` for an unclosed literal or a stray character."""
    text = source.text
    file = source.file
    starts, lines, cols = source.starts, source.lines, source.columns
    nseg = len(starts)
    seg = 0
    out: list[Token] = []
    pos = 0
    n = len(text)
    space = True
    match = _SCANNER.match

    def where(p: int) -> tuple[int, int]:
        nonlocal seg
        while seg + 1 < nseg and starts[seg + 1] <= p:
            seg += 1
        if nseg == 0:
            return 1, 1
        return lines[seg], cols[seg] + (p - starts[seg])

    while pos < n:
        m = match(text, pos)
        if m is None:
            line, col = where(pos)
            raise CopybookError(f"unexpected character {text[pos]!r}", file=file, line=line, column=col)
        kind = m.lastgroup
        if kind == "ws":
            space = True
            pos = m.end()
            continue
        line, col = where(pos)
        if kind == "lit":
            quote = m.group()[-1]
            prefix = m.group()[:-1].upper()
            body, end = _literal_body(text, m.end(), quote)
            if end < 0:
                raise CopybookError(
                    "this literal is not closed on its line; close it, or continue it on the next "
                    "line with '-' in column 7 and a quote before the rest",
                    file=file, line=line, column=col)
            out.append(Token(LITERAL, body, file, line, col, space, prefix, quote))
            pos = end
        elif kind == "word":
            word = m.group()
            if word.upper() in _LISTING_CONTROL:
                pos = m.end()
                nxt = match(text, pos)
                if nxt is not None and nxt.lastgroup == "period":
                    pos = nxt.end()
                space = True
                continue
            out.append(Token(WORD, word, file, line, col, space))
            pos = m.end()
        else:
            out.append(Token(kind, m.group(), file, line, col, space))
            pos = m.end()
        space = False
    return _join_concatenated(out)


def _literal_body(text: str, pos: int, quote: str) -> tuple[str, int]:
    parts: list[str] = []
    while True:
        end = text.find(quote, pos)
        newline = text.find("\n", pos)
        if end < 0 or (0 <= newline < end):
            return "", -1
        parts.append(text[pos:end])
        if text.startswith(quote, end + 1):
            parts.append(quote)
            pos = end + 2
            continue
        return "".join(parts), end + 1


def _join_concatenated(tokens: list[Token]) -> list[Token]:
    if not any(t.kind == WORD and t.text == "&" for t in tokens):
        return tokens
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if (t.kind == WORD and t.text == "&" and out and out[-1].kind == LITERAL
                and i + 1 < len(tokens) and tokens[i + 1].kind == LITERAL):
            out[-1] = replace(out[-1], text=out[-1].text + tokens[i + 1].text)
            i += 2
            continue
        out.append(t)
        i += 1
    return out
