"""The job's file processor: decode, score and patch one fetched file, as `mfbridge score` does.

Return codes follow the status-file convention: 0 when every record was scored; 4 when some
records were not scored (their status field says why) or invalid values were met; data that
cannot be read at all, or whose trailer does not add up (``[job.trailer]``), raises
(`FramingError`, `InvalidDataError`) and the runner rejects the file with RC 8.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path

from bridge.errors import InvalidDataError
from bridge.pipeline.job import Job
from bridge.pipeline.status import RC_OK, RC_WARNING, Outcome

__all__ = ["check_engine", "check_model", "score_for_job"]

log = logging.getLogger("bridge.job")


class _Progress:
    """Logs how far a long file has got, at most every ``every`` seconds (operations watch the log)."""

    def __init__(self, name: str, every: float = 10.0) -> None:
        self.name = name
        self.every = every
        self.started = self.last = time.monotonic()

    def __call__(self, records: int) -> None:
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            rate = records / max(now - self.started, 1e-9)
            log.info("%s: %d records scored so far (%.0f records/s)", self.name, records, rate)


def check_model(job: Job) -> str:
    """Load the job's copybook, model and card and check them against each other; returns the model id.

    Run before any file is claimed: a damaged model (truncated ``model.txt``, a card value of
    the wrong type) is the job's problem, and every file would fail on it.

    :raises JobError: one line naming what could not be loaded and why.
    """
    from bridge.copybook import load_copybook
    from bridge.errors import BridgeError, JobError
    from bridge.records.options import ReaderOptions
    from bridge.score.file import _model_record
    from bridge.score.model import Model

    champion = _plan(job).champion  # the challenger is the rollout's guardrails' business, not the job's
    try:
        layout = load_copybook(job.copybook, include_dirs=job.include, dialect=job.reader.get("dialect", "ibm"))
        record_name = _model_record(champion, layout, ReaderOptions.from_kwargs(**job.reader))
        model = Model.load(champion, layout.record(record_name))
        _check_rollout(job, layout, record_name)
    except BridgeError as exc:
        raise JobError(f"the model cannot be used, no file was touched: {_one_line(exc)}", job=str(job.path)) from None
    except Exception as exc:  # noqa: BLE001 - whatever a damaged model or card raises, the job stops with one line
        raise JobError(f"the model in {job.model} cannot be loaded, no file was touched: "
                       f"{type(exc).__name__}: {_one_line(exc)}", job=str(job.path)) from None
    return model.card.model_id if hasattr(model.card, "model_id") else ""


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:400]


def _score_on_dask(job: Job, input_path: Path, output_path: Path, layout, reader: dict, name: str):
    """[engine] kind = "dask": the whole file is one `bridge.dask.score_file` call, so the journal sees one step.

    The output appears only when complete (as with the local scorer), so a run killed in the
    middle leaves the file at "fetched" and the next run scores it again; a run killed after
    it leaves "processed" and the next run only delivers. The work copy is read once, so no
    record index is cached for it.
    """
    from bridge.dask import connect, score_file

    engine = job.engine
    told = _Progress(name)
    done = [0]

    def progress(records: int, nbytes: int) -> None:
        done[0] += records
        told(done[0])

    extra = {} if engine.blocksize is None else {"blocksize": engine.blocksize}
    with connect(scheduler=engine.scheduler, workers=engine.workers) as client:
        result = score_file(str(input_path), layout, job.model, str(output_path), shadow_dir=job.shadow,
                            report_path=output_path.with_name("report.json"), client=client, index_cache=False,
                            progress=progress, **extra, **reader)
    log.info("%s: scored on Dask (%s) in %d partitions", name, engine.scheduler or f"{engine.workers} local workers",
             result.partitions)
    return result


def check_engine(job: Job) -> str:
    """What [engine] says, after reaching the Dask scheduler it names (a local cluster is not started here).

    :raises TransportError: the scheduler cannot be reached.
    """
    engine = job.engine
    if engine.kind != "dask":
        return "local: files are scored in this process"
    from bridge.dask import connect

    size = f", blocksize {engine.blocksize}" if engine.blocksize is not None else ""
    if engine.scheduler is None:  # starting a cluster here would only prove that this machine can
        return f"dask: each file is scored on a local cluster of {engine.workers} worker processes{size}"
    with connect(scheduler=engine.scheduler) as client:
        count = len(client.scheduler_info().get("workers", {}))
    return f"dask: files are scored on the scheduler at {engine.scheduler} ({count} worker" \
           f"{'s' if count != 1 else ''} now{size})"


def score_for_job(job: Job, input_path: Path, output_path: Path, *, name: str | None = None,
                  run_id: str | None = None) -> Outcome:
    """Score ``input_path`` into ``output_path`` with the job's copybook, model and reader options.

    The job's rollout routes records between champion and challenger and its guardrails may
    set the challenger aside (RC 4); the run is recorded in the job's history under ``run_id``
    (once: a run id already there is not counted again).
    """
    from bridge.copybook import load_copybook

    layout = load_copybook(job.copybook, include_dirs=job.include, dialect=job.reader.get("dialect", "ibm"))
    reader = {k: v for k, v in job.reader.items()}
    if job.trailer is not None:
        from bridge.records.controls import check_trailer

        check_trailer(input_path, layout, job.trailer, **reader)  # a file that does not add up is rejected
    started = _utc_now()
    if job.engine.kind == "dask":   # the champion alone (the job file refuses a challenger with Dask)
        from bridge.rollout.ramp import plan_for
        from bridge.rollout.scoring import RolloutScore

        rollout = RolloutScore(file=_score_on_dask(job, input_path, output_path, layout, reader,
                                                   name or input_path.name),
                               plan=plan_for(_rollout_config(job), None), fallback=None)
    else:
        rollout = _score_rollout(job, input_path, output_path, layout, reader, name=name, run_id=run_id,
                                 started=started)
    result = rollout.file
    invalid = sum(result.invalid.values())
    if job.reject_invalid and invalid:
        field, count = max(result.invalid.items(), key=lambda kv: kv[1])
        raise InvalidDataError(f"{invalid} invalid values ({count} in {field}) and the job sets reject_invalid",
                               field=field)
    rc = RC_OK if result.not_scored == 0 and invalid == 0 else RC_WARNING
    parts = [f"{result.scored} of {result.records_in} records scored"]
    if result.not_scored:
        parts.append(f"{result.not_scored} not scored")
    if invalid:
        parts.append(f"{invalid} invalid values")
    if rollout.fallback:
        rc = RC_WARNING
        parts.insert(0, f"champion only, {rollout.fallback}")  # first: the status MESSAGE is 200 characters
        log.warning("%s: challenger set aside, the champion scored every record: %s", name or input_path.name,
                    rollout.fallback)
    elif rollout.routed:
        parts.append(f"{rollout.routed} by challenger {rollout.plan.challenger_text} ({rollout.plan.mode} "
                     f"{rollout.plan.share}%)")
    report = dict(result.report)
    report["model_id"] = result.model_id
    unrecorded = _record_history(job, rollout, name or input_path.name, started, rc, result.records_in)
    if unrecorded:  # the scores are right; the file is delivered, the gap in the history said aloud
        rc = max(rc, RC_WARNING)
        parts.insert(0, unrecorded)
        log.error("%s: %s", name or input_path.name, unrecorded)
    return Outcome(rc=rc, records_in=result.records_in, scored=result.scored, rejected=result.not_scored,
                   model_id=result.model_id, message=", ".join(parts), report=report)


# -- rollout and history (issue 13): the job's [rollout] and [history] sections ----------------------

def _rollout_config(job: Job):
    """The job's rollout; a job without one has its model as the champion, alone."""
    from bridge.rollout.config import RolloutConfig

    if job.rollout is not None:
        return job.rollout
    return RolloutConfig(champion=job.model, champion_text=str(job.model))


def _history_config(job: Job):
    from bridge.rollout.config import history_config

    return job.history or history_config(None, journal=job.journal, resolve=Path, where=str(job.path))


def _history_path(job: Job) -> Path:
    return _history_config(job).path


def _history(job: Job):
    from bridge.rollout.history import History

    config = _history_config(job)
    return History.open(config.path, config.folder, retention_days=config.retention_days)


def _plan(job: Job):
    """Who scores this run: the job file's rollout and the ramp's state in the history."""
    from bridge.rollout.ramp import plan_for

    config = _rollout_config(job)
    if config.challenger is None or not _history_path(job).exists():  # `job check` creates nothing
        return plan_for(config, None)
    with _history(job) as history:
        return plan_for(config, history.rollout_state())


def _check_rollout(job: Job, layout, record_name: str) -> None:
    from bridge.rollout.scoring import check_rollout

    check_rollout(layout, record_name, job.rollout)


def _utc_now() -> str:
    from bridge.rollout.history import utc_now

    return utc_now()


def _score_rollout(job: Job, input_path: Path, output_path: Path, layout, reader: dict, *, name: str | None,
                   run_id: str | None, started: str):
    from datetime import datetime

    from bridge.rollout.scoring import score_rollout

    plan = _plan(job)
    day = datetime.fromisoformat(started.replace("Z", "+00:00")).date()
    return score_rollout(input_path, output_path, layout, plan, job.rollout, run_id=_run_id(job, run_id), day=day,
                         report_path=output_path.with_name("report.json"),
                         progress=_Progress(name or input_path.name), reader=reader)


def _run_id(job: Job, run_id: str | None) -> str:
    import secrets

    return run_id or f"{job.name}-{secrets.token_hex(8)}"


def _record_history(job: Job, rollout, file: str, started: str, rc: int, records: int) -> str | None:
    """The run, its arms and its per-record scores in the job's history, then old score folders removed.

    Returns None, or why the history could not be written (locked, damaged, disk full): the file's
    scores are right, so it is delivered all the same, with RC 4 and that reason.
    """
    from bridge.errors import BridgeError
    from bridge.rollout.history import RunRecord, utc_now

    run_id = rollout.arms[0].run_id if rollout.arms else _run_id(job, None)
    plan = rollout.plan
    run = RunRecord(run_id=run_id, job=job.name, file=file, started=started, finished=utc_now(), rc=rc,
                    records=records, mode=plan.mode, share=plan.share,
                    champion=rollout.arms[0].model_id if rollout.arms else plan.champion_text,
                    challenger=next((a.model_id for a in rollout.arms if a.arm != "champion"), plan.challenger_text)
                    if plan.challenger is not None else None,
                    fallback=rollout.fallback)
    try:
        with _history(job) as history:
            history.record_run(run, rollout.arms, rollout.scores)
            history.apply_retention()
    except (BridgeError, OSError) as exc:
        return f"run not recorded in the history: {_one_line(exc)}"
    return None
