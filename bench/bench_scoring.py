"""Scoring benchmark: decode + score + patch of CUSTOMER-REC records next to LightGBM's predict alone.

In one run, on the same file and the same feature matrix:

* ``predict alone``: ``booster.predict`` on the decoded feature matrix (the baseline);
* ``score_file, no reasons``: the whole step (read, decode the features, predict, round, band,
  patch the outputs, write) with the demo model's card but no reason codes;
* ``score_file, reasons 10%``: the same with exact reason codes for about 10% of the records
  (the demo card's ``score>=0.15``).

Targets (issue 4): the whole step at >= 80% of predict-alone throughput; reason codes for 10%
of records adding no more than 3x the plain scoring cost.

    .venv/bin/python bench/bench_scoring.py --records 1000000
"""
from __future__ import annotations

import argparse
import dataclasses
import shutil
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def interleaved(steps: dict, repeat: int) -> dict[str, float]:
    """Best time of each step over ``repeat`` rounds, the steps taking turns within a round, so
    that a change in the machine's load touches the baseline and the steps alike."""
    best = {name: float("inf") for name in steps}
    for _ in range(repeat):
        for name, fn in steps.items():
            t = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    import lightgbm as lgb

    import bridge
    from bridge.records.api import read_records, write_records
    from bridge.score.card import ModelCard
    from bridge.score.file import score_file
    from bridge.score.model import feature_matrix
    from bridge.testing import fake_table

    layout = bridge.load_copybook(ROOT / "copybooks" / "customer.cpy")
    model_dir = ROOT / "models" / "customer-risk"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        chunk = tmp / "chunk.dat"
        write_records(fake_table(layout, min(args.records, 200_000), seed=42), chunk, layout)
        data = chunk.read_bytes()
        path = tmp / "CUSTEXT.dat"
        with open(path, "wb") as fh:
            reps, rest = divmod(args.records, len(data) // layout.length)
            for _ in range(reps):
                fh.write(data)
            fh.write(data[: rest * layout.length])
        n = path.stat().st_size // layout.length

        # a copy of the demo model without reason codes
        plain = tmp / "plain"
        shutil.copytree(model_dir, plain)
        card = ModelCard.load(plain / "card.toml")
        card = card.with_outputs(dataclasses.replace(card.outputs, reasons=None))
        card.save(plain / "card.toml")

        booster = lgb.Booster(model_file=str(model_dir / "model.txt"))
        features = read_records(path, layout, columns=list(card.feature_names))
        X = feature_matrix(card, features).X

        score_file(path, tmp / "warm.dat", layout, model_dir)  # compile numba kernels, load caches
        best = interleaved({"predict": lambda: booster.predict(X),
                            "plain": lambda: score_file(path, tmp / "out1.dat", layout, plain),
                            "reasons": lambda: score_file(path, tmp / "out2.dat", layout, model_dir)},
                           args.repeat)
        t_predict, t_plain, t_reasons = best["predict"], best["plain"], best["reasons"]
        explained = score_file(path, tmp / "out3.dat", layout, model_dir).report.get("records", {})

    print(f"{n:,} CUSTOMER-REC records, best of {args.repeat} interleaved rounds; reasons computed for "
          f"{explained.get('explained', '?')} records")
    print(f"{'step':<34} {'seconds':>8} {'records/s':>12} {'vs predict alone':>17}")
    for name, t in (("LightGBM predict alone", t_predict), ("score_file, no reasons", t_plain),
                    ("score_file, reasons for ~10%", t_reasons)):
        print(f"{name:<34} {t:8.3f} {n / t:12,.0f} {t_predict / t:16.0%}")
    print(f"reason codes add {(t_reasons - t_plain) / t_plain:.2f}x the plain scoring cost")


if __name__ == "__main__":
    main()
