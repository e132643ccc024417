"""A file scored under a rollout: champion and challenger, records routed by key, guardrails, arms counted.

`score_rollout` wraps `bridge.score.file.score_file`: the challenger scores every record beside
the champion (in the same prediction threads), `routing` picks the records whose outputs it
writes (canary/ab; none in shadow), and every batch is counted per arm (`arms`) and kept for
the per-record history.

Guardrails, judged before the output leaves the work area (the runner delivers it only after
the processor returns): a challenger that cannot be loaded or does not fit the copybook or
the champion's output fields is set aside before the first record; a challenger whose scores
on this run depart from the champion's (score PSI above ``max_score_psi``, judged on at least
`MIN_PSI_RECORDS` records) or that leaves more than ``max_status_rate`` of the records
unscored is set aside after the pass, and the file is scored again by the champion alone.
Either way the result says why (``fallback``) and the job delivers it with RC 4. In shadow
mode nothing of the challenger is written, so its PSI and status rate are recorded, not
judged; one that cannot be loaded is still a fallback (the comparison asked for was not made).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bridge.errors import BridgeError, JobError
from bridge.layout.model import Layout
from bridge.rollout.arms import SCORE_BINS, ArmCounts, ScoreBins, score_psi
from bridge.rollout.config import RolloutConfig
from bridge.rollout.history import SCORES_SCHEMA, ArmStats
from bridge.rollout.ramp import Plan
from bridge.rollout.routing import buckets, routed

__all__ = ["MIN_PSI_RECORDS", "RolloutScore", "check_rollout", "key_field", "score_rollout"]

#: fewest records whose score PSI may set a challenger aside: 10 per score bin, as for feature drift
MIN_PSI_RECORDS = 10 * SCORE_BINS


@dataclass
class RolloutScore:
    """What a rollout run did: the file's `FileScore`, why the challenger was set aside (or None),
    the arms' history rows and the per-record scores."""

    file: Any                                   # bridge.score.file.FileScore of the output delivered
    plan: Plan
    fallback: str | None
    arms: list[ArmStats] = field(default_factory=list)
    scores: pa.Table | None = None
    score_psi: float | None = None
    status_rate: float | None = None
    routed: int = 0


def key_field(layout: Layout, record_name: str, key: str):
    """The key field of the model's record; `JobError` when it is missing or repeats (OCCURS)."""
    record = layout.record(record_name)
    try:
        f = record.field(key)
    except BridgeError:
        raise JobError(f"[rollout] key = {key!r} is not a field of record {record_name}") from None
    if f.dims:
        raise JobError(f"[rollout] key = {key!r} is inside an OCCURS table; the routing key must be a single "
                       "field (e.g. the customer number)")
    if f.children:
        raise JobError(f"[rollout] key = {key!r} is a group; name an elementary field")
    if f.variable_offset:
        raise JobError(f"[rollout] key = {key!r} lies after an OCCURS DEPENDING ON table, so its bytes move from "
                       "record to record; route by a field before the table (e.g. the customer number)")
    return f


def check_rollout(layout: Layout, record_name: str, config: RolloutConfig | None) -> None:
    """What the job file's rollout needs of the copybook, checked before any file is claimed."""
    if config is not None and config.key is not None:
        key_field(layout, record_name, config.key)


def score_rollout(source: Path, dest: Path, layout: Layout, plan: Plan, config: RolloutConfig | None, *,
                  run_id: str, day: date, report_path: Path | None = None,
                  progress: Callable[[int], None] | None = None, reader: dict[str, Any] | None = None) -> RolloutScore:
    """Score ``source`` into ``dest`` as ``plan`` says, guardrails applied (see the module docstring)."""
    from bridge.records.options import ReaderOptions
    from bridge.score.file import ChallengerError, _model_record, score_file
    from bridge.score.model import Model

    reader = dict(reader or {})
    opts = ReaderOptions.from_kwargs(**reader)
    record_name = _model_record(plan.champion, layout, opts)
    record = layout.record(record_name)
    champion = Model.load(plan.champion, record)
    key = config.key if config is not None else None
    key_spec = key_field(layout, record_name, key) if key else None
    max_psi = config.max_score_psi if config is not None else 0.25
    max_rate = config.max_status_rate if config is not None else 0.05

    challenger, fallback = None, None
    if plan.challenger is not None:
        challenger, fallback = _load_challenger(plan, champion, record, Model)
    writes = challenger is not None and plan.mode in ("canary", "ab") and plan.share > 0

    bins = ScoreBins.for_objective(champion.card.objective)
    counts = _Counts(champion, challenger, bins)
    keep = _Kept(layout, record_name, key) if key else None

    def route(batch, rows):
        matrix = batch.frame.matrix if rows is None else batch.frame.matrix[rows]
        return routed(buckets(matrix, key_spec.offset, key_spec.length), plan.share)

    def observe(batch, rows, first, second, mask):
        mask = np.zeros(len(first), dtype=bool) if mask is None else mask
        counts.add(first, second, mask)
        if keep is not None:
            keep.add(batch, rows, first, second, mask)

    started = time.monotonic()
    kwargs = dict(report_path=report_path, progress=progress, extra_fields=(key,) if key else (), **reader)
    result = None
    if challenger is not None:
        try:
            result = score_file(source, dest, layout, plan.champion, challenger_dir=plan.challenger,
                                route=route if writes else None, observe=observe, **kwargs)
        except ChallengerError as exc:
            fallback = f"challenger {plan.challenger_text} failed on this file: {_one_line(exc)}"
            counts, keep = _Counts(champion, None, bins), (_Kept(layout, record_name, key) if key else None)
    seconds = time.monotonic() - started
    if result is not None and challenger is not None:
        counts.seconds = seconds
        psi = score_psi(counts.champion_hist(), counts.challenger_hist())
        records = counts.records()
        rate = (records - counts.challenger_scored()) / records if records else None
        if writes and fallback is None:
            fallback = _judged(psi, rate, records, max_psi, max_rate, plan)
        if fallback is not None and writes:  # the challenger wrote records: the champion scores the file again
            result = score_file(source, dest, layout, plan.champion, **kwargs)
        routed_final = writes and fallback is None
    else:
        psi = rate = None
        routed_final = False
        started = time.monotonic()
        result = score_file(source, dest, layout, plan.champion, observe=observe, **kwargs)
        counts.seconds = time.monotonic() - started
    report = dict(result.report)
    report["rollout"] = {"mode": plan.mode, "share": plan.share, "champion": plan.champion_text,
                         "challenger": plan.challenger_text, "fallback": fallback, "score_psi": psi,
                         "challenger_status_rate": rate, "routed": counts.routed() if routed_final else 0,
                         "promoted": plan.promoted}
    result.report = report
    return RolloutScore(file=result, plan=plan, fallback=fallback,
                        arms=counts.stats(run_id, routed_final=routed_final, psi=psi),
                        scores=keep.table(run_id, day, routed_final=routed_final,
                                          champion_id=counts.champion_id,
                                          challenger_id=counts.challenger_id) if keep else None,
                        score_psi=psi, status_rate=rate, routed=counts.routed() if routed_final else 0)


def _load_challenger(plan: Plan, champion, record, Model) -> tuple[Any, str | None]:
    """The challenger model, or None and why it is set aside (it cannot be loaded or does not fit)."""
    try:
        challenger = Model.load(plan.challenger, record)
    except BridgeError as exc:
        return None, f"challenger {plan.challenger_text} cannot be used: {_one_line(exc)}"
    except Exception as exc:  # noqa: BLE001 - whatever a damaged model raises, the champion carries the run
        return None, f"challenger {plan.challenger_text} cannot be loaded: {type(exc).__name__}: {_one_line(exc)}"
    if plan.mode in ("canary", "ab"):
        mine, theirs = champion.card.outputs, challenger.card.outputs
        if mine.fields() != theirs.fields() or \
                (mine.reasons.count if mine.reasons else 0) != (theirs.reasons.count if theirs.reasons else 0):
            return None, (f"challenger {plan.challenger_text} writes the output fields "
                          f"{', '.join(theirs.fields().values())}, the champion "
                          f"{', '.join(mine.fields().values())}: a canary must write the same fields")
    return challenger, None


def _judged(psi: float | None, rate: float | None, records: int, max_psi: float, max_rate: float,
            plan: Plan) -> str | None:
    if rate is not None and rate > max_rate:
        return (f"challenger {plan.challenger_text} left {rate:.1%} of the records unscored, above "
                f"max_status_rate {max_rate:g}")
    if psi is not None and records >= MIN_PSI_RECORDS and psi > max_psi:
        return (f"challenger {plan.challenger_text} score PSI {psi:.3f} against the champion on this file is "
                f"above max_score_psi {max_psi:g}")
    return None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]


class _Counts:
    """The four counts of a run: each model on the records routed to the challenger and on the others."""

    def __init__(self, champion, challenger, bins: ScoreBins) -> None:
        self.champion_id = ArmCounts(champion, bins).model_id
        self.challenger_id = ArmCounts(challenger, bins).model_id if challenger is not None else None
        self.c_kept, self.c_routed = ArmCounts(champion, bins), ArmCounts(champion, bins)
        self.x_kept = ArmCounts(challenger, bins) if challenger is not None else None
        self.x_routed = ArmCounts(challenger, bins) if challenger is not None else None
        self.seconds = 0.0

    def add(self, first, second, mask: np.ndarray) -> None:
        self.c_kept.add(first, ~mask)
        self.c_routed.add(first, mask)
        if second is not None and self.x_kept is not None:
            self.x_kept.add(second, ~mask)
            self.x_routed.add(second, mask)

    def records(self) -> int:
        return self.c_kept.records + self.c_routed.records

    def routed(self) -> int:
        return self.c_routed.records

    def challenger_scored(self) -> int:
        return self.x_kept.scored + self.x_routed.scored if self.x_kept else 0

    def champion_hist(self) -> np.ndarray:
        return self.c_kept.hist + self.c_routed.hist

    def challenger_hist(self) -> np.ndarray:
        return self.x_kept.hist + self.x_routed.hist if self.x_kept else np.zeros(SCORE_BINS, dtype=np.int64)

    def stats(self, run_id: str, *, routed_final: bool, psi: float | None) -> list[ArmStats]:
        for acc in (self.c_kept, self.c_routed, self.x_kept, self.x_routed):
            if acc is not None:
                acc.seconds = self.seconds
        if routed_final:
            rows = [self.c_kept.stats(run_id, "champion"), self.x_routed.stats(run_id, "challenger", score_psi=psi)]
            if self.x_kept.records:
                rows.append(self.x_kept.stats(run_id, "shadow", score_psi=psi))
            return rows
        rows = [self.c_kept.merge(self.c_routed).stats(run_id, "champion")]
        if self.x_kept is not None and (self.x_kept.records or self.x_routed.records):
            rows.append(self.x_kept.merge(self.x_routed).stats(run_id, "shadow", score_psi=psi))
        return rows


class _Kept:
    """Every record's key and both models' scores, batch by batch, for the per-record history."""

    def __init__(self, layout: Layout, record_name: str, key: str) -> None:
        from bridge.records.plan import column_names

        self.column = column_names(layout)[layout.record(record_name).field(key).path]
        self.keys: list[pa.Array] = []
        self.first: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.second: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.masks: list[np.ndarray] = []

    def add(self, batch, rows, first, second, mask: np.ndarray) -> None:
        keys = batch.table.column(self.column)
        if rows is not None:
            keys = keys.take(pa.array(rows))
        keys = pc.utf8_trim_whitespace(pc.cast(keys, pa.string()))
        self.keys.append(keys.combine_chunks() if isinstance(keys, pa.ChunkedArray) else keys)
        self.first.append((first.probability, first.band, first.status))
        if second is not None:
            self.second.append((second.probability, second.band, second.status))
        self.masks.append(mask)

    def table(self, run_id: str, day: date, *, routed_final: bool, champion_id: str,
              challenger_id: str | None) -> pa.Table:
        """Rows: the champion's results where it wrote, the challenger's where it wrote, and the
        challenger's where it did not (arm ``shadow``)."""
        if not self.keys:
            return SCORES_SCHEMA.empty_table()
        keys = pa.concat_arrays(self.keys)
        mask = np.concatenate(self.masks) if routed_final else np.zeros(len(keys), dtype=bool)
        parts = [_rows(keys, self.first, ~mask, champion_id, "champion")]
        if self.second:
            parts.append(_rows(keys, self.second, mask, challenger_id or "", "challenger"))
            parts.append(_rows(keys, self.second, ~mask, challenger_id or "", "shadow"))
        table = pa.concat_tables(parts)
        n = table.num_rows
        return table.append_column("run_id", pa.array([run_id], pa.string()).take(pa.array(np.zeros(n, np.int32)))) \
            .append_column("date", pa.array([day], pa.date32()).take(pa.array(np.zeros(n, np.int32)))) \
            .select(["key", "score", "band", "model_id", "arm", "run_id", "date", "status"])


def _rows(keys: pa.Array, parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]], take: np.ndarray,
          model_id: str, arm: str) -> pa.Table:
    probability = np.concatenate([p for p, _, _ in parts])[take]
    band = np.concatenate([b.astype(str) for _, b, _ in parts])[take]
    status = np.concatenate([s.astype(str) for _, _, s in parts])[take]
    n = int(np.count_nonzero(take))
    zeros = pa.array(np.zeros(n, np.int32))
    band_array = pa.array(band, pa.string())
    return pa.table({
        "key": keys.filter(pa.array(take)),
        "score": pa.array(probability, pa.float64(), mask=~np.isfinite(probability)),
        "band": pc.if_else(pc.equal(band_array, ""), pa.scalar(None, pa.string()), band_array),
        "model_id": pa.array([model_id], pa.string()).take(zeros),
        "arm": pa.array([arm], pa.string()).take(zeros),
        "status": pa.array(status, pa.string()),
    })
