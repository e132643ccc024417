"""Benchmark of `decode` to JSON lines, CSV and Parquet against `read_records` on the same file (issue 9).

Run: ``.venv/bin/python bench/bench_outputs.py [--records 1000000] [--rounds 3]``. Writes
``--records`` valid fake records of copybooks/customer.cpy (117 bytes each, cp037, RECFM F)
into a temporary folder, then, round after round (so a busy machine slows all of them alike):

* the baseline: ``read_records`` of the file into a DataFrame;
* ``decode --to jsonl``, ``--to csv`` and ``--to parquet`` through the command's own code
  (`bridge.cli.main.main`), each writing a file in the same folder.

Each step runs in a fresh interpreter that times only the step (not the interpreter start,
the imports or the copybook compile); its peak RSS is read from the child's resource usage.
Prints the median MB/s of the data file for each step, its ratio to the baseline's median
and the largest peak RSS, beside the peak RSS of the same step on a file half the size
(equal figures mean memory does not grow with the file). Targets: Parquet and CSV ≥ 0.4, JSON lines ≥ 0.15, and memory
bounded (streaming: peak RSS far below the file size for the three formats).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COPYBOOK = ROOT / "copybooks" / "customer.cpy"

_STEP = r"""
import sys, time
from pathlib import Path
from bridge.copybook import load_copybook
step, data, out = sys.argv[1], sys.argv[2], sys.argv[3]
copybook = sys.argv[4]
if step == "read_records":
    from bridge.records.api import read_records
    layout = load_copybook(copybook)
    read_records(data, layout, batch_records=1024)   # compile the kernels outside the clock
    t0 = time.perf_counter()
    df = read_records(data, layout)
    elapsed = time.perf_counter() - t0
    assert len(df) > 0
else:
    import contextlib, io
    from bridge.cli.main import main
    warm = Path(out).with_name("warm-" + Path(out).name)
    small = Path(out).with_name("small.dat")
    small.write_bytes(Path(data).read_bytes()[:117 * 1000])
    with contextlib.redirect_stderr(io.StringIO()):
        assert main(["decode", str(small), "-c", copybook, "--to", step, "-o", str(warm)]) == 0
        t0 = time.perf_counter()
        rc = main(["decode", data, "-c", copybook, "--to", step, "-o", out])
        elapsed = time.perf_counter() - t0
    assert rc == 0
print(elapsed)
"""


def _make_file(path: Path, n: int) -> None:
    from bridge.copybook import load_copybook
    from bridge.records.api import write_records
    from bridge.testing import fake_table

    layout = load_copybook(COPYBOOK)
    chunk = 200_000
    with open(path, "wb") as fh:
        for start in range(0, n, chunk):
            write_records(fake_table(layout, min(chunk, n - start), seed=start), fh, layout)


def _run_with_rss(step: str, data: Path, out: Path) -> tuple[float, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    pid = os.fork()
    if pid == 0:  # child: exec the step with stdout to a file
        fd = os.open(str(out) + ".time", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(fd, 1)
        os.execve(sys.executable, [sys.executable, "-c", _STEP, step, str(data), str(out), str(COPYBOOK)], env)
    _, status, usage = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{step} failed with status {status}")
    seconds = float(Path(str(out) + ".time").read_text().strip().splitlines()[-1])
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    steps = {"read_records": "df", "jsonl": "out.jsonl", "csv": "out.csv", "parquet": "out.parquet"}
    with tempfile.TemporaryDirectory(prefix="bench-outputs-") as tmp:
        data = Path(tmp) / "customer.dat"
        _make_file(data, args.records)
        mb = data.stat().st_size / 1e6
        print(f"{args.records:,} CUSTOMER-REC records, {mb:.0f} MB; median of {args.rounds} rounds, "
              "each step in a fresh interpreter")
        times: dict[str, list[float]] = {s: [] for s in steps}
        rss: dict[str, float] = {s: 0.0 for s in steps}
        for _ in range(args.rounds):
            for step, name in steps.items():
                seconds, peak = _run_with_rss(step, data, Path(tmp) / name)
                times[step].append(seconds)
                rss[step] = max(rss[step], peak)
        # streaming: the peak RSS of a file half the size (still many batches) should be about the same
        small = Path(tmp) / "small.dat"
        with open(data, "rb") as src, open(small, "wb") as dst:
            dst.write(src.read(117 * max(1, args.records // 2)))
        rss_small = {step: _run_with_rss(step, small, Path(tmp) / ("s-" + name))[1] for step, name in steps.items()}
        base = mb / statistics.median(times["read_records"])
        target = {"jsonl": 0.15, "csv": 0.4, "parquet": 0.4}
        print(f"{'step':<24}{'MB/s':>9}{'ratio':>8}{'target':>8}{'peak RSS MB':>13}{'at 1/2 size':>14}")
        for step in steps:
            speed = mb / statistics.median(times[step])
            label = "read_records" if step == "read_records" else f"decode --to {step}"
            goal = f">={target[step]}" if step in target else "-"
            print(f"{label:<24}{speed:>9.1f}{speed / base:>8.2f}{goal:>8}{rss[step]:>13.0f}{rss_small[step]:>14.0f}")


if __name__ == "__main__":
    main()
