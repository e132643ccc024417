"""RECFM F/FB: records of LRECL bytes back to back, or records whose length their content says.

Plain F costs nothing beyond the read: each batch's bytes are read into a fresh buffer that
becomes the matrix (an uninitialised numpy array, reshaped: no zero-fill, no copy). A file
whose record area is not a multiple of LRECL is an error stating the sizes, never a silently
dropped fragment.

With `record_length` (``--variable-occurs`` or a record-length field) each record's length
follows from its own bytes, so the boundaries can only be found one record after another: the
callable is called once per record from Python (the one per-record loop of this package, and
only for that option); the gather into the matrix is still one vectorised copy per chunk.
"""
from __future__ import annotations

from typing import Callable, Iterator

import numpy as np

from bridge.errors import FramingError
from bridge.frame.batch import BatchBuilder, RecordBatch
from bridge.frame.options import FrameOptions
from bridge.frame.source import ByteSource, ChunkReader

__all__ = ["iter_fixed", "iter_own_length"]

RecordLength = Callable[[np.ndarray], int]

CHUNK_SIZE = 1 << 20  # pragma: no mutate (a buffer size: any size frames the same records)


def iter_fixed(src: ByteSource, options: FrameOptions, *, batch_records: int,
               batch_bytes: int) -> Iterator[RecordBatch]:
    """Batches of an F/FB file: every record exactly LRECL bytes."""
    lrecl = options.require_lrecl()
    per_batch = max(1, min(batch_records, batch_bytes // lrecl))
    first = 0
    header = src.header
    yielded = False
    while True:
        buf = np.empty(per_batch * lrecl, dtype=np.uint8)  # every byte used is read over: no zero-fill
        got = src.read_into(buf)
        start_offset = src.offset - got
        whole, fragment = divmod(got, lrecl)
        if fragment:
            _raise_fragment(src, lrecl, first + whole, fragment)
        last = src.at_end
        if whole == 0 and yielded and not (last and src.trailer):
            return
        matrix = buf[:got].reshape(whole, lrecl)
        offsets = start_offset + lrecl * np.arange(whole, dtype=np.int64)
        yield RecordBatch(matrix=matrix, lengths=np.full(whole, lrecl, dtype=np.int32),
                          first_record=first, file_offsets=offsets, header=header,
                          trailer=src.trailer if last else b"")
        yielded = True
        header = b""
        first += whole
        if last:
            return


def _raise_fragment(src: ByteSource, lrecl: int, whole: int, fragment: int) -> None:
    size = src.file_size
    skipped = len(src.header) + len(src.trailer)
    area = f" (record area {size - skipped} bytes after skipping {skipped})" if skipped else ""
    raise FramingError(
        f"file size {size} bytes{area} is not a multiple of the record length {lrecl}: "
        f"{whole} whole records and a trailing fragment of {fragment} bytes",
        file=src.name, offset=src.offset - fragment, record=whole + 1,
        hint="check --lrecl and --recfm (RDWs? try --recfm V), or "
             "--skip-header-bytes/--skip-trailer-bytes for a header or trailer")


def iter_own_length(src: ByteSource, options: FrameOptions, record_length: RecordLength, *,
                    batch_records: int, batch_bytes: int) -> Iterator[RecordBatch]:
    """Batches of an F file whose records each say their own length (at most LRECL).

    `record_length` gets a uint8 view of the bytes from the record's start (LRECL bytes, fewer
    only at the end of the file) and returns the record's length.
    """
    lrecl = options.require_lrecl()
    per_batch = max(1, min(batch_records, batch_bytes // lrecl))
    reader = ChunkReader(src, max(CHUNK_SIZE, 4 * lrecl))  # pragma: no mutate (buffer size only)
    builder = BatchBuilder(lrecl=lrecl, pad=0)
    first = 0
    header = src.header
    yielded = False
    pos = 0
    starts: list[int] = []
    lengths: list[int] = []

    def take() -> None:
        builder.add(reader.chunk, reader.base, np.array(starts, dtype=np.int64),
                    np.array(lengths, dtype=np.int32))
        starts.clear()
        lengths.clear()

    while True:
        if reader.end - pos < lrecl and not reader.at_end:
            take()
            reader.refill(pos, need=2 * lrecl)  # pragma: no mutate (the chunk is already 4 LRECL)
            pos = 0
        if pos >= reader.end or builder.count + len(starts) >= per_batch:
            take()
            done = pos >= reader.end and reader.at_end
            count = builder.count
            if count or not yielded or (done and src.trailer):
                yield builder.build(first_record=first, header=header,
                                    trailer=src.trailer if done else b"")
                header = b""
                yielded = True
                first += count
            if done:
                return
            continue
        head = reader.chunk[pos: min(reader.end, pos + lrecl)]
        length = int(record_length(head))
        record = first + builder.count + len(starts)
        if not 1 <= length <= lrecl:
            raise FramingError(f"the record's own length is {length}, outside 1..LRECL {lrecl}",
                               file=src.name, offset=reader.base + pos, record=record + 1,
                               seen=head[:16].tobytes(),
                               hint="check --variable-occurs (ODO counts) or the record-length "
                                    "field, and --lrecl")
        if pos + length > reader.end:
            raise FramingError(f"a record of {length} bytes runs past the end of the file "
                               f"({reader.end - pos} bytes left)", file=src.name,
                               offset=reader.base + pos, record=record + 1,
                               seen=head[:16].tobytes(),
                               hint="check --variable-occurs and --skip-trailer-bytes")
        starts.append(pos)
        lengths.append(length)
        pos += length
