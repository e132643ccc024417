"""The compiled JSON lines writer writes byte for byte what the reference (one value at a time) wrote (issue 9)."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings, strategies as st

from bridge.copybook import load_copybook
from bridge.records.api import open_reader, write_records
from bridge.records.jsonl import JsonlEncoder
from bridge.testing import fake_table
from tests.conftest import COPYBOOKS, FIXTURES

HARD = COPYBOOKS / "include"

FIXTURE_READS = {
    "customer": ("customer.cp037.dat", "customer.cpy", {}),
    "transactions": ("transactions.vb.dat", "transactions.cpy", {"recfm": "V"}),
    "payments-by-type": ("payments.fb.dat", "payments.cpy", {
        "segment_field": "HDR-REC-TYPE",
        "segment_map": {"H": "BATCH-HEADER", "D": "PAYMENT-DETAIL", "T": "BATCH-TRAILER"}}),
    "payments-every-type": ("payments.fb.dat", "payments.cpy", {}),
    "policy-by-branch": ("policy.fb.dat", "policy.cpy", {
        "segment_field": "POL-TYPE", "segment_map": {"M": "MOTOR-DETAIL", "H": "HOME-DETAIL"}}),
    "policy-every-branch": ("policy.fb.dat", "policy.cpy", {}),
    "transactions-some-columns": ("transactions.vb.dat", "transactions.cpy",
                                  {"recfm": "V", "columns": ["ACCT-NO", "TXN-CNT", "TXN-AMT(2)", "TXN-AMT(3)"]}),
}


def _both(source, layout, **options) -> tuple[bytes, bytes]:
    reader = open_reader(source, layout, **options)
    encoder = JsonlEncoder(layout, reader.schema, records=reader.decoder.records,
                           selective=bool(reader.options.segment_map))
    ref, got = [], []
    for batch in reader:
        ref.append("".join(line + "\n" for line in encoder.reference.lines(batch.table)).encode("utf-8"))
        got.append(encoder.encode(batch.table))
    return b"".join(ref), b"".join(got)


@pytest.mark.parametrize("case", FIXTURE_READS)
def test_fixture_files_come_out_as_the_reference_writer_wrote_them(case: str) -> None:
    data, copybook, options = FIXTURE_READS[case]
    ref, got = _both(FIXTURES / data, load_copybook(COPYBOOKS / copybook), **options)
    assert got == ref


@pytest.mark.parametrize(("copybook", "record", "recfm"), [
    ("customer_history.cpy", "CUSTOMER-REC", "F"),
    ("hard_cases.cpy", "HARD-CASES-REC", "F"),
    ("hard_cases.cpy", "HC-ODO-REC", "V"),
    ("hard_cases.cpy", "HC-SYNC8-REC", "V"),
])
def test_fake_records_of_the_hard_sample_copybooks_come_out_as_the_reference_wrote_them(
        copybook: str, record: str, recfm: str, tmp_path: Path) -> None:
    layout = load_copybook(COPYBOOKS / copybook, include_dirs=(HARD,))
    data = tmp_path / "fake.dat"
    write_records(fake_table(layout, 300, seed=3, record=record), data, layout, record=record, recfm=recfm)
    ref, got = _both(data, layout, record=record, recfm=recfm, batch_records=128)
    assert got == ref


def _layout(tmp_path: Path, items: str):
    path = tmp_path / "rec.cpy"
    path.write_text("       01  REC.\n" + "".join(f"           05  {line}\n" for line in items.strip().splitlines()))
    return load_copybook(path)


def _encode(layout, columns: dict[str, pa.Array]) -> tuple[str, str]:
    table = pa.table(columns)
    encoder = JsonlEncoder(layout, table.schema, records=layout.records, selective=False)
    ref = "".join(line + "\n" for line in encoder.reference.lines(table))
    return ref, encoder.encode(table).decode("utf-8")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=12)), min_size=1, max_size=30))
def test_strings_are_escaped_as_json_dumps_escapes_them(tmp_path_factory, values) -> None:
    layout = _layout(tmp_path_factory.mktemp("s"), "NAME PIC X(12).")
    ref, got = _encode(layout, {"NAME": pa.array(values, pa.string())})
    assert got == ref
    assert [json.loads(line)["NAME"] for line in got.split("\n")[:-1]] == values


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-10**17 + 1, 10**17 - 1)), min_size=1, max_size=30),
       st.integers(0, 17))
def test_decimals_are_written_with_their_scale_and_never_an_exponent(tmp_path_factory, unscaled, scale) -> None:
    layout = _layout(tmp_path_factory.mktemp("d"), "AMT PIC S9(18) COMP-3.")
    values = [None if u is None else Decimal(u).scaleb(-scale) for u in unscaled]
    ref, got = _encode(layout, {"AMT": pa.array(values, pa.decimal128(18, scale))})
    assert got == ref
    assert [json.loads(line, parse_float=Decimal)["AMT"] for line in got.split("\n")[:-1]] == values


def test_decimals_beyond_18_digits_and_tiny_values_of_a_large_scale_stay_plain(tmp_path) -> None:
    layout = _layout(tmp_path, "AMT PIC S9(38) COMP-3.")
    values = [Decimal("-99999999999999999999999999999999.999999"), Decimal("0.000001"), Decimal("0.000000"), None]
    ref, got = _encode(layout, {"AMT": pa.array(values, pa.decimal128(38, 6))})
    assert got == ref == '{"AMT":-99999999999999999999999999999999.999999}\n{"AMT":0.000001}\n{"AMT":0.000000}\n' \
                        '{"AMT":null}\n'


def test_integers_cover_the_whole_64_bit_range(tmp_path) -> None:
    layout = _layout(tmp_path, "A PIC S9(18) COMP.\n B PIC 9(18) COMP.")
    ref, got = _encode(layout, {"A": pa.array([-(2**63), 2**63 - 1, 0, None], pa.int64()),
                                "B": pa.array([2**64 - 1, 0, None, 7], pa.uint64())})
    assert got == ref
    assert got.splitlines()[0] == '{"A":-9223372036854775808,"B":18446744073709551615}'


def test_floats_keep_their_shortest_text_and_nan_is_null(tmp_path) -> None:
    layout = _layout(tmp_path, "R COMP-2.")
    ref, got = _encode(layout, {"R": pa.array([0.625, 1e-05, 1e16, float("nan"), float("inf"), None, 100.0])})
    assert got == ref
    assert [line[5:-1] for line in got.splitlines()] == ["0.625", "1e-05", "1e+16", "null", "null", "null", "100.0"]
