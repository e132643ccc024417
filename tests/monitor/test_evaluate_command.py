"""`mfbridge evaluate`: outcomes joined to the history's scores, KPIs recorded, said in words, thresholds raise RC 4."""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from sklearn import metrics

from bridge.cli.main import main
from tests.monitor.conftest import CHALLENGER, CHAMPION, history_at, record_runs, synthetic, write_job, write_outcomes


def _evaluate(seeded, *extra: str) -> int:
    return main(["evaluate", str(seeded["job"]), "--outcomes", str(seeded["outcomes"]), "-c", str(seeded["cpy"]),
                 "--key", "OUT-CUST-ID", "--label", "OUT-DEFAULT", "--bad-values", "Y", *extra])


def _kpis(folder) -> pd.DataFrame:
    with history_at(folder) as history:
        return history.kpis()


def _value(kpis: pd.DataFrame, model: str, metric: str) -> pd.Series:
    row = kpis[(kpis["model_id"] == model) & (kpis["metric"] == metric)]
    assert len(row) == 1, f"{model} {metric}: {len(row)} rows"
    return row.iloc[0]


def test_recorded_auc_precision_and_recall_equal_scikit_learn_on_the_joined_data(seeded, capsys):
    assert _evaluate(seeded, "--cut", "0.3") == 0
    kpis = _kpis(seeded["folder"])
    bad = seeded["bad"]
    for model, scores in ((CHAMPION, seeded["champion"]), (CHALLENGER, seeded["challenger"])):
        assert _value(kpis, model, "auc")["value"] == pytest.approx(metrics.roc_auc_score(bad, scores), abs=1e-12)
        for cut in (0.15, 0.3):  # the card's decision threshold (reasons when = "score>=0.15") and --cut
            flagged = scores >= cut
            assert _value(kpis, model, f"precision@{cut:g}")["value"] == \
                pytest.approx(metrics.precision_score(bad, flagged))
            assert _value(kpis, model, f"recall@{cut:g}")["value"] == pytest.approx(metrics.recall_score(bad, flagged))
            assert _value(kpis, model, f"f1@{cut:g}")["value"] == pytest.approx(metrics.f1_score(bad, flagged))
        tn, fp, fn, tp = metrics.confusion_matrix(bad, scores >= 0.15).ravel()
        assert [_value(kpis, model, f"{m}@0.15")["value"] for m in ("tn", "fp", "fn", "tp")] == [tn, fp, fn, tp]
    auc = _value(kpis, CHAMPION, "auc")
    assert auc["lo"] < auc["value"] < auc["hi"] and auc["n"] == 3000
    assert set(kpis["period_start"]) == {"2026-11-02"} and set(kpis["period_end"]) == {"2026-11-04"}


def test_band_cut_offs_flag_the_band_and_every_worse_one(seeded, capsys):
    assert _evaluate(seeded) == 0
    kpis = _kpis(seeded["folder"])
    flagged = seeded["champion"] > 0.40  # band D: above C's upper bound 0.40
    assert _value(kpis, CHAMPION, "recall@band>=D")["value"] == pytest.approx(
        metrics.recall_score(seeded["bad"], flagged))


def test_the_summary_says_the_difference_its_interval_p_and_significance(seeded, capsys):
    assert _evaluate(seeded) == 0
    out = capsys.readouterr().out
    assert "The challenger's AUC is 0.131 higher than the champion's (0.860 against 0.729; 95% CI of the " \
           "difference 0.103 to 0.158), p < 0.001 (DeLong, on the same 3,000 records): significant at 5%." in out
    assert "Outcomes " in out and "3,000 records, 611 bad (label OUT-DEFAULT in Y)." in out
    diff = _value(_kpis(seeded["folder"]), CHALLENGER, "auc_difference")
    assert diff["value"] == pytest.approx(0.131, abs=5e-4) and diff["lo"] > 0


def test_the_bootstrap_is_the_documented_alternative_to_delong(tmp_path, capsys):
    seeded = _seed(tmp_path, monitor={"test": "bootstrap", "resamples": 200, "seed": 7})
    assert _evaluate(seeded) == 0
    assert "(paired bootstrap, on 3,000 records): significant at 5%." in capsys.readouterr().out


def _seed(folder, *, monitor=None, extra="", n=3000, split=False, days=3, psi=None):
    job = write_job(folder, monitor, extra)
    keys, bad, champion, challenger = synthetic(n)
    with history_at(folder) as history:
        if split:  # a routed canary: each key scored by one arm only
            _record_split(history, keys, champion, challenger)
        else:
            record_runs(history, keys, champion, challenger, days=days, psi=psi)
    cpy = write_outcomes(folder / "outcomes.dat", keys, bad)
    return {"job": job, "keys": keys, "bad": bad, "champion": champion, "challenger": challenger,
            "outcomes": folder / "outcomes.dat", "cpy": cpy, "folder": folder}


def _record_split(history, keys, champion, challenger):
    from datetime import date

    from bridge.rollout.history import RunRecord

    day = date(2026, 11, 2)
    to_challenger = np.arange(len(keys)) % 10 == 0
    rows = []
    for arm, model, scores, mask in (("champion", CHAMPION, champion, ~to_challenger),
                                     ("challenger", CHALLENGER, challenger, to_challenger)):
        n = int(mask.sum())
        rows.append(pa.table({"key": pa.array(keys[mask], pa.string()), "score": scores[mask],
                              "band": pa.nulls(n, pa.string()), "model_id": [model] * n, "arm": [arm] * n,
                              "run_id": ["R1"] * n, "date": pa.array([day] * n, pa.date32()),
                              "status": ["00"] * n}))
    history.record_run(RunRecord("R1", "custscore", "F.dat", "2026-11-02T02:00:00Z", "2026-11-02T02:01:00Z", 0,
                                 len(keys), "canary", 10, CHAMPION, CHALLENGER), [], pa.concat_tables(rows))


def test_routed_canary_arms_are_compared_as_independent_samples(tmp_path, capsys):
    seeded = _seed(tmp_path, split=True)
    assert _evaluate(seeded) == 0
    out = capsys.readouterr().out
    assert "(DeLong, independent samples, on 3,000 records)" in out
    kpis = _kpis(tmp_path)
    mask = np.arange(3000) % 10 == 0
    assert _value(kpis, CHALLENGER, "auc")["value"] == pytest.approx(
        metrics.roc_auc_score(seeded["bad"][mask], seeded["challenger"][mask]))
    assert _value(kpis, CHALLENGER, "records")["value"] == 300


def test_a_threshold_crossed_gives_rc_4_an_alert_line_and_an_event(tmp_path, capsys):
    seeded = _seed(tmp_path, monitor={"min_auc": 0.75, "max_psi": 0.025})
    assert _evaluate(seeded) == 4
    out = capsys.readouterr().out
    assert "ALERT min_auc: the champion CUSTRISK has an AUC of 0.729 on 2026-11-02 to 2026-11-04, below 0.75" in out
    assert "ALERT max_psi: run R20261103-0001: feature TXN-COUNT has a PSI of 0.040 against training under the " \
           "challenger CUSTRISK5, above 0.025" in out
    with history_at(tmp_path) as history:
        events = history.events()
    assert set(events["kind"]) == {"threshold"}
    assert any(m.startswith("ALERT min_auc: the champion CUSTRISK") for m in events["message"])
    assert "R20261102-0001" in set(events["run_id"].dropna())


def test_thresholds_that_hold_give_rc_0_and_no_alert(tmp_path, capsys):
    seeded = _seed(tmp_path, monitor={"min_auc": 0.6, "max_psi": 0.5, "max_score_psi": 0.1})
    assert _evaluate(seeded) == 0
    assert "ALERT" not in capsys.readouterr().out
    with history_at(tmp_path) as history:
        assert len(history.events()) == 0


def test_a_ks_drop_is_measured_from_the_first_evaluation_of_that_model_and_arm(tmp_path, capsys):
    seeded = _seed(tmp_path, monitor={"max_ks_drop": 0.05})
    with history_at(tmp_path) as history:
        from bridge.rollout.history import KpiRow

        history.record_kpis([KpiRow("2026-10-01T00:00:00Z", "2026-09-01", "2026-09-30", CHAMPION, "champion", "ks",
                                    0.45)])
    assert _evaluate(seeded) == 4
    assert "ALERT max_ks_drop: the champion CUSTRISK's KS fell from 0.450 (its first evaluation) to 0.345, a drop " \
           "of 0.105, more than 0.05" in capsys.readouterr().out


def test_value_against_no_model_and_against_the_champion_under_the_cost_matrix(tmp_path, capsys):
    extra = "\n[monitor.costs]\ncurrency = \"EUR\"\nmissed_bad = 1000\nflagged_good = 100\n"
    seeded = _seed(tmp_path, monitor={}, extra=extra)
    assert _evaluate(seeded) == 0
    bad = seeded["bad"]
    no_model = 1000.0 * bad.sum()

    def cost(scores):  # flagged at the card's cut 0.15: declined
        flagged = scores >= 0.15
        return 1000.0 * (bad & ~flagged).sum() + 100.0 * (~bad & flagged).sum()

    kpis = _kpis(tmp_path)
    assert _value(kpis, CHAMPION, "value")["value"] == pytest.approx(no_model - cost(seeded["champion"]))
    assert _value(kpis, CHALLENGER, "value_vs_champion")["value"] == pytest.approx(
        cost(seeded["champion"]) - cost(seeded["challenger"]))
    out = capsys.readouterr().out
    assert f"value against no model: {no_model - cost(seeded['champion']):,.0f} EUR" in out
    assert "value against the champion: " in out and " EUR more on the period." in out


def test_a_band_action_cost_matrix_decides_by_the_stored_band(tmp_path, capsys):
    extra = ("\n[monitor.costs]\nno_model = \"accept\"\n[monitor.costs.actions]\naccept = { bad = 1000, good = 0 }\n"
             "review = { bad = 400, good = 20 }\ndecline = { bad = 0, good = 150 }\n"
             "[monitor.costs.bands]\nA = \"accept\"\nB = \"accept\"\nC = \"review\"\nD = \"decline\"\n")
    seeded = _seed(tmp_path, monitor={}, extra=extra)
    assert _evaluate(seeded) == 0
    s, bad = seeded["champion"], seeded["bad"]
    review, decline = (s > 0.15) & (s <= 0.40), s > 0.40
    accept = ~review & ~decline
    want = 1000 * (bad & accept).sum() + 400 * (bad & review).sum() + 20 * (~bad & review).sum() \
        + 150 * (~bad & decline).sum()
    assert _value(_kpis(tmp_path), CHAMPION, "cost")["value"] == pytest.approx(want)


def test_the_latest_score_of_a_key_within_the_period_is_the_one_judged(tmp_path):
    from datetime import date

    from bridge.monitor.outcomes import latest_scores

    days = [date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 3)]
    scores = pa.table({"key": ["K1", "K1", "K1", "K2"], "score": [0.1, 0.2, 0.3, 0.9], "band": [None] * 4,
                       "model_id": ["M"] * 4, "arm": ["champion"] * 4, "run_id": ["a", "b", "c", "a"],
                       "date": pa.array(days + [days[0]], pa.date32()), "status": ["00"] * 4})
    runs = pd.DataFrame({"run_id": ["a", "b", "c"], "started": ["2026-11-01T01", "2026-11-02T01", "2026-11-03T01"]})
    latest = latest_scores(scores, runs, until=date(2026, 11, 2))
    assert dict(zip(latest["key"], latest["score"])) == {"K1": 0.2, "K2": 0.9}
    latest = latest_scores(scores, runs, since=date(2026, 11, 2))
    assert dict(zip(latest["key"], latest["score"])) == {"K1": 0.3}


def test_outcomes_without_a_key_or_a_valid_label_are_left_out_and_counted(tmp_path):
    from bridge.copybook import load_copybook
    from bridge.monitor.outcomes import read_outcomes

    cpy = tmp_path / "o.cpy"
    cpy.write_text("       01  O.\n           05  K  PIC X(4).\n           05  L  PIC 9(1).\n")
    # cp037: "K001" bad, "K002" good, blank key, "K003" with a space in the numeric label, "K001" again good
    data = b"".join(k.encode("cp037") + lab for k, lab in
                    (("K001", b"\xf1"), ("K002", b"\xf0"), ("    ", b"\xf1"), ("K003", b"\x40"), ("K001", b"\xf0")))
    (tmp_path / "o.dat").write_bytes(data)
    got = read_outcomes(tmp_path / "o.dat", load_copybook(str(cpy)), key="K", label="L", bad_values=["1"])
    assert (got.records, got.no_label, got.repeated) == (5, 1, 1)
    assert dict(zip(got.frame["key"], got.frame["bad"])) == {"K001": False, "K002": False, "": True}


def test_text_bad_values_for_a_numeric_label_are_refused_with_an_example(tmp_path):
    from bridge.copybook import load_copybook
    from bridge.errors import JobError
    from bridge.monitor.outcomes import read_outcomes

    cpy = tmp_path / "o.cpy"
    cpy.write_text("       01  O.\n           05  K  PIC X(4).\n           05  L  PIC 9(1).\n")
    (tmp_path / "o.dat").write_bytes("K001".encode("cp037") + b"\xf1")
    with pytest.raises(JobError, match=r"the label field L is numeric: bad values Y must be numbers \(--bad-values"):
        read_outcomes(tmp_path / "o.dat", load_copybook(str(cpy)), key="K", label="L", bad_values=["Y"])


def test_outcomes_that_match_no_stored_score_exit_8_saying_what_to_check(tmp_path, capsys):
    seeded = _seed(tmp_path)
    write_outcomes(seeded["outcomes"], [f"X{i}" for i in range(5)], [True, False, True, False, False])
    assert _evaluate(seeded) == 8
    err = capsys.readouterr().err
    assert "none of the 5 outcome keys of" in err and "check --key (OUT-CUST-ID) and the period" in err


def test_a_job_without_history_exits_8_saying_to_run_it_first(tmp_path, capsys):
    job = write_job(tmp_path)
    cpy = write_outcomes(tmp_path / "o.dat", ["C1"], [True])
    rc = main(["evaluate", str(job), "--outcomes", str(tmp_path / "o.dat"), "-c", str(cpy), "--key", "OUT-CUST-ID",
               "--label", "OUT-DEFAULT"])
    assert rc == 8 and "no history at" in capsys.readouterr().err


def test_an_unknown_monitor_key_is_refused_naming_it(tmp_path, capsys):
    seeded = _seed(tmp_path, monitor={"min_aux": 0.7})
    assert _evaluate(seeded) == 8
    assert "unknown key(s) in [monitor]: min_aux; accepted: " in capsys.readouterr().err


def test_a_dry_run_says_the_kpis_and_records_nothing(seeded, capsys):
    assert _evaluate(seeded, "--dry-run") == 0
    assert "AUC 0.729" in capsys.readouterr().out
    assert len(_kpis(seeded["folder"])) == 0


def test_every_month_evaluates_each_calendar_month_on_its_own_latest_scores(tmp_path, capsys):
    from tests.monitor import conftest

    seeded = _seed(tmp_path, days=3)  # 2, 3 and 4 November
    first = conftest.FIRST_DAY
    conftest.FIRST_DAY = date(2026, 12, 1)
    try:
        with history_at(tmp_path) as history:  # the same keys scored again on 1-3 December
            record_runs(history, seeded["keys"], seeded["challenger"], seeded["champion"], days=3)
    finally:
        conftest.FIRST_DAY = first
    assert _evaluate(seeded, "--every", "month") == 0
    kpis = _kpis(tmp_path)
    auc = kpis[(kpis["metric"] == "auc") & (kpis["model_id"] == CHAMPION)]
    assert list(zip(auc["period_start"], auc["period_end"])) == [("2026-11-01", "2026-11-30"),
                                                                  ("2026-12-01", "2026-12-31")]
    # December's champion scores are the November challenger's: each month judges its own scores
    assert auc["value"].tolist() == [pytest.approx(metrics.roc_auc_score(seeded["bad"], seeded["champion"])),
                                     pytest.approx(metrics.roc_auc_score(seeded["bad"], seeded["challenger"]))]
    out = capsys.readouterr().out
    assert "Period 2026-11-01 to 2026-11-30: 6,000 scores with an outcome." in out
    assert "Period 2026-12-01 to 2026-12-31: 6,000 scores with an outcome." in out


def test_periods_are_clipped_to_since_and_until():
    from bridge.cli.evaluate import periods

    days = [date(2026, 1, 30), date(2026, 2, 3), date(2026, 2, 27)]
    assert periods(days, "month", date(2026, 1, 15), date(2026, 2, 20)) == [
        (date(2026, 1, 15), date(2026, 1, 31)), (date(2026, 2, 1), date(2026, 2, 20))]
    assert periods(days, "week", None, None)[0] == (date(2026, 1, 26), date(2026, 2, 1))
    assert periods(days, "period", None, None) == [(None, None)]


def test_a_key_field_the_outcome_copybook_lacks_exits_8_naming_it(seeded, capsys):
    rc = main(["evaluate", str(seeded["job"]), "--outcomes", str(seeded["outcomes"]), "-c", str(seeded["cpy"]),
               "--key", "CUST-NO", "--label", "OUT-DEFAULT"])
    assert rc == 8 and "CUST-NO" in capsys.readouterr().err


def test_outcomes_without_a_single_bad_case_say_the_auc_cannot_be_computed(seeded, capsys):
    write_outcomes(seeded["outcomes"], seeded["keys"], np.zeros(len(seeded["keys"]), dtype=bool))
    assert _evaluate(seeded) == 0
    out = capsys.readouterr().out
    assert "The champion (CUSTRISK): 3,000 records, 0 bad: AUC cannot be computed without both bad and good " \
           "cases." in out
    auc = _value(_kpis(seeded["folder"]), CHAMPION, "auc")
    assert auc["value"] is None or np.isnan(auc["value"])


def test_the_json_form_holds_the_sentences_the_kpi_rows_and_the_alerts_owner_only(tmp_path, capsys):
    import json
    import os
    import stat

    seeded = _seed(tmp_path, monitor={"min_auc": 0.75})
    assert _evaluate(seeded, "--json", str(tmp_path / "eval.json")) == 4
    doc = json.loads((tmp_path / "eval.json").read_text())
    assert stat.S_IMODE(os.stat(tmp_path / "eval.json").st_mode) == 0o600
    (only,) = doc["evaluations"]
    assert only["summary"] == capsys.readouterr().out.splitlines()[1:]
    assert {r["metric"] for r in only["kpis"]} >= {"auc", "ks", "gini", "precision@0.15", "auc_difference"}
    assert [a["key"] for a in only["alerts"]] == ["min_auc"]


def test_a_json_file_in_a_missing_folder_is_refused_before_any_work(seeded, capsys):
    assert _evaluate(seeded, "--json", str(seeded["folder"] / "no" / "e.json")) == 2
    assert "does not exist" in capsys.readouterr().err
