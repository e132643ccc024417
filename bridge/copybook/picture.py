"""PICTURE character-strings: category, digits, scale, sign and display length.

A picture is read on its own, without the USAGE that goes with it; the storage size is the
layout pass's business (`bridge.copybook.compute`), because it depends on USAGE and the dialect.
The string is read once into runs of one symbol with their repeat counts added up, and every
rule works on the runs, so ``9(3)V9(2)`` and ``999V99`` are the same picture and the work is
linear in the text, never in the repeat counts (``X(999999999)`` is one run). Counts are held
to `bridge.copybook.limits` before they are converted.

Decisions where the standard leaves room:

* ``P`` takes no storage and no display position; ``digits`` excludes it and ``scale`` counts
  it (``9(3)PPP`` has scale -3, ``PPP99`` scale 5, ``VPP99`` scale 4), as the layout model says.
* ``S`` anywhere in a numeric-edited picture is accepted with a warning (Cobrix corpus
  copybooks carry it); it makes the item signed and takes no display position.
* A floating insertion string (``$$$9``, ``---9``, ``+++9``) counts one digit position fewer
  than its length: its first symbol only ever holds the sign or currency sign.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from enum import Enum

from bridge.copybook.limits import IBM_PICTURE_CHARACTERS, MAX_EDITED_POSITIONS, MAX_REPEAT, too_many_digits

__all__ = ["Category", "Picture", "PictureError", "parse_picture"]

_CURRENCY = "$£€¥"
_REPEAT = re.compile(r"\((\d*)\)")


class Category(str, Enum):
    """The PICTURE category, which together with USAGE decides the item's kind."""

    ALPHABETIC = "alphabetic"
    ALPHANUMERIC = "alphanumeric"
    NUMERIC = "numeric"
    NUMERIC_EDITED = "numeric-edited"
    ALPHANUMERIC_EDITED = "alphanumeric-edited"
    NATIONAL = "national"
    DBCS = "dbcs"


class PictureError(ValueError):
    """A PICTURE string that is not valid; ``position`` is the 0-based index in the string."""

    def __init__(self, message: str, position: int = 0) -> None:
        super().__init__(message)
        self.position = position


@dataclass(frozen=True, slots=True)
class Picture:
    """What a PICTURE string says, independent of USAGE."""

    text: str                 # as written (upper-cased)
    category: Category
    size: int                 # character positions (display length; for N/G, characters)
    digits: int = 0           # digit positions taking storage (P excluded)
    scale: int = 0            # power of ten the stored integer is divided by
    signed: bool = False
    edit_mask: str | None = None   # expanded picture of an edited item
    notes: tuple[str, ...] = ()    # leniency the caller turns into warnings


@dataclass(frozen=True, slots=True)
class _Run:
    """``count`` copies of one symbol, the first written at 0-based ``position``."""

    symbol: str
    count: int
    position: int


@lru_cache(maxsize=4096)
def parse_picture(text: str) -> Picture:
    """Parse a PICTURE character-string; raises `PictureError` with a readable reason.

    Linear in the length of the string whatever its repeat counts: ``X(999999999)`` is one run,
    never expanded; only edited pictures are expanded, after their length is held to
    `limits.MAX_EDITED_POSITIONS`.
    """
    pic = text.upper()
    if not pic:
        raise PictureError("the PICTURE string is empty")
    runs = _runs(pic)
    out = _categorise(pic, runs)
    if len(pic) > IBM_PICTURE_CHARACTERS:
        note = (f"the PICTURE character-string has {len(pic)} characters, more than IBM's limit of "
                f"{IBM_PICTURE_CHARACTERS}")
        out = replace(out, notes=(*out.notes, note))
    return out


def _categorise(pic: str, runs: list[_Run]) -> Picture:
    kinds = {r.symbol for r in runs}
    size = sum(r.count for r in runs)
    if kinds <= {"A"}:
        return Picture(pic, Category.ALPHABETIC, size)
    if kinds <= {"A", "X", "9"} and (kinds & {"A", "X"}):
        return Picture(pic, Category.ALPHANUMERIC, size)
    if kinds <= {"N"}:
        return Picture(pic, Category.NATIONAL, size)
    if kinds <= {"G", "B"} and "G" in kinds:
        return Picture(pic, Category.DBCS, size)
    if kinds <= {"9", "S", "V", "P"}:
        return _numeric(pic, runs)
    edited = _expand(pic, runs, size)
    if kinds <= {"N", "B", "0", "/"} and "N" in kinds:
        return Picture(pic, Category.NATIONAL, size, edit_mask="".join(edited))
    if kinds <= {"A", "X", "9", "B", "0", "/"} and kinds & {"A", "X"}:
        return Picture(pic, Category.ALPHANUMERIC_EDITED, size, edit_mask="".join(edited))
    return _numeric_edited(pic, edited)


def _runs(pic: str) -> list[_Run]:
    """The picture as runs of one symbol, repeat counts added up, CR/DB kept as one symbol."""
    runs: list[_Run] = []
    i = 0
    n = len(pic)
    while i < n:
        ch = pic[i]
        if ch == "(":
            m = _REPEAT.match(pic, i)
            if not m:
                raise PictureError(f"the repeat count at position {i + 1} is not closed with ')'", i)
            if not runs:
                raise PictureError("a repeat count must follow a PICTURE symbol", i)
            written = m.group(1)
            if not written:
                raise PictureError(f"the repeat count at position {i + 1} is empty", i)
            if too_many_digits(written) or int(written) > MAX_REPEAT:
                shown = written if len(written) <= 24 else written[:20] + "..."
                raise PictureError(f"the repeat count ({shown}) at position {i + 1} is above the limit of "
                                   f"{MAX_REPEAT:,}", i)
            count = int(written)
            if count < 1:
                raise PictureError(f"the repeat count ({count}) at position {i + 1} must be at least 1", i)
            last = runs[-1]
            if last.symbol in ("CR", "DB"):
                raise PictureError(f"{last.symbol} cannot be repeated", i)
            runs[-1] = _Run(last.symbol, last.count + count - 1, last.position)
            i = m.end()
            continue
        if pic.startswith(("CR", "DB"), i):
            symbol, width = pic[i:i + 2], 2
        elif ch in "AXN9GSVPZ*+-.,B0/" or ch in _CURRENCY:
            symbol, width = ch, 1
        else:
            raise PictureError(f"'{ch}' is not a PICTURE symbol", i)
        if runs and runs[-1].symbol == symbol:
            runs[-1] = _Run(symbol, runs[-1].count + 1, runs[-1].position)
        else:
            runs.append(_Run(symbol, 1, i))
        i += width
    return runs


def _expand(pic: str, runs: list[_Run], size: int) -> list[str]:
    """The symbols of an edited picture, one per position (bounded by MAX_EDITED_POSITIONS first)."""
    if size > MAX_EDITED_POSITIONS:
        raise PictureError(f"an edited PICTURE may have at most {MAX_EDITED_POSITIONS:,} character "
                           f"positions; this one has {size:,}", 0)
    symbols: list[str] = []
    for r in runs:
        symbols.extend([r.symbol] * r.count)
    return symbols


def _numeric(pic: str, runs: list[_Run]) -> Picture:
    s_runs = [r for r in runs if r.symbol == "S"]
    if sum(r.count for r in s_runs) > 1 or (s_runs and runs[0].symbol != "S"):
        raise PictureError("S must appear once, as the first symbol", pic.find("S", 1))
    if sum(r.count for r in runs if r.symbol == "V") > 1:
        raise PictureError("V (the assumed decimal point) may appear only once", pic.rfind("V"))
    body = [r for r in runs if r.symbol != "S"]
    positions = [r for r in body if r.symbol != "V"]
    digits = sum(r.count for r in positions if r.symbol == "9")
    if digits == 0:
        raise PictureError("a numeric PICTURE needs at least one 9")
    shape = [r.symbol for r in positions]
    shape = [s for k, s in enumerate(shape) if k == 0 or shape[k - 1] != s]   # runs split by a V
    if "P" in shape and shape not in (["P", "9"], ["9", "P"]):
        raise PictureError("P (decimal scaling) may appear only at the left or the right end of the digits",
                           pic.find("P"))
    scale = _scale(body)
    return Picture(pic, Category.NUMERIC, sum(r.count for r in positions), digits=digits, scale=scale,
                   signed=runs[0].symbol == "S")


def _scale(body: list[_Run]) -> int:
    """Digit positions right of the decimal point, P positions left of it counting negative."""
    symbols = [r.symbol for r in body]
    if "V" in symbols:
        point = symbols.index("V")
    elif body and body[0].symbol == "P":
        point = 0                    # PPP99: the point sits before the P's
    else:
        point = len(body)            # 999PPP: the point sits after the P's
    right = sum(r.count for r in body[point:] if r.symbol in "9P")
    left_p = sum(r.count for r in body[:point] if r.symbol == "P")
    return right - left_p


def _numeric_edited(pic: str, symbols: list[str]) -> Picture:
    notes: list[str] = []
    bad = [s for s in symbols if s in ("A", "X", "N", "G")]
    if bad:
        raise PictureError(f"'{bad[0]}' cannot be mixed with numeric editing symbols", pic.find(bad[0]))
    if "S" in symbols:
        notes.append("S in a numeric-edited PICTURE is not standard; the item is taken as signed")
    if symbols.count("V") + symbols.count(".") > 1:
        raise PictureError("a PICTURE may have only one decimal point ('.' or V)",
                           max(pic.rfind("."), pic.rfind("V")))
    for sign in ("CR", "DB"):
        if sign in symbols and symbols.index(sign) != len(symbols) - 1:
            raise PictureError(f"{sign} must be the last symbol of the PICTURE", pic.find(sign))
    if "CR" in symbols and "DB" in symbols:
        raise PictureError("CR and DB cannot both appear", pic.find("DB"))
    digit_positions = 0
    scale = 0
    after_point = False
    floating = {c: symbols.count(c) for c in ("+", "-") + tuple(_CURRENCY) if symbols.count(c) >= 2}
    seen_float: set[str] = set()
    for s in symbols:
        if s in (".", "V"):
            after_point = True
            continue
        digit = False
        if s in ("9", "Z", "*"):
            digit = True
        elif s in floating:
            if s in seen_float:
                digit = True
            seen_float.add(s)
        if digit:
            digit_positions += 1
            if after_point:
                scale += 1
    p_count = symbols.count("P")
    if p_count:
        scale = scale - p_count if not after_point else scale + p_count
    if digit_positions == 0 and not any(s in symbols for s in ("Z", "*")):
        raise PictureError("a numeric-edited PICTURE needs at least one digit position (9, Z, * or a "
                           "floating string)")
    size = sum(2 if s in ("CR", "DB") else 1 for s in symbols if s not in ("V", "S", "P"))
    signed = any(s in symbols for s in ("+", "-", "CR", "DB", "S"))
    return Picture(pic, Category.NUMERIC_EDITED, size, digits=digit_positions, scale=scale,
                   signed=signed, edit_mask="".join(s for s in symbols if s != "S"),
                   notes=tuple(notes))
