"""Scoring whole files: outputs are LightGBM's own predictions, every other byte is unchanged."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pytest

import bridge
from bridge.cli.main import main
from bridge.errors import ModelCardError
from bridge.records.api import read_records, write_records
from bridge.score.file import score_file
from bridge.testing import fake_table
from tests.conftest import COPYBOOKS, ROOT

MODEL = ROOT / "models" / "customer-risk"
OUTPUT_AREA = (75, 107)  # SCORE-AREA of CUSTOMER-REC: SCORE .. SCORE-STATUS, 0-based, end exclusive


@pytest.fixture(scope="module")
def layout():
    return bridge.load_copybook(COPYBOOKS / "customer.cpy")


@pytest.fixture(scope="module")
def extract(tmp_path_factory, layout) -> Path:
    path = tmp_path_factory.mktemp("score") / "CUSTEXT.dat"
    write_records(fake_table(layout, 3000, seed=11), path, layout)
    return path


@pytest.fixture(scope="module")
def scored(tmp_path_factory, layout, extract) -> Path:
    out = tmp_path_factory.mktemp("scored") / "CUSTEXT.scored"
    score_file(extract, out, layout, MODEL)
    return out


def test_scored_file_differs_from_its_input_only_inside_the_output_fields(extract, scored):
    before = np.frombuffer(extract.read_bytes(), dtype=np.uint8).reshape(-1, 117)
    after = np.frombuffer(scored.read_bytes(), dtype=np.uint8).reshape(-1, 117)
    assert before.shape == after.shape
    outside = np.ones(117, dtype=bool)
    outside[OUTPUT_AREA[0]:OUTPUT_AREA[1]] = False
    assert np.array_equal(before[:, outside], after[:, outside])


def test_scores_are_lightgbm_predictions_rounded_half_up_to_the_picture(layout, extract, scored):
    features = read_records(extract, layout)
    booster = lgb.Booster(model_file=str(MODEL / "model.txt"))
    card = bridge.score.card.ModelCard.load(MODEL / "card.toml")
    from bridge.score.model import feature_matrix

    expected = booster.predict(feature_matrix(card, features[list(card.feature_names)]).X)
    got = read_records(scored, layout, columns=["SCORE"])["SCORE"]
    for p, s in zip(expected[:500], got[:500]):
        assert Decimal(repr(float(p))).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP) == s


def test_every_scored_record_carries_the_model_id_and_a_band(layout, scored):
    df = read_records(scored, layout, columns=["MODEL-ID", "SCORE-BAND", "SCORE-STATUS"])
    assert set(df["MODEL-ID"]) == {"CUSTRISK"}
    assert set(df["SCORE-BAND"]) <= {"A", "B", "C", "D"}
    assert set(df["SCORE-STATUS"]) <= {"00", "02", "04"}


def test_reason_codes_are_given_exactly_where_the_card_condition_holds(layout, scored):
    df = read_records(scored, layout, columns=["SCORE", "REASON-CODE(1)"])
    selected = df["SCORE"].astype("float64") >= 0.15
    assert (df.loc[selected, "REASON-CODE(1)"] != "").all()
    assert (df.loc[~selected, "REASON-CODE(1)"] == "").all()


def test_a_card_for_another_record_is_refused_before_any_record_is_read(tmp_path, extract):
    layout = bridge.load_copybook(COPYBOOKS / "policy.cpy")
    with pytest.raises(ModelCardError, match="expects record CUSTOMER-REC"):
        score_file(extract, tmp_path / "out.dat", layout, MODEL)
    assert not (tmp_path / "out.dat").exists()


def test_bridge_score_command_writes_the_scored_file_and_a_report(tmp_path, extract):
    out, report = tmp_path / "out.dat", tmp_path / "run.json"
    rc = main(["score", str(extract), "-c", str(COPYBOOKS / "customer.cpy"), "--model", str(MODEL),
               "-o", str(out), "--report", str(report)])
    assert rc == 0
    assert out.stat().st_size == extract.stat().st_size
    import json

    data = json.loads(report.read_text())
    assert data["records"]["read"] == 3000
    assert report.with_suffix(".txt").exists()


def test_shadow_model_is_compared_in_the_report_but_never_written(tmp_path, layout, extract, scored):
    out = tmp_path / "out.dat"
    result = score_file(extract, out, layout, MODEL, shadow_dir=MODEL)
    assert out.read_bytes() == scored.read_bytes()
    assert "shadow" in result.report


def test_bridge_train_writes_a_model_ready_to_score(tmp_path):
    history = COPYBOOKS / "customer_history.cpy"
    data = tmp_path / "hist.dat"
    layout = bridge.load_copybook(history)
    table = fake_table(layout, 2000, seed=3)
    rng = np.random.default_rng(3)
    import pyarrow as pa

    table = table.set_column(table.schema.get_field_index("DEFAULTED-12M"), "DEFAULTED-12M",
                             pa.array(rng.integers(0, 2, 2000)))
    write_records(table, data, layout)
    folder = tmp_path / "m"
    rc = main(["train", str(data), "-c", str(history), "--label", "DEFAULTED-12M",
               "--features", "BALANCE,DELINQ-COUNT,RISK-SEG", "--categorical", "RISK-SEG", "-o", str(folder),
               "--rounds", "5", "--score-field", "SCORE", "--band-field", "SCORE-BAND", "--bands", "0.5:L,1.0:H",
               "--reason-field", "REASON-CODE", "--model-id-field", "MODEL-ID", "--status-field", "SCORE-STATUS"])
    assert rc == 0
    assert {p.name for p in folder.iterdir()} >= {"model.txt", "card.toml", "metrics.json"}
    out = tmp_path / "scored.dat"
    score_file(data, out, bridge.load_copybook(COPYBOOKS / "customer.cpy"), folder)
    assert read_records(out, layout, columns=["MODEL-ID"])["MODEL-ID"].iloc[0] == "M"


def test_training_twice_gives_the_same_trees(tmp_path):
    history = COPYBOOKS / "customer_history.cpy"
    layout = bridge.load_copybook(history)
    data = tmp_path / "hist.dat"
    import pyarrow as pa

    table = fake_table(layout, 1500, seed=4)
    label = np.random.default_rng(4).integers(0, 2, 1500)
    table = table.set_column(table.schema.get_field_index("DEFAULTED-12M"), "DEFAULTED-12M", pa.array(label))
    write_records(table, data, layout)
    trees = []
    for name in ("a", "b"):
        rc = main(["train", str(data), "-c", str(history), "--label", "DEFAULTED-12M", "--features",
                   "BALANCE,TXN-COUNT", "-o", str(tmp_path / name), "--rounds", "5", "--seed", "9"])
        assert rc == 0
        trees.append((tmp_path / name / "model.txt").read_text().split("parameters:")[0])
    assert trees[0].count("\nTree=") == 5
    assert trees[0] == trees[1]


def test_variable_records_too_short_for_the_output_fields_are_counted_as_not_scored(tmp_path, layout, extract):
    from bridge.frame import FrameOptions, read_batch, write_batches

    batch = read_batch(extract, FrameOptions(recfm="F", lrecl=117))
    batch.lengths[:3] = 60  # three records that end before the prediction area (byte 76)
    vfile = tmp_path / "v.dat"
    write_batches(vfile, [batch], FrameOptions(recfm="V"))
    out = tmp_path / "v.scored"
    result = score_file(vfile, out, layout, MODEL, recfm="V")
    assert result.report["records"]["not_scored"]["not scored: record too short for the output fields"] == 3
    assert result.scored == 3000 - 3
    assert out.read_bytes()[:4 + 60] == vfile.read_bytes()[:4 + 60]


def test_a_challenger_may_read_features_the_champion_does_not(tmp_path, layout, extract):
    from bridge.score.train import train_model

    df = read_records(extract, layout)
    df["Y"] = (df["TXN-COUNT"].astype("int64") % 2).astype("int64")
    trained = train_model(df, label="Y", features=["CUST-ID", "TXN-COUNT"], seed=1, params={"num_iterations": 3},
                          record="CUSTOMER-REC")
    challenger = tmp_path / "challenger"
    trained.save(challenger)
    result = score_file(extract, tmp_path / "out.dat", layout, MODEL, shadow_dir=challenger)
    assert "shadow" in result.report


def test_text_outputs_written_as_coded_columns_are_the_bytes_plain_strings_write(tmp_path, monkeypatch, layout, extract,
                                                                                  scored):
    import bridge.score.file as file_module

    monkeypatch.setattr(file_module, "_coded_columns", lambda result: result.columns())
    plain = tmp_path / "plain.scored"
    score_file(extract, plain, layout, MODEL)
    assert plain.read_bytes() == scored.read_bytes()
    reasons = read_records(scored, layout, columns=["REASON-CODE(1)"])["REASON-CODE(1)"]
    assert 0 < (reasons != "").sum() < len(reasons)  # the comparison covers records with and without reasons


def test_a_failed_early_load_of_the_native_code_is_met_again_by_the_prediction_which_scores_the_file(tmp_path, monkeypatch, layout,
                                                                                extract, scored):
    import bridge.score.compiled.booster as booster_module

    import threading

    calls = []

    def failing_once(booster):
        calls.append(threading.current_thread().name)
        if threading.current_thread().name == "bridge-compile":
            raise RuntimeError("the early load failed")
        return real(booster)

    real = booster_module.compiled_for
    monkeypatch.setattr(booster_module, "compiled_for", failing_once)
    monkeypatch.setattr("bridge.score.model.compiled_for", failing_once)
    out = tmp_path / "again.scored"
    score_file(extract, out, layout, MODEL)
    assert out.read_bytes() == scored.read_bytes()
    assert "bridge-compile" in calls and any(name != "bridge-compile" for name in calls)
