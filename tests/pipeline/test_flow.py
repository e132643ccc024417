"""One pass over a local inbox: what is taken, what is left alone, what the mainframe gets back."""
from __future__ import annotations

import os
import time

from bridge.pipeline.journal import Journal
from bridge.pipeline.status import Outcome
from tests.pipeline.jobfolder import BAD, LRECL, Copier, JobFolder, listing


def run(folder: JobFolder, processor=None):
    runner = folder.runner(processor)
    try:
        return runner.run_once()
    finally:
        runner.close()


def test_a_triggered_file_is_scored_delivered_reported_and_archived_with_its_trigger(tmp_path):
    folder = JobFolder(tmp_path)
    data = folder.drop("CUSTEXT.D261126.dat")
    result = run(folder)
    assert result.rc == 0
    assert result.processed == [("CUSTEXT.D261126.dat", 0, "")]
    assert listing(folder.outbox) == ["CUSTEXT.D261126.SCORED.dat", "CUSTEXT.D261126.SCORED.dat.status"]
    assert (folder.outbox / "CUSTEXT.D261126.SCORED.dat").read_bytes() == data
    assert listing(folder.inbox) == []
    assert listing(folder.archive) == ["CUSTEXT.D261126.dat", "CUSTEXT.D261126.dat.trg"]


def test_the_status_file_is_key_value_lines_a_jcl_step_can_test(tmp_path):
    folder = JobFolder(tmp_path)
    folder.drop("CUSTEXT.D261126.dat")
    run(folder)
    assert (folder.outbox / "CUSTEXT.D261126.SCORED.dat.status").read_text() == (
        "RC=0000\n"
        "INPUT=CUSTEXT.D261126.dat\n"
        "OUTPUT=CUSTEXT.D261126.SCORED.dat\n"
        "RECORDS-IN=0000000003\n"
        "SCORED=0000000003\n"
        "REJECTED=0000000000\n"
        "MODEL-ID=CUSTRISK\n"
        "MESSAGE=\n")


def test_a_file_without_its_trigger_is_left_alone(tmp_path):
    folder = JobFolder(tmp_path)
    folder.drop("CUSTEXT.D261126.dat", trigger=None)
    result = run(folder)
    assert (result.rc, result.processed) == (0, [])
    assert listing(folder.inbox) == ["CUSTEXT.D261126.dat"]
    assert listing(folder.outbox) == []


def test_a_trigger_without_its_data_file_is_ignored_and_reported(tmp_path):
    folder = JobFolder(tmp_path)
    (folder.inbox / "GONE.D261126.dat.trg").write_bytes(b"")
    result = run(folder)
    assert result.orphan_triggers == ["GONE.D261126.dat.trg"]
    assert (result.rc, result.processed) == (0, [])
    assert listing(folder.inbox) == ["GONE.D261126.dat.trg"]
    assert listing(folder.outbox) == []


def test_with_trigger_replaces_suffix_the_trigger_is_the_stem_plus_the_suffix(tmp_path):
    folder = JobFolder(tmp_path, source={"trigger_replaces_suffix": True})
    folder.drop("APPL.D261126.dat", trigger="APPL.D261126.trg")
    folder.drop("APPL.D261127.dat", trigger="APPL.D261127.dat.trg")  # the wrong convention: not ready
    result = run(folder)
    assert [p[0] for p in result.processed] == ["APPL.D261126.dat"]
    assert listing(folder.archive) == ["APPL.D261126.dat", "APPL.D261126.trg"]
    assert "APPL.D261127.dat" in listing(folder.inbox)


def test_only_names_matching_the_pattern_are_taken(tmp_path):
    folder = JobFolder(tmp_path)
    folder.drop("CUSTEXT.D261126.txt")
    assert run(folder).processed == []
    assert "CUSTEXT.D261126.txt" in listing(folder.inbox)


def test_in_stable_mode_a_file_is_taken_once_its_size_and_mtime_stop_changing(tmp_path):
    folder = JobFolder(tmp_path, source={"ready": "stable", "stable_seconds": 0.3})
    path = folder.inbox / "CUSTEXT.D261126.dat"
    folder.drop(path.name, trigger=None)
    past = time.time() - 60
    os.utime(path, (past, past))
    assert run(folder).processed == []  # first sighting
    with path.open("ab") as grow:        # still being written: the clock starts again
        grow.write(b"\x40" * LRECL)
    os.utime(path, (past, past))
    time.sleep(0.35)
    assert run(folder).processed == []
    time.sleep(0.35)
    assert [p[0] for p in run(folder).processed] == ["CUSTEXT.D261126.dat"]
    assert listing(folder.archive) == ["CUSTEXT.D261126.dat"]


def test_in_stable_mode_a_file_modified_just_now_is_not_taken(tmp_path):
    folder = JobFolder(tmp_path, source={"ready": "stable", "stable_seconds": 30})
    folder.drop("CUSTEXT.D261126.dat", trigger=None)
    assert run(folder).processed == []
    assert run(folder).processed == []


def test_a_rejected_file_goes_to_the_error_folder_with_a_report_and_an_rc_8_status(tmp_path):
    folder = JobFolder(tmp_path)
    bad = BAD + b"\x00" * 300
    folder.drop("CUSTEXT.D261126.dat", bad)
    result = run(folder)
    assert result.rc == 8
    assert listing(folder.error) == ["CUSTEXT.D261126.dat", "CUSTEXT.D261126.dat.err", "CUSTEXT.D261126.dat.trg"]
    assert (folder.error / "CUSTEXT.D261126.dat").read_bytes() == bad
    report = (folder.error / "CUSTEXT.D261126.dat.err").read_text()
    for fact in ("input CUSTEXT.D261126.dat rejected", "file size: 304 bytes", "error: FramingError",
                 "record number: 3", "byte offset: 234", "bytes seen (hex): 00 00 00 00", "check: check recfm"):
        assert fact in report
    # the status has the name a good file's would have had, so the receiving step knows what to wait for
    status = (folder.outbox / "CUSTEXT.D261126.SCORED.dat.status").read_text()
    assert status.startswith("RC=0008\nINPUT=CUSTEXT.D261126.dat\nOUTPUT=\n")
    assert "MESSAGE=record 3, byte offset 234: file size is not a multiple of LRECL 117" in status
    assert listing(folder.outbox) == ["CUSTEXT.D261126.SCORED.dat.status"]


def test_the_rest_of_the_inbox_keeps_flowing_after_a_rejected_file(tmp_path):
    folder = JobFolder(tmp_path)
    folder.drop("A.D261126.dat")
    folder.drop("B.D261126.dat", BAD + b"\x00" * 113)
    folder.drop("C.D261126.dat")
    result = run(folder)
    assert [(name, rc) for name, rc, _ in result.processed] == [("A.D261126.dat", 0), ("B.D261126.dat", 8),
                                                                ("C.D261126.dat", 0)]
    assert result.rc == 8
    assert "A.D261126.SCORED.dat" in listing(folder.outbox) and "C.D261126.SCORED.dat" in listing(folder.outbox)


def test_a_processor_bug_gives_rc_12_for_that_file_and_the_rest_keeps_flowing(tmp_path):
    folder = JobFolder(tmp_path)
    folder.drop("A.D261126.dat", b"boom" + b"\x00" * 113)
    folder.drop("B.D261126.dat")
    copier = Copier()

    def processor(input_path, output_path):
        if input_path.read_bytes().startswith(b"boom"):
            raise ZeroDivisionError("division by zero")
        return copier(input_path, output_path)
    result = run(folder, processor)
    assert [(name, rc) for name, rc, _ in result.processed] == [("A.D261126.dat", 12), ("B.D261126.dat", 0)]
    assert "error: ZeroDivisionError" in (folder.error / "A.D261126.dat.err").read_text()
    assert (folder.outbox / "A.D261126.SCORED.dat.status").read_text().startswith("RC=0012\n")


def test_the_highest_rc_of_the_pass_is_its_rc(tmp_path):
    folder = JobFolder(tmp_path)
    folder.drop("A.D261126.dat")
    result = run(folder, Copier(rc=4))
    assert result.rc == 4
    assert (folder.outbox / "A.D261126.SCORED.dat.status").read_text().startswith("RC=0004\n")


def test_the_same_file_dropped_again_is_not_processed_twice(tmp_path):
    folder = JobFolder(tmp_path)
    copier = Copier()
    data = folder.drop("CUSTEXT.D261126.dat")
    run(folder, copier)
    folder.drop("CUSTEXT.D261126.dat", data)
    result = run(folder, copier)
    assert len(copier.calls) == 1
    assert result.rc == 4
    assert "duplicate of a file already delivered as CUSTEXT.D261126.SCORED.dat" in result.processed[0][2]
    assert listing(folder.outbox) == ["CUSTEXT.D261126.SCORED.dat", "CUSTEXT.D261126.SCORED.dat.status"]
    status = (folder.outbox / "CUSTEXT.D261126.SCORED.dat.status").read_text()
    assert status.startswith("RC=0004\nINPUT=CUSTEXT.D261126.dat\nOUTPUT=CUSTEXT.D261126.SCORED.dat\n")
    assert listing(folder.archive) == ["CUSTEXT.D261126.dat", "CUSTEXT.D261126.dat.dup-2",
                                       "CUSTEXT.D261126.dat.trg", "CUSTEXT.D261126.dat.trg.dup-2"]


def test_the_same_name_with_new_content_is_processed_again(tmp_path):
    folder = JobFolder(tmp_path)
    copier = Copier()
    folder.drop("CUSTEXT.dat")
    run(folder, copier)
    folder.drop("CUSTEXT.dat", b"\x40" * LRECL)
    assert run(folder, copier).rc == 0
    assert len(copier.calls) == 2
    assert (folder.outbox / "CUSTEXT.SCORED.dat").read_bytes() == b"\x40" * LRECL
    # nothing in the archive is ever overwritten: the second trigger gets the row number too
    assert listing(folder.archive) == ["CUSTEXT.dat", "CUSTEXT.dat.2", "CUSTEXT.dat.trg", "CUSTEXT.dat.trg.2"]


def test_outputs_get_consecutive_generations(tmp_path):
    folder = JobFolder(tmp_path, target={"name": "CUSTSCOR.{gen}{suffix}"})
    folder.drop("A.dat")
    folder.drop("B.dat")
    run(folder)
    assert listing(folder.outbox) == ["CUSTSCOR.G0001V00.dat", "CUSTSCOR.G0001V00.dat.status",
                                      "CUSTSCOR.G0002V00.dat", "CUSTSCOR.G0002V00.dat.status"]


def test_a_target_trigger_is_written_after_the_status_when_asked_for(tmp_path):
    folder = JobFolder(tmp_path, target={"trigger": True, "status": False})
    folder.drop("A.dat")
    run(folder)
    assert listing(folder.outbox) == ["A.SCORED.dat", "A.SCORED.dat.trg"]


def test_a_file_name_that_is_not_a_plain_name_is_left_alone_and_reported(tmp_path):
    folder = JobFolder(tmp_path)
    folder.drop("IN\\..\\..\\ESCAPE.dat")
    folder.drop("GOOD.dat")
    result = run(folder)
    assert result.refused_names == ["IN\\..\\..\\ESCAPE.dat", "IN\\..\\..\\ESCAPE.dat.trg"]
    assert [p[0] for p in result.processed] == ["GOOD.dat"]
    assert "IN\\..\\..\\ESCAPE.dat" in listing(folder.inbox)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".bridge", "inbox", "job.toml", "model", "outbox"]


def test_an_input_whose_output_name_would_be_unsafe_is_refused_before_the_claim(tmp_path, caplog):
    folder = JobFolder(tmp_path, source={"pattern": "*"}, target={"name": "{suffix}", "status_name": "{name}.status"})
    folder.drop("NOSUFFIX")
    folder.drop("GOOD.dat")  # its output would be ".dat", a hidden name no one would see
    result = run(folder)
    assert result.refused_names == ["GOOD.dat", "NOSUFFIX"]
    assert result.processed == []
    assert "no safe output name for input NOSUFFIX: file name '' rejected" in caplog.text
    assert "no safe output name for input GOOD.dat: '.dat' would be hidden" in caplog.text
    assert listing(folder.inbox) == ["GOOD.dat", "GOOD.dat.trg", "NOSUFFIX", "NOSUFFIX.trg"]
    assert listing(folder.error) == []


def test_the_model_id_of_the_outcome_reaches_the_status_file(tmp_path):
    folder = JobFolder(tmp_path)
    folder.drop("A.dat")

    def processor(input_path, output_path):
        output_path.write_bytes(input_path.read_bytes())
        return Outcome(rc=0, records_in=3, scored=3, model_id="RISK0003")
    run(folder, processor)
    assert "MODEL-ID=RISK0003\n" in (folder.outbox / "A.SCORED.dat.status").read_text()


def test_every_step_is_in_the_journal(tmp_path):
    folder = JobFolder(tmp_path)
    folder.drop("A.dat")
    run(folder)
    with Journal(folder.job().journal) as journal:
        (row,) = journal.rows()
        assert [state for _, state, _ in journal.events(row)] == [
            "claiming", "claimed", "fetched", "processed", "delivered", "reported", "done"]
        assert (row.output_name, row.status_name, row.generation, row.rc) == (
            "A.SCORED.dat", "A.SCORED.dat.status", 1, 0)
        assert len(row.checksum) == 64


def test_a_long_status_message_is_cut_at_a_word_boundary_and_says_so_issue_9():
    from bridge.pipeline.status import MESSAGE_WIDTH, status_text

    words = "the trailer count 120000 does not match the 119998 records read; check the extract step " * 5
    message = [line for line in status_text("A.dat", None, Outcome(rc=8, message=words)).decode().splitlines()
               if line.startswith("MESSAGE=")][0][len("MESSAGE="):]
    assert len(message) <= MESSAGE_WIDTH and message.endswith("...")
    assert words.startswith(message[:-3]) and words[len(message) - 3] == " "  # the cut fell between words
    short = status_text("A.dat", None, Outcome(rc=0, message="3 of 3 records scored")).decode()
    assert "MESSAGE=3 of 3 records scored\n" in short


def test_a_status_for_a_name_journalled_before_the_name_rule_is_still_written():
    from bridge.pipeline.status import status_text

    text = status_text("\u00c9TAT\x85.dat", None, Outcome(rc=12, message="stopped"))
    assert b"INPUT=\\xc9TAT\\x85.dat\n" in text
