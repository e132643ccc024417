"""`mfbridge roundtrip`: decode and re-encode a file, exit 0 when every byte comes back."""
from __future__ import annotations

import click

from bridge.cli.common import copybook_options, load_layout, reader_kwargs, reader_options
from bridge.cli.progress import progress_for, quiet_option

__all__ = ["command"]


@click.command("roundtrip")
@click.argument("data", type=click.Path(exists=True, dir_okay=False))
@copybook_options
@reader_options
@quiet_option
def command(data: str, quiet: bool, **params) -> None:
    """Check that DATA decodes and re-encodes to byte-identical records."""
    from bridge.records.roundtrip import round_trip

    layout = load_layout(params["copybook"], params["include"], params["dialect"], params["strict"])
    kw = reader_kwargs(params)
    kw["trim"] = "none"  # trimming is a presentation choice; the round trip needs every character
    with progress_for("round trip", quiet=quiet, total_bytes=_size(data), watch_input=data,
                      record_length=kw.get("lrecl") or layout.length if kw.get("recfm", "F") in ("F", "FB") else None):
        result = round_trip(data, layout, **kw)
    if result.identical:
        line = f"{result.records} records, byte-identical"
        kept = sum(result.non_preferred.values())
        if kept:
            fields = ", ".join(f"{k} ({v})" for k, v in sorted(result.non_preferred.items())[:8])
            line += f"; {kept} values in a non-preferred form kept as they were: {fields}"
        click.echo(line)
        return
    d = result.first_difference
    if d is not None:
        click.echo(f"record {d.record}, field {d.field} (record offset {d.offset}): value {d.value!r} "
                   f"was {d.original.hex(' ').upper()} and re-encodes to {d.rewritten.hex(' ').upper()}", err=True)
    if result.framing_difference:
        click.echo(result.framing_difference, err=True)
    raise SystemExit(1)


def _size(path: str) -> int | None:
    import os

    try:
        return os.path.getsize(path) or None
    except OSError:
        return None
