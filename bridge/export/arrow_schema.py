"""Apache Arrow schemas of the decoded records, one `pyarrow.Schema` per 01 record.

The nested shape of the decoded JSONL records (`bridge.export.values`): the 01's items as top
fields, groups as structs, OCCURS as lists (of the actual count under ODO), FILLER and 66
RENAMES left out; field names keep the COBOL spelling (Arrow allows any string). Every field
is nullable, since invalid data decodes to null.

Type mapping: each elementary item has exactly the Arrow type `bridge.read_records` (and
Parquet from `mfbridge decode`) gives its column, taken from the codec itself
(`bridge.codec.column.arrow_type`), so a table built from this schema accepts the decoded data:

* integers (scale 0 or negative, any storage that fits): ``int64`` (``uint64`` for unsigned
  8-byte binary), decimals: ``decimal128(precision, scale)``, values of 19-38 digits exact;
* floats: ``float64`` (``float32`` for IEEE COMP-1);
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

from bridge.export.values import decoded_children, selected_records
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
        from bridge.codec.column import arrow_type

        dtype = arrow_type(f)
    if f.occurs is not None:
        dtype = pa.list_(dtype)
    return pa.field(f.name, dtype, nullable=True, metadata=_metadata(f))


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
