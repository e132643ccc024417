"""The mainframe's side played by GnuCOBOL and OpenSSH, the bridge's by `bridge run --once`: no fakes.

CUSTWRT writes the customer extract (ASCII, GnuCOBOL's conventions: the job says
``codepage = "ascii"`` and ``dialect = "gnucobol"``); ``jcl/send_extract.sh`` drops it over SFTP
as the sending JCL step would (temporary name, rename, trigger); `bridge run --once` scores it;
``jcl/receive_scored.sh`` gets the status, tests its RC and gets the scored file, as the
receiving step would; CUSTRD reads the scored file and DISPLAYs the scores, which must be
those `bridge decode` reads from the same file.
"""
from __future__ import annotations

import json
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import COPYBOOKS, ROOT, require_tool
from tests.integration.cobol import IBM_FLAGS, CobolProgram
from tests.integration.cobol_records import parse_customer_display
from tests.integration.sshd_server import SshdServer, sshd  # noqa: F401 - fixture

pytestmark = [pytest.mark.integration, pytest.mark.cobc, pytest.mark.sshd]

JCL = Path(__file__).resolve().parent / "jcl"
RECORDS = 40
NAME = "CUSTEXT.D261126.G0042.dat"
SCORED = "CUSTEXT.D261126.G0042.SCORED.dat"


def ssh_args(server: SshdServer) -> list[str]:
    return [server.host, str(server.port), server.user, str(server.client_key), str(server.known_hosts)]


def write_job(path: Path, inbox: Path, outbox: Path, server: SshdServer) -> None:
    path.write_text(f'''[job]
name = "custscore-gnucobol"
copybook = "{COPYBOOKS / 'customer.cpy'}"
model = "{ROOT / 'models' / 'customer-risk'}"
recfm = "FB"
codepage = "ascii"
dialect = "gnucobol"

[source]
kind = "sftp"
host = "{server.host}"
port = {server.port}
user = "{server.user}"
key_file = "{server.client_key}"
known_hosts = "{server.known_hosts}"
path = "{inbox}"
pattern = "CUSTEXT.*.dat"

[target]
path = "{outbox}"
''')


def test_a_gnucobol_extract_dropped_by_a_jcl_step_is_scored_and_read_back_by_cobol(sshd, tmp_path):  # noqa: F811
    require_tool("cobc")
    require_tool("sftp")
    writer = CobolProgram.compile("CUSTWRT.cbl", flags=IBM_FLAGS)
    reader = CobolProgram.compile("CUSTRD.cbl", flags=IBM_FLAGS)
    remote = sshd.root / uuid.uuid4().hex[:8]
    inbox, outbox = remote / "inbox", remote / "outbox"
    inbox.mkdir(parents=True)
    outbox.mkdir()

    extract = tmp_path / "CUSTEXT.DAT"
    writer.run(dd={"CUSTOUT": extract}, args=[str(RECORDS)])
    assert extract.stat().st_size == RECORDS * 117

    sent = subprocess.run(["bash", str(JCL / "send_extract.sh"), str(extract), str(inbox), NAME, *ssh_args(sshd)],
                          capture_output=True, text=True, timeout=60)
    assert sent.returncode == 0, sent.stderr
    assert sorted(p.name for p in inbox.iterdir()) == [NAME, NAME + ".trg"]

    job = tmp_path / "job.toml"
    write_job(job, inbox, outbox, sshd)
    run = subprocess.run([sys.executable, "-m", "bridge.cli.main", "run", str(job), "--once"],
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert f"{NAME}: RC=0000 {RECORDS} of {RECORDS} records scored" in run.stderr

    received = tmp_path / "received"
    received.mkdir()
    got = subprocess.run(["bash", str(JCL / "receive_scored.sh"), str(outbox), SCORED, str(received),
                          *ssh_args(sshd)], capture_output=True, text=True, timeout=60)
    assert got.returncode == 0, got.stdout + got.stderr
    assert "STATUS RC=0" in got.stdout
    scored = received / SCORED
    assert scored.stat().st_size == extract.stat().st_size

    shown = reader.run(dd={"CUSTIN": scored}).stdout
    cobol = parse_customer_display(shown)
    assert len(cobol) == RECORDS

    decoded = subprocess.run(
        [sys.executable, "-m", "bridge.cli.main", "decode", str(scored), "-c", str(COPYBOOKS / "customer.cpy"),
         "--codepage", "ascii", "--dialect", "gnucobol"],
        capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert decoded.returncode == 0, decoded.stderr
    bridge = [{"CUST-ID": r["CUST-ID"], **r["SCORE-AREA"]} for r in map(json.loads, decoded.stdout.splitlines())]
    assert len(bridge) == RECORDS

    for seen, ours in zip(cobol, bridge):
        assert seen["SCORE"] is not None, "CUSTRD found SCORE not numeric (blank?)"
        assert seen["SCORE-BAND"].strip() and seen["MODEL-ID"] == "CUSTRISK"
        assert seen["CUST-ID"] == ours["CUST-ID"]
        assert Decimal(str(seen["SCORE"])) == Decimal(str(ours["SCORE"]))
        assert seen["SCORE-BAND"] == ours["SCORE-BAND"]
        assert seen["REASON-CODE"] == [code or "" for code in ours["REASON-CODE"]]
        assert seen["MODEL-ID"] == ours["MODEL-ID"]
        assert seen["SCORE-STATUS"] == ours["SCORE-STATUS"]
    assert any(Decimal(str(r["SCORE"])) > 0 for r in cobol)
