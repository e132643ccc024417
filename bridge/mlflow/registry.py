"""`resolve_model`: a model spec in MLflow becomes a local model folder that `Model.load` reads.

MLflow is a loader behind a URI scheme here, as MLflow's own flavours are: the scorer never
knows where a folder came from. The steps are the same for every caller (``mfbridge score
--model``, the job file's ``model``/``shadow``, a rollout's champion and challenger):

1. the spec is parsed (`bridge.mlflow.spec`) before MLflow is imported;
2. a pinned spec (a version or a run) already in the cache is used with no server at all (and,
   when ``MLFLOW_TRACKING_URI`` is set, without importing MLflow);
3. otherwise the server resolves it: an alias to its current version (asked on every run, so
   moving ``champion`` takes effect at the next run), a version or run to where its artifacts are;
4. ``model.txt`` and ``card.toml`` (and ``metrics.json`` when there) are fetched, and nothing
   else, into the cache (`bridge.mlflow.cache`), whole or not at all.

MLflow is imported only for ``mlflow:`` specs, and only here and in `bridge.mlflow.tracking`;
without the optional extra the one line says what to install. Every MLflow or network failure
is translated at one boundary (`_translated`) into `ModelSourceError` (return code 12): the
server's own words, cut to one line, and what to check.

The tracking URI is MLflow's usual configuration (``MLFLOW_TRACKING_URI``, ``MLFLOW_REGISTRY_URI``,
else MLflow's local default). Unless ``MLFLOW_HTTP_REQUEST_MAX_RETRIES`` says otherwise, an
unreachable server is retried 3 times (MLflow's own default is 7 with doubling waits, minutes
before an operator hears about it).
"""
from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path
from typing import Any, Iterator

from bridge.errors import BridgeError, ModelSourceError
from bridge.mlflow.cache import REQUIRED_FILES, ModelCache
from bridge.mlflow.spec import ModelSpec, is_mlflow_spec, parse_spec

__all__ = ["import_mlflow", "model_folder", "resolve_model", "tracking_uri"]

INSTALL_HINT = "pip install 'mainframe-bridge[mlflow]'"
#: files fetched besides REQUIRED_FILES when the model folder has them
OPTIONAL_FILES = ("metrics.json",)
#: retries of an unreachable server unless MLFLOW_HTTP_REQUEST_MAX_RETRIES is set
DEFAULT_RETRIES = "3"


def model_folder(place: str | os.PathLike, base: str | os.PathLike | None = None, *,
                 cache: ModelCache | None = None) -> Path:
    """The local folder of a model place: an ``mlflow:`` spec resolved (see `resolve_model`), or a
    folder, relative to ``base`` when given and not absolute.

    The one call for every option or key that accepts a model folder.

    :raises ModelSourceError: the spec is not well formed, MLflow is missing, or the server cannot give the model.
    """
    if is_mlflow_spec(place):
        return resolve_model(str(place), cache=cache)
    path = Path(place).expanduser()
    return path if base is None or path.is_absolute() else Path(base) / path


def resolve_model(spec: str | ModelSpec, *, cache: ModelCache | None = None, uri: str | None = None) -> Path:
    """The local, complete model folder (``model.txt``, ``card.toml``) of an ``mlflow:`` spec.

    ``uri`` overrides the tracking URI (default: `tracking_uri`); ``cache`` the cache folder.

    :raises ModelSourceError: the spec is not well formed, MLflow is not installed, the server
        cannot be reached, or it has no such model, alias, version, run or artifacts.

    >>> resolve_model("mlflow:models:/credit-risk@champion")      # doctest: +SKIP
    PosixPath('/home/batch/.cache/mfbridge/models/credit-risk-v4-3f0c...')
    """
    spec = parse_spec(spec) if isinstance(spec, str) else spec
    cache = cache or ModelCache()
    # a pinned spec already cached under a configured URI needs neither the server nor MLflow's slow import
    uri = uri or os.environ.get("MLFLOW_TRACKING_URI") or None
    if spec.pinned and uri:
        folder = cache.get(_entry(cache, spec, uri, spec.version))
        if folder is not None:
            return folder
    try:
        mlflow = import_mlflow()
    except ModelSourceError as exc:
        raise ModelSourceError(exc.reason, spec=spec.text) from None
    with _translated(spec, uri):
        uri = uri or tracking_uri()
        if spec.pinned:
            folder = cache.get(_entry(cache, spec, uri, spec.version))
            if folder is not None:
                return folder
        from mlflow import MlflowClient

        client = MlflowClient(tracking_uri=uri)
        if spec.kind == "run":
            client.get_run(spec.run_id)  # a run that does not exist is named as such, not as missing files
            version, source = "", None
        else:
            found = (client.get_model_version_by_alias(spec.name, spec.alias) if spec.kind == "alias"
                     else client.get_model_version(spec.name, spec.version))
            version = str(found.version)
            source = client.get_model_version_download_uri(spec.name, version)
        folder = _entry(cache, spec, uri, version)
        if cache.get(folder) is not None:
            return folder
        return cache.fill(folder, lambda temp: _fetch(mlflow, spec, source, uri, temp))


def tracking_uri() -> str:
    """MLflow's tracking URI from its usual configuration (``MLFLOW_TRACKING_URI``, else its local default)."""
    mlflow = import_mlflow()
    return mlflow.get_tracking_uri()


def import_mlflow() -> Any:
    """The ``mlflow`` module; `ModelSourceError` naming the extra to install when it is missing."""
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", DEFAULT_RETRIES)
    try:
        import mlflow
    except ImportError as exc:
        raise ModelSourceError(f"models from MLflow need the optional extra ({exc.name or 'mlflow'} is not "
                               f"installed): {INSTALL_HINT}") from None
    return mlflow


def _entry(cache: ModelCache, spec: ModelSpec, uri: str, version: str) -> Path:
    if spec.kind == "run":
        return cache.entry(f"run-{spec.run_id[:12]}", uri, "run", spec.run_id, spec.path)
    return cache.entry(f"{spec.name}-v{version}", uri, "model", spec.name, version)


def _fetch(mlflow: Any, spec: ModelSpec, source: str | None, uri: str, temp: Path) -> None:
    """Download the model folder's files named in REQUIRED_FILES and OPTIONAL_FILES into ``temp``."""
    from mlflow import artifacts

    from bridge.score.card import MAX_CARD_BYTES
    from bridge.score.model_text import MAX_MODEL_BYTES

    where = {"run_id": spec.run_id, "artifact_path": spec.path} if source is None else {"artifact_uri": source}
    listed = {Path(info.path).name: info for info in artifacts.list_artifacts(**where, tracking_uri=uri)
              if not info.is_dir}
    missing = [name for name in REQUIRED_FILES if name not in listed]
    if missing:
        shown = ", ".join(sorted(listed)[:8]) or "nothing"
        raise ModelSourceError(f"the model's artifacts ({source or spec.uri}) hold {shown}, not "
                               f"{' and '.join(missing)}: log the model folder with `mfbridge train --mlflow` "
                               "(model.txt with its card.toml beside it)", spec=spec.text)
    limits = {"model.txt": MAX_MODEL_BYTES, "card.toml": MAX_CARD_BYTES, "metrics.json": MAX_CARD_BYTES}
    for name in REQUIRED_FILES + tuple(n for n in OPTIONAL_FILES if n in listed):
        size = listed[name].file_size
        if size is not None and size > limits[name]:
            raise ModelSourceError(f"the artifact {name} is {size:,} bytes, more than the {limits[name]:,} a "
                                   "model folder's file may have; it is not a model written by mfbridge train",
                                   spec=spec.text)
        part = temp / f".{name}.download"
        if source is None:
            got = artifacts.download_artifacts(run_id=spec.run_id, artifact_path=f"{spec.path}/{name}",
                                               dst_path=str(part), tracking_uri=uri)
        else:
            got = artifacts.download_artifacts(artifact_uri=f"{source.rstrip('/')}/{name}", dst_path=str(part),
                                               tracking_uri=uri)
        got_path = Path(got)
        if not got_path.is_file() or got_path.is_symlink():
            raise ModelSourceError(f"the artifact {name} did not download as a file", spec=spec.text)
        if got_path.stat().st_size > limits[name]:
            raise ModelSourceError(f"the artifact {name} is larger than the {limits[name]:,} bytes a model "
                                   "folder's file may have", spec=spec.text)
        os.replace(got_path, temp / name)
        shutil.rmtree(part, ignore_errors=True)


@contextlib.contextmanager
def _translated(spec: ModelSpec, uri: str | None) -> Iterator[None]:
    """MLflow's and the network's exceptions become one `ModelSourceError` line."""
    try:
        yield
    except BridgeError:
        raise
    except Exception as exc:  # noqa: BLE001 - the boundary: whatever MLflow raises is told in one line
        raise ModelSourceError(_explain(exc, spec, uri), spec=spec.text) from None


def _explain(exc: Exception, spec: ModelSpec, uri: str | None) -> str:
    code = str(getattr(exc, "error_code", "") or "")
    text = " ".join(str(getattr(exc, "message", None) or exc).split())
    if len(text) > 300:
        text = text[:297] + "..."
    server = uri or _current_uri()
    unreachable = ("Max retries exceeded", "Connection refused", "Failed to establish", "Name or service not known",
                   "timed out", "ConnectionError", "Temporary failure in name resolution")
    from_requests = type(exc).__module__.split(".")[0] in ("requests", "urllib3")
    if any(word in text for word in unreachable) or from_requests or isinstance(exc, (ConnectionError, TimeoutError)):
        return (f"the MLflow server at {server} cannot be reached ({_cut(text, 160)}); check MLFLOW_TRACKING_URI "
                "and that the server is up")
    if code == "RESOURCE_DOES_NOT_EXIST" or "not found" in text.lower() or "does not exist" in text.lower():
        what = {"alias": f"registered model {spec.name!r} with alias {spec.alias!r}",
                "version": f"version {spec.version} of registered model {spec.name!r}",
                "run": f"run {spec.run_id}"}[spec.kind]
        return f"MLflow at {server} has no {what} ({_cut(text, 200)})"
    if isinstance(exc, OSError):
        return f"the model could not be fetched into the cache: {exc.strerror or exc}"
    return f"MLflow at {server} could not give the model: {type(exc).__name__}: {text}"


def _current_uri() -> str:
    try:
        return tracking_uri()
    except BridgeError:
        return "(unknown)"


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."
