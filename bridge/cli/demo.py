"""`mfbridge demo`: the batch job end to end on bundled sample data, in local folders.

It makes a demo folder (inbox, outbox, archive, error), drops a cp037 customer extract with
its trigger as a JCL step would, writes a job file for those folders, runs one pass and
shows what the mainframe would get back. The sample copybook and model are the repository's
(``copybooks/customer.cpy``, ``models/customer-risk``), found next to the installed package:
the README installs the package editable from the repository. A demo folder is marked by a
``.bridge-demo`` file; the command rebuilds such a folder but refuses any other non-empty
folder, so it never deletes a user's files.
"""
from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import click

__all__ = ["command", "sample_paths"]

MARKER = ".bridge-demo"
PREDICTION_AREA = ("SCORE", "REASON-CODE", "MODEL-ID")
SHOWN = ("CUST-ID", "SCORE", "SCORE-BAND", "REASON-CODE(1)", "MODEL-ID", "SCORE-STATUS")


def sample_paths() -> tuple[Path, Path]:
    """The bundled copybook and model; a `click.ClickException` saying what is missing otherwise."""
    import bridge

    repo = Path(bridge.__file__).resolve().parents[1]
    copybook, model = repo / "copybooks" / "customer.cpy", repo / "models" / "customer-risk"
    missing = [str(p) for p in (copybook, model / "card.toml") if not p.exists()]
    if missing:
        raise click.ClickException(
            f"the demo's sample data is not where it should be: {', '.join(missing)} missing. `mfbridge demo` runs "
            "from a checkout of the repository with the package installed editable (pip install -e .).")
    return copybook, model


def _prepare(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise click.ClickException(f"{folder} exists and is not a folder; choose another with --dir")
    if folder.is_dir() and any(folder.iterdir()):
        if not (folder / MARKER).exists():
            raise click.ClickException(f"{folder} is not empty and is not a demo folder (no {MARKER} file in it); "
                                       "refusing to write there: choose another with --dir")
        shutil.rmtree(folder)
    for sub in ("inbox", "outbox", "inbox/archive", "inbox/error"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text("made by `mfbridge demo`; the command may delete and rebuild this folder\n")


def _job_text(copybook: Path, model: Path) -> str:
    return f'''# The demo's job: local folders, the bundled customer copybook and risk model.
# The same job over SFTP changes only [source] and [target]: see examples/sftp-custscore.toml.
[job]
name = "demo"
copybook = "{copybook.as_posix()}"
model = "{model.as_posix()}"
recfm = "FB"
codepage = "cp037"

[source]
kind = "local"
path = "inbox"
pattern = "CUSTEXT.*.dat"
ready = "trigger"
archive = "archive"
error = "error"

[target]
kind = "local"
path = "outbox"
name = "{{stem}}.SCORED{{suffix}}"
'''


@click.command("demo")
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path), default=Path("bridge-demo"),
              show_default=True, help="Folder for the demo (made, or rebuilt if it is an earlier demo).")
@click.option("--records", type=click.IntRange(1, 10_000_000), default=1000, show_default=True,
              help="Records in the sample extract.")
def command(folder: Path, records: int) -> None:
    """Run the batch job end to end on sample data in local folders."""
    from bridge.copybook import load_copybook
    from bridge.pipeline.job import load_job
    from bridge.pipeline.run import JobRunner
    from bridge.records.api import read_records, write_records
    from bridge.testing import fake_table

    copybook, model = sample_paths()
    folder = folder.resolve()
    _prepare(folder)
    layout = load_copybook(copybook)
    name = time.strftime("CUSTEXT.D%y%m%d.dat", time.gmtime())
    extract = folder / "inbox" / name
    table = fake_table(layout, records, seed=20261126)
    # the prediction area is left as spaces on the extract, as the mainframe sends it
    table = table.drop_columns([c for c in table.column_names if c.startswith(PREDICTION_AREA)])
    write_records(table, extract, layout, codepage="cp037")
    (folder / "inbox" / f"{name}.trg").write_bytes(b"")
    click.echo(f"dropped {name} ({records} records, {extract.stat().st_size} bytes, cp037) and {name}.trg")
    job_path = folder / "demo-job.toml"
    job_path.write_text(_job_text(copybook, model))
    job = load_job(job_path)
    runner = JobRunner(job)
    try:
        result = runner.run_once()
    finally:
        runner.close()
    with_status = sorted((folder / "outbox").glob("*.status"))
    click.echo("")
    click.echo(f"job file:     {job_path}")
    click.echo(f"inbox:        {folder / 'inbox'}")
    click.echo(f"outbox:       {folder / 'outbox'}")
    click.echo(f"archive:      {folder / 'inbox' / 'archive'}")
    click.echo(f"error folder: {folder / 'inbox' / 'error'}")
    click.echo(f"journal:      {job.journal}   (mfbridge status {job_path})")
    for status in with_status:
        click.echo(f"status file:  {status}")
        click.echo("")
        click.echo(status.read_text().rstrip())
    outputs = [p for p in sorted((folder / "outbox").iterdir()) if p.suffix != ".status"]
    if outputs:
        columns = [c for c in SHOWN]
        frame = read_records(outputs[0], layout, codepage="cp037", columns=columns)
        click.echo("")
        click.echo(f"first scored records of {outputs[0].name}:")
        click.echo(frame.head(5).to_string(index=False))
    for name_, error in result.failures:
        click.echo(f"{name_}: not finished: {error}", err=True)
    click.echo("")
    click.echo(f"pass return code: {result.rc}")
    sys.exit(result.rc)

