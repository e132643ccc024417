"""`mfbridge run` and `mfbridge status`: the batch job's commands.

`mfbridge run JOB.toml --once` exits with the JCL-style return code of the pass: the highest
status among the files it processed, 0 when nothing was ready (files not yet ready do not
raise it), 12 when the job could not run (bad job file, server unreachable) or a file could
not be finished (it stays in flight and the next run resumes it). `--watch` polls until SIGTERM or Ctrl-C and stops after the file in hand.
"""
from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

import click

from bridge.pipeline.status import RC_SEVERE

__all__ = ["run_command", "status_command"]


class _JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps({"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"), "level": record.levelname.lower(),
                           "logger": record.name, "message": record.getMessage()})


def configure_logging(fmt: str, verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_JsonLines() if fmt == "json" else
                         logging.Formatter("%(asctime)s %(levelname)-7s %(message)s", "%Y-%m-%d %H:%M:%S"))
    root = logging.getLogger("bridge")
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    root.propagate = False


@click.command("run")
@click.argument("job_file", type=click.Path(dir_okay=False))
@click.option("--once", "mode", flag_value="once", default=True, help="Process what is ready, then exit (default).")
@click.option("--watch", "mode", flag_value="watch", help="Keep polling until stopped (SIGTERM/Ctrl-C).")
@click.option("--interval", type=float, default=30.0, show_default=True, help="Seconds between polls with --watch.")
@click.option("--log-format", type=click.Choice(["plain", "json"]), default=None,
              help="Log lines on standard error (default: the job's log_format).")
@click.option("-v", "--verbose", is_flag=True)
def run_command(job_file: str, mode: str, interval: float, log_format: str | None, verbose: bool) -> None:
    """Process the file drops of JOB_FILE."""
    from bridge.pipeline.job import load_job
    from bridge.pipeline.run import JobRunner

    from bridge.errors import BridgeError

    if not Path(job_file).is_file():
        # a scheduler tests the step's RC: a missing job file is JCL's "severe", not click's usage error 2
        click.echo(f"mfbridge: job file {job_file} does not exist", err=True)
        sys.exit(RC_SEVERE)
    try:
        job = load_job(job_file)
        configure_logging(log_format or job.log_format, verbose)
        runner = JobRunner(job)
    except BridgeError as exc:
        # the job could not run at all: JCL's "severe" (a broken file gets 8, from its status)
        click.echo(f"mfbridge: {exc}", err=True)
        sys.exit(RC_SEVERE)
    try:
        if mode == "watch":
            rc = runner.watch(interval)
        else:
            result = runner.run_once()
            rc = result.rc
            for name, file_rc, message in result.processed:
                click.echo(f"{name}: RC={file_rc:04d} {message}".rstrip(), err=True)
            for name, error in result.failures:
                click.echo(f"{name}: not finished, the next run resumes it: {error}", err=True)
            for name in result.orphan_triggers:
                click.echo(f"{name}: trigger without its data file, ignored", err=True)
            for name in result.refused_names:
                reason = result.refused_reasons.get(name, "")
                click.echo(f"{ascii(name)}: not a plain file name, left alone ({reason})".replace(" ()", ""), err=True)
            if not result.processed and not result.failures:
                click.echo("mfbridge: nothing ready", err=True)
    except BridgeError as exc:
        click.echo(f"mfbridge: {exc}", err=True)
        rc = RC_SEVERE
    finally:
        runner.close()
    sys.exit(rc)


@click.command("status")
@click.argument("job_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--limit", type=int, default=20, show_default=True, help="Most recent files to list.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--check", is_flag=True, help="Check the journal's integrity (exit 0 sound, 12 damaged).")
@click.option("--set-aside", is_flag=True,
              help="With --check: rename a damaged journal to JOURNAL.damaged-TIMESTAMP so the next run starts a "
                   "new one.")
def status_command(job_file: str, limit: int, as_json: bool, check: bool, set_aside: bool) -> None:
    """What the journal of JOB_FILE knows: files done, failed, in flight."""
    from bridge.errors import BridgeError
    from bridge.pipeline.job import load_job
    from bridge.pipeline.journal import Journal

    try:
        job = load_job(job_file)
    except BridgeError as exc:
        click.echo(f"mfbridge: {exc}", err=True)
        sys.exit(RC_SEVERE)
    if not job.journal.exists():
        click.echo(f"mfbridge: job {job.name} has no journal yet ({job.journal})")
        return
    if check or set_aside:
        _check_journal(job, set_aside)
        return
    try:
        with Journal(job.journal) as journal:
            rows = journal.rows(limit)
            counts = journal.counts()
    except BridgeError as exc:
        click.echo(f"mfbridge: {exc}", err=True)
        sys.exit(RC_SEVERE)
    if as_json:
        click.echo(json.dumps({"job": job.name, "counts": counts, "files": [
            {"name": r.name, "state": r.state, "rc": r.rc, "output": r.output_name, "records_in": r.records_in,
             "scored": r.scored, "message": r.message, "updated": r.updated} for r in rows]}, indent=2))
        return
    done = counts.get("done", 0)
    in_flight = sum(v for k, v in counts.items() if k not in ("done", "duplicate"))
    failed = sum(1 for r in rows if r.state == "done" and (r.rc or 0) >= 8)
    click.echo(f"job {job.name}: {done} done ({failed} of the last {len(rows)} rejected), "
               f"{counts.get('duplicate', 0)} duplicates, {in_flight} in flight")
    for r in rows:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(r.updated))
        rc = f"RC={r.rc:04d}" if r.rc is not None else "RC=----"
        click.echo(f"  {when}  {r.state:<10} {rc}  {r.name} -> {r.output_name or '-'}  {r.message or ''}".rstrip())


def _check_journal(job, set_aside: bool) -> None:
    """`status --check [--set-aside]`: SQLite's integrity check, and a damaged journal moved out of the way."""
    from bridge.pipeline.journal import Journal

    problems = Journal.check(job.journal)
    if not problems:
        click.echo(f"journal {job.journal}: sound")
        return
    click.echo(f"journal {job.journal}: damaged: {'; '.join(problems[:3])}", err=True)
    if not set_aside:
        click.echo("mfbridge: set it aside with `mfbridge status JOB --check --set-aside`; the next run starts a new "
                   "journal (files claimed but not finished stay hidden in the inbox as .NAME.claim-TOKEN: "
                   "rename them back to NAME to have them processed again)", err=True)
        sys.exit(RC_SEVERE)
    moved = Journal.set_aside(job.journal)
    click.echo(f"journal set aside as {moved}; the next run starts a new one")
