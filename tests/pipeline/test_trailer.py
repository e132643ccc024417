"""[job.trailer]: a dropped file whose trailer does not add up is rejected before it is scored."""
from __future__ import annotations

from pathlib import Path

import pytest

from bridge.errors import InvalidDataError, JobError, ModelCardError
from bridge.pipeline.job import load_job
from bridge.pipeline.process import score_for_job
from tests.conftest import COPYBOOKS, FIXTURES, ROOT

JOB = """
[job]
name = "payments"
copybook = "{copybook}"
model = "{model}"
segment_field = "HDR-REC-TYPE"
segment_map = {{ H = "BATCH-HEADER", D = "PAYMENT-DETAIL", T = "BATCH-TRAILER" }}

[job.trailer]
record = "BATCH-TRAILER"
count_field = "TRL-RECORD-COUNT"
count_of = ["PAYMENT-DETAIL"]
total_field = "TRL-TOTAL-AMOUNT"
total_of = "DTL-AMOUNT"

[source]
path = "inbox"

[target]
path = "outbox"
"""


def _job(tmp_path: Path, text: str = JOB):
    path = tmp_path / "job.toml"
    path.write_text(text.format(copybook=COPYBOOKS / "payments.cpy", model=ROOT / "models" / "customer-risk"))
    return load_job(path)


def test_a_file_whose_trailer_count_is_wrong_is_rejected_before_scoring(tmp_path):
    good = (FIXTURES / "payments.fb.dat").read_bytes()
    bad = tmp_path / "PAY.dat"
    bad.write_bytes(good[:80] + good[160:])  # one detail record lost in transit
    with pytest.raises(InvalidDataError, match="TRL-RECORD-COUNT says 6 records, the file has 5"):
        score_for_job(_job(tmp_path), bad, tmp_path / "out.dat")
    assert not (tmp_path / "out.dat").exists()


def test_a_file_whose_trailer_adds_up_goes_on_to_scoring(tmp_path):
    # the customer model does not fit the payments copybook: reaching its refusal proves the check passed
    with pytest.raises(ModelCardError):
        score_for_job(_job(tmp_path), FIXTURES / "payments.fb.dat", tmp_path / "out.dat")


def test_a_trailer_section_with_a_total_but_no_field_to_sum_is_refused(tmp_path):
    text = JOB.replace('total_of = "DTL-AMOUNT"\n', "")
    with pytest.raises(JobError, match="total_field and total_of go together"):
        _job(tmp_path, text)


def test_an_unknown_trailer_key_is_refused_with_the_accepted_ones(tmp_path):
    text = JOB.replace('count_field = "TRL-RECORD-COUNT"', 'count_field = "TRL-RECORD-COUNT"\ncount = 3')
    with pytest.raises(JobError, match=r"unknown key\(s\) in \[job.trailer\]: count; accepted: count_field"):
        _job(tmp_path, text)
