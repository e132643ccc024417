"""The compiled model predicts what LightGBM predicts: raw scores to 1e-12 (in practice to the
bit) and transformed predictions likewise, on models trained here and inputs with NaN, zeros,
values in LightGBM's zero band and out-of-range categories."""
from __future__ import annotations

import logging
import re
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridge.errors import ModelCardError, ModelFileError
from bridge.score.compiled import compile_model, read_forest
from bridge.score.compiled.forest import _TRANSFORMS
from bridge.score.model_text import OBJECTIVES

TOLERANCE = 1e-12
DEMO_MODEL = Path(__file__).parents[2] / "models" / "customer-risk" / "model.txt"


@pytest.fixture(scope="module")
def demo_model_text() -> str:
    return DEMO_MODEL.read_text()


def awkward_inputs(rng: np.random.Generator, rows: int, features: int, categorical: list[int]) -> np.ndarray:
    X = rng.normal(size=(rows, features)) * 3
    special = np.array([np.nan, 0.0, -0.0, 1e-36, -1e-36, 1.0000000180025095e-35, -1.0000000180025095e-35,
                        1e-300, np.inf, -np.inf, 1e300, -1e300])
    pick = rng.random(X.shape) < 0.15
    X[pick] = rng.choice(special, size=int(pick.sum()))
    for j in categorical:
        cats = np.array([-1.0, -0.5, -0.0, 0.0, 0.5, 1.0, 2.0, 2.9, 3.0, 5.0, 31.0, 32.0, 63.0, 64.0, 1000.0,
                         2147483647.0, 2147483648.0, 1e20, np.nan, -1e20])
        X[:, j] = np.where(rng.random(rows) < 0.5, rng.integers(0, 6, rows), rng.choice(cats, rows))
    return X


def train(rng: np.random.Generator, *, objective: str, features: int, categorical: list[int], leaves: int,
          rounds: int, missing: str, linear: bool, num_class: int = 1) -> lgb.Booster:
    rows = 400
    X = rng.normal(size=(rows, features))
    for j in categorical:
        X[:, j] = rng.integers(0, 6, rows)
    if missing == "nan":
        X[rng.random(X.shape) < 0.1] = np.nan
    elif missing == "zero":
        X[rng.random(X.shape) < 0.2] = 0.0
    signal = X[:, 0] * 2 + np.nan_to_num(X[:, 1]) - np.nan_to_num(X[:, -1]) + rng.normal(size=rows)
    signal = np.nan_to_num(signal)
    if objective in ("binary", "cross_entropy"):
        y = (signal > 0).astype(float)
    elif objective in ("poisson", "tweedie", "gamma"):
        y = rng.poisson(np.exp(np.clip(signal, -3, 3) / 2)).astype(float) + (objective == "gamma")
    elif objective.startswith("multiclass"):
        y = np.digitize(signal, np.quantile(signal, np.linspace(0, 1, num_class + 1)[1:-1])).astype(float)
    else:
        y = signal
    params = dict(objective=objective, num_leaves=leaves, min_data_in_leaf=3, min_data_per_group=3, cat_smooth=1,
                  verbose=-1, num_threads=1, deterministic=True, max_cat_to_onehot=2, learning_rate=0.3,
                  zero_as_missing=missing == "zero", use_missing=missing != "none", linear_tree=linear)
    if objective.startswith("multiclass"):
        params["num_class"] = num_class
    data = lgb.Dataset(X, y, categorical_feature=categorical or "auto", free_raw_data=False)
    return lgb.train(params, data, rounds)


def assert_same_predictions(booster: lgb.Booster, X: np.ndarray, **compile_options) -> None:
    compiled = compile_model(booster.model_to_string(), use_cache=False, **compile_options)
    for raw in (True, False):
        ours = compiled.predict(X, raw_score=raw)
        theirs = booster.predict(X, raw_score=raw, num_threads=1)
        assert ours.shape == theirs.shape
        assert np.array_equal(np.isnan(ours), np.isnan(theirs))
        diff = np.abs(np.nan_to_num(ours) - np.nan_to_num(theirs)).max(initial=0.0)
        assert diff <= TOLERANCE, f"raw={raw}: max difference {diff:g}"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31 - 1),
       objective=st.sampled_from(["binary", "regression", "poisson", "huber", "cross_entropy", "tweedie"]),
       features=st.integers(2, 6), n_categorical=st.integers(0, 2), leaves=st.sampled_from([2, 3, 7, 31]),
       rounds=st.integers(1, 12), missing=st.sampled_from(["nan", "zero", "none"]), linear=st.booleans(),
       vector_leaves=st.sampled_from([0, 4, 128]))
def test_random_models_predict_as_lightgbm_does(seed, objective, features, n_categorical, leaves, rounds,
                                                missing, linear, vector_leaves):
    rng = np.random.default_rng(seed)
    categorical = list(range(1, 1 + min(n_categorical, features - 1)))
    booster = train(rng, objective=objective, features=features, categorical=categorical, leaves=leaves,
                    rounds=rounds, missing=missing,
                    # LightGBM fits linear trees without categorical features or zero_as_missing
                    linear=linear and not categorical and missing != "zero")
    assert_same_predictions(booster, awkward_inputs(rng, 2000, features, categorical), vector_leaves=vector_leaves)


@settings(max_examples=4, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), objective=st.sampled_from(["multiclass", "multiclassova"]),
       num_class=st.integers(3, 4), vector_leaves=st.sampled_from([0, 5, 128]))
def test_multiclass_models_predict_as_lightgbm_does(seed, objective, num_class, vector_leaves):
    rng = np.random.default_rng(seed)
    booster = train(rng, objective=objective, features=4, categorical=[2], leaves=7, rounds=5, missing="nan",
                    linear=False, num_class=num_class)
    assert_same_predictions(booster, awkward_inputs(rng, 1000, 4, [2]), vector_leaves=vector_leaves)


def test_the_demo_model_predicts_as_lightgbm_does(demo_model_text):
    booster = lgb.Booster(model_str=demo_model_text)
    rng = np.random.default_rng(7)
    X = awkward_inputs(rng, 5000, 8, [7])
    X[:, :7] = np.abs(X[:, :7]) * 10 ** rng.integers(0, 8, (5000, 7))
    assert_same_predictions(booster, X)


@pytest.mark.parametrize("vector_leaves", [0, 128], ids=["walked", "vector"])
@pytest.mark.parametrize("decision_type", [0, 2, 4, 6, 8, 10])
@pytest.mark.parametrize("threshold", [0.5, -0.5, 0.0, 1.0000000180025095e-35, -1.0000000180025095e-35, 1e-36])
def test_every_missing_mode_and_zero_band_threshold_goes_lightgbms_way(decision_type, threshold, vector_leaves):
    booster = lgb.Booster(model_str=one_split_model(decision_type, threshold))
    values = np.array([np.nan, 0.0, -0.0, 1e-36, -1e-36, 1.0000000180025095e-35, -1.0000000180025095e-35,
                       2e-35, -2e-35, 0.5, -0.5, 0.25, 1.0, -1.0, np.inf, -np.inf])
    assert_same_predictions(booster, np.column_stack([values, np.zeros_like(values)]), vector_leaves=vector_leaves)


def with_tree_sizes(text: str) -> str:
    """``text`` with its tree_sizes line written from its Tree= blocks, as LightGBM writes it."""
    head, _, rest = text.partition("\nTree=")
    body, end, tail = ("Tree=" + rest).partition("end of trees\n")
    blocks = ["Tree=" + b for b in body.split("Tree=")[1:]]
    sizes = " ".join(str(len(b.encode())) for b in blocks)
    head = re.sub(r"^tree_sizes=.*$", f"tree_sizes={sizes}", head, count=1, flags=re.MULTILINE)
    return head + "\n" + body + end + tail


def one_split_model(decision_type: int, threshold: float) -> str:
    return with_tree_sizes(f"""tree
version=v4
num_class=1
num_tree_per_iteration=1
label_index=0
max_feature_idx=1
objective=regression
feature_names=a b
feature_infos=[-1:1] [-1:1]
tree_sizes=1

Tree=0
num_leaves=2
num_cat=0
split_feature=0
split_gain=1
threshold={threshold!r}
decision_type={decision_type}
left_child=-1
right_child=-2
leaf_value=-1 1
leaf_weight=1 1
leaf_count=1 1
internal_value=0
internal_weight=2
internal_count=2
is_linear=0
shrinkage=1


end of trees

parameters:
end of parameters

pandas_categorical:null
""")


def test_a_model_of_one_leaf_predicts_its_leaf():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(50, 2))
    booster = lgb.train(dict(objective="regression", verbose=-1, min_data_in_leaf=1000), lgb.Dataset(X, np.ones(50)),
                        3)
    assert booster.dump_model()["tree_info"][0]["num_leaves"] == 1
    assert_same_predictions(booster, X)


def test_num_iteration_keeps_the_first_iterations_as_lightgbm_does():
    rng = np.random.default_rng(4)
    booster = train(rng, objective="binary", features=3, categorical=[], leaves=7, rounds=10, missing="nan",
                    linear=False)
    X = awkward_inputs(rng, 500, 3, [])
    compiled = compile_model(booster.model_to_string(), num_iteration=4, use_cache=False)
    assert len(compiled.forest.trees) == 4
    assert np.array_equal(compiled.predict(X), booster.predict(X, num_iteration=4))


def test_an_early_stopped_model_saved_at_its_best_iteration_predicts_as_lightgbm_does():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(600, 3))
    y = (X[:, 0] + rng.normal(size=600) > 0).astype(float)
    train_set, valid = lgb.Dataset(X[:400], y[:400]), lgb.Dataset(X[400:], y[400:])
    booster = lgb.train(dict(objective="binary", verbose=-1, learning_rate=0.5, num_leaves=15), train_set, 200,
                        valid_sets=[valid], callbacks=[lgb.early_stopping(3, verbose=False)])
    assert 0 < booster.best_iteration < 200
    saved = booster.model_to_string()          # LightGBM saves up to the best iteration
    compiled = compile_model(saved, use_cache=False)
    assert compiled.forest.num_iterations == booster.best_iteration
    assert np.array_equal(compiled.predict(X), booster.predict(X))


def test_a_matrix_with_the_wrong_number_of_features_is_refused_with_both_counts():
    compiled = compile_model(one_split_model(2, 0.5), use_cache=False)
    with pytest.raises(ModelCardError, match="reads 2 features; the matrix has 3"):
        compiled.predict(np.zeros((4, 3)))


def test_an_objective_the_compiler_does_not_cover_is_refused_by_name():
    text = one_split_model(2, 0.5).replace("objective=regression", "objective=regression sqrt")
    with pytest.raises(ModelCardError, match=r"objective 'regression sqrt' \(reg_sqrt\) is not covered"):
        read_forest(with_tree_sizes(text))


def test_an_objective_lightgbm_does_not_write_is_refused_by_the_model_file_check():
    text = one_split_model(2, 0.5).replace("objective=regression", "objective=custom_loss")
    with pytest.raises(ModelFileError, match="key objective: 'custom_loss' is not a LightGBM objective"):
        read_forest(with_tree_sizes(text))


def test_every_objective_the_model_file_check_accepts_has_an_output_transform():
    assert set(OBJECTIVES) <= set(_TRANSFORMS)


def test_a_tree_whose_children_loop_is_refused():
    text = one_split_model(2, 0.5).replace("num_leaves=2", "num_leaves=3").replace(
        "split_feature=0\n", "split_feature=0 0\n").replace("threshold=0.5\n", "threshold=0.5 0.5\n").replace(
        "decision_type=2\n", "decision_type=2 2\n").replace("left_child=-1\n", "left_child=1 0\n").replace(
        "right_child=-2\n", "right_child=-2 -3\n").replace("leaf_value=-1 1\n", "leaf_value=-1 1 2\n").replace(
        "leaf_count=1 1\n", "leaf_count=1 1 1\n").replace("internal_count=2\n", "internal_count=2 2\n").replace(
        "split_gain=1\n", "split_gain=1 1\n").replace("leaf_weight=1 1\n", "leaf_weight=1 1 1\n").replace(
        "internal_value=0\n", "internal_value=0 0\n").replace("internal_weight=2\n", "internal_weight=2 2\n")
    with pytest.raises(ModelFileError, match="tree 0, key left_child: node 0 .the root. is some node's child"):
        read_forest(with_tree_sizes(text))


def test_threads_give_the_same_predictions_as_one_thread(demo_model_text):
    compiled = compile_model(demo_model_text, use_cache=False)
    X = np.abs(np.random.default_rng(8).normal(size=(20000, 8))) * 100
    assert np.array_equal(compiled.predict(X, num_threads=1), compiled.predict(X, num_threads=4))


def chain_model(splits: int) -> str:
    """One tree whose splits form a chain ``splits`` deep: x <= 0 → leaf 0, x <= 1 → leaf 1, ..."""
    def words(values):
        return " ".join(str(v) for v in values)
    nodes, leaves = range(splits), range(splits + 1)
    lines = {"num_leaves": splits + 1, "split_feature": words(0 for _ in nodes),
             "split_gain": words(1 for _ in nodes), "threshold": words(float(i) for i in nodes),
             "decision_type": words(2 for _ in nodes), "left_child": words(~i for i in nodes),
             "right_child": words([i + 1 for i in nodes][:-1] + [~splits]),
             "leaf_value": words(i * 0.5 for i in leaves), "leaf_weight": words(1 for _ in leaves),
             "leaf_count": words(1 for _ in leaves), "internal_value": words(0 for _ in nodes),
             "internal_weight": words(splits + 1 - i for i in nodes),
             "internal_count": words(splits + 1 - i for i in nodes)}
    text = one_split_model(2, 0.5)
    for key, value in lines.items():
        head, _, tail = text.partition(f"\n{key}=")
        text = head + f"\n{key}={value}\n" + tail.partition("\n")[2]
    return with_tree_sizes(text)


def test_a_tree_deeper_than_the_compiler_goes_is_walked_and_still_exact(caplog):
    text = chain_model(600)
    with caplog.at_level(logging.WARNING, logger="bridge.score.compiled"):
        compiled = compile_model(text, use_cache=False)
    assert not compiled.native and "600 splits deep" in caplog.text
    X = np.column_stack([np.arange(-2, 700, 0.5), np.zeros(1404)])
    assert np.array_equal(compiled.predict(X), lgb.Booster(model_str=text).predict(X))


def test_a_deep_chain_within_the_limit_compiles_exactly():
    text = chain_model(300)
    compiled = compile_model(text, use_cache=False)
    assert compiled.native
    X = np.column_stack([np.arange(-2, 400, 0.5), np.zeros(804)])
    assert np.array_equal(compiled.predict(X), lgb.Booster(model_str=text).predict(X))


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), categories=st.sampled_from([20, 60, 200]), rows=st.integers(1, 700))
def test_categorical_bitsets_of_every_length_in_vector_and_walked_trees_go_lightgbms_way(seed, categories, rows):
    """Bitsets of one and two words are vector code; longer ones keep their tree walked. Row
    counts that are no multiple of the block or of the vector width are padded, never scored."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(600, 3))
    X[:, 1] = rng.integers(0, categories, 600)
    y = X[:, 0] + (X[:, 1] % 7 == 3) * 2 + rng.normal(size=600) * 0.1
    booster = lgb.train(dict(objective="regression", num_leaves=15, min_data_in_leaf=3, min_data_per_group=3,
                             cat_smooth=1, max_cat_to_onehot=2, max_cat_threshold=64, verbose=-1, num_threads=1,
                             deterministic=True),
                        lgb.Dataset(X, y, categorical_feature=[1]), 6)
    Xt = awkward_inputs(rng, rows, 3, [1])
    Xt[: rows // 2, 1] = rng.integers(0, categories + 40, rows // 2)
    assert_same_predictions(booster, Xt, vector_leaves=128)


def test_vector_trees_read_only_the_features_they_split_on():
    from bridge.score.compiled.codegen import vector_slots
    forest = read_forest(DEMO_MODEL.read_text())
    used = sorted({int(f) for t in forest.trees for f in t.split_feature})
    assert vector_slots(forest, 128) == {f: j for j, f in enumerate(used)}
    assert vector_slots(forest, 0) == {}


def test_a_wide_model_whose_trees_read_few_features_compiles_with_small_scratch():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(300, 3000))
    booster = lgb.train(dict(objective="regression", num_leaves=7, verbose=-1, num_threads=1, min_data_in_leaf=5),
                        lgb.Dataset(X, X[:, 17] * 2 + X[:, 2900]), 4)
    compiled = compile_model(booster.model_to_string(), use_cache=False)
    assert compiled._scratch <= 64 * 256   # the accumulator and the few features read, not all 3,000
    assert_same_predictions(booster, awkward_inputs(rng, 300, 3000, []))
