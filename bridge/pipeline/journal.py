"""The job's journal: what happened to every file, step by step, in SQLite.

Each input file gets one row, keyed by its name, size and (once fetched) SHA-256. The row's
``state`` is the last step that is known to have completed; every step is written *before*
the next one starts, and each step can tell on restart whether it already happened (a
claimed name exists, a delivered file has the expected size...). So a run killed at any
point is finished by the next run without losing a file or delivering one twice:

    claiming → claimed → fetched → processed → delivered → reported → done
                                      └──→ rejected → reported → done   (bad data)

``duplicate`` ends a row whose file (same name, size and checksum) was already done.
``giving-back`` (``ready = "stable"`` only) puts back a file that grew after it was judged
stable: it is renamed to its own name and its row forgotten, to be judged again.
SQLite is opened in WAL mode with a busy timeout, so ``mfbridge status`` can read while a
run writes.

Opening is retried until the busy timeout: SQLite answers "database is locked" *at once*,
without waiting, when two processes open a new journal at the same moment (one switches it to
WAL while the other reads it); measured here, 9 of 400 processes starting in fours on a fresh
journal failed that way. Every SQLite error becomes a one-line `JobError` that says what to do:
a journal locked for longer than the timeout names the likely cause, a damaged one names
``status JOB --check`` (see `check` and `set_aside`).

Several bridge processes may share one journal (same job file, same host). Each row names
its ``owner``, the process working on it; a run resumes only its own rows and rows whose
owner has died (see `bridge.pipeline.run`), taking them over with `Journal.adopt`, which
has exactly one winner. Output generations are handed out inside a write transaction
(`Journal.advance` with ``generation=True``), so two processes never get the same one.
"""
from __future__ import annotations

import json
import os
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:  # pragma: no mutate (importing it at run time too changes nothing)
    from bridge.errors import JobError

__all__ = ["FileRow", "Journal", "FINAL_STATES", "journal_error"]

FINAL_STATES = ("done", "duplicate")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    size        INTEGER NOT NULL,
    mtime       REAL,
    checksum    TEXT,
    state       TEXT NOT NULL,
    token       TEXT NOT NULL,
    claim_name  TEXT NOT NULL,
    trigger     TEXT,
    output_name TEXT,
    status_name TEXT,
    rc          INTEGER,
    records_in  INTEGER,
    scored      INTEGER,
    rejected    INTEGER,
    message     TEXT,
    report      TEXT,
    started     REAL NOT NULL,
    updated     REAL NOT NULL,
    owner       TEXT,
    generation  INTEGER
);
CREATE INDEX IF NOT EXISTS files_key ON files (name, size, checksum);
CREATE INDEX IF NOT EXISTS files_state ON files (state);
CREATE TABLE IF NOT EXISTS events (
    file_id  INTEGER NOT NULL,
    at       REAL NOT NULL,
    state    TEXT NOT NULL,
    detail   TEXT
);
CREATE TABLE IF NOT EXISTS sightings (
    name     TEXT PRIMARY KEY,
    size     INTEGER NOT NULL,
    mtime    REAL NOT NULL,
    since    REAL NOT NULL
);
"""

_COLUMNS = ("id", "name", "size", "mtime", "checksum", "state", "token", "claim_name", "trigger",
            "output_name", "status_name", "rc", "records_in", "scored", "rejected", "message", "report",
            "started", "updated", "owner", "generation")


@dataclass(frozen=True)
class FileRow:
    """One input file as the journal knows it."""

    id: int
    name: str
    size: int
    mtime: float | None
    checksum: str | None
    state: str
    token: str
    claim_name: str
    trigger: str | None
    output_name: str | None
    status_name: str | None
    rc: int | None
    records_in: int | None
    scored: int | None
    rejected: int | None
    message: str | None
    report: str | None
    started: float
    updated: float
    owner: str | None = None
    generation: int | None = None

    @property
    def finished(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def report_data(self) -> dict[str, Any]:
        return json.loads(self.report) if self.report else {}


def journal_error(path: Path, error: sqlite3.Error, timeout: float) -> "JobError":
    """The one line an operator reads for an SQLite error on the journal at `path`."""
    from bridge.errors import JobError

    text = str(error)
    if "locked" in text or "busy" in text:
        return JobError(f"journal {path} stayed locked for {timeout:.0f} s: another run holds it (see "
                        "`mfbridge status JOB`), or a process is stuck; try again once it has finished")
    if isinstance(error, sqlite3.DatabaseError) and not isinstance(error, sqlite3.OperationalError) or any(
            word in text for word in ("not a database", "malformed", "corrupt")):
        return JobError(f"journal {path} is damaged ({text}); check it with `mfbridge status JOB --check` and set "
                        "it aside with `mfbridge status JOB --check --set-aside` (see docs/troubleshooting.md)")
    return JobError(f"journal {path} cannot be used: {text}")


class _Database:
    """The SQLite connection, every error turned into `journal_error`."""

    def __init__(self, connection: sqlite3.Connection, path: Path, timeout: float) -> None:
        self.connection, self.path, self.timeout = connection, path, timeout

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        with self.translated():
            return self.connection.execute(sql, params)

    def executescript(self, sql: str) -> sqlite3.Cursor:
        with self.translated():
            return self.connection.executescript(sql)

    def close(self) -> None:
        self.connection.close()

    @contextmanager
    def translated(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as error:
            raise journal_error(self.path, error, self.timeout) from None


class Journal:
    """SQLite journal of one job.

    :raises JobError: the journal is locked for longer than `timeout`, damaged, or cannot be made.
    """

    def __init__(self, path: str | Path, *, timeout: float = 30.0, file_mode: int = 0o600,
                 dir_mode: int = 0o700) -> None:
        self.path = Path(path)
        self.timeout = timeout
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._db = self._open(file_mode, dir_mode)
                return
            except sqlite3.OperationalError as error:
                if ("locked" not in str(error) and "busy" not in str(error)) or time.monotonic() > deadline:
                    raise journal_error(self.path, error, timeout) from None
                time.sleep(0.05)  # pragma: no mutate (pacing only) - another process is creating or converting it
            except sqlite3.Error as error:
                raise journal_error(self.path, error, timeout) from None
            except OSError as error:
                from bridge.errors import JobError

                raise JobError(f"journal {self.path} cannot be created: {error.strerror or error}") from None

    def _open(self, file_mode: int, dir_mode: int) -> _Database:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=dir_mode)
        if not self.path.exists():  # SQLite takes the mode of the database for its -wal and -shm files
            # pragma below: the flags are distinct bits, so | ^ + give the same number
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, file_mode))  # pragma: no mutate
        connection = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
            connection.executescript(_SCHEMA)
            have = {r[1] for r in connection.execute("PRAGMA table_info(files)")}
            for column, kind in (("owner", "TEXT"), ("generation", "INTEGER")):
                if column not in have:  # a journal written before the column existed
                    connection.execute(f"ALTER TABLE files ADD COLUMN {column} {kind}")
        except BaseException:
            connection.close()
            raise
        return _Database(connection, self.path, self.timeout)

    @staticmethod
    def check(path: str | Path) -> list[str]:
        """SQLite's integrity check of the journal at `path`: [] when it is sound, else the problems."""
        try:
            connection = sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True, timeout=5.0)
            try:
                rows = [r[0] for r in connection.execute("PRAGMA integrity_check").fetchall()]
                connection.execute("SELECT COUNT(*) FROM files").fetchone()
            finally:
                connection.close()
        except sqlite3.Error as error:
            return [str(error)]
        return [] if rows == ["ok"] else rows

    @staticmethod
    def set_aside(path: str | Path) -> Path:
        """Rename the journal at `path` (with its -wal and -shm files) to ``NAME.damaged-TIMESTAMP``."""
        path = Path(path)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = path.with_name(f"{path.name}.damaged-{stamp}")
        for extra in ("", "-wal", "-shm"):
            old = path.with_name(path.name + extra)
            if old.exists():
                os.replace(old, target.with_name(target.name + extra))
        return target

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "Journal":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- rows --------------------------------------------------------------------------------
    def begin(self, name: str, size: int, mtime: float | None, token: str, claim_name: str,
              trigger: str | None, owner: str | None = None) -> FileRow:
        """Record the intent to claim ``name`` (state ``claiming``) before the rename happens."""
        now = time.time()
        cur = self._db.execute(
            "INSERT INTO files (name, size, mtime, state, token, claim_name, trigger, started, updated, owner) "
            "VALUES (?, ?, ?, 'claiming', ?, ?, ?, ?, ?, ?)",
            (name, size, mtime, token, claim_name, trigger, now, now, owner))
        self._event(cur.lastrowid, "claiming", None)
        return self.get(cur.lastrowid)

    def advance(self, row: FileRow, state: str, *, detail: str | None = None,
                generation: bool = False, **values: Any) -> FileRow:
        """Move ``row`` to ``state``, storing ``values`` (columns of the row) with it, atomically.

        With ``generation=True`` the row also gets the job's next output generation (1, 2, ...)
        in the same transaction; a value in ``values`` may then be a callable of it
        (``output_name=lambda gen: ...``).
        """
        bad = set(values) - set(_COLUMNS)
        if bad:
            raise ValueError(f"unknown journal column(s): {', '.join(sorted(bad))}")
        if "report" in values and not isinstance(values["report"], (str, type(None))):
            values["report"] = json.dumps(values["report"], default=str)
        self._db.execute("BEGIN IMMEDIATE")  # waits for the write lock (busy timeout); nothing to undo if it fails
        try:
            if generation:
                gen = row.generation or int(self._db.execute(
                    "SELECT COALESCE(MAX(generation), 0) + 1 FROM files").fetchone()[0])  # pragma: no mutate ([0] is [-1] of one column)
                values = {k: v(gen) if callable(v) else v for k, v in values.items()}
                values["generation"] = gen
            sets = ", ".join(f"{k} = ?" for k in values)
            sql = f"UPDATE files SET state = ?, updated = ?{', ' + sets if sets else ''} WHERE id = ?"
            self._db.execute(sql, [state, time.time(), *values.values(), row.id])
            self._db.execute("INSERT INTO events (file_id, at, state, detail) VALUES (?, ?, ?, ?)",
                             (row.id, time.time(), state, detail))
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.connection.in_transaction:
                self._db.connection.execute("ROLLBACK")
            raise
        return self.get(row.id)

    def adopt(self, row: FileRow, owner: str) -> FileRow | None:
        """Take ``row`` over from its (dead) owner; None when another process took it first."""
        cur = self._db.execute("UPDATE files SET owner = ? WHERE id = ? AND owner IS ?", (owner, row.id, row.owner))
        if cur.rowcount != 1:
            return None
        self._event(row.id, "adopted", f"from {row.owner or 'an unknown process'}")
        return self.get(row.id)

    def forget(self, row: FileRow, reason: str) -> None:
        """Drop a row whose claim never happened (another process took the file first)."""
        self._event(row.id, "forgotten", reason)
        self._db.execute("DELETE FROM files WHERE id = ?", (row.id,))

    def get(self, row_id: int) -> FileRow:
        cur = self._db.execute(f"SELECT {', '.join(_COLUMNS)} FROM files WHERE id = ?", (row_id,))
        found = cur.fetchone()
        if found is None:
            from bridge.errors import JobError

            raise JobError(f"journal row {row_id} is gone from {self.path}: another process forgot it; "
                           "do two runs share this journal with different work_dir settings?")
        return FileRow(*found)

    def unfinished(self) -> list[FileRow]:
        """Rows a run must finish before it takes new files, oldest first."""
        marks = ", ".join("?" * len(FINAL_STATES))
        cur = self._db.execute(f"SELECT {', '.join(_COLUMNS)} FROM files WHERE state NOT IN ({marks}) "
                               "ORDER BY id", FINAL_STATES)
        return [FileRow(*r) for r in cur.fetchall()]

    def find_done(self, name: str, size: int, checksum: str, *, exclude: int | None = None) -> FileRow | None:
        """A finished row that delivered the same file (name, size and checksum), if any."""
        cur = self._db.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM files WHERE name = ? AND size = ? AND checksum = ? "
            "AND state = 'done' AND output_name IS NOT NULL AND id != ? ORDER BY id LIMIT 1", (name, size, checksum, exclude or -1))
        r = cur.fetchone()
        return FileRow(*r) if r else None

    def rows(self, limit: int = 50) -> list[FileRow]:
        cur = self._db.execute(f"SELECT {', '.join(_COLUMNS)} FROM files ORDER BY id DESC LIMIT ?", (limit,))
        return [FileRow(*r) for r in cur.fetchall()]

    def events(self, row: FileRow) -> Iterator[tuple[float, str, str | None]]:
        cur = self._db.execute("SELECT at, state, detail FROM events WHERE file_id = ? ORDER BY at", (row.id,))
        yield from cur.fetchall()

    def counts(self) -> dict[str, int]:
        cur = self._db.execute("SELECT state, COUNT(*) FROM files GROUP BY state")
        return dict(cur.fetchall())

    def generation(self) -> int:
        """Next GDG-style generation number of this job's outputs (1, 2, ...); see `advance`."""
        cur = self._db.execute("SELECT COALESCE(MAX(generation), 0) + 1 FROM files")
        return int(cur.fetchone()[0])  # pragma: no mutate ([0] is [-1] of a one-column row)

    # -- readiness by stability --------------------------------------------------------------
    def sighting(self, name: str, size: int, mtime: float, now: float) -> float:
        """Record that ``name`` was seen with this size and mtime; returns since when it has not changed."""
        cur = self._db.execute("SELECT size, mtime, since FROM sightings WHERE name = ?", (name,))
        r = cur.fetchone()
        if r and r[0] == size and r[1] == mtime:
            return float(r[2])
        self._db.execute("INSERT OR REPLACE INTO sightings (name, size, mtime, since) VALUES (?, ?, ?, ?)",
                         (name, size, mtime, now))
        return now

    def forget_sighting(self, name: str) -> None:
        self._db.execute("DELETE FROM sightings WHERE name = ?", (name,))

    def _event(self, file_id: int, state: str, detail: str | None) -> None:
        self._db.execute("INSERT INTO events (file_id, at, state, detail) VALUES (?, ?, ?, ?)",
                         (file_id, time.time(), state, detail))
