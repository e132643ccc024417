"""Trailer control totals: a file whose trailer does not add up is rejected, naming the numbers."""
from __future__ import annotations

import pytest

import bridge
from bridge.errors import InvalidDataError
from bridge.records.controls import TrailerCheck, check_trailer
from tests.conftest import COPYBOOKS, FIXTURES

OPTIONS = dict(segment_field="HDR-REC-TYPE",
               segment_map={"H": "BATCH-HEADER", "D": "PAYMENT-DETAIL", "T": "BATCH-TRAILER"})
CHECK = TrailerCheck(record="BATCH-TRAILER", count_field="TRL-RECORD-COUNT", count_of=("PAYMENT-DETAIL",),
                     total_field="TRL-TOTAL-AMOUNT", total_of="DTL-AMOUNT")
LRECL = 80


@pytest.fixture(scope="module")
def layout():
    return bridge.load_copybook(COPYBOOKS / "payments.cpy")


@pytest.fixture(scope="module")
def good() -> bytes:
    return (FIXTURES / "payments.fb.dat").read_bytes()


def test_a_trailer_that_adds_up_passes_with_the_recount(layout, good):
    result = check_trailer(good, layout, CHECK, **OPTIONS)
    assert (result.records, result.counted, str(result.total)) == (8, 6, "1174.91")


def test_a_wrong_record_count_is_rejected_with_both_numbers(layout, good):
    bad = good[:-LRECL] + good[-LRECL:][:1] + "000000007".encode("cp037") + good[-LRECL + 10:]
    with pytest.raises(InvalidDataError, match="TRL-RECORD-COUNT says 7 records, the file has 6") as err:
        check_trailer(bad, layout, CHECK, **OPTIONS)
    assert err.value.record == 8


def test_a_missing_detail_record_is_caught_by_the_count(layout, good):
    short = good[:LRECL] + good[2 * LRECL:]
    with pytest.raises(InvalidDataError, match="says 6 records, the file has 5"):
        check_trailer(short, layout, CHECK, **OPTIONS)


def test_a_wrong_amount_total_is_rejected_with_the_recomputed_sum(layout, good):
    detail = bytearray(good[LRECL:2 * LRECL])
    detail[24:31] = bytes.fromhex("0000000000100C")  # DTL-AMOUNT of the first detail: 1250.00 -> 1.00
    changed = good[:LRECL] + bytes(detail) + good[2 * LRECL:]
    with pytest.raises(InvalidDataError, match="TRL-TOTAL-AMOUNT says 1174.91, the DTL-AMOUNT of the counted "
                                               "records add up to -74.09"):
        check_trailer(changed, layout, CHECK, **OPTIONS)


def test_a_file_without_its_trailer_is_rejected(layout, good):
    with pytest.raises(InvalidDataError, match="expected one BATCH-TRAILER trailer record, found 0"):
        check_trailer(good[:-LRECL], layout, CHECK, **OPTIONS)


def test_a_trailer_that_is_not_the_last_record_is_rejected(layout, good):
    moved = good[:-2 * LRECL] + good[-LRECL:] + good[-2 * LRECL:-LRECL]
    with pytest.raises(InvalidDataError, match="trailer is record 7 of 8, not the last"):
        check_trailer(moved, layout, CHECK, **OPTIONS)


def _with_trailer_count(good: bytes, count: int) -> bytes:
    return good[:-LRECL] + good[-LRECL:][:1] + f"{count:09d}".encode("cp037") + good[-LRECL + 10:]


def test_by_default_every_record_but_the_trailer_itself_is_counted_issue_8(layout, good):
    default = TrailerCheck(record="BATCH-TRAILER", count_field="TRL-RECORD-COUNT")
    result = check_trailer(_with_trailer_count(good, 7), layout, default, **OPTIONS)  # header + 6 details
    assert (result.records, result.counted) == (8, 7)
    with pytest.raises(InvalidDataError, match="TRL-RECORD-COUNT says 8 records, the file has 7"):
        check_trailer(_with_trailer_count(good, 8), layout, default, **OPTIONS)
