"""Values to encode, read from JSON lines (nested, as `mfbridge decode` writes them), CSV or Parquet.

The result is an Arrow table whose columns are named and typed as `read_records` names and
types them, so `write_records` reads both the same way. Decimals are parsed exactly (JSON
numbers through `decimal.Decimal`, CSV text straight to decimal128).

CSV is read as `bridge.records.sinks` writes it, which is what keeps null and the empty
string apart: an empty unquoted cell is null, ``""`` is the empty string (a string item of
spaces after ``--trim``). Every column is first read as text and then converted column by
column, so a cell that is not a number of its column names its record and field; a quote
that is never closed is refused with the line it opens on, instead of swallowing the rest of
the file into one cell.
"""
from __future__ import annotations

import json
from decimal import Context, ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bridge.errors import EncodeError
from bridge.layout.model import Field, Layout, Record
from bridge.records.decode import RecordDecoder
from bridge.records.formats import check_content, choose_format
from bridge.records.options import ReaderOptions
from bridge.records.plan import column_names

_WIDE = Context(prec=200)

__all__ = ["flatten_object", "read_values"]


def read_values(path: str, fmt: str | None, layout: Layout, *, record: str | None = None,
                rounding: str | None = None) -> pa.Table:
    """The table to encode from ``path`` in format ``fmt`` (jsonl, csv, parquet; None: by the suffix).

    JSON lines: numbers may be JSON numbers or strings (``"12.34"``, as pandas and Spark write
    exact decimals); a decimal with more places than its PICTURE is refused naming the line and
    field, unless ``rounding="half-up"``. Keys that are not items of the record are refused.
    Raises `EncodeError` when the file's content is not ``fmt`` (naming the format it is) or a
    value does not fit its column.
    """
    try:
        fmt = choose_format(fmt, path, option="--from")
    except ValueError as exc:
        raise EncodeError(str(exc)) from None
    check_content(path, fmt)
    several = record is None and len(layout.records) > 1
    rec = None if several else layout.record(record)
    # several 01 records and none named: every record type's columns (bridge.records.record_types)
    schema = RecordDecoder(layout, ReaderOptions(record=None if several else rec.name)).schema
    if fmt == "parquet":
        import pyarrow.parquet as pq

        try:
            table = pq.read_table(path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise EncodeError(f"{Path(path).name} is not a readable Parquet file: {_first_line(exc)}") from None
        return _conform(table, schema)
    if fmt == "csv":
        return _conform(_read_csv(path, schema, rounding), schema)
    return _read_jsonl(path, layout, rec, schema, rounding)


def _read_jsonl(path: str, layout: Layout, rec: Record | None, schema: pa.Schema, rounding: str | None) -> pa.Table:
    names = column_names(layout)
    known = {r.name: {c.name for c in r.root.children} for r in layout.records}
    rows: dict[str, list] = {f.name: [] for f in schema}
    lines: list[int] = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            row = len(lines)
            try:
                obj = json.loads(line, parse_float=Decimal)
            except json.JSONDecodeError as exc:
                raise EncodeError(f"line {lineno} is not JSON: {exc.msg}", row=row) from None
            except RecursionError:   # no record nests this deep: a hostile or broken line
                raise EncodeError(f"line {lineno} nests arrays or objects deeper than any record", row=row) from None
            if not isinstance(obj, dict):
                raise EncodeError(f"line {lineno} is not a JSON object (one record per line)", row=row)
            try:
                if rec is not None:
                    flat = flatten_object(obj, rec, names)
                else:
                    flat = _flatten_any(obj, layout, known, names)
            except EncodeError as exc:
                raise EncodeError(f"line {lineno}: {exc.reason}", row=row, field=exc.field) from None
            unknown = set(flat) - set(rows)
            if unknown:
                raise EncodeError(f"line {lineno} has item(s) not in record {rec.name if rec else 'any 01 record'}: "
                                  f"{', '.join(sorted(unknown)[:5])}", row=row)
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
        for row, (value, lineno) in enumerate(zip(values, lines)):
            if value is None:
                converted.append(None)
                continue
            try:
                d = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
            except (ArithmeticError, ValueError, TypeError):
                raise EncodeError(f"line {lineno}: {value!r} is not a number", row=row,
                                  field=column.name) from None
            if not d.is_finite():
                raise EncodeError(f"line {lineno}: {value!r} is not a number", row=row, field=column.name)
            if d.as_tuple().exponent < -typ.scale:
                if rounding != "half-up":
                    raise EncodeError(f"line {lineno}: {value} has more than the {typ.scale} decimal places of the "
                                      "PICTURE; use --round to round half-up", row=row, field=column.name)
                d = d.quantize(places, rounding=ROUND_HALF_UP, context=_WIDE)  # 76 digits, never trapped
            converted.append(d)
        values = converted
    elif pa.types.is_integer(typ):
        values = [_integer(v, lineno, row, column.name) for row, (v, lineno) in enumerate(zip(values, lines))]
    elif pa.types.is_floating(typ):
        values = [_float(v, lineno, row, column.name) for row, (v, lineno) in enumerate(zip(values, lines))]
    try:
        return pa.array(values, type=typ)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError) as exc:
        bad = next((i for i, v in enumerate(values) if not _fits(v, typ)), None)
        where = f"line {lines[bad]}: {_short(values[bad])} " if bad is not None else ""
        raise EncodeError(f"{where}does not fit {typ}", row=bad, field=column.name) from None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:24]}... ({len(text)} characters)"


def _integer(value: Any, lineno: int, row: int, name: str) -> Any:
    if value is None or isinstance(value, bool) or isinstance(value, int):
        return value
    try:
        d = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
    except (ArithmeticError, ValueError, TypeError):
        raise EncodeError(f"line {lineno}: {value!r} is not a whole number", row=row, field=name) from None
    if not d.is_finite():  # Infinity/NaN (JSON's extensions): no field holds them
        raise EncodeError(f"line {lineno}: {value} is not a number", row=row, field=name)
    if d.adjusted() >= 80:  # int() of 1E+99999999 would build a 100-million-digit integer
        raise EncodeError(f"line {lineno}: {value} has more digits than any field holds", row=row, field=name)
    if d != d.to_integral_value():
        raise EncodeError(f"line {lineno}: {value} is not a whole number", row=row, field=name)
    return int(d)


def _float(value: Any, lineno: int, row: int, name: str) -> Any:
    """A JSON number (parsed as Decimal) or numeric string as the float it spells (COMP-1/COMP-2)."""
    if value is None or isinstance(value, float):
        return value
    if isinstance(value, bool):
        raise EncodeError(f"line {lineno}: {value!r} is not a number", row=row, field=name)
    try:
        return float(value.strip() if isinstance(value, str) else value)
    except (ValueError, TypeError, OverflowError):
        raise EncodeError(f"line {lineno}: {value!r} is not a number", row=row, field=name) from None


def _fits(value: Any, typ: pa.DataType) -> bool:
    try:
        pa.array([value], type=typ)
        return True
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
        return False


def _flatten_any(obj: dict[str, Any], layout: Layout, known: dict[str, set[str]],
                 names: dict[tuple[str, ...], str]) -> dict[str, Any]:
    """A record object of a copybook with several 01 records → {column name: value}.

    Either one object per 01 record (``{"REC-A": {...}, "REC-B": {...}}``, as a decode without
    a segment map writes it) or the items of the one 01 a segment map chose.
    """
    if obj and all(k in known and isinstance(v, dict) for k, v in obj.items()):
        flat: dict[str, Any] = {}
        for name, value in obj.items():
            flat.update(flatten_object(value, layout.record(name), names))
        return flat
    for r in layout.records:
        if set(obj) <= known[r.name]:
            return flatten_object(obj, r, names)
    raise EncodeError(f"item(s) of no one 01 record: {', '.join(sorted(obj)[:5])}")


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
                f = pa.field(f.name, pa.string())   # exact text for the codec
            try:
                columns.append(col.cast(f.type) if col.type != f.type else col)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise EncodeError(f"column of {col.type} cannot be read as {f.type}: {_first_line(exc)}",
                                  field=f.name) from None
            fields.append(f)
    unknown = [c for c in table.column_names if c not in schema.names]
    if unknown:
        raise EncodeError(f"column(s) not in the layout: {', '.join(unknown[:5])}", field=unknown[0])
    return pa.Table.from_arrays(columns, schema=pa.schema(fields))


# -- CSV ---------------------------------------------------------------------------------------

_QUOTE, _NEWLINE, _COMMA = ord('"'), ord("\n"), ord(",")
_INTEGER = r"^\s*[+-]?[0-9]+\s*$"
_DECIMAL = r"^\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\s*$"   # Arrow writes 1E-10


def _read_csv(path: str, schema: pa.Schema, rounding: str | None) -> pa.Table:
    """A CSV as decode writes it (header row, null = empty unquoted cell) → typed columns."""
    import pyarrow.csv as pacsv

    name = Path(path).name
    _refuse_unclosed_quote(path)
    parse = pacsv.ParseOptions(newlines_in_values=True)
    convert = pacsv.ConvertOptions(column_types={f.name: pa.string() for f in schema}, strings_can_be_null=True,
                                   quoted_strings_can_be_null=False, null_values=[""])
    try:
        text = pacsv.read_csv(path, parse_options=parse, convert_options=convert)
    except pa.ArrowInvalid as exc:
        # read again on one thread: only then does Arrow's message carry the line ("Row #12")
        try:
            pacsv.read_csv(path, read_options=pacsv.ReadOptions(use_threads=False), parse_options=parse,
                           convert_options=convert)
        except pa.ArrowInvalid as again:
            exc = again
        raise EncodeError(f"{name} is not CSV as decode writes it: {_first_line(exc)}") from None
    lines = _line_numbers(text)
    columns, fields = [], []
    for column in schema:
        if column.name in text.column_names:
            columns.append(_text_column(text.column(column.name).combine_chunks(), column, rounding, lines))
            fields.append(column)
    others = [c for c in text.column_names if c not in schema.names]
    return pa.Table.from_arrays(columns + [text.column(c) for c in others],
                                schema=pa.schema(fields + [text.schema.field(c) for c in others]))


def _refuse_unclosed_quote(path: str, block: int = 1 << 24) -> None:
    """Raise if a quoted cell is never closed (an odd number of quote characters in the file).

    A cell opened by ``"`` ends at the next lone ``"``; doubled quotes inside it come in pairs,
    so a well-formed file holds an even number. Counted block by block, in bounded memory.
    """
    quotes = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(block):
            quotes += int(np.count_nonzero(np.frombuffer(chunk, dtype=np.uint8) == _QUOTE))
    if quotes % 2 == 0:
        return
    # the unclosed cell opens at the last quote that starts a cell while the count is odd
    data = np.fromfile(path, dtype=np.uint8)
    at = np.flatnonzero(data == _QUOTE)
    odd = at[0::2]                       # each opening quote (1st, 3rd, ...) leaves the count odd
    before = np.where(odd > 0, data[np.maximum(odd - 1, 0)], _NEWLINE)
    starts = odd[(before == _COMMA) | (before == _NEWLINE) | (odd == 0)]
    opening = int(starts[-1] if starts.size else odd[-1])
    line = int(np.count_nonzero(data[:opening] == _NEWLINE)) + 1
    raise EncodeError(f"{Path(path).name} line {line}: a quoted cell opens here and is never closed "
                      "(a missing \" or a file cut short)")


def _line_numbers(text: pa.Table) -> np.ndarray | None:
    """The line each data row starts on, when no cell holds a line break (else None: say "record")."""
    for column in text.columns:
        if pa.types.is_string(column.type) and pc.any(pc.match_substring(column, "\n")).as_py():
            return None
    return np.arange(2, text.num_rows + 2)


def _text_column(values: pa.Array, column: pa.Field, rounding: str | None, lines: np.ndarray | None) -> pa.Array:
    """One CSV column (text, null where the cell was empty and unquoted) as its layout type, exactly."""
    typ = column.type
    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        return values.cast(typ)
    if pa.types.is_decimal(typ):
        _refuse_unmatched(values, _DECIMAL, column, lines, "is not a number")
        trimmed = pc.utf8_trim_whitespace(values)
        try:
            return pc.cast(trimmed, typ)
        except pa.ArrowInvalid:
            pass
        if rounding == "half-up":
            # the widest scale that still holds the integer digits, then half away from zero
            wide = pa.decimal128(38, max(typ.scale, 37 - (typ.precision - typ.scale)))
            return _cast(pc.round(_cast(trimmed, wide, column, lines), ndigits=typ.scale,
                                  round_mode="half_towards_infinity"), typ, column, lines)
        for row, text in enumerate(trimmed.to_pylist()):   # an error path: find the cell
            if text is not None and Decimal(text).as_tuple().exponent < -typ.scale:
                raise EncodeError(f"{_where(row, lines)}{text} has more than the {typ.scale} decimal places of "
                                  "the PICTURE; use --round to round half-up", row=row, field=column.name)
        return _cast(trimmed, typ, column, lines)
    if pa.types.is_integer(typ):
        _refuse_unmatched(values, _INTEGER, column, lines, "is not a whole number")
        return _cast(pc.utf8_trim_whitespace(values), typ, column, lines)
    return _cast(pc.utf8_trim_whitespace(values), typ, column, lines)   # floats: 1.5, -2e-07, nan, inf


def _refuse_unmatched(values: pa.Array, pattern: str, column: pa.Field, lines, what: str) -> None:
    bad = pc.invert(pc.fill_null(pc.match_substring_regex(values, pattern), True))
    if pc.any(bad).as_py():
        row = _first(bad)
        raise EncodeError(f"{_where(row, lines)}{values[row].as_py()!r} {what}", row=row, field=column.name)


def _cast(values: pa.Array, typ: pa.DataType, column: pa.Field, lines) -> pa.Array:
    try:
        return pc.cast(values, typ)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        # find the cell (an error path: one value at a time is fine here)
        for row in range(len(values)):
            try:
                pc.cast(values.slice(row, 1), typ)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                raise EncodeError(f"{_where(row, lines)}{values[row].as_py()!r} does not fit {typ}", row=row,
                                  field=column.name) from None
        raise EncodeError(f"does not fit {typ}: {_first_line(exc)}", field=column.name) from None


def _first(mask: pa.Array) -> int:
    return int(np.flatnonzero(mask.to_numpy(zero_copy_only=False))[0])


def _where(row: int, lines: np.ndarray | None) -> str:
    return f"line {int(lines[row])}: " if lines is not None else ""


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
