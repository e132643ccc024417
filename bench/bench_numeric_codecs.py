"""Benchmark of the numeric field codecs on the CUSTOMER-REC layout of issue 3 (85-byte records, cp037).

Measures, per numeric column of 1,000,000 records: decode (numba kernel), decode plus Arrow
building, encode, and patch (encode_into on every row), against `bytes.translate` over the whole
file with a 256-byte table, measured in the same run. Then all numeric columns decoded one
column at a time over the whole matrix, and the same over cache-sized blocks of records: a
column pass over an 85 MB matrix reads every cache line of it from memory, so the blocked
order (every column of a block of ~8,000 records, then the next block) is the one to use.
Nothing is written to disk.

    .venv/bin/python bench/bench_numeric_codecs.py [--records N] [--repeat K]
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from bridge.codec import binary, packed, zoned
from bridge.codec.numeric import Numbers, to_arrow
from bridge.codec.options import CodecOptions
from bridge.layout.model import Field, Kind

WIDTH = 85


def _field(name: str, offset: int, length: int, kind: Kind, picture: str, digits: int, scale: int = 0,
           signed: bool = False, usage: str = "DISPLAY") -> Field:
    return Field(name=name, path=("CUSTOMER-REC", name), level=5, offset=offset, length=length, kind=kind,
                 picture=picture, usage=usage, digits=digits, scale=scale, signed=signed)


COLUMNS = [
    (binary, _field("CUST-ID", 0, 4, Kind.BINARY, "9(9)", 9, usage="COMP")),
    (zoned, _field("BIRTH-DATE", 34, 8, Kind.ZONED, "9(8)", 8)),
    (packed, _field("BALANCE", 42, 7, Kind.PACKED, "S9(11)V99", 13, 2, True, "COMP-3")),
    (packed, _field("CREDIT-LIMIT", 49, 5, Kind.PACKED, "S9(7)V99", 9, 2, True, "COMP-3")),
    (binary, _field("TXN-COUNT", 54, 2, Kind.BINARY, "S9(4)", 4, 0, True, "COMP")),
    (zoned, _field("SCORE", 58, 5, Kind.ZONED, "9V9999", 5, 4)),
    (zoned, _field("AVG-TXN-AMT", 63, 9, Kind.ZONED, "S9(7)V99", 9, 2, True)),
    (zoned, _field("MONTHS-ON-BOOK", 72, 3, Kind.ZONED, "9(3)", 3)),
]


def _best(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    n = args.records
    opts = CodecOptions()
    rng = np.random.default_rng(7)
    matrix = np.full((n, WIDTH), 0x40, np.uint8)
    for codec, f in COLUMNS:
        limit = 10 ** min(f.digits, 18)
        v = rng.integers(0, limit, n, dtype=np.int64)
        if f.signed:
            v = np.where(rng.random(n) < 0.3, -v, v)
        nums = Numbers(v, np.zeros(n, bool), f.digits, f.scale, "decimal" if f.scale else "int")
        codec.encode_into(matrix, f.offset, nums, f, opts)
    data = matrix.tobytes()
    table = bytes(range(256))[::-1]
    t_base = _best(lambda: data.translate(table), args.repeat)
    mb = len(data) / 1e6
    print(f"{n:,} records, {mb:.0f} MB; bytes.translate: {mb / t_base:,.0f} MB/s ({t_base * 1e3:.1f} ms)")
    print(f"{'column':16} {'decode':>10} {'+arrow':>10} {'encode':>10} {'patch':>10}  (M fields/s)")
    total_decode = 0.0
    for codec, f in COLUMNS:
        codec.decode(matrix[:10], f.offset, f, opts)
        t_dec = _best(lambda: codec.decode(matrix, f.offset, f, opts), args.repeat)
        t_arr = _best(lambda: to_arrow(codec.decode(matrix, f.offset, f, opts)), args.repeat)
        nums = codec.decode(matrix, f.offset, f, opts)
        t_enc = _best(lambda: codec.encode(nums, f, opts), args.repeat)
        target = matrix.copy()
        t_patch = _best(lambda: codec.encode_into(target, f.offset, nums, f, opts), args.repeat)
        assert (target == matrix).all()
        total_decode += t_arr
        print(f"{f.name:16} {n / t_dec / 1e6:10.0f} {n / t_arr / 1e6:10.0f} {n / t_enc / 1e6:10.0f} "
              f"{n / t_patch / 1e6:10.0f}")
    print(f"all numeric columns to Arrow, column by column: {total_decode * 1e3:.1f} ms "
          f"({total_decode / t_base:.2f} x the bytes.translate time)")

    def blocked(rows: int) -> None:
        for a in range(0, n, rows):
            block = matrix[a:a + rows]
            for codec, f in COLUMNS:
                codec.decode(block, f.offset, f, opts)

    def whole() -> None:
        for codec, f in COLUMNS:
            codec.decode(matrix, f.offset, f, opts)

    t_whole = _best(whole, args.repeat)
    print(f"all numeric columns decoded over the whole matrix: {t_whole * 1e3:.1f} ms "
          f"({t_whole / t_base:.2f} x bytes.translate)")
    for rows in (2048, 8192, 32768):
        t = _best(lambda: blocked(rows), args.repeat)
        print(f"all numeric columns decoded in blocks of {rows:>6} records: {t * 1e3:.1f} ms "
              f"({t / t_base:.2f} x bytes.translate, {len(COLUMNS) * n / t / 1e6:.0f} M fields/s)")


if __name__ == "__main__":
    main()
