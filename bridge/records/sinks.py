"""Where decoded tables go: JSON lines (nested), CSV or Parquet (flat), streamed batch by batch.

CSV and Parquet keep the flat columns of `read_records` (decimals exact: Parquet stores
decimal128 as such, CSV writes the decimal text with its scale, or Arrow's exponent form
``1E-12`` for tiny values of a large scale, which is exact too and which `encode` reads).
Parquet uses dictionary pages for strings only and keeps min/max statistics for integer
columns only: with both on for every column, Parquet was the slowest of the three formats.
JSON lines nest groups and OCCURS as `bridge.records.nested` describes, written by the
compiled `bridge.records.jsonl`.

CSV keeps null and the empty string apart, so that `encode` gets back what `decode` saw: a
null (an invalid number, an item past a short record or an ODO count, a REDEFINES view a
segment map did not choose) is an empty unquoted cell, and every string is quoted, the empty
string as ``""``. The header row holds the column names, quoted.

Rendering and writing run in one writer thread, so that they overlap the decoding of the
next batches (decoded on every core by `bridge.records.parallel`: the numba kernels and
Arrow's writers release the GIL); at most two batches wait
in between, so memory stays bounded by a few batches whatever the file size. An error in the
writer is raised by the next ``write`` or at the end. Files are created 0600.
"""
from __future__ import annotations

import contextlib
import os
import queue
import sys
import threading
from typing import IO, Callable, Iterator

import pyarrow as pa

from bridge.layout.model import Layout

__all__ = ["open_sink", "parquet_writer"]

_DONE = object()


class _WriterThread:
    """Calls ``consume(table)`` for each table in a thread of its own, in order."""

    def __init__(self, consume: Callable[[pa.Table], None], depth: int = 2) -> None:
        self._consume = consume
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="bridge-sink", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _DONE:
                return
            if self._error is None:
                try:
                    self._consume(item)
                except BaseException as exc:  # handed to the decoding thread, raised there
                    self._error = exc

    def write(self, table: pa.Table) -> None:
        self._raise()
        self._queue.put(table)

    def close(self, *, raise_error: bool = True) -> None:
        self._queue.put(_DONE)
        self._thread.join()
        if raise_error:
            self._raise()

    def _raise(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error


def _create(path: str) -> None:
    """Create (or empty) ``path`` readable by its owner only, before a writer opens it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)


def _write_all(stream: IO[bytes], data) -> None:
    """Write every byte of ``data``: a buffered write that meets a closed pipe part way returns the
    count written instead of raising, so the rest is written (and the error raised) by the next call."""
    view = memoryview(data).cast("B")
    while view.nbytes:
        written = stream.write(view)
        view = view[written or 0:]


@contextlib.contextmanager
def _binary_stream(output: str | None) -> Iterator[IO[bytes]]:
    if output is None or output == "-":
        sys.stdout.flush()
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(fd, "wb", buffering=1 << 20) as stream:
        yield stream


def parquet_writer(output: str, schema: pa.Schema):
    """A `pyarrow.parquet.ParquetWriter` for ``output`` (created 0600) with the settings of `open_sink`."""
    import pyarrow.parquet as pq

    _create(output)
    # dictionary pages pay off for strings (codes, names) only, and min/max statistics
    # of strings and decimals cost more than the rest of the write; integers keep theirs
    return pq.ParquetWriter(
        output, schema,
        use_dictionary=[f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)],
        write_statistics=[f.name for f in schema if pa.types.is_integer(f.type)])


@contextlib.contextmanager
def open_sink(kind: str, output: str | None, *, layout: Layout, reader) -> Iterator[_WriterThread]:
    """A writer with ``write(table)`` for ``kind`` (jsonl, csv, parquet) to ``output`` or stdout.

    Raises `ValueError` for parquet without an output file (the CLI refuses it first).
    """
    if kind == "parquet" and output in (None, "-"):
        raise ValueError("parquet needs an output file")
    if kind not in ("jsonl", "csv", "parquet"):  # pragma: no cover - click validates
        raise ValueError(kind)
    with contextlib.ExitStack() as stack:
        if kind == "jsonl":
            from bridge.records.jsonl import JsonlEncoder

            decoder = reader.decoder
            encoder = JsonlEncoder(layout, decoder.schema, records=decoder.records,
                                   selective=bool(reader.options.segment_map))
            stream = stack.enter_context(_binary_stream(output))

            def consume(table: pa.Table) -> None:
                _write_all(stream, encoder.render(table))
        elif kind == "csv":
            import pyarrow.csv as pacsv

            if output in (None, "-"):
                stream = stack.enter_context(_binary_stream(output))
                target = stream
            else:
                _create(output)
                target = output
            writer = pacsv.CSVWriter(target, reader.schema,
                                     write_options=pacsv.WriteOptions(quoting_style="needed"))
            stack.callback(writer.close)
            consume = writer.write_table
        else:
            writer = parquet_writer(output, reader.schema)
            stack.callback(writer.close)
            consume = writer.write_table
        thread = _WriterThread(consume)
        try:
            yield thread
        except BaseException:
            thread.close(raise_error=False)   # the decoding error is the one to report
            raise
        thread.close()
