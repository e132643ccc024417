"""`bridge run` and `bridge status` on local folders, and `--watch` stopping on SIGTERM."""
from __future__ import annotations

import os
import signal

from bridge.cli.main import main
from tests.pipeline.jobfolder import Copier, JobFolder, listing


def tree(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_run_once_with_nothing_ready_exits_0_and_writes_nothing(tmp_path, capsys):
    folder = JobFolder(tmp_path)
    folder.drop("A.dat", trigger=None)  # not ready: no trigger yet
    before = tree(tmp_path)
    assert main(["run", str(folder.path), "--once"]) == 0
    assert tree(tmp_path) == before
    assert "mfbridge: nothing ready" in capsys.readouterr().err


def test_run_once_on_a_job_whose_model_is_missing_exits_12_before_touching_a_file(tmp_path, capsys):
    folder = JobFolder(tmp_path, job={"model": "no-such-model"})
    folder.drop("A.dat")
    assert main(["run", str(folder.path), "--once"]) == 12
    assert "[job] model = " in capsys.readouterr().err
    assert listing(folder.inbox) == ["A.dat", "A.dat.trg"]


def test_run_with_a_broken_job_file_exits_12(tmp_path, capsys):
    folder = JobFolder(tmp_path, source={"ready": "eof"})
    assert main(["run", str(folder.path)]) == 12
    assert "[source] ready = 'eof' is not one of: trigger, stable" in capsys.readouterr().err


def test_status_lists_what_the_journal_knows(tmp_path, capsys):
    folder = JobFolder(tmp_path)
    folder.drop("A.dat")
    runner = folder.runner()
    runner.run_once()
    runner.close()
    assert main(["status", str(folder.path)]) == 0
    out = capsys.readouterr().out
    assert "job custscore: 1 done (0 of the last 1 rejected), 0 duplicates, 0 in flight" in out
    assert "done       RC=0000  A.dat -> A.SCORED.dat" in out


def test_status_before_any_run_says_there_is_no_journal(tmp_path, capsys):
    folder = JobFolder(tmp_path)
    assert main(["status", str(folder.path)]) == 0
    assert "has no journal yet" in capsys.readouterr().out


def test_watch_stops_after_the_file_in_hand_on_sigterm(tmp_path):
    folder = JobFolder(tmp_path)
    folder.drop("A.dat")
    folder.drop("B.dat")
    copier = Copier()

    def processor(input_path, output_path):
        os.kill(os.getpid(), signal.SIGTERM)  # the operator stops the service mid-file
        return copier(input_path, output_path)
    runner = folder.runner(processor)
    assert runner.watch(interval=0.05) == 0
    runner.close()
    assert len(copier.calls) == 1
    assert listing(folder.outbox) == ["A.SCORED.dat", "A.SCORED.dat.status"]
    assert listing(folder.inbox) == ["B.dat", "B.dat.trg"]
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_watch_keeps_polling_after_a_pass_fails_and_stops_cleanly_with_rc_0():
    from bridge.pipeline.run import JobRunner

    runner = JobRunner.__new__(JobRunner)  # only the polling loop is under test
    runner.stop_requested = False
    calls = []

    def failing_pass():
        calls.append(1)
        if len(calls) >= 3:
            runner.stop_requested = True
        raise OSError("disk full")

    runner.run_once = failing_pass
    assert runner.watch(interval=0.01) == 0
    assert len(calls) == 3
