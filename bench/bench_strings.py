"""Benchmark of the string columns of CUSTOMER-REC against ``bytes.translate`` over the same file.

Run: ``.venv/bin/python bench/bench_strings.py [--records 1000000] [--repeat 5]``. Builds the
records in memory (nothing written to disk), then times, median of ``--repeat`` interleaved rounds:

* the baseline: ``bytes.translate`` with a 256-byte table over the whole file;
* the decode of CUST-NAME PIC X(30) and RISK-SEG PIC X(2) into Arrow string arrays, one column
  at a time (`alphanumeric.decode`) and both in one pass over the rows (`alphanumeric.decode_many`,
  what the record decoder does with every PIC X column of a record);
* the encode of the same two columns back into bytes.

It prints MB/s relative to the whole file (85 bytes a record), so the string share of the
end-to-end target (>= 30 % of the baseline for the whole decode) can be read off directly.
"""
from __future__ import annotations

import argparse
import statistics
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


def _medians(steps: dict, repeat: int) -> dict[str, float]:
    """Median seconds of each step over ``repeat`` rounds, the steps interleaved in every round
    so that a change in the machine's load falls on all of them alike."""
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(repeat):
        for name, fn in steps.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
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

    def decode_together():
        return alphanumeric.decode_many(matrix, [NAME_OFFSET, SEG_OFFSET], [name, seg], options)

    names, segs = decode_strings()  # compile and warm up
    assert all(a.equals(b) for a, b in zip(decode_together(), (names, segs)))
    alphanumeric.encode(names, name, options)
    t = _medians({
        "baseline": lambda: raw.translate(table),
        "decode": decode_strings,
        "together": decode_together,
        "name": lambda: alphanumeric.decode(matrix, NAME_OFFSET, name, options),
        "encode": lambda: (alphanumeric.encode(names, name, options), alphanumeric.encode(segs, seg, options)),
    }, args.repeat)
    baseline = t["baseline"]
    print(f"{n:,} records, {mb:.0f} MB, median of {args.repeat}")
    print(f"bytes.translate baseline      {baseline:7.3f} s  {mb / baseline:8.0f} MB/s of file")
    for key, label in (("decode", "decode X(30)+X(2), each alone"), ("together", "decode X(30)+X(2) in one pass")):
        print(f"{label:30s}{t[key]:7.3f} s  {mb / t[key]:8.0f} MB/s of file  ({baseline / t[key]:.2f} x baseline)")
    print(f"decode X(30) alone            {t['name']:7.3f} s  {n * NAME_LENGTH / 1e6 / t['name']:8.0f} MB/s of column")
    print(f"encode X(30)+X(2) from Arrow  {t['encode']:7.3f} s  {mb / t['encode']:8.0f} MB/s of file  "
          f"({baseline / t['encode']:.2f} x baseline)")


if __name__ == "__main__":
    main()
