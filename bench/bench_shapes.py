"""Decode speed on every record shape, against `bytes.translate` of the same bytes in the same run.

Issue 10 ("decode at the limit, on every shape, on every core"). One fake file per shape,
``--mb`` megabytes each (a chunk of `bridge.fake.fake_file` records repeated):

* ``customer``  copybooks/customer.cpy (117 bytes: binary, strings, zoned, packed, an OCCURS 4)
* ``custrec``   bench/custrec.cpy, the 85-byte layout of bench_codec.py
* ``wide``      195 numeric items: zoned, packed and binary, signed and not, with and without scale
* ``strings``   20 PIC X items of 4 to 40 characters
* ``comp3``     30 COMP-3 items of 3 to 18 digits
* ``vb-odo``    copybooks/transactions.cpy, RECFM VB with RDWs: a table of 0 TO 50 entries
                DEPENDING ON a count, and items after the table (shifted by each record's count)

For each shape, ``--repeat`` interleaved rounds (default 3) time, on the same file:
``path.read_bytes().translate(table)`` (the baseline: read the file and touch every byte once),
``read_records`` (the file into a DataFrame) and a streaming pass of ``iter_batches`` (each batch
decoded, then dropped). The medians are reported, as MB/s and as the ratio to the baseline's
median. This is done twice: pinned to one core (``os.sched_setaffinity``, the per-core figure)
and on every core the process may use. Last, a fresh interpreter streams each file once and
reports its peak RSS (VmHWM: the child's own address space).

The ratios are the figures to read: on a shared machine the absolute MB/s follow the load, but
the baseline runs in the same rounds and suffers it alike.

    python bench/bench_shapes.py                        # 200 MB per shape, median of 3
    python bench/bench_shapes.py --mb 20 --repeat 3 --shapes vb-odo,customer
    python bench/bench_shapes.py --json out.json        # also write the JSON to a file
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _wide_copybook() -> str:
    """195 numeric items cycling through the usages and pictures a wide extract mixes."""
    pictures = ["S9(7)V99", "9(5)", "S9(9)V99 COMP-3", "S9(4) COMP", "9(9) COMP", "S9(3)V9 COMP-3",
                "S9(11)V99 COMP-3", "9(3)", "S9(18) COMP", "S9(5)V99"]
    lines = ["       01 WIDE-REC."]
    for i in range(195):
        lines.append(f"          05 W{i:03d} PIC {pictures[i % len(pictures)]}.")
    return "\n".join(lines) + "\n"


def _strings_copybook() -> str:
    widths = [4, 30, 8, 12, 40, 2, 20, 16, 10, 25, 6, 35, 3, 18, 28, 1, 14, 22, 9, 40]
    lines = ["       01 TEXT-REC."]
    for i, w in enumerate(widths):
        lines.append(f"          05 T{i:02d} PIC X({w}).")
    return "\n".join(lines) + "\n"


def _comp3_copybook() -> str:
    pictures = ["S9(7)V99", "S9(3)", "S9(11)V99", "9(5)", "S9(15)V999", "S9(17)V9", "S9(1)V99", "9(9)"]
    lines = ["       01 PACKED-REC."]
    for i in range(30):
        lines.append(f"          05 P{i:02d} PIC {pictures[i % len(pictures)]} COMP-3.")
    return "\n".join(lines) + "\n"


#: shape name -> (copybook source: a path or copybook text, reader options)
SHAPES: dict[str, tuple[object, dict]] = {
    "customer": (ROOT / "copybooks" / "customer.cpy", {}),
    "custrec": (HERE / "custrec.cpy", {}),
    "wide": (_wide_copybook(), {}),
    "strings": (_strings_copybook(), {}),
    "comp3": (_comp3_copybook(), {}),
    "vb-odo": (ROOT / "copybooks" / "transactions.cpy", {"recfm": "VB"}),
}

#: records per generated chunk; the file is that chunk repeated (the fake generator is not what
#: is measured, and 200 MB of fresh records would take longer to make than to read)
CHUNK_RECORDS = 50_000


def load_layout(source: object):
    from bridge import load_copybook
    from bridge.copybook import compile_copybook

    return load_copybook(source) if isinstance(source, Path) else compile_copybook(str(source))


def build_file(name: str, source: object, options: dict, mb: float, folder: Path) -> tuple[Path, int]:
    """A file of about ``mb`` MB of the shape's records; returns its path and record count."""
    from bridge.fake import fake_file

    layout = load_layout(source)
    chunk = folder / f"{name}.chunk"
    probe = fake_file(layout, 500, chunk, seed=10, **options)
    per_record = chunk.stat().st_size / probe.records
    wanted = min(CHUNK_RECORDS, max(500, int(mb * 1e6 / per_record)))
    summary = fake_file(layout, wanted, chunk, seed=10, **options)
    data = chunk.read_bytes()
    chunk.unlink()
    reps = max(1, round(mb * 1e6 / len(data)))
    path = folder / f"{name}.dat"
    with open(path, "wb") as fh:
        for _ in range(reps):
            fh.write(data)
    return path, summary.records * reps


def _translate_table() -> bytes:
    cp = bytes(range(256)).decode("cp037").encode("latin-1", "replace")
    return bytes.maketrans(bytes(range(256)), cp)


def measure(path: Path, layout, options: dict, repeat: int) -> dict[str, float]:
    """Median seconds of translate, read_records and a streaming iter_batches pass, interleaved."""
    from bridge.records.api import iter_batches, read_records

    table = _translate_table()
    times: dict[str, list[float]] = {"translate": [], "read_records": [], "iter_batches": []}

    def translate() -> None:
        path.read_bytes().translate(table)

    def read() -> None:
        read_records(path, layout, **options)

    def stream() -> None:
        for _ in iter_batches(path, layout, **options):
            pass

    for _ in range(repeat):
        for key, fn in (("translate", translate), ("read_records", read), ("iter_batches", stream)):
            gc.collect()
            t = time.perf_counter()
            fn()
            times[key].append(time.perf_counter() - t)
    return {k: statistics.median(v) for k, v in times.items()}


_PEAK_CHILD = """
import sys
from pathlib import Path
sys.path.insert(0, {here!r})
from bench_shapes import SHAPES, load_layout
from bridge.records.api import iter_batches
source, options = SHAPES[{name!r}]
layout = load_layout(source)
n = 0
for b in iter_batches({path!r}, layout, **options):
    n += b.table.num_rows
peak = next(int(x.split()[1]) for x in open('/proc/self/status') if x.startswith('VmHWM:'))
print(n, peak)
"""


def streaming_peak_rss(name: str, path: Path) -> int:
    """Peak RSS in bytes of a fresh interpreter streaming the file once (imports included)."""
    code = _PEAK_CHILD.format(here=str(HERE), name=name, path=str(path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return int(out.split()[1]) * 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=200.0, help="megabytes per shape (default 200)")
    ap.add_argument("--repeat", type=int, default=3, help="rounds; medians are reported (default 3)")
    ap.add_argument("--shapes", default=",".join(SHAPES), help=f"comma-separated subset of: {', '.join(SHAPES)}")
    ap.add_argument("--no-all-cores", action="store_true", help="only the pinned, one-core figures")
    ap.add_argument("--no-rss", action="store_true", help="skip the streaming peak-RSS child")
    ap.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    args = ap.parse_args()
    names = [s.strip() for s in args.shapes.split(",") if s.strip()]
    unknown = [s for s in names if s not in SHAPES]
    if unknown:
        ap.error(f"unknown shape(s) {', '.join(unknown)}; choose from {', '.join(SHAPES)}")

    every_core = os.sched_getaffinity(0)
    one_core = {min(every_core)}
    modes = [("1 core", one_core)] + ([] if args.no_all_cores or len(every_core) == 1
                                        else [(f"{len(every_core)} cores", every_core)])
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            source, options = SHAPES[name]
            layout = load_layout(source)
            path, records = build_file(name, source, options, args.mb, Path(tmp))
            size = path.stat().st_size
            # compile the kernels (or load them from numba's cache) outside the clock
            from bridge.fake import fake_file
            from bridge.records.api import read_records

            warm = Path(tmp) / "warm.dat"
            fake_file(layout, 200, warm, seed=1, **options)
            read_records(warm, layout, **options)
            row = {"shape": name, "records": records, "mb": round(size / 1e6, 1),
                   "record_bytes": round(size / records, 1), "load_average": round(os.getloadavg()[0], 1)}
            for label, cpus in modes:
                os.sched_setaffinity(0, cpus)
                try:
                    med = measure(path, layout, options, args.repeat)
                finally:
                    os.sched_setaffinity(0, every_core)
                key = "one_core" if cpus == one_core else "all_cores"
                row[key] = {
                    "translate_mb_s": round(size / 1e6 / med["translate"], 1),
                    "read_records_mb_s": round(size / 1e6 / med["read_records"], 1),
                    "iter_batches_mb_s": round(size / 1e6 / med["iter_batches"], 1),
                    "read_records_ratio": round(med["translate"] / med["read_records"], 3),
                    "iter_batches_ratio": round(med["translate"] / med["iter_batches"], 3),
                }
            if not args.no_rss:
                row["streaming_peak_rss_mb"] = round(streaming_peak_rss(name, path) / 1e6)
            results.append(row)
            path.unlink()
            _print_row(row, modes, first=len(results) == 1, repeat=args.repeat)

    report = {"repeat": args.repeat, "mb_per_shape": args.mb, "cores": len(every_core), "shapes": results}
    print(json.dumps(report, indent=1))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1) + "\n")


def _print_row(row: dict, modes, *, first: bool, repeat: int) -> None:
    if first:
        print(f"median of {repeat}; ratio = translate time / step time, same rounds")
        print(f"{'shape':<9} {'MB':>6} {'cores':<8} {'translate':>10} {'read MB/s':>10} {'ratio':>6} "
              f"{'stream MB/s':>11} {'ratio':>6} {'peak RSS':>9} {'load':>5}")
    for label, cpus in modes:
        key = "one_core" if "1 core" == label else "all_cores"
        r = row[key]
        rss = f"{row['streaming_peak_rss_mb']} MB" if "streaming_peak_rss_mb" in row else "-"
        print(f"{row['shape']:<9} {row['mb']:>6} {label:<8} {r['translate_mb_s']:>10} {r['read_records_mb_s']:>10} "
              f"{r['read_records_ratio']:>6.2f} {r['iter_batches_mb_s']:>11} {r['iter_batches_ratio']:>6.2f} "
              f"{rss:>9} {row['load_average']:>5}", flush=True)


if __name__ == "__main__":
    main()
