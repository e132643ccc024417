"""`mfbridge report`: the monitoring page of a job's history, one self-contained HTML file (0600).

Reads the job's history (runs, arms, events, KPIs) and writes the page `bridge.monitor.timeline`
draws; standard output gets one line saying where it went. A job without a history yet is
an error (RC 8) rather than an empty page.
"""
from __future__ import annotations

from pathlib import Path

import click

__all__ = ["command"]


@click.command("report")
@click.argument("job_file", metavar="JOB", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False),
              help="The HTML page to write (one self-contained file, created 0600).")
@click.option("--runs", "max_runs", type=click.IntRange(min=1), default=120, show_default=True,
              help="The most recent runs to draw.")
def command(job_file: str, output: str, max_runs: int) -> None:
    """Write the monitoring page of JOB: volumes, scores over time, drift, KPIs, canary share, events."""
    from bridge.errors import JobError
    from bridge.monitor.settings import history_places, load_monitor
    from bridge.monitor.timeline import monitoring_page
    from bridge.pipeline.job import load_job
    from bridge.report import write_page
    from bridge.rollout.history import History

    if not Path(output).resolve().parent.is_dir():
        raise click.BadParameter(f"the folder {Path(output).parent} does not exist", param_hint="-o")
    job = load_job(job_file)
    thresholds = load_monitor(job_file).thresholds
    places = history_places(job)
    if not places.path.exists():
        raise JobError(f"no history at {places.path}: the job records one on every run; run it first", job=job_file)
    with History.open(places.path, places.folder, retention_days=places.retention_days) as history:
        page = monitoring_page(job.name, history.runs(), history.arm_stats(), history.events(), history.kpis(),
                               max_runs=max_runs, thresholds=thresholds)
    write_page(page, output)
    click.echo(f"Monitoring page of job {job.name} written to {output} ({len(page.figures())} figures).")
