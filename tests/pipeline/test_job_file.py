"""The job file: what it accepts, what it defaults, and the JobError each mistake gets."""
from __future__ import annotations

from pathlib import Path

import pytest

from bridge.errors import JobError
from bridge.pipeline.job import load_job
from tests.pipeline.jobfolder import job_text


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "job.toml"
    path.write_text(text)
    return path


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(JobError) as caught:
        load_job(write(tmp_path, text))
    return str(caught.value)


def test_relative_paths_are_relative_to_the_job_files_folder(tmp_path):
    job = load_job(write(tmp_path, job_text(job={"copybook": "cpy/customer.cpy", "include": ["cpy/inc"]})))
    assert job.copybook == tmp_path / "cpy" / "customer.cpy"
    assert job.include == (tmp_path / "cpy" / "inc",)
    assert job.model == tmp_path / "model"
    assert job.source.endpoint.path == str(tmp_path / "inbox")
    assert job.target.endpoint.path == str(tmp_path / "outbox")


def test_defaults_wait_for_a_trigger_and_write_a_status_next_to_the_scored_file(tmp_path):
    job = load_job(write(tmp_path, job_text()))
    assert (job.source.ready, job.source.trigger_suffix, job.source.trigger_replaces_suffix) == ("trigger", ".trg", False)
    assert (job.source.archive, job.source.error) == ("archive", "error")
    assert job.target.name == "{stem}.SCORED{suffix}"
    assert (job.target.status, job.target.status_name, job.target.trigger) == (True, "{output}.status", False)
    assert job.work_dir == tmp_path / ".bridge" / "custscore"
    assert job.journal == tmp_path / ".bridge" / "custscore" / "journal.sqlite"


def test_reader_options_are_taken_from_the_job_section(tmp_path):
    job = load_job(write(tmp_path, job_text(job={"recfm": "VB", "codepage": "cp1047", "rdw_adjust": 4})))
    assert job.reader == {"recfm": "VB", "codepage": "cp1047", "rdw_adjust": 4}


def test_the_target_inherits_the_sources_connection_but_not_its_folder(tmp_path):
    job = load_job(write(tmp_path, job_text(
        source={"kind": "sftp", "host": "mft.example.com", "port": 2222, "user": "xfer", "key_file": "id_ed25519",
                "known_hosts": "known_hosts", "path": "/in/cust"},
        target={"kind": None, "path": "/out/cust"})))
    target = job.target.endpoint
    assert (target.kind, target.host, target.port, target.user) == ("sftp", "mft.example.com", 2222, "xfer")
    assert target.key_file == str(tmp_path / "id_ed25519")
    assert target.known_hosts == str(tmp_path / "known_hosts")
    assert target.path == "/out/cust"


@pytest.mark.parametrize("text, expected", [
    ("[job\n", "not valid TOML"),
    (job_text() + "[sftp]\nhost = 'x'\n", "unknown section(s) [sftp]"),
    ("[source]\npath = 'in'\n[target]\npath = 'out'\n", "missing section [job]"),
    ("[job]\nname = 'x'\nmodel = 'm'\n[source]\n[target]\npath = 'o'\n", "[job] needs copybook ="),
    (job_text(job={"lrecel": 117}), "unknown key(s) in [job]: lrecel; accepted:"),
    (job_text(source={"password": "s3cret"}), "[source] password = is not allowed: secrets never go in the job file"),
    (job_text(source={"kind": "ftp"}), "[source] kind = 'ftp' is not one of: local, sftp"),
    (job_text(source={"kind": "sftp", "user": "u", "known_hosts": "kh", "key_file": "k"}),
     "[source] kind = 'sftp' needs host ="),
    (job_text(source={"kind": "sftp", "host": "h", "user": "u", "key_file": "k"}),
     "[source] kind = 'sftp' needs known_hosts ="),
    (job_text(source={"kind": "sftp", "host": "h", "user": "u", "known_hosts": "kh"}),
     "needs key_file = (or use_agent = true)"),
    (job_text(source={"ready": "eof"}), "[source] ready = 'eof' is not one of: trigger, stable"),
    (job_text(job={"log_format": "xml"}), "[job] log_format = 'xml' is not one of: plain, json"),
    (job_text(source={"stable_seconds": "30"}), "[source] stable_seconds = '30' must be a number"),
    (job_text(target={"status": "yes"}), "[target] status = 'yes' must be true or false"),
    (job_text(source={"port": 22.5}), "[source] port = 22.5 must be a whole number"),
    (job_text(job={"name": "../escape"}), "[job] name = '../escape': use 1-64 letters"),
    (job_text(target={"name": "../{name}"}), "[target] name = '../{name}' would write outside the outbox"),
    (job_text(target={"status_name": "/tmp/{output}.status"}), "[target] status_name = '/tmp/{output}.status' would"),
    (job_text(target={"name": "{stem}.{generation}"}), "[target] name = '{stem}.{generation}': unknown token"),
    (job_text(target={"trigger_name": "{output}.{when}"}), "tokens are {name}, {stem}, {suffix}, {date}"),
])
def test_a_mistake_in_the_job_file_names_the_key_and_what_is_wrong(tmp_path, text, expected):
    message = error_of(tmp_path, text)
    assert expected in message
    assert str(tmp_path / "job.toml") in message


def test_a_missing_job_file_is_reported_as_such(tmp_path):
    with pytest.raises(JobError, match="job file not found"):
        load_job(tmp_path / "nope.toml")


def test_a_target_without_a_path_is_refused(tmp_path):
    text = job_text().replace('[target]\nkind = "local"\npath = "outbox"\n', "")
    assert "[target] needs path = (the outbox the next JCL step reads)" in error_of(tmp_path, text)


def test_the_status_and_trigger_names_may_use_the_output_token(tmp_path):
    job = load_job(write(tmp_path, job_text(target={"status_name": "{stem}.{gen}.status", "trigger": True,
                                                    "trigger_name": "{output}.done"})))
    assert (job.target.status_name, job.target.trigger_name) == ("{stem}.{gen}.status", "{output}.done")


@pytest.mark.parametrize("example", ["local-folders.toml", "sftp-custscore.toml", "sftp-vb-customers.toml"])
def test_the_example_job_files_load(example):
    from tests.conftest import ROOT

    job = load_job(ROOT / "examples" / example)
    assert job.copybook.exists()
    assert job.target.endpoint.path.startswith("/")


@pytest.mark.parametrize("sections, says", [
    ({"target": {"path": "inbox"}}, "[target] path = '{root}/inbox' is the inbox: the job would take its own outputs"),
    ({"target": {"path": "inbox/."}}, "is the inbox"),
    ({"job": {"work_dir": "inbox/work"}}, "[job] work_dir = '{root}/inbox/work' is inside the inbox"),
    ({"job": {"journal": "inbox/journal.sqlite"}}, "[job] journal = '{root}/inbox/journal.sqlite' is inside the inbox"),
    ({"source": {"archive": "."}}, "[source] archive = '.' is the inbox itself"),
])
def test_places_that_make_the_job_feed_on_itself_are_refused_when_it_is_loaded(tmp_path, sections, says):
    from tests.pipeline.jobfolder import job_text

    (tmp_path / "job.toml").write_text(job_text(**sections))
    with pytest.raises(JobError) as caught:
        load_job(tmp_path / "job.toml")
    assert says.format(root=tmp_path) in str(caught.value)


def test_file_mode_in_job_applies_to_both_sides_and_a_side_may_set_its_own(tmp_path):
    from tests.pipeline.jobfolder import job_text

    text = job_text(target={"file_mode": 416}).replace("[source]", "file_mode = 0o644\n\n[source]")  # 416 = 0o640
    (tmp_path / "job.toml").write_text(text)
    job = load_job(tmp_path / "job.toml")
    assert (job.file_mode, job.source.endpoint.file_mode, job.target.endpoint.file_mode) == (0o644, 0o644, 0o640)


@pytest.mark.parametrize("value, says", [("0o200", r"file_mode = 0o200 must be an octal mode from 0o600 to 0o777"),
                                         ('"0640"', r"file_mode = '0640' must be an octal mode .* e.g. file_mode = 0o640")])
def test_a_file_mode_that_locks_out_the_job_itself_or_is_not_octal_is_refused(tmp_path, value, says):
    from tests.pipeline.jobfolder import job_text

    (tmp_path / "job.toml").write_text(job_text().replace("[source]", f"file_mode = {value}\n\n[source]"))
    with pytest.raises(JobError, match=says):
        load_job(tmp_path / "job.toml")


def test_an_sftp_outbox_that_is_the_inbox_on_the_same_server_is_refused(tmp_path):
    from tests.pipeline.jobfolder import job_text

    sftp = {"kind": "sftp", "host": "xfer.example.com", "user": "bridge", "key_file": "id", "known_hosts": "kh"}
    (tmp_path / "job.toml").write_text(job_text(source={**sftp, "path": "/in/cust"},
                                                target={"kind": None, "path": "/in/cust/./"}))
    with pytest.raises(JobError, match=r"\[target\] path = '/in/cust/./' is the inbox"):
        load_job(tmp_path / "job.toml")
    (tmp_path / "job.toml").write_text(job_text(source={**sftp, "path": "/in/cust"},
                                                target={"kind": None, "path": "/in/cust", "host": "other.example.com"}))
    assert load_job(tmp_path / "job.toml").target.endpoint.host == "other.example.com"  # another server: fine
