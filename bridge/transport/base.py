"""The DropZone protocol: a folder, local or on an SFTP server, where files are dropped and picked up.

Decisions every implementation keeps:

- **Nothing half-written is ever visible under its final name.** `DropZone.put` writes to a
  hidden temporary name in the same folder (``.NAME.part-TOKEN``), checks its size, then renames
  it into place atomically, overwriting (``posix_rename`` over SFTP, ``os.replace`` locally).
  Listings skip hidden names, so a reader polling the folder sees the file complete or not at all.
- **Exactly one taker.** `DropZone.claim` renames a file to a name only its caller knows
  (``.NAME.claim-TOKEN``); a rename has one winner, so two bridge processes never take one file.
- **Names are untrusted, folders are not.** File names come from the other side (a listing, a
  job's naming pattern) and must be a single plain name in one character set, decided here and
  nowhere else: ASCII letters, digits and ``. _ - # @ $ +`` (`NAME_CHARACTERS`; POSIX's portable
  file name set plus the MVS national characters). Every stage writes names (claim and temporary
  names, journal, log lines, status files, ``.err`` reports), and a name outside this set is
  refused by `safe_name` before any of them sees it, so none can fail on it later. A name is at
  most `NAME_MAX` bytes (what file systems and OpenSSH take); a *dropped* name at most
  `MAX_DROP_NAME`, which leaves room for the suffixes the job adds (``.err``, ``.SCORED``...).
  Hidden claim and temporary names are derived so that they always fit (`claim_name`,
  `temp_name`). Folder paths come from the job file the operator wrote and are used as given;
  the folders the job reaches *below* them (archive, error) must be real folders, never links.
- **One exception type.** Every failure is a `TransportError` (errors.py) whose ``retryable``
  says whether the connection dropped and trying again may help; the subclasses here name the
  facts a caller branches on.
"""
from __future__ import annotations

import abc
import hashlib
import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from os import PathLike
from types import TracebackType
from typing import NamedTuple, TypeVar

from bridge.errors import TransportError

__all__ = [
    "DropZone",
    "Entry",
    "Fetched",
    "FileMissingError",
    "HostKeyError",
    "MAX_DROP_NAME",
    "NAME_CHARACTERS",
    "NAME_MAX",
    "NameRejectedError",
    "Progress",
    "RetryPolicy",
    "TargetExistsError",
    "claim_name",
    "claimed_original",
    "drop_name",
    "is_hidden",
    "new_token",
    "safe_name",
    "temp_name",
]

log = logging.getLogger("bridge.transport")

T = TypeVar("T")

#: ``progress(bytes_done, bytes_total)``, called as a transfer advances.
Progress = Callable[[int, int], None]

#: The longest file name any drop zone takes (NAME_MAX of Linux and z/OS UNIX file systems).
NAME_MAX = 255
#: The longest name the job takes from a drop: the rest of NAME_MAX is room for the suffixes it adds.
MAX_DROP_NAME = 200
#: Backward-compatible alias of `MAX_DROP_NAME`.
MAX_NAME_BYTES = MAX_DROP_NAME
#: The characters a file name may hold, as said in messages and docs.
NAME_CHARACTERS = "ASCII letters, digits and . _ - # @ $ +"

_NAME_CHARACTER = re.compile(r"[A-Za-z0-9._#@$+-]")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")
_CLAIM = re.compile(r"\.(?P<name>.+)\.claim-(?P<token>[A-Za-z0-9_-]{1,64})")


class NameRejectedError(TransportError):
    """A file name that is not a single plain name (path traversal, separators, control characters)."""


class FileMissingError(TransportError):
    """The file to read, rename or claim does not exist (never retryable)."""


class TargetExistsError(TransportError):
    """An exclusive rename found its target already there; nothing was changed."""


class HostKeyError(TransportError):
    """The SFTP server's host key is unknown or differs from the one in known_hosts."""


class Entry(NamedTuple):
    """A regular file in a drop zone: its name, size in bytes and modification time (epoch seconds)."""

    name: str
    size: int
    mtime: float


class Fetched(NamedTuple):
    """What `DropZone.fetch_sha256` brought in: the remote entry and the SHA-256 (hex) of the local copy."""

    entry: Entry
    sha256: str


def safe_name(name: str, *, where: str | None = None, limit: int = NAME_MAX) -> str:
    """Return `name` unchanged if it is a single plain file name, else raise `NameRejectedError`.

    Rejected: empty names, ``.`` and ``..``, anything containing ``/`` or ``\\`` (so no absolute
    paths and no ``../``), drive prefixes such as ``C:``, any character outside
    `NAME_CHARACTERS` (control characters, spaces, non-ASCII letters such as ``É`` or U+0085),
    and names longer than `limit` bytes (`NAME_MAX`; `MAX_DROP_NAME` for a dropped name).

    >>> safe_name("APPL.D261126.DAT")
    'APPL.D261126.DAT'
    """
    if not isinstance(name, str):
        raise NameRejectedError(f"file name {name!r} rejected: not a string", where=where)
    reason = None
    if name in ("", ".", ".."):
        reason = "not a file name"
    elif ".." in name.replace("\\", "/").split("/"):
        reason = "contains '..' (path traversal)"
    elif name.startswith(("/", "\\")):
        reason = "is an absolute path"
    elif "/" in name or "\\" in name:
        reason = "contains a path separator"
    elif re.match(r"[A-Za-z]:", name):
        reason = "starts with a drive prefix"
    elif any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        bad = next(ch for ch in name if ord(ch) < 32 or ord(ch) == 127)
        reason = "contains NUL" if bad == "\0" else f"contains control character 0x{ord(bad):02X}"
    elif any(not _NAME_CHARACTER.fullmatch(ch) for ch in name):
        bad = next(ch for ch in name if not _NAME_CHARACTER.fullmatch(ch))
        reason = f"contains {ascii(bad)} (U+{ord(bad):04X}); names may hold {NAME_CHARACTERS} only"
    elif len(name.encode("utf-8", "surrogateescape")) > limit:
        reason = f"is longer than {limit} bytes"
    if reason:
        raise NameRejectedError(f"file name {ascii(name)} rejected: {reason}; a drop zone takes plain names "
                                "only, never paths", where=where)
    return name


def drop_name(name: str, *, where: str | None = None) -> str:
    """`safe_name` for a name the job takes from a drop: at most `MAX_DROP_NAME` bytes."""
    return safe_name(name, where=where, limit=MAX_DROP_NAME)


def is_hidden(name: str) -> bool:
    """Whether `name` is dot-prefixed: an upload in progress, a claimed file, or anything else hidden."""
    return name.startswith(".")


def new_token() -> str:
    """A short random token that makes temporary and claim names unique to one caller."""
    return secrets.token_hex(6)


def temp_name(name: str, token: str | None = None) -> str:
    """Hidden name an upload of `name` is written under before it is renamed into place.

    Always at most `NAME_MAX` bytes: a name too long to carry the decoration is shortened and
    ends with a digest of the whole name, so two long names never share a temporary name.
    """
    return _decorated(safe_name(name), ".part-", _checked_token(token or new_token()))


def claim_name(name: str, token: str) -> str:
    """Hidden name `claim` renames `name` to for the holder of `token` (at most `NAME_MAX` bytes)."""
    return _decorated(safe_name(name), ".claim-", _checked_token(token))


def _decorated(name: str, mark: str, token: str) -> str:
    room = NAME_MAX - len(mark) - len(token) - 1
    if len(name) > room:  # ASCII only (safe_name), so characters are bytes
        digest = hashlib.sha256(name.encode()).hexdigest()[:12]
        name = f"{name[:room - 13]}-{digest}"
    return f".{name}{mark}{token}"


def claimed_original(name: str) -> str | None:
    """The original name behind a claim name made by `claim_name`, or None if `name` is not one."""
    match = _CLAIM.fullmatch(name)
    return match.group("name") if match else None


def _checked_token(token: str) -> str:
    if not _TOKEN.fullmatch(token):
        raise NameRejectedError(f"token {token!r} rejected: use 1-64 letters, digits, '_' or '-'")
    return token


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry an operation whose connection dropped.

    ``attempts`` counts the first try (1 = never retry); the wait before retry *n* (1-based) is
    ``base_delay * 2 ** (n - 1)`` seconds, capped at ``max_delay``. Only errors with
    ``retryable=True`` are retried; every other error is raised at once.
    """

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 30.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError(f"RetryPolicy.attempts must be at least 1, got {self.attempts}")
        if self.base_delay < 0 or self.max_delay < 0:
            raise ValueError("RetryPolicy delays must not be negative")

    def delay(self, retry: int) -> float:
        """Seconds to wait before retry number `retry` (1 = the first retry)."""
        return min(self.max_delay, self.base_delay * 2 ** (retry - 1))

    def run(self, attempt: Callable[[int], T], *, what: str = "operation",
            sleep: Callable[[float], None] = time.sleep) -> T:
        """Call ``attempt(n)`` for n = 0, 1, ... until it returns, retrying retryable TransportErrors.

        :raises TransportError: the first non-retryable error, or the last retryable one once the
            attempts are used up (then retryable, with the number of attempts in its message).
        """
        for number in range(self.attempts):
            try:
                return attempt(number)
            except TransportError as error:
                if not error.retryable:
                    raise
                if number + 1 >= self.attempts:
                    if self.attempts == 1:
                        raise
                    raise TransportError(f"{error.reason} (gave up after {self.attempts} attempts)",
                                         where=error.where, retryable=True) from error
                wait = self.delay(number + 1)
                log.warning("%s failed (%s); retry %d of %d in %.1f s", what, error, number + 1,
                            self.attempts - 1, wait)
                sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover


StrPath = str | PathLike[str]


class DropZone(abc.ABC):
    """A folder where files are dropped and picked up; use as a context manager to close it.

    Every ``name`` argument is a plain file name in this folder, checked by `safe_name`. Every
    method raises `TransportError` (or a subclass below) and nothing else.
    """

    #: Human-readable location of the folder (``sftp://user@host:port/path`` or a local path).
    location: str

    @abc.abstractmethod
    def list(self, pattern: str = "*") -> list[Entry]:
        """Regular files whose names match the glob `pattern`, sorted by name.

        As in a shell, hidden (dot-prefixed) names match only a pattern that starts with ``.``,
        so uploads in progress and claimed files stay out of ordinary listings.
        """

    @abc.abstractmethod
    def stat(self, name: str) -> Entry:
        """Size and mtime of `name`. :raises FileMissingError: when there is no such file."""

    def exists(self, name: str) -> bool:
        """Whether a file called `name` is in the folder.

        :raises TransportError: `name` exists but is a folder or other non-file.
        """
        try:
            self.stat(name)
        except FileMissingError:
            return False
        return True

    @abc.abstractmethod
    def fetch(self, name: str, local_path: StrPath, *, progress: Progress | None = None) -> Entry:
        """Download `name` to `local_path` (replaced atomically) and check the size; returns the remote entry."""

    def fetch_sha256(self, name: str, local_path: StrPath, *, progress: Progress | None = None) -> Fetched:
        """`fetch`, also returning the SHA-256 of the bytes now in `local_path`.

        Implementations hash the data as it arrives; this fallback reads the local copy again.
        """
        entry = self.fetch(name, local_path, progress=progress)
        digest = hashlib.sha256()
        try:
            with open(local_path, "rb") as copy:
                while chunk := copy.read(1 << 20):
                    digest.update(chunk)
        except OSError as error:
            raise TransportError(f"fetch: the local copy cannot be read ({error.strerror or error})",
                                 where=str(local_path)) from error
        return Fetched(entry, digest.hexdigest())

    def open_folder(self, path: str, *, create: bool = False, within: str | None = None) -> DropZone:
        """A zone on folder `path`, reached as this one is (same server and login), sharing its connection.

        `path` means what `open_dropzone`'s ``path`` means for these settings (absolute, or
        relative to where sessions start). Closing either zone leaves the other working. With
        `within` (a folder above `path`), every folder below `within` down to `path` must be a
        real folder, not a symbolic link (`TransportError` otherwise); ``create`` makes the
        missing ones.
        """
        raise TransportError(f"{type(self).__name__} cannot open other folders", where=self.location)

    @abc.abstractmethod
    def put(self, local_path: StrPath, name: str, *, overwrite: bool = True,
            progress: Progress | None = None) -> Entry:
        """Upload `local_path` as `name`: temporary name, size check, atomic rename into place.

        With ``overwrite=False`` the final rename is exclusive and raises `TargetExistsError`
        (removing the upload) when `name` already exists. Returns the entry now visible.
        """

    @abc.abstractmethod
    def put_bytes(self, data: bytes, name: str, *, overwrite: bool = True) -> Entry:
        """`put` for small contents held in memory (status and trigger files)."""

    @abc.abstractmethod
    def rename(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        """Rename `src` to `dst` in this folder, atomically.

        :raises TargetExistsError: `dst` exists and ``overwrite`` is false (nothing changed).
        :raises FileMissingError: `src` does not exist.
        """

    @abc.abstractmethod
    def move(self, name: str, folder: str, *, overwrite: bool = False) -> None:
        """Rename `name` into `folder` (a path from the job file, absolute or relative to this folder).

        Both folders must be on the same file system or server. Exclusive unless ``overwrite``.
        """

    @abc.abstractmethod
    def claim(self, name: str, token: str) -> str | None:
        """Take `name` for the caller: rename it to ``claim_name(name, token)`` and return that name.

        Returns None when the file is gone, i.e. another process claimed (or removed) it first.
        """

    @abc.abstractmethod
    def remove(self, name: str, *, missing_ok: bool = False) -> None:
        """Delete `name`. :raises FileMissingError: when it does not exist, unless ``missing_ok``."""

    @abc.abstractmethod
    def makedirs(self, path: str) -> None:
        """Create folder `path` (absolute or relative to this folder) and its parents if missing."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the connection; further calls reconnect (SFTP) or keep working (local)."""

    def __enter__(self) -> DropZone:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
