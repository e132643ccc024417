"""Start-up of a scoring run: LightGBM is not imported where the compiled model answers (issue 10).

Importing LightGBM costs more CPU than the whole of a small scoring run (it imports
scipy.sparse, and scikit-learn, pandas and Dask when installed). What a test can hold without
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


def _imported_after(args: list[str], cache) -> tuple[str, set[str]]:
    code = ("import sys\nfrom bridge.cli.main import main\n"
            f"rc = main({args!r})\n"
            f"print('IMPORTED', rc, *[m for m in {TRAINING_ONLY!r} if m in sys.modules], file=sys.stderr)")
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


def test_scoring_with_the_compiled_model_does_not_import_lightgbm(ten_records, tmp_path):
    cache = tmp_path / "models"
    cache.mkdir(mode=0o700)
    scored = tmp_path / "SCORED.dat"
    args = ["score", str(ten_records), "-c", str(COPYBOOKS / "customer.cpy"), "--model", str(MODEL),
            "-o", str(scored), "--quiet"]
    assert _imported_after(args, cache) == ("0", set())     # compiles the model into the cache
    assert _imported_after(args, cache) == ("0", set())     # and loads it from there
    assert scored.stat().st_size == ten_records.stat().st_size


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
