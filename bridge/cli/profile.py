"""`mfbridge profile`: what an extract really holds, before a model goes into a nightly flow.

Standard output carries the short text summary; ``-o`` writes the offline HTML report and
``--json`` the JSON form (both created 0600). Invalid data is what a profile is for, so it
never changes the exit code; a framing or copybook error exits non-zero as in `decode`.
"""
from __future__ import annotations

import json
from pathlib import Path

import click

from bridge.cli.common import copybook_options, load_layout, reader_kwargs, reader_options, refuse_output_over_input

__all__ = ["command"]


@click.command("profile")
@click.argument("data", type=click.Path(exists=True, dir_okay=False))
@copybook_options
@reader_options
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False), default=None,
              help="Write the HTML report (one self-contained page) to this file.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), default=None,
              help="Write the profile's JSON form (documented in docs/profile.md) to this file.")
@click.option("--label", default=None, help="Target field: its balance, leakage warnings, information value.")
@click.option("--key", default=None, help="Field that should be unique: reports repeated values.")
@click.option("--baseline", type=click.Path(exists=True, dir_okay=False), default=None,
              help="An earlier file of the same layout: PSI per field against it.")
@click.option("--type-field", default=None,
              help="Type code field for REDEFINES validity per code (default: --segment-field).")
@click.option("--date", "dates", multiple=True, metavar="FIELD=FORMAT",
              help="Field holding a date: YYYYMMDD or CYYMMDD, or FIELD=none for a name that only looks "
                   "like a date (repeatable).")
@click.option("--date-range", default="19000101-20991231", show_default=True, metavar="FROM-TO",
              help="Plausible dates, YYYYMMDD-YYYYMMDD; others are counted as out of range.")
@click.option("--sample-rows", type=click.IntRange(min=100), default=50_000, show_default=True,
              help="Rows sampled for quantiles, histograms, information value and drift.")
def command(data: str, output: str | None, json_path: str | None, label: str | None, key: str | None,
            baseline: str | None, type_field: str | None, dates: tuple[str, ...], date_range: str,
            sample_rows: int, **params) -> None:
    """Profile DATA laid out by COPYBOOK: validity, 'no value' fills, values, ML readiness."""
    from bridge.profile import ProfileOptions, profile_file, summary_text

    for target, flag in ((output, "-o"), (json_path, "--json")):
        refuse_output_over_input(data, target)
        if target and baseline:
            refuse_output_over_input(baseline, target)
        if target and not Path(target).resolve().parent.is_dir():
            # say so before reading the whole file, not after
            raise click.BadParameter(f"the folder {Path(target).parent} does not exist", param_hint=flag)
    layout = load_layout(params["copybook"], params["include"], params["dialect"], params["strict"])
    prof = ProfileOptions(label=label, key=key, dates=_dates(dates), date_range=_range(date_range),
                          type_field=type_field, sample_rows=sample_rows)
    result = profile_file(data, layout, profile=prof, baseline=baseline, **reader_kwargs(params))
    if json_path:
        from bridge.report.page import write_private

        write_private(json_path, json.dumps(result, indent=1, default=str, allow_nan=False) + "\n")
    if output:
        from bridge.profile.page import profile_page
        from bridge.report import write_page

        write_page(profile_page(result), output)
    click.echo(summary_text(result))


def _dates(items: tuple[str, ...]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for item in items:
        name, sep, fmt = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{item!r} is not FIELD=FORMAT", param_hint="--date")
        fmt = fmt.strip().upper()
        if fmt not in ("YYYYMMDD", "CYYMMDD", "NONE"):
            raise click.BadParameter(f"{fmt!r} is not one of: YYYYMMDD, CYYMMDD, none", param_hint="--date")
        out[name.strip().upper()] = None if fmt == "NONE" else fmt
    return out


def _range(text: str) -> tuple[int, int]:
    low, sep, high = text.partition("-")
    if not sep or not (low.strip().isdigit() and high.strip().isdigit() and len(low.strip()) == 8
                       and len(high.strip()) == 8) or int(low) > int(high):
        raise click.BadParameter(f"{text!r} is not YYYYMMDD-YYYYMMDD with FROM <= TO", param_hint="--date-range")
    return int(low), int(high)
