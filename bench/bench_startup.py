"""Start-up benchmark: how long the everyday commands take on a ten-record file, process to exit.

Run with ``.venv/bin/python bench/bench_startup.py [--runs N]``. Each command is started as a
fresh process (``python -m bridge.cli.main ...``, which is what the `mfbridge` script runs) N times,
the commands interleaved so that a busy moment of the machine hits them all alike, and the
median wall time and CPU time of each are printed with their ratios to the baseline measured
in the same run:
the interpreter alone (``python -c pass``). Also printed: ``python -c "import numpy, pyarrow"``
and ``python -c "import numba"``, the floors a command pays once it touches records or
compiled kernels. ``--against CHECKOUT`` also runs the mfbridge commands from another
checkout of the package (``PYTHONPATH=CHECKOUT``, e.g. a ``git worktree`` of an older commit),
interleaved with these, for a before/after under the same load. A script, not a timed test:
timings depend on the machine and its load.
"""
from __future__ import annotations

import argparse
import os
import resource
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
    cli = [py, "-m", "bridge.cli.main"]  # what the console script runs; older checkouts have no __main__
    return {
        "baseline: python -c pass": [py, "-c", "pass"],
        "floor: import numpy, pyarrow": [py, "-c", "import numpy, pyarrow"],
        "floor: import numba": [py, "-c", "import numba"],
        "mfbridge --help": [*cli, "--help"],
        "mfbridge schema --format layout": [*cli, "schema", str(COPYBOOK), "--format", "layout"],
        "mfbridge inspect (record 1)": [*cli, "inspect", str(data), "-c", str(COPYBOOK)],
        "mfbridge decode (10 records, JSONL)": [*cli, "decode", str(data), "-c", str(COPYBOOK)],
    }


def _time(argv: list[str], pythonpath: str) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run of ``argv``."""
    env = {**os.environ, "PYTHONPATH": pythonpath}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    # cwd: `python -m` puts the current folder first on the path, before PYTHONPATH
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env,
                   cwd=tempfile.gettempdir())
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="process runs per command (median reported)")
    parser.add_argument("--against", metavar="CHECKOUT", default=None,
                        help="also run the mfbridge commands from this checkout, for a before/after")
    args = parser.parse_args()
    here = str(ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        runs: dict[str, tuple[list[str], str]] = {}
        for name, argv in _commands(_ten_records(Path(tmp))).items():
            runs[name] = (argv, here)
            if args.against and name.startswith("mfbridge"):
                runs[f"{name} [{Path(args.against).name}]"] = (argv, str(Path(args.against).resolve()))
        for argv, path in runs.values():  # one warm-up each: disk cache, numba's on-disk kernel cache
            _time(argv, path)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
        for _ in range(args.runs):
            for name, (argv, path) in runs.items():
                times[name].append(_time(argv, path))
    base = [statistics.median(v[i] for v in times["baseline: python -c pass"]) for i in (0, 1)]
    print(f"median of {args.runs} process runs each, wall and CPU (user + system) time; ratios to the "
          f"interpreter alone ({base[0]:.3f} s wall, {base[1]:.3f} s CPU). On a busy machine the CPU "
          "time is the steadier figure.")
    for name, values in times.items():
        wall = statistics.median(v[0] for v in values)
        cpu = statistics.median(v[1] for v in values)
        print(f"  {name:<48} wall {wall:6.3f} s {wall / base[0]:5.1f}x   cpu {cpu:6.3f} s {cpu / base[1]:5.1f}x")


if __name__ == "__main__":
    main()
