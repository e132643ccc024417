"""Profile benchmark: `profile_file` against `read_records` on the same file of customer records.

Issue 12's target: profiling runs at no less than 0.3 of `read_records` throughput on the same
file (the profile decodes everything `read_records` does, then looks at every column). Both
are timed in the same run on the sample copybook ``copybooks/customer.cpy`` (117-byte records,
cp037, fake values from `bridge.testing.fake_table`); each figure is the median of
``--repeat`` runs, and the ratio is profile throughput / read throughput.

    .venv/bin/python bench/bench_profile.py --records 1000000
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def median_seconds(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    from bridge.copybook import load_copybook
    from bridge.profile import profile_file
    from bridge.records.api import read_records, write_records
    from bridge.testing import fake_table

    layout = load_copybook(str(ROOT / "copybooks" / "customer.cpy"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "customer.dat"
        chunk_rows = min(args.records, 100_000)
        write_records(fake_table(layout, chunk_rows, seed=7), path, layout)
        data = path.read_bytes()
        reps, rest = divmod(args.records, chunk_rows)
        with open(path, "wb") as out:
            for _ in range(reps):
                out.write(data)
            out.write(data[: rest * layout.length])
        size = path.stat().st_size
        read_records(path, layout)          # warm up numba kernels and the page cache
        profile_file(path, layout)
        read_s = median_seconds(lambda: read_records(path, layout), args.repeat)
        prof_s = median_seconds(lambda: profile_file(path, layout), args.repeat)
    mb = size / 1e6
    print(f"{args.records:,} records, {mb:.1f} MB, median of {args.repeat} runs")
    print(f"read_records : {read_s:7.2f} s  {args.records / read_s:12,.0f} records/s  {mb / read_s:7.1f} MB/s")
    print(f"profile_file : {prof_s:7.2f} s  {args.records / prof_s:12,.0f} records/s  {mb / prof_s:7.1f} MB/s")
    ratio = read_s / prof_s
    print(f"profile / read throughput: {ratio:.2f} (target >= 0.30)")


if __name__ == "__main__":
    main()
