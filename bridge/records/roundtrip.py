"""Decode, re-encode every value, frame again, and compare with the original bytes.

A field whose re-encoded bytes differ from the original but decode to the same value holds a
non-preferred representation (a signed packed field with sign nibble F, an overpunch zone A
instead of C): patch mode keeps such bytes because the value did not change, so they are
counted, not failed. A field whose re-encoded bytes decode to a different value, or a file
whose re-framed bytes differ, is a failure, reported with record, field and bytes.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field as dc_field, replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bridge.codec.column import decode_column
from bridge.layout.model import Layout
from bridge.records.api import Source, open_reader
from bridge.records.encode import RecordEncoder

__all__ = ["RoundTripResult", "round_trip"]


@dataclass
class Difference:
    record: int                 # 1-based
    field: str
    offset: int                 # in the record
    original: bytes
    rewritten: bytes
    value: object = None


@dataclass
class RoundTripResult:
    records: int = 0
    identical: bool = True
    non_preferred: dict[str, int] = dc_field(default_factory=dict)
    first_difference: Difference | None = None
    framing_difference: str | None = None
    invalid: dict[str, int] = dc_field(default_factory=dict)


def round_trip(source: Source, layout: Layout, **reader_options) -> RoundTripResult:
    """Check that ``source`` decodes and re-encodes to identical bytes; never raises for a difference."""
    from bridge.frame import FrameWriter

    data = _read_bytes(source)
    reader = open_reader(data, layout, **reader_options)
    result = RoundTripResult()
    # one encoder per record type: rows of another type (segment map) have nulls there, left as they are
    encoders = [RecordEncoder(layout, reader.options, record=r.name) for r in reader.decoder.records]
    out = io.BytesIO()
    lrecl = reader.options.lrecl or layout.length
    with FrameWriter(out, reader.options.frame(lrecl)) as writer:
        for batch in reader:
            frame = batch.frame
            final = frame.matrix.copy()
            for encoder in encoders:
                _compare_record_type(encoder, batch, final, reader.options.codec, result)
            writer.write(replace(frame, matrix=final))
            result.records = reader.summary.records
    result.invalid = dict(reader.summary.invalid)
    produced = out.getvalue()
    if produced != data:
        result.identical = False
        at = next((i for i, (x, y) in enumerate(zip(produced, data)) if x != y), min(len(produced), len(data)))
        result.framing_difference = (f"re-framed file differs at byte offset {at} "
                                     f"(original {len(data)} bytes, rewritten {len(produced)} bytes)")
    return result


def _compare_record_type(encoder: RecordEncoder, batch, final: np.ndarray, codec, result: RoundTripResult) -> None:
    """Re-encode the columns of ``encoder``'s record type; differences go into ``final`` and ``result``."""
    frame = batch.frame
    plan = {c.name: c for c in encoder.plan.columns}
    # nested OCCURS DEPENDING ON: every item at each record's own offset, those after the tables too
    placement = encoder.placement(frame.matrix, frame.lengths) if encoder.record.has_nested_odo else None
    table = batch.table.select([c for c in batch.table.column_names if c in plan
                                and (placement is not None or not plan[c].field.variable_offset)])
    rewritten = encoder.patch(frame.matrix, table, lengths=frame.lengths, as_stored=True)
    for name in table.column_names:
        col = plan[name]
        if placement is not None:
            from bridge.records.nested_odo import gather

            offsets = placement.offsets(col.field.path, col.subscripts)
            a = gather(frame.matrix, offsets, col.field.length)
            b = gather(rewritten, offsets, col.field.length)
        else:
            offsets = None
            a = frame.matrix[:, col.offset:col.end]
            b = rewritten[:, col.offset:col.end]
        rows = np.flatnonzero((a != b).any(axis=1))
        if rows.size == 0:
            continue
        again = decode_column(b[rows], 0, col.field, codec).array
        before = table.column(name).combine_chunks().take(pa.array(rows))
        same = np.asarray(pc.fill_null(pc.equal(again.cast(before.type), before), False)
                          .to_numpy(zero_copy_only=False), dtype=bool)
        if same.all():
            result.non_preferred[name] = result.non_preferred.get(name, 0) + int(rows.size)
            continue
        bad = int(rows[np.flatnonzero(~same)[0]])
        result.identical = False
        if result.first_difference is None:
            result.first_difference = Difference(
                record=frame.first_record + bad + 1, field=name,
                offset=col.offset if offsets is None else int(offsets[bad]),
                original=bytes(a[bad]), rewritten=bytes(b[bad]),
                value=table.column(name)[bad].as_py())
        start = col.offset if offsets is None else int(offsets[bad])
        final[bad, start:start + col.field.length] = b[bad]


def _read_bytes(source: Source) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source)
    if hasattr(source, "read"):
        return source.read()
    import bz2
    import gzip

    path = str(source)
    opener = gzip.open if path.endswith(".gz") else bz2.open if path.endswith(".bz2") else open
    with opener(path, "rb") as fh:
        return fh.read()
