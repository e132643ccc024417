"""A real OpenSSH ``sshd`` on 127.0.0.1 for integration tests, plus the pytest fixtures that start it.

Each `SshdServer` owns a state directory made with ``tempfile.mkdtemp()`` and chmod 755 (not
pytest's ``tmp_path``: ``/tmp/pytest-of-root`` is 0700, which an sshd running as another user
cannot read). In it: an ed25519 host key, an ed25519 client key, ``authorized_keys``,
``known_hosts`` (``[127.0.0.1]:PORT ssh-ed25519 ...``), ``sshd_config``, the sshd log, and
``root/``, the folder the SFTP sessions start in (``ForceCommand internal-sftp -d ROOT``).

Who logs in: when the tests run as root, sshd runs as root and the client logs in as root
(``PermitRootLogin prohibit-password``; ``/run/sshd`` is created because sshd refuses to start
without its privilege separation directory). As any other user, sshd runs unprivileged and can
authenticate only that user, which needs neither ``/run/sshd`` nor PAM.

sshd runs in the foreground (``-D``) as our child, so the listener's exit is reaped by us.
Stopping it is not enough to end the sessions already open (each is a forked child that keeps
serving), so `stop` TERMs the listener and all of its descendants and waits for them with
``ps -o stat=``: PID 1 on this machine reaps orphans slowly, and ``kill -0`` reports a zombie
as alive.

Fixtures: ``sshd`` (one server for the whole session; tests must not stop it or change its key)
and ``fresh_sshd`` (a server of its own for tests that stop, restart or rotate the host key).
Use them by importing them into the test module (``from tests.integration.sshd_server import
sshd, fresh_sshd``) or by listing this module in a conftest's ``pytest_plugins``.
"""
from __future__ import annotations

import getpass
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import require_tool

SSHD = "/usr/sbin/sshd"
HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def process_alive(pid: int) -> bool:
    """Whether `pid` runs and is not a zombie (``kill -0`` cannot tell a zombie apart)."""
    result = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True)
    stat = result.stdout.strip()
    return bool(stat) and not stat.startswith("Z")


def descendants(pid: int) -> list[int]:
    """PIDs of all processes below `pid`, children first."""
    found: list[int] = []
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        result = subprocess.run(["ps", "-o", "pid=", "--ppid", str(parent)], capture_output=True, text=True)
        children = [int(p) for p in result.stdout.split()]
        found.extend(children)
        frontier.extend(children)
    return found


def _terminate(pids: list[int], timeout: float = 5.0) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    remaining = list(pids)
    while remaining and time.monotonic() < deadline:
        remaining = [pid for pid in remaining if process_alive(pid)]
        if remaining:
            time.sleep(0.01)
    for pid in remaining:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _keygen(path: Path, comment: str, passphrase: str = "") -> None:
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".pub").unlink(missing_ok=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-C", comment, "-f", str(path)],
                   check=True, capture_output=True)


class SshdServer:
    """One OpenSSH sshd on 127.0.0.1 with its own keys, config and SFTP root folder.

    >>> server = SshdServer(); server.start()          # doctest: +SKIP
    >>> server.port, server.root, server.client_key, server.known_hosts   # doctest: +SKIP
    >>> server.stop(); server.cleanup()                 # doctest: +SKIP
    """

    def __init__(self, port: int | None = None) -> None:
        require_tool("sshd")
        self.dir = Path(tempfile.mkdtemp(prefix="bridge-sshd-"))
        self.dir.chmod(0o755)
        self.root = self.dir / "root"
        self.root.mkdir()
        self.root.chmod(0o755)
        self.port = port or free_port()
        self.user = getpass.getuser()
        self.host = HOST
        self.host_key = self.dir / "ssh_host_ed25519_key"
        self.client_key = self.dir / "client_ed25519"
        self.authorized_keys = self.dir / "authorized_keys"
        self.known_hosts = self.dir / "known_hosts"
        self.config = self.dir / "sshd_config"
        self.pid_file = self.dir / "sshd.pid"
        self.log = self.dir / "sshd.log"
        self._process: subprocess.Popen[bytes] | None = None
        _keygen(self.host_key, "bridge-test-host")
        _keygen(self.client_key, "bridge-test-client")
        shutil.copyfile(self.client_key.with_name(self.client_key.name + ".pub"), self.authorized_keys)
        self.known_hosts.write_text(self.known_hosts_line())
        self._write_config()
        self._finalizer = weakref.finalize(self, _emergency_stop, self.dir)

    # --- keys -----------------------------------------------------------------------------------

    def known_hosts_line(self) -> str:
        """The known_hosts line for the server's current host key."""
        algorithm, blob = self.host_key.with_name(self.host_key.name + ".pub").read_text().split()[:2]
        return f"[{self.host}]:{self.port} {algorithm} {blob}\n"

    def host_key_fingerprint(self) -> str:
        """``SHA256:...`` fingerprint of the current host key, as ``ssh-keygen -l`` prints it."""
        out = subprocess.run(["ssh-keygen", "-l", "-f", str(self.host_key)], check=True,
                             capture_output=True, text=True).stdout
        return out.split()[1]

    def add_client_key(self, name: str, passphrase: str = "") -> Path:
        """Make another client key (optionally encrypted) that the server accepts; returns its path."""
        path = self.dir / name
        _keygen(path, f"bridge-test-{name}", passphrase)
        with self.authorized_keys.open("a") as keys:
            keys.write(path.with_name(path.name + ".pub").read_text())
        return path

    def rotate_host_key(self) -> None:
        """Give the server a new host key and restart it; ``known_hosts`` is left with the old key."""
        _keygen(self.host_key, "bridge-test-host-rotated")
        if self.running:
            self.restart()

    # --- lifecycle ------------------------------------------------------------------------------

    def _write_config(self) -> None:
        root_login = "prohibit-password" if os.geteuid() == 0 else "no"
        self.config.write_text(
            f"Port {self.port}\n"
            f"ListenAddress {self.host}\n"
            f"HostKey {self.host_key}\n"
            f"PidFile {self.pid_file}\n"
            f"AuthorizedKeysFile {self.authorized_keys}\n"
            f"AllowUsers {self.user}\n"
            f"PermitRootLogin {root_login}\n"
            "UsePAM no\n"
            "StrictModes no\n"
            "PasswordAuthentication no\n"
            "KbdInteractiveAuthentication no\n"
            "UseDNS no\n"
            "LogLevel VERBOSE\n"
            "MaxStartups 50\n"
            "Subsystem sftp internal-sftp\n"
            f"ForceCommand internal-sftp -d {self.root}\n"
        )

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, timeout: float = 5.0) -> None:
        """Start sshd and return once it accepts connections on ``self.port``."""
        if self.running:
            return
        if os.geteuid() == 0:
            Path("/run/sshd").mkdir(mode=0o755, parents=True, exist_ok=True)
        check = subprocess.run([SSHD, "-t", "-f", str(self.config)], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"sshd -t rejected {self.config}: {check.stderr.strip()}")
        self._process = subprocess.Popen([SSHD, "-D", "-f", str(self.config), "-E", str(self.log)],
                                         stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"sshd exited with {self._process.returncode}; log {self.log}:\n"
                                   + self.log.read_text(errors="replace")[-2000:])
            try:
                with socket.create_connection((self.host, self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.005)
        self.stop()
        raise RuntimeError(f"sshd did not open port {self.port} within {timeout} s; log {self.log}")

    def kill_sessions(self) -> None:
        """End every open SSH session (as a dropped connection would) but keep the listener running."""
        if self._process is not None:
            _terminate(descendants(self._process.pid))

    def stop(self) -> None:
        """TERM the listener and all its sessions, and wait until none of them runs."""
        if self._process is None:
            return
        process, self._process = self._process, None
        sessions = descendants(process.pid)
        _terminate([process.pid, *sessions])
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def restart(self) -> None:
        """Stop and start again on the same port with the current host key."""
        self.stop()
        self.start()

    def cleanup(self) -> None:
        """Stop the server and delete its state directory."""
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
        self._finalizer.detach()

    def __enter__(self) -> SshdServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.cleanup()

    # --- connection settings --------------------------------------------------------------------

    def connection(self, **overrides: object) -> dict[str, object]:
        """Keyword arguments for ``open_dropzone(kind="sftp", ...)`` pointing at the root folder."""
        settings: dict[str, object] = dict(kind="sftp", path=str(self.root), host=self.host, port=self.port,
                                           user=self.user, key_file=str(self.client_key),
                                           known_hosts=str(self.known_hosts))
        settings.update(overrides)
        return settings


def _emergency_stop(state_dir: Path) -> None:
    """Last resort when a test run dies without cleanup: stop the sshd recorded in the PidFile."""
    pid_file = state_dir / "sshd.pid"
    try:
        pid = int(pid_file.read_text())
    except (OSError, ValueError):
        pid = None
    if pid and process_alive(pid):
        _terminate([pid, *descendants(pid)])
    shutil.rmtree(state_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def sshd() -> Iterator[SshdServer]:
    """One sshd for the whole session. Do not stop it or rotate its key: use ``fresh_sshd``."""
    with SshdServer() as server:
        yield server


@pytest.fixture
def fresh_sshd() -> Iterator[SshdServer]:
    """An sshd of the test's own, free to stop, restart, kill sessions of, or re-key."""
    with SshdServer() as server:
        yield server
