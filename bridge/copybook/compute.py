"""Parsed item trees to the immutable layout: storage sizes, offsets, SYNC slack, REDEFINES, OCCURS/ODO.

The layout is built in named passes over the parsed items (`bridge.copybook.items`):

1. *storage*: the kind, usage, digits and byte length of every elementary item, from its
   PICTURE and the USAGE, SIGN and SYNC it has or inherits from its groups, by dialect;
2. *placement*: offsets from the 01 start, every table full. SYNC slack goes right before the
   synchronized item and belongs to its group; a table whose element holds SYNC items gets
   slack at the end of each occurrence so every occurrence stays aligned (IBM's rule);
   a REDEFINES area is as large as its largest view; an item or table above IBM's size limit
   (`bridge.copybook.limits`) is refused here, before its parent multiplies it further;
3. *checks*: REDEFINES, OCCURS DEPENDING ON objects and 66 RENAMES ranges;
4. *freezing*: `Field`s with paths, dims and conditions, and one `Record` per 01.

Sizes follow IBM Enterprise COBOL. The dialect changes binary sizes only (and SYNC
boundaries with them): IBM 2/4/8 bytes for 1-4/5-9/10-18 digits, GnuCOBOL 1/2/4/8 for
1-2/3-4/5-9/10-18, Micro Focus the fewest bytes that hold the digits. Under non-IBM dialects
a SYNC binary item aligns on its own size. The rehosted usages keep the sizes of the compilers
that define them whatever the dialect (COMP-X Micro Focus's, COMP-6 and BINARY-CHAR/SHORT/
LONG/DOUBLE GnuCOBOL's, measured with cobc -std=mf); under ibm they are a warning.

Items after an ODO table (variably located) get the offset they have with every table full
and ``variable_offset=True``. `bridge.layout.resolve.resolve_counts` moves them for actual
counts; SYNC slack is kept as computed for full tables, because slack is fixed when the
program is compiled. An ODO object may lie inside the element of an enclosing table (nested
OCCURS DEPENDING ON, the inner count read once per element): then elements differ in size,
and `bridge.records.nested_odo` places each record's items by walking its counts.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from bridge.copybook.diagnostics import Diagnostics, error
from bridge.copybook.items import DataItem, Reference, SignClause
from bridge.copybook.limits import (
    IBM_BINARY_DIGITS,
    IBM_DECIMAL_DIGITS,
    IBM_EDITED_POSITIONS,
    MAX_BINARY_DIGITS,
    MAX_DIGITS,
    MAX_ITEM_BYTES,
)
from bridge.copybook.picture import Category
from bridge.layout.model import Dialect, Dim, Field, Kind, Layout, Occurs, Record, SourceLocation
from bridge.layout.resolve import record_sizes

__all__ = ["binary_length", "compute_layout"]

# Micro Focus: the fewest bytes that hold the digits, with or without a sign bit
# (checked against cobc -std=mf: 9(7) COMP is 3 bytes, S9(7) COMP 4)
_MICROFOCUS_SIGNED = ((2, 1), (4, 2), (6, 3), (9, 4), (11, 5), (14, 6), (16, 7), (18, 8))
_MICROFOCUS_UNSIGNED = ((2, 1), (4, 2), (7, 3), (9, 4), (12, 5), (14, 6), (16, 7), (18, 8))


def binary_length(digits: int, dialect: Dialect, signed: bool = True) -> int:
    """Bytes of a binary (COMP/COMP-4/COMP-5/BINARY) item of ``digits`` digits."""
    if digits > 18:
        return math.ceil((digits * math.log2(10) + 1) / 8)
    if dialect is Dialect.GNUCOBOL:
        return 1 if digits <= 2 else 2 if digits <= 4 else 4 if digits <= 9 else 8
    if dialect is Dialect.MICROFOCUS:
        table = _MICROFOCUS_SIGNED if signed else _MICROFOCUS_UNSIGNED
        return next(size for most, size in table if digits <= most)
    return 2 if digits <= 4 else 4 if digits <= 9 else 8


@dataclass(slots=True)
class _Storage:
    """What an elementary item is and how many bytes one occurrence takes."""

    kind: Kind
    length: int
    usage: str
    digits: int = 0
    scale: int = 0
    signed: bool = False
    sign_leading: bool = False
    sign_separate: bool = False
    native_binary: bool = False
    display_length: int = 0
    edit_mask: str | None = None
    boundary: int = 1             # SYNC boundary in bytes (1 = none)


@dataclass(slots=True, eq=False)
class _Node:
    item: DataItem
    path: tuple[str, ...]
    index: int
    parent: "_Node | None"
    children: list["_Node"] = field(default_factory=list)
    storage: _Storage | None = None
    sync: bool = False
    in_table: bool = False        # this item or an ancestor has OCCURS
    in_redefines: bool = False    # this item or an ancestor has REDEFINES
    offset: int = 0
    length: int = 0               # one occurrence, slack and occurrence padding included
    slack: int = 0
    boundary: int = 1             # largest SYNC boundary in the subtree
    varies: bool = False          # holds an ODO table (its size depends on counts)
    variable: bool = False        # located after an ODO table
    redefined_by: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.item.name or "FILLER"

    @property
    def total(self) -> int:
        return self.length * (self.item.occurs.max if self.item.occurs else 1)


# -- entry point ---------------------------------------------------------------------------------

def compute_layout(records: list[DataItem], level77: list[DataItem], *, dialect: Dialect,
                   diag: Diagnostics, source: str | None) -> Layout:
    """The `Layout` of parsed 01 records and 77 items."""
    built: list[Record] = []
    for pos, root in enumerate(records):
        built.append(_record(root, records[:pos], dialect, diag))
    items77 = tuple(_freeze(_measure_root(item, dialect, diag), (), {}) for item in level77)
    return Layout(records=tuple(built), dialect=dialect, source=source, warnings=tuple(diag.warnings),
                  level77=items77)


def _measure_root(root: DataItem, dialect: Dialect, diag: Diagnostics) -> _Node:
    if root.occurs is not None:
        raise error(f"OCCURS is not allowed at level {root.level:02d} ({root.display_name})",
                    root.occurs.location)
    nodes: list[_Node] = []
    top = _tree(root, None, (), nodes)
    _type(top, None, None, False, dialect, diag)
    _place(top, 0, False, diag)
    return top


def _record(root: DataItem, earlier: list[DataItem], dialect: Dialect, diag: Diagnostics) -> Record:
    if root.redefines is not None:
        _check_record_redefines(root, earlier)
    if root.occurs is not None:
        raise error(f"OCCURS is not allowed at level 01 ({root.display_name})", root.occurs.location)
    nodes: list[_Node] = []
    top = _tree(root, None, (), nodes)
    _type(top, None, None, False, dialect, diag)
    _place(top, 0, False, diag)
    index = _NameIndex(nodes)
    odo = _check_odo(nodes, index, diag)
    root_field = _freeze(top, (), odo)
    fields = list(root_field.walk())
    for item in root.renames_items:
        fields.append(_renames_field(item, top, nodes, index))
    record = Record(name=root_field.name, root=root_field, length=root_field.length, min_length=0,
                    fields=tuple(fields), odo_objects=tuple(dict.fromkeys(odo.values())),
                    redefines=root.redefines.names[0] if root.redefines else None)
    min_length = record_sizes(root_field, lambda f: f.occurs.min)[id(root_field)] if record.odo_objects \
        else record.length
    return replace(record, min_length=min_length)


def _check_record_redefines(root: DataItem, earlier: list[DataItem]) -> None:
    target = root.redefines.names[0]
    if not earlier:
        raise error(f"{root.display_name} REDEFINES {target}, but no 01 record precedes it",
                    root.redefines.location)
    prev = earlier[-1]
    allowed = {prev.name, prev.redefines.names[0] if prev.redefines else None}
    if target not in allowed:
        if any(r.name == target for r in earlier):
            raise error(f"{root.display_name} REDEFINES {target}, but {target} is not the 01 record just "
                        f"before it ({prev.display_name}); REDEFINES must follow the item it redefines "
                        "or another REDEFINES of it", root.redefines.location)
        raise error(f"{root.display_name} REDEFINES {target}, but no 01 record named {target} precedes it",
                    root.redefines.location)


def _tree(item: DataItem, parent: _Node | None, path: tuple[str, ...], nodes: list[_Node]) -> _Node:
    node = _Node(item=item, path=(*path, item.name or "FILLER"), index=len(nodes), parent=parent)
    node.in_table = item.occurs is not None or (parent is not None and parent.in_table)
    node.in_redefines = item.redefines is not None or (parent is not None and parent.in_redefines)
    nodes.append(node)
    node.children = [_tree(child, node, node.path, nodes) for child in item.children]
    return node


# -- pass 1: storage ---------------------------------------------------------------------------

def _type(node: _Node, usage: tuple[str, str, SourceLocation] | None, sign: SignClause | None,
          sync: bool, dialect: Dialect, diag: Diagnostics) -> None:
    item = node.item
    own_usage = (item.usage, item.usage_written, item.usage_location) if item.usage else None
    if own_usage and usage and own_usage[0] != usage[0]:
        diag.warn(f"USAGE {own_usage[1]} of {node.name} differs from the USAGE {usage[1]} of its group; "
                  "the item's own USAGE is used", own_usage[2])
    usage = own_usage or usage
    sign = item.sign or sign
    sync = item.sync or sync
    if item.group_usage is not None:
        if not node.children:
            raise error(f"GROUP-USAGE applies to group items; {node.name} is elementary",
                        item.group_usage_location)
        usage = usage or ("NATIONAL", "NATIONAL", item.group_usage_location)
    if node.children:
        if item.picture is not None:  # pragma: no cover - the parser rejects this earlier
            raise error(f"{node.name} has a PICTURE and subordinate items", item.location)
        for child in node.children:
            _type(child, usage, sign, sync, dialect, diag)
        return
    node.storage = _storage(node, usage, sign, dialect, diag)
    node.sync = sync
    if item.blank_when_zero and node.storage.kind not in (Kind.ZONED, Kind.NUMERIC_EDITED):
        diag.warn(f"BLANK WHEN ZERO applies to numeric DISPLAY items only; it is ignored for {node.name}",
                  item.location)


def _storage(node: _Node, usage_info: tuple[str, str, SourceLocation] | None, sign: SignClause | None,
             dialect: Dialect, diag: Diagnostics) -> _Storage:
    item = node.item
    name = node.name
    usage, written, usage_loc = usage_info if usage_info else ("DISPLAY", "DISPLAY", item.location)
    pic = item.picture
    where = item.picture_location or item.location
    if usage in ("INDEX", "POINTER"):
        if pic is not None:
            raise error(f"{name} is USAGE {written}, which takes no PICTURE clause", where)
        size = 8 if written == "PROCEDURE-POINTER" else 4
        return _Storage(Kind.BINARY, size, usage, digits=9 if usage == "INDEX" else 0,
                        signed=usage == "INDEX", boundary=4 if dialect is Dialect.IBM else size)
    if usage.startswith("BINARY-"):
        return _fixed_binary(node, usage, written, usage_loc, dialect, diag)
    if usage == "COMP-X" and pic is not None and pic.category is Category.ALPHANUMERIC:
        _not_ibm(name, written, usage_loc, dialect, diag)
        if pic.size > _WIDEST_BINARY:
            raise error(f"{name} is PICTURE X({pic.size}) COMP-X; at most {_WIDEST_BINARY} bytes are supported "
                        "for a binary number", where)
        return _Storage(Kind.BINARY, pic.size, usage, signed=False,
                        boundary=pic.size if pic.size in (2, 4, 8) else 1)
    if usage in ("COMP-1", "COMP-2"):
        if pic is not None:
            diag.warn(f"{name} is USAGE {written}, which takes no PICTURE clause; PICTURE {pic.text} is "
                      "ignored", where)
        size = 4 if usage == "COMP-1" else 8
        return _Storage(Kind.FLOAT, size, usage, signed=True, boundary=size)
    if pic is None:
        raise error(f"{name} has neither a PICTURE clause nor subordinate items", item.location)
    cat = pic.category
    if cat is Category.NUMERIC:
        return _numeric(node, usage, written, usage_loc, sign, dialect, diag)
    if cat in (Category.ALPHABETIC, Category.ALPHANUMERIC, Category.ALPHANUMERIC_EDITED):
        if usage != "DISPLAY":
            raise error(f"{name} is USAGE {written}, which needs a numeric PICTURE; PICTURE {pic.text} is "
                        f"{cat.value}", where)
        _no_sign(node, sign, diag)
        if cat is Category.ALPHANUMERIC_EDITED:
            return _Storage(Kind.ALPHANUMERIC_EDITED, pic.size, "DISPLAY", display_length=pic.size,
                            edit_mask=pic.edit_mask)
        return _Storage(Kind.ALPHANUMERIC, pic.size, "DISPLAY", display_length=pic.size)
    if cat is Category.NATIONAL:
        _no_sign(node, sign, diag)
        if usage_info is None or usage == "NATIONAL":
            return _Storage(Kind.NATIONAL, 2 * pic.size, "NATIONAL", display_length=pic.size,
                            edit_mask=pic.edit_mask)
        if usage in ("DISPLAY-1", "DISPLAY"):
            return _Storage(Kind.DBCS, 2 * pic.size, "DISPLAY-1", display_length=pic.size)
        raise error(f"{name} is USAGE {written}, which does not fit PICTURE {pic.text} (N is national)",
                    where)
    if cat is Category.DBCS:
        _no_sign(node, sign, diag)
        if usage not in ("DISPLAY", "DISPLAY-1"):
            raise error(f"{name} is USAGE {written}, which does not fit PICTURE {pic.text} (G is DBCS)",
                        where)
        return _Storage(Kind.DBCS, 2 * pic.size, "DISPLAY-1", display_length=pic.size)
    # numeric-edited
    if usage not in ("DISPLAY", "NATIONAL"):
        raise error(f"{name} is USAGE {written}, but PICTURE {pic.text} is numeric-edited, which is "
                    "always USAGE DISPLAY", where)
    _no_sign(node, sign, diag)
    _digit_limits(name, pic.digits, IBM_DECIMAL_DIGITS, "a numeric-edited item", where, diag)
    if pic.size > IBM_EDITED_POSITIONS:
        diag.warn(f"{name} has {pic.size} character positions, more than IBM's limit of "
                  f"{IBM_EDITED_POSITIONS} for a numeric-edited item", where)
    width = 2 if usage == "NATIONAL" else 1
    return _Storage(Kind.NUMERIC_EDITED, width * pic.size, usage, digits=pic.digits, scale=pic.scale,
                    signed=pic.signed, display_length=pic.size, edit_mask=pic.edit_mask)


_FIXED_BINARY = {"BINARY-CHAR": 1, "BINARY-SHORT": 2, "BINARY-LONG": 4, "BINARY-DOUBLE": 8}
_WIDEST_BINARY = 16


def _not_ibm(name: str, written: str, where: SourceLocation, dialect: Dialect, diag: Diagnostics) -> None:
    if dialect is Dialect.IBM:
        diag.warn(f"USAGE {written} of {name} is not IBM Enterprise COBOL (Micro Focus and GnuCOBOL define "
                  "it); it is laid out as they lay it out", where)


def _fixed_binary(node: _Node, usage: str, written: str, usage_loc: SourceLocation, dialect: Dialect,
                  diag: Diagnostics) -> _Storage:
    """BINARY-CHAR/SHORT/LONG/DOUBLE [SIGNED|UNSIGNED]: 1/2/4/8 bytes, no PICTURE, signed unless
    UNSIGNED, in the platform's byte order (as GnuCOBOL stores them: little-endian on x86)."""
    item = node.item
    if item.picture is not None:
        raise error(f"{node.name} is USAGE {written}, which takes no PICTURE clause",
                    item.picture_location or item.location)
    _not_ibm(node.name, written, usage_loc, dialect, diag)
    base, _, unsigned = usage.partition(" ")
    size = _FIXED_BINARY[base]
    return _Storage(Kind.BINARY, size, base, signed=not unsigned, native_binary=True, boundary=size)


def _digit_limits(name: str, digits: int, ibm: int, what: str, where: SourceLocation,
                  diag: Diagnostics | None, most: int = MAX_DIGITS) -> None:
    """Refuse more than ``most`` digits; warn (an error under strict) above IBM's limit."""
    if digits > most:
        raise error(f"{name} has {digits:,} digits; at most {most} digits are supported for {what} "
                    f"(IBM's limit is {ibm})", where)
    if digits > ibm and diag is not None:
        diag.warn(f"{name} has {digits} digits, more than IBM's limit of {ibm} for {what}", where)


def _no_sign(node: _Node, sign: SignClause | None, diag: Diagnostics) -> None:
    if node.item.sign is not None:
        diag.warn(f"the SIGN clause applies to signed numeric DISPLAY items only; it is ignored for "
                  f"{node.name}", node.item.sign.location)


def _numeric(node: _Node, usage: str, written: str, usage_loc: SourceLocation, sign: SignClause | None,
             dialect: Dialect, diag: Diagnostics) -> _Storage:
    item = node.item
    pic = item.picture
    name = node.name
    where = item.picture_location or item.location
    digits = pic.digits
    signed = pic.signed
    if pic.size > MAX_DIGITS and pic.size > digits:
        # P positions take no storage, but the value's precision counts them (9P(80) is 81 digits)
        raise error(f"{name} has {pic.size:,} digit positions with its P scaling positions; at most "
                    f"{MAX_DIGITS} are supported", where)
    if usage in ("DISPLAY", "NATIONAL"):
        leading = separate = False
        if sign is not None:
            if not signed and item.sign is not None:
                diag.warn(f"SIGN {'LEADING' if sign.leading else 'TRAILING'}"
                          f"{' SEPARATE' if sign.separate else ''} on {name}, whose PICTURE {pic.text} has "
                          "no S; the item is taken as signed", sign.location)
                signed = True
            if signed:
                leading, separate = sign.leading, sign.separate
        _digit_limits(name, digits, IBM_DECIMAL_DIGITS, "a DISPLAY number", where, diag)
        width = 2 if usage == "NATIONAL" else 1
        return _Storage(Kind.ZONED, width * (digits + (1 if separate else 0)), usage, digits=digits,
                        scale=pic.scale, signed=signed, sign_leading=leading, sign_separate=separate,
                        display_length=digits + (1 if separate else 0))
    if item.sign is not None:
        diag.warn(f"the SIGN clause applies to USAGE DISPLAY items only; it is ignored for {name} "
                  f"(USAGE {written})", item.sign.location)
    if usage == "COMP-3":
        _digit_limits(name, digits, IBM_DECIMAL_DIGITS, "a packed-decimal number", where, diag)
        return _Storage(Kind.PACKED, digits // 2 + 1, usage, digits=digits, scale=pic.scale,
                        signed=signed)
    if usage == "COMP-6":
        _not_ibm(name, written, usage_loc, dialect, diag)
        if signed:
            raise error(f"{name} is USAGE {written} (unsigned packed decimal, no sign nibble); its PICTURE "
                        f"{pic.text} cannot have an S", where)
        _digit_limits(name, digits, MAX_DIGITS, "a packed-decimal number", where, diag)
        return _Storage(Kind.PACKED, (digits + 1) // 2, usage, digits=digits, scale=pic.scale)
    if usage == "COMP-X":
        _not_ibm(name, written, usage_loc, dialect, diag)
        _digit_limits(name, digits, IBM_BINARY_DIGITS, "a binary number", where, None, MAX_BINARY_DIGITS)
        size = binary_length(digits, Dialect.MICROFOCUS, signed)
        return _Storage(Kind.BINARY, size, usage, digits=digits, scale=pic.scale, signed=signed,
                        boundary=size if size in (2, 4, 8) else 1)
    if usage in ("COMP", "COMP-5"):
        _digit_limits(name, digits, IBM_BINARY_DIGITS, "a binary number", where, None, MAX_BINARY_DIGITS)
        size = binary_length(digits, dialect, signed)
        if digits > IBM_BINARY_DIGITS:
            diag.warn(f"{name} is a binary item of {digits} digits, beyond IBM's {IBM_BINARY_DIGITS}; it is "
                      f"sized as Cobrix sizes it ({size} bytes)", where)
        if dialect is Dialect.IBM:
            boundary = 2 if digits <= 4 else 4
        else:
            boundary = size if size in (2, 4, 8) else 1
        return _Storage(Kind.BINARY, size, usage, digits=digits, scale=pic.scale, signed=signed,
                        native_binary=usage == "COMP-5", boundary=boundary)
    raise error(f"{name} is USAGE {written}, which does not fit the numeric PICTURE {pic.text}", usage_loc)


# -- pass 2: placement -------------------------------------------------------------------------

def _place(node: _Node, offset: int, variable: bool, diag: Diagnostics) -> None:
    """Offsets and lengths of ``node`` and its subtree, ``node`` starting at ``offset``."""
    node.offset = offset
    node.variable = variable
    item = node.item
    if not node.children:
        st = node.storage
        node.length = st.length
        node.boundary = st.boundary if node.sync else 1
        node.varies = bool(item.occurs and item.occurs.depending_on)
        _check_size(node)
        return
    cursor = offset
    area_target: _Node | None = None
    area_end = offset
    after_odo = variable
    boundary = 1
    varies = False
    for child in node.children:
        if child.item.redefines is not None:
            target = _redefined(node, child, area_target)
            _place(child, target.offset, target.variable, diag)
            if child.varies or target.varies:
                raise error(f"{child.name} REDEFINES {target.name}, and one of them holds an OCCURS "
                            "DEPENDING ON table; a REDEFINES cannot involve a variable-length item",
                            child.item.redefines.location)
            if child.total > target.total:  # a level-01 REDEFINES never gets here: records are laid out apart
                diag.warn(f"{child.name} ({child.total} bytes) is larger than {target.name} "
                          f"({target.total} bytes), which it redefines; the area takes {child.total} bytes "
                          "(IBM only warns)", child.item.redefines.location)
            target.redefined_by.append(child.name)
            area_end = max(area_end, child.offset + child.total)
            boundary = max(boundary, child.boundary)
            continue
        cursor = area_end
        start = cursor
        if child.children or not child.sync:
            slack = 0
        else:
            slack = (-start) % child.storage.boundary if child.storage.boundary > 1 else 0
        _place(child, start + slack, after_odo, diag)
        child.slack = slack
        area_target = child
        area_end = child.offset + child.total
        boundary = max(boundary, child.boundary)
        if child.varies:
            varies = True
            after_odo = True
    length = area_end - offset
    if item.occurs is not None and boundary > 1 and length % boundary:
        length += (-length) % boundary        # IBM: slack at the end of each occurrence
    node.length = length
    node.boundary = boundary
    node.varies = varies or bool(item.occurs and item.occurs.depending_on)
    _check_size(node)


def _check_size(node: _Node) -> None:
    """Refuse an item (a table: all its occurrences) above IBM's item size limit, before a parent
    multiplies it further."""
    if node.total <= MAX_ITEM_BYTES:
        return
    item = node.item
    if item.occurs is not None and node.length <= MAX_ITEM_BYTES:
        raise error(f"table {node.name} takes {node.total:,} bytes ({item.occurs.max:,} occurrences of "
                    f"{node.length:,}); an item may take at most {MAX_ITEM_BYTES:,} bytes",
                    item.occurs.location)
    raise error(f"{node.name} takes {node.length:,} bytes; an item may take at most {MAX_ITEM_BYTES:,} "
                "bytes", item.picture_location or item.location)


def _redefined(parent: _Node, child: _Node, area_target: _Node | None) -> _Node:
    want = child.item.redefines
    name = want.names[0]
    if area_target is not None and area_target.item.name == name:
        return area_target
    earlier = [c for c in parent.children[:parent.children.index(child)] if c.item.name == name]
    level = f"{child.item.level:02d}"
    if earlier:
        before = area_target.name if area_target is not None else "none"
        raise error(f"{child.name} REDEFINES {name}, but {name} is not the item just before it at level "
                    f"{level} (that is {before}); REDEFINES must follow the item it redefines or another "
                    "REDEFINES of it", want.location)
    raise error(f"{child.name} REDEFINES {name}, but no item named {name} precedes it at level {level} in "
                f"{parent.name}", want.location)


# -- pass 3: checks ------------------------------------------------------------------------------

class _NameIndex:
    """Data names of one record, for DEPENDING ON and RENAMES references (with OF/IN qualifiers)."""

    def __init__(self, nodes: list[_Node]) -> None:
        self.by_name: dict[str, list[_Node]] = {}
        for n in nodes:
            if n.item.name:
                self.by_name.setdefault(n.item.name, []).append(n)

    def find(self, ref: Reference, record: str, what: str) -> _Node:
        leaf, quals = ref.names[0], ref.names[1:]
        hits = [n for n in self.by_name.get(leaf, ()) if _qualified(n, quals)]
        if not hits:
            raise error(f"{what} {ref}: no item named {ref} in record {record}", ref.location)
        if len(hits) > 1:
            options = ", ".join(".".join(h.path) for h in hits[:4])
            raise error(f"{what} {ref} is ambiguous in record {record}; qualify it with OF ({options})",
                        ref.location)
        return hits[0]


def _qualified(node: _Node, quals: tuple[str, ...]) -> bool:
    up = node.parent
    for q in quals:
        while up is not None and up.item.name != q:
            up = up.parent
        if up is None:
            return False
        up = up.parent
    return True


def _check_odo(nodes: list[_Node], index: _NameIndex, diag: Diagnostics) -> dict[int, tuple[str, ...]]:
    """Resolved ODO object path per table node id; raises for objects IBM would not accept."""
    found: dict[int, tuple[str, ...]] = {}
    record = nodes[0].name
    for node in nodes:
        occ = node.item.occurs
        if occ is None or occ.depending_on is None:
            continue
        ref = occ.depending_on
        if node.in_redefines:
            raise error(f"{node.name} has OCCURS DEPENDING ON inside a REDEFINES; IBM COBOL does not "
                        "allow a variable-length table there", occ.location)
        obj = index.find(ref, record, f"{node.name} OCCURS ... DEPENDING ON")
        label = f"the ODO object {ref} of table {node.name}"
        if obj.index >= node.index:
            where = "inside the table" if _is_below(obj, node) else "after the table"
            raise error(f"{label} is defined {where}; the object must be defined before the table, at a "
                        "fixed position", ref.location)
        if obj.children:
            raise error(f"{label} is a group item; it must be an integer (such as PIC S9(4) COMP)",
                        ref.location)
        if obj.in_table and not _in_same_element(obj, node):
            raise error(f"{label} is inside a table (OCCURS); it must be at a fixed position, or inside "
                        f"the element of a table that holds {node.name} (nested OCCURS DEPENDING ON)",
                        ref.location)
        if obj.in_table:
            # IBM wants the object outside the table's range; Cobrix (variable_size_occurs) and the
            # files it reads put it in each element, which is what this layout then means
            diag.warn(f"{label} lies inside each element of an enclosing table: every element has its own "
                      f"count and size (nested OCCURS DEPENDING ON, as Cobrix reads it); IBM COBOL wants "
                      "the object outside the table", ref.location)
        if obj.variable:
            raise error(f"{label} follows a variable-length table, so its position is not fixed",
                        ref.location)
        st = obj.storage
        if st.kind in (Kind.ZONED, Kind.PACKED, Kind.BINARY):
            if st.scale > 0:
                raise error(f"{label} is not an integer (PICTURE {obj.item.picture.text} has decimal "
                            "places)", ref.location)
        elif st.kind is Kind.ALPHANUMERIC:
            diag.warn(f"{label} is not numeric (PICTURE {obj.item.picture.text}); its characters are read "
                      "as digits", ref.location)
        else:
            raise error(f"{label} is not an integer (it is {st.kind.value})", ref.location)
        found[id(node)] = obj.path
    return found


def _in_same_element(obj: _Node, table: _Node) -> bool:
    """Whether every table that repeats ``obj`` also repeats ``table``: the count then lies in
    the element of an enclosing table and is read once per element (Cobrix's variable-size
    OCCURS; each element of the outer table can have its own size)."""
    up = obj.parent
    while up is not None:
        if up.item.occurs is not None and not _is_below(table, up):
            return False
        up = up.parent
    return obj.item.occurs is None


def _is_below(node: _Node, ancestor: _Node) -> bool:
    up = node.parent
    while up is not None:
        if up is ancestor:
            return True
        up = up.parent
    return False


# -- pass 4: freezing -----------------------------------------------------------------------------

def _freeze(node: _Node, dims: tuple[Dim, ...], odo: dict[int, tuple[str, ...]]) -> Field:
    item = node.item
    occurs = None
    if item.occurs is not None:
        occ = item.occurs
        path = odo.get(id(node))
        occurs = Occurs(min=occ.min, max=occ.max,
                        depending_on=str(occ.depending_on) if occ.depending_on else None,
                        depending_path=path, keys=occ.keys, indexed_by=occ.indexed_by)
        dims = (*dims, Dim(min=occ.min, max=occ.max, stride=node.length, depending_path=path,
                           owner=node.path))
    st = node.storage
    common = dict(
        name=node.name, path=node.path, level=item.level, offset=node.offset, length=node.length,
        occurs=occurs, dims=dims, redefines=item.redefines.names[0] if item.redefines else None,
        redefined_by=tuple(node.redefined_by), justified=item.justified,
        blank_when_zero=item.blank_when_zero, sync=node.sync, slack_before=node.slack,
        value=item.value, conditions=tuple(item.conditions), variable_offset=node.variable,
        is_filler=item.name is None, external=item.external, global_=item.global_,
        source=item.location,
    )
    if st is None:
        children = tuple(_freeze(c, dims, odo) for c in node.children)
        return Field(kind=Kind.GROUP, usage=_group_usage(node), children=children, **common)
    return Field(kind=st.kind, picture=item.picture.text if item.picture else None, usage=st.usage,
                 digits=st.digits, scale=st.scale, signed=st.signed, sign_leading=st.sign_leading,
                 sign_separate=st.sign_separate, native_binary=st.native_binary,
                 display_length=st.display_length, edit_mask=st.edit_mask, **common)


def _group_usage(node: _Node) -> str:
    return node.item.usage or node.item.group_usage or "DISPLAY"


def _renames_field(item: DataItem, top: _Node, nodes: list[_Node], index: _NameIndex) -> Field:
    first_ref, last_ref = item.renames
    record = top.name
    first = index.find(first_ref, record, f"{item.name} RENAMES")
    last = index.find(last_ref, record, f"{item.name} RENAMES ... THRU") if last_ref else first
    for ref, node in ((first_ref, first), (last_ref, last)):
        if node is top:
            raise error(f"{item.name} cannot RENAME the 01 record {top.name} itself", ref.location)
    if last is not first:
        if _is_below(last, first) or _is_below(first, last):
            raise error(f"{item.name} RENAMES {first_ref} THRU {last_ref}: one of them is part of the "
                        "other", last_ref.location)
        if last.index < first.index:
            raise error(f"{item.name} RENAMES {first_ref} THRU {last_ref}: {last_ref} comes before "
                        f"{first_ref}", last_ref.location)
    end_index = last.index
    while end_index + 1 < len(nodes) and _is_below(nodes[end_index + 1], last):
        end_index += 1
    for n in nodes[first.index:end_index + 1]:
        if n.in_table:
            table = n
            while table.item.occurs is None:
                table = table.parent
            raise error(f"{item.name} RENAMES a range that includes {table.name}, which has an OCCURS "
                        "clause; RENAMES cannot cover a table (OCCURS under a RENAMES)",
                        (last_ref or first_ref).location)
    start = first.offset
    end = max(last.offset + last.total, first.offset + first.total)
    common = dict(name=item.name, path=(top.name, item.name), level=66, offset=start, length=end - start,
                  kind=Kind.RENAMES, renames=(first.path, last.path), source=item.location,
                  variable_offset=first.variable)
    if last is first and first.storage is not None:
        st = first.storage
        return Field(picture=first.item.picture.text if first.item.picture else None, usage=st.usage,
                     digits=st.digits, scale=st.scale, signed=st.signed, sign_leading=st.sign_leading,
                     sign_separate=st.sign_separate, native_binary=st.native_binary,
                     display_length=st.display_length, edit_mask=st.edit_mask, **common)
    return Field(**common)
