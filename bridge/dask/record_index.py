"""The record index of a RECFM V/VB file: where records (or blocks) start, found from the headers alone.

A V file's record starts are known only by walking its RDWs one after another. This pass reads
the 4-byte headers and jumps over the data (with BDWs it jumps over whole blocks and never looks
at an RDW), keeping one start every ``stride`` bytes: the places a partition may begin. It
checks each header as it goes and stops at the first bad one, so no partition starts past it
and the partition that holds it reports the very error the single-process read reports.

The index is cached on local disk (not beside the input, which may be read-only or remote),
keyed by the file's URL, size and mtime/etag and the framing options, so a second read of an
unchanged file skips the pass. Cache files are 0600 and are checked when loaded; a damaged
one is recomputed.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np
from numba import njit

from bridge.dask.ranges import InputFile, open_input
from bridge.frame.options import FrameOptions

__all__ = ["RecordIndex", "default_cache_dir", "record_index"]

CHUNK_SIZE = 4 << 20
UNKNOWN = -1


@njit(cache=True, nogil=True)
def _walk(buf, end, pos, little, adjust, bdw, base, mark, stride, count, out_off, out_rec, n):  # pragma: no cover
    """Walk the headers in ``buf[pos:end]``; store a start at or after each ``mark``.

    Returns (bad header seen, pos, n, mark, count); ``pos`` may pass ``end`` (the next header
    is beyond this chunk).
    """
    cap = out_off.shape[0]
    while end - pos >= 4 and n < cap:
        if little:
            h0, h1, h2, h3 = np.int64(buf[pos + 3]), np.int64(buf[pos + 2]), np.int64(buf[pos + 1]), np.int64(buf[pos])
        else:
            h0, h1, h2, h3 = np.int64(buf[pos]), np.int64(buf[pos + 1]), np.int64(buf[pos + 2]), np.int64(buf[pos + 3])
        if bdw:
            if h0 & 0x80:
                step = ((h0 & 0x7F) << 24) | (h1 << 16) | (h2 << 8) | h3
            else:
                if h2 != 0 or h3 != 0:
                    return True, pos, n, mark, count
                step = (h0 << 8) | h1
                if step > 32760:
                    return True, pos, n, mark, count
            if step < 8:
                return True, pos, n, mark, count
        else:
            if h2 != 0 or h3 != 0:
                return True, pos, n, mark, count
            length = (h0 << 8) | h1
            if length > 32760 or length - 4 + adjust < 0:
                return True, pos, n, mark, count
            step = length + adjust
            if step < 4:
                step = 4
        if base + pos >= mark:
            out_off[n] = base + pos
            out_rec[n] = count
            n += 1
            mark = base + pos + stride
        pos += step
        if not bdw:
            count += 1
    return False, pos, n, mark, count


class RecordIndex:
    """Places a partition may start: byte offsets and the records before each (-1: not counted)."""

    def __init__(self, offsets: np.ndarray, records: np.ndarray) -> None:
        self.offsets = offsets
        self.records = records

    def __len__(self) -> int:
        return len(self.offsets)


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/mainframe-bridge/record-index`` (``~/.cache/...`` when unset)."""
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(root) / "mainframe-bridge" / "record-index"


def _cache_key(f: InputFile, frame: FrameOptions, start: int, end: int, stride: int) -> str:
    parts = (f.url, f.size, f.modified, start, end, frame.rdw_endian, frame.rdw_adjust, frame.bdw, stride, 1)
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def record_index(f: InputFile, frame: FrameOptions, start: int, end: int, *, stride: int,
                 cache_dir: str | os.PathLike | None | bool = None) -> RecordIndex:
    """The index of ``f``'s record area ``start .. end``, from the cache when ``f`` is unchanged.

    ``cache_dir``: where cached indexes live (default `default_cache_dir`); ``False``: no cache.
    """
    path = None
    if cache_dir is not False and f.modified:
        folder = Path(cache_dir) if cache_dir not in (None, True) else default_cache_dir()
        path = folder / f"{_cache_key(f, frame, start, end, stride)}.npz"
        cached = _load(path, start, end)
        if cached is not None:
            return cached
    index = _build(f, frame, start, end, stride)
    if path is not None:
        _store(path, index)
    return index


def _build(f: InputFile, frame: FrameOptions, start: int, end: int, stride: int) -> RecordIndex:
    little = frame.rdw_endian == "little"
    cap = 1024
    offsets = np.empty(cap, dtype=np.int64)
    records = np.empty(cap, dtype=np.int64)
    n, mark, count = 0, start, 0
    pos_abs = start
    with open_input(f) as raw:
        while pos_abs < end:
            raw.seek(pos_abs)
            chunk = np.frombuffer(raw.read(min(CHUNK_SIZE, end - pos_abs)), dtype=np.uint8)
            if len(chunk) < 4:
                break
            if n == cap:
                cap *= 2
                offsets, records = np.resize(offsets, cap), np.resize(records, cap)
            bad, pos, n, mark, count = _walk(chunk, len(chunk), 0, little, frame.rdw_adjust, frame.bdw,
                                             pos_abs, mark, stride, count, offsets, records, n)
            if bad:
                break
            pos_abs += pos
    if frame.bdw:
        records[:n] = UNKNOWN
        if n:
            records[0] = 0
    return RecordIndex(offsets[:n].copy(), records[:n].copy())


def _load(path: Path, start: int, end: int) -> RecordIndex | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            offsets, records = data["offsets"], data["records"]
    except (OSError, KeyError, ValueError, EOFError):
        return None
    ok = (offsets.dtype == np.int64 and records.dtype == np.int64 and offsets.shape == records.shape
          and offsets.ndim == 1 and (len(offsets) == 0 or (offsets[0] == start and offsets[-1] < end
                                                             and bool(np.all(np.diff(offsets) > 0)))))
    return RecordIndex(offsets, records) if ok else None


def _store(path: Path, index: RecordIndex) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".index-", suffix=".npz")  # 0600
        with os.fdopen(fd, "wb") as out:
            np.savez(out, offsets=index.offsets, records=index.records)
        os.replace(tmp, path)
    except OSError:
        pass  # a cache that cannot be written only costs the next read the pass again
