"""`mfbridge report`: the monitoring page of a job's history; and the same page in a real headless Chromium."""
from __future__ import annotations

import os
import stat
from datetime import date

import pytest

from bridge.cli.main import main
from tests.monitor.conftest import history_at, record_runs, synthetic, write_job, write_outcomes

EVERY_FIGURE = {"fig-volumes", "fig-scores", "fig-psi", "fig-score-psi", "fig-kpi-auc", "fig-kpi-gini", "fig-kpi-ks",
                "fig-kpi-calibration-gap", "fig-kpi-value", "fig-calibration", "fig-share"}


def _history(folder):
    """Six days of canary runs (one with a guardrail fallback, one drifting), two evaluations, ramp events."""
    from bridge.rollout.history import RunRecord

    extra = "\n[monitor.costs]\nmissed_bad = 1000\nflagged_good = 100\n"
    job = write_job(folder, {"max_psi": 0.3, "min_auc": 0.6}, extra)
    keys, bad, champion, challenger = synthetic(1200)
    with history_at(folder) as history:
        record_runs(history, keys, champion, challenger, days=3, share=10)
        history.record_event("promote", "share 10% -> 25%", who="alice")
    cpy = write_outcomes(folder / "outcomes.dat", keys, bad)
    args = ["evaluate", str(job), "--outcomes", str(folder / "outcomes.dat"), "-c", str(cpy), "--key", "OUT-CUST-ID",
            "--label", "OUT-DEFAULT", "--bad-values", "Y"]
    assert main(args + ["--until", "2026-11-03"]) == 0
    with history_at(folder) as history:
        from tests.monitor import conftest

        conftest.FIRST_DAY, first = date(2026, 11, 5), conftest.FIRST_DAY
        try:
            record_runs(history, keys, champion, challenger * 0.7, days=3, share=25,
                        psi={"BALANCE": 0.41, "TXN-COUNT": 0.12, "UTILISATION-PCT": None})
        finally:
            conftest.FIRST_DAY = first
        history.record_run(RunRecord("R20261108-0001", "custscore", "CUST.D261108.dat", "2026-11-08T02:00:00Z",
                                     "2026-11-08T02:04:00Z", 4, 400, "canary", 25, "CUSTRISK", "CUSTRISK5",
                                     "challenger score PSI 0.41 against the champion, above 0.25"), [], None)
    assert main(args + ["--since", "2026-11-04"]) == 4  # BALANCE's PSI 0.41 crosses max_psi 0.3
    return job


@pytest.fixture(scope="module")
def monitoring(tmp_path_factory):
    folder = tmp_path_factory.mktemp("monitoring")
    job = _history(folder)
    out = folder / "monitoring.html"
    assert main(["report", str(job), "-o", str(out)]) == 0
    return out


def test_the_page_is_written_owner_only(monitoring):
    assert stat.S_IMODE(os.stat(monitoring).st_mode) == 0o600


def test_the_page_draws_every_section_of_the_history(monitoring):
    html = monitoring.read_text()
    for fid in EVERY_FIGURE:
        assert f'id="{fid}"' in html, fid
    for heading in ("Volumes and return codes per run", "Score distribution over time",
                    "Feature drift against training (PSI)", "KPIs on outcomes over time", "Canary share over time",
                    "Events"):
        assert f">{heading}<" in html


def test_the_overview_says_runs_return_codes_fallbacks_and_the_last_run(monitoring):
    html = monitoring.read_text()
    assert ("7 runs from 2026-11-02 to 2026-11-08, 2,800 records; 1 ended with RC 4 and 0 with RC 8 or more; the "
            "challenger was set aside by a guardrail on 1. Last run R20261108-0001 (canary, challenger share 25%): "
            "RC 4.") in html
    assert "4 guardrail or threshold events; the latest, " in html


def test_every_guardrail_threshold_and_ramp_event_is_listed(monitoring):
    html = monitoring.read_text()
    assert "challenger score PSI 0.41 against the champion, above 0.25" in html  # guardrail (from record_run)
    assert "ALERT max_psi: run R20261105-0001: feature BALANCE has a PSI of 0.410" in html  # threshold
    assert "share 10% -&gt; 25%" in html and "alice" in html  # promote


def test_a_feature_without_a_baseline_has_a_row_but_no_coloured_cell(monitoring):
    html = monitoring.read_text()
    assert ">UTILISATION-PCT</text>" in html and "UTILISATION-PCT PSI" not in html


def test_an_unknown_value_shows_as_an_empty_cell_not_nan(monitoring):
    assert ">nan<" not in monitoring.read_text()


def test_the_score_psi_and_the_canary_share_are_plotted_per_run(monitoring):
    html = monitoring.read_text()
    assert "2026-11-05 setting: 25" in html and "2026-11-02 setting: 10" in html
    assert "2026-11-02 observed: 100" in html  # the synthetic runs score every record with both models


def test_calibration_of_the_latest_evaluation_is_drawn_per_decile(monitoring):
    html = monitoring.read_text()
    assert "Calibration, 2026-11-04 to 2026-11-07: expected (mean score) and observed bad rate per score decile" in html
    assert "decile 10 champion CUSTRISK observed: " in html and "decile 1 champion CUSTRISK expected: " in html


def test_the_job_thresholds_are_dashed_lines_on_their_plots(monitoring):
    html = monitoring.read_text()
    auc = html[html.index('id="fig-kpi-auc"'):html.index('id="fig-kpi-gini"')]
    assert auc.count('stroke-dasharray="4 3"') == 1


def test_a_job_without_a_history_exits_8_saying_to_run_it_first(tmp_path, capsys):
    job = write_job(tmp_path)
    assert main(["report", str(job), "-o", str(tmp_path / "m.html")]) == 8
    assert "no history at" in capsys.readouterr().err
    assert not (tmp_path / "m.html").exists()


def test_an_empty_history_gives_a_page_that_says_so(tmp_path, capsys):
    job = write_job(tmp_path)
    history_at(tmp_path).close()
    assert main(["report", str(job), "-o", str(tmp_path / "m.html")]) == 0
    assert "The history holds no run yet" in (tmp_path / "m.html").read_text()


def test_the_page_opens_in_headless_chromium_with_every_figure_no_request_and_no_error(monitoring,
                                                                                      tmp_path_factory):
    from tests.integration.test_report_in_chromium import _non_white_share, _open

    page = _open(monitoring, {"figures": [{"id": f} for f in sorted(EVERY_FIGURE)]}, tmp_path_factory,
                 os.environ.get("BRIDGE_MONITORING_SCREENSHOT"))
    assert _non_white_share(page["png"]) > 0.02
    requests = [e["params"]["request"]["url"] for e in page["events"] if e.get("method") == "Network.requestWillBeSent"]
    assert requests == [page["url"]]
    errors = [e for e in page["events"]
              if e.get("method") == "Runtime.exceptionThrown"
              or (e.get("method") == "Runtime.consoleAPICalled" and e["params"]["type"] in ("error", "assert"))
              or (e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")]
    assert errors == []
    assert {fid: page["figures"].get(fid) for fid in EVERY_FIGURE} == {fid: 1 for fid in EVERY_FIGURE}


def test_damaged_history_rows_draw_no_point_and_stop_nothing(tmp_path, capsys):
    """Rows written by hand or a damaged tool: a histogram of text, PSI as a list, counts that are not numbers."""
    seeded = _history_with_damage(tmp_path)
    assert main(["report", str(seeded), "-o", str(tmp_path / "m.html")]) == 0
    html = (tmp_path / "m.html").read_text()
    assert 'id="fig-volumes"' in html and "BROKEN" in html


def _history_with_damage(folder):
    import sqlite3

    from bridge.monitor.settings import history_places
    from bridge.pipeline.job import load_job

    job = write_job(folder, {"max_psi": 0.1, "max_score_psi": 0.1})
    keys, bad, champion, challenger = synthetic(300)
    with history_at(folder) as history:
        record_runs(history, keys, champion, challenger, days=1)
    places = history_places(load_job(job))
    db = sqlite3.connect(places.path)
    db.execute("INSERT INTO runs VALUES ('BROKEN', 'custscore', 'x', '2026-11-09T00:00:00Z', NULL, 'x', 'many', "
               "'canary', 'ten', 'A', 'B', NULL)")
    db.execute("INSERT INTO arm_stats VALUES ('BROKEN', 'champion', 'A', 'x', 'y', '{}', '{\"edges\": \"x\"}', "
               "'{}', '{}', '[1, 2]', 'abc', NULL)")
    db.execute("INSERT INTO arm_stats VALUES ('BROKEN', 'challenger', 'B', 1, 1, '{}', "
               "'{\"edges\": [0, 1], \"counts\": [\"a\"]}', '{}', '{}', '{\"F\": \"high\"}', NULL, NULL)")
    db.execute("INSERT INTO arm_stats VALUES ('BROKEN2', 'challenger', 'B', 'lots', 1, '{}', '{}', '{}', '{}', "
               "'{}', NULL, NULL)")
    db.execute("INSERT INTO runs VALUES ('BROKEN2', 'custscore', 'x', '2026-11-10T00:00:00Z', NULL, 0, 5, "
               "'canary', 10, 'A', 'B', NULL)")
    db.commit()
    db.close()
    write_outcomes(folder / "outcomes.dat", keys, bad)
    return job


def test_damaged_history_rows_do_not_stop_the_thresholds_of_evaluate(tmp_path, capsys):
    job = _history_with_damage(tmp_path)
    rc = main(["evaluate", str(job), "--outcomes", str(tmp_path / "outcomes.dat"), "-c",
               str(tmp_path / "outcomes.cpy"), "--key", "OUT-CUST-ID", "--label", "OUT-DEFAULT", "--bad-values", "Y"])
    assert rc in (0, 4)
    assert "internal error" not in capsys.readouterr().err
