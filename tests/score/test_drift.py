"""Drift: population stability index per feature and for the score."""
from __future__ import annotations

import numpy as np

from bridge.score.drift import THRESHOLD, DriftMonitor, distribution_of, minimum_sample, psi


def test_a_population_like_training_has_a_psi_near_zero():
    rng = np.random.default_rng(0)
    expected = distribution_of(rng.normal(size=20000))
    assert psi(expected, rng.normal(size=20000)) < 0.01


def test_a_shifted_population_is_flagged_above_a_quarter():
    rng = np.random.default_rng(1)
    expected = distribution_of(rng.normal(size=20000))
    assert psi(expected, rng.normal(loc=1.0, size=20000)) > THRESHOLD


def test_psi_matches_the_formula_on_a_hand_made_distribution():
    expected = distribution_of(np.array([1.0, 2.0, 3.0, 4.0]), bins=2)
    assert expected.edges == (2.0,) and expected.proportions == (0.5, 0.5)
    actual = np.array([1.0, 1.0, 1.0, 3.0])
    value = (0.75 - 0.5) * np.log(0.75 / 0.5) + (0.25 - 0.5) * np.log(0.25 / 0.5) + 0.0
    assert abs(psi(expected, actual) - value) < 1e-12


def test_categorical_features_are_compared_category_by_category_with_missing_apart():
    expected = distribution_of(np.array([0, 0, 1, 1, np.nan]), categories=("RT", "PR"))
    assert expected.proportions == (0.4, 0.4) and expected.missing == 0.2
    assert psi(expected, np.array([0, 0, 1, 1, np.nan])) == 0.0
    assert psi(expected, np.array([1, 1, 1, 1, 1])) > THRESHOLD


def test_the_monitor_accumulates_batches_like_one_batch():
    rng = np.random.default_rng(2)
    train = distribution_of(rng.normal(size=5000))
    X = rng.normal(loc=0.3, size=(3000, 1))
    whole = DriftMonitor(["F"], {"F": train}, train)
    whole.add(X, X[:, 0])
    parts = DriftMonitor(["F"], {"F": train}, train)
    for chunk in np.array_split(X, 7):
        parts.add(chunk, chunk[:, 0])
    assert whole.result() == parts.result()
    assert whole.result()["features"]["F"]["psi"] == round(psi(train, X[:, 0]), 6)


def test_a_nine_record_file_is_not_flagged_however_far_its_psi_issue_9():
    rng = np.random.default_rng(3)
    train = distribution_of(rng.normal(size=5000))
    monitor = DriftMonitor(["F"], {"F": train}, train)
    sample = rng.normal(size=(9, 1))
    monitor.add(sample, sample[:, 0])
    entry = monitor.result()["features"]["F"]
    assert entry["psi"] > THRESHOLD and entry["flag"] is False
    assert (entry["records"], entry["minimum"]) == (9, minimum_sample(train)) == (9, 110)


def test_a_shift_is_flagged_once_the_sample_reaches_ten_values_per_bin():
    rng = np.random.default_rng(4)
    train = distribution_of(rng.normal(size=5000))
    monitor = DriftMonitor(["F"], {"F": train}, None)
    monitor.add(rng.normal(loc=1.5, size=(110, 1)))
    assert monitor.result()["features"]["F"]["flag"] is True


def test_samples_of_the_training_population_at_the_minimum_are_seldom_flagged():
    rng = np.random.default_rng(5)
    train = distribution_of(rng.normal(size=50_000))
    n = minimum_sample(train)
    flagged = sum(psi(train, rng.normal(size=n)) > THRESHOLD for _ in range(300))
    assert flagged <= 9  # about 1 in 100 expected; 3 in 100 allowed
