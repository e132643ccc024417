"""Framing throughput: F and V (RDW, and VB with BDWs) read and write, next to a plain file read.

Run: ``.venv/bin/python bench/bench_framing.py [MB]`` (default 200 MB per file). Files are
written to a temporary directory and removed afterwards.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bridge.frame import FrameOptions, RecordBatch, iter_batches, write_batches


def _timed(label: str, size: int, fn) -> None:
    start = time.perf_counter()
    records = fn()
    seconds = time.perf_counter() - start
    print(f"{label:<28} {records / seconds / 1e6:8.2f} M records/s {size / seconds / 1e6:9.1f} MB/s")


def _count(path: Path, options: FrameOptions) -> int:
    return sum(len(b) for b in iter_batches(path, options))


def main(megabytes: int = 200) -> None:
    rng = np.random.default_rng(7)
    lrecl = 85
    n = megabytes * 1_000_000 // lrecl
    fixed = FrameOptions(recfm="FB", lrecl=lrecl)
    variable = FrameOptions(recfm="VB", lrecl=lrecl)
    blocked = FrameOptions(recfm="VB", lrecl=lrecl, bdw=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        matrix = rng.integers(0, 256, size=(n, lrecl), dtype=np.uint8)
        lengths = rng.integers(40, lrecl + 1, size=n).astype(np.int32)
        paths = {name: tmpdir / f"{name}.dat" for name in ("fb", "vb", "vbb")}
        write_batches(paths["fb"], [RecordBatch.of(matrix)], fixed)
        write_batches(paths["vb"], [RecordBatch.of(matrix, lengths)], variable)
        write_batches(paths["vbb"], [RecordBatch.of(matrix, lengths)], blocked)
        del matrix
        for name, path in paths.items():
            size = path.stat().st_size
            _timed(f"plain read {name}", size, lambda: len(path.read_bytes()) and n)
            options = {"fb": fixed, "vb": variable, "vbb": blocked}[name]
            _timed(f"frame {name}", size, lambda: _count(path, options))
            out = tmpdir / "out.dat"
            _timed(f"read+write {name}", size,
                   lambda: write_batches(out, iter_batches(path, options), options))
            assert out.read_bytes() == path.read_bytes()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
