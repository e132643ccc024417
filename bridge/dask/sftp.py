"""``sftp://`` inputs and outputs for bridge.dask, with this project's host-key rule.

fsspec's SFTP backend accepts unknown host keys by default (paramiko's AutoAddPolicy). Here
the host key must already be in a known_hosts file (``storage_options={"known_hosts": PATH}``,
default ``~/.ssh/known_hosts``); an unknown or changed key refuses the connection and nothing is
ever learnt. Credentials are SSH's usual ones: a key file (``key_filename``) or the ssh-agent;
``~/.ssh`` keys are not searched and no password is taken.
"""
from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

import paramiko
from fsspec.implementations.sftp import SFTPFileSystem

from bridge.errors import TransportError

__all__ = ["CheckedSFTPFileSystem", "sftp_filesystem"]


class CheckedSFTPFileSystem(SFTPFileSystem):
    """An fsspec SFTP file system that only talks to hosts its known_hosts file lists."""

    protocol = ("sftp",)

    def __init__(self, host: str, *, known_hosts: str, **ssh_kwargs: Any) -> None:
        self.known_hosts = known_hosts
        super().__init__(host, known_hosts=known_hosts, **ssh_kwargs)

    def _connect(self) -> None:
        kwargs = {k: v for k, v in self.ssh_kwargs.items() if k != "known_hosts"}
        client = paramiko.SSHClient()
        client.load_host_keys(self.known_hosts)
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
        where = f"sftp://{self.host}:{kwargs.get('port', 22)}"
        try:
            client.connect(self.host, look_for_keys=False, **kwargs)
        except paramiko.BadHostKeyException as exc:
            client.close()
            raise TransportError(f"host key of {self.host} changed: it offered {exc.key.get_name()} "
                                 f"{exc.key.fingerprint}, not the key in {self.known_hosts}", where=where) from None
        except paramiko.SSHException as exc:
            client.close()
            if "known_hosts" in str(exc):
                raise TransportError(f"unknown host: {self.host} is not in known_hosts file {self.known_hosts}; "
                                     "add the host's line to it (host keys are never learnt)", where=where) from None
            raise TransportError(f"cannot log in: {exc}", where=where) from None
        except OSError as exc:
            client.close()
            raise TransportError(f"cannot connect: {exc}", where=where, retryable=True) from None
        self.client = client
        self.ftp = client.open_sftp()


    def mv(self, path1: str, path2: str, **kwargs: Any) -> None:
        """Rename ``path1`` onto ``path2``, replacing it atomically (OpenSSH's posix-rename)."""
        self.ftp.posix_rename(self._strip_protocol(path1), self._strip_protocol(path2))


def sftp_filesystem(url: str, storage_options: dict[str, Any]) -> tuple[CheckedSFTPFileSystem, str]:
    """The file system and path of an ``sftp://user@host:port/path`` URL."""
    parts = urlsplit(url)
    if not parts.hostname:
        raise TransportError(f"{url} names no host", where=url)
    options = dict(storage_options)
    known_hosts = os.fspath(options.pop("known_hosts", os.path.expanduser("~/.ssh/known_hosts")))
    if not os.path.isfile(known_hosts):
        raise TransportError(f"known_hosts file {known_hosts} does not exist: host keys are checked, never "
                             "accepted blindly; give storage_options known_hosts", where=url)
    kwargs: dict[str, Any] = {"port": parts.port or 22, "known_hosts": known_hosts}
    if parts.username:
        kwargs["username"] = parts.username
    for name in ("key_filename", "timeout", "allow_agent"):
        if name in options:
            kwargs[name] = os.fspath(options.pop(name)) if name == "key_filename" else options.pop(name)
    if options:
        raise TransportError(f"unknown sftp option(s) {', '.join(sorted(options))}; accepted: known_hosts, "
                             "key_filename, timeout, allow_agent", where=url)
    fs = CheckedSFTPFileSystem(parts.hostname, **kwargs)
    return fs, parts.path or "/"
