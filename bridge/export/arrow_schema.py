"""Apache Arrow schemas of the decoded records, one `pyarrow.Schema` per 01 record.

The nested shape of the decoded JSONL records (`bridge.export.values`): the 01's items as top
fields, groups as structs, OCCURS as lists (of the actual count under ODO), FILLER and 66
RENAMES left out; field names keep the COBOL spelling (Arrow allows any string). Every field
is nullable, since invalid data decodes to null.

Type mapping:

* zoned, packed, numeric-edited, binary with a scale: ``decimal128(precision, scale)``
  (``decimal256`` beyond 38 digits); a negative COBOL scale (``9(3)PPP``) becomes precision
  ``digits - scale`` and scale 0;
* binary with scale 0: the integer type of the storage, ``int16``/``int32``/``int64`` or
  ``uint16``/``uint32``/``uint64`` (``int8`` for GnuCOBOL's 1-byte binary; sizes between
  widths round up; storage wider than 8 bytes becomes a decimal of its digits): the storage
  and not the PICTURE decides, because values beyond the PICTURE decode as stored (TRUNC(BIN));
* COMP-1: ``float32``; COMP-2: ``float64``;
* alphanumeric, edited alphanumeric, national, DBCS: ``string``.

Each field carries metadata: ``cobol.name``, ``cobol.level``, ``cobol.offset`` (0-based),
``cobol.length`` and, where they apply, ``cobol.picture``, ``cobol.usage``, ``cobol.occurs``
(``4`` or ``0 TO 50 DEPENDING ON TXN-CNT``), ``cobol.redefines``,
``cobol.variable_offset``; the schema carries ``cobol.record``, ``cobol.length`` and
``cobol.min_length``.

pyarrow is imported when a schema is built, so importing `bridge.export` stays light.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from bridge.export.values import ValueType, decoded_children, selected_records, value_type
from bridge.layout.model import Field, Layout, Record

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["arrow_schema", "arrow_schema_text", "arrow_schemas"]


def arrow_schemas(layout: Layout, record: str | None = None) -> dict[str, "pa.Schema"]:
    """Record name -> schema, for every 01 record or the one named."""
    return {r.name: arrow_schema(r) for r in selected_records(layout, record)}


def arrow_schema(record: Record) -> "pa.Schema":
    """The schema of one decoded 01 record."""
    import pyarrow as pa

    metadata = {"cobol.record": record.name, "cobol.length": str(record.length),
                "cobol.min_length": str(record.min_length)}
    return pa.schema([_field(c) for c in decoded_children(record.root)], metadata=metadata)


def arrow_schema_text(layout: Layout, record: str | None = None) -> str:
    """The schemas as pyarrow prints them, metadata included, one block per record."""
    blocks = [f"-- {name}\n{schema.to_string(show_field_metadata=True)}\n"
              for name, schema in arrow_schemas(layout, record).items()]
    return "\n".join(blocks)


def _field(f: Field) -> "pa.Field":
    import pyarrow as pa

    if f.is_group:
        dtype = pa.struct([_field(c) for c in decoded_children(f)])
    else:
        dtype = _value_type(value_type(f))
    if f.occurs is not None:
        dtype = pa.list_(dtype)
    return pa.field(f.name, dtype, nullable=True, metadata=_metadata(f))


def _value_type(vt: ValueType) -> "pa.DataType":
    import pyarrow as pa

    if vt.kind == "string":
        return pa.string()
    if vt.kind == "float":
        return pa.float32() if vt.bits == 32 else pa.float64()
    if vt.kind == "integer" and vt.bits <= 64:
        width = next(w for w in (8, 16, 32, 64) if vt.bits <= w)
        return getattr(pa, f"{'int' if vt.signed else 'uint'}{width}")()
    if vt.precision <= 38:
        return pa.decimal128(vt.precision, vt.scale)
    return pa.decimal256(vt.precision, vt.scale)


def _metadata(f: Field) -> dict[str, str]:
    meta = {"cobol.name": f.name, "cobol.level": str(f.level), "cobol.offset": str(f.offset),
            "cobol.length": str(f.length)}
    if f.picture:
        meta["cobol.picture"] = f.picture
    if f.is_elementary:
        meta["cobol.usage"] = f.usage
    if f.occurs is not None:
        meta["cobol.occurs"] = (
            f"{f.occurs.min} TO {f.occurs.max} DEPENDING ON {f.occurs.depending_on}"
            if f.occurs.is_variable else str(f.occurs.max))
    if f.redefines:
        meta["cobol.redefines"] = f.redefines
    if f.variable_offset:
        meta["cobol.variable_offset"] = "true"
    return meta
