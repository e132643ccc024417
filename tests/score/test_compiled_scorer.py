"""The scorer predicts with the compiled model, and its written fields stay LightGBM's
predictions rounded; a model the compiler does not cover is scored by LightGBM, with a warning."""
from __future__ import annotations

import logging
from decimal import ROUND_HALF_UP, Decimal

import lightgbm as lgb
import numpy as np
import pytest

from bridge.score.compiled.booster import compiled_for
from bridge.score.model import Model, feature_matrix

from .conftest import customer_frame


@pytest.fixture(scope="module")
def model(model_dir, record) -> Model:
    return Model.load(model_dir, record)


def test_the_scorer_predicts_with_native_code_of_its_model(model):
    compiled = compiled_for(model.booster)
    assert compiled is not None and compiled.native
    assert compiled_for(model.booster) is compiled          # compiled once per booster


def test_written_scores_equal_lightgbm_predictions_rounded_on_every_record(model):
    batch = customer_frame(3000, seed=33, missing=0.1)
    batch.loc[::11, "RISK-SEG"] = "??"                    # unknown categories: NaN to the model
    result = model.score(batch)
    X = feature_matrix(model.card, batch).X
    lightgbm = model.booster.predict(X)
    expected = [int(Decimal(p).scaleb(4).quantize(Decimal(1), rounding=ROUND_HALF_UP)) for p in lightgbm]
    assert result.score.tolist() == expected
    assert np.array_equal(result.probability, lightgbm)


def test_the_setting_off_scores_with_lightgbm_and_gives_the_same_result(model, monkeypatch):
    batch = customer_frame(500, seed=34)
    compiled = model.score(batch)
    monkeypatch.setattr(Model, "compiled", False)
    plain = model.score(batch)
    assert compiled.score.tolist() == plain.score.tolist()


def test_a_model_the_compiler_does_not_cover_is_left_to_lightgbm_with_a_warning(caplog):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(300, 3))
    booster = lgb.train(dict(objective="regression", reg_sqrt=True, verbose=-1), lgb.Dataset(X, X[:, 0] ** 2), 3)
    with caplog.at_level(logging.WARNING, logger="bridge.score.compiled"):
        assert compiled_for(booster) is None
    assert "scoring with LightGBM's predict" in caplog.text and "reg_sqrt" in caplog.text
