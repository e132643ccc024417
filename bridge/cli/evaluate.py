"""`mfbridge evaluate`: outcomes in, KPIs out, per model, arm and period, into the job's history.

Standard output carries the evaluation in sentences (and an ``ALERT`` line per threshold of
``[monitor]`` that is crossed); the KPIs go into the history's ``kpis`` table and every
alert into its ``events``. Return codes: 0 all well, 4 a threshold crossed, 8 the outcomes
cannot be used (no field, nothing joined), 12 the history cannot be opened.
"""
from __future__ import annotations

import json
import sys
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path

import click

from bridge.cli.common import (copybook_options, load_layout, reader_kwargs, reader_options,
                               refuse_output_over_input)

__all__ = ["command"]

RC_ALERT = 4


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date YYYY-MM-DD") from None


@click.command("evaluate")
@click.argument("job_file", metavar="JOB", type=click.Path(exists=True, dir_okay=False))
@click.option("--outcomes", "outcomes", required=True, type=click.Path(exists=True, dir_okay=False),
              help="The outcome file the mainframe produced (laid out by -c).")
@copybook_options
@reader_options
@click.option("--key", required=True, help="Outcome field that holds the key the job scored by (e.g. CUST-ID).")
@click.option("--label", required=True, help="Outcome field that says whether the case went bad.")
@click.option("--bad-values", default=None, metavar="V1,V2",
              help="Label values that mean bad (default: [monitor] bad_values, else 1); every other value is good.")
@click.option("--since", callback=_date, default=None, metavar="YYYY-MM-DD", help="First run date of the period.")
@click.option("--until", callback=_date, default=None, metavar="YYYY-MM-DD", help="Last run date of the period.")
@click.option("--cut", "cuts", type=float, multiple=True,
              help="A score cut-off to report precision, recall and F1 at, beside the card's (repeatable).")
@click.option("--every", type=click.Choice(["period", "month", "week"]), default="period", show_default=True,
              help="One evaluation of the whole period, or one per calendar month or ISO week of the run dates.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), default=None,
              help="Also write the evaluation (sentences, KPI rows, alerts) as JSON to this file (0600).")
@click.option("--dry-run", is_flag=True, help="Say the KPIs but record nothing in the history.")
def command(job_file: str, outcomes: str, key: str, label: str, bad_values: str | None, since: date | None,
            until: date | None, cuts: tuple[float, ...], every: str, json_path: str | None, dry_run: bool,
            **params) -> int:
    """Judge the scores of JOB's history on OUTCOMES: AUC, KS, Gini, precision, recall, calibration, value."""
    from bridge.errors import JobError
    from bridge.monitor.evaluate import evaluate, model_views
    from bridge.monitor.outcomes import join_scores, latest_scores, read_outcomes
    from bridge.monitor.settings import history_places, load_monitor
    from bridge.pipeline.job import load_job
    from bridge.rollout.history import History, utc_now

    if since and until and since > until:
        raise click.BadParameter(f"--since {since} is after --until {until}", param_hint="--since")
    if json_path:
        refuse_output_over_input(outcomes, json_path)
        if not Path(json_path).resolve().parent.is_dir():
            raise click.BadParameter(f"the folder {Path(json_path).parent} does not exist", param_hint="--json")
    job = load_job(job_file)
    settings = load_monitor(job_file)
    bad = tuple(v.strip() for v in bad_values.split(",")) if bad_values else settings.bad_values
    if not all(bad):
        raise click.BadParameter(f"{bad_values!r} holds an empty value", param_hint="--bad-values")
    places = history_places(job)
    if not places.path.exists():
        raise JobError(f"no history at {places.path}: the job records one on every run; run it first",
                       job=job_file)
    layout = load_layout(params["copybook"], params["include"], params["dialect"], params["strict"])
    found = read_outcomes(outcomes, layout, key=key.upper(), label=label.upper(), bad_values=bad,
                          **reader_kwargs(params))
    with History.open(places.path, places.folder, retention_days=places.retention_days) as history:
        runs = history.runs()
        scores = history.scores(since)
        latest = latest_scores(scores, runs, since=since, until=until, keys=found.frame["key"])
        joined = join_scores(latest, found)
        if not len(joined):
            period = f" between {since or 'the first run'} and {until or 'the last run'}"
            raise JobError(f"none of the {len(found.frame):,} outcome keys of {outcomes} has a score in the "
                           f"history{period}; check --key ({key}) and the period", job=job_file)
        left_out = [f"{n:,} {what}" for n, what in ((found.no_key, "without a key"),
                                                    (found.no_label, "without a valid label"),
                                                    (found.repeated, "repeating a key (the last one kept)")) if n]
        click.echo(f"Outcomes {outcomes}: {found.records:,} records, {int(found.frame['bad'].sum()):,} bad "
                   f"(label {label.upper()} in {', '.join(bad)})"
                   + (f"; left out: {', '.join(left_out)}." if left_out else "."))
        views = model_views(_cards(job))
        known_kpis, stats = history.kpis(), history.arm_stats()
        alerts, written = [], []
        days = [d for d in scores.column("date").unique().to_pylist()
                if d is not None and (since is None or d >= since) and (until is None or d <= until)]
        for start, end in periods(days, every, since, until):
            part = joined if every == "period" else \
                join_scores(latest_scores(scores, runs, since=start, until=end, keys=found.frame["key"]), found)
            if not len(part):
                continue
            unmatched = len(found.frame) - int(part["key_id"].nunique())
            ev = evaluate(part, views, settings, period_start=start, period_end=end, extra_cuts=cuts,
                          unmatched_outcomes=unmatched, history_kpis=known_kpis, arm_stats=stats, runs=runs)
            for line in ev.summary():
                click.echo(line)
            alerts.extend(ev.alerts)
            rows = ev.kpi_rows(utc_now())
            written.append({"period_start": ev.period_start, "period_end": ev.period_end, "summary": ev.summary(),
                            "kpis": [asdict(r) for r in rows], "alerts": [asdict(a) for a in ev.alerts]})
            if not dry_run:
                history.record_kpis(rows)
                for alert in ev.alerts:
                    history.record_event("threshold", "ALERT " + alert.message, run_id=alert.run_id)
    if json_path:
        from bridge.report.page import write_private

        write_private(json_path, json.dumps({"job": job.name, "outcomes": str(outcomes), "evaluations": written},
                                            indent=1, allow_nan=False) + "\n")
    if alerts:
        sys.stdout.flush()
        return RC_ALERT
    return 0


def periods(days, every: str, since: date | None, until: date | None) -> list[tuple[date | None, date | None]]:
    """The periods to evaluate: the whole of [since, until], or each month or ISO week holding a run date
    (clipped to [since, until]); the latest score of a key is taken within each period."""
    if every == "period":
        return [(since, until)]
    firsts = sorted({d.replace(day=1) if every == "month" else d - timedelta(days=d.weekday()) for d in days})
    out = []
    for first in firsts:
        if every == "month":
            last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        else:
            last = first + timedelta(days=6)
        out.append((max(first, since) if since else first, min(last, until) if until else last))
    return out


def _cards(job) -> list:
    """The cards of every model the job names (its champion and challenger), those that load."""
    from bridge.errors import BridgeError
    from bridge.score.card import ModelCard

    rollout = getattr(job, "rollout", None)
    folders = [job.model, getattr(job, "shadow", None), getattr(rollout, "champion", None),
               getattr(rollout, "challenger", None)]
    cards = []
    for folder in dict.fromkeys(f for f in folders if f is not None):
        try:
            cards.append(ModelCard.load(Path(folder) / "card.toml"))
        except (BridgeError, OSError, TypeError):
            continue  # a model whose card cannot be read is evaluated with the champion's view or the defaults
    return cards
