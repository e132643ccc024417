"""Compiled code is kept on disk by the model's digest, loaded instead of compiled the next
time, and a damaged cache file is ignored and rebuilt; a compile over budget falls back to the
array walk with a warning."""
from __future__ import annotations

import json
import logging
import stat
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pytest

import bridge.score.compiled.compiler as compiler
from bridge.score.compiled import compile_model
from bridge.score.compiled.cache import read_cached, write_cached



@pytest.fixture(scope="module")
def text() -> str:
    """A small model with a categorical feature (quick to compile, as the tests compile it often)."""
    rng = np.random.default_rng(10)
    X = rng.normal(size=(500, 4))
    X[:, 3] = rng.integers(0, 5, 500)
    y = (X[:, 0] + (X[:, 3] == 2) + rng.normal(size=500) > 0).astype(float)
    booster = lgb.train(dict(objective="binary", num_leaves=15, verbose=-1, num_threads=1, min_data_per_group=5),
                        lgb.Dataset(X, y, categorical_feature=[3]), 20)
    return booster.model_to_string()


@pytest.fixture(scope="module")
def rows() -> np.ndarray:
    X = np.random.default_rng(11).normal(size=(3000, 4))
    X[::7, 2] = np.nan
    X[:, 3] = np.arange(3000) % 7 - 1
    return X


def test_a_second_compile_of_the_same_model_is_loaded_from_the_cache(tmp_path, text, rows):
    first = compile_model(text, cache_dir=tmp_path)
    second = compile_model(text, cache_dir=tmp_path)
    assert (first.from_cache, second.from_cache) == (False, True)
    assert np.array_equal(first.predict(rows), second.predict(rows))


def test_the_cache_file_is_readable_by_its_owner_only(tmp_path, text):
    compile_model(text, cache_dir=tmp_path)
    files = list(tmp_path.glob("*.forest"))
    assert len(files) == 1
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600


def test_a_model_with_other_trees_does_not_hit_another_models_cache(tmp_path, text):
    compile_model(text, cache_dir=tmp_path)
    head, _, tail = text.partition("leaf_value=")
    other = head + "leaf_value=1" + tail.lstrip("-")   # the first leaf's value, sign flipped, plus 10
    assert other != text
    assert compile_model(other, cache_dir=tmp_path).from_cache is False
    assert compile_model(text, cache_dir=tmp_path).from_cache is True


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty"])
def test_a_damaged_cache_file_is_ignored_and_rebuilt(tmp_path, text, rows, damage):
    booster = lgb.Booster(model_str=text)
    compile_model(text, cache_dir=tmp_path)
    [path] = tmp_path.glob("*.forest")
    data = path.read_bytes()
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "flip":
        data = data[:-100] + bytes([data[-100] ^ 0xFF]) + data[-99:]
    elif damage == "garbage":
        data = b"\x7fELF" + bytes(range(256)) * 10
    else:
        data = b""
    path.write_bytes(data)
    again = compile_model(text, cache_dir=tmp_path)
    assert again.from_cache is False
    assert np.array_equal(again.predict(rows), booster.predict(rows))
    assert compile_model(text, cache_dir=tmp_path).from_cache is True


def test_a_cache_entry_with_a_valid_checksum_that_is_not_object_code_is_rebuilt(tmp_path, text, rows):
    forest = compile_model(text, cache_dir=tmp_path).forest
    [path] = tmp_path.glob("*.forest")
    key = json.loads(path.read_bytes().split(b"\n")[1])["key"]
    assert read_cached(tmp_path, key) is not None
    write_cached(tmp_path, key, [b"not object code"])
    assert read_cached(tmp_path, key) is None
    again = compile_model(text, cache_dir=tmp_path)
    assert again.from_cache is False and again.native and again.forest.digest == forest.digest
    assert np.array_equal(again.predict(rows), lgb.Booster(model_str=text).predict(rows))


def test_a_cache_folder_others_may_write_to_is_not_used(tmp_path, text):
    folder = tmp_path / "shared"
    folder.mkdir()
    compile_model(text, cache_dir=folder)
    assert compile_model(text, cache_dir=folder).from_cache is True
    folder.chmod(0o777)
    assert compile_model(text, cache_dir=folder).from_cache is False


def test_an_unwritable_cache_folder_does_not_stop_the_compile(tmp_path, text, rows):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    compiled = compile_model(text, cache_dir=blocker / "cache")
    assert compiled.native
    assert np.array_equal(compiled.predict(rows), lgb.Booster(model_str=text).predict(rows))


def test_a_compile_over_budget_falls_back_to_the_array_walk_and_says_so(tmp_path, text, rows, caplog):
    with caplog.at_level(logging.WARNING, logger="bridge.score.compiled"):
        compiled = compile_model(text, cache_dir=tmp_path, budget_seconds=0.001)
    assert not compiled.native
    assert "over the budget of 0.001 s; scoring with the array walk instead" in caplog.text
    splits = sum(t.num_nodes for t in compiled.forest.trees)
    assert compiled.fallback_reason and f"20 trees with {splits} splits" in compiled.fallback_reason
    booster = lgb.Booster(model_str=text)
    assert np.array_equal(compiled.predict(rows), booster.predict(rows))
    assert np.array_equal(compiled.predict(rows, raw_score=True), booster.predict(rows, raw_score=True))


def test_parts_compiled_in_worker_processes_link_into_one_model(tmp_path, text, rows, monkeypatch):
    monkeypatch.setattr(compiler, "PART_NODES", 60)
    compiled = compile_model(text, cache_dir=tmp_path, workers=2)
    assert np.array_equal(compiled.predict(rows), lgb.Booster(model_str=text).predict(rows))


def test_a_failing_compile_worker_is_reported_not_hung():
    from bridge.score.compiled import native
    with pytest.raises(RuntimeError, match="a compile worker failed"):
        native.compile_objects(iter(["this is not LLVM IR"] * 3), count=3, workers=2)


def test_compiled_code_is_kept_apart_from_the_mlflow_model_cache(monkeypatch, tmp_path):
    from bridge.mlflow.cache import default_cache_root
    from bridge.score.compiled.cache import default_cache_dir
    monkeypatch.delenv("MFBRIDGE_CACHE_DIR", raising=False)
    monkeypatch.delenv("MFBRIDGE_MODEL_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / "mfbridge" / "compiled"
    assert default_cache_dir() != default_cache_root()
