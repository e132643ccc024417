"""When MLflow cannot give the model: one line, return code 12, no traceback, and no file touched."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bridge.cli.main import main
from bridge.errors import ModelSourceError
from bridge.mlflow import resolve_model
from tests.mlflow.conftest import CUSTOMER, CUSTOMER_DAT, HISTORY, free_port, job_folder, require_mlflow

INSTALL = "pip install 'mainframe-bridge[mlflow]'"


def run(capsys, *args: object) -> tuple[int, str]:
    rc = main([str(a) for a in args])
    return rc, capsys.readouterr().err


@pytest.fixture
def without_mlflow(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "mlflow" or m.startswith("mlflow.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "mlflow", None)  # "import mlflow" fails as if it were not installed


@pytest.fixture
def unreachable(monkeypatch: pytest.MonkeyPatch) -> str:
    require_mlflow()
    uri = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    return uri


def test_without_the_extra_a_spec_names_the_package_to_install(without_mlflow) -> None:
    with pytest.raises(ModelSourceError) as caught:
        resolve_model("mlflow:models:/credit-risk@champion")
    assert str(caught.value) == ("mlflow:models:/credit-risk@champion: models from MLflow need the optional extra "
                                 f"(mlflow is not installed): {INSTALL}")


def test_score_without_the_extra_says_what_to_install_with_rc_12(capsys, without_mlflow, tmp_path) -> None:
    rc, err = run(capsys, "score", CUSTOMER_DAT, "-c", CUSTOMER, "--model", "mlflow:models:/credit-risk@champion",
                  "-o", tmp_path / "out.dat")
    assert rc == 12 and INSTALL in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out.dat").exists()


def test_train_with_mlflow_without_the_extra_stops_before_training(capsys, without_mlflow, tmp_path) -> None:
    rc, err = run(capsys, "train", CUSTOMER_DAT, "-c", HISTORY, "--label", "DEFAULTED-12M", "--mlflow",
                  "-o", tmp_path / "m")
    assert rc == 12 and INSTALL in err and not (tmp_path / "m").exists()


@pytest.mark.parametrize("option", [["--experiment", "nightly"], ["--register", "credit-risk"]])
def test_experiment_or_register_without_mlflow_is_a_usage_error(capsys, tmp_path, option) -> None:
    rc, err = run(capsys, "train", CUSTOMER_DAT, "-c", HISTORY, "--label", "DEFAULTED-12M", *option,
                  "-o", tmp_path / "m")
    assert rc == 2 and f"{option[0]} needs --mlflow" in err


def test_a_malformed_spec_is_a_usage_error_before_any_server_is_asked(capsys, tmp_path) -> None:
    rc, err = run(capsys, "score", CUSTOMER_DAT, "-c", CUSTOMER, "--model", "mlflow:models:/credit-risk",
                  "-o", tmp_path / "out.dat")
    assert rc == 2 and "names no alias and no version number" in err and "mlflow:models:/NAME@ALIAS" in err


def test_a_missing_model_folder_is_still_refused_as_a_folder(capsys, tmp_path) -> None:
    rc, err = run(capsys, "score", CUSTOMER_DAT, "-c", CUSTOMER, "--model", tmp_path / "nope", "-o", tmp_path / "o")
    assert rc == 2 and "does not exist" in err


def test_an_unreachable_server_is_one_line_with_rc_12(capsys, unreachable, tmp_path) -> None:
    rc, err = run(capsys, "score", CUSTOMER_DAT, "-c", CUSTOMER, "--model", "mlflow:models:/credit-risk@champion",
                  "-o", tmp_path / "out.dat")
    assert rc == 12
    assert err.strip().splitlines() == [err.strip()] and "Traceback" not in err
    assert f"the MLflow server at {unreachable} cannot be reached" in err and "MLFLOW_TRACKING_URI" in err
    assert not (tmp_path / "out.dat").exists()


def test_a_job_whose_registry_is_unreachable_stops_with_rc_12_before_claiming(capsys, unreachable, tmp_path) -> None:
    job = job_folder(tmp_path / "job", "mlflow:models:/credit-risk@champion")
    rc, err = run(capsys, "run", job, "--once")
    assert rc == 12 and len(err.strip().splitlines()) == 1
    assert "[job] model = 'mlflow:models:/credit-risk@champion'" in err and "cannot be reached" in err
    assert sorted(p.name for p in (tmp_path / "job" / "in").iterdir()) == ["CUSTEXT.D261202.dat",
                                                                          "CUSTEXT.D261202.dat.trg"]
    assert list((tmp_path / "job" / "out").iterdir()) == []


def test_a_pinned_version_already_cached_needs_no_server(unreachable, private_model_cache: Path) -> None:
    from bridge.mlflow import ModelCache
    from bridge.mlflow.registry import _entry
    from bridge.mlflow.spec import parse_spec

    spec = parse_spec("mlflow:models:/credit-risk/3")
    cache = ModelCache()
    folder = cache.fill(_entry(cache, spec, unreachable, "3"),
                        lambda t: ((t / "model.txt").write_text("m"), (t / "card.toml").write_text("c")))
    assert resolve_model(spec.text) == folder
    with pytest.raises(ModelSourceError, match="cannot be reached"):
        resolve_model("mlflow:models:/credit-risk@champion")  # an alias is always asked: it may have moved


@pytest.mark.parametrize("name", ["team/credit-risk", "credit-risk@v4", " credit-risk"])
def test_a_register_name_that_no_spec_could_name_is_refused_before_training(capsys, tmp_path, name) -> None:
    rc, err = run(capsys, "train", CUSTOMER_DAT, "-c", HISTORY, "--label", "DEFAULTED-12M", "--mlflow",
                  "--register", name, "-o", tmp_path / "m")
    assert rc == 2 and "is not a registered model name" in err and not (tmp_path / "m").exists()


def test_a_pinned_version_already_cached_is_used_even_without_mlflow(without_mlflow, monkeypatch) -> None:
    from bridge.mlflow import ModelCache
    from bridge.mlflow.registry import _entry
    from bridge.mlflow.spec import parse_spec

    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://mlflow.example.com:5000")
    spec = parse_spec("mlflow:runs:/0123456789abcdef/model")
    cache = ModelCache()
    folder = cache.fill(_entry(cache, spec, "http://mlflow.example.com:5000", ""),
                        lambda t: ((t / "model.txt").write_text("m"), (t / "card.toml").write_text("c")))
    assert resolve_model(spec.text) == folder


def test_training_whose_server_is_unreachable_keeps_the_folder_and_says_logging_failed(capsys, unreachable,
                                                                                         tmp_path) -> None:
    assert main(["fake", "-c", str(HISTORY), "-n", "200", "--seed", "5", "-o", str(tmp_path / "h.dat")]) == 0
    capsys.readouterr()
    rc, err = run(capsys, "train", tmp_path / "h.dat", "-c", HISTORY, "--label", "DEFAULTED-12M", "--positive", "1",
                  "--rounds", "5", "--mlflow", "--register", "credit-risk", "-o", tmp_path / "m")
    assert rc == 12 and "Traceback" not in err
    assert f"the model folder {tmp_path / 'm'} is written, but logging it to MLflow failed" in err
    assert f"the MLflow server at {unreachable} cannot be reached" in err
    assert (tmp_path / "m" / "model.txt").is_file() and (tmp_path / "m" / "card.toml").is_file()
