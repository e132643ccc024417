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
from bridge.cli.progress import progress_for, quiet_option

__all__ = ["command"]


@click.command("decode")
@click.argument("data", type=click.Path(exists=True, dir_okay=False, allow_dash=False))
@copybook_options
@reader_options
@click.option("--to", "to", type=click.Choice(["jsonl", "csv", "parquet"]), default=None,
              help="Output format: JSON lines (nested, exact decimals), CSV or Parquet (flat columns); "
                   "default: from the -o suffix (.jsonl, .csv, .parquet), else jsonl.")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False), default=None, callback=check_output,
              help="Output file (default: standard output; required for parquet); its suffix chooses the format.")
@click.option("--columns", default=None, help="Comma-separated column names to decode (default: all).")
@window_options
@threads_option
@quiet_option
def command(data: str, output: str | None, to: str | None, columns: str | None, skip: int, limit: int | None,
            quiet: bool, **params) -> None:
    """Decode DATA laid out by COPYBOOK."""
    from bridge.records.api import open_reader
    from bridge.records.formats import choose_format
    from bridge.records.sinks import open_sink

    try:
        to = choose_format(to, output, option="--to")
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
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
