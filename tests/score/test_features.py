"""Default training features (issue 9): no identifiers, one view of a REDEFINES, short codes as
categories, and a reason for every field left out."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import bridge
from bridge.cli.main import main
from bridge.records.api import write_records
from bridge.score.features import default_features
from bridge.testing import fake_table
from tests.conftest import COPYBOOKS

ACCOUNT = """\
       01  ACCT-REC.
           05  ACCT-NO            PIC 9(10).
           05  SEQ-VAL            PIC 9(7).
           05  BALANCE            PIC S9(7)V99 COMP-3.
           05  REGION             PIC X(3).
           05  HOLDER-NAME        PIC X(20).
           05  BRANCH             PIC X(4).
           05  PRODUCT            PIC X(2).
           05  OPEN-DATE          PIC 9(8).
           05  OPEN-DATE-R REDEFINES OPEN-DATE.
               10  OPEN-YYYY      PIC 9(4).
               10  OPEN-MMDD      PIC 9(4).
           05  MONTHLY-SPEND      PIC 9(5) OCCURS 3 TIMES.
           05  DEFAULT-FLAG       PIC 9.
           05  FILLER             PIC X(5).
"""


@pytest.fixture(scope="module")
def account(tmp_path_factory):
    path = tmp_path_factory.mktemp("cpy") / "acct.cpy"
    path.write_text(ACCOUNT)
    return bridge.load_copybook(path).record()


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(0)
    n = 400
    return pd.DataFrame({
        "ACCT-NO": rng.permutation(n) + 10**9,
        "SEQ-VAL": rng.permutation(n) * 7,
        "BALANCE": np.round(rng.normal(1000, 300, n), 2),
        "REGION": rng.choice(["NE", "SW", "MID"], n),
        "HOLDER-NAME": [f"HOLDER {i}" for i in range(n)],
        "BRANCH": [f"B{i:03d}" for i in rng.integers(0, 200, n)],
        "PRODUCT": ["CC"] * n,
        "OPEN-DATE": rng.choice([20200101, 20210615, 20221130], n),
        "OPEN-YYYY": rng.choice([2020, 2021], n),
        "OPEN-MMDD": rng.choice([101, 615], n),
        "DEFAULT-FLAG": rng.integers(0, 2, n),
    })


def test_an_account_number_is_left_out_as_an_identifier_by_its_name(account, frame):
    choice = default_features(account, frame, label="DEFAULT-FLAG")
    assert choice.left_out["ACCT-NO"] == "an identifier (name ends in NO)"


def test_a_whole_number_that_is_nearly_always_distinct_is_an_identifier(account, frame):
    choice = default_features(account, frame, label="DEFAULT-FLAG")
    assert choice.left_out["SEQ-VAL"] == "an identifier: 400 distinct whole numbers in 400 records"
    assert "BALANCE" in choice.features          # amounts are distinct too, but not whole numbers


def test_one_view_of_a_redefines_is_taken(account, frame):
    choice = default_features(account, frame, label="DEFAULT-FLAG")
    assert "OPEN-DATE" in choice.features
    assert choice.left_out["OPEN-YYYY"] == ("another view of OPEN-DATE (OPEN-DATE-R REDEFINES it); "
                                            "the first view is used")
    assert "OPEN-MMDD" in choice.left_out


def test_short_codes_are_categorical_and_other_text_is_left_out_with_the_reason(account, frame):
    choice = default_features(account, frame, label="DEFAULT-FLAG")
    assert choice.categorical == ["REGION"] and "REGION" in choice.features
    assert choice.left_out["HOLDER-NAME"].startswith("text of 20 characters with 400 distinct values")
    assert choice.left_out["BRANCH"].startswith("a code with ")
    assert choice.left_out["PRODUCT"] == "the same value (or blank) in every training record"


def test_tables_the_label_and_filler_are_not_features(account, frame):
    choice = default_features(account, frame, label="default-flag")
    assert choice.left_out["MONTHLY-SPEND"].startswith("inside an OCCURS table")
    assert "DEFAULT-FLAG" not in choice.features and "FILLER" not in choice.left_out
    assert choice.features == ["BALANCE", "REGION", "OPEN-DATE"]


def test_train_prints_the_features_used_and_left_out_and_keeps_them_in_the_metrics(tmp_path, capsys):
    history = COPYBOOKS / "customer_history.cpy"
    layout = bridge.load_copybook(history)
    table = fake_table(layout, 600, seed=5)
    rng = np.random.default_rng(5)
    table = table.set_column(table.schema.get_field_index("DEFAULTED-12M"), "DEFAULTED-12M",
                             pa.array(rng.integers(0, 2, 600)))
    table = table.set_column(table.schema.get_field_index("RISK-SEG"), "RISK-SEG",
                             pa.array(rng.choice(["RT", "PR", "SB"], 600)))
    data = tmp_path / "hist.dat"
    write_records(table, data, layout)
    rc = main(["train", str(data), "-c", str(history), "--label", "DEFAULTED-12M", "-o", str(tmp_path / "m"),
               "--rounds", "3", "--score-field", "SCORE", "--status-field", "SCORE-STATUS", "--band-field", "SCORE-BAND",
               "--bands", "0.5:L,1.0:H", "--reason-field", "REASON-CODE", "--model-id-field", "MODEL-ID"])
    assert rc == 0
    err = capsys.readouterr().err
    assert "mfbridge: left out CUST-ID: an identifier (name ends in ID)" in err
    assert "mfbridge: categorical (1): RISK-SEG" in err
    assert "mfbridge: left out CUST-NAME: text of 30 characters" in err
    metrics = json.loads((tmp_path / "m" / "metrics.json").read_text())
    assert "RISK-SEG" in metrics["feature_choice"]["categorical"]
    assert "CUST-ID" in metrics["feature_choice"]["left_out"]
    assert not {"SCORE", "SCORE-BAND", "MODEL-ID"} & set(metrics["feature_choice"]["used"])
    assert "REASON-CODE" not in metrics["feature_choice"]["left_out"]   # an output: not worth a line
