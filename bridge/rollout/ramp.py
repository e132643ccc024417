"""The ramp: where the challenger's share stands, and `promote`, `hold` and `rollback` that move it.

The job file gives the starting point (``mode``, ``share``, ``ramp``); `mfbridge rollout JOB
promote|hold|rollback` records where the ramp has got to in the history's ``rollout_state``
(with who and when, and an ``events`` row), and every run reads it. The job file is never
rewritten: it is the owner's text, perhaps under version control, and a tool that edits it
behind the owner's back makes a diff nobody wrote.

Decision: the state belongs to the pair of models it was made for. It records the job file's
``champion`` and ``challenger`` as written; when the file names another pair (the owner moved
to the next challenger), the old state no longer applies and the file's settings rule again.

- promote: the next ramp step above the current share (shadow counts as 0); at 100 the
  challenger is promoted: it scores every record as the model of record, and no challenger runs.
- hold: the share stays; the decision is recorded (a ramp held on purpose is not a ramp forgotten).
- rollback: share 0, the challenger back in shadow (and a promotion undone).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bridge.errors import JobError
from bridge.rollout.config import RolloutConfig
from bridge.rollout.history import RolloutState, utc_now

__all__ = ["Plan", "hold", "plan_for", "promote", "rollback", "state_applies"]


@dataclass(frozen=True)
class Plan:
    """What a run does: which model is the champion, which (if any) the challenger, and its share.

    ``mode``: ``none`` (champion only), ``shadow`` (share 0), ``canary`` or ``ab``.
    """

    champion: Path
    challenger: Path | None
    mode: str
    share: int
    promoted: bool = False
    champion_text: str = ""
    challenger_text: str | None = None


def state_applies(config: RolloutConfig, state: RolloutState | None) -> bool:
    """Whether ``state`` was made for the job file's champion and challenger."""
    return (state is not None and config.challenger_text is not None
            and state.champion == config.champion_text and state.challenger == config.challenger_text)


def plan_for(config: RolloutConfig, state: RolloutState | None) -> Plan:
    """The run's plan from the job file's ``config`` and the ramp's ``state`` (when it applies)."""
    if config.challenger is None:
        return Plan(config.champion, None, "none", 0, champion_text=config.champion_text)
    share = config.share
    if state_applies(config, state):
        assert state is not None
        if state.promoted:
            return Plan(config.challenger, None, "none", 0, promoted=True,
                        champion_text=config.challenger_text or "")
        share = state.share
    if config.key is None:  # nothing to route by: the challenger can only shadow
        share = 0
    mode = "shadow" if share == 0 else ("canary" if config.mode == "shadow" else config.mode)
    return Plan(config.champion, config.challenger, mode, share, champion_text=config.champion_text,
                challenger_text=config.challenger_text)


def _current(config: RolloutConfig, state: RolloutState | None, where: str) -> Plan:
    if config.challenger is None:
        raise JobError("[rollout] has no challenger = : there is nothing to promote, hold or roll back", job=where)
    return plan_for(config, state)


def promote(config: RolloutConfig, state: RolloutState | None, who: str, *,
            where: str = "") -> tuple[RolloutState, str]:
    """The next ramp step: the new state and the event's message."""
    plan = _current(config, state, where)
    if plan.promoted:
        raise JobError(f"{config.challenger_text} is already promoted (the model of record); name the next "
                       "challenger in the job file to start a new ramp", job=where)
    if config.key is None:
        raise JobError("[rollout] needs key = (the field whose bytes route each record, e.g. key = \"CUST-ID\") "
                       "before the challenger can score records for real", job=where)
    step = next((s for s in config.ramp if s > plan.share), None)
    assert step is not None  # the ramp ends at 100 and a share of 100 is promoted
    new = RolloutState(champion=config.champion_text, challenger=config.challenger_text or "", share=step,
                       promoted=step == 100, updated=utc_now(), who=who)
    if step == 100:
        message = f"share {plan.share} -> 100: {config.challenger_text} promoted, it now scores every record " \
                  f"as the model of record (in place of {config.champion_text})"
    else:
        message = f"share {plan.share} -> {step} ({config.challenger_text} against {config.champion_text})"
    return new, message


def hold(config: RolloutConfig, state: RolloutState | None, who: str, *,
         where: str = "") -> tuple[RolloutState, str]:
    """The same share, the decision recorded."""
    plan = _current(config, state, where)
    share = 100 if plan.promoted else plan.share
    new = RolloutState(champion=config.champion_text, challenger=config.challenger_text or "", share=share,
                       promoted=plan.promoted, updated=utc_now(), who=who)
    return new, f"share held at {share} ({config.challenger_text} against {config.champion_text})"


def rollback(config: RolloutConfig, state: RolloutState | None, who: str, *,
             where: str = "") -> tuple[RolloutState, str]:
    """Share 0: the champion writes every record, the challenger back in shadow."""
    plan = _current(config, state, where)
    share = 100 if plan.promoted else plan.share
    new = RolloutState(champion=config.champion_text, challenger=config.challenger_text or "", share=0,
                       promoted=False, updated=utc_now(), who=who)
    return new, f"share {share} -> 0: {config.champion_text} writes every record again, " \
                f"{config.challenger_text} back in shadow"
