"""JSON Schema (draft 2020-12) of the records `mfbridge decode --to jsonl` writes.

One object per record: keys are the 01 record's items spelled as in the copybook (the 01
itself is not a wrapper), groups are nested objects, OCCURS are arrays with ``minItems`` and
``maxItems`` from the OCCURS clause, FILLER and 66 RENAMES are left out
(see `bridge.export.values` for the shared rules). Objects allow no other keys
(``additionalProperties: false``) but require none: a short variable-length record leaves
items out, and a segment map drops the REDEFINES branches it does not select.

Type mapping (every type also allows ``null``, since invalid data decodes to null):

* zoned, packed, numeric-edited, binary with a scale: ``number`` with ``multipleOf`` 10^-scale
  and ``minimum``/``maximum`` from the digits (``S9(5)V99``: -99999.99 to 99999.99); scale 0
  or negative (``9(3)PPP``): ``integer`` (with ``multipleOf`` 1000 for PPP);
* binary with scale 0: ``integer`` bounded by the storage, not the PICTURE (TRUNC(BIN)):
  ``S9(4) COMP`` is -32768 to 32767;
* COMP-1, COMP-2: ``number``;
* alphanumeric, alphanumeric-edited, national, DBCS: ``string`` with ``maxLength`` in characters.

Each property's ``description`` gives the PICTURE, USAGE, offset and length; 88-level values
go into the description and ``examples`` (hints, never ``enum``: files hold other values too).

Bounds and steps are written as exact decimals (``0.01``, never a binary float). Validate
decoded records with both documents read as decimals, e.g.
``json.loads(text, parse_float=decimal.Decimal)``: with binary floats, ``0.07`` is not a
multiple of ``0.01`` and validators report false errors.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from bridge.export.json_text import dumps
from bridge.export.values import condition_text, decoded_children, selected_records, value_type
from bridge.layout.model import Field, Layout, Record

__all__ = ["DRAFT", "json_schema", "json_schema_text"]

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def json_schema(layout: Layout, record: str | None = None) -> dict[str, Any]:
    """The schema of a decoded record: the record's own schema when there is one record (or
    ``record`` names one), else ``anyOf`` references to one definition per 01 record.

    Non-integral numbers in the result are `decimal.Decimal`; `json_schema_text` writes them.
    """
    records = selected_records(layout, record)
    if len(records) == 1:
        return {"$schema": DRAFT, **_record_schema(records[0], layout)}
    return {
        "$schema": DRAFT,
        "title": layout.source or "copybook",
        "description": "One of the record types " + ", ".join(r.name for r in records),
        "anyOf": [{"$ref": f"#/$defs/{r.name}"} for r in records],
        "$defs": {r.name: _record_schema(r, layout) for r in records},
    }


def json_schema_text(layout: Layout, record: str | None = None) -> str:
    """`json_schema` as indented JSON text with exact decimals."""
    return dumps(json_schema(layout, record))


def _record_schema(record: Record, layout: Layout) -> dict[str, Any]:
    length = (str(record.length) if record.length == record.min_length
              else f"{record.min_length} to {record.length}")
    source = f" from {layout.source}" if layout.source else ""
    return {
        "title": record.name,
        "description": f"01 {record.name}{source}: {length} bytes",
        "type": "object",
        "properties": {c.name: _item(c) for c in decoded_children(record.root)},
        "additionalProperties": False,
    }


def _item(f: Field) -> dict[str, Any]:
    schema = _group(f) if f.is_group else _elementary(f)
    if f.occurs is None:
        schema["description"] = _description(f)
        return schema
    return {
        "description": _description(f),
        "type": ["array", "null"],
        "items": schema,
        "minItems": f.occurs.min,
        "maxItems": f.occurs.max,
    }


def _group(f: Field) -> dict[str, Any]:
    return {
        "type": ["object", "null"],
        "properties": {c.name: _item(c) for c in decoded_children(f)},
        "additionalProperties": False,
    }


def _elementary(f: Field) -> dict[str, Any]:
    vt = value_type(f)
    schema: dict[str, Any]
    if vt.kind == "string":
        schema = {"type": ["string", "null"], "maxLength": vt.max_length}
    elif vt.kind == "float":
        schema = {"type": ["number", "null"]}
    else:
        integral = vt.step >= 1
        schema = {"type": ["integer" if integral else "number", "null"]}
        if vt.step != 1:
            schema["multipleOf"] = vt.step
        schema["minimum"] = vt.minimum
        schema["maximum"] = vt.maximum
    # Figurative constants (SPACES, ...) are not JSON values; the description names them.
    examples = [v for c in f.conditions for v in c.values
                if isinstance(v, (str, int, Decimal)) and not isinstance(v, bool)]
    if examples:
        schema["examples"] = examples
    return schema


def _description(f: Field) -> str:
    parts = []
    if f.picture:
        parts.append(f"PIC {f.picture}")
    if f.is_elementary:
        parts.append(f.usage)
    if f.redefines:
        parts.append(f"REDEFINES {f.redefines}")
    if f.occurs is not None:
        occurs = (f"OCCURS {f.occurs.min} TO {f.occurs.max} DEPENDING ON {f.occurs.depending_on}"
                  if f.occurs.is_variable else f"OCCURS {f.occurs.max}")
        parts.append(occurs)
    where = f"offset {f.offset}, length {f.length}"
    if f.variable_offset:
        where += " (offset with every table full)"
    text = (" ".join(parts) + "; " if parts else "") + where
    for c in f.conditions:
        text += f"; 88 {c.name}: " + condition_text(c)
    return text
