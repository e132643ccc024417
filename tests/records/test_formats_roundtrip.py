"""Every format `decode` writes, `encode` reads back into identical bytes (issue 9).

Each sample copybook's record types are filled with valid fake records, written, decoded
through the command line to JSON lines, CSV and Parquet, and encoded again: the bytes must
come back identical. The fixture files do the same with real values, including OCCURS
DEPENDING ON tables (whose unused cells must come back as null, not as empty strings), a
segment map that chooses a REDEFINES branch per record, and one that chooses one of several
01 records per record.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bridge.cli.main import main
from bridge.copybook import load_copybook
from bridge.records.api import write_records
from bridge.testing import fake_table
from tests.conftest import COPYBOOKS, FIXTURES

FORMATS = ("jsonl", "csv", "parquet")
SUFFIX = {"jsonl": ".jsonl", "csv": ".csv", "parquet": ".parquet"}

#: one record type of every sample copybook, and the 01 records of hard_cases.cpy that hold
#: what the others lack (SYNC, P scaling, COMP-1/2, nested OCCURS, a table of groups under ODO)
HARD = {"include": str(COPYBOOKS / "include")}
RECORD_TYPES: list[tuple[str, str, dict[str, str]]] = [
    ("customer.cpy", "CUSTOMER-REC", {}),
    ("customer_history.cpy", "CUSTOMER-REC", {}),
    ("transactions.cpy", "TXN-HISTORY-REC", {"recfm": "V"}),
    ("policy.cpy", "POLICY-REC", {}),
    ("payments.cpy", "PAYMENT-DETAIL", {}),
    ("hard_cases.cpy", "HARD-CASES-REC", HARD),
    ("hard_cases.cpy", "HC-ODO-REC", {**HARD, "recfm": "V"}),
]

#: fixture file -> (copybook, reader options); files whose every value is valid
FIXTURE_FILES: dict[str, tuple[str, list[str]]] = {
    "transactions.vb.dat": ("transactions.cpy", ["--recfm", "V"]),
    "policy.fb.dat": ("policy.cpy", ["--segment-field", "POL-TYPE", "--segment-map", "M=MOTOR-DETAIL",
                                     "--segment-map", "H=HOME-DETAIL"]),
    "payments.fb.dat": ("payments.cpy", ["--segment-field", "HDR-REC-TYPE", "--segment-map", "H=BATCH-HEADER",
                                         "--segment-map", "D=PAYMENT-DETAIL", "--segment-map", "T=BATCH-TRAILER"]),
}


def _args(options: dict[str, str]) -> list[str]:
    args: list[str] = []
    for key, value in options.items():
        args += ["-I" if key == "include" else "--" + key, value]
    return args


def _through(fmt: str, data: Path, copybook: Path, options: list[str], tmp_path: Path) -> bytes:
    """decode DATA to FMT (by the output's suffix), encode it back, return the bytes written."""
    values = tmp_path / f"values{SUFFIX[fmt]}"
    again = tmp_path / f"again-{fmt}.dat"
    assert main(["decode", str(data), "-c", str(copybook), "--trim", "none", *options, "-o", str(values)]) == 0
    assert main(["encode", str(values), "-c", str(copybook), *options, "-o", str(again)]) == 0
    return again.read_bytes()


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("copybook", "record", "options"), RECORD_TYPES,
                         ids=[f"{c}:{r}" for c, r, _ in RECORD_TYPES])
def test_every_record_type_of_the_sample_copybooks_comes_back_byte_identical(
        fmt: str, copybook: str, record: str, options: dict[str, Any], tmp_path: Path) -> None:
    include = (options["include"],) if "include" in options else ()
    layout = load_copybook(COPYBOOKS / copybook, include_dirs=include)
    data = tmp_path / "fake.dat"
    write_records(fake_table(layout, 40, seed=9, record=record), data, layout, record=record,
                  **{k: v for k, v in options.items() if k != "include"})
    args = _args(options) + ["--record", record]
    assert _through(fmt, data, COPYBOOKS / copybook, args, tmp_path) == data.read_bytes()


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", FIXTURE_FILES)
def test_fixture_file_comes_back_byte_identical(fmt: str, name: str, tmp_path: Path) -> None:
    copybook, options = FIXTURE_FILES[name]
    assert _through(fmt, FIXTURES / name, COPYBOOKS / copybook, options, tmp_path) == (FIXTURES / name).read_bytes()


def test_customer_fixture_with_invalid_values_encodes_the_same_from_every_format(tmp_path: Path) -> None:
    # record 9's invalid BALANCE and the unscored SCOREs decode to null, which encode writes as
    # zero: not the original bytes, but the same bytes whichever format carried the values
    written = {fmt: _through(fmt, FIXTURES / "customer.cp037.dat", COPYBOOKS / "customer.cpy", [], tmp_path)
               for fmt in FORMATS}
    assert written["csv"] == written["jsonl"] == written["parquet"]
    assert len(written["csv"]) == (FIXTURES / "customer.cp037.dat").stat().st_size


def test_values_of_every_record_type_in_every_row_are_refused_naming_the_option(capsys, tmp_path: Path) -> None:
    values = tmp_path / "all-types.jsonl"
    assert main(["decode", str(FIXTURES / "payments.fb.dat"), "-c", str(COPYBOOKS / "payments.cpy"),
                 "-o", str(values)]) == 0
    rc = main(["encode", str(values), "-c", str(COPYBOOKS / "payments.cpy"), "-o", str(tmp_path / "x.dat")])
    err = capsys.readouterr().err
    assert rc == 8
    assert ("record 1: has values of several record types (BATCH-HEADER, PAYMENT-DETAIL, BATCH-TRAILER); a record "
            "is one type: decode with --segment-field/--segment-map, or encode one type with --record NAME") in err
