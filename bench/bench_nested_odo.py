"""Nested OCCURS DEPENDING ON (a count inside each element) against a single-level ODO table.

Both layouts hold up to 6 elements of up to 8 COMP-3 amounts and a code; in the nested one each
element has its own count (`bridge.records.nested_odo` walks them), in the single-level one the
amounts are a fixed OCCURS 8 under one ODO table (fixed-stride plans). Fake files of the same
number of records are read with `read_table`, as RECFM V and as RECFM F with --variable-occurs
(the framer asks each record's length), median of several rounds; `bytes.translate` over each
file in the same round is the baseline.

    python bench/bench_nested_odo.py --records 200000 --rounds 3
"""
from __future__ import annotations

import argparse
import io
import statistics
import time

from bridge.copybook import compile_copybook
from bridge.fake import fake_file
from bridge.records.api import read_table

NESTED = """
       01 REC.
          05 ID       PIC 9(8).
          05 N        PIC 9(2).
          05 OUTER OCCURS 0 TO 6 DEPENDING ON N.
             10 M     PIC 9(2).
             10 AMT   PIC S9(7)V99 COMP-3 OCCURS 0 TO 8 DEPENDING ON M.
             10 CODE  PIC X(6).
          05 TAIL     PIC X(10).
"""

SINGLE = """
       01 REC.
          05 ID       PIC 9(8).
          05 N        PIC 9(2).
          05 M        PIC 9(2).
          05 OUTER OCCURS 0 TO 6 DEPENDING ON N.
             10 AMT   PIC S9(7)V99 COMP-3 OCCURS 8.
             10 CODE  PIC X(6).
          05 TAIL     PIC X(10).
"""

IDENTITY = bytes(range(256))


def _measure(layout, records: int, rounds: int, options: dict) -> tuple[float, float, int]:
    out = io.BytesIO()
    fake_file(layout, records, out, **options)
    data = out.getvalue()
    small = io.BytesIO()
    fake_file(layout, 50, small, **options)
    read_table(small.getvalue(), layout, **options)  # compile kernels outside the clock
    reads, base = [], []
    for _ in range(rounds):
        t = time.perf_counter()
        data.translate(IDENTITY)
        base.append(time.perf_counter() - t)
        t = time.perf_counter()
        read_table(data, layout, **options)
        reads.append(time.perf_counter() - t)
    return statistics.median(reads), statistics.median(base), len(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    layouts = {"nested": compile_copybook(NESTED), "single-level": compile_copybook(SINGLE)}
    for framing, options in (("RECFM V", {"recfm": "V"}), ("F --variable-occurs", {"variable_occurs": True})):
        rates = {}
        for name, layout in layouts.items():
            read, base, size = _measure(layout, args.records, args.rounds, options)
            rates[name] = args.records / read
            print(f"{framing:<20} {name:<13} {size / 1e6:7.1f} MB  {args.records / read / 1e3:8.1f} k records/s  "
                  f"{size / read / 1e6:7.1f} MB/s  ratio to bytes.translate {base / read:.3f}")
        print(f"{framing:<20} nested / single-level records/s: {rates['nested'] / rates['single-level']:.2f}")


if __name__ == "__main__":
    main()
