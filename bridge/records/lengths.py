"""Each record's own length, for RECFM F files without RDWs whose tables vary (``--variable-occurs``).

The framer calls the function once per record with the bytes from the record's start: the
ODO counts are read from their fixed offsets and the record is as long as its tables make it.
This is the one per-record Python call of the read path, and only in this mode: the counts
must be known before the next record can be found.
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
    if not record.has_odo:
        raise LayoutError(f"--variable-occurs needs a record with OCCURS DEPENDING ON; {record.name} has none")
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
