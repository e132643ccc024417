"""The KPI numbers: equal to scikit-learn's on the same data (ties included) and to DeLong worked by hand."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics

from bridge.monitor import kpi


@st.composite
def outcomes(draw, min_size: int = 2, max_size: int = 60):
    """Labels with at least one bad and one good case, and scores on a coarse grid so that ties happen."""
    n = draw(st.integers(min_size, max_size))
    labels = draw(st.lists(st.booleans(), min_size=n, max_size=n).filter(lambda v: any(v) and not all(v)))
    scores = draw(st.lists(st.integers(0, 8), min_size=n, max_size=n))
    return np.array(labels), np.array(scores, dtype=np.float64) / 8.0


def _pairs(y, s):
    """Brute force: psi(bad i, good j) = 1 above, 1/2 tied, 0 below."""
    bad, good = s[y][:, None], s[~y][None, :]
    return (bad > good) + 0.5 * (bad == good)


@settings(max_examples=80, deadline=None)
@given(outcomes())
def test_auc_equals_scikit_learn_with_ties(data):
    y, s = data
    assert kpi.auc(y, s) == pytest.approx(metrics.roc_auc_score(y, s), abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(outcomes())
def test_gini_is_twice_the_auc_less_one(data):
    y, s = data
    assert kpi.gini(y, s) == pytest.approx(2 * metrics.roc_auc_score(y, s) - 1, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(outcomes())
def test_ks_is_the_largest_gap_between_the_roc_rates(data):
    y, s = data
    fpr, tpr, _ = metrics.roc_curve(y, s)
    assert kpi.ks(y, s) == pytest.approx(np.max(tpr - fpr), abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(outcomes(), st.lists(st.integers(-1, 9), min_size=1, max_size=3))
def test_precision_recall_f1_and_confusion_equal_scikit_learn_at_every_cut(data, cuts):
    y, s = data
    cuts = np.array(cuts, dtype=np.float64) / 8.0
    got = kpi.cut_metrics(y, s, cuts)
    for i, cut in enumerate(cuts):
        flagged = s >= cut
        want = dict(zero_division=np.nan)
        assert np.isclose(got.precision[i], metrics.precision_score(y, flagged, **want), equal_nan=True)
        assert np.isclose(got.recall[i], metrics.recall_score(y, flagged, **want), equal_nan=True)
        assert np.isclose(got.f1[i], metrics.f1_score(y, flagged, **want), equal_nan=True)
        assert kpi.confusion_matrix(y, s, cut).tolist() == \
            metrics.confusion_matrix(y, flagged, labels=[False, True]).tolist()


def test_precision_with_nothing_flagged_is_nan_not_zero():
    got = kpi.cut_metrics([True, False], [0.2, 0.1], [0.9])
    assert math.isnan(got.precision[0]) and got.recall[0] == 0.0 and got.tp[0] == 0 and got.fn[0] == 1


def test_delong_variance_equals_the_small_example_worked_by_hand():
    # bad 0.9, 0.6; good 0.7, 0.2, 0.6.  V10 = (1, 1/2); V01 = (1/2, 1, 3/4)
    # AUC = 3/4; var = var(V10)/2 + var(V01)/3 = 0.125/2 + 0.0625/3 = 1/12
    est = kpi.auc_delong([1, 1, 0, 0, 0], [0.9, 0.6, 0.7, 0.2, 0.6])
    assert est.auc == 0.75
    assert est.variance == pytest.approx(1 / 12, abs=1e-15)
    half = 1.959963984540054 * math.sqrt(1 / 12)
    assert (est.lo, est.hi) == (pytest.approx(0.75 - half), 1.0)  # the upper end is clipped to 1
    assert (est.bad, est.good) == (2, 3)


@settings(max_examples=80, deadline=None)
@given(outcomes(min_size=4))
def test_delong_components_and_variance_equal_the_pairwise_definition(data):
    y, s = data
    pairs = _pairs(y, s)
    m, n = pairs.shape
    est = kpi.auc_delong(y, s)
    assert np.allclose(est.v10, pairs.mean(axis=1)) and np.allclose(est.v01, pairs.mean(axis=0))
    if m >= 2 and n >= 2:
        want = pairs.mean(axis=1).var(ddof=1) / m + pairs.mean(axis=0).var(ddof=1) / n
        assert est.variance == pytest.approx(want, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(outcomes(min_size=6), st.randoms(use_true_random=False))
def test_delong_test_of_two_models_equals_the_pairwise_covariance(data, rnd):
    y, a = data
    b = np.array([rnd.randint(0, 8) for _ in a], dtype=np.float64) / 8.0
    pa, pb = _pairs(y, a), _pairs(y, b)
    m, n = pa.shape
    if m < 2 or n < 2:
        return
    s10 = np.cov(pa.mean(axis=1), pb.mean(axis=1))
    s01 = np.cov(pa.mean(axis=0), pb.mean(axis=0))
    var = (s10[0, 0] + s10[1, 1] - 2 * s10[0, 1]) / m + (s01[0, 0] + s01[1, 1] - 2 * s01[0, 1]) / n
    got = kpi.delong_test(y, a, b)
    assert got.difference == pytest.approx(pb.mean() - pa.mean(), abs=1e-12)
    if var > 1e-12:
        assert got.z == pytest.approx((pb.mean() - pa.mean()) / math.sqrt(var), rel=1e-9)
        assert got.p == pytest.approx(math.erfc(abs(got.z) / math.sqrt(2)), rel=1e-9)


def test_a_model_compared_with_itself_differs_by_nothing_with_p_one():
    y = np.array([1, 0, 1, 0, 0, 1, 0, 0], dtype=bool)
    s = np.array([0.9, 0.1, 0.7, 0.4, 0.3, 0.2, 0.8, 0.05])
    got = kpi.delong_test(y, s, s)
    assert got.difference == 0.0 and got.p == 1.0


def test_a_much_better_challenger_is_significant_by_delong_and_by_the_bootstrap():
    rng = np.random.default_rng(7)
    y = rng.random(2000) < 0.2
    champion = y * 0.3 + rng.random(2000)
    challenger = y * 1.0 + rng.random(2000)
    delong = kpi.delong_test(y, champion, challenger)
    boot = kpi.bootstrap_test(y, champion, challenger, resamples=300, seed=1)
    assert delong.difference > 0.15 and delong.p < 1e-6 and delong.lo > 0
    assert boot.difference == delong.difference
    assert boot.p < 1e-6 and 0 < boot.lo < delong.difference < boot.hi
    # the two methods agree on the spread of the difference
    assert (boot.hi - boot.lo) == pytest.approx(delong.hi - delong.lo, rel=0.25)


def test_the_bootstrap_is_reproducible_from_its_seed():
    rng = np.random.default_rng(3)
    y = rng.random(300) < 0.3
    a, b = rng.random(300) + y * 0.2, rng.random(300) + y * 0.3
    first = kpi.bootstrap_test(y, a, b, resamples=200, seed=42)
    assert first == kpi.bootstrap_test(y, a, b, resamples=200, seed=42)
    assert first != kpi.bootstrap_test(y, a, b, resamples=200, seed=43)


def test_the_auc_of_a_resample_equals_the_auc_of_the_resampled_records():
    rng = np.random.default_rng(5)
    y = rng.random(40) < 0.4
    s = np.round(rng.random(40) * 5) / 5
    picks = rng.integers(0, 40, size=40)
    assert kpi._Ranked(s).auc(y, picks) == pytest.approx(metrics.roc_auc_score(y[picks], s[picks]))


def test_canary_arms_on_different_records_add_their_variances():
    a = kpi.auc_delong([1, 1, 0, 0, 0], [0.9, 0.6, 0.7, 0.2, 0.6])
    b = kpi.auc_delong([1, 0, 1, 0, 0, 0], [0.8, 0.1, 0.7, 0.3, 0.75, 0.2])
    got = kpi.unpaired_test(a, b)
    assert got.difference == pytest.approx(b.auc - a.auc)
    assert got.z == pytest.approx((b.auc - a.auc) / math.sqrt(a.variance + b.variance))
    assert got.records == 11


def test_auc_without_a_bad_case_is_nan():
    assert math.isnan(kpi.auc([0, 0, 0], [0.1, 0.2, 0.3]))
    est = kpi.auc_delong([0, 0], [0.1, 0.2])
    assert math.isnan(est.auc) and math.isnan(est.lo) and est.good == 2


def test_scores_that_are_not_numbers_are_refused_with_what_to_do():
    with pytest.raises(ValueError, match="drop the records without a score"):
        kpi.auc([1, 0], [0.5, float("nan")])


@settings(max_examples=60, deadline=None)
@given(outcomes(min_size=1), st.integers(1, 12))
def test_calibration_bins_hold_every_record_once_in_score_order(data, bins):
    y, s = data
    cal = kpi.calibration(y, s, bins)
    assert cal.records.sum() == len(s) and (cal.records > 0).all()
    assert len(cal.records) == min(bins, len(s))
    assert np.all(cal.low <= cal.high) and np.all(cal.high[:-1] <= cal.low[1:])
    assert (cal.observed * cal.records).sum() == pytest.approx(y.sum())
    assert (cal.expected * cal.records).sum() == pytest.approx(s.sum())


def test_calibration_deciles_of_a_calibrated_model_match_expected_and_observed():
    rng = np.random.default_rng(11)
    p = rng.random(50_000)
    y = rng.random(50_000) < p
    cal = kpi.calibration(y, p)
    assert len(cal.records) == 10 and set(cal.records) == {5000}
    assert cal.gap < 0.03


def test_cost_of_decisions_by_band_and_by_cut():
    matrix = kpi.CostMatrix({"accept": (1000.0, 0.0), "review": (300.0, 20.0), "decline": (0.0, 150.0)},
                            bands={"A": "accept", "B": "review", "C": "decline"})
    y = np.array([True, False, True, False])
    d = matrix.decisions(np.array([0.1, 0.5, 0.9, 0.95]), np.array(["A", "B", "C", "C"], dtype=object))
    assert kpi.cost(y, d, matrix) == 1000 + 20 + 0 + 150
    simple = kpi.CostMatrix.simple(1000, 150, cut=0.5)
    assert kpi.cost(y, simple.decisions(np.array([0.1, 0.5, 0.9, 0.2]), None), simple) == 1000 + 150 + 0 + 0


def test_a_record_without_a_decision_makes_the_cost_unknown():
    matrix = kpi.CostMatrix({"accept": (1.0, 0.0)}, bands={"A": "accept"})
    d = matrix.decisions(np.array([0.1, 0.2]), np.array(["A", None], dtype=object))
    assert math.isnan(kpi.cost([True, False], d, matrix))
