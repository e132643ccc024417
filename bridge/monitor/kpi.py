"""Model KPIs on outcomes: AUC with its DeLong interval, KS, Gini, cut-off metrics, calibration, tests, value.

Every function takes ``labels`` (true = the bad case, the adverse outcome the model predicts)
and ``scores`` (higher = riskier) as arrays and works on whole columns with numpy: no
per-record Python, no scikit-learn at run time (the tests hold these against scikit-learn).

Decisions:

* **AUC from mid-ranks** (the Mann-Whitney statistic): a tie between a bad and a good case
  counts one half, as ``roc_auc_score`` does. Its variance is DeLong's (DeLong, DeLong &
  Clarke-Pearson 1988), computed from the structural components in the fast form of Sun & Xu
  (2014): each record's mid-rank among all records minus its mid-rank among its own class.
  The interval is the normal one, clipped to [0, 1], as pROC reports it.
* **Comparing two models** on the *same* records uses DeLong's test for correlated AUCs
  (covariance of the structural components); on *different* records (a canary routes each
  key to one arm) the two AUCs are independent and their variances add. The paired bootstrap
  (seeded) is the alternative that assumes no normality of the AUC: the scores are ranked
  once per model, so a resample's AUC is two bincounts over the drawn records (a loop per
  resample, never per record); its p-value follows
  pROC (difference over the bootstrap's standard deviation, normal) and its interval is the
  percentile one.
* **Flagged** means ``score >= cut``: a cut-off is the lowest score that is acted on, as a
  card's ``when = "score>=0.5"`` reads.
* An undefined number (precision with nothing flagged, AUC with no bad case) is ``nan``,
  never 0: a KPI is never wrong in silence.
* **Calibration** uses equal-count bins of the records sorted by score (deciles by rank), so
  every bin has records even when many scores tie; ties across a bin edge are split in a
  stable order.
* **Value** is money saved against a baseline under a cost matrix: every record gets an
  action (from its band, or from a cut-off), every (action, outcome) pair a cost; no model
  means every record gets the ``no_model`` action.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Mapping, Sequence

import numpy as np

__all__ = [
    "AucComparison",
    "AucEstimate",
    "Calibration",
    "CostMatrix",
    "CutMetrics",
    "auc",
    "auc_delong",
    "bootstrap_test",
    "calibration",
    "confusion_matrix",
    "cost",
    "cut_metrics",
    "delong_test",
    "gini",
    "ks",
    "unpaired_test",
]


def _arrays(labels: Sequence | np.ndarray, scores: Sequence | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(labels).astype(bool, copy=False)
    s = np.asarray(scores, dtype=np.float64)
    if y.shape != s.shape or y.ndim != 1:
        raise ValueError(f"labels and scores must be one column each of the same length ({y.shape} vs {s.shape})")
    if not np.isfinite(s).all():
        raise ValueError("scores must be finite: drop the records without a score first")
    return y, s


def _midranks(x: np.ndarray) -> np.ndarray:
    """1-based ranks of ``x``; tied values share the mean of their ranks."""
    n = len(x)
    order = np.argsort(x, kind="mergesort")
    xs = x[order]
    new = np.empty(n, dtype=bool)
    if n:
        new[0] = True
        np.not_equal(xs[1:], xs[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    ends = np.append(starts[1:], n)
    mid = (starts + ends + 1) / 2.0
    ranks = np.empty(n, dtype=np.float64)
    ranks[order] = mid[np.cumsum(new) - 1]
    return ranks


def auc(labels: Sequence | np.ndarray, scores: Sequence | np.ndarray) -> float:
    """Area under the ROC curve (ties count one half); ``nan`` without both a bad and a good case."""
    y, s = _arrays(labels, scores)
    m = int(y.sum())
    n = len(y) - m
    if m == 0 or n == 0:
        return math.nan
    return float((_midranks(s)[y].sum() - m * (m + 1) / 2.0) / (m * n))


def gini(labels: Sequence | np.ndarray, scores: Sequence | np.ndarray) -> float:
    """The Gini coefficient (accuracy ratio) ``2 * AUC - 1``."""
    return 2.0 * auc(labels, scores) - 1.0


def ks(labels: Sequence | np.ndarray, scores: Sequence | np.ndarray) -> float:
    """Kolmogorov-Smirnov: the largest gap between the score distributions of good and bad cases.

    Taken in the model's direction (the largest true-positive rate less false-positive rate
    over the cut-offs), so a model that ranks backwards has a KS of 0, not 1.
    """
    y, s = _arrays(labels, scores)
    m = int(y.sum())
    n = len(y) - m
    if m == 0 or n == 0:
        return math.nan
    order = np.argsort(s, kind="mergesort")
    ss, ys = s[order], y[order]
    last = np.append(ss[1:] != ss[:-1], True)  # the last record of each group of tied scores
    bad_below = np.cumsum(ys)[last] / m
    good_below = np.cumsum(~ys)[last] / n
    return float(max(np.max(good_below - bad_below), 0.0))


@dataclass(frozen=True)
class AucEstimate:
    """An AUC with its DeLong variance and interval; the structural components are kept for comparisons."""

    auc: float
    variance: float
    lo: float
    hi: float
    bad: int
    good: int
    level: float = 0.95
    v10: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False, compare=False)
    v01: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False, compare=False)

    @property
    def n(self) -> int:
        return self.bad + self.good


def _components(y: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """DeLong's structural components: V10 per bad case, V01 per good case (Sun & Xu's mid-rank form)."""
    m = int(y.sum())
    n = len(y) - m
    overall = _midranks(s)
    v10 = (overall[y] - _midranks(s[y])) / n
    v01 = 1.0 - (overall[~y] - _midranks(s[~y])) / m
    return v10, v01


def _z(level: float) -> float:
    if not 0.0 < level < 1.0:
        raise ValueError(f"a confidence level is between 0 and 1, not {level}")
    return NormalDist().inv_cdf(0.5 + level / 2.0)


def auc_delong(labels: Sequence | np.ndarray, scores: Sequence | np.ndarray, *, level: float = 0.95) -> AucEstimate:
    """The AUC with DeLong's variance and a normal interval at ``level`` (clipped to [0, 1]).

    With fewer than two bad or two good cases the variance and the interval are ``nan``.
    """
    y, s = _arrays(labels, scores)
    m = int(y.sum())
    n = len(y) - m
    if m == 0 or n == 0:
        return AucEstimate(math.nan, math.nan, math.nan, math.nan, m, n, level)
    v10, v01 = _components(y, s)
    value = float(v10.mean())
    if m < 2 or n < 2:
        return AucEstimate(value, math.nan, math.nan, math.nan, m, n, level, v10, v01)
    variance = float(v10.var(ddof=1) / m + v01.var(ddof=1) / n)
    half = _z(level) * math.sqrt(variance)
    return AucEstimate(value, variance, max(0.0, value - half), min(1.0, value + half), m, n, level, v10, v01)


@dataclass(frozen=True)
class AucComparison:
    """``difference`` = AUC(b) - AUC(a), its interval, the z statistic and the two-sided p-value."""

    auc_a: float
    auc_b: float
    difference: float
    lo: float
    hi: float
    z: float
    p: float
    method: str
    level: float = 0.95
    records: int = 0

    def significant(self, alpha: float = 0.05) -> bool:
        return bool(self.p < alpha)


def _two_sided(z: float) -> float:
    return math.erfc(abs(z) / math.sqrt(2.0)) if math.isfinite(z) else math.nan


def _compare(a: float, b: float, variance: float, level: float, method: str, records: int) -> AucComparison:
    diff = b - a
    if not (variance > 0.0 and math.isfinite(variance)):
        p = 1.0 if diff == 0.0 and variance == 0.0 else math.nan
        return AucComparison(a, b, diff, math.nan, math.nan, math.nan, p, method, level, records)
    sd = math.sqrt(variance)
    z = diff / sd
    half = _z(level) * sd
    return AucComparison(a, b, diff, diff - half, diff + half, z, _two_sided(z), method, level, records)


def delong_test(labels: Sequence | np.ndarray, scores_a: Sequence | np.ndarray, scores_b: Sequence | np.ndarray,
                *, level: float = 0.95) -> AucComparison:
    """DeLong's test of two correlated AUCs: two models scored on the same records with the same outcomes."""
    y, a = _arrays(labels, scores_a)
    _, b = _arrays(labels, scores_b)
    m = int(y.sum())
    n = len(y) - m
    if m < 2 or n < 2:
        return AucComparison(auc(y, a), auc(y, b), math.nan, math.nan, math.nan, math.nan, math.nan, "DeLong",
                             level, len(y))
    a10, a01 = _components(y, a)
    b10, b01 = _components(y, b)
    s10 = np.cov(np.vstack([a10, b10]))
    s01 = np.cov(np.vstack([a01, b01]))
    cov = s10 / m + s01 / n
    variance = float(cov[0, 0] + cov[1, 1] - 2.0 * cov[0, 1])
    return _compare(float(a10.mean()), float(b10.mean()), variance, level, "DeLong", len(y))


def unpaired_test(a: AucEstimate, b: AucEstimate, *, level: float = 0.95) -> AucComparison:
    """Two AUCs on different records (canary arms): independent, so their DeLong variances add."""
    return _compare(a.auc, b.auc, a.variance + b.variance, level, "DeLong, independent samples", a.n + b.n)


class _Ranked:
    """One model's scores as dense ranks (one rank per distinct score): computed once, so each resample's AUC
    is two bincounts over its records and a pass over the distinct scores."""

    def __init__(self, s: np.ndarray) -> None:
        _, self.rank = np.unique(s, return_inverse=True)
        self.size = int(self.rank.max()) + 1 if len(s) else 0

    def auc(self, y: np.ndarray, picks: np.ndarray) -> float:
        """AUC of the records ``picks`` (indexes, repeats allowed), ties counting one half."""
        rank, bad = self.rank[picks], y[picks]
        bad_at = np.bincount(rank[bad], minlength=self.size).astype(np.float64)
        good_at = np.bincount(rank[~bad], minlength=self.size).astype(np.float64)
        total = bad_at.sum() * good_at.sum()
        if total == 0:
            return math.nan
        good_below = np.cumsum(good_at) - good_at
        return float((bad_at * (good_below + 0.5 * good_at)).sum() / total)


def bootstrap_test(labels: Sequence | np.ndarray, scores_a: Sequence | np.ndarray, scores_b: Sequence | np.ndarray,
                   *, resamples: int = 1000, seed: int = 0, level: float = 0.95) -> AucComparison:
    """The paired bootstrap of AUC(b) - AUC(a): records resampled with replacement, the same draw for both.

    Seeded (``seed``), so a report can be reproduced. Resamples without a bad or a good case
    are left out. The interval is the percentile interval at ``level``.
    """
    y, a = _arrays(labels, scores_a)
    _, b = _arrays(labels, scores_b)
    if resamples < 2:
        raise ValueError("a bootstrap needs at least 2 resamples")
    n = len(y)
    rng = np.random.default_rng(seed)
    ranked_a, ranked_b = _Ranked(a), _Ranked(b)
    d = np.empty(resamples)
    for r in range(resamples):  # one pass per resample, each a handful of whole-column operations
        picks = rng.integers(0, n, size=n)
        d[r] = ranked_b.auc(y, picks) - ranked_a.auc(y, picks)
    d = d[np.isfinite(d)]
    base_a, base_b = auc(y, a), auc(y, b)
    if len(d) < 2:
        return AucComparison(base_a, base_b, base_b - base_a, math.nan, math.nan, math.nan, math.nan,
                             "paired bootstrap", level, n)
    sd = float(d.std(ddof=1))
    diff = base_b - base_a
    z = diff / sd if sd > 0 else (0.0 if diff == 0 else math.copysign(math.inf, diff))
    p = _two_sided(z) if math.isfinite(z) else 0.0
    tail = (1.0 - level) / 2.0
    lo, hi = np.quantile(d, [tail, 1.0 - tail])
    return AucComparison(base_a, base_b, diff, float(lo), float(hi), z, p, "paired bootstrap", level, n)


@dataclass(frozen=True)
class CutMetrics:
    """Counts and rates at each cut-off (flagged = ``score >= cut``); one array element per cut."""

    cuts: np.ndarray
    tp: np.ndarray
    fp: np.ndarray
    fn: np.ndarray
    tn: np.ndarray

    @property
    def precision(self) -> np.ndarray:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> np.ndarray:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> np.ndarray:
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def cut_metrics(labels: Sequence | np.ndarray, scores: Sequence | np.ndarray,
                cuts: Sequence[float] | np.ndarray) -> CutMetrics:
    """The confusion counts at every cut-off at once (two sorts and a binary search, not a pass per cut)."""
    y, s = _arrays(labels, scores)
    c = np.atleast_1d(np.asarray(cuts, dtype=np.float64))
    bad = np.sort(s[y])
    good = np.sort(s[~y])
    fn = np.searchsorted(bad, c, side="left")
    tn = np.searchsorted(good, c, side="left")
    return CutMetrics(c, len(bad) - fn, len(good) - tn, fn, tn)


def confusion_matrix(labels: Sequence | np.ndarray, scores: Sequence | np.ndarray, cut: float) -> np.ndarray:
    """``[[tn, fp], [fn, tp]]`` at one cut-off: rows are the outcome (good, bad), columns the decision."""
    m = cut_metrics(labels, scores, [cut])
    return np.array([[m.tn[0], m.fp[0]], [m.fn[0], m.tp[0]]], dtype=np.int64)


@dataclass(frozen=True)
class Calibration:
    """Per score bin (equal counts, lowest scores first): records, expected (mean score) and observed bad rate."""

    records: np.ndarray
    low: np.ndarray
    high: np.ndarray
    expected: np.ndarray
    observed: np.ndarray

    @property
    def gap(self) -> float:
        """The largest |observed - expected| over the bins (nan without bins)."""
        if not len(self.records):
            return math.nan
        return float(np.max(np.abs(self.observed - self.expected)))


def calibration(labels: Sequence | np.ndarray, scores: Sequence | np.ndarray, bins: int = 10) -> Calibration:
    """Expected against observed per score bin (deciles by rank with ``bins=10``); fewer bins than records
    collapse to one bin per record."""
    y, s = _arrays(labels, scores)
    n = len(s)
    k = max(1, min(bins, n))
    if n == 0:
        empty = np.empty(0)
        return Calibration(np.empty(0, dtype=np.int64), empty, empty, empty, empty)
    order = np.argsort(s, kind="mergesort")
    which = (np.arange(n) * k) // n
    ss, ys = s[order], y[order]
    count = np.bincount(which, minlength=k)
    starts = np.flatnonzero(np.append(True, which[1:] != which[:-1]))
    return Calibration(count, ss[starts], np.maximum.reduceat(ss, starts),
                       np.bincount(which, weights=ss, minlength=k) / count,
                       np.bincount(which, weights=ys.astype(np.float64), minlength=k) / count)


@dataclass(frozen=True)
class CostMatrix:
    """What each decision costs, by outcome: ``actions[name] = (cost if bad, cost if good)``.

    ``bands`` maps a band label to the action taken on it; records without a mapped band take
    the action of the ``cut``: ``flag`` at ``score >= cut``, else ``pass_``. ``no_model`` is the
    action every record would get without a model (usually accepting everyone).
    """

    actions: Mapping[str, tuple[float, float]]
    bands: Mapping[str, str] = field(default_factory=dict)
    cut: float | None = None
    flag: str = "decline"
    pass_: str = "accept"
    no_model: str = "accept"
    currency: str = ""

    @classmethod
    def simple(cls, missed_bad: float, flagged_good: float, *, cut: float | None = None,
               currency: str = "") -> "CostMatrix":
        """Two numbers: a bad case accepted costs ``missed_bad``, a good case declined ``flagged_good``."""
        return cls({"accept": (float(missed_bad), 0.0), "decline": (0.0, float(flagged_good))}, cut=cut,
                   currency=currency)

    def decisions(self, scores: np.ndarray, bands: np.ndarray | None) -> np.ndarray:
        """The action per record, as an index into ``sorted(actions)``."""
        names = sorted(self.actions)
        index = {name: i for i, name in enumerate(names)}
        out = np.full(len(scores), -1, dtype=np.int64)
        if self.cut is not None:
            out = np.where(np.asarray(scores, dtype=np.float64) >= self.cut, index[self.flag], index[self.pass_])
        if bands is not None and self.bands:
            labels = np.asarray(bands, dtype=object)
            for band, action in self.bands.items():
                out = np.where(labels == band, index[action], out)
        return out


def cost(labels: Sequence | np.ndarray, decisions: np.ndarray, matrix: CostMatrix) -> float:
    """Total cost of ``decisions`` (indexes from `CostMatrix.decisions`; -1 = no decision: nan)."""
    y = np.asarray(labels).astype(bool, copy=False)
    d = np.asarray(decisions, dtype=np.int64)
    if (d < 0).any():
        return math.nan
    names = sorted(matrix.actions)
    if_bad = np.array([matrix.actions[a][0] for a in names], dtype=np.float64)
    if_good = np.array([matrix.actions[a][1] for a in names], dtype=np.float64)
    return float(np.where(y, if_bad[d], if_good[d]).sum())
