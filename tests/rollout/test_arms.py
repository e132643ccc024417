"""Arm counts: the score histogram's bins, the score PSI between two arms, counts that add up."""
from __future__ import annotations

import numpy as np
import pytest

from bridge.rollout.arms import SCORE_BINS, ScoreBins, score_psi


def test_probabilities_are_counted_in_20_equal_bins_on_0_to_1():
    bins = ScoreBins.for_objective("binary")
    counts = bins.counts(np.array([0.0, 0.04, 0.05, 0.51, 1.0, np.nan]))
    assert bins.edges.tolist() == pytest.approx(np.linspace(0, 1, 21).tolist())
    assert counts.sum() == 5 and counts[0] == 2 and counts[1] == 1 and counts[10] == 1 and counts[-1] == 1


def test_a_regression_takes_its_bins_from_the_first_values_and_counts_later_ones_beyond_them_at_the_ends():
    bins = ScoreBins.for_objective("regression")
    first = bins.counts(np.linspace(100.0, 200.0, 41))
    assert bins.edges[0] == 100.0 and bins.edges[-1] == 200.0 and first.sum() == 41
    later = bins.counts(np.array([50.0, 250.0, 150.0]))
    assert later[0] == 1 and later[-1] == 1 and later.sum() == 3
    assert len(later) == SCORE_BINS


def test_score_psi_is_zero_for_the_same_distribution_and_large_for_a_moved_one():
    a = np.array([10, 20, 30, 40] + [0] * 16)
    assert score_psi(a, a * 3) == pytest.approx(0.0)
    moved = np.array([0] * 16 + [40, 30, 20, 10])
    assert score_psi(a, moved) > 5
    assert score_psi(a, np.zeros(20)) is None
