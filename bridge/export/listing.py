"""The layout listing a mainframe engineer reads (``mfbridge schema --format layout``).

Laid out like a File-AID record layout or the data map of a compiler listing, because that is
what the people checking a copybook against a file already compare against: one line per item
with its level, its name indented by nesting depth, PICTURE, USAGE, 1-based START and END
positions (inclusive, of the first occurrence for items under OCCURS), LENGTH (one
occurrence) and OCCURS, then remarks (REDEFINES, DEPENDING ON, SYNC, VARIABLY LOCATED for items after an ODO table,
shown at their positions with every table full, as a note under the record says).
SYNC slack bytes get their own line, as IBM's map shows them; 88 conditions follow their item
with their values; a 66 RENAMES shows the span it covers. Each record ends with its length,
``min TO max`` when OCCURS DEPENDING ON makes it variable.

Positions are 1-based only here (a listing for people); every machine-readable form is 0-based.
"""
from __future__ import annotations

from bridge.export.values import condition_text, selected_records
from bridge.layout.model import Field, Kind, Layout, Record

__all__ = ["layout_listing"]

_HEADINGS = ("LEVEL/NAME", "PICTURE", "USAGE", "START", "END", "LENGTH", "OCCURS", "REMARKS")


def layout_listing(layout: Layout, record: str | None = None) -> str:
    """The listing of every 01 record (or the one named), records separated by a blank line."""
    blocks = [_record_block(r, layout) for r in selected_records(layout, record)]
    return "\n".join(blocks)


def _record_block(record: Record, layout: Layout) -> str:
    rows: list[tuple[str, ...]] = []
    for f in record.fields:
        if f.slack_before:
            rows.append(_slack_row(f))
        rows.append(_item_row(f))
        for c in f.conditions:
            # A two-cell row: an 88's values run on past the PICTURE column.
            rows.append((_indent(f, extra=1) + "88 " + c.name, "VALUE " + condition_text(c)))
    source = f" ({layout.source})" if layout.source else ""
    head = f"RECORD {record.name}{source}"
    if record.redefines:
        head += f" REDEFINES {record.redefines}"
    lines = [head, *_table(rows), _length_line(record)]
    return "\n".join(lines) + "\n"


def _item_row(f: Field) -> tuple[str, ...]:
    name = _indent(f) + f"{f.level:02d} {f.name}"
    usage = "" if f.kind in (Kind.GROUP, Kind.RENAMES) else f.usage
    start, end = f.offset + 1, f.offset + f.length
    return (name, f.picture or "", usage, str(start), str(end), str(f.length), _occurs_text(f),
            _remarks(f))


def _slack_row(f: Field) -> tuple[str, ...]:
    start = f.offset - f.slack_before
    return (_indent(f) + "   (SLACK BYTES)", "", "", str(start + 1), str(f.offset),
            str(f.slack_before), "", f"SYNC {f.name}")


def _indent(f: Field, extra: int = 0) -> str:
    return "  " * (len(f.path) - 1 + extra)


def _occurs_text(f: Field) -> str:
    if f.occurs is None:
        return ""
    if f.occurs.min == f.occurs.max and not f.occurs.is_variable:
        return str(f.occurs.max)
    return f"{f.occurs.min} TO {f.occurs.max}"


def _remarks(f: Field) -> str:
    parts = []
    if f.redefines:
        parts.append(f"REDEFINES {f.redefines}")
    if f.occurs is not None and f.occurs.depending_on:
        parts.append(f"DEPENDING ON {f.occurs.depending_on}")
    if f.kind is Kind.RENAMES and f.renames:
        first, last = f.renames[0][-1], f.renames[-1][-1]
        parts.append(f"RENAMES {first}" + (f" THRU {last}" if last != first else ""))
    if f.variable_offset:
        parts.append("VARIABLY LOCATED")
    if f.sign_separate:
        parts.append("SIGN " + ("LEADING" if f.sign_leading else "TRAILING") + " SEPARATE")
    elif f.sign_leading:
        parts.append("SIGN LEADING")
    if f.sync:
        parts.append("SYNC")
    if f.justified:
        parts.append("JUSTIFIED RIGHT")
    if f.blank_when_zero:
        parts.append("BLANK WHEN ZERO")
    return ", ".join(parts)


def _length_line(record: Record) -> str:
    if record.length == record.min_length:
        return f"RECORD LENGTH {record.length}"
    text = f"RECORD LENGTH {record.min_length} TO {record.length} (OCCURS DEPENDING ON)"
    if any(f.variable_offset for f in record.fields):
        text += "\nVARIABLY LOCATED items are shown at their positions with every table full"
    return text


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [len(h) for h in _HEADINGS]
    for row in rows:
        if len(row) == 2:
            widths[0] = max(widths[0], len(row[0]))
            continue
        widths = [max(w, len(cell)) for w, cell in zip(widths, row)]
    numeric = {3, 4, 5}
    lines = []
    for row in [_HEADINGS, *rows]:
        if len(row) == 2:
            lines.append(f"{row[0]:<{widths[0]}}  {row[1]}".rstrip())
            continue
        cells = [cell.rjust(w) if i in numeric else cell.ljust(w)
                 for i, (cell, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
    return lines
