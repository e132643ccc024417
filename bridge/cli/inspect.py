"""`bridge inspect`: hex and character dump of records with every field laid over its bytes.

For each record: a dump of 16 bytes a line (offset, hex, characters in the file's code page),
then one line per elementary item: 1-based start and end positions as in a compiler map,
length, name, PICTURE and usage, the raw bytes in hex, and the decoded value; invalid
values are marked ``*INVALID*`` so a bad sign nibble or a space in a packed field is found
at a glance.
"""
from __future__ import annotations

import click

from bridge.cli.common import copybook_options, load_layout, reader_kwargs, reader_options

__all__ = ["command"]


@click.command("inspect")
@click.argument("data", type=click.Path(exists=True, dir_okay=False))
@copybook_options(record_flag="--record-type")
@reader_options
@click.option("--record", "-r", "number", type=int, default=1, show_default=True,
              help="1-based number of the first record to show.")
@click.option("--count", type=int, default=1, show_default=True, help="How many records to show.")
def command(data: str, number: int, count: int, **params) -> None:
    """Show record(s) of DATA as hex with the fields of COPYBOOK over them."""
    from bridge.records.api import open_reader

    layout = load_layout(params["copybook"], params["include"], params["dialect"], params["strict"])
    kw = reader_kwargs(params)
    kw["on_invalid"] = "null"
    reader = open_reader(data, layout, **kw)
    first, last = number - 1, number - 1 + count
    shown = 0
    for batch in reader:
        frame = batch.frame
        lo = frame.first_record
        hi = lo + len(frame.lengths)
        if hi <= first:
            continue
        for i in range(max(first, lo), min(last, hi)):
            click.echo(render_record(layout, reader, batch, i - lo))
            shown += 1
        if hi >= last:
            break
    if shown == 0:
        raise click.ClickException(f"{data} has no record {number} ({reader.summary.records} records read)")


def render_record(layout, reader, batch, row: int) -> str:
    """The dump and field map of one row of a decoded batch."""
    from bridge.codec.codepage import codepage
    from bridge.codec.column import decode_column

    frame = batch.frame
    length = int(frame.lengths[row])
    raw = frame.matrix[row, :length].tobytes()
    cp = codepage(reader.options.codepage)
    where = f", file offset {int(frame.file_offsets[row])}" if frame.file_offsets is not None else ""
    lines = [f"record {frame.first_record + row + 1} ({length} bytes{where})"]
    for start in range(0, length, 16):
        chunk = raw[start:start + 16]
        hexes = " ".join(f"{b:02X}" for b in chunk)
        chars = "".join(_printable(cp.decode_table[b]) for b in chunk)
        lines.append(f"  {start:06d}  {hexes:<47}  {chars}")
    lines.append(f"  {'start':>5} {'end':>5} {'len':>4}  {'field':<28} {'picture / usage':<24} {'hex':<24} value")
    table = batch.table
    decoder = reader.decoder
    records = decoder.records
    types = batch.record_types
    rec_indices = [int(types[row])] if types is not None and types[row] >= 0 else range(len(records))
    for ri in rec_indices:
        plan = decoder._base_plan(ri)  # noqa: SLF001 - same package family, the plan is the map
        for col in plan.columns:
            f = col.field
            if col.offset >= length:
                continue
            value = table.column(col.name)[row].as_py() if col.name in table.column_names else None
            bytes_ = raw[col.offset:col.end]
            one = decode_column(frame.matrix[row:row + 1], col.offset, f, reader.options.codec) \
                if col.end <= frame.matrix.shape[1] else None
            invalid = bool(one.invalid[0]) if one is not None else False
            shown = "*INVALID*" if invalid else repr(value) if isinstance(value, str) else str(value)
            pic = f"{f.picture or ''} {f.usage if f.usage != 'DISPLAY' else ''}".strip()
            hexes = bytes_.hex().upper()
            if len(hexes) > 24:
                hexes = hexes[:21] + "..."
            lines.append(f"  {col.offset + 1:>5} {col.end:>5} {f.length:>4}  {col.name:<28.28} {pic:<24.24} "
                         f"{hexes:<24} {shown}")
    return "\n".join(lines)


def _printable(ch: str) -> str:
    return ch if ch.isprintable() and len(ch) == 1 else "."
