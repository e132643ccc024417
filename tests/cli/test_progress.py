"""The progress line: on a terminal only, records, MB, rate and ETA, silenced by --quiet (issue 9).

The terminal is a real pseudo-terminal (`pty`): the command runs in its own process with
standard error on the pty and the records going to a file.
"""
from __future__ import annotations

import io
import os
import pty
import subprocess

import pytest

from bridge.cli.progress import Progress
from tests.cli.conftest import command_line
from tests.conftest import COPYBOOKS, ROOT

CUSTOMER = str(COPYBOOKS / "customer.cpy")


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    import bridge
    from bridge.testing import fake_table

    layout = bridge.load_copybook(COPYBOOKS / "customer.cpy")
    path = tmp_path_factory.mktemp("progress") / "CUST.dat"
    bridge.write_records(fake_table(layout, 300, seed=5), path, layout)
    return path


def _stderr_on_a_terminal(*args: object) -> tuple[int, str]:
    """Run the command with standard error on a pseudo-terminal; its return code and what the terminal got."""
    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([*command_line(), *map(str, args)], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=slave, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the command closed its end
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return proc.wait(timeout=120), b"".join(chunks).decode()


def test_decode_shows_records_megabytes_and_rate_on_a_terminal(records, tmp_path):
    rc, seen = _stderr_on_a_terminal("decode", records, "-c", CUSTOMER, "-o", tmp_path / "out.jsonl")
    assert rc == 0
    size = os.path.getsize(records) / 1e6
    assert f"\rdecoding  300 records  {size:.1f}/{size:.1f} MB (100%)  " in seen
    assert " MB/s  ETA 0:00" in seen
    assert seen.endswith("mfbridge: 300 records decoded\r\n")


def test_the_progress_line_is_erased_before_the_summary(records, tmp_path):
    _, seen = _stderr_on_a_terminal("decode", records, "-c", CUSTOMER, "-o", tmp_path / "out.jsonl")
    last_line = seen.rsplit("\r\n", 2)[-2]
    assert last_line.rstrip("\r").split("\r")[-1] == "mfbridge: 300 records decoded"


def test_quiet_silences_the_progress_line(records, tmp_path):
    rc, seen = _stderr_on_a_terminal("decode", records, "-c", CUSTOMER, "-o", tmp_path / "out.jsonl", "--quiet")
    assert rc == 0
    assert seen == "mfbridge: 300 records decoded\r\n"


def test_nothing_extra_when_standard_error_is_not_a_terminal(records, tmp_path):
    done = subprocess.run([*command_line(), "decode", str(records), "-c", CUSTOMER, "-o", str(tmp_path / "o.jsonl")],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert done.stderr == "mfbridge: 300 records decoded\n"


def test_roundtrip_shows_its_progress_on_a_terminal(records):
    rc, seen = _stderr_on_a_terminal("roundtrip", records, "-c", CUSTOMER)
    assert rc == 0
    assert "\rround trip  " in seen and " MB/s" in seen


def test_the_line_gives_records_megabytes_of_the_total_rate_and_eta():
    now = [0.0]
    out = io.StringIO()
    progress = Progress("decoding", total_bytes=10_000_000, stream=out, clock=lambda: now[0])
    now[0] = 2.0
    progress.update(records=1000, nbytes=5_000_000)
    assert progress.line() == "decoding  1,000 records  5.0/10.0 MB (50%)  2.5 MB/s  ETA 0:02"


def test_without_a_count_the_line_estimates_records_from_the_record_length():
    now = [0.0]
    progress = Progress("scoring", total_bytes=1_170_000, record_length=117, stream=io.StringIO(),
                        clock=lambda: now[0])
    now[0] = 1.0
    progress.position(117_000)
    assert progress.line() == "scoring  ~1,000 records  0.1/1.2 MB (10%)  0.1 MB/s  ETA 0:09"
