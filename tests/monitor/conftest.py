"""A job with a model history written through the History API, and an outcome file in its own copybook.

Scores are synthetic but shaped like a canary that scores every record with both models:
the challenger separates bad from good better than the champion. The model folder is the
project's real ``models/customer-risk`` (its card gives the bands and the decision cut).
"""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from bridge.copybook import load_copybook
from bridge import write_records
from bridge.rollout.history import ArmStats, History, RunRecord
from tests.conftest import COPYBOOKS, ROOT
from tests.pipeline.jobfolder import job_text

OUTCOME_CPY = """\
       01  OUTCOME-REC.
           05  OUT-CUST-ID      PIC X(10).
           05  OUT-DEFAULT      PIC X(1).
           05  OUT-MONTHS       PIC 9(3).
"""
CHAMPION, CHALLENGER = "CUSTRISK", "CUSTRISK5"
FIRST_DAY = date(2026, 11, 2)
BANDS = ((0.05, "A"), (0.15, "B"), (0.40, "C"), (1.0, "D"))


def band_of(scores: np.ndarray) -> np.ndarray:
    uppers = np.array([u for u, _ in BANDS])
    return np.array([label for _, label in BANDS], dtype=object)[np.searchsorted(uppers, scores, side="left")]


def write_job(folder: Path, monitor: dict | None = None, extra: str = "") -> Path:
    (folder / "inbox").mkdir(exist_ok=True)
    (folder / "outbox").mkdir(exist_ok=True)
    text = job_text(job={"model": str(ROOT / "models" / "customer-risk"),
                         "copybook": str(COPYBOOKS / "customer.cpy")})
    if monitor is not None:
        text += "[monitor]\n" + "".join(f"{k} = {v!r}\n" if not isinstance(v, str) else f'{k} = "{v}"\n'
                                        for k, v in monitor.items())
    path = folder / "job.toml"
    path.write_text(text + extra)
    return path


def synthetic(n: int = 3000, seed: int = 1, bad_rate: float = 0.2):
    rng = np.random.default_rng(seed)
    keys = np.array([f"C{i:07d}" for i in range(n)], dtype=object)
    bad = rng.random(n) < bad_rate
    champion = 1 / (1 + np.exp(-(-1.6 + 0.9 * bad + rng.normal(0, 1, n))))
    challenger = 1 / (1 + np.exp(-(-1.6 + 1.6 * bad + rng.normal(0, 1, n))))
    return keys, bad, champion, challenger


def record_runs(history: History, keys, champion, challenger, *, days: int = 3, share: int = 10,
                psi: dict | None = None, score_psi: float = 0.02) -> list[str]:
    """One run per day; each day scores a third of the keys with both models (champion and challenger arms)."""
    parts = np.array_split(np.arange(len(keys)), days)
    run_ids = []
    for d, idx in enumerate(parts):
        day = FIRST_DAY + timedelta(days=d)
        run_id = f"R{day:%Y%m%d}-0001"
        started = f"{day.isoformat()}T02:00:00Z"
        rows = []
        for arm, model, scores in (("champion", CHAMPION, champion), ("challenger", CHALLENGER, challenger)):
            s = scores[idx]
            rows.append(pa.table({"key": pa.array(keys[idx], pa.string()), "score": pa.array(s, pa.float64()),
                                  "band": pa.array(band_of(s), pa.string()),
                                  "model_id": pa.array([model] * len(idx), pa.string()),
                                  "arm": pa.array([arm] * len(idx), pa.string()),
                                  "run_id": pa.array([run_id] * len(idx), pa.string()),
                                  "date": pa.array([day] * len(idx), pa.date32()),
                                  "status": pa.array(["00"] * len(idx), pa.string())}))
        hist = np.histogram(champion[idx], bins=20, range=(0, 1))[0].tolist()
        arms = [ArmStats(run_id, "champion", CHAMPION, len(idx), len(idx), {"00": len(idx)},
                         {"edges": list(np.linspace(0, 1, 21)), "counts": hist}, {"A": 1}, {"R001": 3},
                         psi or {"BALANCE": 0.01 * (d + 1), "TXN-COUNT": 0.02}, None, 1.5),
                ArmStats(run_id, "challenger", CHALLENGER, len(idx), len(idx), {"00": len(idx)},
                         {"edges": list(np.linspace(0, 1, 21)),
                          "counts": np.histogram(challenger[idx], bins=20, range=(0, 1))[0].tolist()},
                         {"B": 1}, {"R002": 1}, {"BALANCE": 0.03, "TXN-COUNT": 0.04}, score_psi, 1.7)]
        history.record_run(RunRecord(run_id, "custscore", f"CUST.D{day:%y%m%d}.dat", started,
                                     f"{day.isoformat()}T02:05:00Z", 0, len(idx), "canary", share, CHAMPION,
                                     CHALLENGER), arms, pa.concat_tables(rows))
        run_ids.append(run_id)
    return run_ids


def history_at(folder: Path) -> History:
    """The history where the job in ``folder`` keeps it by default (beside its journal)."""
    from bridge.monitor.settings import history_places
    from bridge.pipeline.job import load_job

    places = history_places(load_job(folder / "job.toml"))
    return History.open(places.path, places.folder)


def write_outcomes(path: Path, keys, bad, *, label_values=("Y", "N")) -> Path:
    cpy = path.with_suffix(".cpy")
    cpy.write_text(OUTCOME_CPY)
    layout = load_copybook(str(cpy))
    table = pa.table({"OUT-CUST-ID": pa.array(list(keys), pa.string()),
                      "OUT-DEFAULT": pa.array([label_values[0] if b else label_values[1] for b in bad], pa.string()),
                      "OUT-MONTHS": pa.array([12] * len(keys), pa.int64())})
    write_records(table, path, layout)
    return cpy


@pytest.fixture
def seeded(tmp_path):
    """A job folder with three days of canary runs in its history and the outcomes of every key."""
    job = write_job(tmp_path)
    keys, bad, champion, challenger = synthetic()
    with history_at(tmp_path) as history:
        record_runs(history, keys, champion, challenger)
    cpy = write_outcomes(tmp_path / "outcomes.dat", keys, bad)
    return {"job": job, "keys": keys, "bad": bad, "champion": champion, "challenger": challenger,
            "outcomes": tmp_path / "outcomes.dat", "cpy": cpy, "folder": tmp_path}
