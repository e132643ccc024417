"""The SFTP error boundary's judgement of which failures are dropped connections, and the
settings it refuses before touching the network. (Behaviour against a server: tests/integration.)"""
from __future__ import annotations

import errno
import socket
import subprocess
import sys
from pathlib import Path

import paramiko
import pytest

import bridge.transport
from bridge.errors import TransportError
from bridge.transport import open_dropzone
from bridge.transport.sftp import connection_lost

DROPS = [
    EOFError(),
    socket.timeout("timed out"),
    ConnectionResetError(errno.ECONNRESET, "Connection reset by peer"),
    ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"),
    BrokenPipeError(errno.EPIPE, "Broken pipe"),
    paramiko.SSHException("Error reading SSH protocol banner"),
    paramiko.SSHException("Server connection dropped: "),
    paramiko.ssh_exception.NoValidConnectionsError({("127.0.0.1", 22): ConnectionRefusedError(111, "refused")}),
    OSError(errno.ENETUNREACH, "Network is unreachable"),
]


@pytest.mark.parametrize("error", DROPS, ids=lambda e: type(e).__name__ + str(getattr(e, "errno", "")))
def test_dropped_connections_are_retryable_even_if_the_transport_looks_up(error: BaseException) -> None:
    assert connection_lost(error, connected=True)


@pytest.mark.parametrize("error", [OSError("Failure"), PermissionError(errno.EACCES, "Permission denied"),
                                   OSError(errno.ENOSPC, "No space left on device")])
def test_errors_the_server_reports_over_a_live_connection_are_not_retryable(error: OSError) -> None:
    assert not connection_lost(error, connected=True)


def test_an_ambiguous_error_after_which_the_transport_is_gone_is_retryable() -> None:
    assert connection_lost(OSError("Socket is closed"), connected=False)


@pytest.mark.parametrize("error", [paramiko.AuthenticationException("Authentication failed."),
                                   paramiko.PasswordRequiredException("Private key file is encrypted")])
def test_refused_logins_are_never_retried(error: BaseException) -> None:
    assert not connection_lost(error, connected=False)


def test_open_dropzone_names_the_missing_sftp_settings() -> None:
    with pytest.raises(TransportError, match="an sftp drop zone needs host, user, known_hosts"):
        open_dropzone("sftp", "/inbox")


def test_a_missing_known_hosts_file_is_refused_before_connecting(tmp_path: Path) -> None:
    with pytest.raises(TransportError) as caught:
        open_dropzone("sftp", "/inbox", host="127.0.0.1", port=1, user="batch",
                      known_hosts=tmp_path / "known_hosts")
    assert f"known_hosts file {tmp_path / 'known_hosts'} does not exist" in str(caught.value)
    assert not caught.value.retryable


def test_an_unset_passphrase_variable_is_named_in_the_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("BRIDGE_TEST_PASSPHRASE", raising=False)
    (tmp_path / "known_hosts").write_text("")
    with pytest.raises(TransportError) as caught:
        open_dropzone("sftp", "/inbox", host="127.0.0.1", port=1, user="batch", key_file=tmp_path / "id",
                      known_hosts=tmp_path / "known_hosts", passphrase_env="BRIDGE_TEST_PASSPHRASE")
    assert "environment variable BRIDGE_TEST_PASSPHRASE (passphrase_env) is not set" in str(caught.value)
    assert str(tmp_path / "id") in str(caught.value)


def test_the_package_exports_exactly_its_public_names() -> None:
    public = {name for name in vars(bridge.transport) if not name.startswith("_")}
    modules_and_imports = {"annotations", "PathLike", "KINDS", "base", "local", "sftp"}
    assert sorted(public - modules_and_imports) == bridge.transport.__all__
    assert bridge.transport.__all__ == sorted(bridge.transport.__all__)


def test_importing_the_transport_package_does_not_import_paramiko() -> None:
    probe = "import sys, bridge.transport; print('paramiko' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
