"""The rollout in the batch job: the job file's [rollout]/[history], routed runs, the fallback's RC 4,
the history of every run, a SIGKILL that never counts a run twice, and `mfbridge rollout`."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bridge.cli.main import main
from bridge.errors import JobError
from bridge.pipeline.job import load_job
from bridge.pipeline.run import JobRunner
from bridge.records.api import read_records
from bridge.rollout.history import History
from tests.conftest import COPYBOOKS, ROOT
from tests.pipeline.jobfolder import job_text
from tests.rollout.conftest import extract


def job_folder(root: Path, models: dict[str, Path], *, rollout: dict | None = None, job: dict | None = None,
               history: dict | None = None) -> Path:
    for name in ("inbox", "outbox"):
        (root / name).mkdir(exist_ok=True)
    sections = {"job": {"copybook": str(COPYBOOKS / "customer.cpy"), "model": str(models["champion"]), **(job or {})}}
    text = job_text(**sections)
    if rollout is not None:
        text += _section("rollout", rollout)
    if history is not None:
        text += _section("history", history)
    (root / "job.toml").write_text(text)
    return root / "job.toml"


def _section(name: str, values: dict) -> str:
    from tests.pipeline.jobfolder import _toml

    return f"[{name}]\n" + "".join(f"{k} = {_toml(v)}\n" for k, v in values.items())


def drop(root: Path, layout, name: str, records: int = 600) -> Path:
    path = extract(root / "inbox" / name, layout, records)
    (root / "inbox" / f"{name}.trg").write_bytes(b"")
    return path


def status(root: Path, name: str) -> dict[str, str]:
    text = (root / "outbox" / f"{Path(name).stem}.SCORED{Path(name).suffix}.status").read_text()
    return dict(line.split("=", 1) for line in text.splitlines())


def canary(models, **changes) -> dict:
    return {"champion": str(models["champion"]), "challenger": str(models["challenger"]), "mode": "canary",
            "share": 25, "key": "CUST-ID", "max_score_psi": 50.0, **changes}


# -- the job file ------------------------------------------------------------------------------------

def test_a_rollout_section_loads_with_its_defaults(tmp_path, models):
    job = load_job(job_folder(tmp_path, models, rollout=canary(models)))
    assert (job.rollout.mode, job.rollout.share, job.rollout.key, job.rollout.ramp) == ("canary", 25, "CUST-ID",
                                                                                        (5, 25, 50, 100))
    assert job.rollout.max_status_rate == 0.05
    assert job.history.path == job.journal.with_name("journal.history.sqlite")
    assert job.history.folder == job.journal.parent / "history" and job.history.retention_days == 400


def test_the_old_shadow_key_is_a_rollout_in_shadow_mode(tmp_path, models):
    job = load_job(job_folder(tmp_path, models, job={"shadow": str(models["challenger"])}))
    assert (job.rollout.mode, job.rollout.share, job.rollout.challenger) == ("shadow", 0, models["challenger"])


@pytest.mark.parametrize("change, message", [
    ({"mode": "blue-green"}, "[rollout] mode = 'blue-green' is not one of: shadow, canary, ab"),
    ({"share": 101}, "[rollout] share = 101 must be a whole percent from 0 to 100"),
    ({"key": None}, "[rollout] mode = 'canary' needs key ="),
    ({"ramp": [25, 5, 100]}, "[rollout] ramp = [25, 5, 100] must be a rising list"),
    ({"ramp": [5, 50]}, "[rollout] ramp = [5, 50] must end at 100"),
    ({"max_score_psi": -1}, "[rollout] max_score_psi = -1 must be a number"),
    ({"max_status_rate": 2}, "[rollout] max_status_rate = 2 must be a number from 0 to 1"),
    ({"sharee": 5}, "unknown key(s) in [rollout]: sharee"),
])
def test_a_wrong_rollout_key_stops_the_job_naming_the_key(tmp_path, models, change, message):
    values = {k: v for k, v in {**canary(models), **change}.items() if v is not None}
    with pytest.raises(JobError) as caught:
        load_job(job_folder(tmp_path, models, rollout=values))
    assert message in str(caught.value)


def test_a_wrong_history_key_stops_the_job_naming_the_key(tmp_path, models):
    with pytest.raises(JobError, match=r"\[history\] retention_days = 0 must be a whole number of days"):
        load_job(job_folder(tmp_path, models, rollout=canary(models), history={"retention_days": 0}))


def test_a_rollout_key_that_is_not_a_field_stops_the_run_before_any_file_is_claimed(tmp_path, models, layout):
    path = job_folder(tmp_path, models, rollout=canary(models, key="CUST-NUMBER"))
    drop(tmp_path, layout, "CUST.dat", 10)
    with pytest.raises(JobError, match=r"\[rollout\] key = 'CUST-NUMBER' is not a field of record CUSTOMER-REC"):
        JobRunner(load_job(path)).run_once()
    assert (tmp_path / "inbox" / "CUST.dat").exists()


# -- runs ----------------------------------------------------------------------------------------------

def history_of(path: Path) -> History:
    job = load_job(path)
    return History.open(job.history.path, job.history.folder)


def test_a_canary_run_routes_records_and_records_the_run_its_arms_and_its_scores(tmp_path, models, layout):
    path = job_folder(tmp_path, models, rollout=canary(models))
    drop(tmp_path, layout, "CUST.dat")
    result = JobRunner(load_job(path)).run_once()
    assert result.rc == 0
    st = status(tmp_path, "CUST.dat")
    ids = read_records(tmp_path / "outbox" / "CUST.SCORED.dat", layout, columns=["MODEL-ID"])["MODEL-ID"]
    routed = int((ids.astype(str) == "CRISK-V4").sum())
    assert 0 < routed < 600 and f"{routed} by challenger" in st["MESSAGE"]
    with history_of(path) as history:
        runs = history.runs()
        assert runs[["mode", "share", "champion", "challenger", "rc", "records"]].values.tolist() == \
            [["canary", 25, "CRISK-V3", "CRISK-V4", 0, 600]]
        assert runs.run_id[0].startswith("custscore-00000001-")
        assert sorted(history.arm_stats().arm) == ["challenger", "champion", "shadow"]
        scores = history.scores()
        assert scores.num_rows == 600 + (600 - routed)


def test_a_broken_challenger_is_set_aside_the_champion_delivers_with_rc_4_and_says_why(tmp_path, models, layout):
    path = job_folder(tmp_path, models, rollout=canary(models, challenger=str(models["broken"])))
    drop(tmp_path, layout, "CUST.dat")
    result = JobRunner(load_job(path)).run_once()
    assert result.rc == 4
    st = status(tmp_path, "CUST.dat")
    assert st["RC"] == "0004"
    assert st["MESSAGE"].startswith(f"champion only, challenger {models['broken']} cannot be used")
    ids = read_records(tmp_path / "outbox" / "CUST.SCORED.dat", layout, columns=["MODEL-ID"])["MODEL-ID"]
    assert set(ids.astype(str)) == {"CRISK-V3"}
    with history_of(path) as history:
        assert history.runs().fallback[0].startswith("challenger")
        events = history.events()
        assert events.kind.tolist() == ["guardrail"] and "cannot be used" in events.message[0]


def test_routing_is_sticky_across_runs_and_a_higher_share_only_adds_keys(tmp_path, models, layout):
    path = job_folder(tmp_path, models, rollout=canary(models, share=10))
    drop(tmp_path, layout, "DAY1.dat")
    JobRunner(load_job(path)).run_once()
    drop(tmp_path, layout, "DAY2.dat")                  # the same customers the next night
    JobRunner(load_job(path)).run_once()
    path.write_text(path.read_text().replace("share = 10", "share = 25"))
    drop(tmp_path, layout, "DAY3.dat")
    JobRunner(load_job(path)).run_once()

    def challenger_keys(name):
        frame = read_records(tmp_path / "outbox" / name, layout, columns=["CUST-ID", "MODEL-ID"])
        return set(frame["CUST-ID"][frame["MODEL-ID"].astype(str) == "CRISK-V4"].astype(int))
    day1, day2, day3 = (challenger_keys(f"DAY{i}.SCORED.dat") for i in (1, 2, 3))
    assert day1 == day2
    assert day1 < day3


# -- SIGKILL ------------------------------------------------------------------------------------------

def run_job(path: Path, fault: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("BRIDGE_FAULT_AFTER", None)
    if fault:
        env["BRIDGE_FAULT_AFTER"] = fault
    return subprocess.run([sys.executable, "-m", "bridge", "run", str(path), "--once"], env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("fault", ["history-scores", "before-processed"])
def test_a_run_killed_with_sigkill_around_the_history_is_counted_once_after_the_resumed_run(tmp_path, models,
                                                                                            layout, fault):
    path = job_folder(tmp_path, models, rollout=canary(models))
    drop(tmp_path, layout, "CUST.dat")
    killed = run_job(path, fault)
    assert killed.returncode == -9, killed.stderr
    resumed = run_job(path)
    assert resumed.returncode == 0, resumed.stderr
    with history_of(path) as history:
        assert len(history.runs()) == 1
        assert len(history.arm_stats()) == 3
        scores = history.scores()
        written = scores.filter(np.asarray(scores.column("arm").to_numpy(zero_copy_only=False) != "shadow"))
        assert written.num_rows == 600
        assert sorted(set(written.column("key").to_pylist()), key=int) == [str(i) for i in range(1, 601)]
    assert (tmp_path / "outbox" / "CUST.SCORED.dat").exists()


# -- mfbridge rollout ---------------------------------------------------------------------------------

def test_promote_hold_and_rollback_move_the_share_along_the_ramp_and_record_who(tmp_path, models, capsys):
    path = job_folder(tmp_path, models, rollout=canary(models, share=10))
    assert main(["rollout", str(path), "promote", "--who", "ops1"]) == 0
    assert "share 10 -> 25" in capsys.readouterr().out
    assert main(["rollout", str(path), "hold", "--who", "risk-committee"]) == 0
    assert main(["rollout", str(path), "rollback", "--who", "ops2"]) == 0
    with history_of(path) as history:
        assert history.rollout_state().share == 0
        events = history.events()
        assert events[["kind", "who"]].values.tolist() == [["promote", "ops1"], ["hold", "risk-committee"],
                                                          ["rollback", "ops2"]]
        assert events.message[1] == f"share held at 25 ({models['challenger']} against {models['champion']})"
    assert main(["rollout", str(path), "promote"]) == 0            # from shadow: the first step
    with history_of(path) as history:
        assert history.rollout_state().share == 5
        assert history.events().who.iloc[-1]                        # the OS user


def test_promoting_to_100_makes_the_challenger_the_model_of_record_for_every_record(tmp_path, models, layout,
                                                                                     capsys):
    path = job_folder(tmp_path, models, rollout=canary(models, share=50))
    assert main(["rollout", str(path), "promote", "--who", "ops1"]) == 0
    assert "promoted" in capsys.readouterr().out
    assert main(["rollout", str(path), "status"]) == 0
    shown = capsys.readouterr().out
    assert f"promoted:   {models['challenger']} is the model of record" in shown
    drop(tmp_path, layout, "CUST.dat", 200)
    assert JobRunner(load_job(path)).run_once().rc == 0
    ids = read_records(tmp_path / "outbox" / "CUST.SCORED.dat", layout, columns=["MODEL-ID"])["MODEL-ID"]
    assert set(ids.astype(str)) == {"CRISK-V4"}
    assert main(["rollout", str(path), "promote"]) == 8
    assert "already promoted" in capsys.readouterr().err


def test_a_new_challenger_in_the_job_file_starts_from_the_files_share(tmp_path, models, capsys):
    path = job_folder(tmp_path, models, rollout=canary(models, share=10))
    assert main(["rollout", str(path), "promote", "--who", "ops1"]) == 0
    path.write_text(path.read_text().replace(str(models["challenger"]), str(models["opposite"])))
    capsys.readouterr()
    assert main(["rollout", str(path), "status"]) == 0
    out = capsys.readouterr().out
    assert "share 10%" in out and "never (the job file's settings)" in out


def test_rollout_on_a_job_without_a_challenger_says_so(tmp_path, models, capsys):
    path = job_folder(tmp_path, models)
    assert main(["rollout", str(path), "promote"]) == 8
    assert "no [rollout] section" in capsys.readouterr().err


def test_status_and_job_check_create_no_history(tmp_path, models, capsys):
    path = job_folder(tmp_path, models, rollout=canary(models))
    assert main(["rollout", str(path), "status"]) == 0
    assert "mode:       canary, share 25%" in capsys.readouterr().out
    assert main(["job", "check", str(path)]) == 0
    job = load_job(path)
    assert not job.history.path.exists() and not job.history.folder.exists()


def test_the_old_shadow_key_writes_the_champion_and_records_the_challenger_as_shadow(tmp_path, models, layout):
    path = job_folder(tmp_path, models, job={"shadow": str(models["challenger"])})
    drop(tmp_path, layout, "CUST.dat", 300)
    assert JobRunner(load_job(path)).run_once().rc == 0
    ids = read_records(tmp_path / "outbox" / "CUST.SCORED.dat", layout, columns=["MODEL-ID"])["MODEL-ID"]
    assert set(ids.astype(str)) == {"CRISK-V3"}
    with history_of(path) as history:
        assert history.runs()[["mode", "share"]].values.tolist() == [["shadow", 0]]
        stats = history.arm_stats().set_index("arm")
        assert stats.loc["shadow", "model_id"] == "CRISK-V4" and stats.loc["shadow", "records"] == 300


def test_a_history_that_cannot_be_written_delivers_the_file_with_rc_4_and_says_so(tmp_path, models, layout):
    path = job_folder(tmp_path, models, rollout={"key": "CUST-ID"},
                      history={"path": str(tmp_path / "history.sqlite")})
    (tmp_path / "history.sqlite").write_bytes(b"not a database, not at all" * 200)
    drop(tmp_path, layout, "CUST.dat", 100)
    assert JobRunner(load_job(path)).run_once().rc == 4
    st = status(tmp_path, "CUST.dat")
    assert st["RC"] == "0004" and st["MESSAGE"].startswith("run not recorded in the history: history ")
    assert "is damaged" in st["MESSAGE"]
    assert (tmp_path / "outbox" / "CUST.SCORED.dat").stat().st_size == 100 * 117


def test_a_ramp_state_that_cannot_be_read_stops_the_run_before_any_file_is_claimed(tmp_path, models, layout):
    path = job_folder(tmp_path, models, rollout=canary(models), history={"path": str(tmp_path / "history.sqlite")})
    (tmp_path / "history.sqlite").write_bytes(b"not a database, not at all" * 200)
    drop(tmp_path, layout, "CUST.dat", 10)
    with pytest.raises(JobError, match=r"history .*history.sqlite is damaged"):
        JobRunner(load_job(path)).run_once()
    assert (tmp_path / "inbox" / "CUST.dat").exists()


def test_job_check_says_what_the_rollout_would_do_on_a_run_now(tmp_path, models, capsys):
    path = job_folder(tmp_path, models, rollout=canary(models))
    assert main(["job", "check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "ok   rollout: canary: 25% of records, by a hash of CUST-ID, scored by the challenger" in out
    assert f"ok   challenger: {models['challenger']} loads and fits the copybook" in out


def test_job_check_warns_of_a_challenger_that_cannot_be_used_without_failing_the_job(tmp_path, models, capsys):
    path = job_folder(tmp_path, models, rollout=canary(models, challenger=str(models["broken"])))
    assert main(["job", "check", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"challenger: WARNING {models['broken']} cannot be used" in out
    assert "a run would score every record with the champion and deliver with RC 4" in out


def test_job_check_warns_of_a_wrong_monitor_key_that_evaluate_would_refuse(tmp_path, models, capsys):
    path = job_folder(tmp_path, models, rollout=canary(models))
    path.write_text(path.read_text() + "[monitor]\nmin_auc = 0.7\nmax_pis = 0.2\n")
    assert main(["job", "check", str(path)]) == 0
    assert "monitor: WARNING unknown key(s) in [monitor]: max_pis" in capsys.readouterr().out


def test_job_check_lists_the_monitor_thresholds(tmp_path, models, capsys):
    path = job_folder(tmp_path, models, rollout=canary(models))
    path.write_text(path.read_text() + "[monitor]\nmin_auc = 0.7\nmax_psi = 0.2\n")
    assert main(["job", "check", str(path)]) == 0
    assert "ok   monitor: thresholds for mfbridge evaluate: max_psi 0.2, min_auc 0.7" in capsys.readouterr().out


def test_a_challenger_with_the_dask_engine_is_refused_when_the_job_loads(tmp_path, models):
    path = job_folder(tmp_path, models, rollout=canary(models))
    path.write_text(path.read_text() + "[engine]\nkind = \"dask\"\nworkers = 2\n")
    with pytest.raises(JobError, match=r"\[rollout\] with a challenger needs \[engine\] kind = \"local\""):
        load_job(path)
