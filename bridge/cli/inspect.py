"""`mfbridge inspect`: hex and character dump of records with every field laid over its bytes.

For each record: a dump of 16 bytes a line (offset, hex, characters in the file's code page),
then one line per elementary item: 1-based start and end positions as in a compiler map,
length, name, PICTURE and usage, the raw bytes in hex, and the decoded value; invalid
values are marked ``*INVALID*`` so a bad sign nibble or a space in a packed field is found
at a glance.

Decisions: `inspect` is the tool for looking at a bad record, so a record that cannot be
decoded (an OCCURS DEPENDING ON count out of range) is still dumped, with the fields that
do not depend on it and the reason the rest cannot be placed; only framing errors, which
leave no record to show, stop it. Under OCCURS DEPENDING ON the field map follows the
record's own counts (items after a table move with it, as IBM places them), and
occurrences past the count are not listed; fields are listed in byte order.
"""
from __future__ import annotations

from dataclasses import replace

import click
import numpy as np

from bridge.cli.common import copybook_options, load_layout, reader_kwargs, reader_options, window_options
from bridge.errors import BridgeError

__all__ = ["command"]


@click.command("inspect")
@click.argument("data", type=click.Path(exists=True, dir_okay=False))
@copybook_options
@reader_options
@click.option("--record-number", "-n", "number", type=click.IntRange(min=1), default=None, metavar="N",
              help="1-based number of the first record to show, as in ISPF browse or File-AID (default 1).")
@click.option("--count", type=click.IntRange(min=1), default=None, metavar="N",
              help="How many records to show (default 1).")
@window_options
def command(data: str, number: int | None, count: int | None, skip: int, limit: int | None, **params) -> None:
    """Show record(s) of DATA as hex with the fields of COPYBOOK over them.

    Which records: --record-number N (1-based) or --skip N (0-based, as in decode), and
    --count N or --limit N. The 01 record laid over the bytes is chosen with --record NAME
    (or per record with --segment-field/--segment-map).
    """
    from bridge.records.api import open_reader

    if number is not None and skip:
        raise click.UsageError("give --record-number N or --skip N, not both (--skip N is --record-number N+1)")
    if count is not None and limit is not None:
        raise click.UsageError("give --count N or --limit N, not both (they mean the same)")
    record = params.get("record")
    if record and record.strip().isdigit():
        raise click.UsageError(f"--record names an 01 record; to show record number {record.strip()}, "
                               f"use --record-number {record.strip()}")
    first = number - 1 if number is not None else skip
    count = limit if limit is not None else (count if count is not None else 1)
    if count == 0:
        return
    layout = load_layout(params["copybook"], params["include"], params["dialect"], params["strict"])
    kw = reader_kwargs(params)
    kw["on_invalid"] = "null"
    reader = open_reader(data, layout, **kw)
    last = first + count
    shown = 0
    records_seen = 0
    for frame in reader._frames:  # noqa: SLF001 - framed records, decoded one at a time below
        lo = frame.first_record
        hi = lo + len(frame.lengths)
        records_seen = hi
        if hi <= first:
            continue
        for i in range(max(first, lo), min(last, hi)):
            click.echo(render_record(reader, _one_record(frame, i - lo)))
            shown += 1
        if hi >= last:
            break
    if shown == 0:
        raise click.ClickException(f"{data} has no record {first + 1}: it holds {records_seen} records")


def _one_record(frame, row: int):
    """Record ``row`` of a framed batch as a batch of its own, numbered as in the file."""
    offsets = None if frame.file_offsets is None else frame.file_offsets[row:row + 1]
    return replace(frame, matrix=np.ascontiguousarray(frame.matrix[row:row + 1]), lengths=frame.lengths[row:row + 1],
                   first_record=frame.first_record + row, file_offsets=offsets, header=b"", trailer=b"",
                   blocks=None, line_ends=None)


def render_record(reader, frame) -> str:
    """The dump and field map of a one-record batch."""
    from bridge.codec.codepage import codepage

    length = int(frame.lengths[0])
    raw = frame.matrix[0, :length].tobytes()
    cp = codepage(reader.options.codepage)
    where = f", file offset {int(frame.file_offsets[0])}" if frame.file_offsets is not None else ""
    lines = [f"record {frame.first_record + 1} ({length} bytes{where})"]
    for start in range(0, length, 16):
        chunk = raw[start:start + 16]
        hexes = " ".join(f"{b:02X}" for b in chunk)
        chars = "".join(_printable(cp.decode_table[b]) for b in chunk)
        lines.append(f"  {start:06d}  {hexes:<47}  {chars}")
    lines.append(f"  {'start':>5} {'end':>5} {'len':>4}  {'field':<28} {'picture / usage':<24} {'hex':<24} value")
    decoder = reader.decoder
    try:
        batch = decoder.decode(frame)
    except BridgeError as exc:
        # the record cannot be laid out whole: show what does not depend on the failure
        for ri in range(len(decoder.records)):
            lines.extend(_field_lines(reader, frame, None, ri, fixed_only=True))
        lines.append(f"  *** the rest of the record cannot be laid out: {exc}")
        return "\n".join(lines)
    types = batch.record_types
    indices = [int(types[0])] if types is not None and types[0] >= 0 else range(len(decoder.records))
    for ri in indices:
        broken = _bad_count(reader, frame, batch.table, ri)
        if broken:
            lines.extend(_field_lines(reader, frame, None, ri, fixed_only=True))
            lines.append(f"  *** the rest of the record cannot be laid out: {broken}")
            continue
        lines.extend(_field_lines(reader, frame, batch.table, ri, fixed_only=False))
    return "\n".join(lines)


def _placement(reader, frame, record):
    from bridge.records.encode import RecordEncoder

    encoder = RecordEncoder(reader.layout, reader.options, record=record.name)
    return encoder.placement(frame.matrix[:1], frame.lengths[:1])


def _bad_count(reader, frame, table, ri: int) -> str | None:
    """Why the record's tables cannot be placed (an ODO count that is invalid or out of range), or None."""
    from bridge.codec.column import decode_column

    decoder = reader.decoder
    record = decoder.records[ri]
    if record.has_nested_odo:  # a count per element: the walk says whether one was bad
        if not _placement(reader, frame, record).bad[0]:
            return None
        bad = [n for n, c in decoder.invalid.items() if n.split("(")[0] in {decoder.names[p] for p in record.odo_objects}]
        return f"an OCCURS DEPENDING ON count ({', '.join(bad) or 'in an element'}) is not numeric or out of range"
    for path in record.odo_objects:
        name = decoder.names[path]
        if name in table.column_names and table.column(name)[0].as_py() is not None:
            continue
        obj = next(f for f in record.fields if f.path == path)
        owner = next(f for f in record.fields if f.occurs and f.occurs.depending_path == path)
        one = decode_column(frame.matrix, obj.offset, obj, reader.options.codec)
        value = "not numeric" if one.invalid[0] else one.array[0].as_py()
        return (f"OCCURS DEPENDING ON count {value} is outside {owner.occurs.min} TO {owner.occurs.max} "
                f"for table {owner.name} ({obj.name})")
    return None


def _field_lines(reader, frame, table, ri: int, *, fixed_only: bool) -> list[str]:
    from bridge.codec.column import decode_column
    from bridge.records.plan import plan_columns

    decoder = reader.decoder
    record = decoder.records[ri]
    length = int(frame.lengths[0])
    counts: dict[tuple[str, ...], int] = {}
    plan = decoder._base_plan(ri)  # noqa: SLF001 - same package family, the plan is the map
    if table is not None and record.has_nested_odo:  # each item at this record's own offset
        from dataclasses import replace

        where = _placement(reader, frame, record)
        plan = replace(plan, columns=tuple(
            replace(c, offset=int(where.offsets(c.field.path, c.subscripts)[0])) for c in plan.columns
            if where.present(c.field.path, c.subscripts)[0]))
    elif table is not None and record.has_odo:
        for path in record.odo_objects:
            value = table.column(decoder.names[path])[0].as_py()
            counts[path] = int(value) if value is not None else 0
        if reader.options.odo_placement == "shift":
            plan = plan_columns(record, decoder.names, resolved=record.resolve(counts))
    out = []
    for col in sorted(plan.columns, key=lambda c: c.offset):
        f = col.field
        variable = f.variable_offset or any(d.depending_path for d in f.dims)
        if fixed_only and variable:
            continue
        if any(d.depending_path in counts and s > counts[d.depending_path] for s, d in zip(col.subscripts, f.dims)):
            continue  # an occurrence past its ODO count is not in the record
        if col.offset >= length:
            continue
        one = decode_column(frame.matrix, col.offset, f, reader.options.codec) \
            if col.end <= frame.matrix.shape[1] else None
        invalid = bool(one.invalid[0]) if one is not None else False
        value = None
        if table is not None and col.name in table.column_names:
            value = table.column(col.name)[0].as_py()
        elif one is not None and not invalid:
            value = one.array[0].as_py()
        shown = "*INVALID*" if invalid else repr(value) if isinstance(value, str) else str(value)
        pic = f"{f.picture or ''} {f.usage if f.usage != 'DISPLAY' else ''}".strip()
        hexes = frame.matrix[0, col.offset:min(col.end, length)].tobytes().hex().upper()
        if len(hexes) > 24:
            hexes = hexes[:21] + "..."
        out.append(f"  {col.offset + 1:>5} {col.end:>5} {f.length:>4}  {col.name:<28.28} {pic:<24.24} "
                   f"{hexes:<24} {shown}")
    return out


def _printable(ch: str) -> str:
    return ch if ch.isprintable() and len(ch) == 1 else "."
