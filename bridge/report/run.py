"""The HTML form of a scoring run's report (``mfbridge score --report``), from its JSON form.

It takes the report as the dict `bridge.score.file.score_file` returns (the same numbers the
JSON file holds) and draws what people would rather look at than read: the score
distribution, the bands, how often each reason code was given, the drift of each feature
against training, and the shadow comparison. It reads nothing from `bridge.score`, so the
report room stays above the scorer.
"""
from __future__ import annotations

import os
from typing import Any, Mapping

from bridge.report.figures import Bars, Figure, Histogram
from bridge.report.page import Page, Section, Table, write_page

__all__ = ["run_figure_ids", "run_page", "write_run_page"]


def run_page(report: Mapping[str, Any]) -> Page:
    """A page for one scoring run's report."""
    model, records, score = report["model"], report["records"], report["score"]
    page = Page(f"Scoring run: model {model['id']} version {model['version']}")

    overview = Section("Records")
    lead = (f"{records['read']:,} records read, {records['scored']:,} scored, reason codes computed for "
            f"{records['explained']:,}.")
    if report.get("source"):
        lead = f"Input {report['source']}: " + lead
    overview.blocks.append(lead)
    overview.blocks.append(Table(["status", "records"], [[k, v] for k, v in records["by_status"].items()]))
    problems = [(title, report.get(key) or {}) for title, key in
                (("invalid values", "invalid_values"), ("missing features", "missing_features"),
                 ("unknown categories", "unknown_categories"))]
    rows = [[title, name, count] for title, counts in problems for name, count in counts.items()]
    if rows:
        overview.blocks.append(Table(["what", "field", "records"], rows))
    page.sections.append(overview)

    dist = Section("Scores")
    if score.get("mean") is not None:
        dist.blocks.append(f"Mean score {score['mean']:.4f}, from {score['min']:.4f} to {score['max']:.4f}.")
    dist.blocks.extend(_figures(report))
    page.sections.append(dist)

    drift = report.get("drift") or {}
    features = drift.get("features") or {}
    if features:
        section = Section("Drift against training")
        flagged = [name for name, v in features.items() if v.get("flag")]
        section.blocks.append(
            f"PSI above {drift.get('threshold')} is flagged once a run has enough records to judge it: "
            + (", ".join(flagged) + " shifted." if flagged else "no feature shifted."))
        section.blocks.append(Table(["feature", "PSI", "flag", "records", "minimum"],
                                    [[n, v["psi"], "DRIFT" if v["flag"] else "", v["records"], v["minimum"]]
                                     for n, v in features.items()]))
        page.sections.append(section)

    shadow = report.get("shadow")
    if shadow:
        section = Section(f"Shadow: {shadow['challenger']} beside {shadow['champion']}")
        section.blocks.append(Table(["measure", "value"], [
            ["records both scored", shadow["both_scored"]],
            ["status differs", shadow["status_differs"]],
            ["mean |difference|", shadow["mean_abs_difference"]],
            ["max |difference|", shadow["max_abs_difference"]],
            ["correlation", shadow["correlation"]],
            ["same band", shadow["same_band_share"]],
        ]))
        page.sections.append(section)
    return page


def _figures(report: Mapping[str, Any]) -> list[Figure]:
    score = report["score"]
    figures: list[Figure] = []
    hist = score.get("histogram") or {}
    if hist:
        edges = [0.0] + [float(k.split("-")[1]) for k in hist]
        figures.append(Histogram("fig-score", "Scores of the scored records (probability)", edges=edges,
                                 counts=[int(v) for v in hist.values()]))
    bands = score.get("bands") or {}
    if bands:
        figures.append(Bars("fig-bands", "Records per band", labels=[k or "-" for k in bands],
                            series={"records": [float(v) for v in bands.values()]}, share=False))
    reasons = report.get("reasons") or {}
    if reasons:
        top = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:30]
        figures.append(Bars("fig-reasons", "How often each reason code was given", labels=[k for k, _ in top],
                            series={"records": [float(v) for _, v in top]}, share=False))
    features = (report.get("drift") or {}).get("features") or {}
    if features:
        figures.append(Bars("fig-drift", "PSI per feature against training", labels=list(features),
                            series={"PSI": [float(v["psi"]) for v in features.values()]}, share=False,
                            threshold=(report.get("drift") or {}).get("threshold")))
    shadow = report.get("shadow") or {}
    moves = shadow.get("bands") or {}
    if moves:
        figures.append(Bars("fig-shadow-bands", "Champion band -> challenger band", labels=list(moves),
                            series={"records": [float(v) for v in moves.values()]}, share=False))
    return figures


def run_figure_ids(report: Mapping[str, Any]) -> list[str]:
    """The ids of the figures `run_page` draws for this report."""
    return [f.id for f in _figures(report)]


def write_run_page(report: Mapping[str, Any], path: str | os.PathLike) -> None:
    """Write the page of ``report`` to ``path`` (0600, replaced whole)."""
    write_page(run_page(report), path)
