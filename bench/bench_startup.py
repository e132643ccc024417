"""Start-up benchmark: how long the everyday commands take on a ten-record file, process to exit.

Run with ``.venv/bin/python bench/bench_startup.py [--runs N]``. Each command is started as a
fresh process (``python -m bridge ...``, which is what the `mfbridge` script runs) N times,
the commands interleaved so that a busy moment of the machine hits them all alike, and the
median wall time of each is printed with its ratio to the baseline measured in the same run:
the interpreter alone (``python -c pass``). Also printed: ``python -c "import numpy, pyarrow"``
and ``python -c "import numba"``, the floors a command pays once it touches records or
compiled kernels. A script, not a timed test: timings depend on the machine and its load.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COPYBOOK = ROOT / "copybooks" / "customer.cpy"


def _ten_records(folder: Path) -> Path:
    from bridge import load_copybook, write_records
    from bridge.testing import fake_table

    layout = load_copybook(COPYBOOK)
    path = folder / "CUST10.dat"
    write_records(fake_table(layout, 10, seed=1), path, layout)
    return path


def _commands(data: Path) -> dict[str, list[str]]:
    py = sys.executable
    cli = [py, "-m", "bridge"]
    return {
        "baseline: python -c pass": [py, "-c", "pass"],
        "floor: import numpy, pyarrow": [py, "-c", "import numpy, pyarrow"],
        "floor: import numba": [py, "-c", "import numba"],
        "mfbridge --help": [*cli, "--help"],
        "mfbridge schema --format layout": [*cli, "schema", str(COPYBOOK), "--format", "layout"],
        "mfbridge inspect (record 1)": [*cli, "inspect", str(data), "-c", str(COPYBOOK)],
        "mfbridge decode (10 records, JSONL)": [*cli, "decode", str(data), "-c", str(COPYBOOK)],
    }


def _time(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="process runs per command (median reported)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        commands = _commands(_ten_records(Path(tmp)))
        for argv in commands.values():  # one warm-up each: disk cache, numba's on-disk kernel cache
            _time(argv)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, argv in commands.items():
                times[name].append(_time(argv))
    base = statistics.median(times["baseline: python -c pass"])
    print(f"median of {args.runs} process runs each; ratio to the interpreter alone ({base:.3f} s)")
    for name, values in times.items():
        med = statistics.median(values)
        print(f"  {name:<40} {med:6.3f} s  {med / base:5.1f}x   (min {min(values):.3f}, max {max(values):.3f})")


if __name__ == "__main__":
    main()
