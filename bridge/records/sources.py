"""Values to encode, read from JSON lines (nested, as `bridge decode` writes them), CSV or Parquet.

The result is an Arrow table whose columns are named and typed as `read_records` names and
types them, so `write_records` reads both the same way. Decimals are parsed exactly (JSON
numbers through `decimal.Decimal`, CSV text straight to decimal128).
"""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pyarrow as pa

from bridge.errors import EncodeError
from bridge.layout.model import Field, Layout, Record
from bridge.records.decode import RecordDecoder
from bridge.records.options import ReaderOptions
from bridge.records.plan import column_names

__all__ = ["flatten_object", "read_values"]


def read_values(path: str, fmt: str, layout: Layout, *, record: str | None = None) -> pa.Table:
    """The table to encode from ``path`` in format ``fmt`` (jsonl, csv, parquet)."""
    rec = layout.record(record)
    schema = RecordDecoder(layout, ReaderOptions(record=rec.name)).schema
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return _conform(pq.read_table(path), schema)
    if fmt == "csv":
        import pyarrow.csv as pacsv

        table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
            column_types={f.name: f.type for f in schema}, strings_can_be_null=False))
        return _conform(table, schema)
    names = column_names(layout)
    rows: dict[str, list] = {f.name: [] for f in schema}
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line, parse_float=Decimal)
            except json.JSONDecodeError as exc:
                raise EncodeError(f"line {lineno} is not JSON: {exc.msg}", row=lineno - 1) from None
            flat = flatten_object(obj, rec, names)
            unknown = set(flat) - set(rows)
            if unknown:
                raise EncodeError(f"line {lineno} has item(s) not in record {rec.name}: "
                                  f"{', '.join(sorted(unknown)[:5])}", row=lineno - 1)
            for name, values in rows.items():
                values.append(flat.get(name))
    arrays = []
    for f in schema:
        try:
            arrays.append(pa.array(rows[f.name], type=f.type))
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError) as exc:
            raise EncodeError(f"values do not fit {f.type}: {exc}", field=f.name) from None
    return pa.Table.from_arrays(arrays, schema=schema)


def flatten_object(obj: dict[str, Any], record: Record, names: dict[tuple[str, ...], str]) -> dict[str, Any]:
    """One nested record object → {column name: value}."""
    out: dict[str, Any] = {}
    if len(obj) == 1 and record.name in obj and isinstance(obj[record.name], dict):
        obj = obj[record.name]  # written by a decode of several 01 records: one object per 01
    for child in record.root.children:
        if child.name in obj:
            _flatten(child, obj[child.name], (), names, out)
    return out


def _flatten(f: Field, value: Any, subs: tuple[int, ...], names, out: dict[str, Any], in_occurs: bool = False) -> None:
    if value is None:
        return
    if f.occurs and not in_occurs:
        if not isinstance(value, list):
            raise EncodeError(f"{f.name} OCCURS {f.occurs.max}: expected an array, got {type(value).__name__}",
                              field=f.name)
        if len(value) > f.occurs.max:
            raise EncodeError(f"{f.name} has {len(value)} elements, more than OCCURS {f.occurs.max}", field=f.name)
        for i, item in enumerate(value, 1):
            _flatten(f, item, subs + (i,), names, out, in_occurs=True)
        return
    if f.is_elementary:
        base = names.get(f.path)
        if base is not None:
            out[f"{base}({','.join(map(str, subs))})" if subs else base] = value
        return
    if not isinstance(value, dict):
        raise EncodeError(f"{f.name} is a group: expected an object, got {type(value).__name__}", field=f.name)
    for c in f.children:
        if c.name in value:
            _flatten(c, value[c.name], subs, names, out)


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    columns = []
    fields = []
    for f in schema:
        if f.name in table.column_names:
            col = table.column(f.name)
            columns.append(col.cast(f.type) if col.type != f.type else col)
            fields.append(f)
    unknown = [c for c in table.column_names if c not in schema.names]
    if unknown:
        raise EncodeError(f"column(s) not in the layout: {', '.join(unknown[:5])}", field=unknown[0])
    return pa.Table.from_arrays(columns, schema=pa.schema(fields))
