"""Every job file under examples/ runs as documented: it loads, names files that exist, and scores."""
from __future__ import annotations

from pathlib import Path

import pytest

from bridge.copybook import load_copybook
from bridge.pipeline.job import load_job
from bridge.pipeline.run import JobRunner
from bridge.records.api import write_records
from bridge.testing import fake_table
from tests.conftest import ROOT

EXAMPLES = sorted((ROOT / "examples").glob("*.toml"))
RECORDS = 20


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_the_example_loads_and_names_a_copybook_and_model_that_exist(example):
    job = load_job(example)
    assert job.copybook.is_file(), job.copybook
    assert all(folder.is_dir() for folder in job.include), job.include
    assert (job.model / "model.txt").is_file() and (job.model / "card.toml").is_file(), job.model
    assert job.shadow is None or (job.shadow / "model.txt").is_file()


def local_twin(example: Path, tmp_path: Path) -> Path:
    """The example's [job] section as written, with its drop zones moved to local folders under tmp_path."""
    job = load_job(example)
    text = example.read_text(encoding="utf-8")
    section = text[: text.index("\n[source]")].replace('"../', f'"{example.parent.parent.as_posix()}/')
    inbox, outbox = tmp_path / "in", tmp_path / "out"
    inbox.mkdir()
    outbox.mkdir()
    twin = tmp_path / example.name
    twin.write_text(
        section
        + f'\nwork_dir = "{(tmp_path / "work").as_posix()}"\n'
        + f'\n[source]\nkind = "local"\npath = "{inbox.as_posix()}"\npattern = "{job.source.pattern}"\n'
        + f'ready = "{job.source.ready}"\ntrigger_suffix = "{job.source.trigger_suffix}"\n'
        + f"trigger_replaces_suffix = {str(job.source.trigger_replaces_suffix).lower()}\n"
        + f'\n[target]\nkind = "local"\npath = "{outbox.as_posix()}"\nname = "{job.target.name}"\n',
        encoding="utf-8")
    return twin


def fake_extract(job, path: Path) -> None:
    """RECORDS valid records of the job's layout, framed and encoded as the job reads them."""
    reader = {k: v for k, v in job.reader.items() if k not in ("dialect", "on_invalid")}
    layout = load_copybook(job.copybook, include_dirs=job.include, dialect=job.reader.get("dialect", "ibm"))
    with path.open("wb") as out:
        assert write_records(fake_table(layout, RECORDS, record=reader.get("record")), out, layout,
                             **reader) == RECORDS


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_the_example_job_scores_a_drop_of_its_own_layout(example, tmp_path):
    job = load_job(local_twin(example, tmp_path))
    name = job.source.pattern.replace("*", "D261126")
    fake_extract(job, tmp_path / "in" / name)
    (tmp_path / "in" / job.trigger_for(name)).write_bytes(b"")

    runner = JobRunner(job)
    try:
        result = runner.run_once()
    finally:
        runner.close()

    assert result.rc == 0, result
    assert [(entry[0], entry[1]) for entry in result.processed] == [(name, 0)]
    outputs = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len(outputs) == 2 and outputs[1] == outputs[0] + ".status", outputs
    status = (tmp_path / "out" / outputs[1]).read_text()
    assert status.startswith("RC=0000\n") and f"SCORED={RECORDS:010d}\n" in status, status
