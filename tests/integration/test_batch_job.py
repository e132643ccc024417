"""The batch job against a real OpenSSH sshd on loopback, with the real scoring step: no fakes.

Each test gets a folder of its own under the server's SFTP root (``inbox/``, ``outbox/``) and a
job folder on local disk; `bridge run --once` runs as a subprocess wherever a process must die
or two must race. The server runs on this machine, so the tests look at its folders directly to
see what the mainframe would see.
"""
from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
import uuid
from functools import lru_cache
from pathlib import Path

import pytest

from bridge.cli.main import main
from bridge.copybook import load_copybook
from bridge.pipeline.job import load_job
from bridge.pipeline.journal import Journal
from bridge.pipeline.run import JobRunner
from bridge.records.api import read_records, write_records
from bridge.testing import fake_table
from tests.conftest import COPYBOOKS, ROOT
from tests.integration.sshd_server import SshdServer, fresh_sshd, sshd  # noqa: F401 - fixtures

pytestmark = [pytest.mark.integration, pytest.mark.sshd]

MODEL = ROOT / "models" / "customer-risk"
LRECL = 117


@lru_cache(maxsize=None)
def extract(records: int, seed: int) -> bytes:
    """A cp037 CUSTOMER-REC extract as the mainframe sends it: prediction area left as spaces."""
    layout = load_copybook(COPYBOOKS / "customer.cpy")
    table = fake_table(layout, records, seed=seed)
    table = table.drop_columns([c for c in table.column_names if c.startswith(("SCORE", "REASON-CODE", "MODEL-ID"))])
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"bridge-extract-{uuid.uuid4().hex}.dat"
    try:
        write_records(table, path, layout, codepage="cp037")
        return path.read_bytes()
    finally:
        path.unlink(missing_ok=True)


class SftpJob:
    """A job whose inbox and outbox are folders on the test's sshd."""

    def __init__(self, server: SshdServer, local: Path, *, work: Path | None = None, **target: object) -> None:
        self.server = server
        self.remote = server.root / uuid.uuid4().hex[:8]
        self.inbox, self.outbox = self.remote / "inbox", self.remote / "outbox"
        self.inbox.mkdir(parents=True)
        self.outbox.mkdir()
        local.mkdir(parents=True, exist_ok=True)
        self.path = local / "job.toml"
        extra = "".join(f'{k} = "{v}"\n' for k, v in target.items())
        self.path.write_text(f'''[job]
name = "custscore"
copybook = "{COPYBOOKS / 'customer.cpy'}"
model = "{MODEL}"
recfm = "FB"
codepage = "cp037"
{f'work_dir = "{work}"' if work else ''}

[source]
kind = "sftp"
host = "{server.host}"
port = {server.port}
user = "{server.user}"
key_file = "{server.client_key}"
known_hosts = "{server.known_hosts}"
timeout = 5.0
retries = 2
retry_delay = 0.1
path = "{self.inbox}"
pattern = "*.dat"

[target]
path = "{self.outbox}"
{extra}''')

    @property
    def archive(self) -> Path:
        return self.inbox / "archive"

    def drop(self, name: str, data: bytes, *, trigger: bool = True) -> None:
        """Drop as the JCL step does: a temporary name, a rename, then the trigger."""
        part = self.inbox / f"{name}.part"
        part.write_bytes(data)
        part.rename(self.inbox / name)
        if trigger:
            (self.inbox / f"{name}.trg").write_bytes(b"")

    def journal(self) -> Journal:
        return Journal(load_job(self.path).journal)


def bridge_run(job: SftpJob, *, fault: str | None = None, wait: bool = True):
    env = {k: v for k, v in os.environ.items() if k != "BRIDGE_FAULT_AFTER"}
    if fault:
        env["BRIDGE_FAULT_AFTER"] = fault
    process = subprocess.Popen([sys.executable, "-m", "bridge.cli.main", "run", str(job.path), "--once"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    if not wait:
        return process
    out, err = process.communicate(timeout=120)
    return process.returncode, err


def names(folder: Path) -> list[str]:
    return sorted(os.listdir(folder)) if folder.is_dir() else []


def files_under(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def scored(path: Path):
    return read_records(path, load_copybook(COPYBOOKS / "customer.cpy"), codepage="cp037",
                        columns=["CUST-ID", "SCORE", "SCORE-BAND", "MODEL-ID", "SCORE-STATUS"])


def assert_delivered_once(job: SftpJob, inputs: dict[str, bytes]) -> None:
    """Every input scored, delivered and archived exactly once; nothing half-done left anywhere."""
    outputs = {n.replace(".dat", ".SCORED.dat") for n in inputs}
    assert names(job.outbox) == sorted(outputs | {o + ".status" for o in outputs})
    assert names(job.inbox) == ["archive"]
    assert names(job.archive) == sorted(set(inputs) | {n + ".trg" for n in inputs})
    for name, data in inputs.items():
        assert (job.archive / name).read_bytes() == data
        out = (job.outbox / name.replace(".dat", ".SCORED.dat")).read_bytes()
        assert len(out) == len(data)
        assert out[:60] == data[:60]  # fields before the prediction area untouched
        assert (job.outbox / name.replace(".dat", ".SCORED.dat.status")).read_text().startswith("RC=0000\n")
    with job.journal() as journal:
        rows = journal.rows()
        assert sorted(r.name for r in rows) == sorted(inputs)
        assert {r.state for r in rows} == {"done"}
        for row in rows:
            assert [s for _, s, _ in journal.events(row)].count("delivered") == 1


def test_a_dropped_extract_is_scored_and_delivered_with_its_status(sshd, tmp_path):  # noqa: F811
    job = SftpJob(sshd, tmp_path / "job")
    data = extract(500, 1)
    job.drop("CUSTEXT.D261126.dat", data)
    rc, err = bridge_run(job)
    assert rc == 0, err
    assert "CUSTEXT.D261126.dat: RC=0000 500 of 500 records scored" in err
    assert_delivered_once(job, {"CUSTEXT.D261126.dat": data})
    status = (job.outbox / "CUSTEXT.D261126.SCORED.dat.status").read_text().splitlines()
    assert status[:7] == ["RC=0000", "INPUT=CUSTEXT.D261126.dat", "OUTPUT=CUSTEXT.D261126.SCORED.dat",
                          "RECORDS-IN=0000000500", "SCORED=0000000500", "REJECTED=0000000000", "MODEL-ID=CUSTRISK"]
    frame = scored(job.outbox / "CUSTEXT.D261126.SCORED.dat")
    assert frame["SCORE"].notna().all() and (frame["SCORE-STATUS"] == "00").all()
    assert set(frame["MODEL-ID"]) == {"CUSTRISK"}


def test_a_file_without_its_trigger_is_left_alone(sshd, tmp_path):  # noqa: F811
    job = SftpJob(sshd, tmp_path / "job")
    job.drop("CUSTEXT.D261126.dat", extract(10, 2), trigger=False)
    runner = JobRunner(load_job(job.path))
    try:
        result = runner.run_once()
    finally:
        runner.close()
    assert (result.rc, result.processed) == (0, [])
    assert names(job.inbox) == ["CUSTEXT.D261126.dat"]
    assert names(job.outbox) == []
    assert not load_job(job.path).journal.exists()  # a pass with nothing to do writes nothing


def test_a_bad_file_is_rejected_with_rc_8_and_the_rest_of_the_inbox_flows(sshd, tmp_path):  # noqa: F811
    job = SftpJob(sshd, tmp_path / "job")
    good = extract(20, 3)
    job.drop("A.D261126.dat", good)
    job.drop("B.D261126.dat", good[:-5])  # not a multiple of LRECL
    rc, err = bridge_run(job)
    assert rc == 8, err
    assert (job.outbox / "A.D261126.SCORED.dat.status").read_text().startswith("RC=0000\n")
    assert (job.outbox / "B.D261126.SCORED.dat.status").read_text().startswith("RC=0008\nINPUT=B.D261126.dat\nOUTPUT=\n")
    assert names(job.inbox / "error") == ["B.D261126.dat", "B.D261126.dat.err", "B.D261126.dat.trg"]
    report = (job.inbox / "error" / "B.D261126.dat.err").read_text()
    assert f"file size: {len(good) - 5} bytes" in report and "error: FramingError" in report


@pytest.mark.parametrize("shared_journal", [True, False], ids=["one-journal", "two-journals"])
def test_two_bridge_processes_on_one_inbox_deliver_each_file_exactly_once(sshd, tmp_path, shared_journal):  # noqa: F811
    job = SftpJob(sshd, tmp_path / "job")
    inputs = {f"CUST{i}.D261126.dat": extract(300, 10 + i) for i in range(6)}
    for name, data in inputs.items():
        job.drop(name, data)
    jobs = [job]
    if not shared_journal:  # a second host: its own job folder and journal, the same inbox
        other = tmp_path / "other"
        other.mkdir()
        (other / "job.toml").write_text(job.path.read_text())
        twin = object.__new__(SftpJob)
        twin.__dict__.update(job.__dict__, path=other / "job.toml")
        jobs.append(twin)
    processes = [bridge_run(jobs[i % len(jobs)], wait=False) for i in range(2)]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    handled = [{line.split(":")[0] for line in err.splitlines() if ": RC=0000" in line} for _, err in outputs]
    assert handled[0] | handled[1] == set(inputs)
    assert not handled[0] & handled[1]
    if shared_journal:
        assert_delivered_once(job, inputs)
    else:
        assert names(job.outbox) == sorted({n.replace(".dat", ".SCORED.dat") + s for n in inputs for s in ("", ".status")})
        assert names(job.archive) == sorted(set(inputs) | {n + ".trg" for n in inputs})


@pytest.mark.parametrize("state", ["claiming", "claimed", "fetched", "processed", "delivered", "reported"])
def test_a_bridge_killed_after_any_step_is_finished_by_the_next_run(sshd, tmp_path, state):  # noqa: F811
    job = SftpJob(sshd, tmp_path / "job")
    inputs = {"A.D261126.dat": extract(200, 20), "B.D261126.dat": extract(200, 21)}
    for name, data in inputs.items():
        job.drop(name, data)
    rc, err = bridge_run(job, fault=state)
    assert rc == -9, err  # SIGKILL
    rc, err = bridge_run(job)
    assert rc == 0, err
    assert_delivered_once(job, inputs)


def test_sshd_stopped_during_a_transfer_then_restarted_lets_the_next_run_finish(fresh_sshd, tmp_path):  # noqa: F811
    job = SftpJob(fresh_sshd, tmp_path / "job")
    data = extract(200_000, 30)  # 23 MB: the transfer takes long enough to stop the server under it
    job.drop("BIG.D261126.dat", data)
    work = load_job(job.path).work_dir
    process = bridge_run(job, wait=False)
    deadline = time.monotonic() + 60
    seen = None
    while time.monotonic() < deadline and process.poll() is None:
        parts = [p for p in work.rglob(".input.part-*")] + [p for p in job.outbox.glob(".*.part-*")]
        if parts:
            seen = parts[0].name
            fresh_sshd.stop()
            break
        time.sleep(0.002)
    _, err = process.communicate(timeout=120)
    assert seen is not None, f"the transfer was never caught in flight: {err}"
    assert process.returncode == 12, err
    assert "not finished, the next run resumes it" in err
    assert names(job.outbox) == []  # nothing half-written visible
    fresh_sshd.start()
    rc, err = bridge_run(job)
    assert rc == 0, err
    assert names(job.outbox) == ["BIG.D261126.SCORED.dat", "BIG.D261126.SCORED.dat.status"]
    assert len((job.outbox / "BIG.D261126.SCORED.dat").read_bytes()) == len(data)
    assert names(job.archive) == ["BIG.D261126.dat", "BIG.D261126.dat.trg"]


def test_a_changed_host_key_is_refused_and_nothing_is_touched(fresh_sshd, tmp_path, capsys):  # noqa: F811
    job = SftpJob(fresh_sshd, tmp_path / "job")
    job.drop("A.D261126.dat", extract(10, 40))
    known = fresh_sshd.known_hosts.read_text()
    fresh_sshd.rotate_host_key()
    assert main(["run", str(job.path), "--once"]) == 12
    err = capsys.readouterr().err
    assert "host key changed" in err and "Refusing to connect" in err
    assert names(job.inbox) == ["A.D261126.dat", "A.D261126.dat.trg"]
    assert names(job.outbox) == []
    assert fresh_sshd.known_hosts.read_text() == known  # never learnt


def test_a_dropped_name_that_would_escape_is_left_alone_and_nothing_lands_outside_the_outbox(sshd, tmp_path):  # noqa: F811
    job = SftpJob(sshd, tmp_path / "job", name="{name}.SCORED")
    before = files_under(sshd.root)
    evil = "X\\..\\..\\ESCAPE.dat"
    job.drop(evil, extract(10, 50))
    job.drop("GOOD.D261126.dat", extract(10, 51))
    rc, err = bridge_run(job)
    assert rc == 0, err
    assert "not a plain file name, left alone" in err
    assert evil in names(job.inbox)
    assert names(job.outbox) == ["GOOD.D261126.dat.SCORED", "GOOD.D261126.dat.SCORED.status"]
    new = files_under(sshd.root) - before
    assert all(path.startswith(job.remote.name + "/") for path in new), new
    assert not any("ESCAPE" in path for path in new if "/inbox/" not in f"/{path}")


@pytest.mark.parametrize("key, pattern", [("name", "../{name}"), ("status_name", "../../{output}.status"),
                                          ("trigger_name", "/tmp/{output}.trg")])
def test_a_target_name_pattern_with_a_path_is_refused_before_anything_moves(sshd, tmp_path, capsys, key, pattern):  # noqa: F811
    job = SftpJob(sshd, tmp_path / "job", **{key: pattern})
    job.drop("A.D261126.dat", extract(10, 60))
    assert main(["run", str(job.path), "--once"]) == 12
    assert f"[target] {key} = '{pattern}' would write outside the outbox" in capsys.readouterr().err
    assert names(job.inbox) == ["A.D261126.dat", "A.D261126.dat.trg"]
    assert names(job.remote) == ["inbox", "outbox"]


def test_on_sftp_a_mixed_hostile_inbox_delivers_the_good_file_once_and_writes_nothing_outside(sshd, tmp_path):  # noqa: F811
    """Issue 8's acceptance on the real server: odd names, a long name, a linked archive, an empty drop."""
    job = SftpJob(sshd, tmp_path / "job")
    elsewhere = job.remote / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "GOOD.D261126.dat").write_bytes(b"precious")
    (job.inbox / "archive").symlink_to(elsewhere)
    good, long_data = extract(20, 70), extract(10, 71)
    long_name = "L" * 195 + ".dat"
    job.drop("GOOD.D261126.dat", good)
    job.drop(long_name, long_data)
    job.drop("\u00c9TAT.dat", extract(10, 72))
    job.drop("NEL\x85.dat", extract(10, 73))
    with open(os.fsencode(job.inbox) + b"/LATIN\xc9.dat", "wb") as latin:  # a name that is not UTF-8
        latin.write(extract(10, 74))
    job.drop("EMPTY.dat", b"")
    before_outside = {p for p in files_under(sshd.root) if not p.startswith(job.remote.name + "/")}
    rc, err = bridge_run(job)
    assert rc == 12, err
    assert "Traceback" not in err
    assert err.count("not a plain file name, left alone") == 5  # 3 names, 2 triggers: once each
    outputs = ["EMPTY.SCORED.dat", "GOOD.D261126.SCORED.dat", "L" * 195 + ".SCORED.dat"]
    assert names(job.outbox) == sorted(outputs + [o + ".status" for o in outputs])
    assert (job.outbox / "GOOD.D261126.SCORED.dat.status").read_text().startswith("RC=0000\n")
    assert (job.outbox / "EMPTY.SCORED.dat.status").read_text().startswith("RC=0004\n")
    assert len((job.outbox / ("L" * 195 + ".SCORED.dat")).read_bytes()) == len(long_data)
    assert names(elsewhere) == ["GOOD.D261126.dat"] and (elsewhere / "GOOD.D261126.dat").read_bytes() == b"precious"
    assert "is a symbolic link" in err
    assert {p for p in files_under(sshd.root) if not p.startswith(job.remote.name + "/")} == before_outside
    snapshot = {p: (job.remote / p).read_bytes() for p in files_under(job.remote)}
    rc, err = bridge_run(job)
    assert rc == 12, err
    assert {p: (job.remote / p).read_bytes() for p in files_under(job.remote)} == snapshot
    with job.journal() as journal:
        for row in journal.rows():
            assert [s for _, s, _ in journal.events(row)].count("delivered") == 1


def test_on_sftp_outputs_and_folders_the_job_makes_are_owner_only(sshd, tmp_path):  # noqa: F811
    job = SftpJob(sshd, tmp_path / "job")
    job.drop("A.D261126.dat", extract(10, 80))
    rc, err = bridge_run(job)
    assert rc == 0, err
    modes = {name: stat.S_IMODE((job.outbox / name).stat().st_mode) for name in names(job.outbox)}
    assert modes == {"A.D261126.SCORED.dat": 0o600, "A.D261126.SCORED.dat.status": 0o600}
    assert stat.S_IMODE(job.archive.stat().st_mode) == 0o700


def test_job_check_reaches_the_server_and_refuses_a_changed_host_key_changing_nothing(fresh_sshd, tmp_path,  # noqa: F811
                                                                                    capsys):
    job = SftpJob(fresh_sshd, tmp_path / "job")
    job.drop("A.D261126.dat", extract(10, 90))
    before = files_under(job.remote)
    assert main(["job", "check", str(job.path), "--no-model"]) == 0
    out = capsys.readouterr().out
    assert "(host key known, login accepted, folder there)" in out and "take A.D261126.dat" in out
    fresh_sshd.rotate_host_key()
    assert main(["job", "check", str(job.path), "--no-model"]) == 12
    assert "FAIL inbox: " in capsys.readouterr().out
    assert files_under(job.remote) == before
    assert not load_job(job.path).journal.exists()
