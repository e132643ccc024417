"""The model cache: an entry exists only complete, private, once per model version or run."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from bridge.errors import ModelSourceError
from bridge.mlflow import ModelCache
from bridge.mlflow.cache import default_cache_root


def _model_files(temp: Path) -> None:
    (temp / "model.txt").write_text("tree\n")
    (temp / "card.toml").write_text("[model]\n")


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_filled_entry_holds_the_files_owner_only(tmp_path: Path) -> None:
    cache = ModelCache(tmp_path / "cache")
    entry = cache.fill(cache.entry("credit-risk-v3", "http://mlflow:5000", "model", "credit-risk", "3"), _model_files)
    assert cache.get(entry) == entry
    assert _mode(cache.root) == 0o700 and _mode(entry) == 0o700
    assert {p.name: _mode(p) for p in entry.iterdir()} == {"model.txt": 0o600, "card.toml": 0o600}


def test_a_fetch_that_fails_leaves_neither_an_entry_nor_a_partial_folder(tmp_path: Path) -> None:
    cache = ModelCache(tmp_path / "cache")
    entry = cache.entry("m-v1", "uri", "model", "m", "1")

    def broken(temp: Path) -> None:
        (temp / "model.txt").write_text("half a mod")
        raise OSError("connection reset while downloading")

    with pytest.raises(OSError, match="connection reset"):
        cache.fill(entry, broken)
    assert list(cache.root.iterdir()) == []
    assert cache.get(entry) is None


def test_artifacts_without_the_card_are_refused_naming_what_is_missing(tmp_path: Path) -> None:
    cache = ModelCache(tmp_path / "cache")
    with pytest.raises(ModelSourceError, match="the model's artifacts have no card.toml"):
        cache.fill(cache.entry("m-v1", "uri", "model", "m", "1"), lambda t: (t / "model.txt").write_text("x"))
    assert list(cache.root.iterdir()) == []


def test_a_second_fill_racing_the_first_keeps_the_complete_copy_already_there(tmp_path: Path) -> None:
    cache = ModelCache(tmp_path / "cache")
    entry = cache.entry("m-v1", "uri", "model", "m", "1")

    def other_run_wins(temp: Path) -> None:
        _model_files(temp)
        cache.fill(entry, lambda t: (_model_files(t), (t / "card.toml").write_text("[model] # first\n")))

    assert cache.fill(entry, other_run_wins) == entry
    assert (entry / "card.toml").read_text() == "[model] # first\n"
    assert [p.name for p in cache.root.iterdir()] == [entry.name]


def test_an_incomplete_leftover_entry_is_replaced_not_merged(tmp_path: Path) -> None:
    cache = ModelCache(tmp_path / "cache")
    entry = cache.entry("m-v1", "uri", "model", "m", "1")
    entry.mkdir(parents=True, mode=0o700)
    (entry / "stray.bin").write_text("left by hand")
    os.chmod(cache.root, 0o700)
    assert cache.get(entry) is None
    cache.fill(entry, _model_files)
    assert sorted(p.name for p in entry.iterdir()) == ["card.toml", "model.txt"]


def test_a_cache_folder_that_others_may_write_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    root.mkdir()
    os.chmod(root, 0o777)
    with pytest.raises(ModelSourceError) as caught:
        ModelCache(root).fill(ModelCache(root).entry("m", "k"), _model_files)
    assert "may be written by others (mode 0777)" in str(caught.value) and "MFBRIDGE_MODEL_CACHE" in str(caught.value)


def test_a_cache_folder_that_is_a_link_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    (tmp_path / "cache").symlink_to(real)
    with pytest.raises(ModelSourceError, match="is a link"):
        ModelCache(tmp_path / "cache").get(tmp_path / "cache" / "x")


def test_entries_differ_by_server_and_version_and_a_hostile_name_stays_inside_the_cache(tmp_path: Path) -> None:
    cache = ModelCache(tmp_path)
    a = cache.entry("m-v1", "http://a:5000", "model", "m", "1")
    assert a != cache.entry("m-v1", "http://b:5000", "model", "m", "1")
    assert a != cache.entry("m-v2", "http://a:5000", "model", "m", "2")
    hostile = cache.entry("../../etc/passwd\x00-v1", "uri", "model", "../../etc/passwd", "1")
    assert hostile.parent == tmp_path and "/" not in hostile.name and not hostile.name.startswith(".")


def test_the_cache_folder_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("MFBRIDGE_MODEL_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_root() == tmp_path / "xdg" / "mfbridge" / "models"
    monkeypatch.setenv("MFBRIDGE_MODEL_CACHE", str(tmp_path / "mine"))
    assert default_cache_root() == tmp_path / "mine"
