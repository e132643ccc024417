"""`mfbridge job check` (issue 9): everything a run needs, tried without changing anything."""
from __future__ import annotations

import pytest

from bridge.cli.main import main
from tests.conftest import ROOT
from tests.pipeline.jobfolder import JobFolder

MODEL = ROOT / "models" / "customer-risk"


def tree(root) -> dict[str, bytes]:
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() and not p.is_symlink() else b"")
            for p in sorted(root.rglob("*"))}


def test_a_ready_job_checks_ok_and_says_what_a_run_would_do_changing_nothing(tmp_path, capsys):
    folder = JobFolder(tmp_path, job={"model": str(MODEL)})
    folder.drop("A.dat")
    folder.drop("B.dat", trigger=None)
    folder.drop("EMPTY.dat", b"")
    folder.drop("\u00c9TAT.dat", trigger=None)
    before = tree(tmp_path)
    assert main(["job", "check", str(folder.path)]) == 0
    out = capsys.readouterr().out
    assert tree(tmp_path) == before  # no journal, no folders, no claim
    for line in (f"ok   inbox: {folder.inbox} (mode", f"ok   outbox: {folder.outbox}",
                 "ok   archive: ", "not there yet; the first file to go there creates it",
                 "ok   model: ", "model CUSTRISK loads and fits the copybook",
                 "a run now would:", "  take A.dat (351 bytes)", "  wait for B.dat: its trigger B.dat.trg is not there",
                 "  take EMPTY.dat (0 bytes: empty input, empty_input = warn)",
                 "  leave alone \\xc9TAT.dat: file name"):
        assert line in out, line


def test_a_linked_archive_a_damaged_model_and_a_missing_outbox_each_fail_the_check_with_rc_12(tmp_path, capsys):
    folder = JobFolder(tmp_path, job={"model": str(tmp_path / "model")})
    (folder.inbox / "archive").symlink_to(tmp_path)
    folder.outbox.rmdir()
    before = tree(tmp_path)
    assert main(["job", "check", str(folder.path)]) == 12
    captured = capsys.readouterr()
    assert tree(tmp_path) == before
    assert f"FAIL archive: {folder.inbox}: {folder.inbox / 'archive'} is a symbolic link" in captured.out
    assert "FAIL outbox: " in captured.out and "folder does not exist" in captured.out
    assert "FAIL model: the model" in captured.out
    assert "a run would stop with RC 12" in captured.err


@pytest.mark.parametrize("text, says", [("[job]\nname = 1\n", "FAIL job file"),
                                        (None, "FAIL job file")])
def test_a_job_file_that_cannot_be_loaded_fails_the_check(tmp_path, capsys, text, says):
    path = tmp_path / "job.toml"
    if text is not None:
        path.write_text(text)
    assert main(["job", "check", str(path)]) == 12
    assert says in capsys.readouterr().out
