"""The ``--model`` type: a model folder, or a model in MLflow named ``mlflow:models:/NAME@ALIAS``.

Parsing checks the form only (a folder exists; a spec is well formed), so ``--help`` and usage
errors never import MLflow or ask a server; the command resolves the place with
`bridge.mlflow.model_folder` when it runs.
"""
from __future__ import annotations

from typing import Any

import click

__all__ = ["MODEL_PLACE", "ModelPlace"]


class ModelPlace(click.ParamType):
    """A model folder that exists, or a well-formed ``mlflow:`` spec (kept as text)."""

    name = "model place"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from bridge.errors import ModelSourceError
        from bridge.mlflow.spec import is_mlflow_spec, parse_spec

        if is_mlflow_spec(value):
            try:
                parse_spec(value)
            except ModelSourceError as exc:
                self.fail(str(exc), param, ctx)
            return value
        return click.Path(exists=True, file_okay=False).convert(value, param, ctx)


MODEL_PLACE = ModelPlace()
