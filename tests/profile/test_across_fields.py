"""Across fields: REDEFINES views per type code, duplicates, key uniqueness, readiness, drift."""
from __future__ import annotations

import pytest

from bridge.profile import ProfileOptions, profile_file


@pytest.fixture(scope="module")
def result(accounts_file, account_layout):
    return profile_file(accounts_file, account_layout,
                        profile=ProfileOptions(key="ACCT-ID", type_field="DETAIL-TYPE", label="FLAG"))


def test_each_redefines_view_is_valid_exactly_for_its_type_code(result):
    (family,) = result["record_types"][0]["redefines"]
    views = {v["view"]: v for v in family["views"]}
    assert views["DETAIL"]["valid"] == 150
    assert views["DETAIL-NUM"]["by_code"] == {"A": {"valid": 0, "records": 150}, "N": {"valid": 50, "records": 50}}


def test_byte_identical_records_are_counted_as_duplicates(result):
    assert result["duplicates"] == {"records": 200, "duplicates": 2, "complete": True}


def test_a_repeated_key_is_reported(result):
    key = result["key"]
    assert (key["unique"], key["keys_repeated"], key["duplicate_records"], key["distinct"]) == (False, 1, 2, 198)


def test_identifiers_are_left_out_with_a_reason(result):
    reasons = {r["field"]: r["reason"] for r in result["readiness"]["leave_out"]}
    assert reasons["ACCT-ID"] == "identifier"
    assert "AMOUNT" in result["readiness"]["usable"]


def test_a_feature_that_gives_the_label_away_is_flagged_as_leakage(result):
    label = result["readiness"]["label"]
    assert label["balance"] == {"N": 150, "Y": 50}
    assert label["leakage"] == ["ACCT-STATUS"]
    assert any("Leakage warning: ACCT-STATUS" in s for s in result["readiness"]["sentences"])
    assert label["features"][0]["field"] == "ACCT-STATUS"


def test_a_shifted_amount_drifts_and_an_unchanged_field_does_not(accounts_file, account_layout, tmp_path):
    from tests.profile.conftest import build_accounts

    moved = build_accounts(account_layout, tmp_path / "moved.dat", shift=4)
    result = profile_file(moved, account_layout, baseline=accounts_file)
    psi = {f["field"]: f for f in result["drift"]["fields"]}
    assert psi["AMOUNT"]["flag"] is True
    assert psi["QTY"]["psi"] == 0
    assert result["drift"]["fields"][0]["field"] == "AMOUNT"


def test_an_unknown_key_column_is_refused_by_name(accounts_file, account_layout):
    from bridge.errors import BridgeError

    with pytest.raises(BridgeError, match="no column named NOPE"):
        profile_file(accounts_file, account_layout, profile=ProfileOptions(key="NOPE"))


def test_a_redefines_view_read_for_every_record_is_left_out_with_the_way_to_read_it(result):
    (detail_amt,) = [r for r in result["readiness"]["leave_out"] if r["field"] == "DETAIL-AMT"]
    assert detail_amt["reason"] == "mostly invalid"
    assert "part of the REDEFINES view DETAIL-NUM" in detail_amt["why"]
    assert "--segment-map" in detail_amt["why"]


def test_a_segment_map_reads_each_view_only_for_its_own_records(accounts_file, account_layout):
    result = profile_file(accounts_file, account_layout, segment_field="DETAIL-TYPE",
                          segment_map={"A": "DETAIL", "N": "DETAIL-NUM"})
    fields = {f["name"]: f for f in result["record_types"][0]["fields"]}
    assert (fields["DETAIL-AMT"]["records"], fields["DETAIL-AMT"]["valid"]) == (50, 50)
    assert (fields["DETAIL"]["records"], fields["DETAIL"]["valid"]) == (150, 150)
