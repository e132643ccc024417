"""RecordBatch: a run of records as a (n, width) uint8 matrix plus what it takes to write them back.

The matrix is what the codecs read column by column. Rows shorter than the width are padded
(zeros for F/V, `text_space` for TEXT); the padding is never data: `lengths` says where each
record ends. Everything else a byte-identical write needs travels with the batch: the skipped
file header (first batch) and trailer (last batch), where BDW blocks start and in which format,
and each TEXT line's end. A batch built from scratch (new records) leaves those at their
defaults and the writer uses the framing's defaults.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np


__all__ = ["BLOCK_EXTENDED", "BLOCK_NONE", "BLOCK_STANDARD", "RecordBatch", "gather_records"]

#: `RecordBatch.blocks` values: the record continues the current block / starts a block
#: behind a standard BDW / starts a block behind an extended BDW.
BLOCK_NONE, BLOCK_STANDARD, BLOCK_EXTENDED = 0, 1, 2


@dataclass(eq=False)
class RecordBatch:
    """Records `first_record` .. `first_record + n - 1` of a file.

    - `matrix`: C-contiguous uint8 (n, width); row i holds record i in its first `lengths[i]`
      bytes, padding after that.
    - `lengths`: int32 (n,), each record's data length (without RDW or line end).
    - `first_record`: 0-based number of the first record in the file.
    - `file_offsets`: int64 (n,), byte offset in the file of each record's first data byte
      (None for records not read from a file).
    - `header` / `trailer`: skipped bytes at the start / end of the file (first / last batch).
    - `blocks`: int8 (n,) for VB with BDWs: BLOCK_STANDARD / BLOCK_EXTENDED where a block
      starts, BLOCK_NONE inside a block (a batch may start inside a block); None for new data.
    - `line_ends`: int8 (n,) for TEXT: a `text.LineEnd` code per record; None for new data.
    """

    matrix: np.ndarray
    lengths: np.ndarray
    first_record: int = 0
    file_offsets: np.ndarray | None = None
    header: bytes = b""
    trailer: bytes = b""
    blocks: np.ndarray | None = None
    line_ends: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.matrix.ndim != 2 or self.matrix.dtype != np.uint8:
            raise ValueError("matrix must be a 2-D uint8 array")
        self.lengths = np.asarray(self.lengths, dtype=np.int32)
        if self.lengths.shape != (self.matrix.shape[0],):
            raise ValueError(f"lengths has shape {self.lengths.shape}, the matrix has "
                             f"{self.matrix.shape[0]} rows")

    def __len__(self) -> int:
        return self.matrix.shape[0]

    @property
    def width(self) -> int:
        return self.matrix.shape[1]

    def record(self, i: int) -> bytes:
        """The data bytes of record i of this batch (without padding)."""
        return self.matrix[i, : self.lengths[i]].tobytes()

    def records(self) -> list[bytes]:
        """Every record's data bytes (a per-record list: for tests and small data)."""
        return [self.record(i) for i in range(len(self))]

    @classmethod
    def of(cls, matrix: np.ndarray, lengths: np.ndarray | None = None, *,
           first_record: int = 0) -> RecordBatch:
        """A batch of new records from a matrix (every row full width unless `lengths` says)."""
        matrix = np.ascontiguousarray(matrix, dtype=np.uint8)
        if lengths is None:
            lengths = np.full(matrix.shape[0], matrix.shape[1], dtype=np.int32)
        return cls(matrix=matrix, lengths=lengths, first_record=first_record)

    def with_matrix(self, matrix: np.ndarray) -> RecordBatch:
        """The same records and framing with new bytes (same shape: patched fields)."""
        if matrix.shape != self.matrix.shape:
            raise ValueError(f"patched matrix has shape {matrix.shape}, the batch {self.matrix.shape}")
        return replace(self, matrix=np.ascontiguousarray(matrix, dtype=np.uint8))

    @classmethod
    def from_records(cls, records: Sequence[bytes], *, width: int | None = None,
                     pad: int = 0) -> RecordBatch:
        """A batch of new records (no file position, framing defaults on write)."""
        lengths = np.fromiter((len(r) for r in records), dtype=np.int32, count=len(records))
        joined = np.frombuffer(b"".join(records), dtype=np.uint8)
        starts = np.zeros(len(records), dtype=np.int64)
        if len(records):
            np.cumsum(lengths[:-1], out=starts[1:])
        wide = int(lengths.max()) if len(records) else 0
        if width is None:
            width = wide
        elif width < wide:
            raise ValueError(f"a record of {wide} bytes does not fit width {width}")
        matrix = np.empty((len(records), width), dtype=np.uint8)
        gather_records(joined, starts, lengths, matrix, pad)
        return cls(matrix=matrix, lengths=lengths)

    @classmethod
    def concat(cls, batches: Sequence[RecordBatch], *, pad: int = 0) -> RecordBatch:
        """One batch holding the records of consecutive `batches` (width = the widest)."""
        if not batches:
            raise ValueError("no batches to join")
        width = max(b.width for b in batches)
        n = sum(len(b) for b in batches)
        matrix = np.full((n, width), pad, dtype=np.uint8)
        row = 0
        for b in batches:
            matrix[row: row + len(b), : b.width] = b.matrix
            row += len(b)

        def joined(name: str, dtype: type) -> np.ndarray | None:
            parts = [getattr(b, name) for b in batches]
            if all(p is None for p in parts):
                return None
            if any(p is None for p in parts):
                raise ValueError(f"cannot join batches with and without {name}")
            return np.concatenate(parts).astype(dtype, copy=False)

        return cls(matrix=matrix,
                   lengths=np.concatenate([b.lengths for b in batches]),
                   first_record=batches[0].first_record,
                   file_offsets=joined("file_offsets", np.int64),
                   header=batches[0].header,
                   trailer=batches[-1].trailer,
                   blocks=joined("blocks", np.int8),
                   line_ends=joined("line_ends", np.int8))


def gather_records(src: np.ndarray, starts: np.ndarray, lengths: np.ndarray, out: np.ndarray,
                   pad: int) -> None:
    """Copy record i, ``src[starts[i]: starts[i] + lengths[i]]``, into ``out[i]`` and pad the rest.

    :raises ValueError: a span leaves ``src`` or does not fit a row of ``out`` (checked here:
        the copy is compiled, one ``memcpy`` per record, with no bounds check)."""
    from bridge.frame.gather import gather_spans

    if starts.shape[0] != out.shape[0] or lengths.shape[0] != out.shape[0]:
        raise ValueError(f"{starts.shape[0]} spans for a matrix of {out.shape[0]} rows")
    if src.ndim != 1 or src.dtype != np.uint8 or out.dtype != np.uint8 or (out.size > 1 and out.strides[1] != 1):
        raise ValueError("gather_records copies a 1-D uint8 buffer into a uint8 matrix of contiguous rows")
    if starts.shape[0]:
        lo = int(lengths.min())
        if lo < 0 or int(lengths.max()) > out.shape[1] or int(starts.min()) < 0 \
                or int((starts + lengths).max()) > src.shape[0]:
            raise ValueError("a record span leaves the buffer or does not fit a row")
    gather_spans(src, starts, lengths, out, pad)


class BatchBuilder:
    """Collects record spans found in successive read chunks and gathers them into one batch.

    Each chunk stays referenced until the batch is built, so the records are copied once,
    chunk → matrix.
    """

    def __init__(self, *, lrecl: int | None, pad: int, with_blocks: bool = False,
                 with_line_ends: bool = False) -> None:
        self.lrecl = lrecl
        self.pad = pad
        self.with_blocks = with_blocks
        self.with_line_ends = with_line_ends
        self._reset()

    def _reset(self) -> None:
        self._pieces: list[tuple[np.ndarray, np.ndarray, np.ndarray, int]] = []
        self._offsets: list[np.ndarray] = []
        self._blocks: list[np.ndarray] = []
        self._line_ends: list[np.ndarray] = []
        self.count = 0
        self.widest = 0

    def add(self, chunk: np.ndarray, chunk_offset: int, starts: np.ndarray, lengths: np.ndarray,
            blocks: np.ndarray | None = None, line_ends: np.ndarray | None = None) -> None:
        """Records at ``chunk[starts[i]:starts[i]+lengths[i]]``; the chunk begins at file offset
        `chunk_offset`."""
        if len(starts) == 0:
            return
        starts = np.asarray(starts, dtype=np.int64)
        lengths = np.asarray(lengths, dtype=np.int32)
        self._pieces.append((chunk, starts, lengths, self.count))
        self._offsets.append(starts + chunk_offset)
        if self.with_blocks:
            self._blocks.append(np.asarray(blocks, dtype=np.int8))
        if self.with_line_ends:
            self._line_ends.append(np.asarray(line_ends, dtype=np.int8))
        self.count += len(starts)
        self.widest = max(self.widest, int(lengths.max()))

    def build(self, *, first_record: int, header: bytes = b"", trailer: bytes = b"") -> RecordBatch:
        """The batch of everything added so far; the builder is then empty again."""
        width = self.lrecl if self.lrecl is not None else self.widest
        matrix = np.empty((self.count, width), dtype=np.uint8)
        lengths = np.empty(self.count, dtype=np.int32)
        for chunk, starts, lens, row in self._pieces:
            gather_records(chunk, starts, lens, matrix[row: row + len(starts)], self.pad)
            lengths[row: row + len(starts)] = lens

        def joined(parts: list[np.ndarray], enabled: bool, dtype: type) -> np.ndarray | None:
            if not enabled:
                return None
            return np.concatenate(parts) if parts else np.empty(0, dtype=dtype)

        batch = RecordBatch(matrix=matrix, lengths=lengths, first_record=first_record,
                            file_offsets=joined(self._offsets, True, np.int64),
                            header=header, trailer=trailer,
                            blocks=joined(self._blocks, self.with_blocks, np.int8),
                            line_ends=joined(self._line_ends, self.with_line_ends, np.int8))
        self._reset()
        return batch
