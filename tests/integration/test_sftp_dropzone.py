"""The SFTP DropZone against a real OpenSSH sshd on loopback (no fakes).

Each test works in a folder of its own under the server's SFTP root; the server runs on this
machine, so tests also look at that folder directly to see what a reader on the server would see.
"""
from __future__ import annotations

import logging
import os
import subprocess
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bridge.errors import TransportError
from bridge.transport import (
    DropZone,
    FileMissingError,
    HostKeyError,
    NameRejectedError,
    RetryPolicy,
    TargetExistsError,
    open_dropzone,
)
from tests.integration.sshd_server import SshdServer  # the sshd and fresh_sshd fixtures come from conftest.py

pytestmark = [pytest.mark.integration, pytest.mark.sshd]

BIG = 24 << 20
FAST_RETRY = RetryPolicy(attempts=5, base_delay=0.1, max_delay=1.0)


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sftp") / "big.bin"
    path.write_bytes(os.urandom(BIG))
    return path


def open_folder(server: SshdServer, **overrides: object) -> tuple[DropZone, Path]:
    """A zone on a new folder under the server's root, and that folder's path on this machine."""
    folder = server.root / uuid.uuid4().hex[:8]
    folder.mkdir()
    settings = server.connection(path=str(folder), retry=FAST_RETRY)
    settings.update(overrides)
    return open_dropzone(**settings), folder  # type: ignore[arg-type]


@pytest.fixture
def zone(sshd: SshdServer) -> Iterator[tuple[DropZone, Path]]:
    zone, folder = open_folder(sshd)
    with zone:
        yield zone, folder


class PauseAt:
    """A progress callback that, once `threshold` bytes have moved, lets the test act mid-transfer."""

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self.reached = threading.Event()
        self.resume = threading.Event()

    def __call__(self, done: int, total: int) -> None:
        if done >= self.threshold and not self.reached.is_set():
            self.reached.set()
            self.resume.wait(10)


def in_thread(work) -> tuple[threading.Thread, list[object]]:
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as error:  # noqa: BLE001 - handed to the test thread
            outcome.append(error)
    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


# --- round trips ----------------------------------------------------------------------------------

def test_put_list_fetch_round_trip_gives_identical_bytes(zone, big_file: Path, tmp_path: Path) -> None:
    dz, folder = zone
    entry = dz.put(big_file, "APPL.D261126.DAT")
    dz.put_bytes(b"", "APPL.D261126.DAT.trg")
    assert [(e.name, e.size) for e in dz.list()] == [("APPL.D261126.DAT", BIG), ("APPL.D261126.DAT.trg", 0)]
    assert entry.size == BIG
    assert sorted(os.listdir(folder)) == ["APPL.D261126.DAT", "APPL.D261126.DAT.trg"]
    fetched = dz.fetch("APPL.D261126.DAT", tmp_path / "work.dat")
    assert fetched.size == BIG
    assert (tmp_path / "work.dat").read_bytes() == big_file.read_bytes()
    assert (folder / "APPL.D261126.DAT").read_bytes() == big_file.read_bytes()


def test_a_concurrent_lister_never_sees_an_upload_under_its_final_name_before_it_is_complete(
        sshd: SshdServer, big_file: Path) -> None:
    writer, folder = open_folder(sshd)
    reader = open_dropzone(**sshd.connection(path=str(folder)))
    with writer, reader:
        thread, outcome = in_thread(lambda: writer.put(big_file, "OUT.DAT"))
        finals, temps, visible = [], [], []
        while thread.is_alive():
            visible.append([e.name for e in reader.list("*")])
            for entry in reader.list(".*"):
                temps.append(entry)
            finals.extend(e for e in reader.list("*") if e.name == "OUT.DAT")
        thread.join()
    assert not isinstance(outcome[0], BaseException), outcome
    assert any(e.name.startswith(".OUT.DAT.part-") and e.size < BIG for e in temps), "lister never ran mid-upload"
    assert all(e.size == BIG for e in finals), "final name seen with partial content"
    assert all(names in ([], ["OUT.DAT"]) for names in visible)
    assert os.listdir(folder) == ["OUT.DAT"]


# --- renames and claims ---------------------------------------------------------------------------

def test_posix_rename_replaces_an_existing_target(zone) -> None:
    dz, folder = zone
    dz.put_bytes(b"scored, second run", "OUT.DAT.new")
    dz.put_bytes(b"scored, first run", "OUT.DAT")
    dz.rename("OUT.DAT.new", "OUT.DAT", overwrite=True)
    assert os.listdir(folder) == ["OUT.DAT"]
    assert (folder / "OUT.DAT").read_bytes() == b"scored, second run"


def test_put_replaces_an_existing_file_but_exclusive_put_refuses(zone) -> None:
    dz, folder = zone
    dz.put_bytes(b"RC=0000", "STATUS")
    dz.put_bytes(b"RC=0004", "STATUS")
    with pytest.raises(TargetExistsError, match="STATUS already exists"):
        dz.put_bytes(b"RC=0008", "STATUS", overwrite=False)
    assert os.listdir(folder) == ["STATUS"] and (folder / "STATUS").read_bytes() == b"RC=0004"


def test_exclusive_rename_fails_when_the_target_exists_and_changes_nothing(zone) -> None:
    dz, folder = zone
    dz.put_bytes(b"new", "A.DAT")
    dz.put_bytes(b"old", "B.DAT")
    with pytest.raises(TargetExistsError) as caught:
        dz.rename("A.DAT", "B.DAT")
    assert "rename refused: B.DAT already exists" in str(caught.value)
    assert str(caught.value).startswith(f"sftp://{dz.user}@127.0.0.1:")  # type: ignore[attr-defined]
    assert (folder / "A.DAT").read_bytes() == b"new" and (folder / "B.DAT").read_bytes() == b"old"


def test_renaming_a_missing_file_raises_file_missing(zone) -> None:
    dz, _ = zone
    with pytest.raises(FileMissingError, match="NOPE.DAT: rename to X.DAT: no such file"):
        dz.rename("NOPE.DAT", "X.DAT")


def test_two_connections_claiming_one_file_exactly_one_wins(sshd: SshdServer) -> None:
    first, folder = open_folder(sshd)
    second = open_dropzone(**sshd.connection(path=str(folder)))
    rounds = 15
    with first, second:
        for number in range(rounds):
            first.put_bytes(f"extract {number}".encode(), f"APPL.D{number:06d}.DAT")
        results: dict[str, list[str | None]] = {"p1": [], "p2": []}
        start = threading.Barrier(2)

        def claim_all(dz: DropZone, token: str) -> None:
            for number in range(rounds):
                start.wait()
                results[token].append(dz.claim(f"APPL.D{number:06d}.DAT", token))
        threads = [threading.Thread(target=claim_all, args=(dz, token)) for dz, token in ((first, "p1"), (second, "p2"))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    for number in range(rounds):
        won = [r for r in (results["p1"][number], results["p2"][number]) if r]
        assert len(won) == 1, f"round {number}: {results['p1'][number]!r} vs {results['p2'][number]!r}"
        assert (folder / won[0]).read_bytes() == f"extract {number}".encode()
    assert len(os.listdir(folder)) == rounds


def test_move_into_an_archive_folder_created_on_the_server(zone) -> None:
    dz, folder = zone
    dz.put_bytes(b"done", "APPL.DAT")
    dz.makedirs("archive/2026")
    dz.move("APPL.DAT", "archive/2026")
    assert (folder / "archive" / "2026" / "APPL.DAT").read_bytes() == b"done"
    assert dz.list() == []


def test_remove_and_missing_files(zone, tmp_path: Path) -> None:
    dz, folder = zone
    dz.put_bytes(b"x", "A.DAT")
    assert dz.exists("A.DAT")
    dz.remove("A.DAT")
    assert not dz.exists("A.DAT") and os.listdir(folder) == []
    with pytest.raises(FileMissingError, match="A.DAT: fetch: no such file"):
        dz.fetch("A.DAT", tmp_path / "a")
    assert os.listdir(tmp_path) == []


# --- names ----------------------------------------------------------------------------------------

def test_a_name_with_dot_dot_slash_is_rejected_and_nothing_leaves_the_folder(zone, tmp_path: Path) -> None:
    dz, folder = zone
    for attempt in (lambda: dz.put_bytes(b"x", "../ESCAPED.DAT"),
                    lambda: dz.fetch("../../sshd_config", tmp_path / "stolen"),
                    lambda: dz.rename("A.DAT", "../ESCAPED.DAT")):
        with pytest.raises(NameRejectedError, match=r"rejected: contains '\.\.' \(path traversal\)"):
            attempt()
    assert not (folder.parent / "ESCAPED.DAT").exists() and not (tmp_path / "stolen").exists()


# --- host keys and logins -------------------------------------------------------------------------

def test_a_changed_host_key_is_refused_and_known_hosts_is_left_alone(fresh_sshd: SshdServer) -> None:
    old_fingerprint = fresh_sshd.host_key_fingerprint()
    before = fresh_sshd.known_hosts.read_bytes()
    fresh_sshd.rotate_host_key()
    with pytest.raises(HostKeyError) as caught:
        open_dropzone(**fresh_sshd.connection())
    message = str(caught.value)
    assert f"host key changed: [127.0.0.1]:{fresh_sshd.port} offered ssh-ed25519 key " \
           f"{fresh_sshd.host_key_fingerprint()}" in message
    assert f"known_hosts file {fresh_sshd.known_hosts} lists ssh-ed25519 key {old_fingerprint}" in message
    assert not caught.value.retryable
    assert fresh_sshd.known_hosts.read_bytes() == before


def test_an_unknown_host_is_refused_naming_the_offered_key_and_the_file_checked(sshd: SshdServer,
                                                                                tmp_path: Path) -> None:
    known_hosts = tmp_path / "known_hosts"
    other_server = sshd.known_hosts_line().replace(f"]:{sshd.port} ", f"]:{sshd.port + 1} ")
    known_hosts.write_text(other_server)
    with pytest.raises(HostKeyError) as caught:
        open_dropzone(**sshd.connection(known_hosts=str(known_hosts)))
    message = str(caught.value)
    assert f"unknown host: [127.0.0.1]:{sshd.port} is not in known_hosts file {known_hosts}" in message
    assert f"it offered ssh-ed25519 key {sshd.host_key_fingerprint()}" in message
    assert "never added automatically" in message
    assert known_hosts.read_text() == other_server


def test_an_encrypted_key_opens_with_the_passphrase_from_the_named_variable(sshd: SshdServer,
                                                                          monkeypatch) -> None:
    key = sshd.add_client_key("encrypted_ed25519", passphrase="s3cret pass")
    with pytest.raises(TransportError, match="is encrypted: set passphrase_env"):
        open_dropzone(**sshd.connection(key_file=str(key)))
    monkeypatch.setenv("BRIDGE_SFTP_PASSPHRASE", "wrong")
    with pytest.raises(TransportError, match=r"cannot be decrypted with the passphrase in \$BRIDGE_SFTP_PASSPHRASE"):
        open_dropzone(**sshd.connection(key_file=str(key), passphrase_env="BRIDGE_SFTP_PASSPHRASE"))
    monkeypatch.setenv("BRIDGE_SFTP_PASSPHRASE", "s3cret pass")
    with open_dropzone(**sshd.connection(key_file=str(key), passphrase_env="BRIDGE_SFTP_PASSPHRASE")) as dz:
        assert isinstance(dz.list(), list)


def test_a_key_the_server_does_not_know_is_refused_naming_user_and_key(sshd: SshdServer,
                                                                       tmp_path: Path) -> None:
    stranger = tmp_path / "stranger"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(stranger)], check=True)
    with pytest.raises(TransportError) as caught:
        open_dropzone(**sshd.connection(key_file=str(stranger)))
    assert f"refused to log in user {sshd.user} with key file {stranger}" in str(caught.value)
    assert not caught.value.retryable


def test_a_missing_remote_folder_is_reported_unless_create_is_asked(sshd: SshdServer) -> None:
    missing = sshd.root / uuid.uuid4().hex / "inbox"
    with pytest.raises(TransportError, match=f"folder {missing} does not exist on \\[127.0.0.1\\]"):
        open_dropzone(**sshd.connection(path=str(missing)))
    with open_dropzone(**sshd.connection(path=str(missing), create=True)):
        assert missing.is_dir()


# --- faults ---------------------------------------------------------------------------------------

def test_a_server_that_is_down_gives_a_retryable_error_after_the_configured_attempts(
        fresh_sshd: SshdServer) -> None:
    fresh_sshd.stop()
    with pytest.raises(TransportError) as caught:
        open_dropzone(**fresh_sshd.connection(retry=RetryPolicy(attempts=2, base_delay=0.05)))
    assert caught.value.retryable
    assert f"connection to [127.0.0.1]:{fresh_sshd.port} lost or refused (Connection refused)" in str(caught.value)
    assert "(gave up after 2 attempts)" in str(caught.value)


def test_sshd_stopped_during_a_put_gives_a_retryable_error_and_a_retry_after_restart_succeeds(
        fresh_sshd: SshdServer, big_file: Path) -> None:
    dz, folder = open_folder(fresh_sshd, retry=RetryPolicy(attempts=1))
    pause = PauseAt(BIG // 4)
    thread, outcome = in_thread(lambda: dz.put(big_file, "OUT.DAT", progress=pause))
    assert pause.reached.wait(10)
    fresh_sshd.stop()
    pause.resume.set()
    thread.join()
    error = outcome[0]
    assert isinstance(error, TransportError) and error.retryable, error
    assert "OUT.DAT: put failed, connection to" in str(error)
    assert "OUT.DAT" not in os.listdir(folder)

    fresh_sshd.start()
    entry = dz.put(big_file, "OUT.DAT")
    assert entry.size == BIG
    assert os.listdir(folder) == ["OUT.DAT"], "the interrupted upload's temporary file was not cleaned up"
    assert (folder / "OUT.DAT").read_bytes() == big_file.read_bytes()
    dz.close()


def test_a_put_interrupted_by_a_server_restart_is_retried_with_backoff(
        fresh_sshd: SshdServer, big_file: Path, caplog) -> None:
    dz, folder = open_folder(fresh_sshd)
    pause = PauseAt(BIG // 4)
    caplog.set_level(logging.WARNING, logger="bridge.transport")
    with dz:
        thread, outcome = in_thread(lambda: dz.put(big_file, "OUT.DAT", progress=pause))
        assert pause.reached.wait(10)
        fresh_sshd.stop()
        pause.resume.set()
        threading.Timer(0.15, fresh_sshd.start).start()
        thread.join()
    assert outcome[0].size == BIG, outcome  # type: ignore[union-attr]
    assert any("retry 1 of 4" in record.getMessage() for record in caplog.records)
    assert os.listdir(folder) == ["OUT.DAT"]
    assert (folder / "OUT.DAT").read_bytes() == big_file.read_bytes()


def test_a_fetch_cut_off_by_dropped_sessions_is_retried_and_delivers_the_whole_file(
        fresh_sshd: SshdServer, big_file: Path, tmp_path: Path, caplog) -> None:
    dz, _ = open_folder(fresh_sshd)
    caplog.set_level(logging.WARNING, logger="bridge.transport")
    with dz:
        dz.put(big_file, "IN.DAT")
        pause = PauseAt(BIG // 4)
        thread, outcome = in_thread(lambda: dz.fetch("IN.DAT", tmp_path / "work.dat", progress=pause))
        assert pause.reached.wait(10)
        fresh_sshd.kill_sessions()
        pause.resume.set()
        thread.join()
    assert outcome[0].size == BIG, outcome  # type: ignore[union-attr]
    assert any("fetch" in r.getMessage() and "retry 1 of 4" in r.getMessage() for r in caplog.records)
    assert os.listdir(tmp_path) == ["work.dat"]
    assert (tmp_path / "work.dat").read_bytes() == big_file.read_bytes()


# --- throughput features: checksum on the way in, one connection for several folders --------------

@pytest.mark.parametrize("size", [0, 1, 261_120, 261_121, 3 * 261_120 + 17, BIG + 5])
def test_the_sha256_taken_while_fetching_equals_hashlibs_of_the_file(zone, tmp_path: Path, size: int) -> None:
    import hashlib

    dz, folder = zone
    data = os.urandom(size)
    (folder / "IN.DAT").write_bytes(data)
    fetched = dz.fetch_sha256("IN.DAT", tmp_path / "copy.dat")
    assert fetched.sha256 == hashlib.sha256(data).hexdigest()
    assert fetched.entry.size == size
    assert (tmp_path / "copy.dat").read_bytes() == data


def test_a_fetch_reports_progress_up_to_the_whole_size(zone, tmp_path: Path, big_file: Path) -> None:
    dz, _ = zone
    dz.put(big_file, "IN.DAT")
    seen: list[tuple[int, int]] = []
    dz.fetch("IN.DAT", tmp_path / "copy.dat", progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (BIG, BIG)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_folders_opened_from_a_zone_share_its_login_and_outlive_its_close(sshd: SshdServer) -> None:
    inbox, folder = open_folder(sshd)
    archive = inbox.open_folder(str(folder / "archive"), create=True)
    assert archive._client is inbox._client  # type: ignore[attr-defined] - one SSH connection
    (folder / "A.DAT").write_bytes(b"abc")
    inbox.move("A.DAT", "archive")
    inbox.close()
    assert archive.list() == [archive.stat("A.DAT")]  # still works: the connection had two holders
    archive.close()
    assert archive._client is None  # type: ignore[attr-defined] - the last holder closed it


def test_zones_sharing_a_connection_both_reconnect_after_the_server_drops_it(
        fresh_sshd: SshdServer, tmp_path: Path) -> None:
    inbox, folder = open_folder(fresh_sshd)
    with inbox, inbox.open_folder(str(folder / "out"), create=True) as outbox:
        (folder / "IN.DAT").write_bytes(b"x" * 1000)
        fresh_sshd.kill_sessions()
        assert inbox.fetch_sha256("IN.DAT", tmp_path / "in.dat").entry.size == 1000
        assert outbox.put(tmp_path / "in.dat", "OUT.DAT").size == 1000
    assert (folder / "out" / "OUT.DAT").read_bytes() == b"x" * 1000


def test_a_folder_below_the_zone_that_is_a_link_on_the_server_is_refused(zone, tmp_path: Path) -> None:
    dz, folder = zone
    elsewhere = folder.parent / f"elsewhere-{uuid.uuid4().hex[:6]}"
    elsewhere.mkdir()
    (folder / "archive").symlink_to(elsewhere)
    with pytest.raises(TransportError, match=r"archive is a symbolic link on .*remove the link"):
        dz.open_folder(f"{dz.folder}/archive", create=True, within=dz.folder)
    (folder / "A.DAT").write_bytes(b"x")
    with pytest.raises(TransportError, match="is a symbolic link"):
        dz.move("A.DAT", "archive")
    assert list(elsewhere.iterdir()) == []
    assert (folder / "A.DAT").read_bytes() == b"x"


def test_a_name_that_is_not_utf8_does_not_stop_the_listing(zone) -> None:
    dz, folder = zone
    with open(os.fsencode(folder) + b"/LATIN\xc9.DAT", "wb") as latin:
        latin.write(b"x")
    (folder / "GOOD.DAT").write_bytes(b"y")
    listed = [e.name for e in dz.list()]
    assert listed == ["GOOD.DAT", "LATIN\udcc9.DAT"]
    with pytest.raises(NameRejectedError, match=r"contains '\\udcc9'"):
        dz.stat(listed[1])


def test_uploads_and_folders_are_made_owner_only_unless_modes_are_given(sshd: SshdServer) -> None:
    import stat

    zone, folder = open_folder(sshd)
    with zone:
        zone.put_bytes(b"data", "OUT.DAT")
        zone.makedirs("made/below")
    assert stat.S_IMODE((folder / "OUT.DAT").stat().st_mode) == 0o600
    assert stat.S_IMODE((folder / "made" / "below").stat().st_mode) == 0o700
    zone, folder = open_folder(sshd, file_mode=0o640, dir_mode=0o770)
    with zone:
        zone.put_bytes(b"data", "OUT.DAT")
        zone.makedirs("made")
    assert stat.S_IMODE((folder / "OUT.DAT").stat().st_mode) == 0o640
    assert stat.S_IMODE((folder / "made").stat().st_mode) == 0o770  # not narrowed by the server's umask


class LoseFirstReply:
    """Wrap an SFTPClient method: the first call is done on the server, then its reply is lost."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, method: str) -> None:
        import paramiko

        self.calls = 0
        real = getattr(paramiko.SFTPClient, method)

        def wrapper(client, *args, **kwargs):
            self.calls += 1
            result = real(client, *args, **kwargs)
            if self.calls == 1:
                raise EOFError("reply lost")  # the connection dropped after the server acted
            return result
        monkeypatch.setattr(paramiko.SFTPClient, method, wrapper)


def test_a_claim_whose_reply_was_lost_is_recognised_on_the_retry_and_not_orphaned(zone, monkeypatch) -> None:
    dz, folder = zone
    (folder / "A.DAT").write_bytes(b"data")
    lost = LoseFirstReply(monkeypatch, "posix_rename")
    assert dz.claim("A.DAT", "tok1") == ".A.DAT.claim-tok1"
    assert lost.calls == 2
    assert sorted(os.listdir(folder)) == [".A.DAT.claim-tok1"]


def test_a_claim_whose_reply_was_lost_while_another_took_the_file_is_not_ours(zone, monkeypatch) -> None:
    dz, folder = zone
    (folder / "A.DAT").write_bytes(b"data")
    (folder / "A.DAT").rename(folder / ".A.DAT.claim-other")
    assert dz.claim("A.DAT", "tok1") is None
    assert sorted(os.listdir(folder)) == [".A.DAT.claim-other"]


def test_a_move_whose_reply_was_lost_is_recognised_on_the_retry(zone, monkeypatch) -> None:
    dz, folder = zone
    dz.makedirs("archive")
    (folder / "A.DAT").write_bytes(b"data")
    lost = LoseFirstReply(monkeypatch, "rename")
    dz.move("A.DAT", "archive")
    assert lost.calls == 2
    assert os.listdir(folder / "archive") == ["A.DAT"] and not (folder / "A.DAT").exists()


def test_a_fetched_work_copy_is_owner_only_whatever_the_umask(zone, tmp_path: Path) -> None:
    import stat

    dz, folder = zone
    (folder / "A.DAT").write_bytes(b"customer data")
    old = os.umask(0o022)
    try:
        dz.fetch("A.DAT", tmp_path / "copy")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "copy").stat().st_mode) == 0o600
