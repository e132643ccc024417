"""PICTURE character-strings: category, digits, scale, sign and display length.

A picture is read on its own, without the USAGE that goes with it; the storage size is the
layout pass's business (`bridge.copybook.compute`), because it depends on USAGE and the dialect.
Repeat counts are expanded once into the ``symbols`` list and every rule works on that list,
so ``9(3)V9(2)`` and ``999V99`` are the same picture.

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
from dataclasses import dataclass
from functools import lru_cache
from enum import Enum

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


@lru_cache(maxsize=4096)
def parse_picture(text: str) -> Picture:
    """Parse a PICTURE character-string; raises `PictureError` with a readable reason."""
    pic = text.upper()
    if not pic:
        raise PictureError("the PICTURE string is empty")
    symbols = _expand(pic)
    kinds = set(symbols)
    if kinds <= {"A"}:
        return Picture(pic, Category.ALPHABETIC, len(symbols))
    if kinds <= {"A", "X", "9"} and (kinds & {"A", "X"}):
        return Picture(pic, Category.ALPHANUMERIC, len(symbols))
    if kinds <= {"N"}:
        return Picture(pic, Category.NATIONAL, len(symbols))
    if kinds <= {"N", "B", "0", "/"} and "N" in kinds:
        return Picture(pic, Category.NATIONAL, len(symbols), edit_mask="".join(symbols))
    if kinds <= {"G", "B"} and "G" in kinds:
        return Picture(pic, Category.DBCS, len(symbols))
    if kinds <= {"9", "S", "V", "P"}:
        return _numeric(pic, symbols)
    if kinds <= {"A", "X", "9", "B", "0", "/"} and kinds & {"A", "X"}:
        return Picture(pic, Category.ALPHANUMERIC_EDITED, len(symbols), edit_mask="".join(symbols))
    return _numeric_edited(pic, symbols)


def _expand(pic: str) -> list[str]:
    """The picture as a list of symbols, repeat counts expanded, CR/DB kept as one symbol."""
    symbols: list[str] = []
    i = 0
    n = len(pic)
    while i < n:
        ch = pic[i]
        if ch == "(":
            m = _REPEAT.match(pic, i)
            if not m:
                raise PictureError(f"the repeat count at position {i + 1} is not closed with ')'", i)
            if not symbols:
                raise PictureError("a repeat count must follow a PICTURE symbol", i)
            if not m.group(1):
                raise PictureError(f"the repeat count at position {i + 1} is empty", i)
            count = int(m.group(1))
            if count < 1:
                raise PictureError(f"the repeat count ({count}) at position {i + 1} must be at least 1", i)
            last = symbols[-1]
            if last in ("CR", "DB"):
                raise PictureError(f"{last} cannot be repeated", i)
            symbols.extend([last] * (count - 1))
            i = m.end()
            continue
        if pic.startswith(("CR", "DB"), i):
            symbols.append(pic[i:i + 2])
            i += 2
            continue
        if ch in "AXN9GSVPZ*+-.,B0/" or ch in _CURRENCY:
            symbols.append(ch)
            i += 1
            continue
        raise PictureError(f"'{ch}' is not a PICTURE symbol", i)
    return symbols


def _numeric(pic: str, symbols: list[str]) -> Picture:
    if symbols.count("S") > 1 or ("S" in symbols and symbols[0] != "S"):
        raise PictureError("S must appear once, as the first symbol", pic.find("S", 1))
    if symbols.count("V") > 1:
        raise PictureError("V (the assumed decimal point) may appear only once", pic.rfind("V"))
    body = [s for s in symbols if s != "S"]
    positions = [s for s in body if s != "V"]
    digits = positions.count("9")
    if digits == 0:
        raise PictureError("a numeric PICTURE needs at least one 9")
    p_runs = "".join("P" if s == "P" else "9" for s in positions)
    if "P" in p_runs and not re.fullmatch(r"P+9+|9+P+", p_runs):
        raise PictureError("P (decimal scaling) may appear only at the left or the right end of the digits",
                           pic.find("P"))
    scale = _scale(body)
    return Picture(pic, Category.NUMERIC, len(positions), digits=digits, scale=scale,
                   signed=symbols[0] == "S")


def _scale(body: list[str]) -> int:
    """Digit positions right of the decimal point, P positions left of it counting negative."""
    if "V" in body:
        point = body.index("V")
    elif body and body[0] == "P":
        point = 0                    # PPP99: the point sits before the P's
    else:
        point = len(body)            # 999PPP: the point sits after the P's
    right = [s for s in body[point:] if s in "9P"]
    left_p = sum(1 for s in body[:point] if s == "P")
    return len(right) - left_p


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
