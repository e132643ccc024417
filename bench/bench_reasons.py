"""Benchmark: exact reason codes for 10% of 1,000,000 records next to plain scoring.

Target (issue 4): reason codes for 10% of the records add no more than 3x the plain scoring
cost. Measured in one run, on the same feature matrix:

* ``predict``: LightGBM's ``Booster.predict`` on all rows (the plain scoring cost);
* ``treeshap``: `bridge.score.reasons.TreeShap` contributions + ranking for the selected 10%;
* ``lightgbm pred_contrib``: LightGBM's own contributions on a sample of the selected rows,
  extrapolated, once with its default threads and once chunked over a thread pool of
  ``num_threads=1`` calls (does the ctypes call release the GIL? does pred_contrib use OpenMP?).

The model is the environment notes' setup: 10 normal features, 50k training rows, a
nonlinear logit, 100 rounds, 31 leaves. Nothing is written outside a temporary directory.

    .venv/bin/python bench/bench_reasons.py [--rows 1000000] [--share 0.1] [--sample 10000]
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import lightgbm as lgb
import numpy as np

from bridge.score.reasons import TreeShap, rank_reasons


def _timed(fn, *args, **kwargs):
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--share", type=float, default=0.1)
    ap.add_argument("--sample", type=int, default=10_000, help="rows for the (slow) LightGBM pred_contrib runs")
    ap.add_argument("--trees", type=int, default=100)
    args = ap.parse_args()

    rng = np.random.default_rng(42)
    Xtr = rng.normal(size=(50_000, 10))
    logit = Xtr[:, 0] + Xtr[:, 1] * Xtr[:, 2] + np.sin(3 * Xtr[:, 3]) + 0.5 * Xtr[:, 4] ** 2 - Xtr[:, 5] * (Xtr[:, 6] > 0)
    y = (rng.random(50_000) < 1 / (1 + np.exp(-logit))).astype(int)
    params = {"objective": "binary", "num_leaves": 31, "force_row_wise": True, "seed": 42, "verbose": -1,
              "deterministic": True}
    booster = lgb.train(params, lgb.Dataset(Xtr, y), num_boost_round=args.trees)
    with tempfile.TemporaryDirectory() as tmp:          # round trip through model.txt, as scoring does
        booster.save_model(os.path.join(tmp, "model.txt"))
        booster = lgb.Booster(model_file=os.path.join(tmp, "model.txt"))

    X = rng.normal(size=(args.rows, 10))
    X[rng.random(args.rows) < 0.02, 0] = np.nan
    booster.predict(X[:1000])
    _, t_predict = _timed(booster.predict, X)
    proba = booster.predict(X)
    cutoff = np.quantile(proba, 1 - args.share)
    selected = np.flatnonzero(proba >= cutoff)
    Xs = X[selected]

    shap, t_build = _timed(TreeShap.from_booster, booster)
    shap.contributions(Xs[:100])                        # compile / load the numba cache
    codes = [f"R{j:02d}" for j in range(10)]

    def explain():
        return rank_reasons(shap.contributions(Xs), codes, 4)

    reasons, t_shap = _timed(explain)
    _, t_contrib_only = _timed(shap.contributions, Xs)

    sample = Xs[: args.sample]
    ref, t_lgb = _timed(booster.predict, sample, pred_contrib=True)
    _, t_lgb1 = _timed(booster.predict, sample, pred_contrib=True, num_threads=1)
    chunks = np.array_split(sample, 8)
    with ThreadPoolExecutor(max_workers=2) as pool:
        _, t_pool = _timed(lambda: list(pool.map(lambda c: booster.predict(c, pred_contrib=True, num_threads=1),
                                                 chunks)))
    scale = len(Xs) / len(sample)
    exact = float(np.abs(shap.contributions(sample) - ref).max())
    same_codes = bool((rank_reasons(ref, codes, 4) == reasons[: args.sample]).all())

    result = {
        "rows": args.rows, "selected": int(len(Xs)), "trees": booster.num_trees(), "cores": os.cpu_count(),
        "predict_all_s": round(t_predict, 3),
        "treeshap_build_s": round(t_build, 3),
        "treeshap_reasons_selected_s": round(t_shap, 3),
        "treeshap_contributions_only_s": round(t_contrib_only, 3),
        "treeshap_us_per_row": round(t_shap / len(Xs) * 1e6, 2),
        "lightgbm_pred_contrib_selected_s_est": round(t_lgb * scale, 2),
        "lightgbm_pred_contrib_1thread_selected_s_est": round(t_lgb1 * scale, 2),
        "lightgbm_pred_contrib_threadpool2_selected_s_est": round(t_pool * scale, 2),
        "reasons_cost_over_plain_scoring": round(t_shap / t_predict, 2),
        "naive_cost_over_plain_scoring": round(t_lgb * scale / t_predict, 2),
        "speedup_vs_lightgbm": round(t_lgb * scale / t_shap, 1),
        "max_abs_difference_vs_pred_contrib": exact,
        "codes_equal_on_sample": same_codes,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
