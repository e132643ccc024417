"""The batch job: take ready drops from the inbox, score them, deliver results, exactly once.

For each ready file: claim (rename the data file, then its trigger, to names only this run
knows) → fetch to the work area → decode, score and patch (streaming) → put the result under a
temporary name, check its size, rename it into place → write the status file → move the input
and its trigger to the archive. A file that cannot be read goes to the error folder with an
`.err` report and a status with RC 8 instead; the rest of the inbox keeps flowing.

Every step is recorded in the journal before the next starts (see `journal`), and each
step can tell on restart whether it already happened, so a run killed at any point is
finished by the next one. Runs sharing a journal resume only their own rows and those of
dead runs (see `owner`). The only ordering the mainframe must respect: it fetches a result
only after its status (or trigger) file is there; the bridge writes that file last.

Names are decided when the file is processed, whatever the outcome: the status file of a
rejected input has the name a successful one would have had (with ``OUTPUT=`` empty), so
the receiving JCL step always knows which status file to wait for. A run with nothing ready
writes nothing, not even the journal.

Connections: a pass opens each server once (`_Zones`): inbox, outbox, archive and error folders
on one server share one SSH login for the whole pass, instead of a login per step; a dropped
connection is reconnected by the zone on its next call, and the pass closes them all at its end.

Fault injection for the crash tests: ``BRIDGE_FAULT_AFTER=<state>`` kills the process with
SIGKILL right after the journal records that state (as a database's failpoints do), and
``BRIDGE_FAULT_AFTER=before-<state>`` right before: after the step's side effect (the claim,
the delivery, the move to the archive) and before the journal knows it.
"""
from __future__ import annotations

import errno
import fnmatch
import logging
import os
import shutil
import signal
import sqlite3
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bridge.errors import (
    BridgeError,
    FramingError,
    InvalidDataError,
    JobError,
    TransportError,
)
from bridge.pipeline.job import Job
from bridge.pipeline.journal import FileRow, Journal
from bridge.pipeline.owner import Owner, owner_alive
from bridge.pipeline.status import (
    RC_REJECTED,
    RC_SEVERE,
    RC_WARNING,
    Outcome,
    error_report,
    output_name,
    status_text,
)

if TYPE_CHECKING:
    from bridge.transport import DropZone

__all__ = ["JobRunner", "Processor", "RunResult"]

log = logging.getLogger("bridge.job")

#: ``processor(input_path, output_path) -> Outcome``: decode, score and patch one file.
Processor = Callable[[Path, Path], Outcome]

#: seconds a run waits for a journal another process holds before it gives up (RC 12)
JOURNAL_TIMEOUT = 30.0

#: errors that mean "this file is bad" (reject it) rather than "the job is broken" (stop)
DATA_ERRORS = (FramingError, InvalidDataError)


@dataclass
class RunResult:
    """What one pass over the inbox did."""

    rc: int = 0
    processed: list[tuple[str, int, str]] = field(default_factory=list)  # (input, rc, message)
    orphan_triggers: list[str] = field(default_factory=list)
    refused_names: list[str] = field(default_factory=list)               # names left alone, unsafe
    refused_reasons: dict[str, str] = field(default_factory=dict)        # name -> why it was left alone
    failures: list[tuple[str, str]] = field(default_factory=list)        # (input, error) left in flight


class JobRunner:
    """Runs a job's passes over its inbox; one instance per process."""

    def __init__(self, job: Job, *, processor: Processor | None = None) -> None:
        self.job = job
        if processor is None:
            _check_scoring_inputs(job)
        self._scoring = processor is None
        self._checked = False
        self.processor = processor or _scoring_processor(job)
        self._journal: Journal | None = None
        self._owner: Owner | None = None
        self.stop_requested = False
        self._reported_orphans: set[str] = set()
        self._reported_names: set[str] = set()
        self._zones: _Zones | None = None

    @property
    def journal(self) -> Journal:
        """The job's journal, opened (and created) on first use with this run's owner lock."""
        if self._journal is None:
            journal = Journal(self.job.journal, timeout=JOURNAL_TIMEOUT, file_mode=self.job.file_mode,
                              dir_mode=self.job.dir_mode)
            try:
                self._owner = Owner(self._owners_dir)
            except OSError as error:
                journal.close()
                raise JobError(f"work area {self._owners_dir} cannot be used: {error.strerror or error}",
                               job=str(self.job.path)) from None
            self._journal = journal
        return self._journal

    @property
    def owner(self) -> str:
        self.journal  # noqa: B018 - opens the journal and takes the owner lock
        assert self._owner is not None
        return self._owner.id

    @property
    def _owners_dir(self) -> Path:
        return self.job.work_dir / "owners"

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        if self._owner is not None:
            self._owner.release()
            self._owner = None

    # -- passes ------------------------------------------------------------------------------
    def run_once(self) -> RunResult:
        """Finish interrupted work, then process every file that is ready now."""
        result = RunResult()
        self._checked = False
        with _Zones() as zones:
            try:
                inbox = zones.open(self.job.source.endpoint)
                self._zones = zones
                for row in self._resumable():
                    if self.stop_requested:
                        break
                    self._check_model()
                    self._finish(inbox, row, result)
                for entry, trigger in self._ready(inbox, result):
                    if self.stop_requested:
                        break
                    self._check_model()
                    row = self._claim(inbox, entry, trigger)
                    if row is not None:
                        self._finish(inbox, row, result)
            except _PassStopped:
                pass  # logged by _finish; the next pass resumes the file in hand
            finally:
                self._zones = None
        return result

    def _check_model(self) -> None:
        """Load the model and its card against the copybook once a pass, before the first file is
        touched: a model that cannot be loaded fails the pass (RC 12), it does not reject files."""
        if self._checked or not self._scoring:
            return
        from bridge.pipeline.process import check_model

        check_model(self.job)
        self._checked = True

    def watch(self, interval: float = 30.0) -> int:
        """Poll until SIGTERM/SIGINT; stops after the file in hand.

        Returns 0 after a clean stop: files' return codes are in their status files and the
        journal, and a service manager must not see a requested stop as a failure. A pass that
        fails (server down, journal locked, a bug) is logged and the next poll tries again.
        """
        def stop(signum, frame):  # noqa: ARG001 - signal handler signature
            log.info("signal %s received: stopping after the file in hand", signum)
            self.stop_requested = True

        old_term = signal.signal(signal.SIGTERM, stop)
        old_int = signal.signal(signal.SIGINT, stop)
        try:
            while not self.stop_requested:
                try:
                    self.run_once()
                except (BridgeError, OSError, sqlite3.Error) as exc:
                    log.error("pass failed, will retry in %.0f s: %s", interval, exc)
                except Exception:  # noqa: BLE001 - a service keeps polling; the traceback is logged
                    log.exception("pass failed with an unexpected error, will retry in %.0f s", interval)
                deadline = time.monotonic() + interval
                while not self.stop_requested and time.monotonic() < deadline:
                    time.sleep(min(0.2, interval))
        finally:
            signal.signal(signal.SIGTERM, old_term)
            signal.signal(signal.SIGINT, old_int)
        return 0

    # -- discovery ---------------------------------------------------------------------------
    def _resumable(self):
        """Unfinished rows this run may finish: its own, and those of runs that died (adopted)."""
        if self._journal is None and not self.job.journal.exists():
            return
        for row in self.journal.unfinished():
            if row.owner == self.owner:
                yield row
            elif not owner_alive(row.owner, self._owners_dir):
                adopted = self.journal.adopt(row, self.owner)
                if adopted is not None:
                    log.info("resuming %s (state %s) left by a run that stopped", row.name, row.state)
                    yield adopted

    def _ready(self, inbox, result: RunResult):
        from bridge.transport import NameRejectedError, claimed_original, safe_name

        src = self.job.source
        entries = []
        for e in inbox.list("*"):
            try:
                safe_name(e.name)
            except NameRejectedError as exc:
                self._refuse(e.name, str(exc), result)
                continue
            entries.append(e)
        names = {e.name for e in entries}
        suffix = src.trigger_suffix
        if src.ready == "trigger":
            triggers = {e.name for e in entries if e.name.endswith(suffix)}
            orphans = [t for t in sorted(triggers) if self.job.data_for_trigger(t, names - triggers) is None]
            if orphans:
                # a data file claimed by a run (this or another) is in flight, not missing
                in_flight = {claimed_original(e.name) for e in inbox.list(".*")} - {None}
                for t in orphans:
                    if self.job.data_for_trigger(t, in_flight) is None and t not in self._reported_orphans:
                        log.warning("trigger %s has no data file: ignored", t)
                        self._reported_orphans.add(t)
                        result.orphan_triggers.append(t)
        now = time.time()
        for e in entries:
            if not fnmatch.fnmatchcase(e.name, src.pattern):
                continue
            if src.ready == "trigger" and e.name.endswith(suffix):
                continue
            refused = self._name_problem(e.name, now)
            if refused is not None:
                self._refuse(e.name, refused, result)
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

    def _refuse(self, name: str, reason: str, result: RunResult) -> None:
        """A drop whose name the job cannot carry through every stage: left alone, said once per process."""
        if name not in self._reported_names:
            log.warning("left alone: %s", reason)
            self._reported_names.add(name)
            result.refused_names.append(name)
            result.refused_reasons[name] = reason

    def _name_problem(self, name: str, now: float) -> str | None:
        """Why a dropped name cannot be taken (None when it can): checked before the claim, for every
        name the job will derive from it (output, status, trigger, ``.err``, archive), so that no
        stage after the claim can fail on a name."""
        from bridge.transport import NameRejectedError, drop_name, safe_name

        target = self.job.target
        try:
            drop_name(name)
        except NameRejectedError as exc:
            return exc.reason
        try:
            gen = 9999  # the widest {gen}
            output = output_name(target.name, name, generation=gen, now=now)
            safe_name(output, where="[target] name")
            if output.startswith("."):
                return f"no safe output name for input {name}: {output!r} would be hidden (check the [target] name)"
            row = 10 ** 9  # the widest journal row number, then the widest ".N" of _put_new/_rename_free
            derived = [f"{name}.{row}.err.99", f"{name}.{row}.dup-{row}.99"]
            if self.job.source.ready == "trigger":
                derived.append(f"{self.job.trigger_for(name)}.{row}.dup-{row}.99")
            if target.status:
                derived.append(output_name(target.status_name, name, generation=gen, now=now, output=output,
                                           key="status_name"))
            if target.trigger:
                derived.append(output_name(target.trigger_name, name, generation=gen, now=now, output=output,
                                           key="trigger_name"))
            for other in derived:
                safe_name(other)
        except NameRejectedError as exc:
            return f"no safe output name for input {name}: {exc.reason} (check the [target] name patterns)"
        return None

    def _claim(self, inbox, entry, trigger: str | None) -> FileRow | None:
        from bridge.transport import claim_name, new_token

        token = new_token()
        row = self.journal.begin(entry.name, entry.size, entry.mtime, token, claim_name(entry.name, token), trigger,
                                 owner=self.owner)
        _fault("claiming")
        claimed = inbox.claim(entry.name, token)
        if claimed is None:
            self.journal.forget(row, "another process claimed it first")
            log.info("%s was taken by another process", entry.name)
            return None
        self.journal.forget_sighting(entry.name)
        # the trigger at once, before the journal says "claimed": a run killed after that entry must
        # not find, on restart, the trigger of a new drop of the same name and take it for this one
        self._take_trigger(inbox, row)
        row = self._advance(row, "claimed")
        log.info("claimed %s (%d bytes)", entry.name, entry.size)
        return row

    # -- the steps ---------------------------------------------------------------------------
    def _finish(self, inbox, row: FileRow, result: RunResult) -> None:
        try:
            while row is not None and not row.finished:
                row = self._step(inbox, row)
        except TransportError as exc:
            if _local_resource(exc):  # the work area is full while fetching: the job's problem, not the file's
                return self._finish_stopped(row, result, f"{exc}")
            self._transfer_failed(row, result, exc)
            return
        except _LocalResource as stop:
            self._finish_stopped(row, result, stop.message)
        if row is None:
            return
        rc = row.rc or 0
        result.rc = max(result.rc, rc)
        result.processed.append((row.name, rc, row.message or ""))

    def _finish_stopped(self, row: FileRow, result: RunResult, message: str) -> None:
        log.error("%s: the pass stops at state %s, the file stays where the next run resumes it: %s",
                  row.name, row.state, message)
        result.rc = max(result.rc, RC_SEVERE)
        result.failures.append((row.name, message))
        raise _PassStopped()

    def _transfer_failed(self, row: FileRow, result: RunResult, exc: TransportError) -> None:
        # the file stays in flight (journal state kept) and the next run resumes it; the pass
        # still answers RC 12, so a scheduler running --once sees that it did not finish
        if exc.retryable:
            log.error("%s: transfer failed at state %s, will resume next run: %s", row.name, row.state, exc)
        else:
            log.error("%s: stopped at state %s and needs an operator (retrying will not help): %s",
                      row.name, row.state, exc)
        result.rc = max(result.rc, RC_SEVERE)
        result.failures.append((row.name, str(exc)))
        if exc.retryable:
            raise _PassStopped() from exc

    def _step(self, inbox, row: FileRow) -> FileRow | None:
        state = row.state
        work = self.job.work_dir / f"{row.id:08d}"
        if state == "claiming":
            if inbox.exists(row.claim_name):
                return self._advance(row, "claimed")
            self.journal.forget(row, "claim never happened")
            return None
        if state == "claimed":
            self._take_trigger(inbox, row)
            self._make_work_area(work)
            local = work / "input"
            entry, checksum = inbox.fetch_sha256(row.claim_name, local)  # hashed as it arrives
            if entry.size != row.size and self.job.source.ready == "stable":
                # stability alone proves nothing: a size that moved after it was judged stable means the
                # writer is still at work, so the file goes back under its name and waits again
                log.warning("%s grew after it was judged stable (%d -> %d bytes): not complete, given back",
                            row.name, row.size, entry.size)
                shutil.rmtree(work, ignore_errors=True)
                return self._advance(row, "giving-back", detail=f"size {row.size} -> {entry.size}")
            if entry.size != row.size:
                log.warning("%s changed size after it was ready (%d -> %d bytes)", row.name, row.size, entry.size)
            earlier = self.journal.find_done(row.name, entry.size, checksum, exclude=row.id)
            if earlier is not None and earlier.output_name:
                log.warning("%s (%s) was already processed (journal row %d): not scoring it again",
                            row.name, checksum[:12], earlier.id)
                return self._advance(row, "duplicate-fetched", checksum=checksum, size=entry.size, rc=RC_WARNING,
                                     output_name=earlier.output_name, status_name=earlier.status_name,
                                     records_in=earlier.records_in, scored=earlier.scored,
                                     rejected=earlier.rejected, report=earlier.report,
                                     message=f"duplicate of a file already delivered as {earlier.output_name}")
            return self._advance(row, "fetched", checksum=checksum, size=entry.size)
        if state == "giving-back":
            if inbox.exists(row.claim_name) and not inbox.exists(row.name):
                inbox.rename(row.claim_name, row.name, overwrite=False)
            self.journal.forget(row, "given back: still being written")
            return None
        if state == "duplicate-fetched":
            # the status says RC 4 and names the earlier output; no trigger announces that output again
            self._write_status(row, output=row.output_name, announce=False)
            self._archive(inbox, row, self.job.source.archive, suffix=f".dup-{row.id}")
            shutil.rmtree(work, ignore_errors=True)
            return self._advance(row, "duplicate")
        if state == "fetched":
            if not (work / "input").exists():
                return self._advance(row, "claimed", detail="work area lost: fetching again")
            return self._process(row, work)
        if state == "processed":
            if not (work / "output").exists():
                return self._advance(row, "fetched", detail="work area lost: processing again")
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

    def _make_work_area(self, work: Path) -> None:
        """The file's work folder, owner-only, a real folder (never a link someone left there)."""
        try:
            self.job.work_dir.mkdir(parents=True, exist_ok=True, mode=self.job.dir_mode)
            try:
                os.mkdir(work, self.job.dir_mode)
                os.chmod(work, self.job.dir_mode)  # exactly: the umask may have narrowed it
            except FileExistsError:
                pass
            st = os.lstat(work)
        except OSError as error:
            raise _LocalResource(f"work area {work}: {error.strerror or error}") from error
        if not stat.S_ISDIR(st.st_mode):
            raise JobError(f"work area {work} is not a folder (a link?); the job uses only folders it makes",
                           job=str(self.job.path))

    def _take_trigger(self, inbox, row: FileRow) -> None:
        """Consume the trigger with its data file: claim it too, so a new drop's trigger is never mistaken for it."""
        from bridge.transport import claim_name

        if row.trigger and not inbox.exists(claim_name(row.trigger, row.token)) and inbox.exists(row.trigger):
            inbox.claim(row.trigger, row.token)

    def _process(self, row: FileRow, work: Path) -> FileRow:
        local, out = work / "input", work / "output"
        started = time.monotonic()
        now = time.time()
        refused = self._unsafe_output(row, now)
        if refused is not None:
            (work / "error.txt").write_text(error_report(row.name, row.size, refused), encoding="utf-8")
            log.error("%s not processed: %s", row.name, refused)
            return self._advance(row, "rejected", rc=RC_SEVERE, message=str(refused)[:500], generation=True,
                                 status_name=lambda gen: self._status_name(row.name, row.name, gen, now))
        if row.size == 0 and local.stat().st_size == 0:
            return self._empty(row, work, now)
        try:
            outcome = self._call_processor(local, out, row.name, run_id=f"{self.job.name}-{row.id:08d}-{row.token}")
        except DATA_ERRORS as exc:
            return self._reject(row, work, exc, RC_REJECTED, now)
        except BridgeError as exc:
            if isinstance(exc.__cause__, OSError) and not isinstance(exc, DATA_ERRORS):
                raise _LocalResource(str(exc)) from exc
            return self._reject(row, work, exc, RC_SEVERE, now)
        except (OSError, MemoryError) as exc:
            # the disk is full, a local read failed, memory ran out: nothing is wrong with the file
            out.unlink(missing_ok=True)
            raise _LocalResource(f"{type(exc).__name__}: {getattr(exc, 'strerror', None) or exc}") from exc
        except Exception as exc:  # noqa: BLE001 - a bug must not stop the inbox: RC 12, traceback logged
            log.exception("%s: unexpected error while processing", row.name)
            return self._reject(row, work, exc, RC_SEVERE, now)
        log.info("%s scored in %.1f s: %d records in, %d scored, %d rejected, rc=%d", row.name,
                 time.monotonic() - started, outcome.records_in, outcome.scored, outcome.rejected, outcome.rc)
        report = dict(outcome.report or {})
        if outcome.model_id:
            report.setdefault("model_id", outcome.model_id)

        def output(gen: int) -> str:
            return output_name(self.job.target.name, row.name, generation=gen, now=now)
        return self._advance(row, "processed", rc=outcome.rc, records_in=outcome.records_in, scored=outcome.scored,
                             rejected=outcome.rejected, message=outcome.message, report=report, generation=True,
                             output_name=output,
                             status_name=lambda gen: self._status_name(row.name, output(gen), gen, now))

    def _empty(self, row: FileRow, work: Path, now: float) -> FileRow:
        """A 0-byte drop: its own outcome (``empty_input``), so the next JCL step can tell."""
        policy = self.job.empty_input
        if policy == "reject":
            return self._reject(row, work, FramingError("empty input (0 bytes); the job sets empty_input = "
                                                        "\"reject\""), RC_REJECTED, now)
        try:
            (work / "output").write_bytes(b"")
        except OSError as error:
            raise _LocalResource(f"work area {work}: {error.strerror or error}") from error
        rc = RC_WARNING if policy == "warn" else 0
        log.warning("%s is empty (0 bytes): delivered empty with rc=%d (empty_input = %s)", row.name, rc, policy)

        def output(gen: int) -> str:
            return output_name(self.job.target.name, row.name, generation=gen, now=now)
        return self._advance(row, "processed", rc=rc, records_in=0, scored=0, rejected=0, message="empty input",
                             report={}, generation=True, output_name=output,
                             status_name=lambda gen: self._status_name(row.name, output(gen), gen, now))

    def _call_processor(self, local: Path, out: Path, name: str, *, run_id: str) -> Outcome:
        """The processor, told the dropped file's name (for its log lines) and the run id (for the history,
        the same when a killed run is resumed) when it takes them."""
        import inspect

        try:
            parameters = inspect.signature(self.processor).parameters
        except (TypeError, ValueError):
            parameters = {}
        extra = {k: v for k, v in (("name", name), ("run_id", run_id)) if k in parameters}
        return self.processor(local, out, **extra)

    def _reject(self, row: FileRow, work: Path, exc: BaseException, rc: int, now: float) -> FileRow:
        # the reader names the file it read, the work-area copy: operations know the dropped name
        local = str(work / "input")
        report = error_report(row.name, row.size, exc).replace(local, row.name)
        message = str(exc).replace(local + ": ", "").replace(local, row.name)
        (work / "error.txt").write_text(report, encoding="utf-8")
        log.error("%s %s: %s", row.name, "rejected" if rc == RC_REJECTED else "not processed", message)
        return self._advance(
            row, "rejected", rc=rc, message=message[:500], generation=True,
            status_name=lambda gen: self._status_name(
                row.name, output_name(self.job.target.name, row.name, generation=gen, now=now), gen, now))

    def _unsafe_output(self, row: FileRow, now: float) -> BridgeError | None:
        """Why the job's name pattern gives this input no safe output name (None when it does)."""
        from bridge.transport import NameRejectedError, safe_name

        try:
            name = output_name(self.job.target.name, row.name, generation=self.journal.generation(), now=now)
            safe_name(name, where="[target] name")
            safe_name(self._status_name(row.name, name, 1, now) or name, where="[target] status_name")
        except NameRejectedError as exc:
            return JobError(f"no safe output name for input {row.name}: {exc.reason}", job=str(self.job.path))
        return None

    def _status_name(self, input_name: str, output: str, gen: int, now: float) -> str | None:
        if not self.job.target.status:
            return None
        return output_name(self.job.target.status_name, input_name, generation=gen, now=now, output=output,
                           key="status_name")

    @contextmanager
    def _zone(self, endpoint, folder: str | None = None) -> Iterator[DropZone]:
        """The zone on `endpoint` (or its `folder`, created if missing): the pass's shared one, else a fresh one."""
        if self._zones is not None:
            yield self._zones.open(endpoint, folder)
            return
        with _Zones() as zones:
            yield zones.open(endpoint, folder)

    def _deliver(self, row: FileRow, work: Path) -> FileRow:
        with self._zone(self.job.target.endpoint) as outbox:
            entry = outbox.put(work / "output", row.output_name, overwrite=True)
        log.info("delivered %s (%d bytes) to %s", row.output_name, entry.size, self.job.target.endpoint.path)
        return self._advance(row, "delivered")

    def _report(self, inbox, row: FileRow, work: Path) -> FileRow:
        rejected = row.state == "rejected"
        if rejected:
            err = work / "error.txt"
            text = err.read_bytes() if err.exists() else (row.message or "rejected").encode()
            with self._zone(self.job.source.endpoint, self.job.source.error) as errors:
                self._put_new(errors, text, [f"{row.name}.err", f"{row.name}.{row.id}.err"], row, work)
        self._write_status(row, output=None if rejected else row.output_name)
        return self._advance(row, "reported")

    def _put_new(self, zone, data: bytes, candidates: list[str], row: FileRow, work: Path) -> str:
        """Write `data` under the first free name of `candidates` (then ``NAME.N`` suffixes), never over
        another file; a file already there with the same bytes is this row's own earlier write."""
        from bridge.transport import TargetExistsError

        names = candidates + [f"{candidates[-1]}.{n}" for n in range(1, 100)]
        for name in names:
            try:
                zone.put_bytes(data, name, overwrite=False)
                return name
            except TargetExistsError:
                seen = work / "existing"
                try:
                    zone.fetch(name, seen)
                    same = seen.read_bytes() == data
                except (TransportError, OSError):
                    same = False
                finally:
                    seen.unlink(missing_ok=True)
                if same:
                    return name
        raise TransportError(f"no free name for {candidates[0]} after {len(names)} tries; clear out the folder",
                             where=zone.location)

    def _write_status(self, row: FileRow, output: str | None, *, announce: bool = True) -> None:
        """The status file (and the output's trigger, when the job asks for one and ``announce``);
        safe to repeat."""
        report = row.report_data
        outcome = Outcome(rc=row.rc or 0, records_in=row.records_in or 0, scored=row.scored or 0,
                          rejected=row.rejected or 0, model_id=str(report.get("model_id", "")),
                          message=row.message or "")
        want_trigger = self.job.target.trigger and output and announce
        if not row.status_name and not want_trigger:
            return
        with self._zone(self.job.target.endpoint) as outbox:
            if row.status_name:
                outbox.put_bytes(status_text(row.name, output, outcome), row.status_name, overwrite=True)
            if want_trigger:
                trg = output_name(self.job.target.trigger_name, row.name, generation=row.generation or 0,
                                  output=output, key="trigger_name")
                outbox.put_bytes(b"", trg, overwrite=True)

    def _archive(self, inbox, row: FileRow, folder: str, suffix: str = "") -> None:
        """Move the claimed input (and its claimed trigger) into ``folder`` under their own names.

        Two renames each, each checked on restart: the claimed (hidden) file moves into the
        folder, then takes back its original name there, never in the inbox, where it would
        be ready again.
        """
        from bridge.transport import claim_name

        with self._zone(self.job.source.endpoint, folder) as dest:
            if inbox.exists(row.claim_name):
                inbox.move(row.claim_name, folder, overwrite=False)
            if dest.exists(row.claim_name):
                _rename_free(dest, row.claim_name, [row.name + suffix, f"{row.name}.{row.id}{suffix}"])
            if row.trigger:
                claimed_trigger = claim_name(row.trigger, row.token)
                if inbox.exists(claimed_trigger):
                    inbox.move(claimed_trigger, folder, overwrite=False)
                if dest.exists(claimed_trigger):
                    _rename_free(dest, claimed_trigger, [row.trigger + suffix, f"{row.trigger}.{row.id}{suffix}"])

    def _advance(self, row: FileRow, state: str, **values) -> FileRow:
        _fault(f"before-{state}")  # the step's side effect is done, the journal does not know it yet
        new = self.journal.advance(row, state, **values)
        _fault(state)
        return new


class _PassStopped(Exception):
    """The pass cannot go on (the connection dropped for good, the local disk is full): the next pass resumes."""


class _LocalResource(Exception):
    """A local resource failed while a file was worked on (disk full, I/O error, out of memory):
    the job's problem, not the file's, so the file is not rejected."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _local_resource(exc: BaseException) -> bool:
    """Whether a transfer failed on a local resource (full disk, quota, read-only or failing disk)."""
    cause = exc.__cause__
    return isinstance(cause, OSError) and cause.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO)


def _rename_free(zone, src: str, candidates: list[str]) -> str:
    """Rename `src` to the first name of `candidates` (then ``NAME.N``) that is free: never over a file."""
    from bridge.transport import TargetExistsError

    names = candidates + [f"{candidates[-1]}.{n}" for n in range(1, 100)]
    for name in names:
        try:
            zone.rename(src, name, overwrite=False)
            return name
        except TargetExistsError:
            continue
    raise TransportError(f"no free name for {candidates[0]} after {len(names)} tries; clear out the folder",
                         where=zone.location)


def _check_scoring_inputs(job: Job) -> None:
    """A missing copybook or model is the job's fault, not the file's: stop before touching any file."""
    for key, path in (("copybook", job.copybook), ("model", job.model)):
        if not path.exists():
            raise JobError(f"[job] {key} = {path} does not exist; check the path (relative paths are relative "
                           "to the job file's folder)", job=str(job.path))


class _Zones:
    """The drop zones of one pass: one per folder, one connection per server, all closed at the end.

    A folder of an endpoint (archive, error) is opened with ``create=True``, as its own zone
    always was; the endpoint's own folder must exist.
    """

    def __init__(self) -> None:
        self._servers: dict[tuple[Any, ...], DropZone] = {}
        self._folders: dict[tuple[Any, ...], DropZone] = {}
        self._opened: list[DropZone] = []

    def open(self, endpoint, folder: str | None = None) -> DropZone:
        from bridge.transport import open_dropzone

        kw = endpoint.connection()
        base = kw.pop("path")
        path = base if folder is None else (
            folder if os.path.isabs(folder) or folder.startswith("/") else _join(base, folder))
        server = tuple(sorted((key, repr(value)) for key, value in kw.items()))
        key = (server, path, folder is not None)
        zone = self._folders.get(key)
        if zone is None:
            first = self._servers.get(server)
            if first is None:
                first = self._servers[server] = open_dropzone(**kw, path=base)
                self._opened.append(first)
                self._folders[(server, base, False)] = first
                if folder is None:
                    return first
            # a folder below the endpoint's (archive, error) must be a real folder: a dropper's link is refused
            relative = folder is not None and not (os.path.isabs(folder) or folder.startswith("/"))
            zone = first.open_folder(path, create=folder is not None, within=base if relative else None)
            self._opened.append(zone)
            self._folders[key] = zone
        return zone

    def close(self) -> None:
        for zone in reversed(self._opened):
            zone.close()
        self._opened.clear()
        self._folders.clear()
        self._servers.clear()

    def __enter__(self) -> _Zones:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _join(a: str, b: str) -> str:
    return b if b.startswith("/") else f"{a.rstrip('/')}/{b}" if a not in ("", ".") else b


def _fault(state: str) -> None:
    if os.environ.get("BRIDGE_FAULT_AFTER") == state:
        os.kill(os.getpid(), signal.SIGKILL)


def _scoring_processor(job: Job) -> Processor:
    def process(input_path: Path, output_path: Path, name: str | None = None, run_id: str | None = None) -> Outcome:
        from bridge.pipeline.process import score_for_job

        return score_for_job(job, input_path, output_path, name=name, run_id=run_id)
    return process
