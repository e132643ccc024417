"""Control totals: a trailer record's count (and amount total) held against the records of its file.

Batch files end with a trailer that says how many records (and what total amount) the
producer wrote; a consumer that recounts and finds a difference must reject the file rather
than process a partial or doubled one. The record types come from the segment map (the
trailer is the 01 record or REDEFINES view its selector value chooses); counting and summing
are columnar, and sums are exact decimals.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bridge.errors import InvalidDataError, LayoutError
from bridge.layout.model import Layout
from bridge.records.api import Source, open_reader

__all__ = ["ControlResult", "TrailerCheck", "check_trailer"]


@dataclass(frozen=True)
class TrailerCheck:
    """Which trailer fields to check against what.

    ``record``: the trailer's 01 record; ``count_field``: its record count; ``count_of``: the
    record types counted (default: every record that is not the trailer); ``total_field`` and
    ``total_of``: the trailer's amount total and the field of the counted records it sums.
    """

    record: str
    count_field: str
    count_of: tuple[str, ...] = ()
    total_field: str | None = None
    total_of: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "TrailerCheck":
        count_of = data.get("count_of", ())
        if isinstance(count_of, str):
            count_of = (count_of,)
        return cls(record=str(data["record"]).upper(), count_field=str(data["count_field"]).upper(),
                   count_of=tuple(str(c).upper() for c in count_of),
                   total_field=str(data["total_field"]).upper() if data.get("total_field") else None,
                   total_of=str(data["total_of"]).upper() if data.get("total_of") else None)


@dataclass(frozen=True)
class ControlResult:
    records: int
    counted: int
    total: Decimal | None


def check_trailer(source: Source, layout: Layout, check: TrailerCheck, **reader_options: Any) -> ControlResult:
    """Recount ``source`` and compare with its trailer; raises `InvalidDataError` when they differ."""
    names = [r.name for r in layout.records]
    if check.record not in names:
        raise LayoutError(f"trailer record {check.record} is not a 01 record of the copybook ({', '.join(names)})",
                          field=check.record)
    trailer_index = names.index(check.record)
    counted_types = [names.index(c) for c in check.count_of] if check.count_of else \
        [i for i in range(len(names)) if i != trailer_index]
    columns = [_column(layout, check.record, check.count_field)]
    if check.total_field:
        columns.append(_column(layout, check.record, check.total_field))
    if check.total_of:
        columns.append(_column(layout, None, check.total_of))
    reader = open_reader(source, layout, columns=columns, **reader_options)
    if not reader.options.segment_map and len(layout.records) > 1:
        raise LayoutError("checking a trailer needs --segment-field and --segment-map to tell the record types apart")
    counted = 0
    total = Decimal(0)
    trailers: list[tuple[int, Any, Any]] = []   # (record number, count, total)
    for batch in reader:
        types = batch.record_types
        if types is None:
            types = np.zeros(batch.table.num_rows, dtype=np.int16)
        is_counted = np.isin(types, counted_types)
        counted += int(is_counted.sum())
        if check.total_of and is_counted.any():
            amounts = batch.table.column(columns[-1]).filter(pa.array(is_counted))
            s = pc.sum(amounts).as_py()
            total += Decimal(s) if s is not None else 0
        for row in np.flatnonzero(types == trailer_index):
            count = batch.table.column(columns[0])[int(row)].as_py()
            amount = batch.table.column(columns[1])[int(row)].as_py() if check.total_field else None
            trailers.append((batch.frame.first_record + int(row) + 1, count, amount))
    records = reader.summary.records
    if len(trailers) != 1:
        raise InvalidDataError(f"expected one {check.record} trailer record, found {len(trailers)}"
                               + (f" (records {', '.join(str(t[0]) for t in trailers[:5])})" if trailers else ""),
                               record=trailers[1][0] if len(trailers) > 1 else None)
    number, count, amount = trailers[0]
    if number != records:
        raise InvalidDataError(f"the {check.record} trailer is record {number} of {records}, not the last",
                               record=number)
    if count is None or int(count) != counted:
        raise InvalidDataError(f"trailer {check.count_field} says {count} records, the file has {counted}",
                               record=number, field=check.count_field)
    if check.total_field and check.total_of:
        if amount is None or Decimal(amount) != total:
            raise InvalidDataError(f"trailer {check.total_field} says {amount}, the {check.total_of} of the "
                                   f"counted records add up to {total}", record=number, field=check.total_field)
    return ControlResult(records=records, counted=counted, total=total if check.total_of else None)


def _column(layout: Layout, record: str | None, field: str) -> str:
    from bridge.records.plan import column_names

    f = layout.record(record).field(field) if record else layout.field(field)
    return column_names(layout)[f.path]
