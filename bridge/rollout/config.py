"""The ``[rollout]`` and ``[history]`` sections of a job file, checked when the job loads.

```toml
[rollout]
champion   = "models/credit-risk-v3"   # default: [job] model
challenger = "models/credit-risk-v4"
mode       = "canary"                  # "shadow" | "canary" | "ab"
share      = 10                        # percent of records the challenger writes (canary/ab)
key        = "CUST-ID"                 # the field whose raw bytes route a record (see routing)
ramp       = [5, 25, 50, 100]          # the shares `mfbridge rollout JOB promote` steps through
max_score_psi   = 0.25                 # guardrail: challenger score PSI against the champion's
max_status_rate = 0.05                 # guardrail: share of records the challenger did not score

[history]
path           = "nightly.history.sqlite"   # default: beside the journal, <journal stem>.history.sqlite
folder         = "history"                  # default: <journal folder>/history
retention_days = 400
```

The old ``[job] shadow = "models/v4"`` still works: it is ``mode = "shadow"`` with that challenger.
Every problem is a `JobError` naming the key, raised when the job loads, never at the first file.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Literal

from bridge.errors import JobError

__all__ = ["HistoryConfig", "MODES", "RolloutConfig", "history_config", "rollout_config", "ROLLOUT_KEYS",
           "HISTORY_KEYS"]

MODES = ("shadow", "canary", "ab")
ROLLOUT_KEYS = ("champion", "challenger", "mode", "share", "key", "ramp", "max_score_psi", "max_status_rate")
HISTORY_KEYS = ("path", "folder", "retention_days")
DEFAULT_RAMP = (5, 25, 50, 100)


@dataclass(frozen=True)
class RolloutConfig:
    """A job's rollout: the champion, an optional challenger and how records are shared between them.

    ``champion_text``/``challenger_text`` are the models as written in the job file (what the ramp's
    state is keyed by); ``champion``/``challenger`` the resolved folders.
    """

    champion: Path
    champion_text: str
    challenger: Path | None = None
    challenger_text: str | None = None
    mode: Literal["shadow", "canary", "ab"] = "shadow"
    share: int = 0
    key: str | None = None
    ramp: tuple[int, ...] = DEFAULT_RAMP
    max_score_psi: float = 0.25
    max_status_rate: float = 0.05


@dataclass(frozen=True)
class HistoryConfig:
    """Where a job's history lives (see `bridge.rollout.history`)."""

    path: Path
    folder: Path
    retention_days: int = 400


def rollout_config(section: dict[str, Any] | None, *, model: str | None, shadow: str | None,
                   resolve: Callable[[str], Path], where: str) -> RolloutConfig | None:
    """The checked ``[rollout]`` section (None when the job has neither it nor ``[job] shadow``).

    ``model``/``shadow``: the ``[job]`` keys as written; ``resolve`` makes a path of the file's text.
    """
    if section is None:
        if shadow is None:
            return None
        return RolloutConfig(champion=resolve(model), champion_text=model, challenger=resolve(shadow),
                             challenger_text=shadow, mode="shadow", share=0)
    if not isinstance(section, dict):
        raise JobError("[rollout] must be a table", job=where)
    unknown = sorted(set(section) - set(ROLLOUT_KEYS))
    if unknown:
        raise JobError(f"unknown key(s) in [rollout]: {', '.join(unknown)}; accepted: {', '.join(ROLLOUT_KEYS)}",
                       job=where)
    if shadow is not None:
        raise JobError("[job] shadow = and a [rollout] section both name a challenger; keep only [rollout] "
                       "(challenger = ..., mode = \"shadow\")", job=where)
    for key in ("champion", "challenger", "mode", "key"):
        if key in section and (not isinstance(section[key], str) or not section[key].strip()):
            raise JobError(f"[rollout] {key} = {section[key]!r} must be a string in quotes", job=where)
    champion = section.get("champion", model)
    if champion is None:
        raise JobError("[rollout] needs champion = (or [job] model =)", job=where)
    if model is not None and "champion" in section and resolve(model) != resolve(champion):
        raise JobError(f"[rollout] champion = {champion!r} and [job] model = {model!r} name different models; "
                       "give the model of record once (champion)", job=where)
    challenger = section.get("challenger")
    mode = section.get("mode", "shadow" if challenger is None else "canary")
    if mode not in MODES:
        raise JobError(f"[rollout] mode = {mode!r} is not one of: {', '.join(MODES)}", job=where)
    share = section.get("share", 0 if mode == "shadow" else None)
    if share is None:
        raise JobError(f"[rollout] mode = {mode!r} needs share = (percent of records the challenger scores, "
                       "0 to 100)", job=where)
    if isinstance(share, bool) or not isinstance(share, int) or not 0 <= share <= 100:
        raise JobError(f"[rollout] share = {share!r} must be a whole percent from 0 to 100", job=where)
    if mode == "shadow" and share:
        raise JobError(f"[rollout] share = {share} with mode = \"shadow\": a shadow never writes records; use "
                       "mode = \"canary\" (or share = 0)", job=where)
    key = section.get("key")
    if challenger is not None and mode != "shadow" and key is None:
        raise JobError(f"[rollout] mode = {mode!r} needs key = (the field whose bytes route each record, "
                       "e.g. key = \"CUST-ID\")", job=where)
    ramp = section.get("ramp", list(DEFAULT_RAMP))
    if (not isinstance(ramp, list) or not ramp
            or any(isinstance(s, bool) or not isinstance(s, int) or not 0 < s <= 100 for s in ramp)
            or any(b <= a for a, b in zip(ramp, ramp[1:]))):
        raise JobError(f"[rollout] ramp = {ramp!r} must be a rising list of whole percents from 1 to 100, "
                       "e.g. [5, 25, 50, 100]", job=where)
    if ramp[-1] != 100:
        raise JobError(f"[rollout] ramp = {ramp!r} must end at 100 (where the challenger becomes the champion)",
                       job=where)
    limits = {}
    for name, default, top in (("max_score_psi", 0.25, math.inf), ("max_status_rate", 0.05, 1.0)):
        value = section.get(name, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= top \
                or value != value:
            raise JobError(f"[rollout] {name} = {value!r} must be a number from 0 to "
                           f"{'1' if top == 1.0 else 'any'}", job=where)
        limits[name] = float(value)
    return RolloutConfig(champion=resolve(champion), champion_text=champion,
                         challenger=resolve(challenger) if challenger is not None else None,
                         challenger_text=challenger, mode=mode, share=share, key=key, ramp=tuple(ramp), **limits)


def history_config(section: dict[str, Any] | None, *, journal: Path, resolve: Callable[[str], Path],
                   where: str) -> HistoryConfig:
    """The checked ``[history]`` section, defaults filled in beside ``journal``."""
    section = {} if section is None else section
    if not isinstance(section, dict):
        raise JobError("[history] must be a table", job=where)
    unknown = sorted(set(section) - set(HISTORY_KEYS))
    if unknown:
        raise JobError(f"unknown key(s) in [history]: {', '.join(unknown)}; accepted: {', '.join(HISTORY_KEYS)}",
                       job=where)
    for key in ("path", "folder"):
        if key in section and (not isinstance(section[key], str) or not section[key].strip()):
            raise JobError(f"[history] {key} = {section[key]!r} must be a string in quotes", job=where)
    days = section.get("retention_days", 400)
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise JobError(f"[history] retention_days = {days!r} must be a whole number of days, at least 1", job=where)
    path = resolve(section["path"]) if "path" in section else journal.with_name(f"{journal.stem}.history.sqlite")
    folder = resolve(section["folder"]) if "folder" in section else journal.parent / "history"
    return HistoryConfig(path=path, folder=folder, retention_days=days)
