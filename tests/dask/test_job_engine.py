"""The job file's [engine] section: kind = "dask" scores each drop on a cluster, one step of the journal.

The run tests use the session's real cluster of 2 worker processes (``scheduler =``); the
crash is a real SIGKILL of `mfbridge run` right after the journal records "processed".
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bridge.errors import JobError
from bridge.pipeline.job import Engine, load_job
from bridge.pipeline.journal import Journal
from tests.conftest import ROOT
from tests.dask.files import CUSTOMER, customer_file
from tests.pipeline.jobfolder import JobFolder, job_text, listing


def test_an_engine_section_says_where_the_scoring_runs(tmp_path) -> None:
    path = tmp_path / "job.toml"
    path.write_text(job_text(engine={"kind": "dask", "scheduler": "tcp://scheduler:8786", "blocksize": "64 MiB"}))
    assert load_job(path).engine == Engine(kind="dask", scheduler="tcp://scheduler:8786", blocksize="64 MiB")
    path.write_text(job_text())
    assert load_job(path).engine == Engine(kind="local")


@pytest.mark.parametrize("engine, message", [
    ({"kind": "spark"}, "[engine] kind = 'spark' is not one of: local, dask"),
    ({"kind": "dask"}, "[engine] kind = \"dask\" needs either scheduler = (a running cluster's address"),
    ({"kind": "dask", "scheduler": "tcp://h:8786", "workers": 2}, "needs either scheduler ="),
    ({"kind": "local", "workers": 2}, "[engine] workers go with kind = \"dask\""),
    ({"kind": "dask", "workers": 0}, "[engine] workers = 0 must be at least 1"),
    ({"kind": "dask", "workers": 2, "blocksize": "lots"}, "[engine] blocksize 'lots' is not a size in bytes"),
    ({"kind": "dask", "workers": "2"}, "[engine] workers = '2' must be a whole number"),
    ({"kind": "dask", "workers": 2, "cores": 4}, "unknown key(s) in [engine]: cores; accepted: blocksize, kind"),
])
def test_an_engine_section_that_does_not_add_up_stops_the_job_with_one_line(tmp_path, engine, message) -> None:
    path = tmp_path / "job.toml"
    path.write_text(job_text(engine=engine))
    with pytest.raises(JobError) as refused:
        load_job(path)
    assert message in str(refused.value)


def _run_killed_after(job_path, state: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BRIDGE_FAULT_AFTER": state}
    return subprocess.run([sys.executable, "-m", "bridge.cli.main", "run", str(job_path), "--once"], env=env,
                          capture_output=True, text=True, timeout=600, cwd=ROOT)


def test_a_run_killed_between_scoring_on_the_cluster_and_delivery_delivers_once_on_restart(
        cluster, tmp_path, model_dir) -> None:
    from bridge.pipeline.run import JobRunner
    from bridge.score.file import score_file

    folder = JobFolder(tmp_path, job={"model": str(model_dir)},
                       engine={"kind": "dask", "scheduler": cluster.scheduler.address, "blocksize": "16 KiB"})
    data = customer_file(tmp_path, "FB", n=1500)
    score_file(data, tmp_path / "local.out", CUSTOMER, model_dir)
    folder.drop("CUST.D261202.dat", data.read_bytes())

    killed = _run_killed_after(folder.path, "processed")
    assert killed.returncode == -9, killed.stderr
    assert "CUST.D261202.dat: scored on Dask (tcp://127.0.0.1:" in killed.stderr
    assert listing(folder.outbox) == []
    runner = JobRunner(folder.job())
    result = runner.run_once()
    runner.close()

    assert result.rc == 0
    assert listing(folder.outbox) == ["CUST.D261202.SCORED.dat", "CUST.D261202.SCORED.dat.status"]
    assert (folder.outbox / "CUST.D261202.SCORED.dat").read_bytes() == (tmp_path / "local.out").read_bytes()
    with Journal(folder.job().journal) as journal:
        (row,) = journal.rows()
        states = [state for _, state, _ in journal.events(row)]
    assert states.count("processed") == 1 and states.count("delivered") == 1
    assert states[-1] == "done"


def test_job_check_reports_the_engine_and_reaches_the_scheduler(cluster, tmp_path, model_dir) -> None:
    from bridge.pipeline.check import check_job

    folder = JobFolder(tmp_path, job={"model": str(model_dir)},
                       engine={"kind": "dask", "scheduler": cluster.scheduler.address})
    result = check_job(folder.path, model=False)
    (engine,) = [c for c in result.checks if c.what == "engine"]
    assert engine.ok
    assert engine.detail == f"dask: files are scored on the scheduler at {cluster.scheduler.address} (2 workers now)"


def test_a_scheduler_that_cannot_be_reached_leaves_the_file_for_the_next_run_instead_of_rejecting_it(
        tmp_path, model_dir, monkeypatch) -> None:
    import socket

    import bridge.dask.cluster
    from bridge.pipeline.run import JobRunner

    monkeypatch.setattr(bridge.dask.cluster, "CONNECT_TIMEOUT", "2s")
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{probe.getsockname()[1]}"
    folder = JobFolder(tmp_path, job={"model": str(model_dir)}, engine={"kind": "dask", "scheduler": address})
    folder.drop("CUST.D261202.dat", customer_file(tmp_path, "FB", n=20).read_bytes())
    runner = JobRunner(folder.job())
    result = runner.run_once()
    runner.close()
    assert result.rc == 12
    assert listing(folder.outbox) == [] and listing(folder.error) == []
    with Journal(folder.job().journal) as journal:
        (row,) = journal.rows()
    assert row.state == "fetched"
