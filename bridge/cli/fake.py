"""`bridge fake`: valid synthetic records for a copybook, reproducible from a seed."""
from __future__ import annotations

import click

from bridge.cli.common import copybook_options, load_layout, output_file, reader_kwargs, reader_options

__all__ = ["command"]


@click.command("fake")
@copybook_options
@reader_options
@click.option("-n", "--count", "count", type=click.IntRange(min=0), default=100, show_default=True,
              help="Records to write.")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False),
              help="Data file to write (.gz/.bz2 compress it), in the --recfm and --codepage given.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Random seed: the same seed gives the same records.")
def command(count: int, output: str, seed: int, **params) -> None:
    """Write COUNT valid records laid out by COPYBOOK to OUTPUT."""
    from bridge.records.api import write_records
    from bridge.testing import fake_table

    layout = load_layout(params["copybook"], params["include"], params["dialect"], params["strict"])
    kw = reader_kwargs(params)
    table = fake_table(layout, count, seed=seed, record=kw.get("record"))
    with output_file(output) as target:
        written = write_records(table, target, layout, **kw)
    click.echo(f"bridge: {written} records written to {output}", err=True)
