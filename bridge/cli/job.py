"""`mfbridge job check JOB.toml`: try everything a run needs, change nothing, say what a run would do."""
from __future__ import annotations

import sys

import click

from bridge.pipeline.status import RC_SEVERE

__all__ = ["job_command"]


@click.group("job")
def job_command() -> None:
    """Commands about a job file."""


@job_command.command("check")
@click.argument("job_file", type=click.Path(dir_okay=False))
@click.option("--no-model", is_flag=True, help="Skip loading the model (faster; the run still loads it).")
def check_command(job_file: str, no_model: bool) -> None:
    """Load and validate JOB_FILE, reach each server, load the model, and say what a run would do.

    Nothing is created or changed. Exits 0 when everything is ready, 12 when a run would fail.
    """
    from bridge.pipeline.check import check_job

    result = check_job(job_file, model=not no_model)
    if result.job is not None:
        _check_monitor(result, job_file)
    for check in result.checks:
        click.echo(f"{'ok  ' if check.ok else 'FAIL'} {check.what}: {check.detail}")
    if result.job is not None and result.plan:
        click.echo("a run now would:")
        for line in result.plan:
            click.echo(f"  {line}")
    if not result.ok:
        click.echo("mfbridge: the job is not ready; a run would stop with RC 12", err=True)
        sys.exit(RC_SEVERE)


def _check_monitor(result, job_file: str) -> None:
    """The job's ``[monitor]`` section, read as `mfbridge evaluate` and `report` read it.

    A wrong key there does not stop a run (only evaluate and report read it), so it is a
    warning here, found by day rather than when the outcomes arrive.
    """
    from bridge.errors import BridgeError
    from bridge.monitor.settings import load_monitor

    try:
        settings = load_monitor(job_file)
    except BridgeError as exc:
        result.add(True, "monitor", f"WARNING {getattr(exc, 'reason', exc)}; mfbridge evaluate and report would stop")
        return
    if settings.thresholds:
        limits = ", ".join(f"{k} {v:g}" for k, v in sorted(settings.thresholds.items()))
        result.add(True, "monitor", f"thresholds for mfbridge evaluate: {limits}")
