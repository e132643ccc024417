"""`log_training`: what ``mfbridge train --mlflow`` puts into MLflow, and the registered version.

One run per training, holding:

* parameters: the card's model id, version, record, copybook, objective, label, seed, rows, the
  features, and LightGBM's parameters as ``lightgbm.NAME``;
* metrics: every number of ``metrics.json``, flattened (``valid.auc``, ``train.log_loss``, ...);
* artifacts under ``model/``: the model folder exactly as `mfbridge score` reads it (``model.txt``
  with ``card.toml`` and ``metrics.json`` beside it), plus MLflow's native LightGBM flavour
  (``MLmodel`` and ``model.lgb``) so that ``mlflow.lightgbm.load_model("runs:/ID/model")`` works
  for the data scientists who open the run.

``register`` creates a version of that registered model whose source is the run's ``model/``
folder: the card is always beside the model, and `bridge.mlflow.registry` fetches both.
Versions are created with the client's ``create_model_version`` on the artifact location rather
than ``mlflow.register_model``, which in MLflow 3 looks for a "logged model" object first.

The client is built on the tracking URI of MLflow's usual configuration; nothing is set
globally (no active run, no ``set_tracking_uri``), so a caller's own MLflow state is untouched.
"""
from __future__ import annotations

import math
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping

from bridge.errors import BridgeError, ModelSourceError
from bridge.mlflow.registry import import_mlflow, tracking_uri

__all__ = ["LoggedTraining", "flat_metrics", "log_training", "training_params"]

#: MLflow refuses longer parameter values; the full list is in card.toml, logged beside the model
MAX_PARAM_CHARS = 6000
MODEL_ARTIFACT_PATH = "model"


@dataclass(frozen=True)
class LoggedTraining:
    """Where the training went: the run, its experiment and, when registered, the version."""

    tracking_uri: str
    run_id: str
    experiment: str
    registered: str | None = None
    version: str | None = None

    @property
    def run_spec(self) -> str:
        return f"mlflow:runs:/{self.run_id}/{MODEL_ARTIFACT_PATH}"

    @property
    def version_spec(self) -> str | None:
        return f"mlflow:models:/{self.registered}/{self.version}" if self.version else None


def log_training(folder: str | os.PathLike, trained: Any, *, experiment: str | None = None,
                 register: str | None = None, uri: str | None = None) -> LoggedTraining:
    """Log the training saved in ``folder`` (a `bridge.score.train.TrainedModel`) as one MLflow run.

    :raises ModelSourceError: MLflow is not installed, the server cannot be reached or refuses.
    """
    folder = Path(folder)
    mlflow = import_mlflow()
    run_id = None
    client = None
    try:
        from mlflow import MlflowClient
        from mlflow.entities import Metric, Param

        uri = uri or tracking_uri()
        client = MlflowClient(tracking_uri=uri)
        experiment_id, experiment_name = _experiment(client, experiment)
        card = trained.card
        run = client.create_run(experiment_id, run_name=card.model_id,
                                tags={"mfbridge.model_id": card.model_id, "mfbridge.record": card.record,
                                      "mfbridge.copybook": card.copybook})
        run_id = run.info.run_id
        now = int(time.time() * 1000)
        params = [Param(k, v) for k, v in training_params(card).items()]
        metrics = [Metric(k, v, now, 0) for k, v in flat_metrics(trained.metrics)]
        for start in range(0, max(len(params), len(metrics)), 100):  # MLflow's batch limit is 100 params
            client.log_batch(run_id, metrics=metrics[start:start + 100], params=params[start:start + 100])
        with tempfile.TemporaryDirectory(prefix="mfbridge-mlflow-") as staging:
            model_dir = Path(staging) / MODEL_ARTIFACT_PATH
            _native_flavour(mlflow, trained.booster, model_dir)
            for name in ("model.txt", "card.toml", "metrics.json"):
                if (folder / name).is_file():
                    shutil.copyfile(folder / name, model_dir / name)
            client.log_artifacts(run_id, str(model_dir), artifact_path=MODEL_ARTIFACT_PATH)
        version = None
        if register:
            version = _register(client, register, f"{run.info.artifact_uri.rstrip('/')}/{MODEL_ARTIFACT_PATH}",
                                run_id, card)
        client.set_terminated(run_id, "FINISHED")
        return LoggedTraining(tracking_uri=uri, run_id=run_id, experiment=experiment_name,
                              registered=register if version else None, version=version)
    except BridgeError:
        _failed(client, run_id)
        raise
    except Exception as exc:  # noqa: BLE001 - the boundary: MLflow's errors become one line
        _failed(client, run_id)
        text = " ".join(str(getattr(exc, "message", None) or exc).split())
        where = uri or "MLflow"
        if any(w in text for w in ("Max retries exceeded", "Connection refused", "Failed to establish")):
            reason = f"the MLflow server at {where} cannot be reached; check MLFLOW_TRACKING_URI and that it is up"
        else:
            reason = f"MLflow at {where} refused it: {type(exc).__name__}: {text[:300]}"
        raise ModelSourceError(f"the model folder {folder} is written, but logging it to MLflow failed: "
                               f"{reason}") from None


def training_params(card: Any) -> dict[str, str]:
    """The run's parameters from a model card, as MLflow stores them (strings, cut to its limit)."""
    training = card.training
    values: dict[str, Any] = {
        "model_id": card.model_id, "model_version": card.version, "record": card.record,
        "copybook": card.copybook, "objective": card.objective, "data": training.data, "label": training.label,
        "positive": training.positive, "seed": training.seed, "rows": training.rows,
        "features": ",".join(f.field for f in card.features), "features.count": len(card.features),
        "categorical": ",".join(f.field for f in card.features if f.categorical),
    }
    values.update({f"lightgbm.{k}": v for k, v in sorted(training.params.items())})
    out = {}
    for key, value in values.items():
        text = str(value)
        out[key] = text if len(text) <= MAX_PARAM_CHARS else text[: MAX_PARAM_CHARS - 3] + "..."
    return out


def flat_metrics(metrics: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, float]]:
    """Every finite number of a nested metrics dict, named by its path (``valid.auc``); lists are left out."""
    for key, value in metrics.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from flat_metrics(value, name + ".")
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            yield name, float(value)


def _experiment(client: Any, name: str | None) -> tuple[str, str]:
    if not name:
        return "0", "Default"
    found = client.get_experiment_by_name(name)
    if found is None:
        return client.create_experiment(name), name
    if found.lifecycle_stage == "deleted":
        raise ModelSourceError(f"the MLflow experiment {name!r} is deleted; restore it (mlflow experiments "
                               "restore) or choose another --experiment")
    return found.experiment_id, name


def _native_flavour(mlflow: Any, booster: Any, model_dir: Path) -> None:
    """MLflow's own LightGBM format (MLmodel + model.lgb) in ``model_dir``; requirements named, not inferred."""
    import lightgbm

    import mlflow.lightgbm  # noqa: F401 - the flavour module

    mlflow.lightgbm.save_model(booster, path=str(model_dir), pip_requirements=[f"lightgbm=={lightgbm.__version__}"])


def _register(client: Any, name: str, source: str, run_id: str, card: Any) -> str:
    from mlflow.exceptions import MlflowException

    try:
        client.create_registered_model(name, description="LightGBM model with its mfbridge card (card.toml)")
    except MlflowException as exc:
        if str(getattr(exc, "error_code", "")) != "RESOURCE_ALREADY_EXISTS":
            raise
    version = client.create_model_version(name, source=source, run_id=run_id,
                                          tags={"mfbridge.model_id": card.model_id,
                                                "mfbridge.model_version": card.version},
                                          description=f"{card.model_id} {card.version} for record {card.record}")
    return str(version.version)


def _failed(client: Any, run_id: str | None) -> None:
    if client is None or run_id is None:
        return
    try:
        client.set_terminated(run_id, "FAILED")
    except Exception:  # noqa: BLE001 - already reporting the first failure
        pass
