"""What is fetched from a run or version: only the model folder's files, bounded in size, the card required.

MLflow's artifact listing and download are replaced by stand-ins here; the real ones are used
against a real server in test_registry_server.py.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from bridge.errors import ModelSourceError
from bridge.mlflow import resolve_model
from tests.mlflow.conftest import require_mlflow

RUN = "mlflow:runs:/0123456789abcdef0123456789abcdef/model"


@pytest.fixture
def artifacts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """A run whose model/ folder lists ``listed`` (name -> size) and downloads files of those sizes."""
    require_mlflow()
    import mlflow.artifacts
    from mlflow.entities import FileInfo

    listed: dict[str, int] = {}
    fetched: list[str] = []

    class Client:
        def __init__(self, *args, **kwargs) -> None:
            pass

        def get_run(self, run_id: str) -> object:
            return object()

    def list_artifacts(run_id=None, artifact_path=None, artifact_uri=None, tracking_uri=None):
        return [FileInfo(f"{artifact_path}/{name}", False, size) for name, size in listed.items()]

    def download_artifacts(run_id=None, artifact_path=None, artifact_uri=None, dst_path=None, tracking_uri=None):
        name = artifact_path.rsplit("/", 1)[-1]
        fetched.append(name)
        Path(dst_path).mkdir(parents=True, exist_ok=True)
        target = Path(dst_path) / name
        target.write_bytes(b"x" * listed[name])
        return str(target)

    monkeypatch.setattr("mlflow.MlflowClient", Client)
    monkeypatch.setattr(mlflow.artifacts, "list_artifacts", list_artifacts)
    monkeypatch.setattr(mlflow.artifacts, "download_artifacts", download_artifacts)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/unused.db")
    return listed, fetched


def test_only_the_model_folder_files_are_fetched_not_the_rest_of_the_run(artifacts) -> None:
    listed, fetched = artifacts
    listed.update({"model.txt": 10, "card.toml": 5, "metrics.json": 3, "model.lgb": 10, "MLmodel": 2,
                   "big.parquet": 10_000})
    folder = resolve_model(RUN)
    assert sorted(fetched) == ["card.toml", "metrics.json", "model.txt"]
    assert sorted(p.name for p in folder.iterdir()) == ["card.toml", "metrics.json", "model.txt"]


def test_a_model_logged_without_its_card_is_refused_naming_what_the_run_holds(artifacts) -> None:
    listed, fetched = artifacts
    listed.update({"model.lgb": 10, "MLmodel": 2, "model.txt": 10})
    with pytest.raises(ModelSourceError) as caught:
        resolve_model(RUN)
    assert "hold MLmodel, model.lgb, model.txt, not card.toml" in str(caught.value)
    assert "mfbridge train --mlflow" in str(caught.value) and fetched == []


def test_a_card_larger_than_any_card_is_refused_before_it_is_downloaded(artifacts) -> None:
    listed, fetched = artifacts
    listed.update({"model.txt": 10, "card.toml": 64 * 1024 * 1024})
    with pytest.raises(ModelSourceError, match="the artifact card.toml is 67,108,864 bytes, more than the 16,777,216"):
        resolve_model(RUN)
    assert "card.toml" not in fetched


def test_a_second_resolution_of_a_run_uses_the_cache(artifacts) -> None:
    listed, fetched = artifacts
    listed.update({"model.txt": 10, "card.toml": 5})
    first = resolve_model(RUN)
    fetched.clear()
    assert resolve_model(RUN) == first and fetched == []
