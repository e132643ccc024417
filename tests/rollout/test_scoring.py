"""A file scored under a rollout: routed outputs, sticky arms, guardrails that fall back to the champion."""
from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from bridge.records.api import read_records
from bridge.rollout.config import RolloutConfig
from bridge.rollout.ramp import Plan
from bridge.rollout.routing import buckets, routed
from bridge.rollout.scoring import score_rollout
from bridge.score.file import score_file
from tests.rollout.conftest import extract

RECORDS = 3000


@pytest.fixture(scope="module")
def source(tmp_path_factory, layout):
    return extract(tmp_path_factory.mktemp("in") / "CUSTEXT.dat", layout, RECORDS)


def run(models, layout, source, out, *, challenger="challenger", mode="canary", share=25, key="CUST-ID", **limits):
    config = RolloutConfig(champion=models["champion"], champion_text="v3", challenger=models[challenger],
                           challenger_text=challenger, mode=mode, share=share, key=key,
                           **{"max_score_psi": 50.0, **limits})
    plan = Plan(models["champion"], models[challenger], "shadow" if share == 0 else mode, share,
                champion_text="v3", challenger_text=challenger)
    return score_rollout(source, out, layout, plan, config, run_id="run-1", day=date(2026, 12, 2))


def expected_routing(source, share):
    matrix = np.frombuffer(source.read_bytes(), dtype=np.uint8).reshape(-1, 117)
    return routed(buckets(matrix, 0, 4), share)   # CUST-ID: bytes 0-3 of CUSTOMER-REC


def test_canary_records_carry_the_model_id_of_the_arm_their_key_hashes_into(models, layout, source, tmp_path):
    result = run(models, layout, source, tmp_path / "out.dat")
    ids = read_records(tmp_path / "out.dat", layout, columns=["MODEL-ID"])["MODEL-ID"].astype(str).to_numpy()
    want = expected_routing(source, 25)
    assert result.fallback is None
    assert np.array_equal(ids == "CRISK-V4", want)
    assert set(ids[~want]) == {"CRISK-V3"}
    assert result.routed == int(want.sum())


def test_a_routed_record_holds_exactly_the_bytes_the_challenger_alone_would_write(models, layout, source, tmp_path):
    run(models, layout, source, tmp_path / "canary.dat")
    score_file(source, tmp_path / "v3.dat", layout, models["champion"])
    score_file(source, tmp_path / "v4.dat", layout, models["challenger"])
    canary, v3, v4 = (np.frombuffer((tmp_path / n).read_bytes(), np.uint8).reshape(-1, 117)
                      for n in ("canary.dat", "v3.dat", "v4.dat"))
    want = expected_routing(source, 25)
    assert np.array_equal(canary[want], v4[want])
    assert np.array_equal(canary[~want], v3[~want])


def test_arms_and_per_record_scores_say_who_scored_what(models, layout, source, tmp_path):
    result = run(models, layout, source, tmp_path / "out.dat")
    arms = {a.arm: a for a in result.arms}
    want = int(expected_routing(source, 25).sum())
    assert (arms["champion"].records, arms["challenger"].records, arms["shadow"].records) == \
        (RECORDS - want, want, RECORDS - want)
    assert arms["challenger"].model_id == "CRISK-V4" and arms["champion"].score_psi is None
    assert sum(arms["champion"].score_hist["counts"]) == arms["champion"].scored
    assert len(arms["champion"].score_hist["edges"]) == 21
    table = result.scores
    by_arm = dict(zip(*np.unique(table.column("arm").to_numpy(zero_copy_only=False), return_counts=True)))
    assert by_arm == {"champion": RECORDS - want, "challenger": want, "shadow": RECORDS - want}
    written = table.filter(np.asarray(table.column("arm").to_numpy(zero_copy_only=False) != "shadow"))
    assert sorted(int(k) for k in written.column("key").to_pylist()) == list(range(1, RECORDS + 1))


def test_shadow_mode_writes_only_the_champion_and_records_the_challenger_aside(models, layout, source, tmp_path):
    result = run(models, layout, source, tmp_path / "out.dat", mode="shadow", share=0)
    score_file(source, tmp_path / "v3.dat", layout, models["champion"])
    assert (tmp_path / "out.dat").read_bytes() == (tmp_path / "v3.dat").read_bytes()
    assert [a.arm for a in result.arms] == ["champion", "shadow"]
    assert result.fallback is None


def test_a_broken_challenger_falls_back_to_the_champion_for_every_record(models, layout, source, tmp_path):
    result = run(models, layout, source, tmp_path / "out.dat", challenger="broken")
    score_file(source, tmp_path / "v3.dat", layout, models["champion"])
    assert (tmp_path / "out.dat").read_bytes() == (tmp_path / "v3.dat").read_bytes()
    assert result.fallback.startswith("challenger broken cannot be used")
    assert [a.arm for a in result.arms] == ["champion"]


def test_a_challenger_whose_scores_depart_from_the_champions_is_set_aside_after_the_pass(models, layout, source,
                                                                                          tmp_path):
    result = run(models, layout, source, tmp_path / "out.dat", challenger="opposite", max_score_psi=0.25)
    score_file(source, tmp_path / "v3.dat", layout, models["champion"])
    assert (tmp_path / "out.dat").read_bytes() == (tmp_path / "v3.dat").read_bytes()
    assert "score PSI" in result.fallback and "above max_score_psi 0.25" in result.fallback
    assert result.score_psi > 0.25
    shadow = {a.arm: a for a in result.arms}["shadow"]
    assert shadow.records == RECORDS and shadow.score_psi == pytest.approx(result.score_psi)
    assert set(result.scores.column("arm").to_pylist()) == {"champion", "shadow"}


def test_a_challenger_that_leaves_too_many_records_unscored_is_set_aside(models, layout, tmp_path):
    # a challenger that refuses records without a BALANCE, on a file where a tenth of the BALANCEs are invalid
    strict = tmp_path / "strict"
    strict.mkdir()
    (strict / "model.txt").write_bytes((models["challenger"] / "model.txt").read_bytes())
    card = (models["challenger"] / "card.toml").read_text()
    (strict / "card.toml").write_text(card.replace('field = "BALANCE"\ncategorical = false\non_missing = "missing"',
                                                   'field = "BALANCE"\ncategorical = false\non_missing = "reject"'))
    source = extract(tmp_path / "in.dat", layout, 1000)
    matrix = np.frombuffer(source.read_bytes(), dtype=np.uint8).reshape(-1, 117).copy()
    matrix[::10, 42:49] = 0xFF                  # BALANCE S9(11)V99 COMP-3: not packed decimal
    source.write_bytes(matrix.tobytes())
    models = {**models, "strict": strict}
    result = run(models, layout, source, tmp_path / "out.dat", challenger="strict")
    assert result.status_rate == pytest.approx(0.1)
    assert result.fallback == "challenger strict left 10.0% of the records unscored, above max_status_rate 0.05"
    ids = read_records(tmp_path / "out.dat", layout, columns=["MODEL-ID"])["MODEL-ID"].astype(str)
    assert set(ids) == {"CRISK-V3"}


@pytest.mark.parametrize("key, message", [
    ("REASON-CODE", "[rollout] key = 'REASON-CODE' is inside an OCCURS table"),
    ("SCORE-AREA", "[rollout] key = 'SCORE-AREA' is a group; name an elementary field"),
    ("CUST-NO", "[rollout] key = 'CUST-NO' is not a field of record CUSTOMER-REC"),
])
def test_a_routing_key_must_be_one_elementary_field_of_the_record(layout, key, message):
    from bridge.errors import JobError
    from bridge.rollout.scoring import key_field

    with pytest.raises(JobError) as caught:
        key_field(layout, "CUSTOMER-REC", key)
    assert message in str(caught.value)


def test_a_per_record_key_is_the_text_keys_decoded_value(models, layout, source, tmp_path):
    result = run(models, layout, source, tmp_path / "out.dat", mode="shadow", share=0, key="CUST-NAME")
    keys = result.scores.filter(np.asarray(result.scores.column("arm").to_numpy(zero_copy_only=False) == "champion"))
    names = read_records(source, layout, columns=["CUST-NAME"])["CUST-NAME"].astype(str).tolist()
    assert keys.column("key").to_pylist() == [n.strip() for n in names]
    assert len(set(names)) > 100
