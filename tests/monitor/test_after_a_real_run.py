"""End to end: a canary job scores real drops with two real LightGBM models, the outcomes arrive in their own
copybook, `mfbridge evaluate` judges the history the run wrote and `mfbridge report` draws it."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from sklearn import metrics

from bridge import load_copybook, write_records
from bridge.cli.main import main
from bridge.pipeline.job import load_job
from bridge.pipeline.run import JobRunner
from bridge.rollout.history import History
from tests.conftest import COPYBOOKS
from tests.pipeline.jobfolder import _toml, job_text
from tests.rollout.conftest import extract, train

OUTCOME_CPY = """\
       01  OUTCOME-REC.
           05  OUT-CUST-ID      PIC 9(9) COMP.
           05  OUT-STATUS       PIC X(1).
"""


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    root = tmp_path_factory.mktemp("canary")
    champion = train(root / "v3", "CRISK-V3", seed=3)
    challenger = train(root / "v4", "CRISK-V4", seed=4)
    for name in ("inbox", "outbox"):
        (root / name).mkdir()
    rollout = {"champion": str(champion), "challenger": str(challenger), "mode": "canary", "share": 25,
               "key": "CUST-ID", "max_score_psi": 50.0}
    text = job_text(job={"copybook": str(COPYBOOKS / "customer.cpy"), "model": str(champion)})
    text += "[rollout]\n" + "".join(f"{k} = {_toml(v)}\n" for k, v in rollout.items())
    text += "[monitor]\nmin_auc = 0.2\n"
    (root / "job.toml").write_text(text)
    layout = load_copybook(COPYBOOKS / "customer.cpy")
    for name, seed in (("CUST.D1.dat", 5), ("CUST.D2.dat", 6)):
        extract(root / "inbox" / name, layout, 800, seed=seed)
        (root / "inbox" / f"{name}.trg").write_bytes(b"")
        assert JobRunner(load_job(root / "job.toml")).run_once().rc == 0
    rng = np.random.default_rng(0)
    keys = np.arange(1, 801)
    bad = rng.random(800) < 0.25
    cpy = root / "outcome.cpy"
    cpy.write_text(OUTCOME_CPY)
    write_records(pa.table({"OUT-CUST-ID": pa.array(keys, pa.int64()),
                            "OUT-STATUS": pa.array(np.where(bad, "D", "C"), pa.string())}),
                  root / "OUTCOMES.dat", load_copybook(cpy))
    return {"root": root, "job": root / "job.toml", "cpy": cpy, "bad": dict(zip(keys.astype(str), bad))}


def _history(ran) -> History:
    job = load_job(ran["job"])
    return History.open(job.history.path, job.history.folder)


def test_evaluate_judges_every_arm_the_canary_recorded_as_scikit_learn_does(ran, capsys):
    rc = main(["evaluate", str(ran["job"]), "--outcomes", str(ran["root"] / "OUTCOMES.dat"), "-c", str(ran["cpy"]),
               "--key", "out-cust-id", "--label", "OUT-STATUS", "--bad-values", "D"])
    assert rc == 0
    with _history(ran) as history:
        scores = history.scores().to_pandas()
        runs = history.runs()
        kpis = history.kpis()
    # the independent join: the second run's score of each key and arm
    last = scores[scores["run_id"] == runs["run_id"].iloc[-1]]
    assert set(last["arm"]) == {"champion", "challenger", "shadow"}
    for (model, arm), part in last.groupby(["model_id", "arm"]):
        y = part["key"].map(ran["bad"]).astype(bool)
        want = metrics.roc_auc_score(y, part["score"])
        got = kpis[(kpis["model_id"] == model) & (kpis["arm"] == arm) & (kpis["metric"] == "auc")]["value"]
        assert got.tolist() == [pytest.approx(want)], (model, arm)
    out = capsys.readouterr().out
    assert "The challenger (CRISK-V4): " in out and "The shadow (CRISK-V4): " in out
    assert "(DeLong, independent samples, on 800 records)" in out  # routed: different keys
    assert "(DeLong, on the same " in out  # the shadow: the champion's own keys


def test_the_report_draws_the_runs_the_job_recorded(ran, capsys):
    out = ran["root"] / "monitoring.html"
    assert main(["report", str(ran["job"]), "-o", str(out)]) == 0
    html = out.read_text()
    assert "2 runs from " in html and "1,600 records" in html
    assert 'id="fig-share"' in html and 'id="fig-scores"' in html and 'id="fig-volumes"' in html
    assert "setting: 25" in html
