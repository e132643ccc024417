"""The batch job: take ready drops from the inbox, score them, deliver results, exactly once.

For each ready file: claim (rename to a name only this run knows) → fetch to the work area
→ decode, score and patch (streaming) → put the result under a temporary name, check its
size, rename it into place → write the status file → move the input and its trigger to the
archive. A file that cannot be read goes to the error folder with an `.err` report and a
status with RC 8 instead; the rest of the inbox keeps flowing.

Every step is recorded in the journal before the next starts (see `journal`), and each
step can tell on restart whether it already happened, so a run killed at any point is
finished by the next one. The only ordering the mainframe must respect: it fetches a result
only after its status (or trigger) file is there; the bridge writes that file last.

Fault injection for the crash tests: ``BRIDGE_FAULT_AFTER=<state>`` kills the process with
SIGKILL right after the journal records that state (as a database's failpoints do).
"""
from __future__ import annotations

import fnmatch
import hashlib
import logging
import os
import shutil
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from bridge.errors import BridgeError, FramingError, InvalidDataError, JobError, TransportError
from bridge.pipeline.job import Job
from bridge.pipeline.journal import FileRow, Journal
from bridge.pipeline.status import RC_REJECTED, RC_SEVERE, RC_WARNING, Outcome, error_report, output_name, status_text

__all__ = ["JobRunner", "Processor", "RunResult"]

log = logging.getLogger("bridge.job")

#: ``processor(input_path, output_path) -> Outcome``: decode, score and patch one file.
Processor = Callable[[Path, Path], Outcome]

#: errors that mean "this file is bad" (reject it) rather than "the job is broken" (stop)
DATA_ERRORS = (FramingError, InvalidDataError)


@dataclass
class RunResult:
    """What one pass over the inbox did."""

    rc: int = 0
    processed: list[tuple[str, int, str]] = field(default_factory=list)  # (input, rc, message)
    orphan_triggers: list[str] = field(default_factory=list)


class JobRunner:
    """Runs a job's passes over its inbox; one instance per process."""

    def __init__(self, job: Job, *, processor: Processor | None = None) -> None:
        self.job = job
        self.processor = processor or _scoring_processor(job)
        self.journal = Journal(job.journal)
        self.stop_requested = False
        self._reported_orphans: set[str] = set()

    def close(self) -> None:
        self.journal.close()

    # -- passes ------------------------------------------------------------------------------
    def run_once(self) -> RunResult:
        """Finish interrupted work, then process every file that is ready now."""
        from bridge.transport import open_dropzone

        result = RunResult()
        with open_dropzone(**self.job.source.endpoint.connection()) as inbox:
            for row in self.journal.unfinished():
                if self.stop_requested:
                    break
                self._finish(inbox, row, result)
            for entry, trigger in self._ready(inbox, result):
                if self.stop_requested:
                    break
                row = self._claim(inbox, entry, trigger)
                if row is not None:
                    self._finish(inbox, row, result)
        return result

    def watch(self, interval: float = 30.0) -> int:
        """Poll until SIGTERM/SIGINT; stops after the file in hand. Returns the highest RC seen."""
        highest = 0

        def stop(signum, frame):  # noqa: ARG001 - signal handler signature
            log.info("signal %s received: stopping after the file in hand", signum)
            self.stop_requested = True

        old_term = signal.signal(signal.SIGTERM, stop)
        old_int = signal.signal(signal.SIGINT, stop)
        try:
            while not self.stop_requested:
                try:
                    result = self.run_once()
                    highest = max(highest, result.rc)
                except TransportError as exc:
                    log.error("pass failed, will retry: %s", exc)
                deadline = time.monotonic() + interval
                while not self.stop_requested and time.monotonic() < deadline:
                    time.sleep(min(0.2, interval))
        finally:
            signal.signal(signal.SIGTERM, old_term)
            signal.signal(signal.SIGINT, old_int)
        return highest

    # -- discovery ---------------------------------------------------------------------------
    def _ready(self, inbox, result: RunResult):
        src = self.job.source
        entries = inbox.list("*")
        names = {e.name for e in entries}
        suffix = src.trigger_suffix
        if src.ready == "trigger":
            triggers = {e.name for e in entries if e.name.endswith(suffix)}
            for t in sorted(triggers):
                data = self.job.data_for_trigger(t, names - triggers)
                if data is None and t not in self._reported_orphans:
                    log.warning("trigger %s has no data file: ignored", t)
                    self._reported_orphans.add(t)
                    result.orphan_triggers.append(t)
        now = time.time()
        for e in entries:
            if not fnmatch.fnmatchcase(e.name, src.pattern):
                continue
            if src.ready == "trigger":
                if e.name.endswith(suffix):
                    continue
                trigger = self.job.trigger_for(e.name)
                if trigger not in names:
                    continue  # still being written, or its trigger is not there yet: leave it alone
                yield e, trigger
            else:
                since = self.journal.sighting(e.name, e.size, e.mtime, now)
                if now - since >= src.stable_seconds and now - e.mtime >= src.stable_seconds:
                    yield e, None

    def _claim(self, inbox, entry, trigger: str | None) -> FileRow | None:
        from bridge.transport import claim_name, new_token

        token = new_token()
        row = self.journal.begin(entry.name, entry.size, entry.mtime, token, claim_name(entry.name, token), trigger)
        _fault("claiming")
        claimed = inbox.claim(entry.name, token)
        if claimed is None:
            self.journal.forget(row, "another process claimed it first")
            log.info("%s was taken by another process", entry.name)
            return None
        self.journal.forget_sighting(entry.name)
        row = self._advance(row, "claimed")
        log.info("claimed %s (%d bytes)", entry.name, entry.size)
        return row

    # -- the steps ---------------------------------------------------------------------------
    def _finish(self, inbox, row: FileRow, result: RunResult) -> None:
        try:
            while row is not None and not row.finished:
                row = self._step(inbox, row)
        except BridgeError as exc:
            if isinstance(exc, TransportError):
                log.error("%s: transfer failed at state %s, will resume next run: %s", row.name, row.state, exc)
                result.rc = max(result.rc, RC_SEVERE if not exc.retryable else result.rc)
                return
            raise
        if row is None:
            return
        rc = row.rc or 0
        result.rc = max(result.rc, rc)
        result.processed.append((row.name, rc, row.message or ""))

    def _step(self, inbox, row: FileRow) -> FileRow | None:
        state = row.state
        work = self.job.work_dir / f"{row.id:08d}"
        if state == "claiming":
            if inbox.exists(row.claim_name):
                return self._advance(row, "claimed")
            self.journal.forget(row, "claim never happened")
            return None
        if state == "claimed":
            work.mkdir(parents=True, exist_ok=True)
            local = work / "input"
            entry = inbox.fetch(row.claim_name, local)
            checksum = _sha256(local)
            if entry.size != row.size:
                log.warning("%s changed size after it was ready (%d → %d bytes)", row.name, row.size, entry.size)
            earlier = self.journal.find_done(row.name, entry.size, checksum, exclude=row.id)
            if earlier is not None:
                log.warning("%s (%s) was already processed (journal row %d): not scoring it again",
                            row.name, checksum[:12], earlier.id)
                return self._advance(row, "duplicate-fetched", checksum=checksum, size=entry.size, rc=RC_WARNING,
                                     message=f"duplicate of a file already delivered as {earlier.output_name}")
            return self._advance(row, "fetched", checksum=checksum, size=entry.size)
        if state == "duplicate-fetched":
            self._archive(inbox, row, self.job.source.archive, suffix=f".dup-{row.id}")
            shutil.rmtree(work, ignore_errors=True)
            return self._advance(row, "duplicate")
        if state == "fetched":
            return self._process(row, work)
        if state == "processed":
            return self._deliver(row, work)
        if state in ("delivered", "rejected"):
            return self._report(inbox, row, work)
        if state == "reported":
            folder = self.job.source.error if row.rc is not None and row.rc >= RC_REJECTED else self.job.source.archive
            self._archive(inbox, row, folder)
            shutil.rmtree(work, ignore_errors=True)
            done = self._advance(row, "done")
            log.info("done %s rc=%d %s", row.name, done.rc or 0, done.message or "")
            return done
        raise JobError(f"journal row {row.id} is in unknown state {state!r}", job=str(self.job.path))

    def _process(self, row: FileRow, work: Path) -> FileRow:
        local, out = work / "input", work / "output"
        started = time.monotonic()
        try:
            outcome = self.processor(local, out)
        except DATA_ERRORS as exc:
            (work / "error.txt").write_text(error_report(row.name, row.size, exc), encoding="utf-8")
            log.error("%s rejected: %s", row.name, exc)
            return self._advance(row, "rejected", rc=RC_REJECTED, message=str(exc)[:500])
        except BridgeError as exc:
            (work / "error.txt").write_text(error_report(row.name, row.size, exc), encoding="utf-8")
            log.error("%s not processed: %s", row.name, exc)
            return self._advance(row, "rejected", rc=RC_SEVERE, message=str(exc)[:500])
        name = output_name(self.job.target.name, row.name, generation=self.journal.generation())
        from bridge.transport import safe_name

        safe_name(name, where="[target] name")
        log.info("%s scored in %.1f s: %d records in, %d scored, %d rejected, rc=%d", row.name,
                 time.monotonic() - started, outcome.records_in, outcome.scored, outcome.rejected, outcome.rc)
        return self._advance(row, "processed", rc=outcome.rc, records_in=outcome.records_in, scored=outcome.scored,
                             rejected=outcome.rejected, message=outcome.message, output_name=name,
                             report=outcome.report)

    def _deliver(self, row: FileRow, work: Path) -> FileRow:
        from bridge.transport import open_dropzone

        with open_dropzone(**self.job.target.endpoint.connection()) as outbox:
            entry = outbox.put(work / "output", row.output_name, overwrite=True)
        log.info("delivered %s (%d bytes) to %s", row.output_name, entry.size, self.job.target.endpoint.path)
        return self._advance(row, "delivered")

    def _report(self, inbox, row: FileRow, work: Path) -> FileRow:
        from bridge.transport import open_dropzone

        rejected = row.state == "rejected"
        output = None if rejected else row.output_name
        status_name = None
        report = row.report_data
        outcome = Outcome(rc=row.rc or 0, records_in=row.records_in or 0, scored=row.scored or 0,
                          rejected=row.rejected or 0, model_id=str(report.get("model_id", "")),
                          message=row.message or "")
        if rejected:
            err = work / "error.txt"
            text = err.read_bytes() if err.exists() else (row.message or "rejected").encode()
            with _subzone(self.job.source.endpoint, self.job.source.error) as errors:
                errors.put_bytes(text, f"{row.name}.err", overwrite=True)
        if self.job.target.status:
            status_name = output_name(self.job.target.status_name.replace("{output}", output or row.name),
                                      row.name, generation=0)
            with open_dropzone(**self.job.target.endpoint.connection()) as outbox:
                outbox.put_bytes(status_text(row.name, output, outcome), status_name, overwrite=True)
                if self.job.target.trigger and output:
                    trg = self.job.target.trigger_name.replace("{output}", output)
                    outbox.put_bytes(b"", trg, overwrite=True)
        return self._advance(row, "reported", status_name=status_name)

    def _archive(self, inbox, row: FileRow, folder: str, suffix: str = "") -> None:
        """Move the claimed input (and its trigger) into ``folder`` under their own names.

        Two renames, each checked on restart: the claimed (hidden) file moves into the folder,
        then takes back its original name there, never in the inbox, where it would be ready again.
        """
        with _subzone(self.job.source.endpoint, folder) as dest:
            if inbox.exists(row.claim_name):
                inbox.move(row.claim_name, folder, overwrite=False)
            if dest.exists(row.claim_name):
                target = row.name + suffix
                if dest.exists(target):
                    target = f"{row.name}.{row.id}{suffix}"
                dest.rename(row.claim_name, target, overwrite=False)
            if row.trigger and inbox.exists(row.trigger):
                if dest.exists(row.trigger):
                    dest.remove(row.trigger)
                inbox.move(row.trigger, folder, overwrite=True)

    def _advance(self, row: FileRow, state: str, **values) -> FileRow:
        new = self.journal.advance(row, state, **values)
        _fault(state)
        return new


def _subzone(endpoint, folder: str):
    from bridge.transport import open_dropzone

    kw = endpoint.connection()
    base = kw["path"]
    kw["path"] = folder if os.path.isabs(folder) or folder.startswith("/") else _join(base, folder)
    return open_dropzone(**kw, create=True)


def _join(a: str, b: str) -> str:
    return b if b.startswith("/") else f"{a.rstrip('/')}/{b}" if a not in ("", ".") else b


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _fault(state: str) -> None:
    if os.environ.get("BRIDGE_FAULT_AFTER") == state:
        os.kill(os.getpid(), signal.SIGKILL)


def _scoring_processor(job: Job) -> Processor:
    def process(input_path: Path, output_path: Path) -> Outcome:
        from bridge.pipeline.process import score_for_job

        return score_for_job(job, input_path, output_path)
    return process
