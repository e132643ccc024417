"""Per-field counts on the generated extract (tests/profile/conftest.py): exact, by construction."""
from __future__ import annotations

import pytest

from bridge.profile import ProfileOptions, profile_file


@pytest.fixture(scope="module")
def fields(accounts_file, account_layout):
    result = profile_file(accounts_file, account_layout,
                          profile=ProfileOptions(key="ACCT-ID", type_field="DETAIL-TYPE", label="FLAG"))
    return {f["name"]: f for f in result["record_types"][0]["fields"]}


@pytest.fixture(scope="module")
def result(accounts_file, account_layout):
    return profile_file(accounts_file, account_layout,
                        profile=ProfileOptions(key="ACCT-ID", type_field="DETAIL-TYPE", label="FLAG"))


def test_every_record_lands_in_exactly_one_bucket_of_every_field(fields):
    for f in fields.values():
        assert f["valid"] + f["invalid"] + f["no_value"] + f["absent"] == 200, f["name"]


def test_packed_fills_are_counted_apart_from_bad_nibbles(fields):
    amount = fields["AMOUNT"]
    assert amount["conventions"] == {"spaces": 3, "low_values": 2, "high_values": 1, "zeros": 1, "nines": 0}
    assert (amount["invalid"], amount["no_value"], amount["valid"]) == (4, 6, 190)


def test_an_invalid_value_example_gives_record_number_file_offset_and_hex(fields):
    examples = fields["AMOUNT"]["invalid_examples"]
    assert [e["record"] for e in examples] == [7, 8, 9, 10]
    assert examples[0] == {"record": 7, "offset": 6 * 44 + 14, "hex": "12A456789C"}


def test_spaces_in_a_zoned_number_are_no_value_and_a_letter_is_invalid(fields):
    qty = fields["QTY"]
    assert (qty["conventions"]["spaces"], qty["invalid"], qty["conventions"]["nines"]) == (5, 1, 2)
    assert qty["invalid_examples"] == [{"record": 26, "offset": 25 * 44 + 19, "hex": "F1F2C1F4F5"}]


def test_all_nines_in_a_plain_number_stay_valid_and_are_counted(fields):
    qty = fields["QTY"]
    assert qty["valid"] == 194
    assert qty["numeric"]["max"] == 99999


def test_date_zeros_and_nines_are_no_value_and_bad_dates_are_found(fields):
    date = fields["OPEN-DATE"]
    assert date["conventions"] == {"spaces": 1, "low_values": 0, "high_values": 0, "zeros": 4, "nines": 2}
    assert date["no_value"] == 7
    d = date["date"]
    assert (d["format"], d["valid"], d["invalid"], d["out_of_range"]) == ("YYYYMMDD", 192, 1, 1)
    assert d["examples"] == [{"record": 37, "value": 20230230, "reason": "not a calendar date"},
                             {"record": 38, "value": 18000101, "reason": "out of range"}]


def test_string_fills_and_nonprintable_bytes_are_counted(fields):
    name = fields["ACCT-NAME"]
    assert (name["conventions"]["spaces"], name["conventions"]["low_values"]) == (2, 1)
    assert name["string"]["nonprintable"] == 1
    assert name["string"]["max_length"] == 10


def test_values_outside_every_88_level_are_counted_and_named(fields):
    cond = fields["ACCT-STATUS"]["conditions"]
    assert cond["declared"] == ["ACTIVE", "CLOSED"]
    assert cond["outside"] == 5
    assert cond["outside_values"] == [{"value": "XX", "count": 3}, {"value": "ZZ", "count": 2}]


def test_numeric_minimum_maximum_and_mean_are_exact(fields):
    amount = fields["AMOUNT"]["numeric"]
    # valid rows: 10 (zeros) and 11..199 written as (100 + i) / 100, of which 198 and 199 repeat 197
    values = [0] + [(100 + i) / 100 for i in range(11, 198)] + [2.97, 2.97]
    assert amount["min"] == 0
    assert amount["max"] == pytest.approx(2.97)
    assert amount["mean"] == pytest.approx(sum(values) / len(values))
    assert sum(amount["histogram"]["counts"]) == 190


def test_distinct_counts_are_exact_while_small(fields):
    assert fields["ACCT-ID"]["distinct"] == 198
    assert fields["ACCT-ID"]["distinct_exact"] is True
    assert fields["FLAG"]["top_values"] == [{"value": "N", "count": 150}, {"value": "Y", "count": 50}]


def test_a_date_histogram_leaves_out_the_no_date_fills(fields):
    hist = fields["OPEN-DATE"]["numeric"]["histogram"]
    # the 193 valid values (18000101 and 20230230 are numbers, so they stay); not the 4 zeros, 2 nines
    assert sum(hist["counts"]) == 193
    assert hist["edges"][0] == 18000101


@pytest.mark.parametrize("which", ["accounts", "customer fixture"])
def test_a_profile_agrees_with_the_decoders_invalid_counts(which, accounts_file, account_layout):
    from bridge.copybook import load_copybook
    from bridge.records.api import read_table
    from tests.conftest import COPYBOOKS, FIXTURES

    if which == "accounts":
        path, layout = accounts_file, account_layout
    else:
        path, layout = FIXTURES / "customer.cp037.dat", load_copybook(str(COPYBOOKS / "customer.cpy"))
    _, summary = read_table(path, layout)
    result = profile_file(path, layout)
    for f in result["record_types"][0]["fields"]:
        if f["kind"] in ("zoned", "packed") and "date" not in f:
            # the decoder nulls fills and bad bytes alike; the profile tells them apart
            assert f["invalid"] + f["no_value"] == summary.invalid.get(f["name"], 0), f["name"]
        elif f["kind"] == "binary":
            assert f["invalid"] == summary.invalid.get(f["name"], 0) == 0, f["name"]
