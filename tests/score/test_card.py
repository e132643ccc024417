"""Model cards: read and written faithfully, refused before any record when they do not fit the copybook."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from bridge.errors import ModelCardError
from bridge.layout.model import Kind
from bridge.score.card import (Band, BandOutput, Feature, ModelCard, ModelIdOutput, PointsScale, ReasonsOutput,
                               ScoreOutput, StatusOutput)

from .conftest import FEATURES, customer_outputs, customer_record, item


def _card(**outputs) -> ModelCard:
    feats = tuple(Feature(f, categorical=f == "RISK-SEG", categories=("PR", "RT") if f == "RISK-SEG" else ())
                  for f in FEATURES)
    return ModelCard(model_id="CUSTR001", version="1", record="CUSTOMER-REC", features=feats,
                     outputs=customer_outputs(**outputs), source="card.toml")


def _refusal(card: ModelCard, record=None) -> ModelCardError:
    with pytest.raises(ModelCardError) as err:
        card.validate(record or customer_record())
    return err.value


def test_a_card_that_fits_the_customer_copybook_is_accepted():
    _card().validate(customer_record())


def test_a_card_survives_a_save_and_load(tmp_path, trained):
    trained.card.save(tmp_path / "card.toml")
    loaded = ModelCard.load(tmp_path / "card.toml")
    assert replace(loaded, source=None) == replace(trained.card, source=None)


def test_a_feature_missing_from_the_copybook_is_refused_by_name():
    card = _card()
    card = replace(card, features=card.features + (Feature("INCOME"),))
    err = _refusal(card)
    assert err.field == "INCOME" and "INCOME is not in record CUSTOMER-REC" in str(err)


def test_an_output_field_missing_from_the_copybook_is_refused_by_name():
    err = _refusal(_card(score=ScoreOutput(field="RISK-SCORE")))
    assert err.field == "RISK-SCORE" and "score field RISK-SCORE" in str(err)


def test_an_alphanumeric_score_field_is_refused():
    err = _refusal(_card(score=ScoreOutput(field="CUST-NAME")))
    assert err.field == "CUST-NAME" and "where a number must go" in str(err)


def test_an_alphanumeric_feature_not_declared_categorical_is_refused():
    card = _card()
    card = replace(card, features=card.features + (Feature("CUST-NAME"),))
    err = _refusal(card)
    assert err.field == "CUST-NAME" and "categorical = true" in str(err)


def test_a_model_id_longer_than_its_field_is_refused():
    err = _refusal(_card(model_id=ModelIdOutput(field="MODEL-ID", value="CUSTRISK01")))
    assert err.field == "MODEL-ID" and "10 characters" in str(err) and "holds 8" in str(err)


def test_a_band_label_longer_than_its_field_is_refused():
    bands = BandOutput(field="SCORE-BAND", bands=(Band(Decimal("0.5"), "LOW"), Band(Decimal("1"), "HIGH")))
    err = _refusal(_card(band=bands))
    assert err.field == "SCORE-BAND" and "'LOW'" in str(err)


def test_bands_that_leave_high_scores_without_a_band_are_refused():
    bands = BandOutput(field="SCORE-BAND", bands=(Band(Decimal("0.5"), "A"), Band(Decimal("0.9"), "B")))
    assert "would get no band" in str(_refusal(_card(band=bands)))


def test_a_reason_code_longer_than_its_field_is_refused():
    reasons = ReasonsOutput(field="REASON-CODE", count=4, table={"BALANCE": "BAL01"})
    err = _refusal(_card(reasons=reasons))
    assert err.field == "REASON-CODE" and "'BAL01'" in str(err)


def test_more_reason_codes_than_occurrences_is_refused():
    err = _refusal(_card(reasons=ReasonsOutput(field="REASON-CODE", count=5, table={"BALANCE": "R1"})))
    assert err.field == "REASON-CODE" and "occurs 4 times" in str(err) and "5 codes" in str(err)


def test_a_probability_that_cannot_hold_one_is_refused_when_overflow_is_an_error():
    record = customer_record(SCORE=item("SCORE", 75, 4, Kind.ZONED, "V9999", 4, 4))
    err = _refusal(_card(score=ScoreOutput(field="SCORE", on_overflow="error")), record)
    assert err.field == "SCORE" and "cannot hold a probability of 1" in str(err)
    _card(score=ScoreOutput(field="SCORE", on_overflow="clamp")).validate(record)


def test_a_points_scale_that_cannot_fit_the_picture_is_refused():
    points = ScoreOutput(field="SCORE", scale="points", points=PointsScale(min=300, max=850))
    bands = BandOutput(field="SCORE-BAND", bands=(Band(Decimal("850"), "A"),))
    err = _refusal(_card(score=points, band=bands))
    assert err.field == "SCORE" and "points range 300 to 850 does not fit" in str(err)


def test_a_probability_without_decimal_places_is_refused():
    record = customer_record(SCORE=item("SCORE", 75, 5, Kind.ZONED, "9(5)", 5, 0))
    assert "decimal places" in str(_refusal(_card(), record))


def test_a_status_code_that_does_not_fit_a_numeric_status_field_is_refused():
    record = customer_record(**{"SCORE-STATUS": item("SCORE-STATUS", 105, 1, Kind.ZONED, "9", 1)})
    err = _refusal(_card(), record)
    assert err.field == "SCORE-STATUS" and "'12'" in str(err)


def test_an_output_that_overwrites_a_feature_is_refused():
    err = _refusal(_card(model_id=ModelIdOutput(field="RISK-SEG", value="X")))
    assert err.field == "RISK-SEG" and "outputs must not overwrite inputs" in str(err)


def test_outputs_that_overlap_each_other_are_refused():
    err = _refusal(_card(status=StatusOutput(field="MODEL-ID")))
    assert "overlaps" in str(err)


def test_a_card_for_another_record_is_refused():
    err = _refusal(replace(_card(), record="ACCOUNT-REC"))
    assert "expects record ACCOUNT-REC" in str(err)


def test_a_malformed_card_file_is_refused_with_its_path(tmp_path):
    path = tmp_path / "card.toml"
    path.write_text("[model]\nid = \"X\"\n")
    with pytest.raises(ModelCardError) as err:
        ModelCard.load(path)
    assert str(path) in str(err.value) and "record" in str(err.value)


def test_an_unknown_missing_policy_is_refused(tmp_path):
    path = tmp_path / "card.toml"
    path.write_text('[model]\nid = "X"\nrecord = "R"\n[[features]]\nfield = "BALANCE"\non_missing = "zero"\n')
    with pytest.raises(ModelCardError, match="on_missing = 'zero' is not one of missing, reject, impute"):
        ModelCard.load(path)


# -- every card value is type-checked, with a message that names the key (issue 8) ----------

import copy  # noqa: E402
import datetime  # noqa: E402
import tomllib  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.conftest import ROOT  # noqa: E402

_SAMPLE = tomllib.loads((ROOT / "models" / "customer-risk" / "card.toml").read_text())


def _load_refusal(data) -> str:
    with pytest.raises(ModelCardError) as err:
        ModelCard.from_dict(data, source="m/card.toml")
    return str(err.value)


def test_rows_written_with_a_thousands_separator_is_refused_by_key_issue_8():
    data = copy.deepcopy(_SAMPLE)
    data["training"]["rows"] = "40,000"
    assert _load_refusal(data) == ("m/card.toml: [training] rows = '40,000' is text; it must be a whole number "
                                   "without quotes or separators (e.g. 40000)")


def test_a_categorical_flag_written_as_text_is_refused_by_key():
    data = copy.deepcopy(_SAMPLE)
    data["features"][7]["categorical"] = "yes"
    assert "[features 8] categorical = 'yes' is text; it must be true or false" in _load_refusal(data)


def test_points_with_an_unknown_key_are_refused_with_a_suggestion():
    data = copy.deepcopy(_SAMPLE)
    data["outputs"]["score"]["points"] = {"base_point": 600}
    assert "[outputs.score.points] has an unknown key base_point; did you mean base_points?" in _load_refusal(data)


def test_a_misspelt_policy_key_is_refused_rather_than_ignored():
    data = copy.deepcopy(_SAMPLE)
    data["features"][0]["on_mising"] = "reject"
    assert "[features 1] has an unknown key on_mising; did you mean on_missing?" in _load_refusal(data)


def test_a_section_that_is_not_a_table_is_refused():
    data = copy.deepcopy(_SAMPLE)
    data["model"] = "CUSTRISK"
    assert "[card] model = 'CUSTRISK' is text; it must be a table [model]" in _load_refusal(data)


def test_a_toml_date_and_a_numeric_version_are_read_as_text():
    data = copy.deepcopy(_SAMPLE)
    data["training"]["date"] = datetime.date(2026, 11, 28)
    data["model"]["version"] = 3
    card = ModelCard.from_dict(data)
    assert (card.training.date, card.version) == ("2026-11-28", "3")


def _paths(node, prefix=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, prefix + (i,))
    yield prefix


_PATHS = [p for p in _paths(_SAMPLE) if p]
_VALUES = st.one_of(st.text(max_size=8), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
                    st.booleans(), st.dates(), st.just([]), st.lists(st.integers(), max_size=3),
                    st.just({}), st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
                    st.lists(st.dictionaries(st.text(max_size=4), st.text(max_size=4), max_size=2), max_size=2))


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(_PATHS), value=_VALUES, delete=st.booleans())
def test_a_card_with_any_value_changed_loads_or_is_refused_as_a_card_error(path, value, delete):
    data = copy.deepcopy(_SAMPLE)
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    if delete and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    try:
        card = ModelCard.from_dict(data, source="fuzz/card.toml")
        card.validate(customer_record())
    except ModelCardError as exc:
        assert str(exc) and "\n" not in str(exc)


def test_a_card_that_is_not_utf8_or_nested_too_deeply_is_refused_in_one_line(tmp_path):
    latin = tmp_path / "latin.toml"
    latin.write_bytes(b'[model]\nid = "CAF\xc9"\n')
    with pytest.raises(ModelCardError, match=r"latin.toml: is not UTF-8 text \(byte 17\)"):
        ModelCard.load(latin)
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 50_000 + "]" * 50_000 + "\n")
    with pytest.raises(ModelCardError, match="nested too deeply"):
        ModelCard.load(deep)
    broken = tmp_path / "broken.toml"
    broken.write_text("[model\n")
    with pytest.raises(ModelCardError, match="broken.toml: is not valid TOML"):
        ModelCard.load(broken)
