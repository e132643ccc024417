"""`job check`: everything a run needs, tried without changing anything, and what a run would do.

A run finds its problems one at a time, at night, with files in hand. The check finds them
by day: the job file, each server (host key, login, folders and their permissions), the
model and card against the copybook, and then, from the inbox as it is now, which files a run
would take, which it would leave alone and why, and which rows of the journal it would resume.

Nothing is created or written: no journal, no folder, no work area, no claim. A folder the job
would create (archive, error) is reported as such; a link in its place is reported as the run
would refuse it.
"""
from __future__ import annotations

import fnmatch
import os
import sqlite3
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path

from bridge.errors import BridgeError
from bridge.pipeline.job import Endpoint, Job, load_job

__all__ = ["Check", "JobCheck", "check_job"]


@dataclass(frozen=True)
class Check:
    """One thing checked: ``ok`` or not, and a line that says what was found."""

    ok: bool
    what: str
    detail: str


@dataclass
class JobCheck:
    """Every check of a job, then what a run would do now."""

    job: Job | None
    checks: list[Check] = field(default_factory=list)
    plan: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def add(self, ok: bool, what: str, detail: str) -> bool:
        self.checks.append(Check(ok, what, detail))
        return ok


def check_job(path: str | Path, *, model: bool = True) -> JobCheck:
    """Check the job file at `path` and everything it names; changes nothing."""
    try:
        job = load_job(path)
    except BridgeError as exc:
        result = JobCheck(None)
        result.add(False, "job file", str(exc))
        return result
    result = JobCheck(job)
    result.add(True, "job file", f"{path}: job {job.name}")
    inbox = _check_endpoint(result, "source", job.source.endpoint)
    if inbox is not None:
        for key, folder in (("archive", job.source.archive), ("error", job.source.error)):
            _check_subfolder(result, inbox, key, folder)
    outbox = _check_endpoint(result, "target", job.target.endpoint)
    if outbox is not None:
        outbox.close()
    _check_local_places(result, job)
    from bridge.pipeline.process import check_engine

    try:
        result.add(True, "engine", check_engine(job))
    except BridgeError as exc:
        result.add(False, "engine", str(exc))
    if model:
        from bridge.pipeline.process import check_model

        try:
            model_id = check_model(job)
            result.add(True, "model", f"{job.model}: model {model_id} loads and fits the copybook {job.copybook}")
        except BridgeError as exc:
            result.add(False, "model", exc.reason if hasattr(exc, "reason") else str(exc))
        _check_challenger(result, job)
    if inbox is not None:
        try:
            _plan(result, job, inbox)
        except BridgeError as exc:
            result.add(False, "inbox", f"cannot be listed: {exc}")
        finally:
            inbox.close()
    return result


def _check_challenger(result: JobCheck, job: Job) -> None:
    """What the rollout would do on a run now, and whether its challenger loads.

    A challenger that cannot be used does not stop a run (the champion scores every record and
    the file is delivered with RC 4), so it is reported, not failed.
    """
    if job.rollout is None or job.rollout.challenger is None:
        return
    from bridge.copybook import load_copybook
    from bridge.pipeline.process import _plan
    from bridge.records.options import ReaderOptions
    from bridge.score.file import _model_record
    from bridge.score.model import Model

    try:
        plan = _plan(job)
    except BridgeError as exc:
        result.add(False, "rollout", f"the ramp's state cannot be read: {exc}")
        return
    if plan.challenger is None:
        result.add(True, "rollout", f"the challenger was promoted: {plan.champion_text} scores every record")
        return
    r = job.rollout
    how = "shadow: the challenger scores every record on the side" if plan.mode == "shadow" else \
        f"{plan.mode}: {plan.share}% of records, by a hash of {r.key}, scored by the challenger"
    result.add(True, "rollout", f"{how}; champion {plan.champion_text}, challenger {plan.challenger_text}")
    try:
        layout = load_copybook(job.copybook, include_dirs=job.include, dialect=job.reader.get("dialect", "ibm"))
        record = layout.record(_model_record(plan.challenger, layout, ReaderOptions.from_kwargs(**job.reader)))
        Model.load(plan.challenger, record)
        result.add(True, "challenger", f"{plan.challenger_text} loads and fits the copybook {job.copybook}")
    except Exception as exc:  # noqa: BLE001 - any damage is reported in one line, as the run would
        reason = getattr(exc, "reason", None) or " ".join(str(exc).split())[:300]
        result.add(True, "challenger", f"WARNING {plan.challenger_text} cannot be used ({reason}); a run would "
                                       "score every record with the champion and deliver with RC 4")


def _check_endpoint(result: JobCheck, name: str, endpoint: Endpoint):
    from bridge.transport import open_dropzone

    what = "inbox" if name == "source" else "outbox"
    try:
        zone = open_dropzone(**endpoint.connection())  # host key, login, folder exists
    except BridgeError as exc:
        result.add(False, what, str(exc))
        return None
    detail = zone.location
    if endpoint.kind == "local":
        missing = [word for word, flag in (("read", os.R_OK), ("write", os.W_OK), ("enter", os.X_OK))
                   if not os.access(endpoint.path, flag)]
        if missing:
            result.add(False, what, f"{detail}: the job's user cannot {', '.join(missing)} it")
            return zone
        mode = stat.S_IMODE(os.stat(endpoint.path).st_mode)
        detail += f" (mode {mode:04o}; reachable, readable and writable)"
    else:
        detail += " (host key known, login accepted, folder there)"
    result.add(True, what, detail)
    return zone


def _check_subfolder(result: JobCheck, inbox, key: str, folder: str) -> None:
    """The archive or error folder: there and real, to be created, or a link a run would refuse."""
    from bridge.errors import TransportError

    relative = not (os.path.isabs(folder) or folder.startswith("/"))
    base = getattr(inbox, "folder", None)
    path = f"{str(base).rstrip('/')}/{folder}" if relative else folder
    try:
        zone = inbox.open_folder(path, create=False, within=str(base) if relative else None)
    except TransportError as exc:
        if "does not exist" in str(exc):
            result.add(True, key, f"{path}: not there yet; the first file to go there creates it")
        else:
            result.add(False, key, str(exc))
        return
    zone.close()
    result.add(True, key, f"{path}: a real folder")


def _check_local_places(result: JobCheck, job: Job) -> None:
    work = job.work_dir
    probe = work
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if os.path.islink(work):
        result.add(False, "work area", f"{work} is a symbolic link; the job uses only folders it makes")
    elif not os.access(probe, os.W_OK | os.X_OK):
        result.add(False, "work area", f"{work}: the job's user cannot write to {probe}")
    else:
        result.add(True, "work area", f"{work}{'' if work.exists() else ' (created by the first run)'}")
    if job.journal.exists():
        from bridge.pipeline.journal import Journal

        problems = Journal.check(job.journal)
        result.add(not problems, "journal", f"{job.journal}: " + ("sound" if not problems else
                   f"damaged ({'; '.join(problems[:2])}); see `mfbridge status JOB --check`"))
    else:
        result.add(True, "journal", f"{job.journal} (created by the first run that finds a file)")


def _plan(result: JobCheck, job: Job, inbox) -> None:
    """What a run would do with the inbox as it is now."""
    from bridge.pipeline.run import JobRunner
    from bridge.transport import NameRejectedError, safe_name

    for row in _unfinished(job):
        result.plan.append(f"resume {row[0]} (left at state {row[1]})")
    runner = JobRunner(job, processor=lambda *a: None)  # only for its name rules; opens nothing
    entries = inbox.list("*")
    names = {e.name for e in entries}
    src = job.source
    now = time.time()
    for e in entries:
        try:
            safe_name(e.name)
        except NameRejectedError as exc:
            result.plan.append(f"leave alone {ascii(e.name)[1:-1]}: {exc.reason}")
            continue
        if not fnmatch.fnmatchcase(e.name, src.pattern):
            continue
        if src.ready == "trigger" and e.name.endswith(src.trigger_suffix):
            if job.data_for_trigger(e.name, names - {e.name}) is None:
                result.plan.append(f"ignore trigger {e.name}: no data file")
            continue
        problem = runner._name_problem(e.name, now)
        if problem is not None:
            result.plan.append(f"leave alone {e.name}: {problem}")
        elif src.ready == "trigger" and job.trigger_for(e.name) not in names:
            result.plan.append(f"wait for {e.name}: its trigger {job.trigger_for(e.name)} is not there")
        elif src.ready == "stable" and now - e.mtime < src.stable_seconds:
            result.plan.append(f"wait for {e.name}: changed {now - e.mtime:.0f} s ago (stable_seconds = "
                               f"{src.stable_seconds:g})")
        else:
            size = f"{e.size} bytes" if e.size else f"0 bytes: empty input, empty_input = {job.empty_input}"
            result.plan.append(f"take {e.name} ({size})")
    if not result.plan:
        result.plan.append("nothing: the inbox holds nothing ready")


def _unfinished(job: Job) -> list[tuple[str, str]]:
    if not job.journal.exists():
        return []
    try:
        connection = sqlite3.connect(f"file:{job.journal}?mode=ro", uri=True, timeout=5.0)
        try:
            return connection.execute("SELECT name, state FROM files WHERE state NOT IN ('done', 'duplicate') "
                                      "ORDER BY id").fetchall()
        finally:
            connection.close()
    except sqlite3.Error:
        return []  # reported by the journal check
