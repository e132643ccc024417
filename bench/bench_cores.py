"""Decoding on every core (issue 10): read and decode -> Parquet on 1 and N threads, against translate.

Builds a file of fake CUSTOMER records (`copybooks/customer.cpy`, 117 bytes, cp037) of about
``--mb`` MB and measures, in the same run and in interleaved rounds (each round runs every
step once, so a change of load on a shared machine falls on all of them):

* the baseline: ``bytes.translate`` of the whole file with a 256-byte table (one core);
* ``read_records(path, layout, threads=t)`` -> DataFrame, for each ``t`` of ``--threads``;
* decode -> Parquet through the command's own path (`open_reader` + `open_sink`: the
  Parquet writer in its own thread, fed by a bounded queue) for each ``t``;
* decode -> Parquet with the writer in the decoding thread and one decoding thread: what
  the overlap is measured against;
* the Parquet writer alone, on the file's tables decoded beforehand and held in memory: the
  bound of the overlapped pipeline (pyarrow writes the column chunks of a row group one after
  another in one thread; its column-parallel option is not in its Python binding).

Prints, per step, the median of ``--repeat`` rounds (not the best): wall seconds, MB/s, MB/s
per core in use (MB/s / threads) and the ratio to the baseline of the same run; and, because
on a shared machine a process gets only its share of the cores whatever its thread count
(Linux's autogroup scheduling shares the CPU between sessions, not threads), the CPU seconds
of the process, MB per CPU second (the per-core rate that load does not change much), the
cores the step kept busy (CPU / wall), and the ratio to the baseline per CPU second; the
header gives the load average before and after the rounds. Targets:
read with both cores >= 0.85 of translate; decode -> Parquet >= 0.4. ``--memory`` also
measures the peak RSS of a streaming pass (`iter_batches`) at each thread count, in a child
process.

    .venv/bin/python bench/bench_cores.py --mb 200 --repeat 3
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COPYBOOK = ROOT / "copybooks" / "customer.cpy"


def timed(fn) -> tuple[float, float]:
    """Wall seconds and CPU seconds (every thread of this process) of one call."""
    t, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - t, time.process_time() - c


def build_file(layout, path: Path, mb: float) -> int:
    """About ``mb`` MB of fake records: a 100,000-record chunk written once, then repeated."""
    from bridge.testing import fake_file

    chunk = path.with_suffix(".chunk")
    fake_file(layout, 100_000, chunk, seed=42)
    data = chunk.read_bytes()
    chunk.unlink()
    target = int(mb * 1e6)
    with open(path, "wb") as fh:
        while fh.tell() + len(data) <= target:
            fh.write(data)
        rest = (target - fh.tell()) // layout.length
        fh.write(data[:rest * layout.length])
    return path.stat().st_size // layout.length


def peak_rss(path: Path, threads: int) -> float:
    """Peak RSS (GB) of a child process that streams ``path`` through `iter_batches` on ``threads`` threads."""
    code = ("import bridge\n"
            "from bridge.records.api import iter_batches\n"
            f"layout = bridge.load_copybook({str(COPYBOOK)!r})\n"
            f"n = sum(b.table.num_rows for b in iter_batches({str(path)!r}, layout, threads={threads}))\n"
            "print(next(int(x.split()[1]) for x in open('/proc/self/status') if x.startswith('VmHWM:')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return int(out.split()[-1]) / 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=200.0, help="size of the file to decode (default 200)")
    ap.add_argument("--repeat", type=int, default=3, help="rounds; each figure is the median (default 3)")
    ap.add_argument("--threads", default=None,
                    help="comma-separated thread counts (default: 1 and every core this process may use)")
    ap.add_argument("--memory", action="store_true", help="also the peak RSS of a streaming pass per thread count")
    ap.add_argument("--json", action="store_true", help="print the results as JSON too")
    args = ap.parse_args()

    import bridge
    from bridge.records.api import iter_batches, open_reader, read_records
    from bridge.records.parallel import available_cores
    from bridge.records.sinks import open_sink

    cores = available_cores()
    counts = [int(t) for t in args.threads.split(",")] if args.threads else sorted({1, cores})
    layout = bridge.load_copybook(COPYBOOK)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "customer.dat"
        n = build_file(layout, path, args.mb)
        mb = path.stat().st_size / 1e6
        out = Path(tmp) / "out.parquet"

        table_cp = bytes(range(256)).decode("cp037").encode("latin-1", "replace")
        trans = bytes.maketrans(bytes(range(256)), table_cp)

        def baseline():
            path.read_bytes().translate(trans)

        def read(threads):
            return lambda: read_records(path, layout, threads=threads)

        def to_parquet(threads):
            def run():
                reader = open_reader(path, layout, threads=threads)
                with open_sink("parquet", str(out), layout=layout, reader=reader) as sink:
                    for batch in reader:
                        sink.write(batch.table)
            return run

        def to_parquet_in_line():
            from bridge.records.sinks import parquet_writer

            reader = open_reader(path, layout, threads=1)
            writer = parquet_writer(str(out), reader.schema)
            for batch in iter(reader):
                writer.write_table(batch.table)
            writer.close()

        decoded = [batch.table for batch in open_reader(path, layout, threads=1)]

        def parquet_alone():
            from bridge.records.sinks import parquet_writer

            writer = parquet_writer(str(out), decoded[0].schema)
            for table in decoded:
                writer.write_table(table)
            writer.close()

        steps = [("bytes.translate baseline", 1, baseline)]
        steps += [("read_records -> DataFrame", t, read(t)) for t in counts]
        steps.append(("Parquet writer alone (tables held)", 1, parquet_alone))
        steps.append(("decode -> Parquet, writer in line", 1, to_parquet_in_line))
        steps += [("decode -> Parquet (writer thread)", t, to_parquet(t)) for t in counts]

        for _ in iter_batches(path, layout, batch_records=1000, threads=1):
            break  # warm-up: kernels loaded from numba's cache
        load_before = os.getloadavg()[0]
        rounds: dict[int, list[tuple[float, float]]] = {i: [] for i in range(len(steps))}
        for _ in range(args.repeat):
            for i, (_, _, fn) in enumerate(steps):
                rounds[i].append(timed(fn))
        walls = [statistics.median(w for w, _ in rounds[i]) for i in range(len(steps))]
        cpus = [statistics.median(c for _, c in rounds[i]) for i in range(len(steps))]
        base, base_cpu = walls[0], cpus[0]
        load = (load_before, os.getloadavg()[0])
        print(f"{n:,} CUSTOMER records ({layout.length} bytes), {mb:.1f} MB; {cores} cores; "
              f"median of {args.repeat} interleaved rounds; load average {load[0]:.1f} before, {load[1]:.1f} after")
        print(f"{'step':<34} {'threads':>7} {'wall s':>7} {'MB/s':>7} {'MB/s/core':>9} {'of transl.':>10}"
              f" {'CPU s':>7} {'MB/CPU-s':>8} {'busy':>5} {'of transl. per CPU-s':>21}")
        results = []
        for i, ((name, threads, _), t, c) in enumerate(zip(steps, walls, cpus)):
            rate, per_cpu = mb / t, mb / c
            print(f"{name:<34} {threads:>7} {t:7.2f} {rate:7.1f} {rate / threads:9.1f} {base / t:10.2f}"
                  f" {c:7.2f} {per_cpu:8.1f} {c / t:5.2f} {base_cpu / c:21.2f}")
            results.append({"step": name, "threads": threads, "seconds": t, "cpu_seconds": c, "mb_per_s": rate,
                            "mb_per_s_per_core": rate / threads, "mb_per_cpu_s": per_cpu, "busy_cores": c / t,
                            "of_translate": base / t, "of_translate_per_cpu_s": base_cpu / c,
                            "rounds": rounds[i]})
        if args.memory:
            for threads in counts:
                rss = peak_rss(path, threads)
                print(f"streaming pass on {threads} thread(s): peak RSS {rss:.2f} GB")
                results.append({"step": "streaming peak RSS (GB)", "threads": threads, "gb": rss})
        if args.json:
            print(json.dumps({"records": n, "mb": mb, "cores": cores, "repeat": args.repeat, "load_average": load,
                              "results": results}, indent=1))


if __name__ == "__main__":
    main()
