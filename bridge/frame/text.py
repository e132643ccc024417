"""RECFM TEXT: records as lines, for files that went through a text-mode transfer.

Line ends are found with one vectorised search per chunk. Each record's line end is kept
(`LineEnd`), so a file with mixed LF/CRLF lines or a last line without an end is written back
byte for byte. Rows are padded with `text_space` (the code page's space), because text
transfers trim trailing blanks and the record was blank-padded on the mainframe; `lengths`
still gives the line's own length, which is what is written back.

``auto`` decides once per file: the first LF or EBCDIC NL (x'15') in the data picks LF/CRLF
or NL lines; a file with neither is one line without an end.
"""
from __future__ import annotations

from enum import IntEnum
from typing import Iterator

import numpy as np

from bridge.errors import FramingError
from bridge.frame.batch import BatchBuilder, RecordBatch
from bridge.frame.options import FrameOptions
from bridge.frame.source import ByteSource, ChunkReader

__all__ = ["LineEnd", "LINE_END_BYTES", "iter_text", "default_line_end"]

LF, CR, NL = 0x0A, 0x0D, 0x15
CHUNK_SIZE = 4 << 20


class LineEnd(IntEnum):
    """How one TEXT record ended in the file (`RecordBatch.line_ends`)."""

    NONE = 0    # last line of a file that does not end with a line end
    LF = 1
    CRLF = 2
    NL = 3      # EBCDIC new line x'15'


LINE_END_BYTES = {LineEnd.NONE: b"", LineEnd.LF: b"\n", LineEnd.CRLF: b"\r\n", LineEnd.NL: b"\x15"}


def default_line_end(options: FrameOptions) -> LineEnd:
    """Line end for new records: the option's, or for ``auto`` NL with an EBCDIC space, else LF."""
    mode = options.text_newline
    if mode == "lf":
        return LineEnd.LF
    if mode == "crlf":
        return LineEnd.CRLF
    if mode == "nl":
        return LineEnd.NL
    return LineEnd.NL if options.text_space == 0x40 else LineEnd.LF


def _terminator(mode: str) -> tuple[int | None, bool]:
    """(line-end byte, whether a CR before it belongs to the line end) for an explicit mode."""
    return {"lf": (LF, False), "crlf": (LF, True), "nl": (NL, False)}.get(mode, (None, False))


def _decide(chunk: np.ndarray) -> tuple[int | None, bool]:
    """For ``auto``: LF (CR optional) or NL, whichever comes first in `chunk`; None if neither."""
    data = chunk.tobytes() if len(chunk) < 4096 else None
    lf = (data.find(b"\n") if data is not None else _first(chunk, LF))
    nl = (data.find(b"\x15") if data is not None else _first(chunk, NL))
    if lf < 0 and nl < 0:
        return None, False
    if nl < 0 or 0 <= lf < nl:
        return LF, True
    return NL, False


def _first(chunk: np.ndarray, value: int) -> int:
    hits = np.flatnonzero(chunk == value)
    return int(hits[0]) if len(hits) else -1


def iter_text(src: ByteSource, options: FrameOptions, *, batch_records: int,
              batch_bytes: int) -> Iterator[RecordBatch]:
    """Batches of a TEXT file, one record per line."""
    term, strip_cr = _terminator(options.text_newline)
    lrecl = options.lrecl
    per_batch = batch_records if lrecl is None else max(1, min(batch_records, batch_bytes // lrecl))
    max_cells = max(batch_bytes, 1)
    reader = ChunkReader(src, CHUNK_SIZE)
    builder = BatchBuilder(lrecl=lrecl, pad=options.text_space, with_line_ends=True)
    first = 0
    header = src.header
    yielded = False
    pos = 0
    reader.refill(0)
    while True:
        chunk, end = reader.chunk, reader.end
        if term is None:
            term, strip_cr = _decide(chunk[pos:end])
        if term is not None and builder.count < per_batch:
            ends = np.flatnonzero(chunk[pos:end] == term)[: per_batch - builder.count] + pos
            if len(ends):
                starts = np.empty_like(ends)
                starts[0] = pos
                starts[1:] = ends[:-1] + 1
                data_end = ends.copy()
                codes = np.full(len(ends), LineEnd.LF if term == LF else LineEnd.NL, dtype=np.int8)
                if strip_cr:
                    cr = (ends > starts) & (chunk[np.maximum(ends - 1, 0)] == CR)
                    data_end[cr] -= 1
                    codes[cr] = LineEnd.CRLF
                lengths = data_end - starts
                keep = _within_cells(lengths, builder.count, builder.widest, lrecl, max_cells)
                if keep:
                    starts, lengths, codes = starts[:keep], lengths[:keep], codes[:keep]
                    _check_lrecl(lengths, starts, reader, first + builder.count, lrecl)
                    builder.add(chunk, reader.base, starts, lengths, line_ends=codes)
                    pos = int(ends[keep - 1]) + 1
                if keep < len(ends):
                    per_batch = builder.count      # cell limit reached: close this batch
        done = False
        if builder.count < per_batch:
            if not reader.at_end:
                if lrecl is not None and end - pos > lrecl + (0 if term == NL else 1):
                    _raise_long_line(reader, pos, end - pos, first + builder.count, lrecl)
                reader.refill(pos)
                pos = 0
                continue
            if pos < end:
                length = np.array([end - pos], dtype=np.int64)
                _check_lrecl(length, np.array([pos]), reader, first + builder.count, lrecl)
                builder.add(chunk, reader.base, np.array([pos]), length,
                            line_ends=np.array([LineEnd.NONE], dtype=np.int8))
                pos = end
            done = True
        elif reader.at_end and pos >= end:
            done = True
        count = builder.count
        if count or not yielded or (done and src.trailer):
            yield builder.build(first_record=first, header=header,
                                trailer=src.trailer if done else b"")
            header = b""
            yielded = True
            first += count
        if lrecl is None:
            per_batch = batch_records
        else:
            per_batch = max(1, min(batch_records, batch_bytes // lrecl))
        if done:
            return


def _within_cells(lengths: np.ndarray, count: int, widest: int, lrecl: int | None,
                  max_cells: int) -> int:
    """How many of these lines fit the batch before its matrix would pass `max_cells` bytes."""
    if lrecl is not None:
        return len(lengths)
    width = np.maximum(np.maximum.accumulate(lengths), widest)
    fits = (count + np.arange(1, len(lengths) + 1)) * width <= max_cells
    if count == 0:
        fits[0] = True      # a batch always takes at least one record
    return len(lengths) if fits.all() else int(np.argmin(fits))


def _check_lrecl(lengths: np.ndarray, starts: np.ndarray, reader: ChunkReader, record: int,
                 lrecl: int | None) -> None:
    if lrecl is None:
        return
    long = np.flatnonzero(lengths > lrecl)
    if len(long):
        i = int(long[0])
        _raise_long_line(reader, int(starts[i]), int(lengths[i]), record + i, lrecl)


def _raise_long_line(reader: ChunkReader, pos: int, length: int, record: int, lrecl: int) -> None:
    raise FramingError(f"line of {length} bytes is longer than LRECL {lrecl}"
                       + (" (no line end found yet)" if pos + length >= reader.end else ""),
                       file=reader.src.name, offset=reader.base + pos, record=record + 1,
                       seen=reader.chunk[pos:pos + 16].tobytes(),
                       hint="check --lrecl and the line ends (text_newline lf/crlf/nl); "
                            "binary data cannot be read as TEXT")
