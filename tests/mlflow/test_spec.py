"""Model specs: the three MLflow forms are read without MLflow; anything else is refused with the accepted forms."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bridge.errors import ModelSourceError
from bridge.mlflow import is_mlflow_spec, parse_spec


def test_an_alias_spec_names_the_registered_model_and_its_alias() -> None:
    spec = parse_spec("mlflow:models:/credit-risk@champion")
    assert (spec.kind, spec.name, spec.alias, spec.uri) == ("alias", "credit-risk", "champion",
                                                            "models:/credit-risk@champion")


def test_a_version_spec_is_pinned_and_an_alias_spec_is_not() -> None:
    assert parse_spec("mlflow:models:/credit-risk/12").pinned
    assert parse_spec("mlflow:models:/credit-risk/12").version == "12"
    assert not parse_spec("mlflow:models:/credit-risk@champion").pinned


def test_a_run_spec_keeps_the_run_id_and_the_artifact_path() -> None:
    spec = parse_spec("mlflow:runs:/4f1c2b7e9a0d4c4f8e5a6b7c8d9e0f12/model")
    assert (spec.kind, spec.run_id, spec.path, spec.pinned) == ("run", "4f1c2b7e9a0d4c4f8e5a6b7c8d9e0f12",
                                                                 "model", True)


@pytest.mark.parametrize("place", ["models/credit-risk", "models:/credit-risk@champion", "/srv/models/v3", "MLFLOW:x"])
def test_a_folder_is_never_taken_for_a_spec(place: str) -> None:
    assert not is_mlflow_spec(place)


@pytest.mark.parametrize("text, says", [
    ("mlflow:models:/credit-risk", "names no alias and no version number"),
    ("mlflow:models:/credit-risk/latest", "names no alias and no version number"),
    ("mlflow:models:/credit-risk@", "is not an MLflow alias"),
    ("mlflow:models:/credit-risk@champ ion", "is not an MLflow alias"),
    ("mlflow:models:/team/credit-risk@champion", "model name 'team/credit-risk' is not a registered model name"),
    ("mlflow:models:/@champion", "model name '' is not a registered model name"),
    ("mlflow:runs:/4f1c2b/../../etc", "without '..'"),
    ("mlflow:runs:/4f1c2b", "needs the artifact path of the model folder"),
    ("mlflow:runs:/-x/model", "run id '-x' is not an MLflow run id"),
    ("mlflow:s3://bucket/model", "is not a model spec"),
    ("mlflow:models:/credit-risk@champion\n", "control characters"),
])
def test_a_malformed_spec_is_refused_with_the_forms_that_are_accepted(text: str, says: str) -> None:
    with pytest.raises(ModelSourceError) as caught:
        parse_spec(text)
    assert says in str(caught.value)
    assert "mlflow:models:/NAME@ALIAS" in str(caught.value) or "e.g. mlflow:runs:/" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_registry_that_cannot_give_the_model_is_the_environment_return_code_12() -> None:
    assert ModelSourceError("x").return_code == 12


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80).map(lambda s: "mlflow:" + s))
def test_any_text_after_the_prefix_parses_or_is_refused_in_one_line(text: str) -> None:
    try:
        spec = parse_spec(text)
    except ModelSourceError as exc:
        assert "\n" not in str(exc) and "\r" not in str(exc)
    else:
        assert spec.kind in ("alias", "version", "run")
        assert ".." not in spec.path.split("/")
