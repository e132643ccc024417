"""The sample files in fixtures/ decode to their golden JSON lines and round-trip byte for byte.

No golden is merely yesterday's output: the customer and transaction goldens are checked
against the GnuCOBOL rig's values the files were hand-encoded from, and the payment and policy
goldens are written by ``fixtures/independent_decoder.py`` (standard library only, no bridge
code), which is rerun here.
"""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bridge.cli.main import main
from bridge.copybook import load_copybook
from bridge.records.roundtrip import round_trip
from tests.conftest import COPYBOOKS, FIXTURES
from tests.integration.cobol_records import expected_customer_records, expected_transaction_records

PAYMENT_MAP = {"H": "BATCH-HEADER", "D": "PAYMENT-DETAIL", "T": "BATCH-TRAILER"}
POLICY_MAP = {"M": "MOTOR-DETAIL", "H": "HOME-DETAIL"}

#: data file -> (copybook, reader options); the same as FIXTURES in fixtures/make_fixtures.py
SAMPLES: dict[str, tuple[str, dict[str, Any]]] = {
    "customer.cp037.dat": ("customer.cpy", {}),
    "transactions.vb.dat": ("transactions.cpy", {"recfm": "V"}),
    "payments.fb.dat": ("payments.cpy", {"segment_field": "HDR-REC-TYPE", "segment_map": PAYMENT_MAP}),
    "policy.fb.dat": ("policy.cpy", {"segment_field": "POL-TYPE", "segment_map": POLICY_MAP}),
}


def _cli_args(options: dict[str, Any]) -> list[str]:
    args = []
    for key, value in options.items():
        if key == "segment_map":
            for selector, name in value.items():
                args += ["--segment-map", f"{selector}={name}"]
        else:
            args += ["--" + key.replace("_", "-"), str(value)]
    return args


def _golden(name: str) -> list[dict[str, Any]]:
    text = (FIXTURES / name.replace(".dat", ".jsonl")).read_text(encoding="utf-8")
    return [json.loads(line, parse_float=Decimal) for line in text.splitlines()]


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_file_decodes_to_its_golden_json_lines(name: str, tmp_path: Path) -> None:
    copybook, options = SAMPLES[name]
    out = tmp_path / "decoded.jsonl"
    rc = main(["decode", str(FIXTURES / name), "-c", str(COPYBOOKS / copybook), *_cli_args(options), "-o", str(out)])
    assert rc == 0
    assert out.read_text(encoding="utf-8") == (FIXTURES / name.replace(".dat", ".jsonl")).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_file_round_trips_byte_identical(name: str) -> None:
    copybook, options = SAMPLES[name]
    result = round_trip(FIXTURES / name, load_copybook(COPYBOOKS / copybook), trim="none", **options)
    assert result.identical, (result.first_difference, result.framing_difference)
    assert result.records == len(_golden(name))


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_files_stay_small(name: str) -> None:
    assert (FIXTURES / name).stat().st_size < 50_000
    assert (FIXTURES / name.replace(".dat", ".jsonl")).stat().st_size < 50_000


def test_roundtrip_command_says_byte_identical(capsys) -> None:
    rc = main(["roundtrip", str(FIXTURES / "payments.fb.dat"), "-c", str(COPYBOOKS / "payments.cpy"),
               *_cli_args(SAMPLES["payments.fb.dat"][1])])
    assert rc == 0
    assert capsys.readouterr().out.strip() == "8 records, byte-identical"


def test_round_trip_re_encodes_the_fields_of_every_record_type_a_segment_map_selects() -> None:
    data = bytearray((FIXTURES / "payments.fb.dat").read_bytes())
    data[80 + 30] = (data[80 + 30] & 0xF0) | 0x0F     # first detail's DTL-AMOUNT: sign F, same value
    result = round_trip(bytes(data), load_copybook(COPYBOOKS / "payments.cpy"), trim="none",
                        **SAMPLES["payments.fb.dat"][1])
    assert result.identical
    assert result.non_preferred == {"DTL-AMOUNT": 1}


def test_customer_golden_holds_the_rig_s_known_values() -> None:
    for golden, known in zip(_golden("customer.cp037.dat"), expected_customer_records(8)):
        area = golden.pop("SCORE-AREA")
        assert {**golden, **area} == known


def test_customer_golden_nulls_the_invalid_fields_of_record_9() -> None:
    record = _golden("customer.cp037.dat")[8]
    assert (record["BIRTH-DATE"], record["BALANCE"]) == (None, None)
    assert record["SCORE-AREA"]["SCORE"] == Decimal("0.8765")


def test_transaction_golden_holds_the_rig_s_known_values() -> None:
    for golden, known in zip(_golden("transactions.vb.dat"), expected_transaction_records()):
        table = golden.pop("TXN-TABLE")
        golden.pop("STMT-DATE-R")
        assert golden == {k: known[k] for k in golden}
        for name in ("TXN-DATE", "TXN-TYPE", "TXN-AMT", "MCC"):
            assert [entry[name] for entry in table] == known[name]


def test_transaction_file_frames_are_ibm_rdws_counting_themselves() -> None:
    data = (FIXTURES / "transactions.vb.dat").read_bytes()
    lengths, at = [], 0
    while at < len(data):
        lengths.append(int.from_bytes(data[at:at + 2], "big"))
        at += lengths[-1]
    assert lengths == [r["RECORD-LENGTH"] + 4 for r in expected_transaction_records()]


def test_payment_golden_selects_one_01_record_per_type() -> None:
    kinds = [next(iter(record)) for record in _golden("payments.fb.dat")]
    assert kinds == ["HDR-REC-TYPE"] + ["DTL-REC-TYPE"] * 6 + ["TRL-REC-TYPE"]


def test_payment_amount_is_packed_with_c_and_d_sign_nibbles() -> None:
    data = (FIXTURES / "payments.fb.dat").read_bytes()
    assert data[80 + 24:80 + 31] == bytes.fromhex("0000000125000C")        # +1250.00
    assert data[160 + 24:160 + 31] == bytes.fromhex("0000000007510D")       # -75.10


def test_policy_golden_shows_only_the_selected_branch_and_the_ibm_double() -> None:
    motor, home, _ = _golden("policy.fb.dat")
    assert "MOTOR-DETAIL" in motor and "HOME-DETAIL" not in motor and "POL-DETAIL" not in motor
    assert "HOME-DETAIL" in home and "MOTOR-DETAIL" not in home
    assert home["POL-LOSS-RATIO"] == Decimal("322.936717")
    assert motor["POL-LOSS-RATIO"] == Decimal("0.625")


@pytest.mark.parametrize("kind,name", [("payments", "payments.fb.dat"), ("policy", "policy.fb.dat")])
def test_the_payment_and_policy_goldens_are_the_independent_decoders_output(kind, name):
    import subprocess
    import sys

    script = FIXTURES / "independent_decoder.py"
    result = subprocess.run([sys.executable, "-I", str(script), kind, str(FIXTURES / name)],
                            capture_output=True, text=True, check=True, cwd="/")
    assert result.stdout == (FIXTURES / name.replace(".dat", ".jsonl")).read_text()
