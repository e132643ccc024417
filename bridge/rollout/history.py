"""The model history: what every run did, per arm, in SQLite, and every record's score in Parquet.

One job, one history, with no server: an SQLite database (WAL, ``PRAGMA user_version = 1``,
0600) holds a row per run (``runs``), a row per run and arm (``arm_stats``: counts, status
codes, score histogram, bands, reason codes, feature PSI, timings), the guardrail and ramp
``events``, the ``kpis`` the evaluation computes later and the ``rollout_state`` of the ramp;
a folder holds one Parquet file per run, ``<folder>/date=YYYY-MM-DD/<run_id>.parquet``
(`SCORES_SCHEMA`: key, score, band, model id, arm, run id, date, status), so that outcomes
arriving weeks later can be joined to the scores they judge.

Decision: a run is counted exactly once, whatever kills the process. `History.record_run`
writes the Parquet file first (a temporary name renamed into place) and then the run's rows
in one SQLite transaction that starts by asking whether the run is already there; a run
whose rows are committed is never written again, and `History.scores` reads only the files
of committed runs. So a process killed between the file and the commit leaves a file that no
reader counts and that the resumed run (same run id) replaces; a process killed after the
commit leaves a run that the resumed run finds and skips.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

import pandas as pd
import pyarrow as pa

from bridge.errors import JobError

__all__ = ["ARMS", "ArmStats", "EVENT_KINDS", "History", "KpiRow", "RolloutState", "RunRecord", "SCORES_SCHEMA",
           "utc_now"]

#: the arms a run's records can be in
ARMS = ("champion", "challenger", "shadow")
#: the kinds of `events` rows
EVENT_KINDS = ("guardrail", "threshold", "promote", "hold", "rollback", "retention", "alert")

#: the per-record Parquet: one row per scored record of a run (and per arm that scored it)
SCORES_SCHEMA = pa.schema([
    pa.field("key", pa.string()),
    pa.field("score", pa.float64()),
    pa.field("band", pa.string(), nullable=True),
    pa.field("model_id", pa.string()),
    pa.field("arm", pa.string()),
    pa.field("run_id", pa.string()),
    pa.field("date", pa.date32()),
    pa.field("status", pa.string()),
])

USER_VERSION = 1
#: seconds a writer waits for another that holds the database
TIMEOUT = 30.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, job TEXT, file TEXT, started TEXT, finished TEXT, rc INTEGER, records INTEGER,
    mode TEXT, share INTEGER, champion TEXT, challenger TEXT, fallback TEXT
);
CREATE TABLE IF NOT EXISTS arm_stats (
    run_id TEXT, arm TEXT, model_id TEXT, records INTEGER, scored INTEGER, status_counts TEXT, score_hist TEXT,
    bands TEXT, reasons TEXT, psi TEXT, score_psi REAL, seconds REAL, PRIMARY KEY (run_id, arm)
);
CREATE TABLE IF NOT EXISTS events (at TEXT, run_id TEXT, kind TEXT, message TEXT, who TEXT);
CREATE TABLE IF NOT EXISTS kpis (
    evaluated_at TEXT, period_start TEXT, period_end TEXT, model_id TEXT, arm TEXT, metric TEXT, value REAL,
    lo REAL, hi REAL, n INTEGER
);
CREATE TABLE IF NOT EXISTS rollout_state (
    id INTEGER PRIMARY KEY CHECK (id = 1), champion TEXT, challenger TEXT, share INTEGER, promoted INTEGER,
    updated TEXT, who TEXT
);
CREATE INDEX IF NOT EXISTS events_run ON events (run_id);
CREATE INDEX IF NOT EXISTS kpis_model ON kpis (model_id, arm, metric);
"""

_JSON_COLUMNS = ("status_counts", "score_hist", "bands", "reasons", "psi")
_RUN_ID = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}")
_DATE_FOLDER = re.compile(r"date=(\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class RunRecord:
    """One row of ``runs``: a file the job scored. Times are ISO-8601 UTC; ``fallback`` is the
    guardrail's reason when the challenger was set aside (None otherwise)."""

    run_id: str
    job: str
    file: str
    started: str
    finished: str
    rc: int
    records: int
    mode: str
    share: int
    champion: str
    challenger: str | None = None
    fallback: str | None = None


@dataclass(frozen=True)
class ArmStats:
    """One row of ``arm_stats``: what one arm's model did on one run.

    ``status_counts`` ``{"code": n}``; ``score_hist`` ``{"edges": [...], "counts": [...]}``;
    ``bands`` ``{"A": n}``; ``reasons`` ``{"code": n}``; ``psi`` ``{"feature": value or None}``
    against the card's training baseline; ``score_psi``: challenger against champion on this
    run (None on the champion's row).
    """

    run_id: str
    arm: str
    model_id: str
    records: int
    scored: int
    status_counts: dict[str, int] = field(default_factory=dict)
    score_hist: dict[str, list] = field(default_factory=dict)
    bands: dict[str, int] = field(default_factory=dict)
    reasons: dict[str, int] = field(default_factory=dict)
    psi: dict[str, float | None] = field(default_factory=dict)
    score_psi: float | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class KpiRow:
    """One row of ``kpis``: a metric of one model and arm over a period, with its interval."""

    evaluated_at: str
    period_start: str
    period_end: str
    model_id: str
    arm: str
    metric: str
    value: float | None
    lo: float | None = None
    hi: float | None = None
    n: int | None = None


@dataclass(frozen=True)
class RolloutState:
    """Where the ramp stands, as `mfbridge rollout` left it.

    ``champion``/``challenger`` are the job file's pair (model folders, as written in the file)
    the state was made for: when the job file names another pair the state no longer applies.
    ``promoted``: the challenger has reached 100 % and is now the model of record.
    """

    champion: str
    challenger: str
    share: int
    promoted: bool
    updated: str
    who: str


def utc_now() -> str:
    """Now as ISO-8601 UTC text, to the second (the history's time format)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class History:
    """A job's model history (see the module docstring); open with `History.open`.

    :raises JobError: the database or folder cannot be made, is damaged or stays locked.
    """

    def __init__(self, connection: sqlite3.Connection, path: Path, folder: Path, retention_days: int) -> None:
        self._db = connection
        self.path = path
        self.folder = folder
        self.retention_days = retention_days

    # -- opening -------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path, folder: Path, *, retention_days: int = 400) -> "History":
        """Open (creating when missing) the history database at ``path`` and the Parquet ``folder``."""
        path, folder = Path(path), Path(folder)
        if retention_days < 1:
            raise JobError(f"[history] retention_days = {retention_days} must be at least 1")
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not path.exists():  # SQLite gives its -wal and -shm files the database's mode
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o600))
        except OSError as error:
            raise JobError(f"history {path} cannot be created: {error.strerror or error}") from None
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                connection = sqlite3.connect(path, timeout=TIMEOUT, isolation_level=None)
                try:
                    connection.execute("PRAGMA journal_mode=WAL")
                    version = connection.execute("PRAGMA user_version").fetchone()[0]
                    if version > USER_VERSION:
                        raise JobError(f"history {path} was written by a newer mainframe-bridge (format "
                                       f"{version}, this one reads {USER_VERSION}); upgrade mfbridge")
                    connection.executescript(_SCHEMA)
                    connection.execute(f"PRAGMA user_version = {USER_VERSION}")
                except BaseException:
                    connection.close()
                    raise
                return cls(connection, path, folder, retention_days)
            except sqlite3.OperationalError as error:
                if not _busy(error) or time.monotonic() > deadline:
                    raise _history_error(path, error) from None
                time.sleep(0.05)  # another process is creating it right now
            except sqlite3.Error as error:
                raise _history_error(path, error) from None

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "History":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -------------------------------------------------------------------------------
    def record_run(self, run: RunRecord, arms: list[ArmStats], scores: pa.Table | None) -> None:
        """Record a run, its arms and its per-record scores, once: a run id already recorded is left as it is.

        A run with a ``fallback`` also gets its ``guardrail`` event, in the same transaction.
        ``scores`` must have the columns of `SCORES_SCHEMA` (cast to it; None: no Parquet file).
        """
        _check_run_id(run.run_id)
        for arm in arms:
            if arm.arm not in ARMS:
                raise ValueError(f"arm {arm.arm!r} is not one of {', '.join(ARMS)}")
            if arm.run_id != run.run_id:
                raise ValueError(f"arm row of run {arm.run_id!r} given with run {run.run_id!r}")
        if self._has_run(run.run_id):
            return
        day = _day(run.started)
        if scores is not None:
            self._write_scores(run.run_id, day, scores)
        if os.environ.get("BRIDGE_FAULT_AFTER") == "history-scores":  # the crash tests' failpoint (as in run.py)
            os.kill(os.getpid(), signal.SIGKILL)
        with self._transaction() as db:
            if db.execute("SELECT 1 FROM runs WHERE run_id = ?", (run.run_id,)).fetchone():
                return  # another process recorded it meanwhile
            values = asdict(run)
            db.execute(f"INSERT INTO runs ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                       tuple(values.values()))
            for arm in arms:
                row = asdict(arm)
                for key in _JSON_COLUMNS:
                    row[key] = json.dumps(row[key], sort_keys=True)
                db.execute(f"INSERT INTO arm_stats ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                           tuple(row.values()))
            if run.fallback:
                db.execute("INSERT INTO events (at, run_id, kind, message, who) VALUES (?, ?, ?, ?, ?)",
                           (run.finished or utc_now(), run.run_id, "guardrail", run.fallback, None))

    def record_event(self, kind: str, message: str, *, run_id: str | None = None, who: str | None = None) -> None:
        """Add an ``events`` row stamped now (``kind`` one of `EVENT_KINDS`)."""
        if kind not in EVENT_KINDS:
            raise ValueError(f"event kind {kind!r} is not one of {', '.join(EVENT_KINDS)}")
        with self._transaction() as db:
            db.execute("INSERT INTO events (at, run_id, kind, message, who) VALUES (?, ?, ?, ?, ?)",
                       (utc_now(), run_id, kind, message, who))

    def record_kpis(self, rows: list[KpiRow]) -> None:
        """Add ``kpis`` rows, all in one transaction."""
        with self._transaction() as db:
            for row in rows:
                values = asdict(row)
                db.execute(f"INSERT INTO kpis ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                           tuple(values.values()))

    def set_rollout_state(self, state: RolloutState, *, event: tuple[str, str] | None = None) -> None:
        """Replace the ramp's state; ``event`` ``(kind, message)`` is recorded with it, in one transaction."""
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO rollout_state (id, champion, challenger, share, promoted, updated, "
                       "who) VALUES (1, ?, ?, ?, ?, ?, ?)",
                       (state.champion, state.challenger, state.share, int(state.promoted), state.updated,
                        state.who))
            if event is not None:
                kind, message = event
                if kind not in EVENT_KINDS:
                    raise ValueError(f"event kind {kind!r} is not one of {', '.join(EVENT_KINDS)}")
                db.execute("INSERT INTO events (at, run_id, kind, message, who) VALUES (?, ?, ?, ?, ?)",
                           (state.updated, None, kind, message, state.who))

    def rollout_state(self) -> RolloutState | None:
        """The ramp's state, None when `mfbridge rollout` never changed it."""
        with _translated(self.path):
            row = self._db.execute("SELECT champion, challenger, share, promoted, updated, who FROM rollout_state "
                                   "WHERE id = 1").fetchone()
        if row is None:
            return None
        return RolloutState(champion=row[0], challenger=row[1], share=int(row[2]), promoted=bool(row[3]),
                            updated=row[4], who=row[5])

    def apply_retention(self, today: date | None = None) -> list[str]:
        """Delete the date folders older than ``retention_days``; returns their names (an event says so)."""
        today = today or datetime.now(timezone.utc).date()
        oldest = today - timedelta(days=self.retention_days)
        gone = []
        for entry in sorted(self.folder.iterdir()) if self.folder.is_dir() else []:
            m = _DATE_FOLDER.fullmatch(entry.name)
            if not m or entry.is_symlink() or not entry.is_dir():
                continue
            try:
                day = date.fromisoformat(m.group(1))
            except ValueError:
                continue
            if day < oldest:
                shutil.rmtree(entry)
                gone.append(entry.name)
        if gone:
            self.record_event("retention", f"deleted {len(gone)} score folder(s) older than {self.retention_days} "
                                           f"days: {', '.join(gone[:5])}{' ...' if len(gone) > 5 else ''}")
        return gone

    # -- reading -------------------------------------------------------------------------------
    def runs(self) -> pd.DataFrame:
        """Every run, oldest first."""
        return self._frame("SELECT * FROM runs ORDER BY started, run_id")

    def arm_stats(self) -> pd.DataFrame:
        """Every run's arms; the JSON columns come back as dicts (``score_psi`` NaN on champion rows)."""
        frame = self._frame("SELECT a.* FROM arm_stats a LEFT JOIN runs r USING (run_id) "
                            "ORDER BY r.started, a.run_id, a.arm")
        for key in _JSON_COLUMNS:
            frame[key] = [json.loads(v) if v else {} for v in frame[key]]
        return frame

    def events(self) -> pd.DataFrame:
        """Every event, oldest first."""
        return self._frame("SELECT * FROM events ORDER BY at, rowid")

    def kpis(self) -> pd.DataFrame:
        """Every KPI row, in the order recorded."""
        return self._frame("SELECT * FROM kpis ORDER BY rowid")

    def scores(self, since: date | None = None) -> pa.Table:
        """The per-record scores of every recorded run (those of date folders from ``since`` on)."""
        import pyarrow.parquet as pq

        committed = {r[0] for r in self._query("SELECT run_id FROM runs")}
        tables = []
        for day_folder in sorted(self.folder.glob("date=*")) if self.folder.is_dir() else []:
            m = _DATE_FOLDER.fullmatch(day_folder.name)
            if not m or not day_folder.is_dir() or day_folder.is_symlink():
                continue
            if since is not None and m.group(1) < since.isoformat():
                continue
            for file in sorted(day_folder.glob("*.parquet")):
                if file.stem in committed and not file.is_symlink():
                    tables.append(pq.read_table(file, schema=SCORES_SCHEMA))
        if not tables:
            return SCORES_SCHEMA.empty_table()
        return pa.concat_tables(tables)

    # -- inside --------------------------------------------------------------------------------
    def _has_run(self, run_id: str) -> bool:
        return bool(self._query("SELECT 1 FROM runs WHERE run_id = ?", (run_id,)))

    def _write_scores(self, run_id: str, day: str, scores: pa.Table) -> Path:
        import pyarrow.parquet as pq

        table = scores.select(SCORES_SCHEMA.names).cast(SCORES_SCHEMA)
        folder = self.folder / f"date={day}"
        target = folder / f"{run_id}.parquet"
        temp = folder / f".{run_id}.{os.getpid()}.tmp"
        try:
            folder.mkdir(mode=0o700, exist_ok=True)
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd, "wb") as f:
                pq.write_table(table, f, compression="zstd")
            os.replace(temp, target)
        except OSError as error:
            temp.unlink(missing_ok=True)
            raise JobError(f"history scores {target} cannot be written: {error.strerror or error}") from None
        return target

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with _translated(self.path):
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _query(self, sql: str, params: tuple = ()) -> list[tuple]:
        with _translated(self.path):
            return self._db.execute(sql, params).fetchall()

    def _frame(self, sql: str) -> pd.DataFrame:
        with _translated(self.path):
            cursor = self._db.execute(sql)
            rows = cursor.fetchall()
            return pd.DataFrame(rows, columns=[d[0] for d in cursor.description])


def _check_run_id(run_id: str) -> None:
    if not isinstance(run_id, str) or not _RUN_ID.fullmatch(run_id):
        raise ValueError(f"run id {run_id!r} must be 1-128 letters, digits, '.', '_' or '-' (it names a file)")


def _day(started: str) -> str:
    """The run's UTC date (``YYYY-MM-DD``) from its ISO start time."""
    try:
        return datetime.fromisoformat(started.replace("Z", "+00:00")).astimezone(timezone.utc).date().isoformat()
    except (ValueError, AttributeError):
        raise ValueError(f"run start {started!r} is not an ISO-8601 time") from None


def _busy(error: sqlite3.Error) -> bool:
    return "locked" in str(error) or "busy" in str(error)


def _history_error(path: Path, error: sqlite3.Error) -> JobError:
    text = str(error)
    if _busy(error):
        return JobError(f"history {path} stayed locked for {TIMEOUT:.0f} s: another run holds it; try again once "
                        "it has finished")
    if any(word in text for word in ("not a database", "malformed", "corrupt")):
        return JobError(f"history {path} is damaged ({text}); move it aside (the next run starts a new one; the "
                        "Parquet scores beside it are kept)")
    return JobError(f"history {path} cannot be used: {text}")


@contextmanager
def _translated(path: Path) -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as error:
        raise _history_error(path, error) from None
