"""Models kept in MLflow: the optional extra ``mainframe-bridge[mlflow]``.

A room above `bridge.score`: scoring reads model folders and never imports this package; the
CLI and the job loader turn a model place such as ``mlflow:models:/credit-risk@champion`` into
a local folder with `model_folder` before `Model.load`, and ``mfbridge train --mlflow`` logs
and registers what it trained (`bridge.mlflow.tracking`). Importing this package does not
import MLflow: only an ``mlflow:`` spec does, so the extra is needed only by those who use it.

Public surface: `ModelCache`, `ModelSpec`, `is_mlflow_spec`, `model_folder`, `parse_spec`, `resolve_model`.
"""
from __future__ import annotations

from bridge.mlflow.cache import ModelCache
from bridge.mlflow.registry import model_folder, resolve_model
from bridge.mlflow.spec import ModelSpec, is_mlflow_spec, parse_spec

__all__ = ["ModelCache", "ModelSpec", "is_mlflow_spec", "model_folder", "parse_spec", "resolve_model"]
