"""Cutting record files into partitions that start on a record: one byte range per Dask task.

The decision, after `dask.dataframe.read_csv`: a partition is a byte range snapped to a record
boundary, about ``blocksize`` bytes, read by the single-process reader. Where a boundary is
depends on the framing:

- F/FB: multiples of LRECL after the header.
- V/VB: starts found by the record index pass (`record_index`), which walks the RDWs, or with
  BDWs the blocks, and is cached per file.
- TEXT: just after a line end, where the next line end is of the same kind, so every partition
  decides ``auto`` line ends as the whole file does.
- Compressed files (``.gz``, ``.bz2``), records whose length comes from their content
  (``variable_occurs``, ``record_length_field``) and files no larger than one block are one
  partition: the whole file, read exactly as the single-process path reads it.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace

import numpy as np

from bridge.dask.ranges import InputFile, RangeFile, open_input
from bridge.layout.model import Layout
from bridge.records.options import ReaderOptions

__all__ = ["Split", "block_bytes", "plan_splits", "records_before"]

LF, NL = 0x0A, 0x15
TEXT_WINDOW = 1 << 20
MAX_INDEX_STRIDE = 1 << 20


@dataclass(frozen=True)
class Split:
    """One partition: bytes ``start .. end`` of ``file``'s record area, or the whole file.

    ``start`` is None for a whole-file partition (read with the file's own header, trailer and
    compression). ``first_record``: records in the file before this partition, None when not
    counted (BDW and TEXT splits; counted only if an error needs to name a record).
    """

    file: InputFile
    start: int | None = None
    end: int | None = None
    first_record: int | None = 0

    @property
    def whole(self) -> bool:
        return self.start is None


def block_bytes(blocksize: int | str) -> int:
    """``blocksize`` as bytes: a number, or text such as ``"256 MiB"``."""
    from dask.utils import parse_bytes

    from bridge.errors import BridgeError

    try:
        size = parse_bytes(blocksize) if isinstance(blocksize, str) else int(blocksize)
    except (ValueError, TypeError):
        size = 0
    if size < 1:
        raise BridgeError(f"blocksize {blocksize!r} is not a size in bytes; give a number or e.g. \"256 MiB\"")
    return size


def plan_splits(files: list[InputFile], layout: Layout, options: ReaderOptions, *, blocksize: int,
                index_cache: str | os.PathLike | None | bool = None) -> list[Split]:
    """The partitions of ``files``, in file order then byte order."""
    if blocksize < 1:
        raise ValueError(f"blocksize must be at least 1 byte, not {blocksize}")
    out: list[Split] = []
    for f in files:
        out.extend(_file_splits(f, layout, options, blocksize, index_cache))
    return out


def _file_splits(f: InputFile, layout: Layout, options: ReaderOptions, blocksize: int, index_cache) -> list[Split]:
    whole = [Split(f)]
    start, end = options.skip_header_bytes, f.size - options.skip_trailer_bytes
    if (f.compressed or options.variable_occurs or options.record_length_field
            or end - start <= blocksize):
        return whole
    frame = options.frame(options.lrecl or layout.length)
    if frame.is_fixed:
        lrecl = frame.require_lrecl()
        step = max(1, blocksize // lrecl) * lrecl
        cuts = list(range(start, end, step))
        counts: list[int | None] = [(c - start) // lrecl for c in cuts]
    elif frame.is_variable:
        from bridge.dask.record_index import record_index

        index = record_index(f, frame, start, end, stride=min(blocksize, MAX_INDEX_STRIDE), cache_dir=index_cache)
        cuts, counts = _pick(index.offsets, index.records, start, end, blocksize)
    else:
        cuts = _text_cuts(f, start, end, blocksize)
        counts = [0] + [None] * (len(cuts) - 1)
    if len(cuts) <= 1:
        return whole
    ends = cuts[1:] + [end]
    return [Split(f, a, b, c) for a, b, c in zip(cuts, ends, counts)]


def _pick(offsets: np.ndarray, records: np.ndarray, start: int, end: int, blocksize: int):
    """The first indexed start at or after each multiple of ``blocksize``."""
    if len(offsets) == 0:
        return [start], [0]
    targets = np.arange(start, end, blocksize, dtype=np.int64)
    at = np.unique(np.searchsorted(offsets, targets))
    at = at[at < len(offsets)]
    cuts = [int(offsets[i]) for i in at]
    counts = [None if records[i] < 0 else int(records[i]) for i in at]
    return cuts, counts


def _text_cuts(f: InputFile, start: int, end: int, blocksize: int) -> list[int]:
    cuts = [start]
    with open_input(f) as raw:
        mode = _first_line_end(raw, start, end)
        if mode is None:
            return cuts
        target = start + blocksize
        while target < end:
            # look no further than one block: memory stays bounded by a long run without line ends
            limit = min(end, target + blocksize)
            cut = _line_start_after(raw, target, limit, mode, file_end=limit == end)
            if cut is None:
                target = limit
                continue
            if cut >= end:
                break
            cuts.append(cut)
            target = cut + blocksize
    return cuts


def _first_line_end(raw, start: int, end: int) -> int | None:
    pos = start
    while pos < end:
        raw.seek(pos)
        window = np.frombuffer(raw.read(min(TEXT_WINDOW, end - pos)), dtype=np.uint8)
        if not len(window):
            return None
        hits = np.flatnonzero((window == LF) | (window == NL))
        if hits.size:
            return int(window[hits[0]])
        pos += len(window)
    return None


def _line_start_after(raw, target: int, end: int, mode: int, *, file_end: bool) -> int | None:
    """The first offset after ``target`` that follows a ``mode`` byte and whose next line end is one too.

    Searches up to ``end``, a window at a time, each byte looked at once; None when there is
    none there (``file_end``: the file ends at ``end``, so a last line end needs no next one).
    """
    pos = target
    last_off, last_kind = np.empty(0, dtype=np.int64), np.empty(0, dtype=np.uint8)
    while pos < end:
        raw.seek(pos)
        more = np.frombuffer(raw.read(min(TEXT_WINDOW, end - pos)), dtype=np.uint8)
        if not len(more):
            break
        hits = np.flatnonzero((more == LF) | (more == NL))
        offsets = np.concatenate([last_off, hits.astype(np.int64) + pos])
        kinds = np.concatenate([last_kind, more[hits]])
        pairs = np.flatnonzero((kinds[:-1] == mode) & (kinds[1:] == mode))
        if pairs.size:
            return int(offsets[pairs[0]]) + 1
        if kinds.size:
            last_off, last_kind = offsets[-1:], kinds[-1:]
        pos += len(more)
    if file_end and last_kind.size and last_kind[0] == mode:
        return int(last_off[0]) + 1
    return None


def records_before(split: Split, layout: Layout, options: ReaderOptions) -> int | None:
    """Records in the file before ``split`` (counted by framing the bytes before it when not known)."""
    if split.first_record is not None or split.whole:
        return split.first_record or 0
    from bridge.frame import iter_batches

    header = options.skip_header_bytes
    frame = replace(options, skip_header_bytes=0, skip_trailer_bytes=0).frame(options.lrecl or layout.length)
    with open_input(split.file) as raw:
        return sum(len(b) for b in iter_batches(RangeFile(raw, header, split.start, split.file.name), frame))
