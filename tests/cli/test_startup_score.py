"""Start-up of a scoring run: a small file is scored with what decoding it needs and no more (issue 10).

Importing LightGBM costs more CPU than the whole of a small scoring run (it imports
scipy.sparse, and scikit-learn, pandas and Dask when installed); pandas, numba and llvmlite
(the compiled model) each cost more than scoring ten records. What a test can hold without
timing is what the run imports; ``bench/bench_startup.py`` measures the time.
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import COPYBOOKS, ROOT

MODEL = ROOT / "models" / "customer-risk"
TRAINING_ONLY = ("lightgbm", "sklearn")
# pandas: the features go from Arrow to the matrix; numba: kernels' small paths, the numpy walk and
# TreeSHAP's numpy path; llvmlite: the compiled model is not loaded for ten records
SMALL_RUN_HEAVY = (*TRAINING_ONLY, "pandas", "numba", "llvmlite", "scipy")


def _imported_after(args: list[str], cache, watch: tuple[str, ...] = TRAINING_ONLY) -> tuple[str, set[str]]:
    code = ("import sys\nfrom bridge.cli.main import main\n"
            f"rc = main({args!r})\n"
            f"print('IMPORTED', rc, *[m for m in {watch!r} if m in sys.modules], file=sys.stderr)")
    env = {"PYTHONPATH": str(ROOT), "MFBRIDGE_CACHE_DIR": str(cache), "HOME": os.environ.get("HOME", "/tmp")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env)
    _, rc, *heavy = done.stderr.splitlines()[-1].split()
    return rc, set(heavy)


@pytest.fixture(scope="module")
def ten_records(tmp_path_factory):
    import bridge
    from bridge.testing import fake_table

    layout = bridge.load_copybook(COPYBOOKS / "customer.cpy")
    path = tmp_path_factory.mktemp("startup-score") / "CUST10.dat"
    bridge.write_records(fake_table(layout, 10, seed=1), path, layout)
    return path


def test_scoring_with_the_compiled_model_does_not_import_lightgbm(tmp_path):
    import bridge
    from bridge.testing import fake_table

    layout = bridge.load_copybook(COPYBOOKS / "customer.cpy")
    records = tmp_path / "CUST3000.dat"     # past the numpy walk's rows: the compiled model scores them
    bridge.write_records(fake_table(layout, 3000, seed=1), records, layout)
    cache = tmp_path / "models"
    cache.mkdir(mode=0o700)
    scored = tmp_path / "SCORED.dat"
    args = ["score", str(records), "-c", str(COPYBOOKS / "customer.cpy"), "--model", str(MODEL),
            "-o", str(scored), "--quiet"]
    assert _imported_after(args, cache) == ("0", set())     # compiles the model into the cache
    assert any(cache.iterdir())
    assert _imported_after(args, cache) == ("0", set())     # and loads it from there
    assert scored.stat().st_size == records.stat().st_size


def test_scoring_ten_records_imports_neither_pandas_nor_numba_nor_the_compiled_model(ten_records, tmp_path):
    cache = tmp_path / "models"
    cache.mkdir(mode=0o700)
    args = ["score", str(ten_records), "-c", str(COPYBOOKS / "customer.cpy"), "--model", str(MODEL),
            "-o", str(tmp_path / "SCORED.dat"), "--quiet"]
    assert _imported_after(args, cache, SMALL_RUN_HEAVY) == ("0", set())
    assert not any(cache.iterdir())       # nothing compiled either


def test_a_small_file_scored_without_numba_is_the_file_the_compiled_paths_write(tmp_path, monkeypatch, capsys):
    """Forty records, five of them with reason codes: the kernels' small paths, the numpy walk and
    TreeSHAP's numpy path in a fresh process write the bytes that numba's kernels, the compiled
    model and the TreeSHAP kernel write in this one."""
    import bridge
    from bridge.cli.main import main
    from bridge.codec import jit
    from bridge.score import model as model_module
    from bridge.score import reasons
    from bridge.testing import fake_table

    layout = bridge.load_copybook(COPYBOOKS / "customer.cpy")
    records = tmp_path / "CUST40.dat"
    bridge.write_records(fake_table(layout, 40, seed=7), records, layout)
    cache = tmp_path / "models"
    cache.mkdir(mode=0o700)
    small, compiled = tmp_path / "SMALL.dat", tmp_path / "COMPILED.dat"
    args = ["score", str(records), "-c", str(COPYBOOKS / "customer.cpy"), "--model", str(MODEL), "-o"]
    watch = ("numba", "llvmlite")
    assert _imported_after([*args, str(small), "--quiet"], cache, watch) == ("0", set())
    monkeypatch.setenv("MFBRIDGE_CACHE_DIR", str(cache))
    monkeypatch.setattr(model_module, "SMALL_ROWS", 0)
    monkeypatch.setattr(reasons, "SMALL_ROWS", 0)
    jit.activate()
    assert main([*args, str(compiled)]) == 0
    assert "reasons computed for 5" in capsys.readouterr().err
    assert any(cache.iterdir())
    assert small.read_bytes() == compiled.read_bytes()


def test_the_scores_of_a_loaded_model_are_lightgbms(ten_records):
    """The booster of `Model.load` answers from the model text; LightGBM's own predict, loaded on
    demand, agrees with the compiled model the scorer uses."""
    import lightgbm as lgb
    import numpy as np

    import bridge
    from bridge.score.model import Model, feature_matrix

    layout = bridge.load_copybook(COPYBOOKS / "customer.cpy")
    model = Model.load(MODEL, layout.record())
    X = feature_matrix(model.card, bridge.read_records(ten_records, layout)).X
    reference = lgb.Booster(model_file=str(MODEL / "model.txt"))
    assert model.booster.feature_name() == reference.feature_name()
    np.testing.assert_array_equal(model.booster.predict(X), reference.predict(X))
    assert np.max(np.abs(model.predict(X) - reference.predict(X))) <= 1e-12


def test_a_loaded_models_booster_pickles_as_lightgbms_does():
    import pickle

    import bridge
    from bridge.score.model import Model

    layout = bridge.load_copybook(COPYBOOKS / "customer.cpy")
    booster = Model.load(MODEL, layout.record()).booster
    again = pickle.loads(pickle.dumps(booster))
    assert again.feature_name() == booster.feature_name()
    assert again.model_to_string() == booster.model_to_string()
