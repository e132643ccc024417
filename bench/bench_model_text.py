"""How long checking a LightGBM text model takes (`bridge.score.model_text`), against LightGBM's own load.

Trains a 500-tree, 255-leaf binary model on synthetic data (once, a few seconds), then times,
median of ``--runs``, `parse_model_text` on its text and ``lightgbm.Booster(model_str=...)`` on the
same text, and prints both with their ratio (checking / LightGBM's load).

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
    X = rng.normal(size=(50_000, 8))
    y = (X[:, 0] + X[:, 1] * X[:, 2] + rng.normal(size=len(X)) > 0).astype(int)
    booster = lgb.train({"objective": "binary", "num_leaves": args.leaves, "min_data_in_leaf": 5,
                         "verbose": -1, "num_threads": 2}, lgb.Dataset(X, y), args.trees)
    text = booster.model_to_string().encode()
    parsed = parse_model_text(text)
    leaves = sum(t.num_leaves for t in parsed.trees)

    def timed(fn) -> float:
        runs = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            fn()
            runs.append(time.perf_counter() - t0)
        return statistics.median(runs)

    check = timed(lambda: parse_model_text(text))
    load = timed(lambda: lgb.Booster(model_str=text.decode()))
    print(f"model: {len(parsed.trees)} trees, {leaves} leaves, {len(text) / 1e6:.1f} MB")
    print(f"parse_model_text      median of {args.runs}: {check * 1000:8.1f} ms")
    print(f"lightgbm.Booster load median of {args.runs}: {load * 1000:8.1f} ms")
    print(f"ratio check / LightGBM load: {check / load:.2f}")


if __name__ == "__main__":
    main()
