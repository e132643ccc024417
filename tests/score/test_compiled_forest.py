"""The compiler's `Forest` comes from the one reader of model.txt (issue 10): the trees the file
check read and checked, not a second parse of the text that could disagree with the first."""
from __future__ import annotations

from pathlib import Path

import pytest

import bridge.score.compiled.booster as booster_module
from bridge.errors import ModelFileError
from bridge.score.compiled import forest_of, read_forest
from bridge.score.model_text import parse_model_text, read_model_text
from bridge.score.text_booster import TextBooster

DEMO_MODEL = Path(__file__).parents[2] / "models" / "customer-risk" / "model.txt"


def test_the_forest_of_a_checked_model_is_its_trees_without_a_copy():
    model = read_model_text(DEMO_MODEL)
    forest = forest_of(model)
    assert forest.trees is model.trees
    assert (forest.num_features, forest.num_class, forest.trees_per_iteration) == (8, 1, 1)
    assert (forest.objective, forest.transform, forest.sigmoid) == ("binary", "sigmoid", 1.0)


def test_the_digest_is_of_the_trees_not_of_what_follows_them():
    text = DEMO_MODEL.read_text()
    assert "\nparameters:" in text
    checked = parse_model_text(text).lightgbm_text()
    assert read_forest(text).digest == read_forest(checked).digest == forest_of(parse_model_text(text)).digest
    changed = text.replace("[learning_rate: 0.05]", "[learning_rate: 0.5]")
    assert changed != text and read_forest(changed).digest == read_forest(text).digest


def test_a_loaded_model_is_compiled_from_the_trees_read_at_load_without_reading_its_text_again(monkeypatch):
    model = read_model_text(DEMO_MODEL)
    seen = []

    def no_second_parse(*args, **kwargs):
        raise AssertionError("the model text was parsed a second time")

    from bridge.score.compiled import compiler   # compiled_for imports it on first use
    monkeypatch.setattr(compiler, "compile_model", no_second_parse)
    monkeypatch.setattr(compiler, "compile_forest", lambda forest: seen.append(forest) or "compiled")
    assert booster_module.compiled_for(TextBooster(model)) == "compiled"
    assert seen[0].trees is model.trees


def test_a_damaged_text_given_to_the_compiler_is_refused_by_the_model_file_check():
    text = DEMO_MODEL.read_text().replace("num_class=1", "num_class=2", 1)
    with pytest.raises(ModelFileError) as err:
        read_forest(text)
    assert "key num_class: objective binary has one output" in str(err.value)
