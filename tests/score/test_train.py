"""Training: reproducible trees, honest metrics, a card ready to fill."""
from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from bridge.errors import ModelCardError
from bridge.score.card import ModelCard
from bridge.score.train import auc, log_loss, train_model

from .conftest import FEATURES, customer_frame


def _trees(booster) -> str:
    return booster.model_to_string().split("parameters:")[0]


def test_the_same_data_and_seed_give_the_same_trees(frame, trained):
    again = train_model(frame, label="DEFAULT", features=FEATURES, categorical=["RISK-SEG"], seed=7,
                        params={"num_iterations": 40})
    assert _trees(again.booster) == _trees(trained.booster)


def test_another_seed_gives_another_validation_split(frame, trained):
    other = train_model(frame, label="DEFAULT", features=FEATURES, categorical=["RISK-SEG"], seed=8,
                        params={"num_iterations": 40})
    assert _trees(other.booster) != _trees(trained.booster)


def test_auc_equals_the_share_of_correctly_ordered_pairs_ties_counting_half():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 60)
    p = np.round(rng.random(60), 1)
    pairs = [(a, b) for a, b in itertools.product(range(60), repeat=2) if y[a] == 1 and y[b] == 0]
    brute = sum(1.0 if p[a] > p[b] else 0.5 if p[a] == p[b] else 0.0 for a, b in pairs) / len(pairs)
    assert auc(y, p) == pytest.approx(brute, abs=1e-12)


def test_log_loss_is_the_mean_cross_entropy():
    assert log_loss(np.array([1, 0]), np.array([0.8, 0.4])) == pytest.approx(-(np.log(0.8) + np.log(0.6)) / 2)


def test_metrics_include_auc_log_loss_and_precision_recall_at_band_thresholds(trained):
    valid = trained.metrics["valid"]
    assert 0.65 < valid["auc"] < 1.0 and valid["log_loss"] > 0
    assert [t["threshold"] for t in valid["at_thresholds"]] == [0.2, 0.5, 0.8]
    assert trained.metrics["rows"] == {"train": 3200, "valid": 800}


def test_the_saved_folder_holds_model_card_and_metrics(model_dir, trained):
    assert sorted(p.name for p in model_dir.iterdir()) == ["card.toml", "metrics.json", "model.txt"]
    card = ModelCard.load(model_dir / "card.toml")
    assert card.training.label == "DEFAULT" and card.training.seed == 7 and card.training.date == "2024-01-01"
    assert set(card.training.distributions) == set(FEATURES)
    assert card.training.distributions["RISK-SEG"].categories == ("PR", "RT", "SB", "ST")
    assert abs(sum(card.training.score_distribution.proportions) - 1) < 1e-9
    assert json.loads((model_dir / "metrics.json").read_text())["valid"]["auc"] == trained.metrics["valid"]["auc"]


def test_a_label_that_is_not_zero_or_one_needs_the_positive_value():
    frame = customer_frame(200, seed=2)
    frame["DEFAULT"] = np.where(frame["DEFAULT"] == 1, "Y", "N")
    with pytest.raises(ModelCardError, match="give the positive value"):
        train_model(frame, label="DEFAULT", features=FEATURES, categorical=["RISK-SEG"], seed=1,
                    params={"num_iterations": 2})
    trained = train_model(frame, label="DEFAULT", features=FEATURES, categorical=["RISK-SEG"], seed=1,
                          positive="Y", params={"num_iterations": 2})
    assert trained.card.training.positive == "Y"


def test_a_categorical_that_is_not_a_feature_is_refused():
    with pytest.raises(ModelCardError, match="categorical CUST-NAME is not among the features"):
        train_model(customer_frame(50), label="DEFAULT", features=FEATURES, categorical=["CUST-NAME"])


def test_a_text_feature_not_declared_categorical_is_refused_by_name():
    with pytest.raises(ModelCardError, match="feature RISK-SEG holds text"):
        train_model(customer_frame(50), label="DEFAULT", features=FEATURES, seed=1)


def test_the_saved_model_folder_and_its_files_are_private_to_their_owner(trained, tmp_path):
    import stat

    folder = trained.save(tmp_path / "new" / "model")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()} == {
        "model.txt": 0o600, "card.toml": 0o600, "metrics.json": 0o600}
