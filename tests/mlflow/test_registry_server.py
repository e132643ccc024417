"""Against a real `mlflow server` on loopback: train --mlflow --register, then score through the registry.

One server for the module (MLflow takes seconds to start): SQLite backend and served artifacts
in a private temporary folder, free port, ready when ``/health`` answers, its whole process group
ended at the end. The local-store default (no server, MLflow's own ``sqlite:///mlflow.db`` in the
working folder) is checked here too, since it shares the trained data.
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from bridge.cli.main import main
from tests.mlflow.conftest import CUSTOMER, CUSTOMER_DAT, HISTORY, free_port, job_folder, require_mlflow

pytestmark = pytest.mark.integration

OUTPUTS = ["--score-field", "SCORE", "--band-field", "SCORE-BAND", "--bands", "0.05:A,0.2:B,1:C",
           "--model-id-field", "MODEL-ID", "--model-id", "CRISK", "--status-field", "SCORE-STATUS"]


def cli(*args: object) -> tuple[int, str]:
    """Run mfbridge in this process; returns the return code and standard error."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        rc = main([str(a) for a in args])
    return rc, err.getvalue()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    require_mlflow()
    state = Path(tempfile.mkdtemp(prefix="mfbridge-mlflow-server-"))
    port = free_port()
    log = open(state / "server.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "mlflow", "server", "--host", "127.0.0.1", "--port", str(port),
                             "--backend-store-uri", f"sqlite:///{state}/mlflow.db",
                             "--artifacts-destination", str(state / "artifacts"), "--workers", "1"],
                            stdout=log, stderr=subprocess.STDOUT, cwd=state, start_new_session=True,
                            # no background job workers: nothing here uses them, and they slow the start
                            env={**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"})
    uri = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180  # a busy CI machine: MLflow's imports alone take seconds
        while True:
            if proc.poll() is not None:
                pytest.fail(f"mlflow server ended with {proc.returncode}: "
                            f"{(state / 'server.log').read_text(errors='replace')[-2000:]}")
            try:
                with urllib.request.urlopen(f"{uri}/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("mlflow server did not answer /health within 180 s")
            time.sleep(0.3)
        yield uri
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=3)  # MLflow's server lingers on SIGTERM; its SQLite file is thrown away anyway
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)
        log.close()
        shutil.rmtree(state, ignore_errors=True)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("history") / "HIST.dat"
    rc, err = cli("fake", "-c", HISTORY, "-n", "400", "--seed", "3", "-o", path)
    assert rc == 0, err
    return path


@pytest.fixture(scope="module")
def trained(server: str, history: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """One model trained with --mlflow --experiment --register against the server."""
    folder = tmp_path_factory.mktemp("model") / "crisk"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MLFLOW_TRACKING_URI", server)
        rc, err = cli("train", history, "-c", HISTORY, "--label", "DEFAULTED-12M", "--positive", "1",
                      "--rounds", "20", *OUTPUTS, "--mlflow", "--experiment", "nightly-risk",
                      "--register", "credit-risk", "-o", folder)
    assert rc == 0, err
    run_id = re.search(r"run ([0-9a-f]{32})", err)
    assert run_id, err
    return {"folder": folder, "err": err, "run_id": run_id.group(1)}


@pytest.fixture
def tracking(server: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", server)
    from mlflow import MlflowClient

    return MlflowClient(tracking_uri=server)


def score(data: Path, model: object, out: Path) -> bytes:
    rc, err = cli("score", data, "-c", CUSTOMER, "--model", model, "-o", out, "--quiet")
    assert rc in (0, 4), err  # the fixture's last record holds invalid data: RC 4
    return out.read_bytes()


def test_train_says_where_the_run_and_the_registered_version_are(trained) -> None:
    err = trained["err"]
    assert "experiment nightly-risk" in err and f"--model mlflow:runs:/{trained['run_id']}/model" in err
    assert "registered credit-risk version 1 (mlflow:models:/credit-risk/1)" in err


def test_scoring_through_the_champion_alias_is_byte_identical_to_scoring_the_folder(trained, tracking,
                                                                                      tmp_path) -> None:
    tracking.set_registered_model_alias("credit-risk", "champion", "1")
    rc, err = cli("score", CUSTOMER_DAT, "-c", CUSTOMER, "--model", "mlflow:models:/credit-risk@champion",
                  "-o", tmp_path / "a.dat", "--quiet")
    assert rc in (0, 4), err  # the fixture's last record holds invalid data: RC 4
    assert re.search(r"model mlflow:models:/credit-risk@champion is \S+/credit-risk-v1-[0-9a-f]+\n", err), err
    through_registry = (tmp_path / "a.dat").read_bytes()
    from_folder = score(CUSTOMER_DAT, trained["folder"], tmp_path / "b.dat")
    assert through_registry == from_folder
    assert through_registry != CUSTOMER_DAT.read_bytes() and b"\xc3\xd9\xc9\xe2\xd2" in through_registry  # CRISK


def test_the_run_holds_parameters_metrics_and_the_card_beside_the_model(trained, tracking) -> None:
    import json

    run = tracking.get_run(trained["run_id"])
    folder: Path = trained["folder"]
    metrics = json.loads((folder / "metrics.json").read_text())
    assert run.data.params["model_id"] == "CRISK" and run.data.params["label"] == "DEFAULTED-12M"
    assert run.data.params["lightgbm.num_iterations"] == "20"
    assert run.data.metrics["valid.auc"] == pytest.approx(metrics["valid"]["auc"])
    listed = {Path(f.path).name for f in tracking.list_artifacts(trained["run_id"], "model")}
    assert {"model.txt", "card.toml", "metrics.json", "MLmodel", "model.lgb"} <= listed
    version = tracking.get_model_version("credit-risk", "1")
    assert version.run_id == trained["run_id"] and version.source.endswith("/model")


def test_a_moved_alias_is_followed_and_a_pinned_version_then_comes_from_the_cache(trained, tracking,
                                                                                  monkeypatch) -> None:
    from bridge.mlflow import resolve_model

    source = tracking.get_model_version("credit-risk", "1").source
    second = tracking.create_model_version("credit-risk", source=source, run_id=trained["run_id"])
    tracking.set_registered_model_alias("credit-risk", "challenger", second.version)
    moved = resolve_model("mlflow:models:/credit-risk@challenger")
    assert f"-v{second.version}-" in moved.name
    assert {p.name: p.stat().st_mode & 0o777 for p in moved.iterdir()} == {
        "model.txt": 0o600, "card.toml": 0o600, "metrics.json": 0o600}
    assert moved.stat().st_mode & 0o777 == 0o700
    assert (moved / "card.toml").read_bytes() == (trained["folder"] / "card.toml").read_bytes()

    def no_server(*args, **kwargs):
        raise AssertionError("a pinned version in the cache must not ask the server")

    monkeypatch.setattr("mlflow.MlflowClient", no_server)
    assert resolve_model(f"mlflow:models:/credit-risk/{second.version}") == moved


def test_a_job_scores_with_the_registered_model_as_the_cli_does(trained, tracking, tmp_path) -> None:
    job = job_folder(tmp_path / "job", "mlflow:models:/credit-risk/1")
    rc, err = cli("run", job, "--once")
    assert rc in (0, 4), err
    delivered = (tmp_path / "job" / "out" / "CUSTEXT.D261202.SCORED.dat").read_bytes()
    rc, err = cli("score", CUSTOMER_DAT, "-c", CUSTOMER, "--recfm", "FB", "--model", trained["folder"],
                  "-o", tmp_path / "cli.dat", "--quiet")
    assert delivered == (tmp_path / "cli.dat").read_bytes()


def test_without_a_tracking_uri_the_local_store_in_the_working_folder_is_used(history, tmp_path,
                                                                               monkeypatch) -> None:
    require_mlflow()
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("MLFLOW_REGISTRY_URI", raising=False)
    monkeypatch.chdir(tmp_path)
    rc, err = cli("train", history, "-c", HISTORY, "--label", "DEFAULTED-12M", "--positive", "1", "--rounds", "5",
                  *OUTPUTS, "--mlflow", "--register", "local-risk", "-o", tmp_path / "m")
    assert rc == 0, err
    assert f"logged to MLflow at sqlite:///{tmp_path}/mlflow.db" in err
    assert (tmp_path / "mlflow.db").is_file()
    assert (score(CUSTOMER_DAT, "mlflow:models:/local-risk/1", tmp_path / "a.dat")
            == score(CUSTOMER_DAT, tmp_path / "m", tmp_path / "b.dat"))


def test_an_alias_the_registry_does_not_have_is_named_in_one_line_with_rc_12(trained, tracking, tmp_path) -> None:
    rc, err = cli("score", CUSTOMER_DAT, "-c", CUSTOMER, "--model", "mlflow:models:/credit-risk@nope",
                  "-o", tmp_path / "a.dat")
    assert rc == 12 and len(err.strip().splitlines()) == 1
    assert "has no registered model 'credit-risk' with alias 'nope'" in err and not (tmp_path / "a.dat").exists()


def test_a_shadow_challenger_can_come_from_the_registry(trained, tracking, tmp_path) -> None:
    rc, err = cli("score", CUSTOMER_DAT, "-c", CUSTOMER, "--model", trained["folder"],
                  "--shadow", "mlflow:models:/credit-risk/1", "-o", tmp_path / "a.dat", "--quiet")
    assert rc in (0, 4), err
    assert "shadow mlflow:models:/credit-risk/1 is " in err
    assert (tmp_path / "a.dat").read_bytes() == score(CUSTOMER_DAT, trained["folder"], tmp_path / "b.dat")
