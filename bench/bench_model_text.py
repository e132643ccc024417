"""How long checking a LightGBM text model takes (`bridge.score.model_text`), against LightGBM's own load.

Trains a 500-tree, 255-leaf binary model on synthetic data (once; a minute or more), then times,
median of ``--runs``, `parse_model_text` on its text and ``lightgbm.Booster(model_str=...)`` on the
same text, and prints both with their ratio (checking / LightGBM's load): wall time, and the
CPU time of this process (steadier on a shared machine; LightGBM's load uses several threads,
all counted).

    PYTHONPATH=. python bench/bench_model_text.py [--trees 500] [--leaves 255] [--runs 5]
"""
from __future__ import annotations

import argparse
import statistics
import time

import lightgbm as lgb
import numpy as np

from bridge.score.model_text import parse_model_text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trees", type=int, default=500)
    ap.add_argument("--leaves", type=int, default=255)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20_000, 8))
    y = (X[:, 0] + X[:, 1] * X[:, 2] + rng.normal(size=len(X)) > 0).astype(int)
    booster = lgb.train({"objective": "binary", "num_leaves": args.leaves, "min_data_in_leaf": 5,
                         "verbose": -1, "num_threads": 2}, lgb.Dataset(X, y), args.trees)
    text = booster.model_to_string().encode()
    parsed = parse_model_text(text)
    leaves = sum(t.num_leaves for t in parsed.trees)

    def timed(fn) -> tuple[float, float]:
        wall, cpu = [], []
        for _ in range(args.runs):
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            wall.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        return statistics.median(wall), statistics.median(cpu)

    check = timed(lambda: parse_model_text(text))
    load = timed(lambda: lgb.Booster(model_str=text.decode()))
    print(f"model: {len(parsed.trees)} trees, {leaves} leaves, {len(text) / 1e6:.1f} MB")
    print(f"median of {args.runs}           wall ms   CPU ms")
    print(f"parse_model_text      {check[0] * 1000:9.1f} {check[1] * 1000:8.1f}")
    print(f"lightgbm.Booster load {load[0] * 1000:9.1f} {load[1] * 1000:8.1f}")
    print(f"ratio check / load    {check[0] / load[0]:9.2f} {check[1] / load[1]:8.2f}")


if __name__ == "__main__":
    main()
