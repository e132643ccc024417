"""Scoring a decoded batch: outputs equal LightGBM's own predictions rounded to the PICTURE."""
from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pyarrow as pa
import pytest

from bridge.errors import EncodeError, ModelCardError
from bridge.score.card import PointsScale, ScoreOutput
from bridge.score.model import Model, feature_matrix
from bridge.score.reasons import rank_reasons

from .conftest import customer_frame, customer_outputs, customer_record


@pytest.fixture(scope="module")
def model(model_dir, record) -> Model:
    return Model.load(model_dir, record)


@pytest.fixture(scope="module")
def batch():
    return customer_frame(1500, seed=21)


def test_scores_equal_lightgbm_predict_rounded_half_up_to_the_picture(model, batch):
    result = model.score(batch)
    X = feature_matrix(model.card, batch).X
    expected = [int(Decimal(p).scaleb(4).quantize(Decimal(1), rounding=ROUND_HALF_UP))
                for p in model.booster.predict(X)]
    assert result.score.tolist() == expected and result.score_scale == 4
    np.testing.assert_array_equal(result.probability, model.booster.predict(X))


def test_categories_are_coded_by_their_position_in_the_card(model):
    frame = customer_frame(4, seed=3, missing=0)
    frame["RISK-SEG"] = ["ST", "PR  ", "ZZ", None]
    fm = feature_matrix(model.card, frame)
    j = model.card.feature_names.index("RISK-SEG")
    assert model.card.features[j].categories == ("PR", "RT", "SB", "ST")
    assert fm.X[:2, j].tolist() == [3.0, 0.0] and np.isnan(fm.X[2:, j]).all()
    assert fm.unknown == {"RISK-SEG": 1}


def test_records_with_missing_features_are_scored_with_status_04(model):
    frame = customer_frame(6, seed=4, missing=0)
    frame["BALANCE"] = pa.array([None, 1.0, 2.0, 3.0, 4.0, 5.0], pa.float64())
    result = model.score(frame)
    assert result.status.tolist()[:2] == ["04", "00"] and result.scored.all()
    assert result.missing_by_field["BALANCE"] == 1


def test_a_missing_feature_with_the_reject_policy_leaves_the_record_unscored_with_status_08(model_dir, record):
    model = Model.load(model_dir, record)
    feats = tuple(replace(f, on_missing="reject") if f.field == "BALANCE" else f for f in model.card.features)
    strict = Model(replace(model.card, features=feats), model.booster, record)
    frame = customer_frame(3, seed=5, missing=0)
    frame["BALANCE"] = pa.array([None, 1.0, 2.0], pa.float64())
    result = strict.score(frame)
    assert result.status.tolist()[0] == "08" and result.score[0] == 0 and result.band[0] == ""
    assert (result.reasons[0] == "").all() and not result.scored[0] and np.isnan(result.probability[0])


def test_an_imputed_feature_is_scored_with_the_card_value(model_dir, record):
    model = Model.load(model_dir, record)
    feats = tuple(replace(f, on_missing="impute", impute=0.0) if f.field == "BALANCE" else f
                  for f in model.card.features)
    imputing = Model(replace(model.card, features=feats), model.booster, record)
    frame = customer_frame(1, seed=6, missing=0).iloc[[0, 0]].reset_index(drop=True)
    frame["BALANCE"] = pa.array([None, 0.0], pa.float64())
    result = imputing.score(frame)
    assert result.status.tolist()[0] == "04" and result.score[0] == result.score[1]


def test_reason_codes_are_the_ranked_contributions_of_the_selected_rows(model, batch):
    result = model.score(batch)
    X = feature_matrix(model.card, batch).X
    assert (result.explained == (result.score >= 3000)).all()
    rows = np.flatnonzero(result.explained)
    codes = [model.card.outputs.reasons.table[n] for n in model.card.feature_names]
    expected = rank_reasons(model.booster.predict(X[rows], pred_contrib=True), codes, 4)
    assert result.reasons[rows].tolist() == expected.tolist()
    assert (result.reasons[~result.explained] == "").all()


def test_bands_follow_the_written_score(model, batch):
    result = model.score(batch)
    expected = np.select([result.score <= 2000, result.score <= 5000, result.score <= 8000], ["A", "B", "C"], "D")
    assert result.band.tolist() == expected.tolist()


def test_columns_give_the_score_as_an_exact_decimal_and_the_reasons_as_a_table(model, batch):
    result = model.score(batch.iloc[:5])
    cols = result.columns()
    assert cols["SCORE"].type == pa.decimal128(38, 4)
    assert [d.scaleb(4) for d in cols["SCORE"].to_pylist()] == [Decimal(int(v)) for v in result.score]
    assert cols["REASON-CODE"].type.list_size == 4
    assert cols["MODEL-ID"].to_pylist() == ["CUSTR001"] * 5
    assert set(cols) == {"SCORE", "SCORE-BAND", "REASON-CODE", "MODEL-ID", "SCORE-STATUS"}


def test_a_points_score_is_rounded_and_clamped_to_the_card_range(trained, record):
    from bridge.layout.model import Kind
    from .conftest import item
    points_record = customer_record(SCORE=item("SCORE", 75, 5, Kind.ZONED, "9(3)V99", 5, 2))
    scale = PointsScale(base_points=600, base_odds=50, pdo=20, min=550, max=700)
    outputs = customer_outputs(score=ScoreOutput(field="SCORE", scale="points", points=scale), band=None,
                               reasons=None)
    model = Model(trained.card.with_outputs(outputs), trained.booster, points_record)
    frame = customer_frame(500, seed=8)
    result = model.score(frame)
    raw = trained.booster.predict(feature_matrix(model.card, frame).X, raw_score=True)
    points = np.clip(600 - 20 / np.log(2) * (np.log(50) + raw), 550, 700)
    expected = [int(Decimal(p).scaleb(2).quantize(Decimal(1), rounding=ROUND_HALF_UP)) for p in points]
    assert result.score.tolist() == expected
    assert ((result.score == 55000) | (result.score == 70000))[result.status == "02"].all()


def test_a_points_score_outside_the_range_is_an_error_when_the_card_says_so(trained, record):
    from bridge.layout.model import Kind
    from .conftest import item
    points_record = customer_record(SCORE=item("SCORE", 75, 5, Kind.ZONED, "9(3)V99", 5, 2))
    outputs = customer_outputs(score=ScoreOutput(field="SCORE", scale="points", on_overflow="error",
                                                 points=PointsScale(min=650, max=700)), band=None, reasons=None)
    model = Model(trained.card.with_outputs(outputs), trained.booster, points_record)
    with pytest.raises(EncodeError, match="outside the card's range 650 to 700"):
        model.score(customer_frame(200, seed=9))


def test_a_booster_whose_features_are_not_the_cards_is_refused(trained, record):
    card = replace(trained.card, features=tuple(reversed(trained.card.features)))
    with pytest.raises(ModelCardError) as err:
        Model(card, trained.booster, record)
    assert "are not the card's" in str(err.value) and err.value.field == "UTILISATION-PCT"


def test_a_model_folder_is_checked_against_the_copybook_when_loaded(model_dir):
    from bridge.layout.model import Kind
    from .conftest import item
    with pytest.raises(ModelCardError, match="MODEL-ID PIC X\\(4\\) holds 4"):
        Model.load(model_dir, customer_record(**{"MODEL-ID": item("MODEL-ID", 97, 4, Kind.ALPHANUMERIC, "X(4)")}))


def test_a_missing_feature_column_is_refused_by_name(model, batch):
    with pytest.raises(ModelCardError, match="feature BALANCE is not among the decoded columns"):
        model.score(batch.drop(columns=["BALANCE"]))
