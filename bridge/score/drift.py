"""Population stability of the model's inputs and score against its training population.

PSI = sum over bins of ``(actual - expected) * ln(actual / expected)``, with proportions
floored at `FLOOR` so an empty bin does not make it infinite. Numeric features use the
training deciles' edges (a value equal to an edge falls in the lower bin), categorical
features one bin per category, and every distribution has a bin for missing values (null,
invalid or unknown category). A PSI above `THRESHOLD` (0.25, the usual "significant shift")
is flagged, but only over a sample of at least `MIN_PER_BIN` values per bin (110 for deciles
plus missing): ``n * PSI`` of a sample drawn from the training population itself is roughly
chi-square with ``bins - 1`` degrees of freedom, so on 9 records a PSI above 0.25 is the rule,
not a sign of drift (simulated: 9 records of a 10-bin distribution flag every time, 50 flag a
third of the time, 110 about 1 in 100). Below the minimum the PSI is reported, not flagged.

`DriftMonitor` accumulates bin counts batch by batch, so a run of any size keeps only counts.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from bridge.score.card import Distribution

__all__ = ["FLOOR", "MIN_PER_BIN", "THRESHOLD", "DriftMonitor", "distribution_of", "minimum_sample", "psi"]

THRESHOLD = 0.25
FLOOR = 1e-4
#: Values per bin (missing bin included) a run must count before its PSI can be flagged.
MIN_PER_BIN = 10


def minimum_sample(expected: Distribution) -> int:
    """Fewest values whose PSI against ``expected`` may be flagged: `MIN_PER_BIN` per bin."""
    bins = (len(expected.categories) if expected.categories else len(expected.edges) + 1) + 1
    return MIN_PER_BIN * bins


def _counts(expected: Distribution, values: np.ndarray, edges: np.ndarray | None = None) -> np.ndarray:
    """Counts per bin of ``values`` (float, NaN = missing); missing bin last.

    ``edges``: the distribution's edges as a float64 array, when the caller has it already.
    """
    v = np.asarray(values, dtype=np.float64)
    if expected.categories:
        nan = np.isnan(v)
        k = len(expected.categories)
        codes = v[~nan].astype(np.int64)
        inside = (codes >= 0) & (codes < k)
        counts = np.bincount(codes[inside], minlength=k).astype(np.int64)
        return np.append(counts, nan.sum() + (~inside).sum())
    if edges is None:
        edges = np.asarray(expected.edges, dtype=np.float64)
    return _binned(edges, v)


def _binned(edges: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Counts per bin (a value equal to an edge in the lower bin), missing (NaN) last.

    Why comparisons, not a search: there are a handful of edges, so counting ``v <= edge`` per
    edge (NaN compares false) is a few vectorised passes, several times cheaper than a binary
    search per value followed by a bincount. Edges out of order (a hand-edited card) keep the
    search, whose answer is then the reference.
    """
    missing = int(np.count_nonzero(np.isnan(v)))
    if edges.size > 1 and not bool(np.all(edges[1:] >= edges[:-1])):
        present = v[~np.isnan(v)]
        bins = np.searchsorted(edges, present, side="left")
        return np.append(np.bincount(bins, minlength=edges.size + 1).astype(np.int64), missing)
    at_or_below = np.fromiter((np.count_nonzero(v <= e) for e in edges), dtype=np.int64, count=edges.size)
    counts = np.diff(at_or_below, prepend=0, append=v.size - missing)
    return np.append(counts, missing)


def _psi_from_counts(expected: Distribution, counts: np.ndarray) -> float:
    total = counts.sum()
    if total == 0:
        return 0.0
    e = np.maximum(np.append(np.asarray(expected.proportions, dtype=np.float64), expected.missing), FLOOR)
    a = np.maximum(counts / total, FLOOR)
    return float(np.sum((a - e) * np.log(a / e)))


def psi(expected: Distribution, actual_values: np.ndarray) -> float:
    """PSI of ``actual_values`` (float; category codes for a categorical distribution; NaN =
    missing) against a training distribution."""
    return _psi_from_counts(expected, _counts(expected, actual_values))


def distribution_of(values: np.ndarray, *, categories: Sequence[str] = (), bins: int = 10) -> Distribution:
    """The training distribution of ``values``: deciles (or categories by code) plus missing."""
    v = np.asarray(values, dtype=np.float64)
    nan = np.isnan(v)
    n = max(len(v), 1)
    if categories:
        codes = v[~nan].astype(np.int64)
        counts = np.bincount(codes[(codes >= 0) & (codes < len(categories))], minlength=len(categories))
        return Distribution(proportions=tuple(float(c) / n for c in counts), categories=tuple(categories),
                            missing=float(nan.sum()) / n)
    present = v[~nan]
    edges: tuple[float, ...] = ()
    if len(present):
        qs = np.quantile(present, np.linspace(0, 1, bins + 1)[1:-1], method="lower")
        edges = tuple(float(x) for x in np.unique(qs))
    dist = Distribution(proportions=(), edges=edges, missing=float(nan.sum()) / n)
    counts = _counts(dist, v)[:-1]
    return Distribution(proportions=tuple(float(c) / n for c in counts), edges=edges, missing=dist.missing)


class DriftMonitor:
    """Bin counts of a run's features and score, batch by batch, against the card's training distributions."""

    def __init__(self, feature_names: Sequence[str], training: Mapping[str, Distribution],
                 score_training: Distribution | None) -> None:
        self.names = list(feature_names)
        self.training = dict(training)
        self.score_training = score_training
        self._counts: dict[str, np.ndarray] = {}
        self._score_counts: np.ndarray | None = None
        self._edges = {name: np.asarray(d.edges, dtype=np.float64) for name, d in self.training.items()}
        self._score_edges = np.asarray(score_training.edges, dtype=np.float64) if score_training else None

    def add(self, X: np.ndarray, score: np.ndarray | None = None) -> None:
        """Count one batch: ``X`` columns in feature order, ``score`` the probabilities of scored rows."""
        # one transposing copy makes every feature contiguous: comparisons on a strided
        # column of a row-major matrix cost several times more than the copy
        columns = np.ascontiguousarray(np.asarray(X, dtype=np.float64).T) if len(X) else None
        for j, name in enumerate(self.names):
            dist = self.training.get(name)
            if dist is None:
                continue
            c = _counts(dist, columns[j] if columns is not None else X[:, j], self._edges[name])
            self._counts[name] = self._counts.get(name, 0) + c
        if score is not None and self.score_training is not None:
            c = _counts(self.score_training, score, self._score_edges)
            self._score_counts = c if self._score_counts is None else self._score_counts + c

    def merge(self, other: DriftMonitor) -> None:
        """Add the bin counts of ``other`` (same features and training distributions) to this monitor's."""
        for name, counts in other._counts.items():
            self._counts[name] = self._counts.get(name, 0) + counts
        if other._score_counts is not None:
            self._score_counts = (other._score_counts.copy() if self._score_counts is None
                                  else self._score_counts + other._score_counts)

    def result(self) -> dict[str, Any]:
        """``{"features": {name: {"psi", "flag", "records", "minimum"}}, "score": {...}, "threshold": 0.25}``;
        ``flag`` is true only when ``records`` reached ``minimum`` (see `minimum_sample`)."""
        def judged(expected: Distribution, counts: np.ndarray) -> dict[str, Any]:
            value = _psi_from_counts(expected, counts)
            records, minimum = int(counts.sum()), minimum_sample(expected)
            return {"psi": round(value, 6), "flag": bool(value > THRESHOLD and records >= minimum),
                    "records": records, "minimum": minimum}

        features = {name: judged(self.training[name], counts) for name, counts in self._counts.items()}
        out: dict[str, Any] = {"threshold": THRESHOLD, "features": features, "score": None}
        if self._score_counts is not None and self.score_training is not None:
            out["score"] = judged(self.score_training, self._score_counts)
        return out
