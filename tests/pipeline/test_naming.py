"""Trigger rules and output name tokens."""
from __future__ import annotations

import calendar

import pytest

from bridge.errors import JobError
from bridge.pipeline.job import load_job
from bridge.pipeline.status import output_name
from tests.pipeline.jobfolder import job_text

NOON_26_NOV_2026 = calendar.timegm((2026, 11, 26, 12, 34, 56))


@pytest.fixture
def job(tmp_path):
    def make(**source):
        (tmp_path / "job.toml").write_text(job_text(source=source))
        return load_job(tmp_path / "job.toml")
    return make


def test_a_trigger_is_the_data_files_full_name_plus_the_suffix(job):
    assert job().trigger_for("APPL.D261126.DAT") == "APPL.D261126.DAT.trg"
    assert job(trigger_suffix=".EOF").trigger_for("APPL.D261126.DAT") == "APPL.D261126.DAT.EOF"


def test_trigger_replaces_suffix_swaps_the_last_suffix(job):
    j = job(trigger_replaces_suffix=True)
    assert j.trigger_for("APPL.D261126.DAT") == "APPL.D261126.trg"
    assert j.trigger_for("NOSUFFIX") == "NOSUFFIX.trg"


def test_the_data_file_of_a_trigger_is_found_among_the_names_present(job):
    names = {"APPL.D261126.DAT", "OTHER.DAT"}
    assert job().data_for_trigger("APPL.D261126.DAT.trg", names) == "APPL.D261126.DAT"
    assert job().data_for_trigger("GONE.DAT.trg", names) is None
    assert job().data_for_trigger("APPL.D261126.DAT.xyz", names) is None


def test_with_trigger_replaces_suffix_a_trigger_finds_its_data_file_by_stem(job):
    j = job(trigger_replaces_suffix=True)
    assert j.data_for_trigger("APPL.D261126.trg", {"APPL.D261126.DAT", "APPL.D261127.DAT"}) == "APPL.D261126.DAT"
    assert j.data_for_trigger("APPL.D261128.trg", {"APPL.D261126.DAT"}) is None


@pytest.mark.parametrize("pattern, expected", [
    ("{name}", "CUSTEXT.D261126.dat"),
    ("{stem}.SCORED{suffix}", "CUSTEXT.D261126.SCORED.dat"),
    ("{stem}.{date}.{time}", "CUSTEXT.D261126.D261126.T123456"),
    ("CUSTSCOR.{gen}", "CUSTSCOR.G0042V00"),
])
def test_output_name_tokens(pattern, expected):
    assert output_name(pattern, "CUSTEXT.D261126.dat", generation=42, now=NOON_26_NOV_2026) == expected


def test_an_input_without_a_suffix_has_an_empty_suffix_token():
    assert output_name("{stem}.SCORED{suffix}", "CUSTEXT", generation=1) == "CUSTEXT.SCORED"


def test_the_generation_wraps_at_four_digits_like_a_gdg():
    assert output_name("{gen}", "X", generation=10001) == "G0001V00"


def test_braces_in_an_input_name_are_not_read_as_tokens():
    assert output_name("{output}.status", "A{x}.dat", generation=1, output="A{x}.SCORED.dat") == "A{x}.SCORED.dat.status"


def test_an_unknown_token_names_the_key_and_the_tokens_there_are():
    with pytest.raises(JobError, match=r"\[target\] status_name = '\{out\}.status': unknown token .* \{output\}"):
        output_name("{out}.status", "X.dat", generation=1, output="X", key="status_name")
