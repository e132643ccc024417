"""Encode a file of several record types (one 01 record per row), as `decode --segment-map` wrote it.

A copybook with several 01 records decoded with a segment map gives each record the items
of the one 01 the map chose; the others are null (and left out of JSON lines). Encoding it
back needs the record type of every row: it is the one 01 whose items have values in that
row. A row with values for several 01 records (a decode without a segment map decodes every
record as every type) cannot be written as one record and is refused, naming the record and
the option that chooses one type (``--record``). Each type's rows are encoded by that type's
`RecordEncoder` and the records are written in their original order.
"""
from __future__ import annotations

import os
from typing import BinaryIO

import numpy as np
import pyarrow as pa

from bridge.errors import EncodeError
from bridge.layout.model import Layout
from bridge.records.decode import RecordDecoder
from bridge.records.options import ReaderOptions

__all__ = ["record_type_columns", "row_record_types", "write_record_types"]


def record_type_columns(layout: Layout) -> list[list[str]]:
    """The column names of each 01 record of ``layout``, in layout order."""
    return [RecordDecoder(layout, ReaderOptions(record=r.name)).schema.names for r in layout.records]


def row_record_types(table: pa.Table, layout: Layout) -> np.ndarray:
    """The index (into ``layout.records``) of the 01 record each row has values for.

    Raises `EncodeError` for a row with values of no record type or of several.
    """
    n = table.num_rows
    has = np.zeros((len(layout.records), n), dtype=bool)
    for k, names in enumerate(record_type_columns(layout)):
        for name in names:
            if name in table.column_names:
                has[k] |= np.asarray(table.column(name).is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    count = has.sum(axis=0)
    if n and (count != 1).any():
        row = int(np.flatnonzero(count != 1)[0])
        names = [layout.records[k].name for k in np.flatnonzero(has[:, row])]
        if not names:
            raise EncodeError("has no values of any record type", row=row)
        raise EncodeError(f"has values of several record types ({', '.join(names)}); a record is one type: "
                          "decode with --segment-field/--segment-map, or encode one type with --record NAME", row=row)
    return np.argmax(has, axis=0) if n else np.zeros(0, dtype=np.int64)


def write_record_types(table: pa.Table, types: np.ndarray, dest: str | os.PathLike | BinaryIO, layout: Layout, *,
                       truncate: bool = False, rounding: str | None = None, on_overflow: str = "error",
                       **writer_options) -> int:
    """Write each row of ``table`` as the record type ``types`` gives it; returns the records written."""
    from bridge.codec.codepage import codepage
    from bridge.frame import FrameWriter, RecordBatch
    from bridge.records.encode import RecordEncoder

    opts = ReaderOptions.from_kwargs(None, **writer_options)
    encoders = [RecordEncoder(layout, opts, record=r.name, truncate=truncate, rounding=rounding,
                              on_overflow=on_overflow)
                for r in layout.records]
    columns = record_type_columns(layout)
    lrecl = opts.lrecl or layout.length
    fixed = opts.recfm in ("F", "FB")
    space = codepage(opts.codec.codepage).space
    written = 0
    with FrameWriter(dest, opts.frame(lrecl)) as writer:
        for start in range(0, table.num_rows, opts.batch_records):
            chunk = table.slice(start, opts.batch_records)
            kinds = types[start:start + chunk.num_rows]
            width = lrecl if fixed else max(r.length for r in layout.records)
            matrix = np.full((chunk.num_rows, width), space, dtype=np.uint8)
            lengths = np.full(chunk.num_rows, lrecl, dtype=np.int32)
            for k, encoder in enumerate(encoders):
                rows = np.flatnonzero(kinds == k)
                if rows.size == 0:
                    continue
                part = chunk.take(pa.array(rows)).select([c for c in columns[k] if c in chunk.column_names])
                try:
                    encoded = encoder.encode(part)
                except EncodeError as exc:  # rows of this type → rows of the table
                    row = None if exc.row is None else int(rows[exc.row]) + start
                    raise EncodeError(exc.reason, row=row, field=exc.field, value=exc.value,
                                      picture=exc.picture) from None
                if fixed and encoded.matrix.shape[1] > lrecl and (encoded.lengths > lrecl).any():
                    bad = int(rows[np.flatnonzero(encoded.lengths > lrecl)[0]]) + start
                    raise EncodeError(f"a {layout.records[k].name} record of {int(encoded.lengths.max())} bytes "
                                      f"does not fit LRECL {lrecl}; give the record's length as --lrecl", row=bad)
                cut = min(encoded.matrix.shape[1], width)
                matrix[rows, :cut] = encoded.matrix[:, :cut]
                if not fixed:
                    lengths[rows] = encoded.lengths
            writer.write(RecordBatch(matrix=matrix, lengths=lengths, first_record=start))
            written += chunk.num_rows
    return written

