"""Model specs that name a model in MLflow instead of a folder: ``mlflow:models:/NAME@ALIAS``.

Three forms, MLflow's own URIs behind an ``mlflow:`` prefix so that a folder can never be taken
for one (a folder named ``models:`` stays a folder):

* ``mlflow:models:/NAME@ALIAS``   a registered model's alias (``champion``): resolved on every run
* ``mlflow:models:/NAME/VERSION`` one registered version: never changes, so a cached copy is used as is
* ``mlflow:runs:/RUN_ID/PATH``    the artifacts a training run logged under PATH (``model``)

Parsing is pure (MLflow is not imported): a spec that is not well formed is refused with the
forms that are accepted before any server is asked. The characters allowed follow MLflow's own
validation (a model name holds no ``/`` or ``:``; an alias is letters, digits, ``_`` and ``-``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bridge.errors import ModelSourceError

__all__ = ["PREFIX", "ModelSpec", "is_mlflow_spec", "parse_spec"]

#: what marks a model place as a spec rather than a folder
PREFIX = "mlflow:"

FORMS = "mlflow:models:/NAME@ALIAS, mlflow:models:/NAME/VERSION or mlflow:runs:/RUN_ID/PATH"

_ALIAS = re.compile(r"[\w-]{1,255}", re.ASCII)
_VERSION = re.compile(r"[1-9][0-9]{0,9}")
_RUN_ID = re.compile(r"[a-zA-Z0-9][\w-]{0,255}", re.ASCII)
_PATH_PART = re.compile(r"[\w.+-]{1,255}", re.ASCII)
_MAX_LENGTH = 1024


@dataclass(frozen=True)
class ModelSpec:
    """A parsed spec: ``kind`` says which of the three forms, the other fields its parts."""

    text: str
    kind: Literal["alias", "version", "run"]
    name: str = ""
    alias: str = ""
    version: str = ""
    run_id: str = ""
    path: str = ""

    @property
    def uri(self) -> str:
        """MLflow's URI of the model (the spec without its ``mlflow:`` prefix)."""
        return self.text[len(PREFIX):]

    @property
    def pinned(self) -> bool:
        """True when the spec names content that does not change (a version or a run), not an alias."""
        return self.kind != "alias"


def is_mlflow_spec(value: object) -> bool:
    """Whether a model place (a job file's ``model``, ``--model``) names a model in MLflow."""
    return isinstance(value, str) and value.startswith(PREFIX)


def parse_spec(text: str) -> ModelSpec:
    """The parts of ``text``; raises `ModelSourceError` naming the accepted forms when it is not one.

    >>> parse_spec("mlflow:models:/credit-risk@champion").alias
    'champion'
    """
    if not is_mlflow_spec(text):
        raise ModelSourceError(f"does not start with {PREFIX!r}; a model in MLflow is named {FORMS}",
                               spec=_shown(text))
    if len(text) > _MAX_LENGTH or any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise ModelSourceError(f"is not a model spec (control characters or longer than {_MAX_LENGTH}); "
                               f"use {FORMS}", spec=_shown(text))
    uri = text[len(PREFIX):]
    if uri.startswith("models:/"):
        rest = uri[len("models:/"):]
        name, at, alias = rest.rpartition("@")
        if at:
            if not _ALIAS.fullmatch(alias):
                raise ModelSourceError(f"alias {alias!r} is not an MLflow alias (letters, digits, '_' and '-'); "
                                       f"use {FORMS}", spec=text)
            return ModelSpec(text, "alias", name=_name(name, text), alias=alias)
        name, slash, version = rest.rpartition("/")
        if slash and _VERSION.fullmatch(version):
            return ModelSpec(text, "version", name=_name(name, text), version=version)
        raise ModelSourceError(f"names no alias and no version number; use {FORMS}", spec=text)
    if uri.startswith("runs:/"):
        run_id, slash, path = uri[len("runs:/"):].partition("/")
        if not _RUN_ID.fullmatch(run_id):
            raise ModelSourceError(f"run id {run_id!r} is not an MLflow run id; use {FORMS}", spec=text)
        parts = path.split("/")
        if not slash or not all(_PATH_PART.fullmatch(p) and p not in (".", "..") for p in parts):
            raise ModelSourceError("needs the artifact path of the model folder after the run id, plain names "
                                   f"without '..' (e.g. mlflow:runs:/{run_id}/model)", spec=text)
        return ModelSpec(text, "run", run_id=run_id, path="/".join(parts))
    raise ModelSourceError(f"is not a model spec; use {FORMS}", spec=text)


def _name(name: str, text: str) -> str:
    if not name.strip() or "/" in name or ":" in name or name != name.strip():
        raise ModelSourceError(f"model name {name!r} is not a registered model name (not empty, no '/' or ':', "
                               f"no spaces at its ends); use {FORMS}", spec=text)
    return name


def _shown(text: object) -> str:
    shown = ascii(text) if not isinstance(text, str) else text.encode("ascii", "backslashreplace").decode()
    shown = "".join(c if 32 <= ord(c) < 127 else "?" for c in shown)
    return shown if len(shown) <= 120 else shown[:117] + "..."
