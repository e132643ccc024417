"""The run report and the champion/challenger comparison."""
from __future__ import annotations

import json

import numpy as np

from bridge.score.model import Model
from bridge.score.report import RunReport
from bridge.score.shadow import compare
from bridge.score.train import train_model

from .conftest import FEATURES, customer_frame, customer_outputs


def test_the_report_counts_records_status_missing_and_invalid_values(model_dir, record, tmp_path):
    model = Model.load(model_dir, record)
    report = RunReport(model, source="CUST.EXTRACT")
    for seed in (30, 31):
        report.add(model.score(customer_frame(500, seed=seed)), records_read=501, invalid_by_field={"BALANCE": 3})
    d = report.to_dict()
    assert d["records"]["read"] == 1002 and d["records"]["scored"] == 1000
    assert sum(d["records"]["by_status"].values()) == 1000
    assert d["invalid_values"] == {"BALANCE": 6}
    assert set(d["missing_features"]) == {"BALANCE", "RISK-SEG", "DELINQ-COUNT"}
    assert sum(d["score"]["histogram"].values()) == 1000 and set(d["score"]["bands"]) <= set("ABCD")
    assert set(d["drift"]["features"]) == set(FEATURES) and d["drift"]["score"]["flag"] is False
    json_path, text_path = report.write(tmp_path / "run.json")
    assert json.loads(json_path.read_text())["records"]["read"] == 1002
    assert "records read 1002, scored 1000" in text_path.read_text()


def test_the_report_flags_a_drifted_feature(model_dir, record):
    model = Model.load(model_dir, record)
    frame = customer_frame(800, seed=32)
    frame["MONTHS-ON-BOOK"] = frame["MONTHS-ON-BOOK"].astype("int64") + 400
    report = RunReport(model)
    report.add(model.score(frame))
    assert report.to_dict()["drift"]["features"]["MONTHS-ON-BOOK"]["flag"] is True
    assert "DRIFT: MONTHS-ON-BOOK" in report.summary()


def test_not_scored_records_are_reported_by_reason(model_dir, record):
    model = Model.load(model_dir, record)
    result = model.score(customer_frame(50, seed=33))
    result.status[:3] = "08"
    result.status_counts = {"08": 3, "00": 47}
    report = RunReport(model)
    report.add(result)
    assert report.to_dict()["records"]["not_scored"] == {"08 not scored: invalid key input": 3}


def test_a_challenger_is_compared_on_scores_and_bands(frame, trained, record):
    challenger = train_model(frame, label="DEFAULT", features=FEATURES, categorical=["RISK-SEG"], seed=99,
                             params={"num_iterations": 10}, model_id="CUSTR002", record="CUSTOMER-REC",
                             outputs=customer_outputs())
    champion = Model(trained.card, trained.booster, record)
    other = Model(challenger.card, challenger.booster, record)
    batch = customer_frame(600, seed=34)
    a, b = champion.score(batch), other.score(batch)
    result = compare(a, b)
    assert result["both_scored"] == 600
    assert result["max_abs_difference"] == np.abs(a.probability - b.probability).max()
    assert result["same_band_share"] == (a.band == b.band).mean()
    assert sum(result["bands"].values()) == 600 and result["correlation"] > 0.5
    report = RunReport(champion, shadow=other)
    report.add(a, shadow=b)
    assert report.to_dict()["shadow"]["challenger"] == "CUSTR002"


def test_the_report_files_are_readable_by_their_owner_only(model_dir, record, tmp_path):
    import stat

    model = Model.load(model_dir, record)
    report = RunReport(model)
    report.add(model.score(customer_frame(50, seed=40)), records_read=50)
    paths = report.write(tmp_path / "run.json")
    assert [stat.S_IMODE(p.stat().st_mode) for p in paths] == [0o600, 0o600]
