"""FrameWriter: RecordBatches → a file's bytes, with the framing the options state.

The inverse of the readers, byte for byte: F writes each record's LRECL bytes (the matrix
itself when it is exactly LRECL wide); V puts an RDW computed from each record's length in
front of it; VB with BDWs writes the blocks as they were read (a batch may end inside a block,
so the last block of each batch is held until the next block starts or the writer closes);
TEXT writes each line and its own line end. Batches of new records, which carry no block or
line-end information, get the defaults: blocks packed up to `block_size` bytes (27,998, the
half-track block size z/OS uses for VB on 3390 disks) and the options' line end.

Records are laid out by numba kernels into one buffer per batch; `construct` builds the BDW of
a block that spans batches.
"""
from __future__ import annotations

import bz2
import gzip
import os
from pathlib import Path
from typing import BinaryIO, Iterable

import numpy as np

from bridge.codec.jit import njit
from bridge.errors import FramingError
from bridge.frame.batch import BLOCK_EXTENDED, BLOCK_NONE, BLOCK_STANDARD, RecordBatch
from bridge.frame.options import FrameOptions
from bridge.frame.rdw import MAX_BDW_LENGTH, MAX_RDW_LENGTH, build_bdw
from bridge.frame.text import LineEnd, default_line_end

__all__ = ["DEFAULT_BLOCK_SIZE", "FrameWriter", "write_batches"]

DEFAULT_BLOCK_SIZE = 27998

_TERMINATOR_SIZE = np.array([0, 1, 2, 1], dtype=np.int64)   # by LineEnd code


@njit(cache=True, nogil=True)
def _emit_variable(matrix, lengths, kinds, little, adjust, out):  # pragma: no cover - compiled
    """RDW + data per record into `out`, leaving 4 bytes free before each block start."""
    pos = 0
    for i in range(lengths.shape[0]):
        if kinds[i] != 0:
            pos += 4
        n = lengths[i]
        rdw = n + 4 - adjust
        hi = (rdw >> 8) & 0xFF
        lo = rdw & 0xFF
        if little:
            out[pos] = 0
            out[pos + 1] = 0
            out[pos + 2] = lo
            out[pos + 3] = hi
        else:
            out[pos] = hi
            out[pos + 1] = lo
            out[pos + 2] = 0
            out[pos + 3] = 0
        pos += 4
        row = matrix[i]
        for j in range(n):
            out[pos + j] = row[j]
        pos += n


@njit(cache=True, nogil=True)
def _put_bdws(out, slots, sizes, kinds, little):  # pragma: no cover - compiled
    """Block descriptors of `sizes` bytes at `slots` (standard or extended by `kinds`)."""
    for k in range(slots.shape[0]):
        p = slots[k]
        size = sizes[k]
        if kinds[k] == 2:
            b0 = ((size >> 24) & 0x7F) | 0x80
            b1 = (size >> 16) & 0xFF
            b2 = (size >> 8) & 0xFF
            b3 = size & 0xFF
        else:
            b0 = (size >> 8) & 0xFF
            b1 = size & 0xFF
            b2 = 0
            b3 = 0
        if little:
            b0, b1, b2, b3 = b3, b2, b1, b0
        out[p] = b0
        out[p + 1] = b1
        out[p + 2] = b2
        out[p + 3] = b3


@njit(cache=True, nogil=True)
def _pack_blocks(lengths, fill, block_size, kinds):  # pragma: no cover - compiled
    """Greedy blocks of at most `block_size` bytes for new records; returns the open block's fill."""
    for i in range(lengths.shape[0]):
        total = lengths[i] + 4
        if fill == 0 or fill + total > block_size:
            kinds[i] = 2 if (block_size > 32760 or total + 4 > 32760) else 1
            fill = 4 + total
        else:
            kinds[i] = 0
            fill += total
    return fill


@njit(cache=True, nogil=True)
def _emit_fixed_own(matrix, lengths, out):  # pragma: no cover - compiled
    pos = 0
    for i in range(lengths.shape[0]):
        n = lengths[i]
        row = matrix[i]
        for j in range(n):
            out[pos + j] = row[j]
        pos += n


@njit(cache=True, nogil=True)
def _text_lengths(matrix, lengths, pad, out_lengths):  # pragma: no cover - compiled
    """Each line's length: its own, or up to its last non-pad byte if bytes past it were set."""
    width = matrix.shape[1]
    for i in range(lengths.shape[0]):
        n = lengths[i]
        row = matrix[i]
        last = width
        while last > n and row[last - 1] == pad:
            last -= 1
        out_lengths[i] = last


@njit(cache=True, nogil=True)
def _emit_text(matrix, lengths, codes, out):  # pragma: no cover - compiled
    """Line + line end per record; returns the first record holding its own line-end byte, or -1."""
    pos = 0
    bad = -1
    for i in range(lengths.shape[0]):
        n = lengths[i]
        code = codes[i]
        term = 0x15 if code == 3 else 0x0A
        row = matrix[i]
        for j in range(n):
            b = row[j]
            if b == term and code != 0 and bad < 0:
                bad = i
            out[pos + j] = b
        pos += n
        if code == 1:
            out[pos] = 0x0A
            pos += 1
        elif code == 2:
            out[pos] = 0x0D
            out[pos + 1] = 0x0A
            pos += 2
        elif code == 3:
            out[pos] = 0x15
            pos += 1
    return bad


def _open_dest(dest: str | os.PathLike | BinaryIO) -> tuple[BinaryIO, Path | None]:
    """The file to write, and for a path the temporary name it is written under.

    A path is written under a hidden temporary name beside it and renamed into place only when
    the writer closes without error, so a failed write never leaves a half-written file under
    the real name (nor destroys an earlier one). The compression follows the real name's suffix.
    """
    if isinstance(dest, (str, os.PathLike)):
        path = Path(dest)
        temp = path.with_name(f".{path.name}.part-{os.getpid()}")
        suffix = path.suffix.lower()
        if suffix == ".gz":
            return gzip.open(temp, "wb"), temp
        if suffix == ".bz2":
            return bz2.open(temp, "wb"), temp
        return open(temp, "wb"), temp
    if hasattr(dest, "write"):
        return dest, None
    raise TypeError(f"cannot write records to {type(dest).__name__}: give a path or a binary file")


class FrameWriter:
    """Writes RecordBatches to `dest` (path, ``.gz``/``.bz2`` path, or binary file object).

    Use as a context manager; `close` writes the last block and the trailer. Each record's
    first ``lengths[i]`` bytes are written (for TEXT, up to its last non-space byte if that is
    further). Records must come in file order.
    """

    def __init__(self, dest: str | os.PathLike | BinaryIO, options: FrameOptions, *,
                 block_size: int = DEFAULT_BLOCK_SIZE) -> None:
        if options.bdw and not 8 < block_size <= 2**31 - 1:
            raise FramingError(f"block size {block_size} cannot hold a BDW and a record")
        self.options = options
        self.block_size = block_size
        self.records = 0
        self._file, self._temp = _open_dest(dest)
        self._owned = self._temp is not None
        self._dest = Path(dest) if self._owned else None
        self._trailer = b""
        self._pending: list[bytes] = []     # content of the open block (VB with BDWs)
        self._pending_kind = BLOCK_NONE
        self._pending_size = 0
        self._closed = False

    # -- public ---------------------------------------------------------------------------------

    def write(self, batch: RecordBatch) -> None:
        """Append the batch's records (and its header/trailer bytes, if it carries them)."""
        if batch.header:
            if self.records or self._pending:
                raise FramingError("a file header can only come before the first record")
            self._file.write(batch.header)
        n = len(batch)
        if n:
            lengths = np.ascontiguousarray(batch.lengths, dtype=np.int32)
            bad = np.flatnonzero((lengths < 0) | (lengths > batch.width))
            if len(bad):
                i = int(bad[0])
                raise FramingError(f"record length {int(lengths[i])} is outside the batch's "
                                   f"matrix width {batch.width}", record=batch.first_record + i + 1)
            matrix = np.ascontiguousarray(batch.matrix)
            opts = self.options
            if opts.is_fixed:
                self._write_fixed(batch, matrix, lengths)
            elif opts.is_variable:
                self._write_variable(batch, matrix, lengths)
            else:
                self._write_text(batch, matrix, lengths)
            self.records += n
        if batch.trailer:
            self._trailer = batch.trailer

    def close(self) -> None:
        """Write the open block and the trailer, then close the file if this writer opened it."""
        if self._closed:
            return
        self._closed = True
        try:
            self._flush_block()
            if self._trailer:
                self._file.write(self._trailer)
        except BaseException:
            self._discard()
            raise
        if self._owned:
            self._file.close()
            os.replace(self._temp, self._dest)
        elif hasattr(self._file, "flush"):
            self._file.flush()

    def _discard(self) -> None:
        """Close and remove what was written under the temporary name (a failed write)."""
        if self._owned:
            self._file.close()
            Path(self._temp).unlink(missing_ok=True)

    def __enter__(self) -> FrameWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self._closed = True
            self._discard()

    # -- framings -------------------------------------------------------------------------------

    def _lrecl_check(self, batch: RecordBatch, lengths: np.ndarray, exact: bool) -> None:
        lrecl = self.options.lrecl
        if lrecl is None:
            return
        wrong = np.flatnonzero(lengths != lrecl) if exact else np.flatnonzero(lengths > lrecl)
        if len(wrong):
            i = int(wrong[0])
            rule = "every record of RECFM F must be exactly" if exact else "longer than"
            raise FramingError(f"record of {int(lengths[i])} bytes: {rule} LRECL {lrecl}",
                               record=batch.first_record + i + 1,
                               hint="check --lrecl" + (" or --variable-occurs" if exact else ""))

    def _write_fixed(self, batch: RecordBatch, matrix: np.ndarray, lengths: np.ndarray) -> None:
        if not self.options.variable_occurs:
            self.options.require_lrecl()
            self._lrecl_check(batch, lengths, exact=True)
            lrecl = self.options.lrecl
            block = matrix if matrix.shape[1] == lrecl else np.ascontiguousarray(matrix[:, :lrecl])
            self._file.write(memoryview(block).cast("B"))
            return
        self._lrecl_check(batch, lengths, exact=False)
        out = np.empty(int(lengths.sum(dtype=np.int64)), dtype=np.uint8)
        _emit_fixed_own(matrix, lengths, out)
        self._file.write(memoryview(out))

    def _write_variable(self, batch: RecordBatch, matrix: np.ndarray, lengths: np.ndarray) -> None:
        opts = self.options
        self._lrecl_check(batch, lengths, exact=False)
        rdw = lengths.astype(np.int64) + 4 - opts.rdw_adjust
        bad = np.flatnonzero((rdw < 0) | (rdw > MAX_RDW_LENGTH))
        if len(bad):
            i = int(bad[0])
            raise FramingError(f"a record of {int(lengths[i])} bytes does not fit an RDW "
                               f"(length {int(rdw[i])}, allowed 0..{MAX_RDW_LENGTH})",
                               record=batch.first_record + i + 1, hint="check --rdw-adjust")
        n = len(lengths)
        little = opts.rdw_endian == "little"
        if not opts.bdw:
            kinds = np.zeros(n, dtype=np.int8)
            out = np.empty(int(lengths.sum(dtype=np.int64)) + 4 * n, dtype=np.uint8)
            _emit_variable(matrix, lengths, kinds, little, opts.rdw_adjust, out)
            self._file.write(memoryview(out))
            return
        kinds = self._block_kinds(batch, lengths)
        totals = lengths.astype(np.int64) + 4
        starts = np.flatnonzero(kinds != BLOCK_NONE)
        out = np.empty(int(totals.sum()) + 4 * len(starts), dtype=np.uint8)
        _emit_variable(matrix, lengths, kinds, little, opts.rdw_adjust, out)
        # byte position of each record's RDW in `out`
        rec_pos = np.cumsum(totals) - totals + 4 * np.cumsum(kinds != BLOCK_NONE)
        if len(starts) == 0:
            self._pending.append(out.tobytes())
            self._pending_size += len(out)
            return
        slots = rec_pos[starts] - 4
        head = int(slots[0])
        if head:
            self._pending.append(out[:head].tobytes())
            self._pending_size += head
        self._flush_block()
        sizes = np.diff(np.append(slots, len(out)))
        block_kinds = kinds[starts]
        too_big = np.flatnonzero((block_kinds == BLOCK_STANDARD) & (sizes > MAX_BDW_LENGTH))
        if len(too_big):
            k = int(starts[too_big[0]])
            raise FramingError(f"block starting at record {batch.first_record + k + 1} holds "
                               f"{int(sizes[too_big[0]])} bytes, more than a standard BDW allows "
                               f"({MAX_BDW_LENGTH})", record=batch.first_record + k + 1)
        complete = len(starts) - 1
        _put_bdws(out, slots[:complete], sizes[:complete], block_kinds[:complete], little)
        last = int(slots[-1])
        self._file.write(memoryview(out)[head:last])
        self._pending = [out[last + 4:].tobytes()]
        self._pending_size = len(out) - last - 4
        self._pending_kind = int(block_kinds[-1])

    def _block_kinds(self, batch: RecordBatch, lengths: np.ndarray) -> np.ndarray:
        if batch.blocks is not None:
            kinds = np.asarray(batch.blocks, dtype=np.int8)
            if kinds.shape != lengths.shape:
                raise ValueError(f"blocks has shape {kinds.shape} for {len(lengths)} records")
            if kinds[0] == BLOCK_NONE and self._pending_kind == BLOCK_NONE:
                raise FramingError("the first record does not start a block (no BDW to write)",
                                   record=batch.first_record + 1)
            return kinds
        kinds = np.empty(len(lengths), dtype=np.int8)
        fill = self._pending_size + 4 if self._pending_kind != BLOCK_NONE else 0
        _pack_blocks(lengths, fill, self.block_size, kinds)
        return kinds

    def _flush_block(self) -> None:
        if self._pending_kind == BLOCK_NONE:
            return
        size = self._pending_size + 4
        self._file.write(build_bdw(size, self.options.rdw_endian,
                                   extended=self._pending_kind == BLOCK_EXTENDED))
        for part in self._pending:
            self._file.write(part)
        self._pending, self._pending_size, self._pending_kind = [], 0, BLOCK_NONE

    def _write_text(self, batch: RecordBatch, matrix: np.ndarray, lengths: np.ndarray) -> None:
        opts = self.options
        if batch.line_ends is not None:
            codes = np.asarray(batch.line_ends, dtype=np.int8)
        else:
            codes = np.full(len(lengths), default_line_end(opts), dtype=np.int8)
        line_lengths = np.empty_like(lengths)
        _text_lengths(matrix, lengths, opts.text_space, line_lengths)
        self._lrecl_check(batch, line_lengths, exact=False)
        size = int(line_lengths.sum(dtype=np.int64)) + int(_TERMINATOR_SIZE[codes].sum())
        out = np.empty(size, dtype=np.uint8)
        bad = _emit_text(matrix, line_lengths, codes, out)
        if bad >= 0:
            end = LineEnd(int(codes[bad])).name
            raise FramingError(f"record holds the {end} line-end byte in its data; as TEXT it "
                               f"would come back as two records", record=batch.first_record + bad + 1,
                               hint="binary data cannot be written as TEXT; use --recfm F or V")
        self._file.write(memoryview(out))


def write_batches(dest: str | os.PathLike | BinaryIO, batches: Iterable[RecordBatch],
                  options: FrameOptions, *, block_size: int = DEFAULT_BLOCK_SIZE) -> int:
    """Write `batches` to `dest` with `options`' framing; returns the number of records."""
    with FrameWriter(dest, options, block_size=block_size) as writer:
        for batch in batches:
            writer.write(batch)
    return writer.records
