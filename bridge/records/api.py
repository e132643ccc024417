"""The Python API for record files: `read_records`, `iter_batches`, `write_records`, `patch_records`.

Bytes → records (`bridge.frame`) → columns (`RecordDecoder`) → DataFrame, and back through
`RecordEncoder`. Reader options are keywords spelled like the CLI flags (``recfm``,
``lrecl``, ``codepage``, ``rdw_endian``, ...); see `ReaderOptions`.
"""
from __future__ import annotations

import os
from collections import deque
from dataclasses import dataclass, field as dc_field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Callable, Iterable, Iterator

import numpy as np
import pyarrow as pa

from bridge.errors import EncodeError
from bridge.layout.model import Layout
from bridge.records.decode import DecodedBatch, RecordDecoder
from bridge.records.options import ReaderOptions

if TYPE_CHECKING:  # pandas is imported where a DataFrame is made: decode to JSONL/CSV never needs it
    import pandas as pd

__all__ = ["ReadSummary", "iter_batches", "open_reader", "read_records", "read_table"]

Source = str | os.PathLike | bytes | BinaryIO


@dataclass
class ReadSummary:
    """What a read saw: records, invalid values per column (null in the output)."""

    records: int = 0
    invalid: dict[str, int] = dc_field(default_factory=dict)
    unmapped: dict[str, int] = dc_field(default_factory=dict)   # segment selector values not in the map
    hint: str | None = None     # many invalid values and bytes of the other code page family: which

    @property
    def invalid_total(self) -> int:
        return sum(self.invalid.values())


class Reader:
    """A framed, decoding iterator over one file; `summary` is complete once iterated."""

    def __init__(self, source: Source, layout: Layout, options: ReaderOptions,
                 columns: Iterable[str] | None = None) -> None:
        from bridge.frame import iter_batches as iter_frames

        self.layout = layout
        self.options = options
        name = _display_name(source)
        if options.recfm == "TEXT":
            _refuse_text_for_binary(layout, options)
        self.decoder = RecordDecoder(layout, options, file=name, columns=columns)
        record_length = None
        if options.variable_occurs or options.record_length_field:
            from bridge.records.lengths import record_length_function

            record_length = record_length_function(layout, options)
        lrecl = options.lrecl or layout.length
        self._frames = iter_frames(source, options.frame(lrecl), batch_records=options.batch_records,
                                   record_length=record_length)
        self.summary = ReadSummary()

    @property
    def schema(self) -> pa.Schema:
        return self.decoder.schema

    def __iter__(self) -> Iterator[DecodedBatch]:
        return self.decode_frames(self._frames)

    def decode_frames(self, frames: Iterable) -> Iterator[DecodedBatch]:
        """Decode ``frames`` (this reader's framed batches, or a window of them) on ``options.threads``
        threads (default: every core this process may use), in order; `summary` follows each batch."""
        from bridge.records.parallel import decode_in_order, decode_threads

        for decoded in decode_in_order(frames, self.decoder, decode_threads(self.options.threads)):
            self.summary.records = self.decoder.records_read
            self.summary.invalid = dict(self.decoder.invalid)
            self.summary.unmapped = dict(self.decoder.unmapped)
            self.summary.hint = self.decoder.codepage_hint()
            yield decoded


def _refuse_text_for_binary(layout: Layout, options: ReaderOptions) -> None:
    from bridge.errors import FramingError
    from bridge.layout.model import Kind

    records = (layout.record(options.record),) if options.record else layout.records
    for r in records:
        for f in r.fields:
            if f.kind in (Kind.BINARY, Kind.PACKED, Kind.FLOAT):
                raise FramingError(
                    f"RECFM TEXT cannot carry {f.name} ({f.usage}): a text-mode transfer translates and "
                    "splits binary and packed bytes", hint="transfer the file in binary mode and read it as F or V")


def open_reader(source: Source, layout: Layout, *, columns: Iterable[str] | None = None,
                options: ReaderOptions | None = None, **reader_options: Any) -> Reader:
    """A `Reader` over ``source`` (path, bytes or binary file) with CLI-style reader options."""
    opts = ReaderOptions.from_kwargs(options, **reader_options)
    return Reader(source, layout, opts, columns)


def iter_batches(source: Source, layout: Layout, *, columns: Iterable[str] | None = None,
                 options: ReaderOptions | None = None, **reader_options: Any) -> Iterator[DecodedBatch]:
    """Decode ``source`` batch by batch (``batch_records`` records each), in file order.

    Batches are decoded on ``threads`` threads (default: every core this process may use), at
    most two per thread in flight, so memory stays bounded by a few batches.
    """
    yield from open_reader(source, layout, columns=columns, options=options, **reader_options)


def read_table(source: Source, layout: Layout, *, columns: Iterable[str] | None = None,
               options: ReaderOptions | None = None, **reader_options: Any) -> tuple[pa.Table, ReadSummary]:
    """The whole file as one Arrow table, with the read summary."""
    reader = open_reader(source, layout, columns=columns, options=options, **reader_options)
    tables = [b.table for b in reader]
    table = pa.concat_tables(tables) if tables else reader.schema.empty_table()
    return table, reader.summary


def read_records(source: Source, layout: Layout, *, columns: Iterable[str] | None = None,
                 options: ReaderOptions | None = None, **reader_options: Any) -> pd.DataFrame:
    """Decode a mainframe file into a DataFrame of flat, exactly typed (Arrow-backed) columns.

    Decimals are ``decimal128`` and integers ``int64`` Arrow columns (``pd.ArrowDtype``), strings
    Arrow strings; invalid values are null (or `InvalidDataError` with ``on_invalid="error"``).
    The read summary is in ``df.attrs["bridge"]``.
    """
    table, summary = read_table(source, layout, columns=columns, options=options, **reader_options)
    df = table_to_pandas(table)
    df.attrs["bridge"] = {"records": summary.records, "invalid": summary.invalid}
    return df


def table_to_pandas(table: pa.Table) -> pd.DataFrame:
    """Arrow table → DataFrame with Arrow dtypes (exact decimals, no object columns)."""
    import pandas as pd

    return table.to_pandas(types_mapper=pd.ArrowDtype, self_destruct=False)


def _display_name(source: Source) -> str | None:
    if isinstance(source, (str, os.PathLike)):
        return str(Path(source))
    return getattr(source, "name", None) if not isinstance(source, (bytes, bytearray, memoryview)) else None


# -- writing -----------------------------------------------------------------------------------

def write_records(data: pd.DataFrame | pa.Table, dest: str | os.PathLike | BinaryIO, layout: Layout, *,
                  truncate: bool = False, rounding: str | None = None, on_overflow: str = "error",
                  options: ReaderOptions | None = None, **writer_options: Any) -> int:
    """Encode ``data`` (columns named as `read_records` names them) into fresh records in ``dest``.

    Returns the number of records written. Values that do not fit their PICTURE raise
    `EncodeError` naming the row and field, unless: ``truncate=True`` for strings longer than
    their item (cut; numbers are never cut by it), ``on_overflow="truncate"`` for numbers with
    more digits than their PICTURE or negative in an unsigned item (the low-order digits and no
    sign, as COBOL's MOVE), ``rounding="half-up"`` for extra decimals.
    """
    from bridge.frame import FrameWriter, RecordBatch
    from bridge.records.encode import RecordEncoder

    opts = ReaderOptions.from_kwargs(options, **writer_options)
    table = data if isinstance(data, pa.Table) else pa.Table.from_pandas(data, preserve_index=False)
    encoder = RecordEncoder(layout, opts, truncate=truncate, rounding=rounding, on_overflow=on_overflow)
    lrecl = opts.lrecl or encoder.record.length if opts.recfm in ("F", "FB") else opts.lrecl or layout.length
    frame_opts = opts.frame(lrecl)
    written = 0
    with FrameWriter(dest, frame_opts) as writer:
        for start in range(0, max(table.num_rows, 1), opts.batch_records):
            chunk = table.slice(start, opts.batch_records)
            if chunk.num_rows == 0:
                break
            try:
                encoded = encoder.encode(chunk)
            except EncodeError as exc:  # rows of this batch → rows of the table
                raise EncodeError(exc.reason, row=None if exc.row is None else exc.row + start, field=exc.field,
                                  value=exc.value, picture=exc.picture) from None
            matrix, lengths = encoded.matrix, encoded.lengths
            if opts.recfm in ("F", "FB") and matrix.shape[1] != lrecl:
                too_long = np.flatnonzero(lengths > lrecl)
                if too_long.size and not truncate:
                    raise EncodeError(f"a record of {int(lengths[too_long[0]])} bytes does not fit LRECL {lrecl}; "
                                      "give the record's length as --lrecl, or --truncate to cut records",
                                      row=int(too_long[0]) + start)
                matrix, lengths = _fit_lrecl(matrix, lengths, lrecl, encoder.space)
            writer.write(RecordBatch(matrix=matrix, lengths=lengths, first_record=start))
            written += chunk.num_rows
    return written


def _fit_lrecl(matrix: np.ndarray, lengths: np.ndarray, lrecl: int, space: int):
    n, width = matrix.shape
    out = np.full((n, lrecl), space, dtype=np.uint8)
    out[:, :min(width, lrecl)] = matrix[:, :lrecl]
    return out, np.full(n, lrecl, dtype=np.int32)


def patch_records(source: Source, dest: str | os.PathLike | BinaryIO, layout: Layout,
                  update: Callable[[DecodedBatch], pa.Table | pd.DataFrame], *,
                  columns: Iterable[str] | None = None, rounding: str | None = None,
                  options: ReaderOptions | None = None, **reader_options: Any) -> ReadSummary:
    """Stream ``source`` to ``dest``, rewriting only the fields ``update`` returns, in place.

    ``update(batch)`` gets each decoded batch (only ``columns`` decoded when given) and returns
    a table or DataFrame of new values, one row per record, columns named as `read_records`
    names them; null leaves a field as it was. Every other byte is copied unchanged, and the
    framing (RDW/BDW, line ends, header and trailer bytes) is written back as read.
    """
    reader = open_reader(source, layout, columns=columns, options=options, **reader_options)
    with _Patcher(reader, dest, layout, rounding) as patcher:
        for batch in reader:
            patcher.write(batch, update(batch))
    return reader.summary


def patch_stream(source: Source, dest: str | os.PathLike | BinaryIO, layout: Layout,
                 start: Callable[[DecodedBatch], Any],
                 finish: Callable[[DecodedBatch, Any], pa.Table | pd.DataFrame], *, ahead: int = 1,
                 columns: Iterable[str] | None = None, rounding: str | None = None,
                 options: ReaderOptions | None = None, **reader_options: Any) -> ReadSummary:
    """`patch_records` with ``update`` in two steps, ``ahead`` batches apart, for work that overlaps.

    ``start(batch)`` is called for each batch as soon as it is decoded, and ``finish(batch,
    started)`` with what it returned once ``ahead`` more batches have been read and started;
    ``finish`` returns the new values as ``update`` does. A ``start`` that hands work to other
    threads (a prediction that releases the GIL) thus runs while the next batches are read and
    decoded and the previous ones patched and written; memory holds ``ahead + 1`` batches.
    Calls to ``finish`` and the writes stay in file order; an error in reading or starting a
    batch is raised after every batch before it has been finished and written, as
    `patch_records` would have.
    """
    if ahead < 1:
        raise ValueError(f"ahead must be at least 1, not {ahead}")
    reader = open_reader(source, layout, columns=columns, options=options, **reader_options)
    batches = iter(reader)
    pending: deque[tuple[DecodedBatch, Any]] = deque()
    with _Patcher(reader, dest, layout, rounding) as patcher:
        while True:
            try:
                batch = next(batches, None)
                if batch is not None:
                    pending.append((batch, start(batch)))
            except Exception:
                # the batches before this one are written first, as in order
                while pending:
                    done = pending.popleft()
                    patcher.write(done[0], finish(*done))
                raise
            if batch is None or len(pending) > ahead:
                while pending and (batch is None or len(pending) > ahead):
                    done = pending.popleft()
                    patcher.write(done[0], finish(*done))
            if batch is None:
                break
    return reader.summary


class _Patcher:
    """Patches the new values of each batch into its records and writes them with the input's framing.

    The write of a batch runs in a thread of its own while the next batch is patched (the
    system call releases the GIL): one write at a time, in file order; a write's error is
    raised by the next `write` or on exit, and the file is then discarded as before.
    """

    def __init__(self, reader: Reader, dest: str | os.PathLike | BinaryIO, layout: Layout,
                 rounding: str | None) -> None:
        from concurrent.futures import ThreadPoolExecutor

        from bridge.frame import FrameWriter
        from bridge.records.encode import RecordEncoder

        self.encoder = RecordEncoder(layout, reader.options, rounding=rounding)
        lrecl = reader.options.lrecl or layout.length
        self.writer = FrameWriter(dest, reader.options.frame(lrecl))
        self._io = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bridge-write")
        self._writing: Any = None

    def _written(self) -> None:
        """Wait for the write in flight; raises its error."""
        writing, self._writing = self._writing, None
        if writing is not None:
            writing.result()

    def write(self, batch: DecodedBatch, new: pa.Table | pd.DataFrame | None) -> None:
        if new is not None and not isinstance(new, pa.Table):  # a DataFrame
            new = pa.Table.from_pandas(new, preserve_index=False)
        frame = batch.frame
        if new is not None and new.num_columns:
            if new.num_rows != frame.matrix.shape[0]:
                raise ValueError(f"update returned {new.num_rows} rows for a batch of {frame.matrix.shape[0]}")
            # a short V record is never lengthened; a text line's padding is part of its record
            limit = None if self.encoder.options.recfm == "TEXT" else frame.lengths
            try:
                frame = replace(frame, matrix=self.encoder.patch(frame.matrix, new, lengths=limit))
            except EncodeError as exc:  # rows of this batch → rows of the file (0-based)
                raise EncodeError(exc.reason, row=None if exc.row is None else exc.row + frame.first_record,
                                  field=exc.field, value=exc.value, picture=exc.picture) from None
        self._written()
        self._writing = self._io.submit(self.writer.write, frame)

    def __enter__(self) -> _Patcher:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        try:
            # a failed write of an earlier batch is the error to report, before a later batch's
            self._written()
        except BaseException as exc:
            self._io.shutdown(wait=True)
            self.writer.__exit__(type(exc), exc, exc.__traceback__)
            raise
        self._io.shutdown(wait=True)
        self.writer.__exit__(*exc_info)
