"""A whole fake file: every record type mixed, framed exactly as the reader with the same options reads it.

The decision: `fake_file` takes the reader's options (`ReaderOptions`, the flags of
``decode`` and ``roundtrip``) and nothing else about framing, and derives the record length
as the reader does (``lrecl`` or the copybook's longest record). So a file faked with some
options reads back, byte for byte, with the same options, defaults included:

* RECFM F/FB: every record is LRECL bytes, shorter record types and records whose OCCURS
  DEPENDING ON tables are not full padded with spaces after their last item (tables
  shifted, as IBM places them, unless ``odo_placement="max"``); with ``variable_occurs``
  or ``record_length_field`` each record is as long as its counts make it instead;
* RECFM V/VB/TEXT: each record as long as its type and counts make it.

Record types are the segment map's entries when there is one (the selector field set to
their value), the one ``record`` when given, else every 01 record; ``mix`` weighs them.
Records are made ``batch_records`` at a time, each batch from its own seeded stream, so
memory stays bounded and the same seed gives the same file.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field as dc_field
from typing import Any, BinaryIO, Callable, Mapping

import numpy as np
import pyarrow as pa

from bridge.errors import BridgeError, EncodeError, LayoutError
from bridge.fake.dates import DateRules
from bridge.fake.table import fake_table
from bridge.layout.model import Field, Layout, Record
from bridge.records.options import ReaderOptions

__all__ = ["FakeSummary", "RecordType", "fake_file", "record_types"]


@dataclass(frozen=True)
class RecordType:
    """One kind of record the file holds: a 01 record, or a REDEFINES branch of one, and its selector value."""

    name: str                       # what ``mix`` calls it: the 01 name or the branch name
    record: Record
    branch: str | None = None
    selector: str | None = None     # the segment field's value for this type


@dataclass
class FakeSummary:
    """What `fake_file` wrote: records in total and per type, and how they are framed."""

    records: int = 0
    per_type: dict[str, int] = dc_field(default_factory=dict)
    framing: str = ""


def record_types(layout: Layout, options: ReaderOptions) -> list[RecordType]:
    """The record types a file read with ``options`` can hold, in copybook (or segment map) order."""
    if options.segment_map:
        out = []
        for value, target in options.segment_map.items():
            name = target.strip().upper()
            rec = next((r for r in layout.records if r.name == name), None)
            if rec is not None:
                out.append(RecordType(name, rec, None, value))
                continue
            for r in layout.records:
                try:
                    r.field(name)
                except LayoutError:
                    continue
                out.append(RecordType(name, r, name, value))
                break
            else:
                raise LayoutError(f"segment map target {target} is neither a 01 record nor an item of the copybook",
                                  field=target)
        return out
    if options.record:
        rec = layout.record(options.record)
        return [RecordType(rec.name, rec)]
    return [RecordType(r.name, r) for r in layout.records]


def _shares(types: list[RecordType], mix: Mapping[str, float] | None, n: int) -> np.ndarray:
    """Records per type: ``n`` split by the weights (largest remainder), every weighted type at least once if it can."""
    weights = np.ones(len(types))
    if mix:
        known = {t.name: i for i, t in enumerate(types)} | {t.selector: i for i, t in enumerate(types) if t.selector}
        weights = np.zeros(len(types))
        for name, w in mix.items():
            key = name.strip().upper() if name.strip().upper() in known else name
            if key not in known:
                raise BridgeError(f"--mix {name}: no such record type; the types are "
                                  f"{', '.join(t.name for t in types)}")
            if not (w >= 0 and np.isfinite(w)):
                raise BridgeError(f"--mix {name}={w}: a weight is a number of 0 or more")
            weights[known[key]] = w
        if weights.sum() <= 0:
            raise BridgeError("--mix gives every record type weight 0; give at least one a positive weight")
    exact = n * weights / weights.sum()
    shares = np.floor(exact).astype(np.int64)
    order = np.argsort(-(exact - shares), kind="stable")
    shares[order[: n - shares.sum()]] += 1
    starved = np.flatnonzero((shares == 0) & (weights > 0))
    for i in starved:   # a type asked for should appear; take one from the largest share
        big = int(np.argmax(shares))
        if shares[big] > 1:
            shares[big] -= 1
            shares[i] += 1
    return shares


def fake_file(layout: Layout, n: int, dest: str | os.PathLike | BinaryIO, *, seed: int = 0,
              mix: Mapping[str, float] | None = None, dates: DateRules | None = None,
              progress: Callable[[int], None] | None = None,
              options: ReaderOptions | None = None, **reader_options: Any) -> FakeSummary:
    """Write ``n`` valid records to ``dest``, framed as the reader with the same options reads them.

    ``progress``, when given, is called after each batch with the records written so far.

    :raises BridgeError: an unknown ``mix`` name or a bad weight; a date rule the PICTURE
        cannot hold; `EncodeError` when ``lrecl`` is shorter than a record; `FramingError`
        for RECFM TEXT with binary or packed items, as the reader refuses it.
    """
    from bridge.codec.codepage import codepage
    from bridge.frame import FrameWriter, RecordBatch
    from bridge.records.encode import RecordEncoder

    if n < 0:
        raise BridgeError(f"record count {n} is negative")
    opts = ReaderOptions.from_kwargs(options, **reader_options)
    types = record_types(layout, opts)
    if opts.recfm == "TEXT":
        from bridge.records.api import _refuse_text_for_binary  # the reader's own rule, so both refuse alike

        _refuse_text_for_binary(layout, opts)
    lrecl = opts.lrecl or layout.length
    fixed = opts.recfm in ("F", "FB")
    padded = fixed and not (opts.variable_occurs or opts.record_length_field)
    for t in types:
        if fixed and t.record.length > lrecl:
            raise EncodeError(f"record {t.record.name} is {t.record.length} bytes, longer than LRECL {lrecl}; "
                              "give a larger --lrecl")
    shares = _shares(types, mix, n)
    kinds = np.repeat(np.arange(len(types)), shares)
    np.random.default_rng([seed, 0]).shuffle(kinds)
    encoders = [RecordEncoder(layout, opts, record=t.record.name) for t in types]
    space = codepage(opts.codepage).space
    selector = _selector(layout, opts)
    length_field = _length_field(layout, opts)
    width = max(lrecl, layout.length)
    summary = FakeSummary(per_type={t.name: int(s) for t, s in zip(types, shares)})
    with FrameWriter(dest, opts.frame(lrecl)) as writer:
        for number, start in enumerate(range(0, n, opts.batch_records)):
            rng = np.random.default_rng([seed, number + 1])
            part = kinds[start:start + opts.batch_records]
            matrix = np.full((part.size, width), space, dtype=np.uint8)
            lengths = np.empty(part.size, dtype=np.int32)
            for i, (t, encoder) in enumerate(zip(types, encoders)):
                rows = np.flatnonzero(part == i)
                if rows.size == 0:
                    continue
                table = fake_table(layout, int(rows.size), seed=rng, record=t.record.name, branch=t.branch,
                                   dates=dates, codepage=opts.codepage, field_codepages=dict(opts.field_codepages))
                encoded = _encode(encoder, table, rows.size, start)
                matrix[rows, :encoded.matrix.shape[1]] = encoded.matrix
                lengths[rows] = encoded.lengths
                if selector is not None and t.selector is not None:
                    _write_selector(matrix, rows, selector, t.selector, opts)
            if length_field is not None:
                _write_length(matrix, lengths, length_field, opts)
            if padded:
                lengths[:] = lrecl
            writer.write(RecordBatch(matrix=matrix, lengths=lengths, first_record=start))
            summary.records += int(part.size)
            if progress is not None:
                progress(summary.records)
    summary.framing = _framing(layout, types, opts, lrecl, padded)
    return summary


def _encode(encoder, table: pa.Table, n: int, start: int):
    try:
        return encoder.encode(table)
    except EncodeError as exc:  # a value the generator made that the encoder refuses is a bug of fake
        raise EncodeError(exc.reason, row=None if exc.row is None else exc.row + start, field=exc.field,
                          value=exc.value, picture=exc.picture) from None


def _selector(layout: Layout, opts: ReaderOptions) -> Field | None:
    if not opts.segment_field:
        return None
    for r in layout.records:
        try:
            return r.field(opts.segment_field)
        except LayoutError:
            continue
    raise LayoutError(f"segment field {opts.segment_field} is not in the copybook", field=opts.segment_field)


def _write_selector(matrix: np.ndarray, rows: np.ndarray, selector: Field, value: str, opts: ReaderOptions) -> None:
    from bridge.codec.column import encode_column_into, is_string

    values: Any = pa.array([value] * rows.size)
    if not is_string(selector):
        if not value.strip().isdigit():
            raise BridgeError(f"segment map value {value!r} is not a number, but the segment field "
                              f"{selector.name} is numeric (PIC {selector.picture})")
        values = pa.array([int(value)] * rows.size, pa.int64())
    sub = matrix[rows]
    encode_column_into(sub, selector.offset, selector, values, opts.codec)
    matrix[rows] = sub


def _length_field(layout: Layout, opts: ReaderOptions) -> Field | None:
    if not opts.record_length_field:
        return None
    return layout.field(opts.record_length_field)


def _write_length(matrix: np.ndarray, lengths: np.ndarray, field: Field, opts: ReaderOptions) -> None:
    from bridge.codec.column import encode_column_into

    encode_column_into(matrix, field.offset, field, pa.array(lengths.astype(np.int64) - opts.record_length_adjust),
                       opts.codec)


def _framing(layout: Layout, types: list[RecordType], opts: ReaderOptions, lrecl: int, padded: bool) -> str:
    """One line on how the records are framed, for the user who reads the file with other tools."""
    shifted = any(t.record.has_odo for t in types) and opts.odo_placement == "shift"
    full = any(t.record.has_odo for t in types) and opts.odo_placement == "max"
    lengths = {t.record.length for t in types}
    notes = []
    if full:
        notes.append("OCCURS DEPENDING ON tables at their full size")
    if padded:
        if shifted:
            notes.append("OCCURS DEPENDING ON tables at their actual size, records padded with spaces to LRECL")
        elif len(lengths) > 1 or max(lengths) < lrecl:
            notes.append("shorter record types padded with spaces to LRECL")
        return "; ".join([f"RECFM {opts.recfm}, LRECL {lrecl}"] + notes)
    if opts.recfm in ("F", "FB"):
        how = "its length field says" if opts.record_length_field else "its OCCURS DEPENDING ON counts make it"
        return "; ".join([f"RECFM {opts.recfm} without padding: each record as long as {how}"] + notes)
    how = "its type and its OCCURS DEPENDING ON counts make it" if shifted else "its type makes it"
    return "; ".join([f"RECFM {opts.recfm}: each record as long as {how}"] + notes)
