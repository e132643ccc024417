"""Return codes as docs/troubleshooting.md documents them, and outputs checked before the work (issue 9)."""
from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from bridge.cli.main import main
from tests.cli.conftest import command_line
from tests.conftest import COPYBOOKS, FIXTURES, ROOT

CUSTOMER = str(COPYBOOKS / "customer.cpy")


def test_ctrl_c_exits_130_not_1_which_means_a_round_trip_difference(monkeypatch, capsys):
    import bridge.cli.schema as schema

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(schema, "_compile", interrupted)
    assert main(["schema", CUSTOMER, "--format", "layout"]) == 130
    assert capsys.readouterr().err.strip() == "mfbridge: interrupted"


def test_sigint_to_a_running_decode_exits_130_without_traceback(tmp_path):
    fifo = tmp_path / "CUST.dat"
    os.mkfifo(fifo)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([*command_line(), "decode", str(fifo), "-c", CUSTOMER], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    # opening the write end succeeds once the command has the fifo open: it then waits in read
    deadline = time.monotonic() + 120
    writer = None
    while writer is None:
        try:
            writer = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read().decode()
            time.sleep(0.05)
    try:
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        os.close(writer)
    assert proc.returncode == 130
    assert "Traceback" not in err.decode()
    assert err.decode().strip() == "mfbridge: interrupted"


@pytest.fixture(scope="module")
def many_records(tmp_path_factory):
    import bridge
    from bridge.testing import fake_table

    layout = bridge.load_copybook(COPYBOOKS / "customer.cpy")
    path = tmp_path_factory.mktemp("pipe") / "CUST.dat"
    bridge.write_records(fake_table(layout, 5000, seed=3), path, layout)
    return path


def test_a_closed_pipe_ends_the_command_quietly(many_records):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([*command_line(), "decode", str(many_records), "-c", CUSTOMER],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    first = proc.stdout.readline()
    proc.stdout.close()  # as `| head -1` does
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert first.startswith(b'{"CUST-ID"')
    assert proc.returncode == 0
    assert err == ""


def test_a_report_in_a_missing_folder_is_refused_before_scoring(tmp_path, capsys):
    out = tmp_path / "SCORED.dat"
    report = tmp_path / "nope" / "report.json"
    rc = main(["score", str(FIXTURES / "customer.cp037.dat"), "-c", str(COPYBOOKS / "customer_history.cpy"),
               "--model", str(ROOT / "models" / "customer-risk"), "-o", str(out), "--report", str(report)])
    assert rc == 12
    assert capsys.readouterr().err == (f"mfbridge: {report}: cannot write here: the folder {tmp_path / 'nope'} "
                                       "does not exist\n")
    assert not out.exists()


def test_an_output_that_is_a_folder_is_a_usage_error(tmp_path, capsys):
    rc = main(["decode", str(FIXTURES / "customer.cp037.dat"), "-c", CUSTOMER, "-o", str(tmp_path)])
    assert rc == 2
    assert capsys.readouterr().err == (f"mfbridge decode: Invalid value for '-o' / '--output': File '{tmp_path}' "
                                       "is a directory. Try 'mfbridge decode --help'.\n")
