"""A run that dies at any step is finished by the next one: nothing lost, nothing delivered twice.

A crash is simulated in-process: the failpoint (`BRIDGE_FAULT_AFTER`'s hook) raises instead of
SIGKILL, and the dead run's owner lock is let go as the kernel would. The real SIGKILL is in
tests/integration/test_batch_job.py.
"""
from __future__ import annotations

import shutil

import pytest

import bridge.pipeline.run as run_module
from bridge.pipeline.journal import Journal
from tests.pipeline.jobfolder import BAD, Copier, JobFolder, listing


class Crash(BaseException):
    """The process died here."""


@pytest.fixture
def crash_after(monkeypatch):
    def arm(state: str) -> None:
        def fault(reached: str) -> None:
            if reached == state:
                monkeypatch.setattr(run_module, "_fault", lambda _: None)  # die once
                raise Crash(state)
        monkeypatch.setattr(run_module, "_fault", fault)
    return arm


def crashed_run(folder: JobFolder, copier: Copier) -> None:
    runner = folder.runner(copier)
    with pytest.raises(Crash):
        runner.run_once()
    runner.close()  # what the kernel does for a dead process: its owner lock goes


def delivered_events(folder: JobFolder) -> dict[str, int]:
    with Journal(folder.job().journal) as journal:
        return {row.name: sum(1 for _, s, _ in journal.events(row) if s == "delivered") for row in journal.rows()}


@pytest.mark.parametrize("state", ["claiming", "claimed", "fetched", "processed", "delivered", "reported", "done",
                                   # between a step's side effect and its journal write
                                   "before-claimed", "before-fetched", "before-processed", "before-delivered",
                                   "before-reported", "before-done"])
def test_a_run_killed_after_any_step_is_finished_by_the_next(tmp_path, crash_after, state):
    folder = JobFolder(tmp_path)
    first = folder.drop("A.D261126.dat")
    second = folder.drop("B.D261126.dat", b"\x40" * 117)
    copier = Copier()
    crash_after(state)
    crashed_run(folder, copier)
    runner = folder.runner(copier)
    result = runner.run_once()
    runner.close()
    assert result.rc == 0
    assert listing(folder.inbox) == []  # nothing hidden left behind either
    assert listing(folder.archive) == ["A.D261126.dat", "A.D261126.dat.trg", "B.D261126.dat", "B.D261126.dat.trg"]
    assert listing(folder.outbox) == ["A.D261126.SCORED.dat", "A.D261126.SCORED.dat.status",
                                      "B.D261126.SCORED.dat", "B.D261126.SCORED.dat.status"]
    assert (folder.outbox / "A.D261126.SCORED.dat").read_bytes() == first
    assert (folder.outbox / "B.D261126.SCORED.dat").read_bytes() == second
    assert delivered_events(folder) == {"A.D261126.dat": 1, "B.D261126.dat": 1}
    with Journal(folder.job().journal) as journal:
        assert journal.counts() == {"done": 2}
    assert copier.calls.count(first[:16].decode("latin-1")) <= (2 if state in ("fetched", "before-processed") else 1)


@pytest.mark.parametrize("state", ["rejected", "reported", "before-rejected", "before-reported", "before-done"])
def test_a_run_killed_while_rejecting_a_file_still_reports_it_once(tmp_path, crash_after, state):
    folder = JobFolder(tmp_path)
    folder.drop("A.D261126.dat", BAD + b"\x00" * 113)
    crash_after(state)
    crashed_run(folder, Copier())
    runner = folder.runner(Copier())
    runner.run_once()
    runner.close()
    assert listing(folder.error) == ["A.D261126.dat", "A.D261126.dat.err", "A.D261126.dat.trg"]
    assert listing(folder.outbox) == ["A.D261126.SCORED.dat.status"]
    assert listing(folder.inbox) == []


def test_a_run_killed_while_archiving_a_duplicate_finishes_it(tmp_path, crash_after):
    folder = JobFolder(tmp_path)
    data = folder.drop("A.dat")
    runner = folder.runner()
    runner.run_once()
    runner.close()
    folder.drop("A.dat", data)
    crash_after("duplicate-fetched")
    crashed_run(folder, Copier())
    runner = folder.runner()
    result = runner.run_once()
    runner.close()
    assert result.rc == 4
    assert listing(folder.inbox) == []
    assert listing(folder.archive) == ["A.dat", "A.dat.dup-2", "A.dat.trg", "A.dat.trg.dup-2"]


def test_a_lost_work_area_is_fetched_again(tmp_path, crash_after):
    folder = JobFolder(tmp_path)
    data = folder.drop("A.dat")
    crash_after("processed")
    crashed_run(folder, Copier())
    shutil.rmtree(folder.job().work_dir / "00000001")
    runner = folder.runner()
    assert runner.run_once().rc == 0
    runner.close()
    assert (folder.outbox / "A.SCORED.dat").read_bytes() == data


def test_a_run_does_not_touch_the_files_another_live_run_is_working_on(tmp_path, crash_after):
    folder = JobFolder(tmp_path)
    folder.drop("A.dat")
    crash_after("fetched")
    busy = folder.runner()
    with pytest.raises(Crash):
        busy.run_once()  # stopped mid-file, but the process (its owner lock) lives on
    other = folder.runner()
    assert other.run_once().processed == []
    assert listing(folder.outbox) == []
    busy.close()  # now it is gone: its file is taken over
    assert [p[0] for p in other.run_once().processed] == ["A.dat"]
    other.close()
    with Journal(folder.job().journal) as journal:
        (row,) = journal.rows()
        assert "adopted" in [s for _, s, _ in journal.events(row)]


def test_a_trigger_is_consumed_with_its_file_so_a_new_drop_of_the_same_name_waits_for_its_own(tmp_path, crash_after):
    folder = JobFolder(tmp_path)
    folder.drop("A.dat")
    crash_after("fetched")
    busy = folder.runner()
    with pytest.raises(Crash):
        busy.run_once()
    assert listing(folder.inbox) == [name for name in listing(folder.inbox) if name.startswith(".")]
    folder.drop("A.dat", b"\x40" * 117, trigger=None)  # the next day's file, still being written
    other = folder.runner()
    result = other.run_once()
    assert (result.processed, result.orphan_triggers) == ([], [])
    busy.close()
    other.close()


def test_a_claim_left_at_claiming_whose_file_another_process_took_is_forgotten_and_the_other_claim_untouched(
        tmp_path, crash_after):
    folder = JobFolder(tmp_path)
    folder.drop("A.dat")
    crash_after("claiming")  # the journal says "claiming", the rename never happened
    crashed_run(folder, Copier())
    # meanwhile another host (its own journal) claimed the file under its own token
    (folder.inbox / "A.dat").rename(folder.inbox / ".A.dat.claim-otherhost1")
    runner = folder.runner()
    result = runner.run_once()
    runner.close()
    assert (result.rc, result.processed, result.failures) == (0, [], [])
    assert ".A.dat.claim-otherhost1" in listing(folder.inbox)  # the other process's claim is left alone
    assert listing(folder.outbox) == []
    with Journal(folder.job().journal) as journal:
        assert journal.rows() == []
