"""Which arm a record goes to: a fixed hash of its key field's raw bytes, so routing is sticky.

The rule, exactly (another system can reproduce it from this paragraph):

    h = FNV-1a 64 over the key field's bytes as they are in the record (EBCDIC, packed,
        binary: the raw bytes, never the decoded value), offset basis 0xcbf29ce484222325,
        prime 0x100000001b3: for each byte b: h = (h XOR b) * prime mod 2**64
    bucket = h mod 10000
    the challenger's arm  ⇔  bucket < share × 100          (share in percent, 0 to 100)

Why this shape: the bucket of a key never changes, so a customer stays in the same arm from
one night to the next, and raising the share only adds buckets to the challenger's arm
(``bucket < 1000`` is inside ``bucket < 2500``): keys move into the challenger's arm, never
out of it. Raw bytes, not text, so nothing depends on the code page or on how a decoder
trims or formats the value. FNV-1a is not a cryptographic hash; it needs to be fast and
evenly spread, not secret (nobody chooses their customer number to pick a model).

The kernel walks the record matrix (records × bytes) once, one loop over rows in numba,
with no Python per record.
"""
from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["BUCKETS", "FNV_OFFSET", "FNV_PRIME", "buckets", "fnv1a64", "routed"]

FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3
#: buckets a key hashes into; one percent of share is 100 buckets
BUCKETS = 10000


def fnv1a64(data: bytes) -> int:
    """The FNV-1a 64 hash of ``data`` (the reference the kernel is tested against; per value, not for bulk)."""
    h = FNV_OFFSET
    for b in data:
        h = ((h ^ b) * FNV_PRIME) & 0xFFFFFFFFFFFFFFFF
    return h


@njit(cache=True, nogil=True)
def _buckets(matrix, offset, length, out):  # pragma: no cover - compiled
    prime = np.uint64(FNV_PRIME)
    n = np.uint64(BUCKETS)
    for i in range(matrix.shape[0]):
        h = np.uint64(FNV_OFFSET)
        for j in range(offset, offset + length):
            h = (h ^ np.uint64(matrix[i, j])) * prime   # uint64 arithmetic wraps: mod 2**64
        out[i] = np.int32(h % n)


def buckets(matrix: np.ndarray, offset: int, length: int) -> np.ndarray:
    """The bucket (0 to 9999) of every record of a record matrix (uint8, records × bytes), keyed by the
    ``length`` bytes at ``offset``."""
    matrix = np.asarray(matrix, dtype=np.uint8)
    if offset < 0 or length < 1 or offset + length > matrix.shape[1]:
        raise ValueError(f"key bytes {offset}..{offset + length} are outside records of {matrix.shape[1]} bytes")
    out = np.empty(matrix.shape[0], dtype=np.int32)
    _buckets(matrix, offset, length, out)
    return out


def routed(bucket: np.ndarray, share: int | float) -> np.ndarray:
    """True for the records whose bucket falls in the challenger's ``share`` (percent)."""
    return bucket < round(share * 100)
