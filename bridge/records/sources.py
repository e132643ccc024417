"""Values to encode, read from JSON lines (nested, as `bridge decode` writes them), CSV or Parquet.

The result is an Arrow table whose columns are named and typed as `read_records` names and
types them, so `write_records` reads both the same way. Decimals are parsed exactly (JSON
numbers through `decimal.Decimal`, CSV text straight to decimal128).
"""
from __future__ import annotations

import json
from decimal import Context, ROUND_HALF_UP, Decimal
from typing import Any

import pyarrow as pa

from bridge.errors import EncodeError
from bridge.layout.model import Field, Layout, Record
from bridge.records.decode import RecordDecoder
from bridge.records.options import ReaderOptions
from bridge.records.plan import column_names

_WIDE = Context(prec=200)

__all__ = ["flatten_object", "read_values"]


def read_values(path: str, fmt: str, layout: Layout, *, record: str | None = None,
                rounding: str | None = None) -> pa.Table:
    """The table to encode from ``path`` in format ``fmt`` (jsonl, csv, parquet).

    JSON lines: numbers may be JSON numbers or strings (``"12.34"``, as pandas and Spark write
    exact decimals); a decimal with more places than its PICTURE is refused naming the line and
    field, unless ``rounding="half-up"``. Keys that are not items of the record are refused.
    """
    rec = layout.record(record)
    schema = RecordDecoder(layout, ReaderOptions(record=rec.name)).schema
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return _conform(pq.read_table(path), schema)
    if fmt == "csv":
        import pyarrow.csv as pacsv

        table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
            # Arrow's CSV reader has no decimal256: those columns stay text, which the codec parses exactly
            column_types={f.name: pa.string() if pa.types.is_decimal256(f.type) else f.type for f in schema},
            strings_can_be_null=False))
        return _conform(table, schema)
    names = column_names(layout)
    rows: dict[str, list] = {f.name: [] for f in schema}
    lines: list[int] = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line, parse_float=Decimal)
            except json.JSONDecodeError as exc:
                raise EncodeError(f"line {lineno} is not JSON: {exc.msg}", row=lineno - 1) from None
            try:
                flat = flatten_object(obj, rec, names)
            except EncodeError as exc:
                raise EncodeError(f"line {lineno}: {exc.reason}", row=lineno - 1, field=exc.field) from None
            unknown = set(flat) - set(rows)
            if unknown:
                raise EncodeError(f"line {lineno} has item(s) not in record {rec.name}: "
                                  f"{', '.join(sorted(unknown)[:5])}", row=lineno - 1)
            lines.append(lineno)
            for name, values in rows.items():
                values.append(flat.get(name))
    arrays = [_column_array(rows[f.name], f, lines, rounding) for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


def _column_array(values: list, column: pa.Field, lines: list[int], rounding: str | None) -> pa.Array:
    """One column of JSON values as Arrow, exactly; a value that does not fit names its line."""
    typ = column.type
    if pa.types.is_decimal(typ):
        places = Decimal(1).scaleb(-typ.scale)
        converted = []
        for value, lineno in zip(values, lines):
            if value is None:
                converted.append(None)
                continue
            try:
                d = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
            except (ArithmeticError, ValueError, TypeError):
                raise EncodeError(f"line {lineno}: {value!r} is not a number", row=lineno - 1,
                                  field=column.name) from None
            if not d.is_finite():
                raise EncodeError(f"line {lineno}: {value!r} is not a number", row=lineno - 1, field=column.name)
            if d.as_tuple().exponent < -typ.scale:
                if rounding != "half-up":
                    raise EncodeError(f"line {lineno}: {value} has more than the {typ.scale} decimal places of the "
                                      "PICTURE; use --round to round half-up", row=lineno - 1, field=column.name)
                d = d.quantize(places, rounding=ROUND_HALF_UP, context=_WIDE)  # 76 digits, never trapped
            converted.append(d)
        values = converted
    elif pa.types.is_integer(typ):
        values = [_integer(v, lineno, column.name) for v, lineno in zip(values, lines)]
    try:
        return pa.array(values, type=typ)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError) as exc:
        bad = next((i for i, v in enumerate(values) if not _fits(v, typ)), None)
        where = f"line {lines[bad]}: {values[bad]!r} " if bad is not None else ""
        raise EncodeError(f"{where}does not fit {typ} ({exc})", row=(lines[bad] - 1) if bad is not None else None,
                          field=column.name) from None


def _integer(value: Any, lineno: int, name: str) -> Any:
    if value is None or isinstance(value, bool) or isinstance(value, int):
        return value
    try:
        d = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
    except (ArithmeticError, ValueError, TypeError):
        raise EncodeError(f"line {lineno}: {value!r} is not a whole number", row=lineno - 1, field=name) from None
    if not d.is_finite():  # Infinity/NaN (JSON's extensions): no field holds them
        raise EncodeError(f"line {lineno}: {value} is not a number", row=lineno - 1, field=name)
    if d.adjusted() >= 80:  # int() of 1E+99999999 would build a 100-million-digit integer
        raise EncodeError(f"line {lineno}: {value} has more digits than any field holds", row=lineno - 1, field=name)
    if d != d.to_integral_value():
        raise EncodeError(f"line {lineno}: {value} is not a whole number", row=lineno - 1, field=name)
    return int(d)


def _fits(value: Any, typ: pa.DataType) -> bool:
    try:
        pa.array([value], type=typ)
        return True
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
        return False


def flatten_object(obj: dict[str, Any], record: Record, names: dict[tuple[str, ...], str]) -> dict[str, Any]:
    """One nested record object → {column name: value}."""
    out: dict[str, Any] = {}
    if len(obj) == 1 and record.name in obj and isinstance(obj[record.name], dict):
        obj = obj[record.name]  # written by a decode of several 01 records: one object per 01
    known = {c.name for c in record.root.children}
    unknown = sorted(k for k in obj if k not in known)
    if unknown:
        raise EncodeError(f"item(s) not in record {record.name}: {', '.join(unknown[:5])}", field=unknown[0])
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
    unknown = sorted(k for k in value if k not in {c.name for c in f.children})
    if unknown:
        raise EncodeError(f"item(s) not in group {f.name}: {', '.join(unknown[:5])}", field=unknown[0])
    for c in f.children:
        if c.name in value:
            _flatten(c, value[c.name], subs, names, out)


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    columns = []
    fields = []
    for f in schema:
        if f.name in table.column_names:
            col = table.column(f.name)
            if pa.types.is_decimal256(f.type) and pa.types.is_string(col.type):
                f = pa.field(f.name, pa.string())   # exact text for the codec (see read_values)
            columns.append(col.cast(f.type) if col.type != f.type else col)
            fields.append(f)
    unknown = [c for c in table.column_names if c not in schema.names]
    if unknown:
        raise EncodeError(f"column(s) not in the layout: {', '.join(unknown[:5])}", field=unknown[0])
    return pa.Table.from_arrays(columns, schema=pa.schema(fields))
