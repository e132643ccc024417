"""What each arm's model did on a run, counted batch by batch: the `arm_stats` row of the history.

An arm is a model on a set of records: the champion on the records it wrote, the challenger on
the records it wrote, and the shadow (the challenger on the records it scored but did not
write). Counts only, so a run of any size keeps a few arrays; two accumulators of the same
model add up (`ArmCounts.merge`), which is how a run that falls back turns the challenger's
arm into a shadow.

Score histogram: 20 equal bins on [0, 1] for probabilities; for a regression, 20 equal bins
between the smallest and largest prediction of the champion's first scored batch, the outer
bins open-ended (values beyond them are counted in them), shared by every arm of the run so
that the champion's and the challenger's histograms compare bin by bin.
"""
from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from bridge.rollout.history import ArmStats
from bridge.score.card import PROBABILITY_OBJECTIVES
from bridge.score.drift import FLOOR, DriftMonitor

__all__ = ["ArmCounts", "ScoreBins", "score_psi", "SCORE_BINS"]

SCORE_BINS = 20


class ScoreBins:
    """The run's score bin edges, fixed on [0, 1] for probabilities, else by the first values seen."""

    def __init__(self, probability: bool) -> None:
        self.edges: np.ndarray | None = np.linspace(0.0, 1.0, SCORE_BINS + 1) if probability else None

    @classmethod
    def for_objective(cls, objective: str) -> "ScoreBins":
        return cls(objective in PROBABILITY_OBJECTIVES)

    def counts(self, values: np.ndarray) -> np.ndarray:
        """Counts per bin of ``values`` (finite ones; the outer bins take what lies beyond them)."""
        v = values[np.isfinite(values)]
        if self.edges is None:
            if not len(v):
                return np.zeros(SCORE_BINS, dtype=np.int64)
            low, high = float(v.min()), float(v.max())
            if high <= low:
                high = low + 1.0
            self.edges = np.linspace(low, high, SCORE_BINS + 1)
        return np.histogram(np.clip(v, self.edges[0], self.edges[-1]), bins=self.edges)[0].astype(np.int64)


class ArmCounts:
    """Running counts of one model on one arm's records."""

    def __init__(self, model: Any, bins: ScoreBins) -> None:
        card = model.card
        self.model_id = card.outputs.model_id.value if card.outputs.model_id else card.model_id
        self.bins = bins
        self.records = 0
        self.scored = 0
        self.status: Counter[str] = Counter()
        self.bands: Counter[str] = Counter()
        self.reasons: Counter[str] = Counter()
        self.hist = np.zeros(SCORE_BINS, dtype=np.int64)
        self.drift = DriftMonitor(card.feature_names, card.training.distributions, None)
        self.seconds = 0.0

    def add(self, result: Any, rows: np.ndarray | None = None) -> None:
        """Count the rows ``rows`` (a boolean mask; None: all) of one batch's `ScoreResult`."""
        if rows is None:
            rows = np.ones(len(result), dtype=bool)
        n = int(np.count_nonzero(rows))
        if n == 0:
            return
        self.records += n
        scored = result.scored & rows
        self.scored += int(np.count_nonzero(scored))
        self.status.update(_counts(result.status[rows]))
        self.hist += self.bins.counts(result.probability[scored])
        if "band" in result.fields:
            self.bands.update(_counts(result.band[scored]))
        if "reasons" in result.fields:
            given = result.reasons[result.explained & rows].reshape(-1)
            self.reasons.update(_counts(given[given != ""]))
        self.drift.add(result.features[rows])

    def merge(self, other: "ArmCounts") -> "ArmCounts":
        """These counts plus ``other``'s (same model, same bins)."""
        self.records += other.records
        self.scored += other.scored
        self.status.update(other.status)
        self.bands.update(other.bands)
        self.reasons.update(other.reasons)
        self.hist += other.hist
        self.drift.merge(other.drift)
        self.seconds = max(self.seconds, other.seconds)
        return self

    def stats(self, run_id: str, arm: str, *, score_psi: float | None = None) -> ArmStats:
        """The `ArmStats` row of these counts."""
        drift = self.drift.result()["features"]
        psi = {name: (entry["psi"] if entry["records"] else None) for name, entry in drift.items()}
        for name in self.drift.names:
            psi.setdefault(name, None)
        edges = [] if self.bins.edges is None else [float(e) for e in self.bins.edges]
        return ArmStats(run_id=run_id, arm=arm, model_id=self.model_id, records=self.records, scored=self.scored,
                        status_counts=dict(sorted(self.status.items())),
                        score_hist={"edges": edges, "counts": [int(c) for c in self.hist]},
                        bands=dict(sorted(self.bands.items())), reasons=dict(sorted(self.reasons.items())),
                        psi=psi, score_psi=score_psi, seconds=round(self.seconds, 3))


def score_psi(expected: np.ndarray, actual: np.ndarray) -> float | None:
    """PSI of the ``actual`` score histogram against the ``expected`` one (None when either is empty);
    proportions floored as in `bridge.score.drift`."""
    if expected.sum() == 0 or actual.sum() == 0:
        return None
    e = np.maximum(expected / expected.sum(), FLOOR)
    a = np.maximum(actual / actual.sum(), FLOOR)
    return float(np.sum((a - e) * np.log(a / e)))


def _counts(values: np.ndarray) -> dict[str, int]:
    if len(values) == 0:
        return {}
    labels, counts = np.unique(values, return_counts=True)
    return {str(k): int(c) for k, c in zip(labels.tolist(), counts.tolist()) if str(k) != ""}
