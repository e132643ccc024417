"""The layout as a documented machine-readable document (``mfbridge schema --format layout-json``).

Other tools (a Spark job, a data catalogue, a diff between copybook versions) need the exact
offsets without a COBOL parser, so this is the layout model written out as it is, not a
schema of decoded values::

    {"records": [{"name": "CUSTOMER-REC", "length": 117, "min_length": 117, "fields": [...]}]}

``length`` is the maximum record length (every ODO table full), ``min_length`` every table at
its minimum. ``fields`` is one flat list in copybook order that starts with the 01 item and
holds every item: groups, elementary items, REDEFINES, 66 RENAMES and FILLER (with
``"filler": true``). Each field has:

* always: ``name``, ``path`` (list of names from the 01 down), ``level``, ``offset`` (0-based;
  for an item under OCCURS, its first occurrence), ``length`` (storage of one occurrence),
  ``kind`` (group, alphanumeric, zoned, packed, binary, float, national, dbcs,
  numeric-edited, alphanumeric-edited, renames);
* where they apply: ``picture``, ``usage`` (elementary items), ``digits``, ``scale``,
  ``signed`` (numeric items; ``scale`` is the power of ten the stored integer is divided by,
  negative for trailing P), ``sign_leading``/``sign_separate`` (signed DISPLAY numbers),
  ``occurs`` {``min``, ``max``, ``depending_on``}, ``dims`` (every enclosing OCCURS, outermost
  first: ``min``, ``max``, ``stride``, ``depending_on``), ``redefines``, ``renames`` (dotted
  names of the first and last item), ``variable_offset: true`` (after an ODO table; the
  offset is then the one it has when every table is full), ``sync`` and ``slack_before``,
  ``justified``, ``blank_when_zero``, ``display_length`` and ``edit_mask`` (edited items),
  ``value``, ``conditions`` (88 levels: ``name``, ``values``, ``ranges``), ``filler``,
  ``source`` (``FILE:LINE:COLUMN``). VALUE literals are JSON strings and numbers (exact
  decimals); a figurative constant is an object, ``{"figurative": "SPACES"}``.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from bridge.export.json_text import dumps
from bridge.export.values import selected_records
from bridge.layout.model import Condition, Field, Kind, Layout, Record

__all__ = ["layout_json", "layout_json_text"]


def layout_json(layout: Layout, record: str | None = None) -> dict[str, Any]:
    """The document for every 01 record, or the one named by ``record``."""
    return {"records": [_record(r) for r in selected_records(layout, record)]}


def layout_json_text(layout: Layout, record: str | None = None) -> str:
    """`layout_json` as indented JSON text (decimals in 88 values written exactly)."""
    return dumps(layout_json(layout, record))


def _record(record: Record) -> dict[str, Any]:
    return {
        "name": record.name,
        "length": record.length,
        "min_length": record.min_length,
        "fields": [_field(f) for f in record.fields],
    }


def _field(f: Field) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": f.name,
        "path": list(f.path),
        "level": f.level,
        "offset": f.offset,
        "length": f.length,
        "kind": f.kind.value,
    }
    if f.picture:
        out["picture"] = f.picture
    if f.is_elementary:
        out["usage"] = f.usage
    if f.kind.is_numeric:
        out["digits"] = f.digits
        out["scale"] = f.scale
        out["signed"] = f.signed
        if f.signed and f.kind is Kind.ZONED:
            out["sign_leading"] = f.sign_leading
            out["sign_separate"] = f.sign_separate
    if f.occurs is not None:
        out["occurs"] = {"min": f.occurs.min, "max": f.occurs.max,
                         "depending_on": f.occurs.depending_on}
    if f.dims:
        out["dims"] = [{"min": d.min, "max": d.max, "stride": d.stride,
                        "depending_on": ".".join(d.depending_path) if d.depending_path else None}
                       for d in f.dims]
    if f.redefines:
        out["redefines"] = f.redefines
    if f.kind is Kind.RENAMES:
        out["renames"] = [".".join(p) for p in f.renames]
    if f.variable_offset:
        out["variable_offset"] = True
    if f.sync:
        out["sync"] = True
    if f.slack_before:
        out["slack_before"] = f.slack_before
    if f.justified:
        out["justified"] = True
    if f.blank_when_zero:
        out["blank_when_zero"] = True
    if f.kind in (Kind.NUMERIC_EDITED, Kind.ALPHANUMERIC_EDITED):
        out["display_length"] = f.display_length
        if f.edit_mask:
            out["edit_mask"] = f.edit_mask
    if f.value is not None:
        out["value"] = _literal(f.value)
    if f.conditions:
        out["conditions"] = [_condition(c) for c in f.conditions]
    if f.is_filler:
        out["filler"] = True
    if f.source is not None:
        out["source"] = str(f.source)
    return out


def _condition(c: Condition) -> dict[str, Any]:
    return {"name": c.name, "values": [_literal(v) for v in c.values],
            "ranges": [[_literal(lo), _literal(hi)] for lo, hi in c.ranges]}


def _literal(value: Any) -> Any:
    # VALUE literals are strings or numbers; a figurative constant (SPACES, ALL '*') is an object
    # so that it cannot be mistaken for the string literal 'SPACES'.
    if isinstance(value, (str, int, float, Decimal, bool)) or value is None:
        return value
    return {"figurative": str(value)}
