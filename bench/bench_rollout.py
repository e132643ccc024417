"""Rollout benchmark: what a challenger costs a run, next to the champion scoring alone.

In one run, on the same file (CUSTOMER-REC of ``copybooks/customer.cpy``, the demo model as
champion and a copy of it under another model id as challenger, so both models cost the same):

* ``champion alone``: `score_file` with the champion (the baseline);
* ``shadow``: `score_rollout` in shadow mode (the challenger scores every record on the side);
* ``canary 25%``: `score_rollout` with records routed by CUST-ID (both models score every record,
  the routed outputs are merged, every arm counted, every record's key and scores kept);
* ``routing kernel``: the FNV-1a bucket of every record's key bytes alone;
* ``history``: `History.record_run` of the canary's run, arms and per-record Parquet.

Median of ``--repeat`` interleaved rounds; ratios against the champion alone in the same run.
Both models scoring every record is the design (the guardrails compare them on the whole
file), so the expected cost of a challenger is about one more scoring, not a share of one.

    .venv/bin/python bench/bench_rollout.py --records 400000
"""
from __future__ import annotations

import argparse
import dataclasses
import shutil
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def interleaved(steps: dict, repeat: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(repeat):
        for name, fn in steps.items():
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=400_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    import numpy as np

    import bridge
    from bridge.records.api import write_records
    from bridge.rollout.config import RolloutConfig
    from bridge.rollout.history import History, RunRecord
    from bridge.rollout.ramp import Plan
    from bridge.rollout.routing import buckets
    from bridge.rollout.scoring import score_rollout
    from bridge.score.card import ModelCard, ModelIdOutput
    from bridge.score.file import score_file
    from bridge.testing import fake_table

    layout = bridge.load_copybook(ROOT / "copybooks" / "customer.cpy")
    champion = ROOT / "models" / "customer-risk"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        chunk = tmp / "chunk.dat"
        write_records(fake_table(layout, min(args.records, 100_000), seed=42), chunk, layout)
        data = np.frombuffer(chunk.read_bytes(), dtype=np.uint8).reshape(-1, layout.length)
        reps = -(-args.records // len(data))
        matrix = np.tile(data, (reps, 1))[: args.records].copy()
        matrix[:, 0:4] = np.arange(1, args.records + 1, dtype=">u4").view(np.uint8).reshape(-1, 4)  # distinct keys
        path = tmp / "CUSTEXT.dat"
        path.write_bytes(matrix.tobytes())
        n = len(matrix)

        challenger = tmp / "challenger"
        shutil.copytree(champion, challenger)
        card = ModelCard.load(challenger / "card.toml")
        card.with_outputs(dataclasses.replace(card.outputs, model_id=ModelIdOutput(
            field=card.outputs.model_id.field, value="CHALL-02"))).save(challenger / "card.toml")

        config = RolloutConfig(champion=champion, champion_text="v3", challenger=challenger, challenger_text="v4",
                               mode="canary", share=25, key="CUST-ID", max_score_psi=100.0, max_status_rate=1.0)
        shadow = Plan(champion, challenger, "shadow", 0, champion_text="v3", challenger_text="v4")
        canary = Plan(champion, challenger, "canary", 25, champion_text="v3", challenger_text="v4")
        kept = {}

        def run_canary():
            kept["run"] = score_rollout(path, tmp / "canary.dat", layout, canary, config, run_id="bench",
                                        day=date(2026, 12, 2))

        def record_history():
            folder = tmp / f"history-{time.perf_counter_ns()}"
            with History.open(folder / "h.sqlite", folder / "scores") as history:
                r = kept["run"]
                history.record_run(RunRecord("bench", "bench", "CUSTEXT.dat", "2026-12-02T01:00:00Z",
                                             "2026-12-02T01:01:00Z", 0, n, "canary", 25, "v3", "v4"),
                                   r.arms, r.scores)

        run_canary()  # compile and warm every kernel once before the clock
        steps = {
            "champion alone": lambda: score_file(path, tmp / "alone.dat", layout, champion),
            "shadow": lambda: score_rollout(path, tmp / "shadow.dat", layout, shadow, config, run_id="bench",
                                            day=date(2026, 12, 2)),
            "canary 25%": run_canary,
            "routing kernel": lambda: buckets(matrix, 0, 4),
            "history": record_history,
        }
        times = interleaved(steps, args.repeat)
        base = statistics.median(times["champion alone"])
        mb = path.stat().st_size / 1e6
        print(f"{n} records, {mb:.0f} MB, median of {args.repeat} rounds")
        for name, values in times.items():
            t = statistics.median(values)
            print(f"{name:16s} {t:8.3f} s  {n / t / 1e6:7.2f} M records/s  {t / base:6.2f}x champion alone "
                  f"(runs {', '.join(f'{v:.2f}' for v in values)})")
        print(f"routed to the challenger: {kept['run'].routed} ({kept['run'].routed / n:.2%}); "
              f"per-record history rows: {kept['run'].scores.num_rows}")


if __name__ == "__main__":
    main()
