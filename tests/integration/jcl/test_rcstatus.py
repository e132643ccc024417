"""RCSTATUS.rexx run by a real REXX interpreter (Regina) on real status files.

z/OS is not here, so the one routine that uses z/OS UNIX services (``readfile``: open, read,
close through ``address syscall``) is replaced by a stream read; everything else, parsing,
translation table, condition code, messages, is the member as shipped. The EBCDIC side of the
table is held by tests/docs/test_jcl_samples.py.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from bridge.pipeline.status import Outcome, status_text
from tests.conftest import IN_CI, ROOT

MEMBER = ROOT / "examples" / "jcl" / "RCSTATUS.rexx"
STREAM_READ = """readfile: procedure
  parse arg path
  if stream(path, 'c', 'query exists') = '' then
    call fail 'CANNOT OPEN' path '(ERRNO 129)'
  raw = charin(path, 1, chars(path))
  call stream path, 'c', 'close'
  return raw
"""


@pytest.fixture(scope="module")
def rcstatus(tmp_path_factory) -> Path:
    regina = shutil.which("regina")
    if regina is None:
        message = "regina is not installed (apt-get install regina-rexx)"
        if IN_CI:
            pytest.fail(message + " and CI=true: integration tests must run in CI")
        pytest.skip(message)
    source = MEMBER.read_text(encoding="utf-8")
    assert source.count("readfile: procedure") == 1 and source.rstrip().endswith("return raw")
    exec_file = tmp_path_factory.mktemp("rexx") / "RCSTATUS.rexx"
    exec_file.write_text(source[: source.index("readfile: procedure")] + STREAM_READ, encoding="utf-8")
    return exec_file


def run(exec_file: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["regina", str(exec_file), *args], capture_output=True, text=True, timeout=30)


def status_file(tmp_path: Path, rc: int, message: str = "") -> Path:
    path = tmp_path / "CUSTEXT.D261126.SCORED.dat.status"
    path.write_bytes(status_text("CUSTEXT.D261126.dat", "CUSTEXT.D261126.SCORED.dat" if rc <= 4 else None,
                                 Outcome(rc=rc, records_in=3, scored=3 if rc == 0 else 2, rejected=0 if rc == 0 else 1,
                                         model_id="CUSTRISK", message=message)))
    return path


@pytest.mark.parametrize("rc", [0, 4, 8, 12])
def test_the_condition_code_is_the_status_files_rc(rcstatus, tmp_path, rc):
    done = run(rcstatus, str(status_file(tmp_path, rc)))
    assert done.returncode == rc, done.stdout + done.stderr
    assert done.stdout.splitlines()[0] == f"RCSTATUS: RC={rc:04d}"


def test_every_line_of_the_status_file_is_printed_for_the_operator(rcstatus, tmp_path):
    done = run(rcstatus, str(status_file(tmp_path, 4, "2 of 3 records scored, 1 not scored")))
    assert done.stdout.splitlines() == [
        "RCSTATUS: RC=0004",
        "RCSTATUS: INPUT=CUSTEXT.D261126.dat",
        "RCSTATUS: OUTPUT=CUSTEXT.D261126.SCORED.dat",
        "RCSTATUS: RECORDS-IN=0000000003",
        "RCSTATUS: SCORED=0000000002",
        "RCSTATUS: REJECTED=0000000001",
        "RCSTATUS: MODEL-ID=CUSTRISK",
        "RCSTATUS: MESSAGE=2 of 3 records scored, 1 not scored",
    ]


def test_a_missing_status_file_is_16(rcstatus, tmp_path):
    done = run(rcstatus, str(tmp_path / "nothing.status"))
    assert done.returncode == 16
    assert f"RCSTATUS: CANNOT OPEN {tmp_path / 'nothing.status'}" in done.stdout


def test_no_parm_is_16_and_says_what_to_pass(rcstatus):
    done = run(rcstatus)
    assert done.returncode == 16
    assert "RCSTATUS: NO FILE NAMED: PARM='RCSTATUS /path'" in done.stdout


def test_an_empty_status_file_is_16(rcstatus, tmp_path):
    (tmp_path / "empty.status").write_bytes(b"")
    done = run(rcstatus, str(tmp_path / "empty.status"))
    assert (done.returncode, done.stdout.strip()) == (16, f"RCSTATUS: {tmp_path / 'empty.status'} IS EMPTY")


def test_a_file_that_does_not_start_with_rc_is_16(rcstatus, tmp_path):
    (tmp_path / "other.status").write_bytes(b"HELLO=1\nRC=0000\n")
    done = run(rcstatus, str(tmp_path / "other.status"))
    assert done.returncode == 16
    assert done.stdout.splitlines()[-1] == f"RCSTATUS: {tmp_path / 'other.status'} DOES NOT START WITH RC=NNNN"


def test_a_status_file_translated_to_ebcdic_on_the_way_is_16_not_a_wrong_rc(rcstatus, tmp_path):
    path = status_file(tmp_path, 0)
    path.write_bytes(path.read_bytes().decode("ascii").encode("cp037"))
    done = run(rcstatus, str(path))
    assert done.returncode == 16
    assert "DOES NOT START WITH RC=NNNN" in done.stdout


def test_a_file_too_big_to_be_a_status_file_is_16(rcstatus, tmp_path):
    (tmp_path / "big.status").write_bytes(b"RC=0000\n" + b"X" * 5000 + b"\n")
    done = run(rcstatus, str(tmp_path / "big.status"))
    assert (done.returncode, done.stdout.strip()) == (16, f"RCSTATUS: {tmp_path / 'big.status'} IS NOT A STATUS FILE")


def test_an_rc_over_4095_is_16(rcstatus, tmp_path):
    (tmp_path / "huge.status").write_bytes(b"RC=5000\n")
    done = run(rcstatus, str(tmp_path / "huge.status"))
    assert (done.returncode, done.stdout.splitlines()[-1]) == (16, "RCSTATUS: RC 5000 IS NOT A CONDITION CODE")
