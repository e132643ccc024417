"""MLflow is an optional extra: nothing imports it until an mlflow: spec or --mlflow asks for it."""
from __future__ import annotations

import inspect
import os
import subprocess
import sys

import bridge.mlflow as bm

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_scoring_a_folder_and_loading_a_job_never_import_mlflow() -> None:
    code = ("import sys, bridge, bridge.mlflow, bridge.score, bridge.pipeline.job, bridge.cli.main, bridge.cli.score\n"
            "from bridge.mlflow import model_folder, parse_spec\n"
            "model_folder('models/customer-risk'); parse_spec('mlflow:models:/m@champion')\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'mlflow'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": ROOT}, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_relative_model_folder_is_relative_to_the_base_and_an_absolute_one_is_kept(tmp_path) -> None:
    assert bm.model_folder("models/v3", tmp_path) == tmp_path / "models" / "v3"
    assert bm.model_folder("/srv/models/v3", tmp_path) == bm.model_folder("/srv/models/v3")


def test_public_names_are_all_listed_in_sorted_order() -> None:
    public = {n for n, v in vars(bm).items() if not n.startswith("_") and not inspect.ismodule(v) and n != "annotations"}
    assert public == set(bm.__all__)
    assert bm.__all__ == sorted(bm.__all__)
