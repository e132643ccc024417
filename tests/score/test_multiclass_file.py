"""A multiclass model scoring a whole file (issue 10): the class code, its probability and every
class's probability land in their fields, every other byte is unchanged."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import lightgbm as lgb
import numpy as np
import pytest

import bridge
from bridge.records.api import read_records, write_records
from bridge.score.card import (
    ClassOutput,
    Feature,
    ModelCard,
    ModelIdOutput,
    Outputs,
    ProbabilitiesOutput,
    ScoreOutput,
    StatusOutput,
)
from bridge.score.file import score_file
from bridge.testing import fake_table

COPYBOOK = """\
       01  ACCT-REC.
           05  ACCT-ID          PIC 9(8).
           05  BALANCE          PIC S9(7)V99 COMP-3.
           05  MONTHS           PIC 9(3).
           05  SEGMENT          PIC X(2).
           05  RESULT-AREA.
               10  CLASS-CODE   PIC 9(1).
               10  CLASS-PROB   PIC 9V999 OCCURS 3 TIMES.
               10  CLASS-P      PIC 9V9999 COMP-3.
               10  MODEL-ID     PIC X(8).
               10  SCORE-STATUS PIC X(2).
           05  FILLER           PIC X(5).
"""
FEATURES = ["BALANCE", "MONTHS"]


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    folder = tmp_path_factory.mktemp("multiclass")
    cpy = folder / "acct.cpy"
    cpy.write_text(COPYBOOK)
    layout = bridge.load_copybook(cpy)
    data = folder / "ACCT.dat"
    write_records(fake_table(layout, 2000, seed=5), data, layout)
    frame = read_records(data, layout)
    X = np.column_stack([frame[f].astype("float64").to_numpy() for f in FEATURES])
    y = np.digitize(np.nan_to_num(X[:, 1]), [300, 700])
    booster = lgb.train({"objective": "multiclass", "num_class": 3, "num_leaves": 7, "verbose": -1,
                         "num_threads": 1}, lgb.Dataset(X, y, feature_name=FEATURES), 6)
    model = folder / "model"
    model.mkdir()
    booster.save_model(str(model / "model.txt"))
    ModelCard(model_id="ACCTCLS1", version="1", record="ACCT-REC", objective="multiclass",
              features=tuple(Feature(f) for f in FEATURES),
              outputs=Outputs(score=ScoreOutput(field="CLASS-P"), klass=ClassOutput(field="CLASS-CODE",
                                                                                   codes=("1", "2", "3")),
                              probabilities=ProbabilitiesOutput(field="CLASS-PROB"),
                              model_id=ModelIdOutput(field="MODEL-ID", value="ACCTCLS1"),
                              status=StatusOutput(field="SCORE-STATUS"))).save(model / "card.toml")
    out = folder / "ACCT.scored"
    score_file(data, out, layout, model)
    return layout, data, out, booster.predict(X)


def test_every_byte_outside_the_result_area_is_unchanged(scored):
    layout, data, out, _ = scored
    lrecl = layout.records[0].length
    before = np.frombuffer(data.read_bytes(), dtype=np.uint8).reshape(-1, lrecl)
    after = np.frombuffer(out.read_bytes(), dtype=np.uint8).reshape(-1, lrecl)
    area = layout.records[0].field("RESULT-AREA")
    outside = np.ones(lrecl, dtype=bool)
    outside[area.offset:area.offset + area.length] = False
    assert np.array_equal(before[:, outside], after[:, outside])


def test_the_class_code_and_probabilities_are_lightgbms_rounded_half_up(scored):
    layout, _, out, expected = scored
    got = read_records(out, layout)
    best = expected.argmax(axis=1)
    assert got["CLASS-CODE"].astype("int64").tolist() == (best + 1).tolist()

    def rounded(p, places):
        return Decimal(repr(float(p))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)

    assert got["CLASS-P"].tolist()[:300] == [rounded(p[k], 4) for p, k in zip(expected[:300], best[:300])]
    for k in range(3):
        assert got[f"CLASS-PROB({k + 1})"].tolist()[:300] == [rounded(p[k], 3) for p in expected[:300]]
    assert set(got["SCORE-STATUS"]) == {"00"}
