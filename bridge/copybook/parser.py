"""Tokens to data description entries, and entries to item trees (one per 01 or 77).

Clauses are read in any order and across lines; each may appear once. A word after the
level number is the item's name unless it starts a clause, so data names that are reserved
words elsewhere (COUNT, GROUP, RECORD, DATA) are accepted, and an entry with no name is a
FILLER. Level numbers nest as COBOL says: an item belongs to the nearest preceding item with
a lower level number, and its level must equal that of the siblings before it.

Leniency (warnings, errors under strict): a copybook that starts below level 01 gets a
generated 01 record named after the member, as programs COPY such members under their own
01; a missing period before a level number that starts a new line ends the entry there;
``OCCURS n DEPENDING ON x`` without ``m TO`` is read as ``OCCURS 0 TO n``; COMP-0 is COMP.
Division and section headers and FD/SD entries in a copybook are skipped.
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from bridge.copybook.diagnostics import Diagnostics, error
from bridge.copybook.limits import MAX_DIGITS, MAX_OCCURS, too_many_digits
from bridge.copybook.items import DataItem, Figurative, OccursClause, Reference, SignClause
from bridge.copybook.picture import PictureError, parse_picture
from bridge.copybook.tokens import LITERAL, LPAREN, PERIOD, RPAREN, WORD, Token
from bridge.layout.model import Condition, SourceLocation

__all__ = ["parse_entries", "build_tree"]

USAGES = {
    "DISPLAY": "DISPLAY", "DISPLAY-1": "DISPLAY-1",
    "COMP": "COMP", "COMPUTATIONAL": "COMP", "COMP-4": "COMP", "COMPUTATIONAL-4": "COMP",
    "BINARY": "COMP", "COMP-0": "COMP", "COMPUTATIONAL-0": "COMP",
    "COMP-1": "COMP-1", "COMPUTATIONAL-1": "COMP-1", "COMP-2": "COMP-2", "COMPUTATIONAL-2": "COMP-2",
    "COMP-3": "COMP-3", "COMPUTATIONAL-3": "COMP-3", "PACKED-DECIMAL": "COMP-3",
    "COMP-5": "COMP-5", "COMPUTATIONAL-5": "COMP-5",
    "NATIONAL": "NATIONAL", "POINTER": "POINTER", "PROCEDURE-POINTER": "POINTER",
    "FUNCTION-POINTER": "POINTER", "INDEX": "INDEX",
    # rehosted dialects (Micro Focus, GnuCOBOL, COBOL 2002); the layout pass warns under ibm
    "COMP-X": "COMP-X", "COMPUTATIONAL-X": "COMP-X", "COMP-6": "COMP-6", "COMPUTATIONAL-6": "COMP-6",
    "BINARY-CHAR": "BINARY-CHAR", "BINARY-SHORT": "BINARY-SHORT", "BINARY-LONG": "BINARY-LONG",
    "BINARY-DOUBLE": "BINARY-DOUBLE",
}
_CLAUSE_WORDS = frozenset({
    "PIC", "PICTURE", "USAGE", "OCCURS", "REDEFINES", "SIGN", "LEADING", "TRAILING", "SYNC",
    "SYNCHRONIZED", "JUST", "JUSTIFIED", "BLANK", "VALUE", "VALUES", "EXTERNAL", "GLOBAL", "RENAMES",
    "GROUP-USAGE",
    *USAGES,
})
_FIGURATIVES = {
    "SPACE": "SPACES", "SPACES": "SPACES", "ZERO": "ZEROS", "ZEROS": "ZEROS", "ZEROES": "ZEROS",
    "HIGH-VALUE": "HIGH-VALUES", "HIGH-VALUES": "HIGH-VALUES", "LOW-VALUE": "LOW-VALUES",
    "LOW-VALUES": "LOW-VALUES", "QUOTE": "QUOTES", "QUOTES": "QUOTES", "NULL": "NULLS", "NULLS": "NULLS",
}
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:E[+-]?\d+)?", re.IGNORECASE)
_LEVEL = re.compile(r"\d{1,2}")
_NAME = re.compile(r"[A-Za-z0-9_:#@$-]*[A-Za-z_#@$][A-Za-z0-9_:#@$-]*")
_HEADERS = frozenset({"DIVISION", "SECTION"})
_FILE_ENTRIES = frozenset({"FD", "SD", "RD", "CD"})


def _loc(t: Token) -> SourceLocation:
    return SourceLocation(t.file, t.line, t.column)


class _Cursor:
    """Reads one data description entry."""

    def __init__(self, tokens: list[Token], pos: int, diag: Diagnostics) -> None:
        self.tokens = tokens
        self.pos = pos
        self.diag = diag
        self.last = tokens[pos] if pos < len(tokens) else None

    def peek(self, ahead: int = 0) -> Token | None:
        i = self.pos + ahead
        return self.tokens[i] if i < len(self.tokens) else None

    def take(self) -> Token:
        t = self.peek()
        if t is None:
            raise error("the copybook ends in the middle of a data description entry", _loc(self.last))
        self.pos += 1
        self.last = t
        return t

    def optional(self, *words: str) -> bool:
        t = self.peek()
        if t is not None and t.is_word(*words):
            self.pos += 1
            self.last = t
            return True
        return False

    def at_end_of_entry(self) -> bool:
        t = self.peek()
        if t is None:
            return True
        if t.kind == PERIOD:
            return True
        return self.starts_next_entry(t)

    def starts_next_entry(self, t: Token) -> bool:
        """A level number that starts a new line where a clause was expected: a missing period."""
        prev = self.tokens[self.pos - 1] if self.pos > 0 else None
        if not (t.kind == WORD and _LEVEL.fullmatch(t.text) is not None and _valid_level(int(t.text))
                and prev is not None and (prev.line != t.line or prev.file != t.file)):
            return False
        # "88 X VALUES 1 2<newline> 3 4." continues a value list: a level number is followed by a
        # name, FILLER, a clause or a period, never by another number or THRU.
        after = self.peek(1) if self.peek() is t else None
        if after is None or after.kind == PERIOD:
            return True
        return after.kind == WORD and not _NUMBER.fullmatch(after.text) and not after.is_word("THRU", "THROUGH")


def _valid_level(n: int) -> bool:
    return 1 <= n <= 49 or n in (66, 77, 88)


def parse_entries(tokens: list[Token], diag: Diagnostics) -> list[DataItem]:
    """Every data description entry in order (88s and 66s included, as their own items)."""
    entries: list[DataItem] = []
    i = 0
    n = len(tokens)
    while i < n:
        t = tokens[i]
        if t.kind == PERIOD:
            i += 1
            continue
        if t.kind == WORD and (t.upper in _FILE_ENTRIES or _is_header(tokens, i)):
            while i < n and tokens[i].kind != PERIOD:
                i += 1
            continue
        if t.kind != WORD or not _LEVEL.fullmatch(t.text):
            raise error(f"expected a level number (01-49, 66, 77 or 88) to start a data description "
                        f"entry, found {t.shown()!r}", _loc(t))
        level = int(t.text)
        if not _valid_level(level):
            raise error(f"level number {t.text} is not valid: use 01-49, 66, 77 or 88", _loc(t))
        cur = _Cursor(tokens, i + 1, diag)
        cur.last = t
        item = _entry(cur, level, t)
        entries.append(item)
        i = cur.pos
        nxt = cur.peek()
        if nxt is None:
            if cur.tokens[cur.pos - 1].kind != PERIOD:
                diag.warn(f"the entry for {item.display_name} is not ended by a period", _loc(cur.last))
        elif nxt.kind == PERIOD:
            i += 1
        else:
            diag.warn(f"the entry for {item.display_name} is not ended by a period before level "
                      f"{nxt.text}", _loc(nxt))
    return entries


def _is_header(tokens: list[Token], i: int) -> bool:
    return i + 1 < len(tokens) and tokens[i + 1].is_word(*_HEADERS)


def _entry(cur: _Cursor, level: int, level_token: Token) -> DataItem:
    item = DataItem(level=level, name=None, location=_loc(level_token))
    t = cur.peek()
    if t is not None and not cur.at_end_of_entry():
        if t.kind == WORD and t.upper == "FILLER":
            cur.take()
            item.location = _loc(t)
        elif t.kind == WORD and not _starts_clause(cur):
            if not _NAME.fullmatch(t.text):
                raise error(f"{t.text!r} is not a valid data name", _loc(t))
            cur.take()
            item.name = t.text.upper()
            item.location = _loc(t)
            if ":" in t.text:
                tag = re.search(r":[^:]*:", t.text)
                shown = tag.group(0) if tag else ":"
                cur.diag.warn(f"the data name {t.text} looks like an unreplaced COPY REPLACING tag ({shown}); "
                              f"was the member copied without REPLACING =={shown}== BY ==...==? The name is "
                              "kept as written", _loc(t))
        elif t.kind != WORD:
            raise error(f"expected a data name after level {level_token.text}, found {t.shown()!r}",
                        _loc(t))
    if level == 88:
        _condition_entry(cur, item)
        return item
    if level == 66:
        _renames_entry(cur, item)
        return item
    seen: set[str] = set()
    while not cur.at_end_of_entry():
        _clause(cur, item, seen)
    return item


def _starts_clause(cur: _Cursor) -> bool:
    t = cur.peek()
    word = t.upper
    if word not in _CLAUSE_WORDS:
        return False
    nxt = cur.peek(1)
    # "05 SIGN PIC X." names an item SIGN; the SIGN clause needs IS, LEADING or TRAILING.
    if word == "SIGN":
        return nxt is not None and nxt.is_word("IS", "LEADING", "TRAILING")
    if word == "BLANK":
        return nxt is not None and nxt.is_word("WHEN", "ZERO", "ZEROS", "ZEROES")
    return True


def _once(item: DataItem, seen: set[str], clause: str, t: Token) -> None:
    if clause in seen:
        raise error(f"the {clause} clause appears twice in the description of {item.display_name}",
                    _loc(t))
    seen.add(clause)


def _clause(cur: _Cursor, item: DataItem, seen: set[str]) -> None:
    t = cur.take()
    word = t.upper if t.kind == WORD else ""
    if word == "IS" and cur.peek() is not None and cur.peek().is_word("EXTERNAL", "GLOBAL"):
        t = cur.take()
        word = t.upper
    if word in ("PIC", "PICTURE"):
        _once(item, seen, "PICTURE", t)
        cur.optional("IS")
        _picture(cur, item, t)
    elif word == "USAGE":
        _once(item, seen, "USAGE", t)
        cur.optional("IS")
        u = cur.take()
        if not (u.kind == WORD and u.upper in USAGES):
            raise error(f"{u.shown()!r} is not a USAGE (DISPLAY, COMP, COMP-1, COMP-2, COMP-3, COMP-4, "
                        f"COMP-5, BINARY, PACKED-DECIMAL, NATIONAL, DISPLAY-1, POINTER, INDEX)", _loc(u))
        _usage(cur, item, u)
    elif word in USAGES:
        _once(item, seen, "USAGE", t)
        _usage(cur, item, t)
    elif word == "GROUP-USAGE":
        _once(item, seen, "GROUP-USAGE", t)
        cur.optional("IS")
        u = cur.take()
        if not u.is_word("NATIONAL"):
            raise error(f"GROUP-USAGE must be NATIONAL, found {u.shown()!r}", _loc(u))
        item.group_usage = "NATIONAL"
        item.group_usage_location = _loc(t)
    elif word == "OCCURS":
        _once(item, seen, "OCCURS", t)
        _occurs(cur, item, t)
    elif word == "REDEFINES":
        _once(item, seen, "REDEFINES", t)
        if item.level in (66, 88):
            raise error("REDEFINES is not allowed at level 66 or 88", _loc(t))
        item.redefines = _reference(cur, "REDEFINES")
    elif word in ("SIGN", "LEADING", "TRAILING"):
        _once(item, seen, "SIGN", t)
        if word == "SIGN":
            cur.optional("IS")
            pos = cur.take()
            if not pos.is_word("LEADING", "TRAILING"):
                raise error(f"SIGN must be followed by LEADING or TRAILING, found {pos.shown()!r}",
                            _loc(pos))
            word = pos.upper
        separate = cur.optional("SEPARATE")
        if separate:
            cur.optional("CHARACTER")
        item.sign = SignClause(leading=word == "LEADING", separate=separate, location=_loc(t))
    elif word in ("SYNC", "SYNCHRONIZED"):
        _once(item, seen, "SYNCHRONIZED", t)
        cur.optional("LEFT", "RIGHT")
        item.sync = True
        item.sync_location = _loc(t)
    elif word in ("JUST", "JUSTIFIED"):
        _once(item, seen, "JUSTIFIED", t)
        cur.optional("RIGHT")
        item.justified = True
    elif word == "BLANK":
        _once(item, seen, "BLANK WHEN ZERO", t)
        cur.optional("WHEN")
        z = cur.take()
        if not z.is_word("ZERO", "ZEROS", "ZEROES"):
            raise error(f"BLANK WHEN must be followed by ZERO, found {z.shown()!r}", _loc(z))
        item.blank_when_zero = True
    elif word in ("VALUE", "VALUES"):
        _once(item, seen, "VALUE", t)
        cur.optional("IS", "ARE")
        item.value = _literal(cur)
    elif word == "EXTERNAL":
        _once(item, seen, "EXTERNAL", t)
        item.external = True
    elif word == "GLOBAL":
        _once(item, seen, "GLOBAL", t)
        item.global_ = True
    elif word == "RENAMES":
        raise error(f"RENAMES is only allowed at level 66, not at level {item.level:02d}", _loc(t))
    else:
        raise error(f"unknown clause {t.shown()!r} in the description of {item.display_name}"
                    + (" (is a period missing before it?)" if t.kind == WORD and _LEVEL.fullmatch(t.text)
                       else ""), _loc(t))


def _picture(cur: _Cursor, item: DataItem, keyword: Token) -> None:
    first = cur.peek()
    if first is None or first.kind == PERIOD or cur.starts_next_entry(first):
        raise error(f"PICTURE of {item.display_name} has no character-string", _loc(keyword))
    parts = [cur.take()]
    while True:
        t = cur.peek()
        if t is None or t.space_before or t.kind not in (WORD, LPAREN, RPAREN):
            break
        parts.append(cur.take())
    text = "".join(p.text for p in parts)
    where = _loc(first)
    try:
        item.picture = parse_picture(text)
    except PictureError as exc:
        raise error(f"PICTURE {text} of {item.display_name} is not valid: {exc}",
                    SourceLocation(where.file, where.line, where.column + exc.position)) from None
    item.picture_location = where
    for note in item.picture.notes:
        cur.diag.warn(f"{note} (PICTURE {text} of {item.display_name})", where)


def _usage(cur: _Cursor, item: DataItem, t: Token) -> None:
    word = t.upper
    item.usage = USAGES[word]
    item.usage_written = word
    item.usage_location = _loc(t)
    if word.startswith("BINARY-") and cur.peek() is not None and cur.peek().is_word("SIGNED", "UNSIGNED"):
        written = cur.take().upper
        item.usage_written = f"{word} {written}"
        if written == "UNSIGNED":
            item.usage = f"{item.usage} UNSIGNED"
    if word in ("COMP-0", "COMPUTATIONAL-0"):
        cur.diag.warn(f"USAGE {word} of {item.display_name} is not IBM Enterprise COBOL; it is taken "
                      "as COMP (big-endian binary)", _loc(t))


def _integer(cur: _Cursor, what: str, limit: int) -> int:
    t = cur.take()
    if t.kind != WORD or not t.text.isascii() or not t.text.isdigit():
        raise error(f"{what} must be an unsigned integer, found {_shorten(t.shown())!r}", _loc(t))
    if too_many_digits(t.text) or int(t.text) > limit:
        raise error(f"{what} {_shorten(t.text)} is above the limit of {limit:,}", _loc(t))
    return int(t.text)


def _shorten(text: str) -> str:
    return text if len(text) <= 40 else text[:36] + "..."


def _occurs(cur: _Cursor, item: DataItem, t: Token) -> None:
    first = _integer(cur, "the OCCURS count", MAX_OCCURS)
    has_min = False
    low, high = first, first
    if cur.optional("TO"):
        high = _integer(cur, "the OCCURS maximum", MAX_OCCURS)
        has_min = True
    cur.optional("TIMES")
    depending = None
    keys: list[str] = []
    indexed: list[str] = []
    while not cur.at_end_of_entry():
        nxt = cur.peek()
        if nxt.is_word("DEPENDING"):
            cur.take()
            cur.optional("ON")
            depending = _reference(cur, "DEPENDING ON")
        elif nxt.is_word("ASCENDING", "DESCENDING"):
            cur.take()
            cur.optional("KEY")
            cur.optional("IS")
            while (k := cur.peek()) is not None and k.kind == WORD and not cur.at_end_of_entry() \
                    and not k.is_word("ASCENDING", "DESCENDING", "INDEXED", "DEPENDING") \
                    and not _starts_clause(cur):
                keys.append(_reference(cur, "KEY").names[0])
        elif nxt.is_word("INDEXED"):
            cur.take()
            cur.optional("BY")
            while (k := cur.peek()) is not None and k.kind == WORD and not cur.at_end_of_entry() \
                    and not k.is_word("ASCENDING", "DESCENDING", "DEPENDING") and not _starts_clause(cur):
                indexed.append(cur.take().upper)
        else:
            break
    if has_min and low > high:
        raise error(f"OCCURS {low} TO {high}: the minimum is larger than the maximum", _loc(t))
    if high < 1:
        raise error("an OCCURS table needs a maximum of at least 1", _loc(t))
    if depending is not None and not has_min:
        cur.diag.warn(f"OCCURS {first} DEPENDING ON {depending} has no 'm TO'; it is read as "
                      f"OCCURS 0 TO {first} (the table may be empty)", _loc(t))
        low = 0
    if depending is None and has_min:
        raise error(f"OCCURS {low} TO {high} needs DEPENDING ON the item that holds the count", _loc(t))
    item.occurs = OccursClause(low, high, depending, has_min, tuple(keys), tuple(indexed), _loc(t))


def _reference(cur: _Cursor, what: str) -> Reference:
    t = cur.take()
    if t.kind != WORD or t.upper in ("IS", "ARE") or not _NAME.fullmatch(t.text):
        raise error(f"{what} must be followed by a data name, found {t.shown()!r}", _loc(t))
    names = [t.upper]
    while cur.peek() is not None and cur.peek().is_word("OF", "IN"):
        cur.take()
        q = cur.take()
        if q.kind != WORD:
            raise error(f"expected a data name after OF, found {q.shown()!r}", _loc(q))
        names.append(q.upper)
    return Reference(tuple(names), _loc(t))


def _literal(cur: _Cursor) -> Any:
    t = cur.take()
    if t.kind == LITERAL:
        return _literal_value(t)
    if t.kind == WORD:
        word = t.upper
        if word in _FIGURATIVES:
            return Figurative(_FIGURATIVES[word])
        if word == "ALL":
            lit = cur.take()
            if lit.kind == LITERAL:
                return Figurative("ALL", _literal_value(lit))
            if lit.kind == WORD and lit.upper in _FIGURATIVES:
                return Figurative(_FIGURATIVES[lit.upper])
            raise error(f"ALL must be followed by a literal, found {lit.shown()!r}", _loc(lit))
        if _NUMBER.fullmatch(t.text):
            return _number(t)
    raise error(f"expected a literal or a figurative constant (SPACES, ZEROS, ...), found {t.shown()!r}",
                _loc(t))


def _literal_value(t: Token) -> Any:
    if t.prefix == "X":
        try:
            return bytes.fromhex(t.text)
        except ValueError:
            raise error(f"X'{t.text}' is not a valid hexadecimal literal", _loc(t)) from None
    return t.text


def _number(t: Token) -> int | Decimal:
    text = t.text
    mantissa = re.split(r"[eE]", text, maxsplit=1)[0]
    digits = sum(ch.isdigit() for ch in mantissa.lstrip("+-0."))
    if digits > MAX_DIGITS or len(text) > 2 * MAX_DIGITS:
        raise error(f"the numeric literal {_shorten(text)} has more than {MAX_DIGITS} digits", _loc(t))
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    return Decimal(text)


def _condition_entry(cur: _Cursor, item: DataItem) -> None:
    if item.name is None:
        raise error("a level-88 condition needs a name", item.location)
    t = cur.peek()
    if t is None or not t.is_word("VALUE", "VALUES"):
        raise error(f"the level-88 condition {item.name} needs a VALUE clause", item.location)
    cur.take()
    cur.optional("IS", "ARE")
    values: list[Any] = []
    ranges: list[tuple[Any, Any]] = []
    while not cur.at_end_of_entry():
        if cur.peek().is_word("WHEN"):
            cur.take()
            cur.optional("SET")
            cur.optional("TO")
            cur.optional("FALSE")
            cur.optional("IS")
            _literal(cur)
            continue
        low = _literal(cur)
        if cur.optional("THRU", "THROUGH"):
            ranges.append((low, _literal(cur)))
        else:
            values.append(low)
    if not values and not ranges:
        raise error(f"the VALUE clause of condition {item.name} lists no value", item.location)
    item.conditions.append(Condition(item.name, tuple(values), tuple(ranges)))


def _renames_entry(cur: _Cursor, item: DataItem) -> None:
    if item.name is None:
        raise error("a level-66 RENAMES entry needs a name", item.location)
    t = cur.peek()
    if t is None or not t.is_word("RENAMES"):
        raise error(f"level 66 {item.name} needs a RENAMES clause", item.location)
    cur.take()
    first = _reference(cur, "RENAMES")
    last = None
    if cur.optional("THRU", "THROUGH"):
        last = _reference(cur, "THRU")
    if not cur.at_end_of_entry():
        nxt = cur.peek()
        raise error(f"unexpected {nxt.shown()!r} after the RENAMES clause of {item.name}", _loc(nxt))
    item.renames = (first, last)


def build_tree(entries: list[DataItem], diag: Diagnostics, *, member: str) -> tuple[list[DataItem], list[DataItem]]:
    """The 01 records and 77 items, with subordinates, 88s and 66s attached where they belong."""
    records: list[DataItem] = []
    level77: list[DataItem] = []
    stack: list[DataItem] = []
    last: DataItem | None = None
    for item in entries:
        if item.level == 88:
            if last is None:
                raise error(f"the condition {item.name} (level 88) does not follow a data item", item.location)
            last.conditions.extend(item.conditions)
            continue
        if item.level == 66:
            if not records or not stack or stack[0] is not records[-1]:
                raise error(f"level 66 {item.name} must follow the 01 record whose items it renames",
                            item.location)
            records[-1].renames_items.append(item)
            last = item
            continue
        if item.level in (1, 77):
            stack = [item]
            (records if item.level == 1 else level77).append(item)
            last = item
            continue
        if not stack:
            root = DataItem(level=1, name=_record_name(member), location=item.location)
            diag.warn(f"the copybook starts at level {item.level:02d} without an 01 record; its items "
                      f"are placed under a generated 01 {root.name}", item.location)
            records.append(root)
            stack = [root]
        if stack[0].level == 77:
            raise error(f"level 77 {stack[0].display_name} is elementary and cannot have subordinate "
                        f"items (level {item.level:02d} {item.display_name})", item.location)
        while stack and stack[-1].level >= item.level:
            stack.pop()
        if not stack:
            raise error(f"level {item.level:02d} {item.display_name} does not fit under any item",
                        item.location)
        parent = stack[-1]
        if parent.children and parent.children[0].level != item.level:
            sib = parent.children[0]
            raise error(f"level {item.level:02d} {item.display_name} does not nest: it is below "
                        f"{parent.level:02d} {parent.display_name} but its siblings there are at level "
                        f"{sib.level:02d} (such as {sib.display_name})", item.location)
        if parent.picture is not None:
            raise error(f"{parent.display_name} has a PICTURE, so it is elementary and cannot have "
                        f"subordinate items (level {item.level:02d} {item.display_name})", item.location)
        parent.children.append(item)
        stack.append(item)
        last = item
    return records, level77


def _record_name(member: str) -> str:
    stem = member.replace("\\", "/").rsplit("/", 1)[-1].split(".", 1)[0]
    stem = re.sub(r"[^A-Za-z0-9-]", "-", stem).strip("-").upper()
    return stem or "COPYBOOK"
