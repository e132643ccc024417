"""Benchmark: the model compiler against LightGBM's ``predict``, in the same run.

Targets (issue 10): compiled predict alone, on the same feature matrix, at least 8x LightGBM's
``predict`` on the demo model (models/customer-risk, 100 trees x 31 leaves) and at least 5x on
a 500-tree x 255-leaf model; that model compiles in at most 10 s; cached code loads in well
under a second. Exactness is checked on every row of every run.

Measured per model, median of ``--runs``:

* ``compile``: from the model text to callable code, cache off (so: a first nightly run);
* ``cached load``: the same with the code in the disk cache (every later run);
* ``lightgbm`` and ``compiled``: predictions of ``--rows`` rows, both with ``--threads``
  threads (LightGBM's ``num_threads``, our row slices), and both at 1 thread for the per-core
  rate; ratio = LightGBM's time / ours.

The 500 x 255 model is trained once by `big_model` (50k rows, 20 features, a nonlinear
target, one thread) and kept in ``--models`` for later runs.

    .venv/bin/python bench/bench_compiled.py [--rows 1000000] [--runs 3] [--threads 2]
"""
from __future__ import annotations

import argparse
import json
import logging
import statistics
import tempfile
import time
from pathlib import Path

import lightgbm as lgb
import numpy as np

from bridge.score.compiled import compile_model

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "models" / "customer-risk" / "model.txt"


def big_model(folder: Path) -> Path:
    """The 500-tree, 255-leaf model (trained on first use, then reused)."""
    path = folder / "m500x255.txt"
    if path.is_file():
        return path
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50_000, 20))
    y = (X[:, 0] * X[:, 1] + np.sin(X[:, 2]) + X[:, 3] ** 2 - 1 + rng.normal(size=50_000) * 0.5 > 0).astype(int)
    # one thread: OpenMP's spinning threads waste most of a loaded machine's time
    params = dict(objective="binary", num_leaves=255, learning_rate=0.05, min_data_in_leaf=5, verbose=-1,
                  seed=0, deterministic=True, force_row_wise=True, num_threads=1)
    booster = lgb.train(params, lgb.Dataset(X, y), 500)
    folder.mkdir(parents=True, exist_ok=True)
    booster.save_model(str(path))
    return path


def demo_rows(rng: np.random.Generator, rows: int) -> np.ndarray:
    """Features in the demo model's ranges (its feature_infos), 2% missing."""
    X = np.column_stack([
        rng.normal(0, 3e10, rows), rng.uniform(0, 1e7, rows), rng.integers(0, 9980, rows),
        rng.normal(0, 3e6, rows), rng.integers(0, 998, rows), rng.poisson(1.0, rows),
        rng.uniform(0, 996, rows), rng.integers(0, 4, rows)]).astype(np.float64)
    X[rng.random(X.shape) < 0.02] = np.nan
    return X


def timed(fn, runs: int) -> tuple[object, float]:
    times, out = [], None
    for _ in range(runs):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return out, statistics.median(times)


def bench(name: str, text: str, X: np.ndarray, runs: int, threads: int) -> dict:
    booster = lgb.Booster(model_str=text)
    with tempfile.TemporaryDirectory() as cache:
        compiled, t_compile = timed(lambda: compile_model(text, use_cache=False), runs)
        compile_model(text, cache_dir=cache)
        loaded, t_load = timed(lambda: compile_model(text, cache_dir=cache), runs)
    assert loaded.from_cache and compiled.native
    result = {"model": name, "trees": len(compiled.forest.trees),
              "splits": sum(t.num_nodes for t in compiled.forest.trees), "rows": len(X),
              "compile_s": round(t_compile, 3), "cached_load_s": round(t_load, 3)}
    for n in sorted({threads, 1}, reverse=True):
        ref, t_lgb = timed(lambda: booster.predict(X, num_threads=n), runs)
        ours, t_ours = timed(lambda: compiled.predict(X, num_threads=n), runs)
        raw_diff = float(np.max(np.abs(compiled.predict(X, raw_score=True, num_threads=n)
                                       - booster.predict(X, raw_score=True, num_threads=n))))
        result[f"threads_{n}"] = {
            "lightgbm_s": round(t_lgb, 3), "compiled_s": round(t_ours, 3), "ratio": round(t_lgb / t_ours, 2),
            "lightgbm_rows_per_s_per_core": round(len(X) / t_lgb / n), "compiled_rows_per_s_per_core":
            round(len(X) / t_ours / n), "max_raw_diff": raw_diff,
            "predictions_equal": bool(np.array_equal(ours, ref))}
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--models", type=Path, default=Path(tempfile.gettempdir()) / "mfbridge-bench-models")
    ap.add_argument("--only", choices=["demo", "big"], default=None)
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    rng = np.random.default_rng(1)
    if args.only in (None, "demo"):
        print(json.dumps(bench("customer-risk", DEMO.read_text(), demo_rows(rng, args.rows), args.runs,
                               args.threads), indent=1), flush=True)
    if args.only in (None, "big"):
        text = big_model(args.models).read_text()
        X = rng.normal(size=(args.rows // 4, 20))
        X[rng.random(X.shape) < 0.02] = np.nan
        print(json.dumps(bench("500x255", text, X, args.runs, args.threads), indent=1), flush=True)


if __name__ == "__main__":
    main()
