"""Which process works on a journal row: an owner id backed by a lock file held for the process's life.

Two bridge processes may share one journal (the same job run twice on one host, by hand or by
a scheduler that overlaps). A run must resume the rows of a crashed run but never the rows
another live run is working on. Each runner therefore holds an exclusive ``flock`` on its own
lock file (``WORK_DIR/owners/OWNER.lock``) and stamps its rows with ``OWNER``. The kernel drops
the lock when the process dies, however it dies (SIGKILL included), so "can I take the lock?"
is exactly "is the owner dead?", with no heartbeat and no clock. A journal shared between
hosts is not supported (SQLite over a network file system is not either): each host keeps its
own journal, and the claim rename keeps two hosts from taking one file.
"""
from __future__ import annotations

import fcntl
import os
import secrets
from pathlib import Path

__all__ = ["Owner", "owner_alive"]


class Owner:
    """This process's owner id, with its lock taken; `release` (or process exit) lets it go."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.id = f"{os.getpid()}-{secrets.token_hex(4)}"
        self.path = folder / f"{self.id}.lock"
        self._fd: int | None = os.open(self.path, os.O_CREAT | os.O_RDWR | os.O_NOFOLLOW, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def release(self) -> None:
        """Give up the lock (rows stamped with this id become resumable by other runs)."""
        if self._fd is None:
            return
        self.path.unlink(missing_ok=True)
        os.close(self._fd)
        self._fd = None


def owner_alive(owner: str | None, folder: Path) -> bool:
    """Whether the process that stamped a row with ``owner`` still holds its lock."""
    if not owner or "/" in owner or owner.startswith("."):
        return False
    path = folder / f"{owner}.lock"
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing also drops a lock we got
    path.unlink(missing_ok=True)
    return False
