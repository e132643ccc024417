"""`mfbridge schema`: compile a copybook and print its layout or a schema of its decoded records.

Copybook problems are printed the way compilers print them, ``FILE:LINE:COLUMN: message`` (and
``FILE:LINE:COLUMN: warning: message`` for what the compiler accepted beyond IBM's limits), so
editors jump to the line; other errors as ``bridge: message``, as `bridge.cli.main` prints them.
A `BridgeError` exits with its return code (8) and no traceback.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import click

from bridge.cli.common import check_output
from bridge.errors import BridgeError, CopybookError, CopybookWarning
from bridge.export.formats import FORMATS, render_schema
from bridge.layout.model import Layout

__all__ = ["command"]

#: a file that cannot be written is the environment, not the copybook (docs/troubleshooting.md)
RC_ENVIRONMENT = 12


@click.command(name="schema")
@click.argument("copybook", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-I", "--include", "include_dirs", multiple=True,
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Directory searched for COPY members (repeatable, searched in order).")
@click.option("--record", metavar="NAME", help="Only this 01 record (default: every record).")
@click.option("--format", "format_", default="layout", show_default=True, type=click.Choice(FORMATS),
              help="layout: listing with 1-based positions; layout-json: offsets as JSON; "
                   "json-schema, avro, arrow, sql: schemas of the decoded records.")
@click.option("--sql-dialect", type=click.Choice(["db2", "postgres"]), default="db2",
              show_default=True, help="SQL flavour of --format sql.")
@click.option("--dialect", type=click.Choice(["ibm", "gnucobol", "microfocus"]), default="ibm",
              show_default=True, help="Compiler whose storage rules the file follows.")
@click.option("--strict", is_flag=True,
              help="Treat what IBM COBOL would reject (and is accepted with a warning) as errors.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), callback=check_output,
              help="Write to FILE instead of standard output.")
def command(copybook: Path, include_dirs: tuple[Path, ...], record: str | None, format_: str,
            sql_dialect: str, dialect: str, strict: bool, output: Path | None) -> None:
    """Print the layout of COPYBOOK, or a schema of the records decoded with it."""
    try:
        layout = _compile(copybook, include_dirs, dialect, strict)
        text = render_schema(layout, format_, record=record, sql_dialect=sql_dialect)  # type: ignore[arg-type]
    except BridgeError as err:
        # As `bridge.cli.main` words them: copybook errors carry FILE:LINE:COLUMN, others a prefix.
        message = str(err) if isinstance(err, CopybookError) else f"mfbridge: {err}"
        click.echo(message, err=True)
        raise SystemExit(err.return_code) from None
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as err:
        click.echo(f"mfbridge: {output}: cannot write the schema: {err.strerror or err}", err=True)
        raise SystemExit(RC_ENVIRONMENT) from None


def _compile(copybook: Path, include_dirs: tuple[Path, ...], dialect: str, strict: bool) -> Layout:
    """The compiled layout; its warnings are printed on standard error as the compiler words them."""
    from bridge.copybook import load_copybook  # late: keeps `mfbridge --help` fast

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CopybookWarning)
        layout = load_copybook(copybook, include_dirs=include_dirs, dialect=dialect, strict=strict)
    messages: list[str] = []
    for w in caught:
        if issubclass(w.category, CopybookWarning):
            messages.append(str(w.message))
        else:  # not ours to report: hand it back to the normal warning machinery
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    for message in layout.warnings:
        messages.append(message if ": warning: " in message else f"{copybook}: warning: {message}")
    for message in dict.fromkeys(messages):  # the same warning may arrive both ways
        click.echo(message, err=True)
    return layout
