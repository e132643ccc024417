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
    """Nested OCCURS DEPENDING ON: the record's counts walked one by one (`bridge.records.nested_odo`)."""
    from bridge.records.decode import count_numbers
    from bridge.records.nested_odo import gather, place

    codec = options.codec
    tables = {f.occurs.depending_path: f for f in record.fields if f.occurs and f.occurs.depending_path}

    def length(head: np.ndarray) -> int:
        row = np.ascontiguousarray(head).reshape(1, -1)

        def read_count(obj, subs, offsets, live):
            start = int(offsets[0])
            if live[0] and start + obj.length > row.shape[1]:
                raise FramingError(f"a record of {row.shape[1]} bytes is too short to hold its OCCURS DEPENDING "
                                   f"ON count {obj.name} (it ends at byte {start + obj.length})")
            values, invalid = count_numbers(decode_column(gather(row, offsets, obj.length), 0, obj, codec))
            table = tables[obj.path]
            if live[0] and (invalid[0] or not table.occurs.min <= values[0] <= table.occurs.max):
                shown = bytes(row[0, start:start + obj.length]).hex().upper()
                raise FramingError(f"OCCURS DEPENDING ON count {obj.name} at byte {start} of the record is "
                                   f"{'not numeric' if invalid[0] else int(values[0])}"
                                   f"{'' if invalid[0] else f', outside {table.occurs.min} TO {table.occurs.max}'}"
                                   f": {shown}")
            return values, np.zeros(1, dtype=bool)

        return int(place(record, 1, read_count).ends[0])

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
