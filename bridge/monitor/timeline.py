"""The monitoring page: a job's history over time, as one offline page of the report machinery.

What an operator and a model owner open in the morning, top to bottom: volumes and return
codes per run, the score distribution over time per arm, feature drift (PSI against training)
as a feature × run heatmap, the KPIs the evaluations recorded with their intervals, the canary
share (the setting and what the routing did), and every event (guardrails, thresholds, ramp
steps, retention). It reads only the history's tables (never the per-record Parquet), so it
stays quick however long the history is.

Decisions: the score distribution over time is drawn from each run's stored histogram as its
median with the 10th-90th percentile band (interpolated within the histogram's bins), which
needs no per-record data; PSI cells are coloured green at 0 through amber at 0.25 (the usual
"significant shift") to red at 0.5 and above; the most recent ``max_runs`` runs are drawn.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from bridge.report import Bars, Heatmap, Lines, Page, Section, Table

__all__ = ["monitoring_page", "timeline_figure_ids"]

#: PSI at which a heatmap cell is fully red (0.25, the usual "shifted", is amber)
PSI_RED = 0.5
_KPI_PLOTS = (("auc", "AUC"), ("gini", "Gini"), ("ks", "KS"), ("calibration_gap", "calibration gap"),
              ("value", "value against no model"))


def _label(run: Any) -> str:
    started = str(run.started or "")
    return started[:10] if started else str(run.run_id)


def _quantiles(hist: dict, qs: tuple[float, ...]) -> list[float | None]:
    try:
        edges = np.asarray(hist.get("edges") or [], dtype=np.float64)
        counts = np.asarray(hist.get("counts") or [], dtype=np.float64)
    except (TypeError, ValueError):
        return [None] * len(qs)  # a damaged histogram draws no point rather than stopping the page
    if edges.ndim != 1 or counts.ndim != 1 or len(edges) != len(counts) + 1 or not len(counts) \
            or not np.isfinite(edges).all() or not np.isfinite(counts).all() or (counts < 0).any() \
            or counts.sum() <= 0 or (np.diff(edges) < 0).any():
        return [None] * len(qs)
    cum = np.concatenate([[0.0], np.cumsum(counts)])
    return [float(np.interp(q * cum[-1], cum, edges)) for q in qs]


def _finite(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def monitoring_page(job_name: str, runs: pd.DataFrame, arms: pd.DataFrame, events: pd.DataFrame,
                    kpis: pd.DataFrame, *, max_runs: int = 120, thresholds: dict[str, float] | None = None) -> Page:
    """The page of a job's history (frames as `bridge.rollout.history.History` returns them); ``thresholds``
    (the job's ``[monitor]`` ones) are drawn as dashed lines on the plots they concern."""
    thresholds = thresholds or {}
    page = Page(f"Monitoring: job {job_name}")
    runs = runs.tail(max_runs).reset_index(drop=True)
    arms = arms[arms["run_id"].isin(set(runs["run_id"]))] if len(arms) else arms
    page.sections.append(_overview(runs, events, kpis))
    page.sections.append(_volumes(runs))
    page.sections.append(_scores(runs, arms))
    page.sections.append(_drift(runs, arms, thresholds.get("max_score_psi", 0.25)))
    page.sections.append(_kpis(kpis, thresholds))
    page.sections.append(_canary(runs, arms))
    page.sections.append(_events(events))
    return page


def timeline_figure_ids(page: Page) -> list[str]:
    """The ids of the figures on ``page`` (what a browser test expects to find drawn)."""
    return [f.id for f in page.figures()]


def _overview(runs: pd.DataFrame, events: pd.DataFrame, kpis: pd.DataFrame) -> Section:
    section = Section("Overview")
    if not len(runs):
        section.blocks.append("The history holds no run yet: the job records one every time it scores a file.")
        return section
    last = runs.iloc[-1]
    rc = _numbers(runs["rc"])
    failed = int((rc >= 8).sum())
    warned = int(((rc >= 4) & (rc < 8)).sum())
    fallbacks = int(runs["fallback"].notna().sum()) if "fallback" in runs else 0
    total = int(_numbers(runs["records"]).sum())
    text = (f"{len(runs):,} runs from {_label(runs.iloc[0])} to {_label(last)}, {total:,} records; {warned:,} ended "
            f"with RC 4 and {failed:,} with RC 8 or more; the challenger was set aside by a guardrail on "
            f"{fallbacks:,}. Last run {last['run_id']} ({last['mode']}, challenger share {last['share']}%): "
            f"RC {last['rc']}.")
    section.blocks.append(text)
    alerts = events[events["kind"].isin(["threshold", "alert", "guardrail"])] if len(events) else events
    if len(alerts):
        latest = alerts.iloc[-1]
        section.blocks.append(f"{len(alerts):,} guardrail or threshold events; the latest, {latest['at']}: "
                              f"{latest['message']}")
    if len(kpis):
        section.blocks.append(f"{kpis['evaluated_at'].nunique():,} evaluations on outcomes recorded, the latest "
                              f"{kpis['evaluated_at'].iloc[-1]}.")
    return section


def _volumes(runs: pd.DataFrame) -> Section:
    section = Section("Volumes and return codes per run")
    if not len(runs):
        return section
    rc = _numbers(runs["rc"])
    records = _numbers(runs["records"])
    labels = [f"{_label(r)} {r.run_id}" for r in runs.itertuples(index=False)]
    section.blocks.append(Bars("fig-volumes", "Records per run, by the run's return code", labels=labels,
                               series={"RC 8+": list(records.where(rc >= 8, 0.0)),
                                       "RC 4": list(records.where((rc >= 4) & (rc < 8), 0.0)),
                                       "RC 0": list(records.where(rc < 4, 0.0))}, share=False))
    section.blocks.append(Table(["run", "started", "file", "records", "RC", "mode", "share %", "champion",
                                 "challenger", "fallback"],
                                [[r.run_id, r.started, _text(r.file), _int(r.records), _int(r.rc), _text(r.mode),
                                  _int(r.share), _text(r.champion), _text(r.challenger), _text(r.fallback)]
                                 for r in runs.iloc[::-1].itertuples(index=False)]))
    return section


def _numbers(column: pd.Series) -> pd.Series:
    """A count column as numbers; what is not a number counts 0 (and shows empty in the tables)."""
    return pd.to_numeric(column, errors="coerce").fillna(0.0).astype(float)


def _text(v: Any) -> str | None:
    """A text cell: SQL NULL (None or NaN after pandas) shows empty."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return str(v)


def _int(v: Any) -> int | None:
    f = _finite(v)
    return None if f is None else int(f)


def _scores(runs: pd.DataFrame, arms: pd.DataFrame) -> Section:
    section = Section("Score distribution over time")
    if not len(arms):
        section.blocks.append("No run recorded its scores.")
        return section
    labels = [_label(r) for r in runs.itertuples(index=False)]
    index = {run_id: i for i, run_id in enumerate(runs["run_id"])}
    medians: dict[str, list[float | None]] = {}
    lows: dict[str, list[float | None]] = {}
    highs: dict[str, list[float | None]] = {}
    for row in arms.itertuples(index=False):
        i = index.get(row.run_id)
        if i is None:
            continue
        name = f"{row.arm} {row.model_id}"
        for store in (medians, lows, highs):
            store.setdefault(name, [None] * len(labels))
        p10, p50, p90 = _quantiles(row.score_hist if isinstance(row.score_hist, dict) else {}, (0.1, 0.5, 0.9))
        medians[name][i], lows[name][i], highs[name][i] = p50, p10, p90
    section.blocks.append("Median score of each run per arm, with the 10th to 90th percentile (from the run's "
                          "score histogram).")
    section.blocks.append(Lines("fig-scores", "Score median and 10th-90th percentile per run", labels=labels,
                                series=medians, intervals={k: (lows[k], highs[k]) for k in medians}))
    return section


def _drift(runs: pd.DataFrame, arms: pd.DataFrame, score_psi_limit: float = 0.25) -> Section:
    section = Section("Feature drift against training (PSI)")
    if not len(arms):
        return section
    order = list(runs["run_id"])
    index = {run_id: i for i, run_id in enumerate(order)}
    labels = {r.run_id: _label(r) for r in runs.itertuples(index=False)}
    cells: dict[str, list[float | None]] = {}
    tips: dict[str, list[str]] = {}
    worst: list[list[Any]] = []
    for row in arms.itertuples(index=False):
        i = index.get(row.run_id)
        if i is None:
            continue
        psi_of_run = row.psi if isinstance(row.psi, dict) else {}
        for feature, value in sorted(psi_of_run.items(), key=lambda kv: str(kv[0])):
            name = feature if row.arm == "champion" else f"{feature} ({row.arm})"
            cells.setdefault(name, [None] * len(order))
            tips.setdefault(name, [""] * len(order))
            psi = _finite(value)
            if psi is None:
                tips[name][i] = f"{labels[row.run_id]} {row.run_id}: {feature}: no baseline"
                continue
            cells[name][i] = max(0.0, 1.0 - psi / PSI_RED)
            tips[name][i] = f"{labels[row.run_id]} {row.run_id}: {feature} PSI {psi:.3f}"
            if psi >= 0.25:
                worst.append([row.run_id, row.arm, feature, round(psi, 4)])
    if not cells:
        section.blocks.append("No run recorded a PSI against training (the cards have no training distributions).")
        return section
    names = sorted(cells)
    section.blocks.append(f"One row per feature, one column per run (oldest on the left): green is stable, amber a "
                          f"PSI of 0.25 (a significant shift), red {PSI_RED} or more.")
    section.blocks.append(Heatmap("fig-psi", "PSI per feature and run", rows=names, values=[cells[n] for n in names],
                                  tips=[tips[n] for n in names]))
    if worst:
        section.blocks.append(Table(["run", "arm", "feature", "PSI"], worst[-50:]))
    score_psi = arms[arms["score_psi"].notna()] if "score_psi" in arms else arms.iloc[0:0]
    if len(score_psi):
        series: dict[str, list[float | None]] = {}
        for row in score_psi.itertuples(index=False):
            name = f"{row.arm} {row.model_id}"
            series.setdefault(name, [None] * len(order))
            if row.run_id in index:
                series[name][index[row.run_id]] = _finite(row.score_psi)
        section.blocks.append(Lines("fig-score-psi", "Challenger's scores against the champion's (PSI) per run",
                                    labels=[labels[r] for r in order], series=series, threshold=score_psi_limit,
                                    low=0.0))
    return section


#: the [monitor] threshold drawn on each KPI plot
_KPI_LIMITS = {"auc": "min_auc", "gini": "min_gini", "calibration_gap": "max_calibration_gap"}


def _kpis(kpis: pd.DataFrame, thresholds: dict[str, float] | None = None) -> Section:
    thresholds = thresholds or {}
    section = Section("KPIs on outcomes over time")
    if not len(kpis):
        section.blocks.append("No evaluation yet: mfbridge evaluate JOB --outcomes FILE ... records them when the "
                              "outcomes arrive.")
        return section
    kpis = kpis.assign(period=kpis["period_start"].fillna("") + " to " + kpis["period_end"].fillna(""),
                       who=kpis["arm"] + " " + kpis["model_id"])
    # one point per evaluation and period, in the order they were recorded
    points = kpis[["evaluated_at", "period"]].drop_duplicates().reset_index(drop=True)
    labels = [p.period for p in points.itertuples(index=False)]
    position = {(p.evaluated_at, p.period): i for i, p in enumerate(points.itertuples(index=False))}
    for metric, title in _KPI_PLOTS:
        rows = kpis[kpis["metric"] == metric]
        if not len(rows):
            continue
        series: dict[str, list[float | None]] = {}
        lows: dict[str, list[float | None]] = {}
        highs: dict[str, list[float | None]] = {}
        for row in rows.itertuples(index=False):
            for store in (series, lows, highs):
                store.setdefault(row.who, [None] * len(labels))
            i = position[(row.evaluated_at, row.period)]
            series[row.who][i], lows[row.who][i], highs[row.who][i] = (_finite(row.value), _finite(row.lo),
                                                                       _finite(row.hi))
        bounded = metric in ("auc", "ks", "calibration_gap")
        intervals = {k: (lows[k], highs[k]) for k in series if any(v is not None for v in lows[k])}
        caption = f"{title} per period" + (", with its confidence interval ([monitor] level)" if intervals else "")
        section.blocks.append(Lines(f"fig-kpi-{metric.replace('_', '-')}", caption, labels=labels, series=series,
                                    intervals=intervals, threshold=thresholds.get(_KPI_LIMITS.get(metric, "")),
                                    low=0.0 if bounded else None, high=1.0 if bounded else None))
    latest = kpis[kpis["evaluated_at"] == kpis["evaluated_at"].iloc[-1]]
    calibration = _calibration(latest)
    if calibration is not None:
        section.blocks.append(calibration)
    shown = latest[~latest["metric"].str.contains("decile|^tp@|^fp@|^fn@|^tn@", regex=True)]
    section.blocks.append(Table(["period", "arm and model", "metric", "value", "low", "high", "records"],
                                [[r.period, r.who, r.metric, _finite(r.value), _finite(r.lo), _finite(r.hi),
                                  _int(r.n)] for r in shown.itertuples(index=False)]))
    return section


def _calibration(latest: pd.DataFrame) -> Lines | None:
    """Expected against observed bad rate per score decile, from the latest evaluation (its last period)."""
    rows = latest[latest["metric"].str.match(r"(expected|observed)@decile\d+$")]
    if not len(rows):
        return None
    rows = rows[rows["period"] == rows["period"].iloc[-1]]
    deciles = sorted({int(m.split("decile")[1]) for m in rows["metric"]})
    series: dict[str, list[float | None]] = {}
    for row in rows.itertuples(index=False):
        kind, decile = row.metric.split("@decile")
        name = f"{row.who} {kind}"
        series.setdefault(name, [None] * len(deciles))
        series[name][deciles.index(int(decile))] = _finite(row.value)
    return Lines("fig-calibration", f"Calibration, {rows['period'].iloc[0]}: expected (mean score) and observed bad "
                 "rate per score decile", labels=[f"decile {d}" for d in deciles], series=dict(sorted(series.items())),
                 low=0.0)


def _canary(runs: pd.DataFrame, arms: pd.DataFrame) -> Section:
    section = Section("Canary share over time")
    if not len(runs):
        return section
    labels = [_label(r) for r in runs.itertuples(index=False)]
    setting = [_finite(v) for v in runs["share"]]
    observed: list[float | None] = [None] * len(runs)
    if len(arms):
        challenger = arms[arms["arm"] == "challenger"]
        routed = _numbers(challenger["records"]).groupby(challenger["run_id"]).sum()
        for i, r in enumerate(runs.itertuples(index=False)):
            if r.run_id in routed.index and _finite(r.records):
                observed[i] = 100.0 * float(routed[r.run_id]) / float(r.records)
    section.blocks.append("The share of records the challenger scores for real: the setting of each run and what the "
                          "routing did (records in the challenger's arm).")
    section.blocks.append(Lines("fig-share", "Challenger share per run (%)", labels=labels,
                                series={"setting": setting, "observed": observed}, low=0.0, high=100.0))
    return section


def _events(events: pd.DataFrame) -> Section:
    section = Section("Events")
    if not len(events):
        section.blocks.append("No guardrail, threshold, ramp or retention event.")
        return section
    counts = events["kind"].value_counts()
    section.blocks.append("; ".join(f"{n:,} {kind}" for kind, n in counts.items()) + ".")
    section.blocks.append(Table(["at", "kind", "run", "who", "message"],
                                [[e.at, e.kind, _text(e.run_id), _text(e.who), _text(e.message)] for e in
                                 events.iloc[::-1].itertuples(index=False)]))
    return section
