"""Every file a command writes holds customer data: it is created owner-only (0600), whatever the umask."""
from __future__ import annotations

import os
import stat

import pytest

from bridge.cli.main import main
from tests.conftest import COPYBOOKS, FIXTURES, ROOT

CUSTOMER = str(COPYBOOKS / "customer.cpy")
DATA = str(FIXTURES / "customer.cp037.dat")


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(autouse=True)
def open_umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.mark.parametrize("name, args", [
    ("out.jsonl", ["decode", DATA, "-c", CUSTOMER]),
    ("out.csv", ["decode", DATA, "-c", CUSTOMER]),
    ("out.parquet", ["decode", DATA, "-c", CUSTOMER]),
    ("fake.dat", ["fake", "-c", CUSTOMER, "-n", "3"]),
])
def test_decode_and_fake_outputs_are_owner_only(tmp_path, name, args):
    out = tmp_path / name
    assert main([*args, "-o", str(out), "-q"]) == 0
    assert _mode(out) == 0o600


def test_the_scored_file_and_every_report_form_are_owner_only(tmp_path):
    out, report = tmp_path / "SCORED.dat", tmp_path / "run.json"
    assert main(["score", DATA, "-c", CUSTOMER, "--model", str(ROOT / "models" / "customer-risk"),
                 "-o", str(out), "--report", str(report), "-q"]) == 0
    assert [_mode(p) for p in (out, report, report.with_suffix(".txt"), report.with_suffix(".html"))] == [0o600] * 4
