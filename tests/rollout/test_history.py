"""The history contract: tables, per-record Parquet, one count per run, retention, modes."""
from __future__ import annotations

import os
import stat
import sqlite3
from datetime import date

import pyarrow as pa
import pytest

from bridge.errors import JobError
from bridge.rollout.history import SCORES_SCHEMA, ArmStats, History, KpiRow, RolloutState, RunRecord


def run_record(run_id: str = "job-1-abc", started: str = "2026-12-01T02:00:00Z", **kw) -> RunRecord:
    values = dict(run_id=run_id, job="nightly", file="CUST.D261201.dat", started=started,
                  finished="2026-12-01T02:01:00Z", rc=0, records=3, mode="canary", share=10,
                  champion="CR-V3", challenger="CR-V4", fallback=None)
    values.update(kw)
    return RunRecord(**values)


def arms(run_id: str = "job-1-abc") -> list[ArmStats]:
    return [
        ArmStats(run_id=run_id, arm="champion", model_id="CR-V3", records=2, scored=2, status_counts={"00": 2},
                 score_hist={"edges": [0.0, 0.5, 1.0], "counts": [1, 1]}, bands={"A": 1, "B": 1},
                 reasons={"R01": 2}, psi={"BALANCE": 0.01, "RISK-SEG": None}, score_psi=None, seconds=0.5),
        ArmStats(run_id=run_id, arm="challenger", model_id="CR-V4", records=1, scored=1, status_counts={"00": 1},
                 score_hist={"edges": [0.0, 0.5, 1.0], "counts": [0, 1]}, bands={"B": 1}, reasons={},
                 psi={}, score_psi=0.02, seconds=0.4),
    ]


def scores(run_id: str = "job-1-abc", day: date = date(2026, 12, 1)) -> pa.Table:
    return pa.table({"key": ["1", "2", "3"], "score": [0.1, 0.7, 0.6], "band": ["A", "B", None],
                     "model_id": ["CR-V3", "CR-V3", "CR-V4"], "arm": ["champion", "champion", "challenger"],
                     "run_id": [run_id] * 3, "date": pa.array([day] * 3, pa.date32()),
                     "status": ["00", "00", "00"]})


@pytest.fixture
def history(tmp_path):
    h = History.open(tmp_path / "job.history.sqlite", tmp_path / "history", retention_days=30)
    yield h
    h.close()


def test_a_recorded_run_reads_back_with_its_arms_and_json_columns_as_dicts(history):
    history.record_run(run_record(), arms(), scores())
    runs = history.runs()
    assert runs.to_dict("records")[0]["file"] == "CUST.D261201.dat"
    stats = history.arm_stats().set_index("arm")
    assert stats.loc["champion", "psi"] == {"BALANCE": 0.01, "RISK-SEG": None}
    assert stats.loc["challenger", "score_psi"] == pytest.approx(0.02)
    assert stats.loc["champion", "score_hist"]["counts"] == [1, 1]


def test_scores_land_in_a_date_folder_named_for_the_run_and_read_back_with_the_schema(history, tmp_path):
    history.record_run(run_record(), arms(), scores())
    assert (tmp_path / "history" / "date=2026-12-01" / "job-1-abc.parquet").is_file()
    table = history.scores()
    assert table.schema == SCORES_SCHEMA
    assert table.column("key").to_pylist() == ["1", "2", "3"]
    assert history.scores(since=date(2026, 12, 2)).num_rows == 0


def test_recording_the_same_run_twice_counts_it_once(history):
    history.record_run(run_record(), arms(), scores())
    history.record_run(run_record(rc=4), arms(), scores())
    assert len(history.runs()) == 1 and history.runs().rc.tolist() == [0]
    assert len(history.arm_stats()) == 2
    assert history.scores().num_rows == 3


def test_a_scores_file_without_its_committed_run_is_not_read(history, tmp_path):
    history.record_run(run_record(), arms(), scores())
    folder = tmp_path / "history" / "date=2026-12-01"
    (folder / "job-1-abc.parquet").rename(folder / "killed-run.parquet")  # as a run killed before its commit
    history.record_run(run_record("job-2-def"), arms("job-2-def"), scores("job-2-def"))
    assert set(history.scores().column("run_id").to_pylist()) == {"job-2-def"}


def test_a_fallback_run_gets_its_guardrail_event_once(history):
    run = run_record(fallback="challenger score PSI 0.41 > max_score_psi 0.25", rc=4)
    history.record_run(run, arms(), None)
    history.record_run(run, arms(), None)
    events = history.events()
    assert events.kind.tolist() == ["guardrail"]
    assert "PSI 0.41" in events.message[0]


def test_events_and_kpis_are_recorded(history):
    history.record_event("promote", "share 10 -> 25", who="ops1")
    history.record_kpis([KpiRow("2026-12-02T00:00:00Z", "2026-11-01", "2026-11-30", "CR-V3", "champion", "auc",
                                0.71, 0.69, 0.73, 5000)])
    assert history.events().who.tolist() == ["ops1"]
    assert history.kpis().metric.tolist() == ["auc"]
    with pytest.raises(ValueError, match="not one of"):
        history.record_event("celebrate", "no")


def test_rollout_state_is_kept_and_its_event_recorded_with_it(history):
    assert history.rollout_state() is None
    state = RolloutState("models/v3", "models/v4", 25, False, "2026-12-02T07:00:00Z", "ops1")
    history.set_rollout_state(state, event=("promote", "share 10 -> 25"))
    assert history.rollout_state() == state
    assert history.events().kind.tolist() == ["promote"]


def test_retention_deletes_only_date_folders_older_than_the_setting(history, tmp_path):
    history.record_run(run_record("old", started="2026-10-01T02:00:00Z"), arms("old"), scores("old"))
    history.record_run(run_record(), arms(), scores())
    gone = history.apply_retention(today=date(2026, 12, 2))
    assert gone == ["date=2026-10-01"]
    assert not (tmp_path / "history" / "date=2026-10-01").exists()
    assert (tmp_path / "history" / "date=2026-12-01").is_dir()
    assert history.events().kind.tolist() == ["retention"]


def test_database_and_files_are_private_and_versioned(history, tmp_path):
    history.record_run(run_record(), arms(), scores())
    assert stat.S_IMODE(os.stat(tmp_path / "job.history.sqlite").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / "history").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(tmp_path / "history" / "date=2026-12-01").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(tmp_path / "history" / "date=2026-12-01" / "job-1-abc.parquet").st_mode) == 0o600
    with sqlite3.connect(tmp_path / "job.history.sqlite") as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_run_id_that_is_not_a_plain_file_name_is_refused(history):
    with pytest.raises(ValueError, match="names a file"):
        history.record_run(run_record("../escape"), [], None)


def test_a_damaged_history_is_one_line_naming_the_file(tmp_path):
    path = tmp_path / "bad.sqlite"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(JobError, match=r"bad.sqlite is damaged"):
        History.open(path, tmp_path / "h")
