"""COPY statements: find the member on the search path, expand it, apply REPLACING.

Expansion works on tokens, after each file has been read in its own source format, so a
free-format member can sit in a fixed-format copybook. REPLACING follows IBM's rules for
whole text words (``==a b== BY ==c==`` matches the token sequence, case-insensitively for
words), plus the two partial-word forms real copybooks use:

* ``LEADING ==X-== BY ==Y-==`` / ``TRAILING ...`` replace part of a word, and
* a tag written between colons (``==:TAG:== BY ==CUST==``) is replaced wherever it appears
  inside a word, as IBM's colon separator makes ``:TAG:-NAME`` become ``CUST-NAME``.

After replacement, words left touching each other (``(PFX)-NAME`` with ``==(PFX)==`` replaced)
are joined into one word. Nested COPY statements are expanded before the outer REPLACING.

A member is looked up in the including file's directory first, then in each ``-I`` directory
in order, as written, upper case and lower case, with the suffixes real libraries use.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from bridge.copybook.limits import MAX_COPY_DEPTH, MAX_COPY_INCLUSIONS, MAX_EXPANDED_TOKENS
from bridge.copybook.tokens import LITERAL, PERIOD, PSEUDO, WORD, Token
from bridge.errors import CopybookError

__all__ = ["expand_copies", "find_member", "replace_statements"]

SUFFIXES = ("", ".cpy", ".CPY", ".cbl", ".CBL", ".cob", ".COB", ".copy", ".COPY", ".txt")


@dataclass(frozen=True, slots=True)
class _Replacement:
    before: tuple[Token, ...]
    after: tuple[Token, ...]
    mode: str = "whole"         # whole | leading | trailing | tag


@dataclass(slots=True)
class _Inclusions:
    """One compile's COPY statements: how many were expanded, and where each member was found."""

    count: int = 0
    found: dict[tuple[str, tuple[Path, ...]], tuple[Path | None, str]] = field(default_factory=dict)


def find_member(name: str, dirs: list[Path]) -> Path | None:
    """The file a COPY member name refers to, or None."""
    candidates = [name] if ("/" in name or "\\" in name or "." in name) else []
    base = [name, name.upper(), name.lower()]
    for d in dirs:
        for c in candidates:
            p = d / c
            if p.is_file():
                return p
        for b in dict.fromkeys(base):
            for s in SUFFIXES:
                p = d / (b + s)
                if p.is_file():
                    return p
    return None


def expand_copies(tokens: list[Token], *, file: str, include_dirs: tuple[Path, ...],
                  load: Callable[[Path], list[Token]], chain: tuple[str, ...] = (),
                  included: _Inclusions | None = None,
                  notice: Callable[[str, Token], None] | None = None) -> list[Token]:
    """Tokens with every COPY statement replaced by its member's (expanded, replaced) tokens.

    ``++INCLUDE member`` (Panvalet) and ``-INC member`` (Librarian) are expanded as ``COPY member.``;
    ``notice`` (if given) is told about each, for the dialects that do not define them.
    """
    if not any(t.kind == WORD and t.upper in _INCLUDES for t in tokens):
        return tokens
    if included is None:
        included = _Inclusions()
    out: list[Token] = []
    i = 0
    n = len(tokens)
    while i < n:
        t = tokens[i]
        if t.is_word("++INCLUDE", "-INC"):
            i, member = _include_statement(tokens, i)
            replacements: list[_Replacement] = []
            if notice is not None:
                notice(f"{t.upper} {member.text} is a library manager's include (Panvalet ++INCLUDE, "
                       f"Librarian -INC), not IBM Enterprise COBOL; it is expanded as COPY {member.text}", t)
        elif t.is_word("COPY"):
            i, member, replacements = _copy_statement(tokens, i)
        else:
            out.append(t)
            i += 1
            continue
        here = Path(file).parent if file and not file.startswith("<") else Path.cwd()
        dirs = [here, *include_dirs]
        look_up = (member.text, tuple(dirs))
        if look_up not in included.found:
            path = find_member(member.text, dirs)
            included.found[look_up] = (path, str(path.resolve()) if path is not None else "")
        path, key = included.found[look_up]
        if path is None:
            searched = ", ".join(str(d) for d in dict.fromkeys(dirs))
            raise CopybookError(
                f"COPY member {member.text} not found (searched {searched}); add its library with -I DIR",
                file=member.file, line=member.line, column=member.column)
        if len(chain) >= MAX_COPY_DEPTH:
            raise CopybookError(f"COPY {member.text} is nested more than {MAX_COPY_DEPTH} members deep",
                                file=member.file, line=member.line, column=member.column)
        included.count += 1
        if included.count > MAX_COPY_INCLUSIONS:
            raise CopybookError(f"COPY {member.text} is one COPY too many: the copybook includes more than "
                                f"{MAX_COPY_INCLUSIONS:,} members in all; is a member copied many times over?",
                                file=member.file, line=member.line, column=member.column)
        if key in chain:
            names = " -> ".join([*(Path(c).name for c in chain[chain.index(key):]), path.name])
            raise CopybookError(f"COPY {member.text} includes itself ({names})",
                                file=member.file, line=member.line, column=member.column)
        inner = expand_copies(load(path), file=str(path), include_dirs=include_dirs, load=load,
                              chain=(*chain, key), included=included, notice=notice)
        out.extend(_apply(inner, replacements) if replacements else inner)
        if len(out) > MAX_EXPANDED_TOKENS:
            raise CopybookError(f"COPY {member.text} expands the copybook beyond {MAX_EXPANDED_TOKENS:,} "
                                "words; is a member copied many times over?",
                                file=member.file, line=member.line, column=member.column)
    return out


_INCLUDES = frozenset({"COPY", "++INCLUDE", "-INC"})


def _include_statement(tokens: list[Token], i: int) -> tuple[int, Token]:
    """``++INCLUDE member`` / ``-INC member``: no REPLACING, the period optional."""
    stmt = tokens[i]
    if i + 1 >= len(tokens) or tokens[i + 1].kind != WORD or tokens[i + 1].line != stmt.line:
        raise CopybookError(f"{stmt.upper} must be followed by the member name on the same line",
                            file=stmt.file, line=stmt.line, column=stmt.column)
    member = tokens[i + 1]
    i += 2
    if i < len(tokens) and tokens[i].kind == PERIOD and tokens[i].line == member.line:
        i += 1
    return i, member


def _copy_statement(tokens: list[Token], i: int) -> tuple[int, Token, list[_Replacement]]:
    copy = tokens[i]
    i += 1
    if i >= len(tokens) or tokens[i].kind not in (WORD, LITERAL):
        raise CopybookError("COPY must be followed by the member name", file=copy.file, line=copy.line,
                            column=copy.column)
    member = tokens[i]
    i += 1
    if i < len(tokens) and tokens[i].is_word("OF", "IN"):
        i += 2                       # the library name: members are found on the search path
    if i < len(tokens) and tokens[i].is_word("SUPPRESS"):
        i += 1
    replacements: list[_Replacement] = []
    if i < len(tokens) and tokens[i].is_word("REPLACING"):
        i, replacements = _operands(tokens, i + 1, copy, "COPY ... REPLACING")
    if i >= len(tokens) or tokens[i].kind != PERIOD:
        raise CopybookError(f"the COPY {member.text} statement must end with a period",
                            file=copy.file, line=copy.line, column=copy.column)
    return i + 1, member, replacements


def _operands(tokens: list[Token], i: int, stmt: Token, what: str) -> tuple[int, list[_Replacement]]:
    """The ``[LEADING|TRAILING] a BY b ...`` pairs of COPY REPLACING or REPLACE, up to the period."""
    replacements: list[_Replacement] = []
    while i < len(tokens) and tokens[i].kind != PERIOD:
        mode = "whole"
        if tokens[i].is_word("LEADING", "TRAILING"):
            mode = tokens[i].upper.lower()
            i += 1
        i, before = _operand(tokens, i, stmt, what)
        if i >= len(tokens) or not tokens[i].is_word("BY"):
            raise CopybookError(f"{what} needs BY between the two operands",
                                file=stmt.file, line=stmt.line, column=stmt.column)
        i, after = _operand(tokens, i + 1, stmt, what)
        if not before:
            raise CopybookError(f"the text to replace in {what} is empty",
                                file=stmt.file, line=stmt.line, column=stmt.column)
        if mode == "whole" and len(before) == 1 and before[0].kind == WORD:
            w = before[0].text
            if len(w) > 2 and w.startswith(":") and w.endswith(":"):
                mode = "tag"
        replacements.append(_Replacement(tuple(before), tuple(after), mode))
    return i, replacements


def replace_statements(tokens: list[Token]) -> list[Token]:
    """Tokens with the REPLACE statements applied and removed (after COPY expansion, as COBOL does).

    ``REPLACE a BY b ... .`` replaces in the text that follows it, up to the next REPLACE;
    ``REPLACE OFF.`` stops replacing.
    """
    if not any(t.kind == WORD and t.upper == "REPLACE" for t in tokens):
        return tokens
    out: list[Token] = []
    active: list[_Replacement] = []
    segment: list[Token] = []
    i, n = 0, len(tokens)
    while i < n:
        t = tokens[i]
        if not t.is_word("REPLACE"):
            segment.append(t)
            i += 1
            continue
        out.extend(_apply(segment, active) if active else segment)
        segment = []
        if i + 1 < n and tokens[i + 1].is_word("OFF"):
            active, i = [], i + 2
        else:
            i, active = _operands(tokens, i + 1, t, "REPLACE")
            if not active:
                raise CopybookError("REPLACE needs text to replace (REPLACE ==a== BY ==b==.) or OFF",
                                    file=t.file, line=t.line, column=t.column)
        if i >= n or tokens[i].kind != PERIOD:
            raise CopybookError("the REPLACE statement must end with a period", file=t.file, line=t.line,
                                column=t.column)
        i += 1
    out.extend(_apply(segment, active) if active else segment)
    return out


def _operand(tokens: list[Token], i: int, copy: Token, what: str) -> tuple[int, list[Token]]:
    if i >= len(tokens):
        raise CopybookError(f"{what} ends before its operand", file=copy.file,
                            line=copy.line, column=copy.column)
    t = tokens[i]
    if t.kind == PSEUDO:
        j = i + 1
        while j < len(tokens) and tokens[j].kind != PSEUDO:
            j += 1
        if j >= len(tokens):
            raise CopybookError("pseudo-text opened with == is not closed", file=t.file, line=t.line,
                                column=t.column)
        return j + 1, tokens[i + 1:j]
    if t.kind in (WORD, LITERAL):
        return i + 1, [t]
    raise CopybookError(f"{what} cannot use {t.shown()!r} as an operand", file=t.file,
                        line=t.line, column=t.column)


def _same(a: Token, b: Token) -> bool:
    if a.kind != b.kind:
        return False
    if a.kind == WORD:
        return a.text.upper() == b.text.upper()
    if a.kind == LITERAL:
        return a.text == b.text and a.prefix == b.prefix
    return True


def _apply(tokens: list[Token], replacements: list[_Replacement]) -> list[Token]:
    out: list[Token] = []
    i = 0
    n = len(tokens)
    changed = False
    while i < n:
        t = tokens[i]
        for r in replacements:
            if r.mode == "whole":
                k = len(r.before)
                if i + k <= n and all(_same(tokens[i + j], r.before[j]) for j in range(k)):
                    out.extend(a.moved(t) if j == 0 else replace(a, file=t.file, line=t.line,
                                                                   column=t.column)
                               for j, a in enumerate(r.after))
                    i += k
                    changed = True
                    break
            elif t.kind == WORD:
                new = _partial(t.text, r)
                if new is not None:
                    if new:
                        out.append(replace(t, text=new))
                    i += 1
                    changed = True
                    break
        else:
            out.append(t)
            i += 1
    return _join_touching_words(out) if changed else out


def _partial(word: str, r: _Replacement) -> str | None:
    old = "".join(x.text for x in r.before)
    new = "".join(x.text for x in r.after)
    upper, key = word.upper(), old.upper()
    if r.mode == "leading" and upper.startswith(key):
        return new + word[len(old):]
    if r.mode == "trailing" and upper.endswith(key):
        return word[:len(word) - len(old)] + new
    if r.mode == "tag" and key in upper:
        out, pos = [], 0
        while True:
            j = upper.find(key, pos)
            if j < 0:
                break
            out.append(word[pos:j])
            out.append(new)
            pos = j + len(key)
        out.append(word[pos:])
        return "".join(out)
    return None


def _join_touching_words(tokens: list[Token]) -> list[Token]:
    out: list[Token] = []
    for t in tokens:
        if t.kind == WORD and not t.space_before and out and out[-1].kind == WORD:
            out[-1] = replace(out[-1], text=out[-1].text + t.text)
        else:
            out.append(t)
    return out
