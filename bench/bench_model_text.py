"""How long reading a LightGBM text model takes (`bridge.score.model_text`), against LightGBM's own load.

Trains a 500-tree, 255-leaf binary model on synthetic data (once; a minute or more; ``--model
FILE`` reuses a saved one and saves it there the first time), then times, median of ``--runs``:

* ``parse_model_text``: checking the text and reading its trees into arrays (what `Model.load` does);
* ``read_forest``: text to the compiler's `Forest` (what compiling a model's text does);
* ``lightgbm.Booster(model_str=...)`` on the same text, the baseline of the ratio.

It prints wall time and the CPU time of this process (steadier on a shared machine; LightGBM's
load uses several threads, all counted), and each one's ratio to LightGBM's load.

    PYTHONPATH=. python bench/bench_model_text.py [--trees 500] [--leaves 255] [--runs 5] [--model FILE]
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

from bridge.score.compiled.forest import read_forest
from bridge.score.model_text import parse_model_text


def _train(trees: int, leaves: int) -> bytes:
    import lightgbm as lgb

    rng = np.random.default_rng(0)
    X = rng.normal(size=(20_000, 8))
    y = (X[:, 0] + X[:, 1] * X[:, 2] + rng.normal(size=len(X)) > 0).astype(int)
    booster = lgb.train({"objective": "binary", "num_leaves": leaves, "min_data_in_leaf": 5,
                         "verbose": -1, "num_threads": 2}, lgb.Dataset(X, y), trees)
    return booster.model_to_string().encode()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trees", type=int, default=500)
    ap.add_argument("--leaves", type=int, default=255)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--model", type=Path, help="model file to reuse (trained and saved here when absent)")
    args = ap.parse_args()
    if args.model is not None and args.model.exists():
        text = args.model.read_bytes()
    else:
        text = _train(args.trees, args.leaves)
        if args.model is not None:
            args.model.write_bytes(text)
    import lightgbm as lgb

    parsed = parse_model_text(text)
    leaves = sum(t.num_leaves for t in parsed.trees)
    decoded = text.decode()

    def timed(fn) -> tuple[float, float]:
        wall, cpu = [], []
        for _ in range(args.runs):
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            wall.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        return statistics.median(wall), statistics.median(cpu)

    rows = [("parse_model_text", timed(lambda: parse_model_text(text))),
            ("read_forest", timed(lambda: read_forest(decoded))),
            ("lightgbm.Booster load", timed(lambda: lgb.Booster(model_str=decoded)))]
    load = rows[-1][1]
    print(f"model: {len(parsed.trees)} trees, {leaves} leaves, {len(text) / 1e6:.1f} MB")
    print(f"median of {args.runs}            wall ms   CPU ms   wall/load  CPU/load")
    for name, (wall, cpu) in rows:
        print(f"{name:22s} {wall * 1000:9.1f} {cpu * 1000:8.1f} {wall / load[0]:10.2f} {cpu / load[1]:9.2f}")


if __name__ == "__main__":
    main()
