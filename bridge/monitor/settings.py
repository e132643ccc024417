"""The job file's ``[monitor]`` section (thresholds, the test, the cost matrix) and where the history lives.

Read from the job file itself, beside `bridge.pipeline.job.load_job` (which only accepts the
section's name), so the monitor's keys are checked in one place and a typo stops
`mfbridge evaluate` with the key named, as every other job key does.

``[monitor]``
    ``min_auc``, ``min_gini``: a model and arm whose AUC (Gini) on the period is lower raises an
    alert. ``max_ks_drop``: KS fallen further than this below the reference (the card's
    ``[training.metrics] ks`` when it has one, else the first KS recorded for that model and
    arm). ``max_psi``: a feature PSI against training above this on any run of the period.
    ``max_score_psi``: the challenger's score distribution against the champion's on a run.
    ``max_calibration_gap``: largest |observed - expected| bad rate over the score deciles.
    ``level`` (0.95) of every interval; ``test`` = ``"delong"`` (default) or ``"bootstrap"``
    with ``resamples`` (1000) and ``seed`` (0); ``bad_values`` (["1"]) of the label field.
``[monitor.costs]``
    ``currency`` (text for messages), and either the short form ``missed_bad`` (a bad case
    accepted) and ``flagged_good`` (a good case declined) with an optional ``cut`` (default: the
    card's decision threshold), or ``[monitor.costs.actions]`` ``NAME = { bad = .., good = .. }``
    (cost of the action on a bad and on a good case) with ``[monitor.costs.bands]`` ``LABEL =
    "ACTION"`` and ``no_model = "ACTION"`` (default ``"accept"``: what happens without a model).
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bridge.errors import JobError
from bridge.monitor.kpi import CostMatrix

__all__ = ["HistoryPlaces", "MonitorSettings", "history_places", "load_monitor"]

_THRESHOLDS = ("min_auc", "min_gini", "max_ks_drop", "max_psi", "max_score_psi", "max_calibration_gap")
_KEYS = set(_THRESHOLDS) | {"level", "test", "resamples", "seed", "bad_values", "costs"}
_COST_KEYS = {"currency", "missed_bad", "flagged_good", "cut", "actions", "bands", "no_model"}


@dataclass(frozen=True)
class MonitorSettings:
    """The ``[monitor]`` section, checked; thresholds absent from the file are None (not checked)."""

    thresholds: dict[str, float] = field(default_factory=dict)
    level: float = 0.95
    test: str = "delong"
    resamples: int = 1000
    seed: int = 0
    bad_values: tuple[str, ...] = ("1",)
    costs: CostMatrix | None = None


@dataclass(frozen=True)
class HistoryPlaces:
    """Where a job's history is: the SQLite file, the Parquet folder, the retention."""

    path: Path
    folder: Path
    retention_days: int = 400


def _document(job_path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(Path(job_path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise JobError("job file not found", job=str(job_path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise JobError(f"not valid TOML: {exc}", job=str(job_path)) from None


def _number(section: dict, key: str, where: str, name: str) -> float:
    value = section[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise JobError(f"[{name}] {key} = {value!r} must be a number", job=where)
    return float(value)


def load_monitor(job_path: str | Path) -> MonitorSettings:
    """The job file's ``[monitor]`` section (defaults when it has none); raises `JobError` naming a wrong key."""
    where = str(job_path)
    section = _document(Path(job_path)).get("monitor", {})
    if not isinstance(section, dict):
        raise JobError("[monitor] must be a table", job=where)
    unknown = sorted(set(section) - _KEYS)
    if unknown:
        raise JobError(f"unknown key(s) in [monitor]: {', '.join(unknown)}; accepted: {', '.join(sorted(_KEYS))}",
                       job=where)
    thresholds = {k: _number(section, k, where, "monitor") for k in _THRESHOLDS if k in section}
    for key, value in thresholds.items():
        if value < 0:
            raise JobError(f"[monitor] {key} = {value:g} must not be negative", job=where)
    level = _number(section, "level", where, "monitor") if "level" in section else 0.95
    if not 0.5 <= level < 1.0:
        raise JobError(f"[monitor] level = {level:g} must be at least 0.5 and below 1 (e.g. 0.95)", job=where)
    test = section.get("test", "delong")
    if test not in ("delong", "bootstrap"):
        raise JobError(f"[monitor] test = {test!r} is not one of: delong, bootstrap", job=where)
    resamples, seed = section.get("resamples", 1000), section.get("seed", 0)
    for key, value, low in (("resamples", resamples, 100), ("seed", seed, 0)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise JobError(f"[monitor] {key} = {value!r} must be a whole number of at least {low}", job=where)
    bad = section.get("bad_values", ["1"])
    if isinstance(bad, str):
        bad = [bad]
    if not isinstance(bad, list) or not bad or not all(isinstance(v, (str, int)) and not isinstance(v, bool)
                                                       for v in bad):
        raise JobError(f"[monitor] bad_values = {bad!r} must be a list of label values, e.g. [\"1\", \"Y\"]",
                       job=where)
    costs = _costs(section.get("costs"), where) if "costs" in section else None
    return MonitorSettings(thresholds=thresholds, level=level, test=test, resamples=resamples, seed=seed,
                           bad_values=tuple(str(v).strip() for v in bad), costs=costs)


def _costs(section: Any, where: str) -> CostMatrix:
    if not isinstance(section, dict):
        raise JobError("[monitor.costs] must be a table", job=where)
    unknown = sorted(set(section) - _COST_KEYS)
    if unknown:
        raise JobError(f"unknown key(s) in [monitor.costs]: {', '.join(unknown)}; accepted: "
                       f"{', '.join(sorted(_COST_KEYS))}", job=where)
    currency = section.get("currency", "")
    if not isinstance(currency, str):
        raise JobError(f"[monitor.costs] currency = {currency!r} must be text, e.g. \"EUR\"", job=where)
    cut = _number(section, "cut", where, "monitor.costs") if "cut" in section else None
    short = {"missed_bad", "flagged_good"} & set(section)
    if short:
        if "actions" in section or "bands" in section:
            raise JobError("[monitor.costs] takes either missed_bad/flagged_good or [monitor.costs.actions] "
                           "with [monitor.costs.bands], not both", job=where)
        if short != {"missed_bad", "flagged_good"}:
            raise JobError("[monitor.costs] needs both missed_bad = (a bad case accepted) and flagged_good = "
                           "(a good case declined)", job=where)
        return CostMatrix.simple(_number(section, "missed_bad", where, "monitor.costs"),
                                 _number(section, "flagged_good", where, "monitor.costs"), cut=cut, currency=currency)
    actions_in = section.get("actions")
    if not isinstance(actions_in, dict) or not actions_in:
        raise JobError("[monitor.costs] needs missed_bad and flagged_good, or a [monitor.costs.actions] table "
                       "(accept = { bad = 5000, good = 0 }, ...)", job=where)
    actions: dict[str, tuple[float, float]] = {}
    for name, cell in actions_in.items():
        if not isinstance(cell, dict) or set(cell) != {"bad", "good"}:
            raise JobError(f"[monitor.costs.actions] {name} = {cell!r} must be {{ bad = COST, good = COST }}",
                           job=where)
        actions[name] = (_number(cell, "bad", where, f"monitor.costs.actions.{name}"),
                         _number(cell, "good", where, f"monitor.costs.actions.{name}"))
    bands = section.get("bands", {})
    if not isinstance(bands, dict) or not all(isinstance(v, str) for v in bands.values()):
        raise JobError("[monitor.costs.bands] must map band labels to action names (A = \"accept\")", job=where)
    no_model = section.get("no_model", "accept")
    for key, action in [*((f"bands {k}", v) for k, v in bands.items()), ("no_model", no_model)]:
        if action not in actions:
            raise JobError(f"[monitor.costs] {key} = {action!r} is not one of the actions: "
                           f"{', '.join(sorted(actions))}", job=where)
    flag = "decline" if "decline" in actions else None
    if cut is not None and not ({"accept", "decline"} <= set(actions)):
        raise JobError("[monitor.costs] cut = needs the actions accept and decline (below and at the cut)",
                       job=where)
    return CostMatrix(actions, bands=dict(bands), cut=cut, flag=flag or "decline", no_model=no_model,
                      currency=currency)


def history_places(job: Any) -> HistoryPlaces:
    """Where ``job``'s history is: its ``history`` settings when the job has them, else ``[history]`` of
    the job file with the documented defaults (beside the journal)."""
    own = getattr(job, "history", None)
    if own is not None and getattr(own, "path", None) is not None and getattr(own, "folder", None) is not None:
        return HistoryPlaces(Path(own.path), Path(own.folder), int(getattr(own, "retention_days", 400)))
    section = _document(Path(job.path)).get("history", {})
    base = Path(job.path).resolve().parent

    def rel(p: Any, key: str) -> Path | None:
        if p is None:
            return None
        if not isinstance(p, str):
            raise JobError(f"[history] {key} = {p!r} must be a string in quotes", job=str(job.path))
        q = Path(p).expanduser()
        return q if q.is_absolute() else base / q

    journal = Path(job.journal)
    section = section if isinstance(section, dict) else {}
    path = rel(section.get("path"), "path") or journal.with_name(f"{journal.stem}.history.sqlite")
    folder = rel(section.get("folder"), "folder") or journal.parent / "history"
    return HistoryPlaces(path, folder, int(section.get("retention_days", 400)))
