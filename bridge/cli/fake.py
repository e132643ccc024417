"""`mfbridge fake`: valid synthetic records for a copybook, reproducible from a seed.

It takes the reader flags of ``decode`` and ``roundtrip`` with the same defaults, so what it
writes reads back with the same flags: ``fake -c X -o f`` then ``roundtrip f -c X`` passes.
"""
from __future__ import annotations

import click

from bridge.cli.common import copybook_options, load_layout, output_file, reader_kwargs, reader_options
from bridge.cli.progress import progress_for, quiet_option

__all__ = ["command"]


def _mix(items: tuple[str, ...]) -> dict[str, float]:
    mix: dict[str, float] = {}
    for item in items:
        name, sep, weight = item.rpartition("=")
        try:
            value = float(weight)
        except ValueError:
            value = -1.0
        if not sep or not name or not value >= 0:
            raise click.BadParameter(f"{item!r} is not NAME=WEIGHT with a weight of 0 or more", param_hint="--mix")
        mix[name] = value
    return mix


@click.command("fake")
@copybook_options
@reader_options
@click.option("-n", "--count", "count", type=click.IntRange(min=0), default=100, show_default=True,
              help="Records to write.")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False),
              help="Data file to write (.gz/.bz2 compress it), in the --recfm and --codepage given.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Random seed: the same seed gives the same records.")
@click.option("--mix", "mix", multiple=True, metavar="NAME=WEIGHT",
              help="Share of a record type (01 record, or segment map target or value); repeatable; "
                   "default every type equally.")
@click.option("--date-rules", "date_rules", type=click.Path(exists=True, dir_okay=False), default=None,
              help="File of 'PATTERN FORMAT [FROM TO]' lines saying which items are dates "
                   "(YYYYMMDD, CCYYDDD, YYMMDD, ... or none); overrides the guess from names.")
@quiet_option
def command(count: int, output: str, seed: int, mix: tuple[str, ...], date_rules: str | None, quiet: bool,
            **params) -> None:
    """Write COUNT valid records laid out by COPYBOOK to OUTPUT.

    Every record type is written (the --segment-map entries, or every 01 record), with
    88-level values where an item has them, real dates where an item is a date, and OCCURS
    DEPENDING ON counts over their whole range. Read it back with the same flags.
    """
    from bridge.fake import fake_file, load_date_rules

    layout = load_layout(params["copybook"], params["include"], params["dialect"], params["strict"])
    kw = reader_kwargs(params)
    rules = load_date_rules(date_rules) if date_rules else None
    with output_file(output) as target, progress_for("writing", quiet=quiet, watch_output=target) as bar:
        written = [0]

        def report(total: int) -> None:  # fake_file reports the running total; the bar counts increments
            bar.update(records=total - written[0])
            written[0] = total

        summary = fake_file(layout, count, target, seed=seed, mix=_mix(mix), dates=rules, progress=report, **kw)
    types = ", ".join(f"{name} {n}" for name, n in summary.per_type.items()) if len(summary.per_type) > 1 else ""
    click.echo(f"mfbridge: {summary.records} records written to {output} ({summary.framing})"
               + (f"; record types: {types}" if types else ""), err=True)
