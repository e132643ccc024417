"""Objectives other than binary (issue 10): regression values into numeric fields, exact to the
PICTURE; what is not covered is refused by name."""
from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

import lightgbm as lgb
import numpy as np
import pytest

from bridge.errors import ModelCardError
from bridge.layout.model import Kind
from bridge.score.card import (
    Band,
    BandOutput,
    ClassOutput,
    Feature,
    ModelCard,
    ProbabilitiesOutput,
    ScoreOutput,
)
from bridge.score.model import Model, feature_matrix

from .conftest import FEATURES, customer_frame, customer_outputs, customer_record, item

VALUE_RECORD = customer_record(SCORE=item("SCORE", 75, 5, Kind.PACKED, "S9(7)V99", 9, 2, True))


def _card(objective: str, **outputs) -> ModelCard:
    feats = tuple(Feature(f, categorical=f == "RISK-SEG", categories=("PR", "RT", "SB", "ST") if f == "RISK-SEG"
                          else ()) for f in FEATURES)
    changes = {"score": ScoreOutput(field="SCORE", scale="value"),
               "band": BandOutput(field="SCORE-BAND", bands=(Band(Decimal(100), "L"), Band(Decimal("9999999.99"), "H"))),
               **outputs}
    out = customer_outputs(**changes)
    return ModelCard(model_id="CUSTV001", version="1", record="CUSTOMER-REC", features=feats, objective=objective,
                     outputs=out, source="card.toml")


def _booster(card: ModelCard, objective: str, target, **params) -> lgb.Booster:
    frame = customer_frame(2000, seed=30)
    X = feature_matrix(card, frame).X
    y = target(frame, X)
    return lgb.train({"objective": objective, "num_leaves": 15, "verbose": -1, "num_threads": 1, **params},
                     lgb.Dataset(X, y, feature_name=list(card.feature_names), categorical_feature=[3]), 20)


def _expected(values: np.ndarray, scale: int) -> list[int]:
    return [int(Decimal(float(v)).scaleb(scale).quantize(Decimal(1), rounding=ROUND_HALF_UP)) for v in values]


def test_a_regression_value_is_written_with_the_pictures_decimal_places_rounded_half_up():
    card = _card("regression")
    booster = _booster(card, "regression", lambda f, X: np.nan_to_num(X[:, 0]) / 100 + X[:, 5] * 3)
    model = Model(card, booster, VALUE_RECORD)
    frame = customer_frame(300, seed=31)
    result = model.score(frame)
    prediction = booster.predict(feature_matrix(card, frame).X)
    assert result.score_scale == 2 and result.score.tolist() == _expected(prediction, 2)
    assert (result.band == np.where(result.score <= 10000, "L", "H")).all()


def test_a_poisson_value_is_the_exponential_of_the_raw_score():
    card = _card("poisson")
    booster = _booster(card, "poisson", lambda f, X: np.random.default_rng(1).poisson(1 + np.nan_to_num(X[:, 5])))
    model = Model(card, booster, VALUE_RECORD)
    frame = customer_frame(300, seed=32)
    X = feature_matrix(card, frame).X
    np.testing.assert_allclose(booster.predict(X), np.exp(booster.predict(X, raw_score=True)), rtol=1e-12)
    assert model.score(frame).score.tolist() == _expected(booster.predict(X), 2)


def test_a_value_that_does_not_fit_the_picture_is_clamped_with_status_02():
    small = customer_record(SCORE=item("SCORE", 75, 5, Kind.ZONED, "9V9", 2, 1))
    card = _card("regression", band=None)
    booster = _booster(card, "regression", lambda f, X: np.nan_to_num(X[:, 0]) / 100)
    result = Model(card, booster, small).score(customer_frame(200, seed=33))
    assert result.score.max() <= 99 and "02" in result.status.tolist()


def test_a_probability_scale_on_a_regression_card_is_refused_with_the_scale_to_use():
    card = _card("regression", band=None)
    card = card.with_outputs(replace(card.outputs, score=ScoreOutput(field="SCORE", scale="probability")))
    with pytest.raises(ModelCardError, match="score scale 'probability' does not fit objective regression "
                                             r"\(use scale = value\)"):
        card.validate(VALUE_RECORD)


CLASS_RECORD = customer_record(
    **{"REASON-CODE": item("CLASS-PROB", 81, 4, Kind.ZONED, "9V999", 4, 3, occurs=4),
       "FILLER": item("CLASS-CODE", 107, 2, Kind.ALPHANUMERIC, "X(2)")})


def _class_card(objective: str = "multiclass", **outputs) -> ModelCard:
    changes = {"score": ScoreOutput(field="SCORE", scale="probability"), "band": None, "reasons": None,
               "klass": ClassOutput(field="CLASS-CODE", codes=("LO", "MD", "HI")),
               "probabilities": ProbabilitiesOutput(field="CLASS-PROB"), **outputs}
    return replace(_card(objective), outputs=customer_outputs(**changes))


def _class_booster(card: ModelCard, objective: str = "multiclass", classes: int = 3) -> lgb.Booster:
    frame = customer_frame(1500, seed=37)
    X = feature_matrix(card, frame).X
    y = np.digitize(np.nan_to_num(X[:, 0]), [6000, 14000]) if classes == 3 else np.arange(len(X)) % classes
    return lgb.train({"objective": objective, "num_class": classes, "num_leaves": 7, "verbose": -1,
                      "num_threads": 1},
                     lgb.Dataset(X, y, feature_name=list(card.feature_names), categorical_feature=[3]), 8)


@pytest.mark.parametrize("objective", ["multiclass", "multiclassova"])
def test_a_multiclass_model_writes_the_most_probable_class_its_probability_and_every_class(objective):
    card = _class_card(objective)
    booster = _class_booster(card, objective)
    frame = customer_frame(400, seed=38, missing=0.0)
    expected = booster.predict(feature_matrix(card, frame).X)
    result = Model(card, booster, CLASS_RECORD).score(frame)
    best = expected.argmax(axis=1)
    assert result.class_code.tolist() == [("LO", "MD", "HI")[k] for k in best]
    assert result.score.tolist() == _expected(expected[np.arange(len(best)), best], 4)
    assert result.probabilities.tolist() == [_expected(row, 3) for row in expected]
    columns = result.columns()
    assert columns["CLASS-CODE"].to_pylist()[:3] == result.class_code[:3].tolist()
    assert columns["CLASS-PROB"].type.list_size == 3


def test_a_class_without_a_code_in_the_card_is_written_as_its_number():
    card = _class_card(klass=ClassOutput(field="CLASS-CODE", codes=("LO",)))
    booster = _class_booster(card)
    frame = customer_frame(200, seed=39, missing=0.0)
    best = booster.predict(feature_matrix(card, frame).X).argmax(axis=1)
    assert Model(card, booster, CLASS_RECORD).score(frame).class_code.tolist() == \
        [("LO", "1", "2")[k] for k in best]


def test_reason_codes_on_a_multiclass_card_are_refused_as_not_covered():
    card = _class_card(reasons=customer_outputs().reasons)
    with pytest.raises(ModelCardError, match="reason codes for a multiclass model are not covered"):
        card.validate(customer_record())


def test_a_probabilities_table_with_fewer_occurrences_than_classes_is_refused():
    card = _class_card()
    booster = _class_booster(card, classes=5)
    with pytest.raises(ModelCardError, match="CLASS-PROB occurs 4 times; the model has 5 classes"):
        Model(card, booster, CLASS_RECORD)


def test_a_class_output_on_a_binary_card_is_refused_naming_the_objective():
    card = replace(_class_card(), objective="binary")
    with pytest.raises(ModelCardError, match=r"\[outputs.class\] needs a multiclass objective; this card's is binary"):
        card.validate(CLASS_RECORD)


def test_a_class_code_longer_than_the_class_field_is_refused():
    card = _class_card(klass=ClassOutput(field="CLASS-CODE", codes=("LOW", "MD", "HI")))
    with pytest.raises(ModelCardError, match="class code 'LOW' is 3 characters, class field CLASS-CODE"):
        card.validate(CLASS_RECORD)


def test_a_multiclass_booster_behind_a_regression_card_is_refused_naming_its_outputs():
    card = _card("regression", band=None)
    frame = customer_frame(600, seed=34)
    X = feature_matrix(card, frame).X
    booster = lgb.train({"objective": "multiclass", "num_class": 3, "verbose": -1, "num_threads": 1},
                        lgb.Dataset(X, np.arange(len(X)) % 3, feature_name=list(card.feature_names)), 3)
    with pytest.raises(ModelCardError, match="the model has 3 outputs per iteration, the card's objective is regression"):
        Model(card, booster, VALUE_RECORD)


def test_a_regression_is_trained_on_the_labels_value_and_scored_into_the_pictures_places():
    from bridge.score.train import train_model

    frame = customer_frame(1500, seed=35)
    frame["LOSS"] = np.round(np.nan_to_num(frame["DELINQ-COUNT"].astype("float64").to_numpy()) * 250.0 + 10.0, 2)
    trained = train_model(frame, label="LOSS", features=FEATURES, categorical=["RISK-SEG"], seed=3,
                          objective="regression", params={"num_iterations": 10}, record="CUSTOMER-REC",
                          outputs=customer_outputs(score=ScoreOutput(field="SCORE", scale="value"), band=None))
    assert trained.card.objective == "regression" and set(trained.metrics["valid"]) == {"rmse", "mae"}
    assert "objective=regression" in trained.booster.model_to_string().splitlines()[:8]
    model = Model(trained.card, trained.booster, VALUE_RECORD)
    result = model.score(frame.iloc[:100])
    assert result.score.tolist() == _expected(trained.booster.predict(feature_matrix(trained.card, frame.iloc[:100]).X), 2)


def test_a_poisson_label_below_zero_is_refused_not_a_traceback():
    from bridge.score.train import train_model

    frame = customer_frame(300, seed=36)
    frame["LOSS"] = -1.0
    with pytest.raises(ModelCardError, match="LightGBM refused to train objective poisson"):
        train_model(frame, label="LOSS", features=FEATURES, categorical=["RISK-SEG"], objective="poisson",
                    params={"num_iterations": 2})


def test_train_objective_regression_writes_a_value_card(tmp_path):
    import bridge
    from bridge.cli.main import main
    from bridge.records.api import write_records
    from bridge.testing import fake_table
    from tests.conftest import COPYBOOKS

    history = COPYBOOKS / "customer_history.cpy"
    data = tmp_path / "hist.dat"
    write_records(fake_table(bridge.load_copybook(history), 500, seed=6), data, bridge.load_copybook(history))
    rc = main(["train", str(data), "-c", str(history), "--label", "DELINQ-COUNT", "--objective", "regression",
               "--features", "BALANCE,TXN-COUNT", "-o", str(tmp_path / "m"), "--rounds", "3",
               "--score-field", "SCORE"])
    assert rc == 0
    card = ModelCard.load(tmp_path / "m" / "card.toml")
    assert (card.objective, card.outputs.score.scale) == ("regression", "value")
