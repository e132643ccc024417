"""Where decoded tables go: JSON lines (nested), CSV or Parquet (flat), streamed batch by batch.

CSV and Parquet keep the flat columns of `read_records` (decimals exact: Parquet stores
decimal128 as such, CSV writes the decimal text with its scale). JSON lines nest groups and
OCCURS as `bridge.records.nested` describes.
"""
from __future__ import annotations

import contextlib
import sys
from typing import IO, Iterator

import pyarrow as pa

from bridge.layout.model import Layout

__all__ = ["open_sink"]


class _JsonlSink:
    def __init__(self, stream: IO[str], layout: Layout, reader) -> None:
        from bridge.records.nested import JsonlWriter

        decoder = reader.decoder
        self.stream = stream
        self.writer = JsonlWriter(layout, decoder.schema, records=decoder.records,
                                  selective=bool(reader.options.segment_map))

    def write(self, table: pa.Table) -> None:
        for line in self.writer.lines(table):
            self.stream.write(line)
            self.stream.write("\n")


class _CsvSink:
    def __init__(self, target, schema: pa.Schema) -> None:
        import pyarrow.csv as pacsv

        self.writer = pacsv.CSVWriter(target, schema)

    def write(self, table: pa.Table) -> None:
        self.writer.write_table(table)

    def close(self) -> None:
        self.writer.close()


class _ParquetSink:
    def __init__(self, path: str, schema: pa.Schema) -> None:
        import pyarrow.parquet as pq

        self.writer = pq.ParquetWriter(path, schema)

    def write(self, table: pa.Table) -> None:
        self.writer.write_table(table)

    def close(self) -> None:
        self.writer.close()


@contextlib.contextmanager
def open_sink(kind: str, output: str | None, *, layout: Layout, reader) -> Iterator:
    """A writer with ``write(table)`` for ``kind`` (jsonl, csv, parquet) to ``output`` or stdout."""
    if kind == "jsonl":
        stream = open(output, "w", encoding="utf-8", newline="\n") if output else sys.stdout
        try:
            yield _JsonlSink(stream, layout, reader)
        finally:
            if output:
                stream.close()
            else:
                stream.flush()
    elif kind == "csv":
        target = output if output else sys.stdout.buffer
        sink = _CsvSink(target, reader.schema)
        try:
            yield sink
        finally:
            sink.close()
            if not output:
                sys.stdout.buffer.flush()
    elif kind == "parquet":
        if output is None:
            raise ValueError("parquet needs an output file")
        sink = _ParquetSink(output, reader.schema)
        try:
            yield sink
        finally:
            sink.close()
    else:  # pragma: no cover - click validates
        raise ValueError(kind)
