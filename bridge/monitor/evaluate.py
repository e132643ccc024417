"""The evaluation: KPIs per model and arm over a period, champion against challenger, value, thresholds.

Takes the joined scores and outcomes (`bridge.monitor.outcomes`), computes every KPI with
`bridge.monitor.kpi`, turns them into ``kpis`` rows of the history, says them in sentences a
risk committee reads, and checks the ``[monitor]`` thresholds. Nothing here writes; the
command records the rows and the alert events.

Decisions:

* **Which records a comparison uses.** When the champion and the other arm scored the same
  keys (shadow, or a canary that scores every record with both models), the comparison is
  paired on those keys (DeLong for correlated AUCs, or the paired bootstrap); when the arms
  scored different keys (a routed canary), the AUCs are independent and their variances add.
* **Cut-offs**: the card's decision threshold (its reasons' ``when = "score>=X"``; 0.5 for a
  probability without one), every band boundary ("band B or worse" is flagged), and any
  ``--cut``. The history stores the model's prediction (the probability of the bad outcome),
  never the points written in the record, so a higher stored score is always riskier; a
  points card's cut and band bounds (``score<=580``, lower points = riskier) are turned into
  probabilities by inverting the scale that wrote them (`bridge.score.outputs.points_from_raw`).
* **Value** of a model = cost without a model - cost with it, on the same records; against
  the champion = the champion's cost - this model's cost, on the keys both scored (paired) or
  per record times the arm's records (routed arms).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from bridge.monitor import kpi
from bridge.monitor.settings import MonitorSettings

__all__ = ["Alert", "Evaluation", "GroupResult", "ModelView", "evaluate", "model_views"]


@dataclass(frozen=True)
class ModelView:
    """What the evaluation needs to know of a model: the score's direction, its decision cut, its bands."""

    model_id: str
    cut: float | None = None                          # the decision threshold, as a stored score
    band_cuts: tuple[tuple[str, float], ...] = ()     # ("band>=C", lowest stored score of band C or worse)
    probability: bool = True                          # the stored score is a probability (calibration applies)
    training_ks: float | None = None
    training_auc: float | None = None


def model_views(cards: Sequence[Any]) -> dict[str, ModelView]:
    """One `ModelView` per card, under the card's id and under the value its model-id field writes."""
    from bridge.score.outputs import parse_condition

    views: dict[str, ModelView] = {}
    for card in cards:
        score = card.outputs.score
        to_stored = _points_to_probability(score.points) if score is not None and score.scale == "points" \
            else (lambda v: v)
        cut = None
        when = card.outputs.reasons.when if card.outputs.reasons is not None else None
        if when:
            try:
                op, bound = parse_condition(when)
                if op in (">=", ">", "<=", "<"):
                    cut = to_stored(float(bound))
            except ValueError:
                cut = None
        probability = card.objective in ("binary", "cross_entropy")
        if cut is None and probability:
            cut = 0.5
        uppers = [(b.label, float(b.upper)) for b in card.outputs.band.bands] if card.outputs.band else []
        if score is not None and score.scale == "points":
            # lower points are riskier: "band L or worse" holds every score at or below L's upper bound
            band_cuts = tuple((f"band<={label}", to_stored(upper)) for label, upper in uppers[:-1])
        else:
            # "band L or worse" holds every score above the previous band's upper bound
            band_cuts = tuple((f"band>={label}", float(np.nextafter(upper, np.inf)))
                              for (_, upper), (label, _) in zip(uppers[:-1], uppers[1:]))
        metrics = card.training.metrics or {}

        def metric(name: str) -> float | None:
            value = metrics.get(name)
            return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None

        view = ModelView(card.model_id, cut, band_cuts, probability, metric("ks"), metric("auc"))
        names = {card.model_id, f"{card.model_id}-{card.version}", f"{card.model_id} {card.version}"}
        if card.outputs.model_id is not None:
            names.add(card.outputs.model_id.value.strip())
        for name in names:
            views.setdefault(name, view)
    return views


def _points_to_probability(scale: Any):
    """Points → the probability of the bad outcome they stand for: the inverse of
    `bridge.score.outputs.points_from_raw`, the formula that wrote them, with ``raw = logit(p)``."""
    base_points = getattr(scale, "base_points", 600.0)
    base_odds = getattr(scale, "base_odds", 50.0)
    pdo = getattr(scale, "pdo", 20.0)

    def convert(points: float) -> float:
        raw = -math.log(base_odds) - (points - base_points) * math.log(2.0) / pdo
        if raw >= 0:
            return 1.0 / (1.0 + math.exp(-raw))
        return math.exp(raw) / (1.0 + math.exp(raw))  # no overflow far below the base points
    return convert


@dataclass
class GroupResult:
    """The KPIs of one model and arm on the period."""

    model_id: str
    arm: str
    records: int
    bad: int
    auc: kpi.AucEstimate
    ks: float
    cuts: dict[str, dict[str, float]]
    calibration: kpi.Calibration | None
    cost: float | None = None
    no_model_cost: float | None = None
    versus_champion: kpi.AucComparison | None = None
    value_vs_champion: float | None = None

    @property
    def gini(self) -> float:
        return 2 * self.auc.auc - 1


@dataclass(frozen=True)
class Alert:
    """A threshold crossed: the key, what was measured, the limit and the sentence."""

    key: str
    model_id: str
    arm: str
    value: float
    limit: float
    message: str
    run_id: str | None = None


@dataclass
class Evaluation:
    period_start: str
    period_end: str
    groups: list[GroupResult] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    joined: int = 0
    unmatched_outcomes: int = 0
    currency: str = ""
    level: float = 0.95

    def kpi_rows(self, evaluated_at: str) -> list:
        """The ``kpis`` rows of this evaluation (`bridge.rollout.history.KpiRow`)."""
        from bridge.rollout.history import KpiRow

        rows: list[KpiRow] = []

        def add(g: GroupResult, metric: str, value: float | None, lo: float | None = None,
                hi: float | None = None, n: int | None = None) -> None:
            rows.append(KpiRow(evaluated_at, self.period_start, self.period_end, g.model_id, g.arm, metric,
                               _finite(value), _finite(lo), _finite(hi), g.records if n is None else n))

        for g in self.groups:
            add(g, "records", g.records)
            add(g, "bad_rate", g.bad / g.records if g.records else None)
            add(g, "auc", g.auc.auc, g.auc.lo, g.auc.hi)
            add(g, "gini", g.gini, 2 * g.auc.lo - 1, 2 * g.auc.hi - 1)
            add(g, "ks", g.ks)
            for name, at in g.cuts.items():
                for metric in ("precision", "recall", "f1", "tp", "fp", "fn", "tn"):
                    add(g, f"{metric}@{name}", at[metric])
            if g.calibration is not None:
                add(g, "calibration_gap", g.calibration.gap)
                for i in range(len(g.calibration.records)):
                    n = int(g.calibration.records[i])
                    add(g, f"expected@decile{i + 1}", g.calibration.expected[i], n=n)
                    add(g, f"observed@decile{i + 1}", g.calibration.observed[i], n=n)
            if g.cost is not None:
                add(g, "cost", g.cost)
                add(g, "value", None if g.no_model_cost is None else g.no_model_cost - g.cost)
            if g.value_vs_champion is not None:
                add(g, "value_vs_champion", g.value_vs_champion)
            c = g.versus_champion
            if c is not None:
                add(g, "auc_difference", c.difference, c.lo, c.hi, c.records)
                add(g, "auc_difference_p", c.p, n=c.records)
        return rows

    def summary(self) -> list[str]:
        """The evaluation in sentences."""
        lines = [f"Period {self.period_start} to {self.period_end}: {self.joined:,} scores with an outcome"
                 + (f"; {self.unmatched_outcomes:,} outcomes had no score in the period." if self.unmatched_outcomes
                    else ".")]
        pct = f"{self.level:.0%}"
        for g in self.groups:
            who = _who(g)
            if math.isnan(g.auc.auc):
                lines.append(f"{who}: {g.records:,} records, {g.bad:,} bad: AUC cannot be computed without both "
                             "bad and good cases.")
                continue
            lines.append(f"{who}: {g.records:,} records, {g.bad:,} bad ({g.bad / g.records:.1%}); AUC "
                         f"{g.auc.auc:.3f} ({pct} CI {_f(g.auc.lo)} to {_f(g.auc.hi)}), Gini {g.gini:.3f}, "
                         f"KS {g.ks:.3f}.")
            for name, at in g.cuts.items():
                lines.append(f"  at {name}: precision {_f(at['precision'])}, recall {_f(at['recall'])}, "
                             f"F1 {_f(at['f1'])} (flagged {int(at['tp'] + at['fp']):,}: {int(at['tp']):,} bad, "
                             f"{int(at['fp']):,} good; missed {int(at['fn']):,} bad).")
            if g.calibration is not None and len(g.calibration.records):
                lines.append(f"  calibration: largest gap between expected and observed bad rate over the score "
                             f"deciles {g.calibration.gap:.3f}.")
            if g.cost is not None and g.no_model_cost is not None:
                lines.append(f"  value against no model: {_money(g.no_model_cost - g.cost, self.currency)} "
                             f"(cost {_money(g.cost, self.currency)} instead of "
                             f"{_money(g.no_model_cost, self.currency)}).")
            c = g.versus_champion
            if c is not None:
                lines.append("  " + _comparison_words(g, c))
                if g.value_vs_champion is not None:
                    more = "more" if g.value_vs_champion >= 0 else "less"
                    lines.append(f"  value against the champion: {_money(abs(g.value_vs_champion), self.currency)} "
                                 f"{more} on the period.")
        for alert in self.alerts:
            lines.append(f"ALERT {alert.message}")
        return lines


def _finite(value: Any) -> float | None:
    """A number, or None for a missing, non-numeric or infinite one (a history row is never trusted blindly)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _f(value: float) -> str:
    return "n/a" if value is None or not math.isfinite(value) else f"{value:.3f}"


def _money(value: float, currency: str) -> str:
    return f"{value:,.0f}{' ' + currency if currency else ''}"


def _who(g: GroupResult) -> str:
    return f"The {g.arm} ({g.model_id})"


def _comparison_words(g: GroupResult, c: kpi.AucComparison) -> str:
    if not math.isfinite(c.difference):
        return "against the champion: no comparison (too few bad or good cases)."
    direction = "higher" if c.difference > 0 else "lower" if c.difference < 0 else "no different"
    amount = f"{abs(c.difference):.3f} {direction}" if c.difference else "no different"
    basis = ("on the same " if "independent" not in c.method and "bootstrap" not in c.method else "on ") \
        + f"{c.records:,} records"
    text = (f"The {g.arm}'s AUC is {amount} than the champion's ({c.auc_b:.3f} against {c.auc_a:.3f}; "
            f"{c.level:.0%} CI of the difference {_f(c.lo)} to {_f(c.hi)}), p {_p(c.p)} ({c.method}, {basis})")
    if not math.isfinite(c.p):
        return text + ": significance cannot be judged."
    return text + (": significant at 5%." if c.p < 0.05 else ": not significant at 5%.")


def _p(p: float) -> str:
    if not math.isfinite(p):
        return "= n/a"
    return "< 0.001" if p < 0.001 else f"= {p:.3f}"


def _cuts(view: ModelView, extra: Sequence[float]) -> dict[str, float]:
    """Named cut-offs as stored scores (flagged = score >= value)."""
    out: dict[str, float] = {}
    if view.cut is not None:
        out[f"{view.cut:g}"] = view.cut
    for cut in extra:
        out[f"{cut:g}"] = cut
    out.update(view.band_cuts)
    return out


def _view(views: Mapping[str, ModelView], model_id: str, champion: str | None) -> ModelView:
    """A model's view; a model without a card borrows the champion's (it writes the same fields)."""
    if model_id in views:
        return views[model_id]
    if champion is not None and champion in views:
        return replace(views[champion], model_id=model_id, training_ks=None, training_auc=None)
    return ModelView(model_id)


def _group(joined: pd.DataFrame, view: ModelView, settings: MonitorSettings, extra_cuts: Sequence[float],
           model_id: str, arm: str) -> GroupResult:
    y = joined["bad"].to_numpy(dtype=bool)
    risk = joined["score"].to_numpy(dtype=np.float64)
    cuts = _cuts(view, extra_cuts)
    seen: set[float] = set()
    cuts = {name: c for name, c in cuts.items() if not (c in seen or seen.add(c))}  # one name per cut-off
    at = kpi.cut_metrics(y, risk, list(cuts.values()))
    named = {name: {"precision": float(at.precision[i]), "recall": float(at.recall[i]), "f1": float(at.f1[i]),
                    "tp": float(at.tp[i]), "fp": float(at.fp[i]), "fn": float(at.fn[i]), "tn": float(at.tn[i])}
             for i, name in enumerate(cuts)}
    probability = view.probability and bool(len(risk)) and float(risk.min()) >= 0.0 and float(risk.max()) <= 1.0
    calibration = kpi.calibration(y, risk) if probability else None
    result = GroupResult(model_id, arm, len(y), int(y.sum()), kpi.auc_delong(y, risk, level=settings.level),
                         kpi.ks(y, risk), named, calibration)
    matrix = settings.costs
    if matrix is not None:
        matrix = _with_cut(matrix, view)
        bands = joined["band"].to_numpy(dtype=object) if "band" in joined else None
        result.cost = _cost(y, joined["score"].to_numpy(dtype=np.float64), bands, matrix, view)
        names = sorted(matrix.actions)
        result.no_model_cost = kpi.cost(y, np.full(len(y), names.index(matrix.no_model)), matrix)
    return result


def _with_cut(matrix: kpi.CostMatrix, view: ModelView) -> kpi.CostMatrix:
    if matrix.cut is not None or matrix.bands or view.cut is None:
        return matrix
    return replace(matrix, cut=view.cut)


def _cost(y: np.ndarray, scores: np.ndarray, bands: np.ndarray | None, matrix: kpi.CostMatrix,
          view: ModelView) -> float:
    return kpi.cost(y, matrix.decisions(scores, bands), matrix)


def evaluate(joined: pd.DataFrame, views: Mapping[str, ModelView], settings: MonitorSettings, *,
             period_start: date | None = None, period_end: date | None = None,
             extra_cuts: Sequence[float] = (), unmatched_outcomes: int = 0,
             history_kpis: pd.DataFrame | None = None, arm_stats: pd.DataFrame | None = None,
             runs: pd.DataFrame | None = None) -> Evaluation:
    """Every KPI of every (model, arm) in ``joined`` (columns key, score, band, model_id, arm, date, bad)."""
    start = period_start or (min(joined["date"]) if len(joined) else None)
    end = period_end or (max(joined["date"]) if len(joined) else None)
    ev = Evaluation(str(start) if start else "", str(end) if end else "", joined=len(joined),
                    unmatched_outcomes=unmatched_outcomes,
                    currency=settings.costs.currency if settings.costs else "", level=settings.level)
    order = {"champion": 0, "challenger": 1, "shadow": 2}
    keys = sorted(joined.groupby(["model_id", "arm"]).size().items(),
                  key=lambda kv: (order.get(kv[0][1], 9), -kv[1], kv[0][0]))
    frames: dict[tuple[str, str], pd.DataFrame] = {}
    champion_id = next((m for (m, arm), _ in keys if arm == "champion"), None)
    views = {m: _view(views, m, champion_id) for (m, _), _ in keys}
    for (model_id, arm), _ in keys:
        part = joined[(joined["model_id"] == model_id) & (joined["arm"] == arm)]
        frames[(model_id, arm)] = part
        view = views[model_id]
        ev.groups.append(_group(part, view, settings, extra_cuts, model_id, arm))
    champion = next((g for g in ev.groups if g.arm == "champion"), None)
    if champion is not None:
        base = frames[(champion.model_id, champion.arm)]
        base_view = views[champion.model_id]
        for g in ev.groups:
            if g is champion or g.arm == "champion":
                continue
            other = frames[(g.model_id, g.arm)]
            view = views[g.model_id]
            g.versus_champion, g.value_vs_champion = _versus(base, base_view, champion, other, view, g, settings)
    ev.alerts = _alerts(ev, settings, views, history_kpis, arm_stats, runs, start, end)
    return ev


def _versus(base: pd.DataFrame, base_view: ModelView, champion: GroupResult, other: pd.DataFrame,
            view: ModelView, g: GroupResult, settings: MonitorSettings
            ) -> tuple[kpi.AucComparison, float | None]:
    on = "key_id" if "key_id" in base and "key_id" in other else "key"  # integer codes join far faster
    both = base[[on, "score", "band", "bad"]].merge(other[[on, "score", "band"]], on=on, suffixes=("_a", "_b"))
    y = both["bad"].to_numpy(dtype=bool)
    paired = int(y.sum()) >= 2 and int((~y).sum()) >= 2
    value = None
    if paired:
        a = both["score_a"].to_numpy(dtype=np.float64)
        b = both["score_b"].to_numpy(dtype=np.float64)
        if settings.test == "bootstrap":
            comparison = kpi.bootstrap_test(y, a, b, resamples=settings.resamples, seed=settings.seed,
                                            level=settings.level)
        else:
            comparison = kpi.delong_test(y, a, b, level=settings.level)
        if settings.costs is not None:
            cost_a = _cost(y, both["score_a"].to_numpy(dtype=np.float64), both["band_a"].to_numpy(dtype=object),
                           _with_cut(settings.costs, base_view), base_view)
            cost_b = _cost(y, both["score_b"].to_numpy(dtype=np.float64), both["band_b"].to_numpy(dtype=object),
                           _with_cut(settings.costs, view), view)
            value = cost_a - cost_b
        return comparison, value
    comparison = kpi.unpaired_test(champion.auc, g.auc, level=settings.level)
    if champion.cost is not None and g.cost is not None and champion.records and g.records:
        value = (champion.cost / champion.records - g.cost / g.records) * g.records
    return comparison, value


def _alerts(ev: Evaluation, settings: MonitorSettings, views: Mapping[str, ModelView],
            history_kpis: pd.DataFrame | None, arm_stats: pd.DataFrame | None, runs: pd.DataFrame | None,
            start: Any, end: Any) -> list[Alert]:
    t = settings.thresholds
    alerts: list[Alert] = []
    for g in ev.groups:
        who = f"{g.arm} {g.model_id}"
        if "min_auc" in t and math.isfinite(g.auc.auc) and g.auc.auc < t["min_auc"]:
            alerts.append(Alert("min_auc", g.model_id, g.arm, g.auc.auc, t["min_auc"],
                                f"min_auc: the {who} has an AUC of {g.auc.auc:.3f} on {ev.period_start} to "
                                f"{ev.period_end}, below {t['min_auc']:g}"))
        if "min_gini" in t and math.isfinite(g.gini) and g.gini < t["min_gini"]:
            alerts.append(Alert("min_gini", g.model_id, g.arm, g.gini, t["min_gini"],
                                f"min_gini: the {who} has a Gini of {g.gini:.3f}, below {t['min_gini']:g}"))
        if "max_ks_drop" in t and math.isfinite(g.ks):
            view = views.get(g.model_id)
            reference, source = (view.training_ks, "training") if view and view.training_ks is not None else \
                (_first_kpi(history_kpis, g.model_id, g.arm, "ks"), "its first evaluation")
            if reference is not None and reference - g.ks > t["max_ks_drop"]:
                alerts.append(Alert("max_ks_drop", g.model_id, g.arm, reference - g.ks, t["max_ks_drop"],
                                    f"max_ks_drop: the {who}'s KS fell from {reference:.3f} ({source}) to "
                                    f"{g.ks:.3f}, a drop of {reference - g.ks:.3f}, more than {t['max_ks_drop']:g}"))
        if "max_calibration_gap" in t and g.calibration is not None and g.calibration.gap > t["max_calibration_gap"]:
            alerts.append(Alert("max_calibration_gap", g.model_id, g.arm, g.calibration.gap,
                                t["max_calibration_gap"],
                                f"max_calibration_gap: the {who}'s observed bad rate differs from the expected by "
                                f"{g.calibration.gap:.3f} in a score decile, more than {t['max_calibration_gap']:g}"))
    if arm_stats is not None and len(arm_stats) and ("max_psi" in t or "max_score_psi" in t):
        stats = _in_period(arm_stats, runs, start, end)
        for row in stats.itertuples(index=False):
            if "max_psi" in t:
                psi = {str(k): f for k, f in ((k, _finite(v)) for k, v in _mapping(row.psi).items())
                       if f is not None}
                worst = max(psi.items(), key=lambda kv: kv[1], default=None)
                if worst is not None and worst[1] > t["max_psi"]:
                    alerts.append(Alert("max_psi", row.model_id, row.arm, worst[1], t["max_psi"],
                                        f"max_psi: run {row.run_id}: feature {worst[0]} has a PSI of {worst[1]:.3f} "
                                        f"against training under the {row.arm} {row.model_id}, above "
                                        f"{t['max_psi']:g}", run_id=row.run_id))
            score_psi = _finite(row.score_psi)
            if "max_score_psi" in t and score_psi is not None \
                    and score_psi > t["max_score_psi"]:
                alerts.append(Alert("max_score_psi", row.model_id, row.arm, score_psi, t["max_score_psi"],
                                    f"max_score_psi: run {row.run_id}: the {row.arm} {row.model_id}'s scores depart "
                                    f"from the champion's by a PSI of {score_psi:.3f}, above {t['max_score_psi']:g}",
                                    run_id=row.run_id))
    return alerts


def _first_kpi(history_kpis: pd.DataFrame | None, model_id: str, arm: str, metric: str) -> float | None:
    if history_kpis is None or not len(history_kpis):
        return None
    rows = history_kpis[(history_kpis["model_id"] == model_id) & (history_kpis["arm"] == arm)
                        & (history_kpis["metric"] == metric) & history_kpis["value"].notna()]
    return float(rows["value"].iloc[0]) if len(rows) else None


def _in_period(arm_stats: pd.DataFrame, runs: pd.DataFrame | None, start: Any, end: Any) -> pd.DataFrame:
    if runs is None or not len(runs) or start is None:
        return arm_stats
    day = runs.set_index("run_id")["started"].str.slice(0, 10)
    days = arm_stats["run_id"].map(day)
    keep = (days >= str(start)) & (days <= str(end))
    return arm_stats[keep.fillna(False).astype(bool)]
