"""`mfbridge encode`: JSON lines, CSV or Parquet into a mainframe file laid out by a copybook.

Without ``--from`` the input format follows the file's suffix (``.parquet``/``.pq``, ``.csv``,
anything else JSON lines; `bridge.records.formats`); a ``--from`` that contradicts the suffix,
or content that is not the format (a Parquet file named ``.jsonl``), is refused with one line. The data file is written
under a temporary name and renamed when complete: a refused value leaves no partial file.
"""
from __future__ import annotations

import click

from bridge.cli.common import check_output, copybook_options, load_layout, output_file, reader_kwargs, writer_options
from bridge.cli.progress import progress_for, quiet_option

__all__ = ["command"]


@click.command("encode")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@copybook_options
@writer_options
@click.option("--from", "from_", type=click.Choice(["jsonl", "csv", "parquet"]), default=None,
              help="Input format (default: from SOURCE's suffix: .parquet/.pq, .csv, else jsonl).")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False), callback=check_output,
              help="Data file to write (.gz/.bz2 compress it), in the --recfm and --codepage given.")
@click.option("--truncate", is_flag=True, help="Cut strings that are longer than their field instead of failing "
              "(never numbers: see --on-overflow).")
@click.option("--on-overflow", type=click.Choice(["error", "truncate"]), default="error", show_default=True,
              help="A number with more digits than its PICTURE, or negative in an unsigned one: fail, or keep "
              "the low-order digits and drop the sign as COBOL's MOVE does.")
@click.option("--round", "rounding", flag_value="half-up", default=None,
              help="Round decimals with more places than the PICTURE half-up instead of failing.")
@quiet_option
def command(source: str, output: str, from_: str | None, truncate: bool, on_overflow: str, rounding: str | None,
            quiet: bool,
            **params) -> None:
    """Encode SOURCE into OUTPUT in the layout of COPYBOOK."""
    from bridge.records.api import write_records
    from bridge.records.sources import read_values

    from bridge.errors import EncodeError
    from bridge.records.formats import check_content, choose_format

    try:
        fmt = choose_format(from_, source, option="--from")
        check_content(source, fmt)
    except (ValueError, EncodeError) as exc:
        raise click.UsageError(str(exc)) from None
    layout = load_layout(params["copybook"], params["include"], params["dialect"], params["strict"])
    kw = reader_kwargs(params)
    try:
        table = read_values(source, fmt, layout, record=kw.get("record"), rounding=rounding)
    except UnicodeDecodeError as exc:
        raise click.UsageError(f"{source} is not UTF-8 text (byte x'{exc.object[exc.start]:02X}' at offset "
                               f"{exc.start}) and cannot be read as {fmt}; a Parquet file needs --from parquet, "
                               "a mainframe file is decoded, not encoded") from None
    fixed = kw.get("recfm", "F") in ("F", "FB") and not output.endswith((".gz", ".bz2"))
    length = kw.get("lrecl") or layout.record(kw.get("record")).length
    with output_file(output) as target, progress_for(
            "encoding", quiet=quiet, total_bytes=table.num_rows * length if fixed else None,
            record_length=length if fixed else None, watch_output=target):
        if kw.get("record") is None and len(layout.records) > 1:
            from bridge.records.record_types import row_record_types, write_record_types

            types = row_record_types(table, layout)   # one 01 record per row, as a segment map chose
            written = write_record_types(table, types, target, layout, truncate=truncate, rounding=rounding,
                                         on_overflow=on_overflow, **kw)
        else:
            written = write_records(table, target, layout, truncate=truncate, rounding=rounding,
                                    on_overflow=on_overflow, **kw)
    click.echo(f"mfbridge: {written} records encoded to {output}", err=True)
