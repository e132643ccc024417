"""Moving files in and out of drop zones: local folders and SFTP servers behind one protocol.

`open_dropzone` builds a `DropZone` from a job's ``[source]``/``[target]`` settings. paramiko is
imported only when an SFTP zone is opened, so local runs and the CLI start without it.
"""
from __future__ import annotations

from os import PathLike

from bridge.errors import TransportError
from bridge.transport.base import (
    DropZone,
    Entry,
    FileMissingError,
    MAX_DROP_NAME,
    NAME_CHARACTERS,
    NAME_MAX,
    HostKeyError,
    NameRejectedError,
    Progress,
    RetryPolicy,
    TargetExistsError,
    claim_name,
    claimed_original,
    drop_name,
    is_hidden,
    new_token,
    safe_name,
    temp_name,
)
from bridge.transport.local import LocalDropZone

__all__ = [
    "DropZone",
    "Entry",
    "FileMissingError",
    "HostKeyError",
    "LocalDropZone",
    "MAX_DROP_NAME",
    "NAME_CHARACTERS",
    "NAME_MAX",
    "NameRejectedError",
    "Progress",
    "RetryPolicy",
    "TargetExistsError",
    "TransportError",
    "claim_name",
    "claimed_original",
    "drop_name",
    "is_hidden",
    "new_token",
    "open_dropzone",
    "safe_name",
    "temp_name",
]

KINDS = ("local", "sftp")


def open_dropzone(kind: str = "local", path: str | PathLike[str] = ".", *, host: str | None = None,
                  port: int = 22, user: str | None = None, key_file: str | PathLike[str] | None = None,
                  known_hosts: str | PathLike[str] | None = None, passphrase_env: str | None = None,
                  timeout: float = 15.0, retry: RetryPolicy | None = None, create: bool = False,
                  file_mode: int = 0o600, dir_mode: int = 0o700) -> DropZone:
    """Open the drop zone on folder `path`: ``kind="local"`` or ``kind="sftp"`` (connects at once).

    For SFTP, `host`, `user` and `known_hosts` are required; `key_file` (else ssh-agent) and
    `passphrase_env` (the *name* of the environment variable holding the key's passphrase) choose
    the login. `retry` sets the attempts and backoff after dropped connections (default: 4
    attempts, 0.5 s doubling). ``create=True`` makes the folder when it is missing. Files are
    created with `file_mode` and folders with `dir_mode` (owner only, unless the job says otherwise).

    :raises TransportError: unknown kind, SFTP settings given for a local zone, or the zone
        cannot be opened (`HostKeyError` for an unknown or changed host key).

    >>> with open_dropzone("local", "inbox", create=True) as inbox:   # doctest: +SKIP
    ...     ready = inbox.list("*.DAT")
    """
    if kind == "local":
        given = [name for name, value in (("host", host), ("user", user), ("key_file", key_file),
                                          ("known_hosts", known_hosts), ("passphrase_env", passphrase_env))
                 if value is not None]
        if given:
            raise TransportError(f"a local drop zone takes no {', '.join(given)}; did you mean kind = \"sftp\"?",
                                 where=str(path))
        return LocalDropZone(path, create=create, file_mode=file_mode, dir_mode=dir_mode)
    if kind == "sftp":
        from bridge.transport.sftp import SftpDropZone

        missing = [name for name, value in (("host", host), ("user", user), ("known_hosts", known_hosts))
                   if not value]
        if missing:
            raise TransportError(f"an sftp drop zone needs {', '.join(missing)}", where=str(path))
        assert host is not None and user is not None and known_hosts is not None
        return SftpDropZone(str(path), host=host, port=port, user=user, key_file=key_file,
                            known_hosts=known_hosts, passphrase_env=passphrase_env, timeout=timeout,
                            retry=retry, create=create, file_mode=file_mode, dir_mode=dir_mode)
    raise TransportError(f"unknown drop zone kind {kind!r}; use one of {', '.join(KINDS)}", where=str(path))
