"""Benchmark of the string columns of CUSTOMER-REC against ``bytes.translate`` over the same file.

Run: ``.venv/bin/python bench/bench_strings.py [--records 1000000]``. Builds the records in
memory (nothing written to disk), then times, best of 5:

* the baseline: ``bytes.translate`` with a 256-byte table over the whole file;
* the decode of CUST-NAME PIC X(30) and RISK-SEG PIC X(2) into Arrow string arrays;
* the encode of the same two columns back into bytes.

It prints MB/s relative to the whole file (85 bytes a record), so the string share of the
end-to-end target (>= 30 % of the baseline for the whole decode) can be read off directly.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from bridge.codec import alphanumeric
from bridge.codec.options import CodecOptions
from bridge.layout.model import Field, Kind

WIDTH = 85
NAME_OFFSET, NAME_LENGTH = 4, 30
SEG_OFFSET, SEG_LENGTH = 49, 2


def _records(n: int, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    matrix = rng.integers(0, 256, size=(n, WIDTH), dtype=np.uint8)
    names = np.frombuffer(
        "".join(f"{'CUSTOMER ' + str(i):<30.30}" for i in range(1000)).encode("cp037"), dtype=np.uint8
    ).reshape(1000, NAME_LENGTH)
    lengths = rng.integers(8, 30, size=n)
    name_col = names[rng.integers(0, 1000, size=n)].copy()
    name_col[np.arange(NAME_LENGTH)[None, :] >= lengths[:, None]] = 0x40
    matrix[:, NAME_OFFSET:NAME_OFFSET + NAME_LENGTH] = name_col
    segs = np.frombuffer("RTPRSBST".encode("cp037"), dtype=np.uint8).reshape(4, 2)
    matrix[:, SEG_OFFSET:SEG_OFFSET + SEG_LENGTH] = segs[rng.integers(0, 4, size=n)]
    return matrix


def _best(fn, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    args = parser.parse_args()
    n = args.records
    matrix = _records(n)
    raw = matrix.tobytes()
    table = bytes(range(256)).decode("cp037").encode("latin-1", "replace")
    options = CodecOptions()
    name = Field("CUST-NAME", ("CUSTOMER-REC", "CUST-NAME"), 5, NAME_OFFSET, NAME_LENGTH,
                 Kind.ALPHANUMERIC, picture="X(30)")
    seg = Field("RISK-SEG", ("CUSTOMER-REC", "RISK-SEG"), 5, SEG_OFFSET, SEG_LENGTH,
                Kind.ALPHANUMERIC, picture="X(2)")
    mb = len(raw) / 1e6

    def decode_strings():
        return (alphanumeric.decode(matrix, NAME_OFFSET, name, options),
                alphanumeric.decode(matrix, SEG_OFFSET, seg, options))

    names, segs = decode_strings()  # compile and warm up
    baseline = _best(lambda: raw.translate(table))
    t_dec = _best(decode_strings)
    t_name = _best(lambda: alphanumeric.decode(matrix, NAME_OFFSET, name, options))
    alphanumeric.encode(names, name, options)
    t_enc = _best(lambda: (alphanumeric.encode(names, name, options), alphanumeric.encode(segs, seg, options)))
    print(f"{n:,} records, {mb:.0f} MB")
    print(f"bytes.translate baseline      {baseline:7.3f} s  {mb / baseline:8.0f} MB/s of file")
    print(f"decode X(30)+X(2) to Arrow    {t_dec:7.3f} s  {mb / t_dec:8.0f} MB/s of file  "
          f"({baseline / t_dec:.2f} x baseline)")
    print(f"decode X(30) alone            {t_name:7.3f} s  {n * NAME_LENGTH / 1e6 / t_name:8.0f} MB/s of column")
    print(f"encode X(30)+X(2) from Arrow  {t_enc:7.3f} s  {mb / t_enc:8.0f} MB/s of file  "
          f"({baseline / t_enc:.2f} x baseline)")


if __name__ == "__main__":
    main()
