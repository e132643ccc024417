"""Shared setup of the MLflow tests: MLflow itself (fails instead of skipping when CI=true), a
private model cache per test, and a small job folder that scores the customer fixture."""
from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

from tests.conftest import COPYBOOKS, FIXTURES, IN_CI

CUSTOMER = COPYBOOKS / "customer.cpy"
HISTORY = COPYBOOKS / "customer_history.cpy"
CUSTOMER_DAT = FIXTURES / "customer.cp037.dat"


def require_mlflow() -> None:
    """MLflow importable; skips without it, fails instead when CI=true (the extra is part of CI)."""
    try:
        import mlflow  # noqa: F401
    except ImportError:
        message = "mlflow is not installed (pip install 'mainframe-bridge[mlflow]')"
        if IN_CI:
            pytest.fail(message + " and CI=true: the MLflow tests must run in CI")
        pytest.skip(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(autouse=True)
def private_model_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test fetches into its own cache, never the user's ~/.cache."""
    cache = tmp_path / "model-cache"
    monkeypatch.setenv("MFBRIDGE_MODEL_CACHE", str(cache))
    return cache


def job_folder(root: Path, model: str) -> Path:
    """A job that scores CUSTEXT.*.dat from root/in into root/out with ``model``; one drop waiting. Returns the job file."""
    (root / "in").mkdir(parents=True)
    (root / "out").mkdir()
    shutil.copy(CUSTOMER_DAT, root / "in" / "CUSTEXT.D261202.dat")
    (root / "in" / "CUSTEXT.D261202.dat.trg").write_bytes(b"")
    job = root / "job.toml"
    job.write_text(f'''[job]
name = "custscore"
copybook = "{CUSTOMER}"
model = "{model}"
recfm = "FB"
codepage = "cp037"

[source]
kind = "local"
path = "in"
pattern = "CUSTEXT.*.dat"

[target]
kind = "local"
path = "out"
''')
    os.chmod(root / "in", 0o700)
    return job
