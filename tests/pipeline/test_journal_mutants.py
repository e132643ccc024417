"""The journal's API one behaviour at a time, read back with plain SQL where it matters: what each
call stores, returns and refuses, and the one line each SQLite failure becomes (a mutation run
found these untested behind the state-machine and recovery tests)."""
from __future__ import annotations

import sqlite3
import stat
import time

import pytest

from bridge.errors import JobError
from bridge.pipeline.journal import FileRow, Journal, journal_error


@pytest.fixture
def journal(tmp_path):
    with Journal(tmp_path / "journal.sqlite", timeout=5.0) as j:
        yield j


def _begin(journal: Journal, name: str = "A.dat", owner: str | None = "p1") -> FileRow:
    return journal.begin(name, 117, 12.5, "tok", f".{name}.claim", "A.trg", owner=owner)


def _sql(journal: Journal, query: str, *params):
    return sqlite3.connect(journal.path).execute(query, params).fetchall()


def test_a_locked_journal_names_the_timeout_and_what_to_do(tmp_path):
    error = journal_error(tmp_path / "j.sqlite", sqlite3.OperationalError("database is locked"), 29.6)
    assert str(error) == (f"journal {tmp_path / 'j.sqlite'} stayed locked for 30 s: another run holds it "
                          "(see `mfbridge status JOB`), or a process is stuck; try again once it has finished")
    assert "stayed locked" in str(journal_error(tmp_path, sqlite3.OperationalError("database busy"), 1))


@pytest.mark.parametrize("error", [sqlite3.DatabaseError("file is not a database"),
                                   sqlite3.IntegrityError("constraint"),
                                   sqlite3.OperationalError("database disk image is malformed"),
                                   sqlite3.OperationalError("corrupt page"),
                                   sqlite3.OperationalError("not a database")])
def test_a_damaged_journal_names_the_check_and_set_aside_commands(tmp_path, error):
    text = str(journal_error(tmp_path / "j.sqlite", error, 30))
    assert text.startswith(f"journal {tmp_path / 'j.sqlite'} is damaged ({error}); check it with "
                           "`mfbridge status JOB --check` and set it aside with")
    assert "--set-aside" in text


def test_any_other_journal_error_says_it_cannot_be_used(tmp_path):
    text = str(journal_error(tmp_path / "j.sqlite", sqlite3.OperationalError("unable to open database file"), 30))
    assert text == f"journal {tmp_path / 'j.sqlite'} cannot be used: unable to open database file"


def test_a_new_journal_and_its_folder_are_private(tmp_path):
    path = tmp_path / "state" / "journal.sqlite"
    Journal(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_the_job_may_ask_for_other_modes(tmp_path):
    path = tmp_path / "state" / "journal.sqlite"
    Journal(path, file_mode=0o640, dir_mode=0o750).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o750


def test_an_existing_journal_keeps_its_mode(tmp_path):
    path = tmp_path / "journal.sqlite"
    Journal(path).close()
    path.chmod(0o644)
    Journal(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_a_locked_journal_is_waited_for_30_seconds_by_default(tmp_path):
    with Journal(tmp_path / "journal.sqlite") as journal:
        assert journal.timeout == 30.0


def test_a_journal_that_answers_locked_at_once_is_opened_again_until_it_works(tmp_path, monkeypatch):
    # SQLite says "locked" without waiting when two processes create a journal at the same moment
    real_open, calls = Journal._open, []

    def open_third_time(self, *args):
        calls.append(1)
        if len(calls) < 3:
            raise sqlite3.OperationalError("database is locked")
        return real_open(self, *args)

    monkeypatch.setattr(Journal, "_open", open_third_time)
    Journal(tmp_path / "journal.sqlite", timeout=5.0).close()
    assert len(calls) == 3


def test_a_journal_error_other_than_locked_is_not_retried(tmp_path, monkeypatch):
    calls = []

    def fail(self, *args):
        calls.append(1)
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(Journal, "_open", fail)
    with pytest.raises(JobError, match="cannot be used: disk I/O error"):
        Journal(tmp_path / "journal.sqlite", timeout=5.0)
    assert len(calls) == 1


def test_a_journal_that_cannot_be_created_says_why(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(JobError, match=r"^journal .*/file/journal.sqlite cannot be created: "):
        Journal(tmp_path / "file" / "journal.sqlite")


def test_a_journal_name_that_is_a_dangling_link_is_not_followed(tmp_path):
    (tmp_path / "journal.sqlite").symlink_to(tmp_path / "elsewhere.sqlite")
    with pytest.raises(JobError, match=r"journal .*journal.sqlite cannot be created: Too many levels of symbolic links"):
        Journal(tmp_path / "journal.sqlite")
    assert not (tmp_path / "elsewhere.sqlite").exists()


def test_a_damaged_journal_is_refused_at_once_with_the_damaged_line(tmp_path):
    path = tmp_path / "journal.sqlite"
    path.write_bytes(b"this is not sqlite at all" * 200)
    started = time.monotonic()
    with pytest.raises(JobError, match="is damaged"):
        Journal(path, timeout=5.0)
    assert time.monotonic() - started < 4


def test_a_journal_locked_longer_than_the_timeout_is_refused_after_it(tmp_path):
    path = tmp_path / "journal.sqlite"
    Journal(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode=DELETE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        with pytest.raises(JobError, match="stayed locked for 0 s"):
            Journal(path, timeout=0.3)
        assert 0.25 < time.monotonic() - started < 4
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_journal_from_before_owners_and_generations_gets_both_columns(tmp_path):
    path = tmp_path / "journal.sqlite"
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE files (id INTEGER PRIMARY KEY, name TEXT NOT NULL, size INTEGER NOT NULL, "
                "mtime REAL, checksum TEXT, state TEXT NOT NULL, token TEXT NOT NULL, claim_name TEXT NOT NULL, "
                "trigger TEXT, output_name TEXT, status_name TEXT, rc INTEGER, records_in INTEGER, "
                "scored INTEGER, rejected INTEGER, message TEXT, report TEXT, started REAL NOT NULL, "
                "updated REAL NOT NULL)")
    old.commit()
    old.close()
    with Journal(path) as journal:
        row = _begin(journal)
        assert (row.owner, row.generation) == ("p1", None)
        assert journal.advance(row, "processed", generation=True).generation == 1


def test_a_sound_journal_checks_clean_and_a_damaged_one_lists_the_problem(tmp_path):
    path = tmp_path / "journal.sqlite"
    Journal(path).close()
    assert Journal.check(path) == []
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"garbage" * 1000)
    assert Journal.check(bad) == ["file is not a database"]
    empty = tmp_path / "empty.sqlite"
    sqlite3.connect(empty).execute("CREATE TABLE other (x)").connection.close()
    assert Journal.check(empty) == ["no such table: files"]


def test_set_aside_renames_the_journal_with_its_wal_and_shm(tmp_path):
    path = tmp_path / "journal.sqlite"
    for extra in ("", "-wal", "-shm"):
        (tmp_path / f"journal.sqlite{extra}").write_text(extra or "main")
    target = Journal.set_aside(path)
    assert target.parent == tmp_path and target.name.startswith("journal.sqlite.damaged-")
    assert len(target.name) == len("journal.sqlite.damaged-YYYYmmdd-HHMMSS")
    assert [(target.parent / (target.name + e)).read_text() for e in ("", "-wal", "-shm")] == [
        "main", "-wal", "-shm"]
    assert not any(tmp_path.glob("journal.sqlite-*")) and not path.exists()


def test_set_aside_without_wal_and_shm_moves_the_journal_alone(tmp_path):
    path = tmp_path / "journal.sqlite"
    path.write_text("main")
    target = Journal.set_aside(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_begin_stores_the_intent_to_claim(journal):
    before = time.time()
    row = _begin(journal)
    assert (row.name, row.size, row.mtime, row.state, row.token, row.claim_name, row.trigger, row.owner) == (
        "A.dat", 117, 12.5, "claiming", "tok", ".A.dat.claim", "A.trg", "p1")
    assert before <= row.started == row.updated <= time.time()
    assert [state for _, state, _ in journal.events(row)] == ["claiming"]
    assert not row.finished and row.report_data == {}


def test_advance_stores_values_and_an_event_with_its_detail(journal):
    row = _begin(journal)
    time.sleep(0.01)
    row = journal.advance(row, "claimed", detail="renamed", checksum="abc", rc=4)
    assert (row.state, row.checksum, row.rc) == ("claimed", "abc", 4)
    assert row.updated > row.started
    assert [(state, detail) for _, state, detail in journal.events(row)] == [
        ("claiming", None), ("claimed", "renamed")]


def test_advance_stores_a_report_as_json(journal):
    row = journal.advance(_begin(journal), "reported", report={"records": 3, "when": time.gmtime(0)[:1]})
    assert row.report_data == {"records": 3, "when": [1970]}
    row = journal.advance(row, "done", report='{"a": 1}')
    assert row.report == '{"a": 1}' and row.finished


def test_advance_refuses_unknown_columns_by_name(journal):
    with pytest.raises(ValueError, match=r"^unknown journal column\(s\): bogus, other$"):
        journal.advance(_begin(journal), "claimed", other=1, bogus=2)


def test_generations_count_up_and_a_row_keeps_its_own(journal):
    a, b = _begin(journal, "A.dat"), _begin(journal, "B.dat")
    assert journal.generation() == 1
    a = journal.advance(a, "processed", generation=True, output_name=lambda gen: f"OUT.G{gen:04d}")
    assert (a.generation, a.output_name) == (1, "OUT.G0001")
    b = journal.advance(b, "processed", generation=True, output_name="fixed")
    assert (b.generation, b.output_name) == (2, "fixed")
    a = journal.advance(a, "rejected", generation=True, output_name=lambda gen: f"ERR.G{gen}")
    assert (a.generation, a.output_name) == (1, "ERR.G1")
    assert journal.generation() == 3


def test_a_failed_advance_changes_nothing(journal):
    row = _begin(journal)
    with pytest.raises(JobError):
        journal.advance(row, "claimed", checksum=object())
    assert journal.get(row.id).state == "claiming"
    assert journal.advance(row, "claimed").state == "claimed"
    assert [state for _, state, _ in journal.events(row)] == ["claiming", "claimed"]


def test_adopt_has_one_winner_and_says_whom_it_took_over_from(journal):
    row = _begin(journal, owner="dead")
    taken = journal.adopt(row, "p2")
    assert taken.owner == "p2"
    assert journal.adopt(row, "p3") is None
    assert journal.get(row.id).owner == "p2"
    assert list(journal.events(row))[-1][1:] == ("adopted", "from dead")


def test_adopting_a_row_without_owner_names_an_unknown_process(journal):
    row = _begin(journal, owner=None)
    assert journal.adopt(row, "p2").owner == "p2"
    assert list(journal.events(row))[-1][1:] == ("adopted", "from an unknown process")


def test_forget_deletes_the_row_and_keeps_why(journal):
    row = _begin(journal)
    journal.forget(row, "taken by another process")
    with pytest.raises(JobError, match=rf"journal row {row.id} is gone from .*journal.sqlite: another process"):
        journal.get(row.id)
    assert _sql(journal, "SELECT state, detail FROM events WHERE file_id = ? ORDER BY rowid", row.id) == [
        ("claiming", None), ("forgotten", "taken by another process")]


def test_unfinished_lists_every_row_not_done_or_duplicate_oldest_first(journal):
    rows = [_begin(journal, f"{n}.dat") for n in range(4)]
    journal.advance(rows[1], "done")
    journal.advance(rows[2], "duplicate")
    journal.advance(rows[3], "reported")
    assert [(r.name, r.state) for r in journal.unfinished()] == [("0.dat", "claiming"), ("3.dat", "reported")]
    assert [journal.get(r.id).finished for r in rows] == [False, True, True, False]


def test_find_done_finds_the_first_delivered_copy_of_the_same_file(journal):
    def done(name: str, checksum: str, output: str | None, state: str = "done") -> FileRow:
        return journal.advance(_begin(journal, name), state, checksum=checksum, output_name=output)

    first = done("A.dat", "c1", "OUT1")
    done("A.dat", "c1", "OUT2")
    done("A.dat", "c1", None)
    done("A.dat", "c2", "OUT3")
    done("B.dat", "c1", "OUT4")
    assert journal.find_done("A.dat", 117, "c1").output_name == "OUT1"
    assert journal.find_done("A.dat", 117, "c1", exclude=first.id).output_name == "OUT2"
    assert journal.find_done("A.dat", 118, "c1") is None
    assert journal.find_done("C.dat", 117, "c1") is None
    reported = done("C.dat", "c9", "OUT5", state="reported")
    assert journal.find_done("C.dat", 117, "c9") is None and reported.state == "reported"


def test_rows_lists_the_newest_first_up_to_the_limit(journal):
    for n in range(5):
        _begin(journal, f"{n}.dat")
    assert [r.name for r in journal.rows(3)] == ["4.dat", "3.dat", "2.dat"]
    assert len(journal.rows()) == 5


def test_rows_shows_the_last_50_by_default(journal):
    for n in range(51):
        _begin(journal, f"{n}.dat")
    shown = journal.rows()
    assert (len(shown), shown[0].name, shown[-1].name) == (50, "50.dat", "1.dat")


def test_counts_are_per_state(journal):
    rows = [_begin(journal, f"{n}.dat") for n in range(3)]
    journal.advance(rows[0], "done")
    assert journal.counts() == {"claiming": 2, "done": 1}


def test_a_sighting_dates_from_when_size_and_mtime_last_changed(journal):
    assert journal.sighting("A.dat", 10, 1.0, now=100.0) == 100.0
    assert journal.sighting("A.dat", 10, 1.0, now=160.0) == 100.0
    assert journal.sighting("A.dat", 11, 1.0, now=170.0) == 170.0
    assert journal.sighting("A.dat", 11, 2.0, now=180.0) == 180.0
    assert journal.sighting("B.dat", 11, 2.0, now=190.0) == 190.0
    journal.forget_sighting("A.dat")
    assert journal.sighting("A.dat", 11, 2.0, now=200.0) == 200.0
    assert journal.sighting("B.dat", 11, 2.0, now=210.0) == 190.0


def test_a_file_put_back_with_an_older_mtime_and_the_same_size_is_not_stable(journal):
    # a writer that restores a file (cp -p, an SFTP put that keeps times) moves its mtime back
    assert journal.sighting("A.dat", 10, 2.0, now=100.0) == 100.0
    assert journal.sighting("A.dat", 10, 1.0, now=160.0) == 160.0


def test_rows_survive_reopening(tmp_path):
    path = tmp_path / "journal.sqlite"
    with Journal(path) as journal:
        row = journal.advance(_begin(journal), "fetched", checksum="abc")
    with Journal(path) as journal:
        assert journal.get(row.id) == row
