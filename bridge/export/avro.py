"""Avro schemas of the decoded records, one record schema per 01 record.

The shape follows the decoded JSONL records (`bridge.export.values`): the 01's items as
fields, groups as nested records, OCCURS as arrays, FILLER and 66 RENAMES left out.

Names: Avro names match ``[A-Za-z_][A-Za-z0-9_]*``, so hyphens become underscores and a
leading digit gets a ``_`` prefix (``CUST-ID`` -> ``CUST_ID``); names made equal by this get a
numeric suffix. The COBOL spelling is kept in each field's ``doc`` (with PICTURE, USAGE,
offset and length) and in a ``cobolName`` attribute (Avro keeps unknown attributes as
metadata). Nested record types are named after their path (``CUSTOMER_REC_SCORE_AREA``)
because Avro type names must be unique in a schema and COBOL group names need not be.

Type mapping (every field is a union with ``null`` first and defaults to null, since invalid
data decodes to null; so are array items):

* zoned, packed, numeric-edited, binary with a scale: ``bytes`` with logical type ``decimal``
  and its precision and scale; a negative COBOL scale (``9(3)PPP``) becomes precision
  ``digits - scale`` and scale 0, as Avro decimals cannot scale up;
* binary with scale 0: ``int`` when the storage range fits 32 bits signed (2-byte and signed
  4-byte fields), ``long`` when it fits 64 bits (unsigned 4-byte, signed 8-byte), else a
  decimal of the storage's digits (unsigned 8-byte: 20 digits); binary precision is what the
  storage holds, not the PICTURE, because values beyond the PICTURE decode as stored
  (TRUNC(BIN));
* COMP-1: ``float``; COMP-2: ``double``;
* alphanumeric, edited alphanumeric, national, DBCS: ``string`` (the length is in ``doc``).

With several 01 records the result is a union of the record schemas (a JSON list), which
Avro accepts as a schema, unless ``record`` selects one.
"""
from __future__ import annotations

import re
from typing import Any

from bridge.export.values import (ValueType, condition_text, decoded_children, selected_records,
                                  value_type)
from bridge.layout.model import Field, Layout, Record

__all__ = ["avro_name", "avro_schema"]

_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)


def avro_schema(layout: Layout, record: str | None = None, *,
                namespace: str | None = None) -> dict[str, Any] | list[dict[str, Any]]:
    """The record schema (a dict) for one 01 record, or a union (a list) for several."""
    records = selected_records(layout, record)
    type_names = _Names()  # one scope: a union's record types share the namespace
    schemas = [_record_schema(r, layout, namespace, type_names) for r in records]
    return schemas[0] if len(schemas) == 1 else schemas


def avro_name(cobol_name: str) -> str:
    """A COBOL data name spelled as a valid Avro name: ``CUST-ID`` -> ``CUST_ID``."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", cobol_name)
    if not name or name[0].isdigit():
        name = "_" + name
    return name


class _Names:
    """Hands out names unique within one scope, suffixing ``_2``, ``_3`` on a clash."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def unique(self, name: str) -> str:
        candidate, n = name, 1
        while candidate in self.taken:
            n += 1
            candidate = f"{name}_{n}"
        self.taken.add(candidate)
        return candidate


def _record_schema(record: Record, layout: Layout, namespace: str | None,
                   type_names: _Names) -> dict[str, Any]:
    length = (str(record.length) if record.length == record.min_length
              else f"{record.min_length} to {record.length}")
    source = f" from {layout.source}" if layout.source else ""
    schema: dict[str, Any] = {
        "type": "record",
        "name": type_names.unique(avro_name(record.name)),
        "doc": f"01 {record.name}{source}: {length} bytes",
        "cobolName": record.name,
        "fields": _fields(record.root, type_names),
    }
    if namespace:
        schema["namespace"] = namespace
    return schema


def _fields(group: Field, type_names: _Names) -> list[dict[str, Any]]:
    field_names = _Names()
    return [
        {
            "name": field_names.unique(avro_name(child.name)),
            "type": ["null", _item_type(child, type_names)],
            "default": None,
            "doc": _doc(child),
            "cobolName": child.name,
        }
        for child in decoded_children(group)
    ]


def _item_type(f: Field, type_names: _Names) -> Any:
    if f.is_group:
        one: Any = {
            "type": "record",
            "name": type_names.unique(avro_name("_".join(f.path))),
            "fields": _fields(f, type_names),
        }
    else:
        one = _value_schema(value_type(f))
    if f.occurs is None:
        return one
    return {"type": "array", "items": ["null", one]}


def _value_schema(vt: ValueType) -> Any:
    if vt.kind == "string":
        return "string"
    if vt.kind == "float":
        return "float" if vt.bits == 32 else "double"
    if vt.kind == "integer":
        if _INT32[0] <= vt.minimum and vt.maximum <= _INT32[1]:  # type: ignore[operator]
            return "int"
        if _INT64[0] <= vt.minimum and vt.maximum <= _INT64[1]:  # type: ignore[operator]
            return "long"
    return {"type": "bytes", "logicalType": "decimal", "precision": vt.precision,
            "scale": vt.scale}


def _doc(f: Field) -> str:
    parts = [f.name]
    if f.picture:
        parts.append(f"PIC {f.picture}")
    if f.is_elementary:
        parts.append(f.usage)
    if f.redefines:
        parts.append(f"REDEFINES {f.redefines}")
    if f.occurs is not None:
        parts.append(f"OCCURS {f.occurs.min} TO {f.occurs.max} DEPENDING ON {f.occurs.depending_on}"
                     if f.occurs.is_variable else f"OCCURS {f.occurs.max}")
    text = " ".join(parts) + f"; offset {f.offset}, length {f.length}"
    if f.variable_offset:
        text += " (offset with every table full)"
    for c in f.conditions:
        text += f"; 88 {c.name}: " + condition_text(c)
    return text
