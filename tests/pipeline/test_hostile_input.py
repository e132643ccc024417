"""Issue 8 on local folders: what a dropper can put in the inbox, and what the job does with it.

Names outside the one character set, names too long to carry the job's suffixes, links where
the job's folders should be, 0-byte drops: each has its documented outcome, decided before the
claim where it can be, and none of them keeps the rest of the inbox from flowing.
"""
from __future__ import annotations

import os
import stat

import pytest

from bridge.cli.main import main
from bridge.pipeline.journal import Journal
from tests.pipeline.jobfolder import Copier, JobFolder, listing


def run(folder: JobFolder, processor=None):
    runner = folder.runner(processor)
    try:
        return runner.run_once()
    finally:
        runner.close()


def mkdir(path):
    path.mkdir()
    return path


def tree(root) -> dict[str, bytes]:
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() and not p.is_symlink() else b"")
            for p in sorted(root.rglob("*"))}


@pytest.mark.parametrize("name", ["\u00c9TAT.D261126.dat", "CUST\x85.D261126.dat", "CUST EXT.dat"])
def test_a_name_outside_the_character_set_is_left_alone_before_the_claim_and_the_inbox_flows(tmp_path, caplog,
                                                                                              name):
    folder = JobFolder(tmp_path)
    folder.drop(name)
    folder.drop("GOOD.D261126.dat")
    runner = folder.runner()
    first = runner.run_once()
    second = runner.run_once()
    runner.close()
    # the name and its trigger's: each said once, not every pass
    assert sorted(first.refused_names) == sorted([name, name + ".trg"]) and second.refused_names == []
    assert [p[0] for p in first.processed] == ["GOOD.D261126.dat"]
    assert sorted(listing(folder.inbox)) == sorted([name, name + ".trg"])  # not claimed, not renamed
    assert listing(folder.outbox) == ["GOOD.D261126.SCORED.dat", "GOOD.D261126.SCORED.dat.status"]
    assert caplog.text.count("left alone") == 2
    assert f"names may hold ASCII letters, digits and . _ - # @ $ + only" in caplog.text
    with Journal(folder.job().journal) as journal:
        assert [r.name for r in journal.rows()] == ["GOOD.D261126.dat"]


def test_a_199_byte_name_goes_through_every_stage_because_every_derived_name_fits(tmp_path):
    folder = JobFolder(tmp_path)
    name = "C" * 195 + ".dat"
    data = folder.drop(name)
    result = run(folder)
    assert result.processed == [(name, 0, "")]
    assert (folder.outbox / ("C" * 195 + ".SCORED.dat")).read_bytes() == data
    assert listing(folder.archive) == [name, name + ".trg"]
    assert listing(folder.inbox) == []


def test_a_rejected_199_byte_name_still_gets_its_err_report(tmp_path):
    folder = JobFolder(tmp_path)
    name = "C" * 195 + ".dat"
    folder.drop(name, b"BAD!" + b"\x00" * 113)
    assert run(folder).rc == 8
    assert listing(folder.error) == [name, name + ".err", name + ".trg"]


def test_a_name_longer_than_200_bytes_is_refused_before_the_claim(tmp_path, caplog):
    folder = JobFolder(tmp_path)
    name = "C" * 197 + ".dat"
    folder.drop(name)
    result = run(folder)
    assert (result.refused_names, result.processed) == ([name], [])
    assert "is longer than 200 bytes" in caplog.text
    assert listing(folder.inbox) == [name, name + ".trg"]


def test_a_name_pattern_that_makes_a_derived_name_too_long_is_refused_before_the_claim(tmp_path, caplog):
    folder = JobFolder(tmp_path, target={"name": "{stem}.SCORED.BY.THE.NIGHTLY.BATCH.RUN.OF.CUSTSCORE.ON.THE.BRIDGE.HOST{suffix}"})
    name = "C" * 196 + ".dat"
    folder.drop(name)
    result = run(folder)
    assert (result.refused_names, result.processed) == ([name], [])
    assert f"no safe output name for input {name}" in caplog.text and "longer than 255 bytes" in caplog.text


@pytest.mark.parametrize("which", ["archive", "error"])
def test_a_link_in_place_of_the_archive_or_error_folder_is_refused_and_nothing_is_written_through_it(
        tmp_path, which):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "GOOD.dat.trg").write_bytes(b"precious")
    (elsewhere / "GOOD.dat.err").write_bytes(b"precious")
    folder = JobFolder(mkdir(tmp_path / "job"))
    (folder.inbox / which).symlink_to(elsewhere)
    data = folder.drop("GOOD.dat", None if which == "archive" else b"BAD!" + b"\x00" * 113)
    result = run(folder)
    assert result.rc == 12
    (name, error), = result.failures
    assert name == "GOOD.dat" and f"{folder.inbox / which} is a symbolic link (to {elsewhere})" in error
    assert tree(elsewhere) == {"GOOD.dat.err": b"precious", "GOOD.dat.trg": b"precious"}
    # the input stays claimed in the inbox; a second pass changes nothing
    before = tree(folder.inbox), tree(folder.outbox)
    assert run(folder).rc == 12
    assert (tree(folder.inbox), tree(folder.outbox)) == before
    (folder.inbox / which).unlink()
    assert run(folder).failures == []
    assert (folder.inbox / which / "GOOD.dat").read_bytes() == data
    assert tree(elsewhere) == {"GOOD.dat.err": b"precious", "GOOD.dat.trg": b"precious"}


def test_an_archive_reached_through_a_linked_parent_is_refused_too(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "old").mkdir(parents=True)
    folder = JobFolder(mkdir(tmp_path / "job"), source={"archive": "keep/old"})
    (folder.inbox / "keep").symlink_to(elsewhere)
    folder.drop("GOOD.dat")
    assert run(folder).rc == 12
    assert list((elsewhere / "old").iterdir()) == []


def test_a_report_already_in_the_error_folder_is_never_overwritten(tmp_path):
    folder = JobFolder(tmp_path)
    folder.error.mkdir()
    (folder.error / "A.dat.err").write_bytes(b"yesterday's report")
    folder.drop("A.dat", b"BAD!" + b"\x00" * 113)
    assert run(folder).rc == 8
    assert (folder.error / "A.dat.err").read_bytes() == b"yesterday's report"
    assert "input A.dat rejected" in (folder.error / "A.dat.1.err").read_text()


def test_a_dropped_link_is_never_read(tmp_path):
    secret = tmp_path / "secret"
    secret.write_bytes(b"S" * 117)
    folder = JobFolder(mkdir(tmp_path / "job"))
    (folder.inbox / "A.dat").symlink_to(secret)
    (folder.inbox / "A.dat.trg").write_bytes(b"")
    result = run(folder)
    assert result.processed == []
    assert listing(folder.outbox) == []


def test_a_zero_byte_drop_is_delivered_with_rc_4_and_says_empty_input(tmp_path):
    folder = JobFolder(tmp_path)
    folder.drop("EMPTY.dat", b"")
    copier = Copier()
    result = run(folder, copier)
    assert result.processed == [("EMPTY.dat", 4, "empty input")]
    assert copier.calls == []  # nothing to score
    assert (folder.outbox / "EMPTY.SCORED.dat").read_bytes() == b""
    assert (folder.outbox / "EMPTY.SCORED.dat.status").read_text().splitlines()[::7] == ["RC=0004",
                                                                                        "MESSAGE=empty input"]
    assert listing(folder.archive) == ["EMPTY.dat", "EMPTY.dat.trg"]


@pytest.mark.parametrize("policy, rc, where", [("ok", 0, "archive"), ("reject", 8, "error")])
def test_empty_input_sets_what_a_zero_byte_drop_gets(tmp_path, policy, rc, where):
    folder = JobFolder(tmp_path, job={"empty_input": policy})
    folder.drop("EMPTY.dat", b"")
    assert run(folder).processed[0][:2] == ("EMPTY.dat", rc)
    assert "EMPTY.dat" in listing(folder.inbox / where)


def test_a_full_disk_while_scoring_stops_the_pass_and_leaves_the_file_for_the_next_one(tmp_path):
    folder = JobFolder(tmp_path)
    data = folder.drop("A.dat")
    folder.drop("B.dat")

    def disk_full(input_path, output_path):
        output_path.write_bytes(b"partial")
        raise OSError(28, "No space left on device")
    result = run(folder, disk_full)
    assert result.rc == 12
    assert result.failures == [("A.dat", "OSError: No space left on device")]
    assert listing(folder.error) == [] and listing(folder.outbox) == []
    assert "B.dat" in listing(folder.inbox)  # the pass stopped: B not even claimed
    result = run(folder)
    assert [p[:2] for p in result.processed] == [("A.dat", 0), ("B.dat", 0)]
    assert (folder.outbox / "A.SCORED.dat").read_bytes() == data


def test_outputs_status_journal_and_work_copies_are_owner_only_whatever_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        folder = JobFolder(tmp_path)
        folder.drop("A.dat")
        folder.drop("B.dat", b"BAD!" + b"\x00" * 113)
        job = folder.job()
        seen = {}

        def spy(input_path, output_path):
            seen["input"] = stat.S_IMODE(input_path.stat().st_mode)
            seen["work"] = stat.S_IMODE(input_path.parent.stat().st_mode)
            return Copier()(input_path, output_path)
        run(folder, spy)
    finally:
        os.umask(old)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.outbox.iterdir()}
    assert modes == {"A.SCORED.dat": 0o600, "A.SCORED.dat.status": 0o600, "B.SCORED.dat.status": 0o600}
    assert stat.S_IMODE((folder.error / "B.dat.err").stat().st_mode) == 0o600
    assert stat.S_IMODE(job.journal.stat().st_mode) == 0o600
    assert seen == {"input": 0o600, "work": 0o700}
    for made in (folder.archive, folder.error, job.work_dir):
        assert stat.S_IMODE(made.stat().st_mode) == 0o700


def test_file_mode_and_dir_mode_in_the_job_file_open_them_up_exactly_whatever_the_umask(tmp_path):
    folder = JobFolder(tmp_path, job={"file_mode": 0o660, "dir_mode": 0o770})
    folder.drop("A.dat")
    old = os.umask(0o022)
    try:
        run(folder)
    finally:
        os.umask(old)
    assert stat.S_IMODE((folder.outbox / "A.SCORED.dat").stat().st_mode) == 0o660
    assert stat.S_IMODE(folder.archive.stat().st_mode) == 0o770


def test_a_journal_another_process_holds_gives_one_line_and_rc_12(tmp_path, capsys, monkeypatch):
    import sqlite3

    import bridge.pipeline.run as run_module

    monkeypatch.setattr(run_module, "JOURNAL_TIMEOUT", 0.2)
    folder = JobFolder(tmp_path, job={"model": str(tmp_path / "model")})
    folder.drop("A.dat")
    job = folder.job()
    Journal(job.journal).close()
    holder = sqlite3.connect(job.journal, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        runner = folder.runner()
        with pytest.raises(Exception) as caught:
            runner.run_once()
        runner.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert type(caught.value).__name__ == "JobError"
    assert f"journal {job.journal} stayed locked for 0 s: another run holds it" in str(caught.value)
    assert listing(folder.inbox) == ["A.dat", "A.dat.trg"]


def test_a_damaged_journal_gives_one_line_rc_12_and_status_check_sets_it_aside(tmp_path, capsys):
    folder = JobFolder(tmp_path, job={"model": str(tmp_path / "model")})
    folder.drop("A.dat")
    job = folder.job()
    job.journal.parent.mkdir(parents=True)
    job.journal.write_bytes(b"this is not an SQLite database at all, it was overwritten" * 100)
    assert main(["run", str(folder.path), "--once"]) == 12
    err = capsys.readouterr().err
    assert "is damaged (file is not a database)" in err and "mfbridge status JOB --check" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert listing(folder.inbox) == ["A.dat", "A.dat.trg"]
    assert main(["status", str(folder.path), "--check"]) == 12
    assert "damaged" in capsys.readouterr().err
    assert main(["status", str(folder.path), "--check", "--set-aside"]) == 0
    assert "set aside as" in capsys.readouterr().out
    runner = folder.runner()
    assert [p[0] for p in runner.run_once().processed] == ["A.dat"]
    runner.close()
    assert main(["status", str(folder.path), "--check"]) == 0


def damaged_model(tmp_path, how: str):
    import shutil

    from tests.conftest import ROOT

    model = tmp_path / "damaged-model"
    shutil.copytree(ROOT / "models" / "customer-risk", model)
    if how == "truncated":
        text = (model / "model.txt").read_bytes()
        (model / "model.txt").write_bytes(text[: len(text) // 3])
    else:
        card = (model / "card.toml").read_text()
        (model / "card.toml").write_text(card.replace("rows = 40000", 'rows = "40,000"'))
        assert 'rows = "40,000"' in (model / "card.toml").read_text()
    return model


@pytest.mark.parametrize("how, says", [("truncated", "is truncated"),
                                       ("wrong-typed card value", "40,000")])
def test_a_damaged_model_fails_the_pass_with_rc_12_and_one_line_before_any_file_is_claimed(tmp_path, capsys,
                                                                                            how, says):
    folder = JobFolder(tmp_path, job={"model": str(damaged_model(tmp_path, how))})
    folder.drop("A.dat")
    assert main(["run", str(folder.path), "--once"]) == 12
    err = capsys.readouterr().err
    assert "the model" in err and "no file was touched" in err and says in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert listing(folder.inbox) == ["A.dat", "A.dat.trg"]
    assert listing(folder.outbox) == []


def test_in_stable_mode_a_file_that_grew_after_it_was_judged_stable_is_given_back_not_scored(tmp_path,
                                                                                             monkeypatch):
    from bridge.transport.local import LocalDropZone

    folder = JobFolder(tmp_path, source={"ready": "stable", "stable_seconds": 0.0})
    path = folder.inbox / "SLOW.dat"
    folder.drop(path.name, trigger=None)
    past = os.path.getmtime(path) - 60
    os.utime(path, (past, past))
    fetch = LocalDropZone.fetch_sha256

    def writer_wakes_up(zone, name, local_path, **kw):
        with (zone.folder / name).open("ab") as more:  # the stalled writer goes on, through its open file
            more.write(b"\x40" * 117)
        return fetch(zone, name, local_path, **kw)
    monkeypatch.setattr(LocalDropZone, "fetch_sha256", writer_wakes_up)
    copier = Copier()
    result = run(folder, copier)
    assert (result.rc, result.processed, copier.calls) == (0, [], [])
    assert listing(folder.inbox) == ["SLOW.dat"] and path.stat().st_size == 4 * 117
    assert listing(folder.outbox) == []
    monkeypatch.setattr(LocalDropZone, "fetch_sha256", fetch)
    os.utime(path, (past, past))
    assert [p[:2] for p in run(folder, copier).processed] == [("SLOW.dat", 0)]
    assert (folder.outbox / "SLOW.SCORED.dat").stat().st_size == 4 * 117


@pytest.mark.parametrize("recfm", ["FB", "V"])
def test_in_stable_mode_a_partial_last_record_is_rejected_with_rc_8_not_scored(tmp_path, recfm):
    from bridge.copybook import load_copybook
    from bridge.records.api import write_records
    from bridge.testing import fake_table
    from tests.conftest import COPYBOOKS, ROOT

    folder = JobFolder(tmp_path, source={"ready": "stable", "stable_seconds": 0.0},
                       job={"model": str(ROOT / "models" / "customer-risk"), "recfm": recfm, "codepage": "cp037"})
    path = folder.inbox / "HALF.dat"
    layout = load_copybook(COPYBOOKS / "customer.cpy")
    write_records(fake_table(layout, 3, seed=5), tmp_path / "whole.dat", layout, codepage="cp037", recfm=recfm)
    whole = (tmp_path / "whole.dat").read_bytes()
    folder.drop(path.name, whole[:-60], trigger=None)  # the writer stalled inside the last record
    past = os.path.getmtime(path) - 60
    os.utime(path, (past, past))
    from bridge.pipeline.run import JobRunner

    runner = JobRunner(folder.job())
    try:
        result = runner.run_once()
    finally:
        runner.close()
    assert [p[:2] for p in result.processed] == [("HALF.dat", 8)]
    assert "HALF.dat" in listing(folder.error)
    assert ("RDW announces a record" if recfm == "V" else "is not a multiple of the record length") in result.processed[0][2]


def test_a_mixed_hostile_inbox_delivers_the_good_file_once_and_writes_nothing_outside_its_folders(tmp_path):
    """Issue 8's acceptance: all of it at once, then a second pass that changes nothing."""
    elsewhere = mkdir(tmp_path / "elsewhere")
    (elsewhere / "GOOD.dat").write_bytes(b"precious")
    folder = JobFolder(mkdir(tmp_path / "job"))
    outside = tree(tmp_path)  # everything but the job's own folders, before the run
    (folder.inbox / "archive").symlink_to(elsewhere)
    long_name = "L" * 195 + ".dat"
    good = folder.drop("GOOD.dat")
    folder.drop("\u00c9TAT.dat")
    os.close(os.open(os.fsencode(folder.inbox) + b"/LATIN\xc9.dat", os.O_CREAT | os.O_WRONLY, 0o600))  # not UTF-8
    long_data = folder.drop(long_name)
    folder.drop("EMPTY.dat", b"")
    result = run(folder)
    assert result.rc == 12  # the archive is a link: the pass says so
    assert sorted(result.refused_names) == sorted(["\u00c9TAT.dat", "\u00c9TAT.dat.trg", "LATIN\udcc9.dat"])
    # delivered once each, with their own outcomes; the inputs wait, claimed, for a real archive folder
    assert listing(folder.outbox) == ["EMPTY.SCORED.dat", "EMPTY.SCORED.dat.status", "GOOD.SCORED.dat",
                                      "GOOD.SCORED.dat.status", "L" * 195 + ".SCORED.dat",
                                      "L" * 195 + ".SCORED.dat.status"]
    assert (folder.outbox / "GOOD.SCORED.dat").read_bytes() == good
    assert (folder.outbox / ("L" * 195 + ".SCORED.dat")).read_bytes() == long_data
    assert (folder.outbox / "EMPTY.SCORED.dat.status").read_text().startswith("RC=0004\n")
    assert {name for name, _ in result.failures} == {"EMPTY.dat", "GOOD.dat", long_name}
    assert all("is a symbolic link" in error for _, error in result.failures)
    after = tree(tmp_path)
    assert {k: v for k, v in after.items() if not k.startswith("job/")} == {
        k: v for k, v in outside.items() if not k.startswith("job/")}
    assert tree(elsewhere) == {"GOOD.dat": b"precious"}
    second = run(folder)
    assert second.rc == 12 and second.processed == []
    assert {k: v for k, v in tree(tmp_path).items() if not k.startswith("job/.bridge")} == {
        k: v for k, v in after.items() if not k.startswith("job/.bridge")}
    with Journal(folder.job().journal) as journal:
        for row in journal.rows():
            assert [s for _, s, _ in journal.events(row)].count("delivered") == 1


def test_a_full_work_area_while_fetching_stops_the_pass_and_claims_nothing_more(tmp_path, monkeypatch):
    import errno

    from bridge.errors import TransportError
    from bridge.transport.local import LocalDropZone

    folder = JobFolder(tmp_path)
    folder.drop("A.dat")
    folder.drop("B.dat")
    fetch = LocalDropZone.fetch_sha256

    def full(zone, name, local_path, **kw):
        raise TransportError("fetch failed: No space left on device", where=str(local_path)) from OSError(
            errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(LocalDropZone, "fetch_sha256", full)
    result = run(folder)
    assert result.rc == 12 and [name for name, _ in result.failures] == ["A.dat"]
    assert "B.dat" in listing(folder.inbox) and listing(folder.error) == []
    monkeypatch.setattr(LocalDropZone, "fetch_sha256", fetch)
    assert [p[:2] for p in run(folder).processed] == [("A.dat", 0), ("B.dat", 0)]


def test_run_once_names_each_name_it_left_alone_and_why_in_ascii(tmp_path, capsys):
    folder = JobFolder(tmp_path, job={"model": str(tmp_path / "model")})
    folder.drop("\u00c9TAT.dat")
    assert main(["run", str(folder.path), "--once"]) == 0
    err = capsys.readouterr().err
    assert "'\\xc9TAT.dat': not a plain file name, left alone (file name '\\xc9TAT.dat' rejected: contains" in err


def test_a_link_left_in_the_outbox_under_an_output_name_is_replaced_never_written_through(tmp_path):
    target = tmp_path / "target-of-link"
    target.write_bytes(b"precious")
    folder = JobFolder(mkdir(tmp_path / "job"))
    (folder.outbox / "A.SCORED.dat").symlink_to(target)
    (folder.outbox / "A.SCORED.dat.status").symlink_to(target)
    data = folder.drop("A.dat")
    assert run(folder).rc == 0
    assert target.read_bytes() == b"precious"
    assert not (folder.outbox / "A.SCORED.dat").is_symlink()
    assert (folder.outbox / "A.SCORED.dat").read_bytes() == data
