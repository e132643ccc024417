"""Each record's own length, for RECFM F files without RDWs whose records vary in length.

Two ways a record says its length: its OCCURS DEPENDING ON counts (``--variable-occurs``: the
record is as long as its tables make it), or a record-length field (``--record-length-field
NAME``: the field's value, plus ``--record-length-adjust N`` when the producer does not count
what the field counts). The framer calls the function once per record with the bytes from the
record's start. This is the one per-record Python call of the read path, and only in these
modes: a record's length must be known before the next record can be found.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from bridge.codec.column import decode_column
from bridge.errors import FramingError, LayoutError
from bridge.layout.model import Layout
from bridge.records.options import ReaderOptions

__all__ = ["record_length_function"]


def record_length_function(layout: Layout, options: ReaderOptions) -> Callable[[np.ndarray], int]:
    """A function from a record's leading bytes to its length, for the one record type read."""
    record = layout.record(options.record)
    if options.record_length_field:
        return _length_field_function(record, options)
    if not record.has_odo:
        raise LayoutError(f"--variable-occurs needs a record with OCCURS DEPENDING ON; {record.name} has none")
    if record.has_nested_odo:
        return _nested_length_function(record, options)
    objects = [next(f for f in record.fields if f.path == p) for p in record.odo_objects]
    need = max(f.end for f in objects)
    codec = options.codec
    cache: dict[tuple[int, ...], int] = {}

    def length(head: np.ndarray) -> int:
        if head.shape[0] < need:
            raise FramingError(f"a record of {head.shape[0]} bytes is too short to hold its OCCURS DEPENDING "
                               f"ON counts (they end at byte {need})")
        row = np.ascontiguousarray(head[:need]).reshape(1, need)
        counts = []
        for f in objects:
            col = decode_column(row, f.offset, f, codec)
            if col.invalid[0] or col.array[0].as_py() is None:
                raise FramingError(f"OCCURS DEPENDING ON count {f.name} is not numeric: "
                                   f"{bytes(row[0, f.offset:f.end]).hex().upper()}")
            counts.append(int(col.array[0].as_py()))
        key = tuple(counts)
        if key not in cache:
            cache[key] = record.resolve(dict(zip(record.odo_objects, key))).length
        return cache[key]

    return length


def _nested_length_function(record, options: ReaderOptions) -> Callable[[np.ndarray], int]:
    """Nested OCCURS DEPENDING ON: the record's counts walked one by one (`bridge.records.nested_odo`);
    each distinct count's bytes are decoded once."""
    from bridge.records.decode import count_numbers
    from bridge.records.nested_odo import length_walker

    codec = options.codec
    tables = {f.occurs.depending_path: f for f in record.fields if f.occurs and f.occurs.depending_path}
    walk = length_walker(record)
    seen: dict[tuple[tuple[str, ...], bytes], tuple[int, bool]] = {}
    if options.odo_placement == "max":
        return lambda head: record.length

    def length(head: np.ndarray) -> int:
        def count_at(obj, at: int) -> int:
            if at + obj.length > head.shape[0]:
                raise FramingError(f"a record of {head.shape[0]} bytes is too short to hold its OCCURS DEPENDING "
                                   f"ON count {obj.name} (it ends at byte {at + obj.length})")
            raw = bytes(head[at:at + obj.length])
            key = (obj.path, raw)
            if key not in seen:
                row = np.frombuffer(raw, dtype=np.uint8).reshape(1, -1)
                values, invalid = count_numbers(decode_column(row, 0, obj, codec))
                seen[key] = (int(values[0]), bool(invalid[0]))
            value, invalid = seen[key]
            table = tables[obj.path]
            if invalid or not table.occurs.min <= value <= table.occurs.max:
                raise FramingError(f"OCCURS DEPENDING ON count {obj.name} at byte {at} of the record is "
                                   f"{'not numeric' if invalid else value}"
                                   f"{'' if invalid else f', outside {table.occurs.min} TO {table.occurs.max}'}"
                                   f": {raw.hex().upper()}")
            return value

        return walk(count_at)

    return length


def _length_field_function(record, options: ReaderOptions) -> Callable[[np.ndarray], int]:
    f = record.field(options.record_length_field)
    if not f.kind.is_numeric or f.dims or f.variable_offset:
        raise LayoutError(f"record length field {f.name} must be a number at a fixed offset, not "
                          f"{f.kind.value}{' in a table' if f.dims else ''}", field=f.name)
    codec = options.codec
    adjust = options.record_length_adjust

    def length(head: np.ndarray) -> int:
        if head.shape[0] < f.end:
            raise FramingError(f"a record of {head.shape[0]} bytes is too short to hold its length field "
                               f"{f.name} (it ends at byte {f.end})")
        row = np.ascontiguousarray(head[:f.end]).reshape(1, f.end)
        col = decode_column(row, f.offset, f, codec)
        value = col.array[0].as_py()
        if col.invalid[0] or value is None:
            raise FramingError(f"record length field {f.name} is not numeric: "
                               f"{bytes(row[0, f.offset:f.end]).hex().upper()}",
                               hint="check --record-length-field and --codepage")
        total = int(value) + adjust
        if total < f.end:
            raise FramingError(f"record length field {f.name} says {int(value)} (+{adjust}), shorter than the "
                               f"field itself", hint="check --record-length-adjust")
        return total

    return length
