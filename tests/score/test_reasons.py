"""Exact reason codes: TreeShap equals LightGBM's pred_contrib, and codes equal an independent ranking."""
from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridge.score import reasons as reasons_module
from bridge.score.reasons import TreeShap, rank_reasons, reason_codes


def _data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6))
    X[rng.random(n) < 0.1, 0] = np.nan
    X[:, 2] = rng.integers(0, 12, n)
    X[rng.random(n) < 0.05, 2] = np.nan
    X[rng.random(n) < 0.2, 3] = 0.0
    y = ((X[:, 1] + np.isin(X[:, 2], [3, 5, 7]) + np.nan_to_num(X[:, 0]) * X[:, 4] + (X[:, 3] == 0)) > 0.8)
    return X, y.astype(int)


def _scoring_rows(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6))
    X[rng.random(n) < 0.2, 0] = np.nan
    X[:, 2] = rng.integers(-2, 15, n)            # unseen and negative categories
    X[rng.random(n) < 0.1, 2] = np.nan
    X[:5, 2] = -0.5                              # truncates to category 0, as C++ does
    X[rng.random(n) < 0.3, 3] = 0.0
    X[rng.random(n) < 0.05, 4] = np.nan          # NaN where training had none
    X[:3, 5] = 1e-40                             # LightGBM reads |x| <= 1e-35 as zero
    return X


MODELS = {
    "numeric and categorical, NaN missing": dict(num_leaves=31),
    "zero as missing": dict(num_leaves=15, zero_as_missing=True),
    "deep trees, many-category splits": dict(num_leaves=63, min_data_in_leaf=3, max_cat_to_onehot=2),
    "missing handling off": dict(num_leaves=20, use_missing=False),
    "one-hot categories, bagging": dict(num_leaves=10, max_cat_to_onehot=16, bagging_fraction=0.7,
                                        bagging_freq=1),
}


@pytest.fixture(scope="module", params=list(MODELS), ids=list(MODELS))
def booster(request) -> lgb.Booster:
    X, y = _data(3000, 0)
    params = {"objective": "binary", "verbose": -1, "seed": 3, "num_threads": 1, **MODELS[request.param]}
    return lgb.train(params, lgb.Dataset(X, y, categorical_feature=[2]), num_boost_round=30)


def test_contributions_equal_lightgbm_pred_contrib(booster):
    X = _scoring_rows(1500, 9)
    shap = TreeShap.from_booster(booster)
    assert not shap.uses_lightgbm
    np.testing.assert_allclose(shap.contributions(X), booster.predict(X, pred_contrib=True), rtol=0, atol=1e-9)


def test_contributions_sum_to_the_raw_score(booster):
    X = _scoring_rows(300, 4)
    total = TreeShap.from_booster(booster).contributions(X).sum(axis=1)
    np.testing.assert_allclose(total, booster.predict(X, raw_score=True), atol=1e-9)


def _independent_codes(contrib: np.ndarray, codes: list[str], n: int) -> list[list[str]]:
    out = []
    for row in contrib:
        ranked = sorted(range(len(codes)), key=lambda j: (-row[j], j))
        picked: list[str] = []
        for j in ranked:
            if row[j] > 0 and codes[j] and codes[j] not in picked and len(picked) < n:
                picked.append(codes[j])
        out.append(picked + [""] * (n - len(picked)))
    return out


def test_reason_codes_equal_an_independent_ranking_of_pred_contrib(booster):
    X = _scoring_rows(1000, 11)
    codes = ["A0", "A1", "A2", "A3", "A4", "A5"]
    table = dict(zip(booster.feature_name(), codes))
    got = reason_codes(booster, X, None, table, 4)
    expected = _independent_codes(booster.predict(X, pred_contrib=True), codes, 4)
    assert got.tolist() == expected


def test_only_rows_the_condition_selects_get_reason_codes(booster):
    X = _scoring_rows(200, 12)
    mask = np.zeros(200, dtype=bool)
    mask[::3] = True
    table = {name: f"R{i}" for i, name in enumerate(booster.feature_name())}
    got = reason_codes(booster, X, mask, table, 3)
    assert (got[~mask] == "").all()
    assert got[mask].tolist() == reason_codes(booster, X[mask], None, table, 3).tolist()


def test_ties_are_broken_by_feature_order_in_the_model():
    contrib = np.array([[0.5, 0.5, 0.9, 0.5, 0.0]])
    assert rank_reasons(contrib, ["F0", "F1", "F2", "F3"], 3).tolist() == [["F2", "F0", "F1"]]


def test_slots_stay_blank_when_fewer_features_push_toward_the_adverse_class():
    contrib = np.array([[-0.2, 0.3, 0.0, -1.0, 0.1]])
    assert rank_reasons(contrib, ["F0", "F1", "F2", "F3"], 4).tolist() == [["F1", "", "", ""]]


def test_a_code_shared_by_two_features_is_cited_once():
    contrib = np.array([[0.4, 0.3, 0.2]])
    assert rank_reasons(contrib, ["AGE", "AGE", "BAL"], 3).tolist() == [["AGE", "BAL", ""]]


def test_features_without_a_code_and_no_default_are_never_cited(booster):
    X = _scoring_rows(100, 13)
    names = booster.feature_name()
    got = reason_codes(booster, X, None, {names[1]: "ONLY"}, 2)
    assert set(got.ravel()) <= {"ONLY", ""}
    with_default = reason_codes(booster, X, None, {names[1]: "ONLY"}, 2, default="OTHR")
    assert "OTHR" in set(with_default.ravel())


def test_a_model_too_wide_to_tabulate_is_explained_by_lightgbm_itself(booster, monkeypatch):
    monkeypatch.setattr(reasons_module, "MAX_PATH_FEATURES", 1)
    shap = TreeShap.from_booster(booster)
    assert shap.uses_lightgbm and "distinct features" in shap.fallback_reason
    X = _scoring_rows(100, 14)
    np.testing.assert_allclose(shap.contributions(X), booster.predict(X, pred_contrib=True), atol=1e-12)


def test_an_empty_selection_computes_nothing(booster):
    X = _scoring_rows(10, 15)
    got = reason_codes(booster, X, np.zeros(10, dtype=bool), {"Column_0": "R1"}, 2)
    assert got.shape == (10, 2) and (got == "").all()


# -- the small path: a few rows in numpy, the compiled kernel's numbers (issue 10) -----------------

def test_small_batches_are_explained_in_numpy_to_the_bit_of_the_compiled_kernel(booster):
    shap = TreeShap.from_booster(booster)
    X = _scoring_rows(150, 21)
    np.testing.assert_array_equal(shap.contributions(X, small=True), shap.contributions(X, small=False))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(st.sampled_from([np.nan, 0.0, -0.0, 1e-40, -1e-36, 1.0000000180025095e-35, 0.5,
                                               -0.5, 1.0, 2.0, 3.0, 7.0, 11.0, 31.0, 32.0, 1e10, -1e10, np.inf,
                                               -np.inf, 2147483648.0]),
                              min_size=6, max_size=6), min_size=1, max_size=40))
def test_any_rows_are_explained_in_numpy_to_the_bit_of_the_compiled_kernel(rows, deep_shap):
    X = np.array(rows, dtype=np.float64)
    np.testing.assert_array_equal(deep_shap.contributions(X, small=True), deep_shap.contributions(X, small=False))


@pytest.fixture(scope="module")
def deep_shap() -> TreeShap:
    X, y = _data(3000, 1)
    params = {"objective": "binary", "verbose": -1, "seed": 4, "num_threads": 1, "num_leaves": 63,
              "min_data_in_leaf": 3, "max_cat_to_onehot": 2}
    return TreeShap.from_booster(lgb.train(params, lgb.Dataset(X, y, categorical_feature=[2]), num_boost_round=20))


def test_a_small_batch_builds_no_tables_and_a_big_one_does(booster):
    shap = TreeShap.from_booster(booster)
    X = _scoring_rows(reasons_module.SMALL_ROWS + 1, 22)
    small = shap.contributions(X[:10])
    assert shap._arrays is None
    shap.contributions(X)
    assert shap._arrays is not None
    np.testing.assert_array_equal(shap.contributions(X[:10]), small)


def test_a_checked_model_text_gives_the_tables_of_its_lightgbm_text():
    from pathlib import Path

    from bridge.score.model_text import read_model_text

    text = read_model_text(Path(__file__).parents[2] / "models" / "customer-risk" / "model.txt")
    X = _scoring_rows(30, 23)[:, :1].repeat(8, axis=1)
    X[:, 7] = np.arange(30) % 6
    from_text = TreeShap(text).contributions(X)
    np.testing.assert_array_equal(from_text, TreeShap(text.lightgbm_text()).contributions(X))
