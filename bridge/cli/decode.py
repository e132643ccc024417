"""`mfbridge decode`: a mainframe file to JSON lines, CSV or Parquet.

Standard output carries only the records; the summary (records, invalid values per field)
and warnings go to standard error. Invalid values under ``--on-invalid null`` do not change
the exit code; a framing error or ``--on-invalid error`` exits non-zero.
"""
from __future__ import annotations

import click

from bridge.cli.common import (check_output, copybook_options, load_layout, output_file, reader_kwargs,
                               reader_options, records_window, refuse_output_over_input, threads_option,
                               window_options)
from bridge.cli.engine import check_output_or_folder, data_argument, engine_options
from bridge.cli.progress import progress_for, quiet_option

__all__ = ["command"]


@click.command("decode")
@data_argument
@copybook_options
@reader_options
@click.option("--to", "to", type=click.Choice(["jsonl", "csv", "parquet"]), default=None,
              help="Output format: JSON lines (nested, exact decimals), CSV or Parquet (flat columns); "
                   "default: from the -o suffix (.jsonl, .csv, .parquet), else jsonl.")
@click.option("-o", "--output", "output", type=click.Path(), default=None, callback=check_output_or_folder,
              help="Output file (default: standard output; required for parquet); its suffix chooses the format. "
                   "With --engine dask: a new folder that receives one file per partition.")
@click.option("--columns", default=None, help="Comma-separated column names to decode (default: all).")
@window_options
@engine_options
@threads_option
@quiet_option
def command(data: str, output: str | None, to: str | None, columns: str | None, skip: int, limit: int | None,
            quiet: bool, **params) -> None:
    """Decode DATA laid out by COPYBOOK.

    With --engine dask, -o names a new folder that receives one file per partition
    (part-000000.parquet, ...), and DATA may be an fsspec URL (sftp://, file://).
    """
    from bridge.cli.engine import check_engine_use
    from bridge.records.api import open_reader
    from bridge.records.formats import choose_format
    from bridge.records.sinks import open_sink

    try:
        to = choose_format(to, output, option="--to")
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    if check_engine_use(data, params, unsupported={"--skip": bool(skip), "--limit": limit is not None}):
        _decode_on_dask(data, output, to, columns, quiet, params)
        return
    if output is not None:  # a folder is refused here, where the engine is known, as click's Path refuses it
        ctx = click.get_current_context()
        click.Path(dir_okay=False).convert(output, next(p for p in ctx.command.params if p.name == "output"), ctx)
    if to == "parquet" and output in (None, "-"):
        raise click.UsageError("--to parquet needs -o FILE")
    refuse_output_over_input(data, output)
    layout = load_layout(params["copybook"], params["include"], params["dialect"], params["strict"])
    wanted = [c.strip() for c in columns.split(",")] if columns else None
    reader = open_reader(data, layout, columns=wanted, **reader_kwargs(params))
    # never drawn on the terminal the records are being written to
    progress = progress_for("decoding", quiet=quiet, total_bytes=_size(data), stdout_is_output=output is None)
    with progress, output_file(output) as target, open_sink(to, target, layout=layout, reader=reader) as sink:
        done = 0
        for batch in records_window(reader, skip, limit) if skip or limit is not None else reader:
            sink.write(batch.table)
            end = _end_offset(batch.frame, done)
            progress.update(records=batch.table.num_rows, nbytes=end - done)
            done = end
    _print_summary(reader.summary)


def _decode_on_dask(data: str, output: str | None, to: str, columns: str | None, quiet: bool, params) -> None:
    """``--engine dask``: one file per partition into the new folder ``output``."""
    import os

    from bridge.cli.engine import block_option, dask_client, storage_options
    from bridge.dask import decode_to_folder

    if output in (None, "-"):
        raise click.UsageError("--engine dask writes a folder of parts: give -o FOLDER (a new folder)")
    if os.path.lexists(output):
        raise click.UsageError(f"-o {output} already exists: --engine dask writes a new folder of parts; "
                               "give a folder that does not exist yet")
    refuse_output_over_input(data, output)
    stores = storage_options(params["storage_option"])
    layout = load_layout(params["copybook"], params["include"], params["dialect"], params["strict"])
    wanted = [c.strip() for c in columns.split(",")] if columns else None
    with dask_client(params["scheduler"], params["workers"]) as client, \
            progress_for("decoding", quiet=quiet, total_bytes=_size(data)) as progress:
        summary = decode_to_folder(data, layout, output, to=to, columns=wanted, client=client,
                                   storage_options=stores, progress=lambda n, b: progress.update(records=n, nbytes=b),
                                   **block_option(params["blocksize"]), **reader_kwargs(params))
    _print_summary(summary)
    click.echo(f"mfbridge: {len(os.listdir(output))} {to} files written to {output}/", err=True)


def _print_summary(summary) -> None:
    invalid = summary.invalid_total
    line = f"mfbridge: {summary.records} records decoded"
    if invalid:
        line += f", {invalid} invalid values (null in the output):"
    click.echo(line, err=True)
    for name, count in sorted(summary.invalid.items()):
        click.echo(f"  {name}: {count}", err=True)
    if getattr(summary, "hint", None):
        click.echo(f"mfbridge: hint: {summary.hint}", err=True)
    if summary.unmapped:
        values = ", ".join(f"{v!r} ({c})" for v, c in sorted(summary.unmapped.items())[:10])
        click.echo(f"mfbridge: warning: {sum(summary.unmapped.values())} records have a --segment-field value that "
                   f"is not in --segment-map, decoded with every record type: {values}", err=True)


def _size(path: str) -> int | None:
    import os

    if path.endswith((".gz", ".bz2")):
        return None  # the batches count uncompressed bytes
    try:
        return os.path.getsize(path) or None
    except OSError:
        return None


def _end_offset(frame, done: int) -> int:
    """File offset just past the batch's last record (``done`` when the batch carries no offsets)."""
    if frame.file_offsets is None or not len(frame.lengths):
        return done
    return max(done, int(frame.file_offsets[-1]) + int(frame.lengths[-1]))
