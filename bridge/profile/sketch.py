"""Bounded-memory summaries of a stream: byte hashes, distinct counts, value counts, a row sample.

A profile must read a file of any size in the memory of one batch, so every summary that
could grow with the file is capped:

* `DistinctSketch` keeps the K smallest 64-bit hashes of the values seen (a KMV sketch):
  exact while fewer than K distinct values were seen, an estimate ``(K-1)/h_K`` beyond
  (relative error about ``1/sqrt(K)``, 1.6 % at K = 4096). A column feeds it only from the
  batch where its exact counts overflow (hashing every batch of every column would cost more
  than the decode); values seen only before that batch, at most `ValueCounts.limit`, are not
  in the estimate.
* `ValueCounts` counts values exactly while there are at most `limit` distinct ones; past
  that it keeps counting only the values it already tracks, so its top values are lower bounds
  and it says so (``exact=False``).
* `RowSample` keeps a uniform sample of rows (bottom-k of random keys): quantiles,
  histograms, information value and drift come from it, exact while the file is smaller
  than the sample.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["DistinctSketch", "RowSample", "ValueCounts", "hash_rows"]

_MIX = np.uint64(0x9E3779B97F4A7C15)
_MASK = np.uint64(0xFFFFFFFFFFFFFFFF)


def hash_rows(raw: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each row of a uint8 matrix (8 bytes at a time, splitmix-style finaliser)."""
    n, width = raw.shape
    pad = (-width) % 8
    if pad or not raw.flags.c_contiguous:
        buf = np.zeros((n, width + pad), dtype=np.uint8)
        buf[:, :width] = raw
    else:
        buf = raw
    words = buf.view(np.uint64)
    h = np.full(n, np.uint64(width), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(words.shape[1]):
            h = (h ^ words[:, j]) * _MIX
            h ^= h >> np.uint64(31)
        h ^= h >> np.uint64(29)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(32)
    return h


class DistinctSketch:
    """Distinct values from their hashes: exact below ``k`` distinct, a KMV estimate beyond."""

    def __init__(self, k: int = 4096) -> None:
        self.k = k
        self.kept = np.empty(0, dtype=np.uint64)

    def add(self, hashes: np.ndarray) -> None:
        if hashes.size == 0:
            return
        if self.kept.size >= self.k:
            hashes = hashes[hashes < self.kept[-1]]
            if hashes.size == 0:
                return
        merged = np.sort(np.concatenate([self.kept, hashes]))
        if merged.size > 1:
            merged = merged[np.concatenate(([True], merged[1:] != merged[:-1]))]
        self.kept = merged[: self.k]

    @property
    def exact(self) -> bool:
        return self.kept.size < self.k

    def estimate(self) -> int:
        if self.exact:
            return int(self.kept.size)
        fraction = float(self.kept[-1]) / float(np.iinfo(np.uint64).max)
        return int(round((self.k - 1) / fraction))


class ValueCounts:
    """Counts per value, exact up to ``limit`` distinct values (see the module docstring).

    Kept as Arrow keys and a numpy count per key, merged batch by batch with Arrow's hash
    lookups (``value_counts``, ``index_in``): no Python per value. Past the limit only the
    `TRACKED` most frequent values so far keep being counted.
    """

    TRACKED = 1000

    def __init__(self, limit: int = 10_000) -> None:
        self.limit = limit
        self.keys: pa.Array | None = None
        self.counts = np.empty(0, dtype=np.int64)
        self.exact = True

    def add(self, values: pa.Array) -> tuple[pa.Array, np.ndarray] | None:
        """Count ``values``. When this batch ends exact counting, returns the exact keys and
        counts up to and including it (before the untracked values are dropped)."""
        if len(values) == 0:
            return None
        if not self.exact:
            idx = pc.index_in(values, value_set=self.keys).drop_null()
            self.counts += np.bincount(np.asarray(idx.to_numpy(zero_copy_only=False), dtype=np.int64),
                                       minlength=len(self.keys))
            return None
        vc = pc.value_counts(values)
        self.add_counts(vc.field("values"), np.asarray(vc.field("counts").to_numpy(zero_copy_only=False),
                                                       dtype=np.int64))
        if len(self.keys) <= self.limit:
            return None
        snapshot = (self.keys, self.counts.copy())
        self.exact = False
        keep = np.argsort(-self.counts, kind="stable")[: self.TRACKED]
        self.keys, self.counts = self.keys.take(pa.array(keep)), self.counts[keep]
        return snapshot

    def add_counts(self, keys: pa.Array, counts: np.ndarray) -> None:
        """Merge distinct ``keys`` with their ``counts`` (exact mode)."""
        if self.keys is None:
            self.keys, self.counts = keys, counts.astype(np.int64)
            return
        idx = pc.index_in(keys, value_set=self.keys)
        found = np.asarray(idx.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        if found.any():
            at = np.asarray(idx.drop_null().to_numpy(zero_copy_only=False), dtype=np.int64)
            np.add.at(self.counts, at, counts[found])
        if not found.all():
            self.keys = pa.concat_arrays([self.keys, keys.filter(pa.array(~found))])
            self.counts = np.concatenate([self.counts, counts[~found]])

    @property
    def distinct(self) -> int:
        return 0 if self.keys is None else len(self.keys)

    def items(self) -> list[tuple[Any, int]]:
        if self.keys is None:
            return []
        return list(zip(self.keys.to_pylist(), self.counts.tolist()))

    def top(self, k: int = 10) -> list[tuple[Any, int]]:
        if self.keys is None:
            return []
        order = np.argsort(-self.counts, kind="stable")[:k]
        return list(zip(self.keys.take(pa.array(order)).to_pylist(), self.counts[order].tolist()))


class RowSample:
    """A uniform sample of at most ``size`` rows of a stream of tables (same schema each time)."""

    def __init__(self, size: int = 50_000, seed: int = 12) -> None:
        self.size = size
        self.rng = np.random.default_rng(seed)
        self.keys = np.empty(0, dtype=np.float64)
        self.table: pa.Table | None = None
        self.seen = 0

    def add(self, table: pa.Table) -> None:
        n = table.num_rows
        self.seen += n
        if n == 0:
            return
        keys = self.rng.random(n)
        if self.keys.size >= self.size:
            keep = np.flatnonzero(keys < self.keys.max())
            if keep.size == 0:
                return
            table, keys = table.take(pa.array(keep)), keys[keep]
        merged = table if self.table is None else pa.concat_tables([self.table, table])
        all_keys = np.concatenate([self.keys, keys])
        if all_keys.size > self.size:
            chosen = np.sort(np.argpartition(all_keys, self.size - 1)[: self.size])
            merged, all_keys = merged.take(pa.array(chosen)), all_keys[chosen]
        self.table, self.keys = merged.combine_chunks(), all_keys

    @property
    def exact(self) -> bool:
        return self.seen <= self.size
