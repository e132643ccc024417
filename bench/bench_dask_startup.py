"""What ``--engine dask --workers N`` costs as a whole command: the local cluster started for it.

In one run, on the same CUSTOMER-REC file (117-byte records, cp037), the whole command
``mfbridge score FILE ... -o OUT`` (a fresh process each time, as a user or the batch job's
``[engine] workers = N`` pays it for each file) with ``--engine local`` (baseline) against
``--engine dask --workers 1`` and ``--workers 2``; and, in this process, starting and closing the
local cluster alone (`bridge.dask.connect`). Medians of ``--repeat`` rounds, the steps taking
turns within a round; outputs checked byte-identical.

    .venv/bin/python bench/bench_dask_startup.py --records 20000
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--blocksize", default="1 MiB")
    args = ap.parse_args()

    import bridge
    import bridge.dask as bd
    from bridge.records.api import write_records
    from bridge.testing import fake_table

    layout = bridge.load_copybook(ROOT / "copybooks" / "customer.cpy")
    model_dir = ROOT / "models" / "customer-risk"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data = tmp / "customer.dat"
        write_records(fake_table(layout, args.records, seed=42), data, layout)
        mb = data.stat().st_size / 1e6
        print(f"{args.records:,} records, {mb:.1f} MB; blocksize {args.blocksize}")

        def command(name: str, *engine: str):
            out = tmp / f"{name}.out"

            def run() -> None:
                out.unlink(missing_ok=True)
                subprocess.run([sys.executable, "-m", "bridge.cli.main", "score", str(data), "-c",
                                str(ROOT / "copybooks" / "customer.cpy"), "--model", str(model_dir), "-o", str(out),
                                "-q", *engine], env=env, check=True, capture_output=True)
            return run

        def cluster(workers: int):
            def run() -> None:
                with bd.connect(workers=workers):
                    pass
            return run

        steps = {"score, --engine local": command("local"),
                 "score, dask --workers 1": command("dask1", "--engine", "dask", "--workers", "1",
                                                    "--blocksize", args.blocksize),
                 "score, dask --workers 2": command("dask2", "--engine", "dask", "--workers", "2",
                                                    "--blocksize", args.blocksize),
                 "local cluster of 1, start+close": cluster(1),
                 "local cluster of 2, start+close": cluster(2)}
        times: dict[str, list[float]] = {name: [] for name in steps}
        for _ in range(args.repeat):
            for name, fn in steps.items():
                t = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - t)
        medians = {name: statistics.median(v) for name, v in times.items()}
        base = medians["score, --engine local"]
        for name, t in medians.items():
            print(f"{name:34s} {t:7.2f} s  {t / base:5.2f}x the local command")
        local = (tmp / "local.out").read_bytes()
        assert all((tmp / f"dask{w}.out").read_bytes() == local for w in (1, 2)), "output differs"
        print("dask outputs byte-identical to the local output")


if __name__ == "__main__":
    main()
