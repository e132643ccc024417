"""`bridge encode`: JSON lines, CSV or Parquet into a mainframe file laid out by a copybook."""
from __future__ import annotations

import click

from bridge.cli.common import copybook_options, load_layout, reader_kwargs, reader_options

__all__ = ["command"]


@click.command("encode")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@copybook_options
@reader_options
@click.option("--from", "from_", type=click.Choice(["jsonl", "csv", "parquet"]), default="jsonl", show_default=True)
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False))
@click.option("--truncate", is_flag=True, help="Cut strings that are longer than their field instead of failing.")
@click.option("--round", "rounding", flag_value="half-up", default=None,
              help="Round decimals with more places than the PICTURE half-up instead of failing.")
def command(source: str, output: str, from_: str, truncate: bool, rounding: str | None, **params) -> None:
    """Encode SOURCE into OUTPUT in the layout of COPYBOOK."""
    from bridge.records.api import write_records
    from bridge.records.sources import read_values

    layout = load_layout(params["copybook"], params["include"], params["dialect"], params["strict"])
    kw = reader_kwargs(params)
    table = read_values(source, from_, layout, record=kw.get("record"))
    written = write_records(table, output, layout, truncate=truncate, rounding=rounding, **kw)
    click.echo(f"bridge: {written} records encoded to {output}", err=True)
