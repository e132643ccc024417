"""Record matrix → Arrow table: the bulk decode path, one column at a time.

The decoder holds everything computed once per file (column names, plans per record
type, the ODO objects, the segment selector) and turns each framed `RecordBatch` into a
`pyarrow.Table` of flat columns. Rows are grouped, never looped over:

* by record type, when a segment field and map select the 01 record or REDEFINES branch;
* never by OCCURS DEPENDING ON counts: when tables are shifted (``odo_placement="shift"``)
  every row is placed by its own counts (`bridge.records.nested_odo.place`) and the
  occurrences of a table item that the rows hold are gathered and decoded in one call
  (`bridge.records.cells`), so a batch costs the same whatever mix of counts it holds and
  nothing past a row's count is decoded; with ``"max"`` tables keep their full size and
  occurrences past the count are masked.

A value is null when its bytes are invalid (counted per column; or `InvalidDataError`
with ``on_invalid="error"``), when it lies past the end of a short variable record, or
when its occurrence lies past the ODO count.
"""
from __future__ import annotations

from dataclasses import dataclass, field as dc_field
from typing import Iterable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bridge.codec.column import DecodedColumn, arrow_type, decode_column, is_string
from bridge.errors import BridgeError, InvalidDataError, LayoutError
from bridge.layout.model import Field, Kind, Layout, Record
from bridge.records.options import ReaderOptions
from bridge.records.plan import Column, ColumnPlan, column_names, plan_columns

__all__ = ["DecodedBatch", "RecordDecoder"]


@dataclass
class DecodedBatch:
    """One decoded batch: the table, the framed batch it came from, and invalid counts."""

    table: pa.Table
    frame: object                                   # bridge.frame.RecordBatch
    record_types: np.ndarray | None = None          # index into layout.records per row, when several
    invalid: dict[str, int] = dc_field(default_factory=dict)


@dataclass
class _TypeSelection:
    """Which record type (and REDEFINES branches) each row decodes as."""

    record_index: int
    branches: frozenset[tuple[str, ...]] | None     # excluded branch paths (other branches of the same area)


class RecordDecoder:
    """Decodes framed batches of one file with one layout and one set of options."""

    def __init__(self, layout: Layout, options: ReaderOptions, *, file: str | None = None,
                 columns: Iterable[str] | None = None) -> None:
        self.layout = layout
        self.options = options
        self.codec = options.codec
        self.file = file
        self.names = column_names(layout)
        if options.record:
            self.records = (layout.record(options.record),)
        else:
            self.records = layout.records
        self.wanted = set(columns) if columns is not None else None
        self._plans: dict[tuple[int, tuple], ColumnPlan] = {}
        self._pieces: dict[tuple, list | None] = {}   # `_decode_tables`' split of each item, shared by forks
        self._schema = self._build_schema()
        self._numeric_columns = sum(1 for f in self._schema if not pa.types.is_string(f.type))
        self._types = {f.name: f.type for f in self._schema}
        self._segment = self._build_segments()
        self.invalid: dict[str, int] = {}
        self.unmapped: dict[str, int] = {}          # selector values not in the segment map
        self.records_read = 0
        self.numeric_values = 0                     # numeric cells decoded, for the invalid rate
        self._text_sample: np.ndarray | None = None

    # -- schema ------------------------------------------------------------------------------
    def _base_plan(self, index: int) -> ColumnPlan:
        key = (index, ())
        if key not in self._plans:
            self._plans[key] = plan_columns(self.records[index], self.names)
        return self._plans[key]

    def _build_schema(self) -> pa.Schema:
        seen: dict[str, pa.Field] = {}
        types: dict[tuple[str, ...], pa.DataType] = {}   # every occurrence of an item has its type
        for i in range(len(self.records)):
            for col in self._base_plan(i).columns:
                if self.wanted is not None and col.name not in self.wanted:
                    continue
                if col.name not in seen:
                    typ = types.get(col.field.path)
                    if typ is None:
                        typ = types[col.field.path] = arrow_type(col.field)
                    seen[col.name] = pa.field(col.name, typ)
        if self.wanted is not None:
            missing = sorted(self.wanted - set(seen))
            if missing:
                raise LayoutError(f"no column named {', '.join(missing)} in the layout", field=missing[0])
        return pa.schema(list(seen.values()))

    @property
    def schema(self) -> pa.Schema:
        """Arrow schema of every table this decoder returns."""
        return self._schema

    def _build_segments(self):
        if not self.options.segment_field:
            return None
        selector = None
        for r in self.records:
            try:
                selector = r.field(self.options.segment_field)
                break
            except LayoutError:
                continue
        if selector is None:
            raise LayoutError(f"segment field {self.options.segment_field} is not in the copybook",
                              field=self.options.segment_field)
        if selector.dims or selector.variable_offset:
            raise LayoutError(f"segment field {selector.name} must be at a fixed offset, not in a table",
                              field=selector.name)
        mapping: dict[str, _TypeSelection] = {}
        for value, target in self.options.segment_map.items():
            mapping[self._selector_key(selector, value)] = self._selection_for(target)
        return selector, mapping

    def _selector_key(self, selector: Field, value: str) -> str:
        """A segment map value as the selector's values are compared: trimmed text, or for a
        numeric selector the number written as Arrow writes the decoded column (``01`` is ``1``)."""
        if is_string(selector):
            return value.strip(_SELECTOR_PAD)
        from decimal import Decimal, InvalidOperation

        try:
            number = Decimal(value.strip())
            typ = arrow_type(selector)
            return pc.cast(pa.array([number]).cast(typ), pa.string())[0].as_py()
        except (InvalidOperation, pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise LayoutError(f"--segment-map value {value!r} is not a number that segment field {selector.name} "
                              f"(PIC {selector.picture}) can hold", field=selector.name) from None

    def _selector_values(self, batch, selector: Field) -> np.ndarray:
        """Each record's selector value as text; a record too short to hold the field gives ''."""
        matrix = batch.matrix
        n, width = matrix.shape
        start, size = selector.offset, selector.length
        avail = np.clip(np.asarray(batch.lengths, dtype=np.int64) - start, 0, size)
        if start + size <= width:
            sub, offset = matrix, start
        else:  # every record is shorter than the field's end: read what there is
            sub = np.zeros((n, size), dtype=np.uint8)
            have = max(0, width - start)
            sub[:, :have] = matrix[:, start:start + have]
            offset = 0
        if is_string(selector):
            col = decode_column(sub, offset, selector, self.codec, avail=avail)
            text = pc.utf8_trim(col.array, _SELECTOR_PAD)
        else:
            col = decode_column(sub, offset, selector, self.codec)
            valid = pa.array(~col.invalid & (avail == size))
            text = pc.if_else(valid, pc.cast(col.array, pa.string()), pa.scalar("", pa.string()))
        return np.asarray(text.fill_null("").to_numpy(zero_copy_only=False), dtype=object)

    def _selection_for(self, target: str) -> _TypeSelection:
        name = target.strip().upper()
        for i, r in enumerate(self.records):
            if r.name == name:
                return _TypeSelection(i, None)
        for i, r in enumerate(self.records):
            try:
                branch = r.field(name)
            except LayoutError:
                continue
            excluded = _other_branches(r, branch)
            return _TypeSelection(i, frozenset(excluded))
        raise LayoutError(f"segment map target {target} is neither a 01 record nor an item of the copybook",
                          field=target)

    # -- decoding ----------------------------------------------------------------------------
    def decode(self, batch) -> DecodedBatch:
        """Decode one framed batch into a table with this decoder's schema."""
        n = batch.matrix.shape[0]
        self.records_read += n
        if n == 0:
            return DecodedBatch(self._schema.empty_table(), batch)
        if self._text_sample is None:
            self._text_sample = self._sample_text(batch)
        self.numeric_values += n * self._numeric_columns
        framed = batch
        if self.options.recfm == "TEXT":
            # a text line is its record right-trimmed by the transfer: the padding is the record's spaces
            from dataclasses import replace

            batch = replace(batch, lengths=np.full(n, batch.matrix.shape[1], dtype=np.int32))
        groups = self._group_by_type(batch)
        tables: list[pa.Table] = []
        order: list[np.ndarray] = []
        types = np.full(n, -1, dtype=np.int16) if len(self.records) > 1 else None
        for selections, rows in groups:
            sub = batch if rows is None else _take_rows(batch, rows)
            parts = [self._decode_record(sub, sel) for sel in selections]
            tables.append(_merge_columns(parts, self._schema, sub.matrix.shape[0]))
            order.append(np.arange(n) if rows is None else rows)
            if types is not None and len(selections) == 1:
                types[order[-1]] = selections[0].record_index
        if len(tables) == 1 and groups[0][1] is None:
            table = tables[0]
        else:
            table = pa.concat_tables(tables)
            inverse = np.empty(n, dtype=np.int64)
            inverse[np.concatenate(order)] = np.arange(n)
            table = table.take(pa.array(inverse))
        return DecodedBatch(table, framed, types, {})

    def _sample_text(self, batch) -> np.ndarray:
        """Bytes of the first records' text and zoned items (of the first record type), which
        tell an EBCDIC file from an ASCII one (binary and packed bytes would only blur that)."""
        from bridge.layout.model import Kind

        rows = batch.matrix[:1000]
        lengths = np.asarray(batch.lengths[:1000])
        parts = []
        for col in self._base_plan(0).columns:
            if col.field.kind in (Kind.ALPHANUMERIC, Kind.ZONED, Kind.NUMERIC_EDITED) and col.end <= rows.shape[1]:
                keep = lengths >= col.end
                parts.append(rows[keep, col.offset:col.end].ravel())
            if sum(p.size for p in parts) > 65536:
                break
        return np.concatenate(parts) if parts else np.empty(0, np.uint8)

    def codepage_hint(self) -> str | None:
        """When many numeric values were invalid and the text bytes look like the other code page
        family (EBCDIC read as ASCII or the reverse), one line saying so; else None."""
        if not self.numeric_values or sum(self.invalid.values()) < 0.2 * self.numeric_values:
            return None
        if self._text_sample is None:
            return None
        from bridge.codec.codepage import codepage_hint

        return codepage_hint(self._text_sample, self.codec.codepage)

    def fork(self) -> RecordDecoder:
        """A decoder for one batch decoded in another thread: this one's schema and plans, counters of its own.

        `absorb` adds its counts back; the plans cache is shared (a plan built twice by two
        threads is the same plan)."""
        import copy

        twin = copy.copy(self)
        twin.invalid, twin.unmapped, twin.records_read, twin.numeric_values = {}, {}, 0, 0
        return twin

    def absorb(self, twin: RecordDecoder) -> None:
        """Add the counts of a `fork` that decoded a batch (in file order, as a serial read counts)."""
        for mine, theirs in ((self.invalid, twin.invalid), (self.unmapped, twin.unmapped)):
            for key, count in theirs.items():
                mine[key] = mine.get(key, 0) + count
        self.records_read += twin.records_read
        self.numeric_values += twin.numeric_values
        if self._text_sample is None:
            self._text_sample = twin._text_sample

    def _group_by_type(self, batch) -> list[tuple[list[_TypeSelection], np.ndarray | None]]:
        every = [_TypeSelection(i, None) for i in range(len(self.records))]
        if self._segment is None:
            return [(every, None)]
        selector, mapping = self._segment
        # padding is spaces or low-values (x'00'): 'C' + four low-values selects as 'C' does
        values = self._selector_values(batch, selector)
        groups: list[tuple[list[_TypeSelection], np.ndarray | None]] = []
        matched = np.zeros(len(values), dtype=bool)
        for value, sel in mapping.items():
            rows = np.flatnonzero(values == value)
            matched[rows] = True
            if rows.size:
                groups.append(([sel], rows))
        rest = np.flatnonzero(~matched)
        if rest.size:
            groups.append((every, rest))
            seen, counts = np.unique(values[rest].astype(str), return_counts=True)
            for value, count in zip(seen.tolist(), counts.tolist()):
                self.unmapped[value] = self.unmapped.get(value, 0) + int(count)
        if len(groups) == 1 and groups[0][1].size == len(values):
            return [(groups[0][0], None)]
        return groups

    def _decode_record(self, batch, sel: _TypeSelection) -> dict[str, pa.Array]:
        record = self.records[sel.record_index]
        matrix = batch.matrix
        n = matrix.shape[0]
        bad = None
        if record.has_nested_odo:
            return self._decode_nested(record, sel, batch)
        if record.has_odo:
            counts, bad = self._counts(record, batch)
            decoded = self._decode_counted(record, sel, batch, counts)
        else:
            decoded = self._decode_plan(self._base_plan(sel.record_index), sel, batch, np.arange(n), None)
        if bad is not None:
            decoded = self._null_variable_part(record, decoded, bad, sel.record_index)
        return decoded

    def _counts(self, record: Record, batch) -> tuple[dict[tuple[str, ...], np.ndarray], np.ndarray | None]:
        """Each row's ODO counts, and the rows whose count is not numeric or out of range.

        Those rows are invalid data: with ``on_invalid="error"`` the first stops the read; by
        default the count is counted as invalid, the table and the items after it are null for
        that row, and the row is laid out with the table's minimum so the items before it decode.
        """
        counts = {}
        bad_any: np.ndarray | None = None
        for path in record.odo_objects:
            obj = next(f for f in record.fields if f.path == path)
            arr, invalid = count_numbers(decode_column(batch.matrix, obj.offset, obj, self.codec))
            table = _table_of(record, path)
            bad = invalid | (arr < table.occurs.min) | (arr > table.occurs.max)
            if bad.any():
                if self.codec.on_invalid == "error":
                    row = int(np.flatnonzero(bad)[0])
                    raw = bytes(batch.matrix[row, obj.offset:obj.end])
                    raise InvalidDataError(
                        f"OCCURS DEPENDING ON count {arr[row] if not invalid[row] else 'not numeric'} is "
                        f"outside {table.occurs.min} TO {table.occurs.max} for table {table.name}",
                        file=self.file, record=batch.first_record + row + 1,
                        offset=_file_offset(batch, row, obj.offset), field=obj.qualified_name, data=raw)
                name = self.names.get(obj.path, obj.name)
                self.invalid[name] = self.invalid.get(name, 0) + int(bad.sum())
                arr = np.where(bad, table.occurs.min, arr)
                bad_any = bad if bad_any is None else (bad_any | bad)
            counts[path] = arr
        return counts, bad_any

    def _decode_nested(self, record: Record, sel: _TypeSelection, batch) -> dict[str, pa.Array]:
        """Nested OCCURS DEPENDING ON: each record's counts walked (`bridge.records.nested_odo`),
        then each column read at every record's own offset."""
        from bridge.records.nested_odo import gather, place

        matrix = batch.matrix
        n = matrix.shape[0]
        lengths = np.asarray(batch.lengths, dtype=np.int64)

        def read_count(obj: Field, subs: tuple[int, ...], offsets: np.ndarray, live: np.ndarray):
            part = gather(matrix, offsets, obj.length)
            values, invalid = count_numbers(decode_column(part, 0, obj, self.codec))
            table = _table_of(record, obj.path)
            past = offsets + obj.length > lengths
            bad = live & (invalid | past | (values < table.occurs.min) | (values > table.occurs.max))
            if bad.any():
                name = _column_name(self.names, obj, subs)
                if self.codec.on_invalid == "error":
                    row = int(np.flatnonzero(bad)[0])
                    what = ("past the record's end" if past[row] else "not numeric" if invalid[row]
                            else f"{values[row]}, outside {table.occurs.min} TO {table.occurs.max}")
                    raise InvalidDataError(
                        f"OCCURS DEPENDING ON count of table {table.name} is {what}",
                        file=self.file, record=batch.first_record + row + 1,
                        offset=_file_offset(batch, row, int(offsets[row])), field=name,
                        data=bytes(part[row, :max(0, min(obj.length, int(lengths[row] - offsets[row])))]))
                self.invalid[name] = self.invalid.get(name, 0) + int(bad.sum())
            return values, bad

        placement = place(record, n, read_count, full=self.options.odo_placement == "max")
        return self._decode_placed(sel, batch, placement)

    def _decode_counted(self, record: Record, sel: _TypeSelection, batch,
                        counts: dict[tuple[str, ...], np.ndarray]) -> dict[str, pa.Array]:
        """OCCURS DEPENDING ON tables with one count per table: every row placed by its own counts
        in one walk (`bridge.records.nested_odo.place`; shifted, or full tables under
        ``odo_placement="max"``), then each column read once for the whole batch at each row's
        offset, occurrences past a row's count null.

        Rows with a bad count were already given the table's minimum by `_counts`; the caller
        nulls their variable part."""
        from bridge.records.nested_odo import place

        def read_count(obj: Field, subs: tuple[int, ...], offsets: np.ndarray, live: np.ndarray):
            return counts[obj.path], np.zeros(len(offsets), dtype=bool)

        placement = place(record, batch.matrix.shape[0], read_count, full=self.options.odo_placement == "max")
        return self._decode_placed(sel, batch, placement)

    def _decode_placed(self, sel: _TypeSelection, batch, placement) -> dict[str, pa.Array]:
        """Each wanted column of the batch, read at the offsets ``placement`` gives each row.

        The occurrences of one table item are read together: the cells the rows hold (within
        their counts and their record's length) are gathered one under another and decoded in
        one call, then each occurrence's slice is spread back over the rows, null where a row
        does not hold it. Nothing past a row's count is decoded, and a table of 50 occurrences
        costs one decode per item, not 50; the items of a table of fixed-size elements are
        read from one copy of its elements (`_decode_tables`)."""
        matrix = batch.matrix
        n = matrix.shape[0]
        lengths = np.asarray(batch.lengths, dtype=np.int64)
        columns = [col for col in self._base_plan(sel.record_index).columns
                   if self.wanted is None or col.name in self.wanted]
        singles: list[Column] = []
        items: dict[tuple[str, ...], list[Column]] = {}
        for col in columns:
            if sel.branches and any(col.field.path[:len(b)] == b for b in sel.branches):
                continue
            if col.subscripts:
                items.setdefault(col.field.path, []).append(col)
            else:
                singles.append(col)
        results: dict[str, tuple[pa.Array, np.ndarray | None, np.ndarray | None]] = {}
        self._decode_singles(singles, batch, placement, lengths, results)
        for cols in self._decode_tables(items, sel, batch, placement, lengths, results):
            self._decode_occurrences(cols, batch, placement, lengths, results)
        # invalid values are reported in column order, as a read of the columns one by one would
        out: dict[str, pa.Array] = {}
        types = self._types
        for col in columns:
            typ = types[col.name]
            if col.name not in results:
                out[col.name] = pa.nulls(n, typ)
                continue
            array, invalid, offsets = results.pop(col.name)
            if invalid is not None:
                self._invalid(col, batch, np.arange(n), invalid, offsets=offsets)
            out[col.name] = array.cast(typ) if array.type != typ else array
        return out

    def _decode_singles(self, columns: list[Column], batch, placement, lengths: np.ndarray, results: dict) -> None:
        """Items outside tables, each read at its offset in every row."""
        from bridge.records.nested_odo import gather

        matrix = batch.matrix
        n = matrix.shape[0]
        # the items of one fixed stretch (one offset array) are gathered as one block, then each is
        # read from it at its fixed distance: one gather per stretch, not one per column
        spots = [placement.base(col.field.path, col.subscripts) for col in columns]
        spans: dict[int, tuple[np.ndarray, int, int]] = {}
        for col, (base, k) in zip(columns, spots):
            if base is not None:
                _, lo, hi = spans.get(id(base), (base, k, k))
                spans[id(base)] = (base, min(lo, k), max(hi, k + col.field.length))
        block: tuple[int, np.ndarray] | None = None
        shortest = int(lengths.min()) if n else 0
        # the items at one offset in every record (the head of a VB+ODO record) are read from a
        # compact copy of their stretch: each decode then walks a few bytes per record, not a
        # record-wide stride (0.7 of the time on the 1 KB rows of the vb-odo shape)
        static = [(k, k + col.field.length) for col, (base, k) in zip(columns, spots) if base is None]
        head: tuple[int, np.ndarray] | None = None
        if len(static) > 1:
            lo, hi = min(a for a, _ in static), max(b for _, b in static)
            if hi <= shortest and 2 * (hi - lo) < matrix.shape[1]:
                head = (lo, np.ascontiguousarray(matrix[:, lo:hi]))
        for col, (base, k) in zip(columns, spots):
            f = col.field
            absent = ~placement.present(f.path, col.subscripts)
            avail = None
            if base is None and k + f.length <= shortest:
                offsets = None      # at one offset, within every record: nothing to cut
            else:
                offsets = placement.offsets(f.path, col.subscripts)
                if is_string(f):
                    avail = np.clip(lengths - offsets, 0, f.length).astype(np.int64)
                    absent |= lengths <= offsets
                else:
                    absent |= offsets + f.length > lengths
            if absent.all():
                continue
            if head is not None and base is None:   # every such item lies within the head
                source, at = head[1], k - head[0]
            elif base is None and k + f.length <= matrix.shape[1]:
                source, at = matrix, k
            elif base is None:
                source, at = gather(matrix, offsets, f.length), 0
            else:
                _, lo, hi = spans[id(base)]
                if block is None or block[0] != id(base):
                    block = (id(base), gather(matrix, base + lo, hi - lo))
                source, at = block[1], k - lo
            decoded = decode_column(source, at, f, self.codec, avail=avail)
            invalid = decoded.invalid & ~absent
            array = decoded.array
            if absent.any():
                array = _null_where(array, absent)
            if not invalid.any():
                invalid = None
            elif offsets is None:
                offsets = np.full(n, k, dtype=np.int64)
            results[col.name] = (array, invalid, offsets)

    def _decode_tables(self, items: dict[tuple[str, ...], list[Column]], sel: _TypeSelection, batch, placement,
                       lengths: np.ndarray, results: dict) -> list[list[Column]]:
        """The items of tables whose elements have one size, a table at a time: the elements the
        rows hold are copied once (`bridge.records.cells.gather_elements`) and each item is
        decoded from that copy in one call (one per occurrence of a fixed OCCURS inside the
        element), so a batch costs one copy per table and one decode per item, with no work
        per occurrence of the table. Returns the items left to `_decode_occurrences`: tables
        whose elements hold counts, deeper nesting, a subset of a table's occurrences
        (``columns=``), and tables some record ends inside."""
        from bridge.records.cells import gather_elements

        n = batch.matrix.shape[0]
        rest: list[list[Column]] = []
        # per table: (columns of one item, [(its columns at one inner subscript, offset in the element)])
        tables: dict[tuple[str, ...], list[tuple[list[Column], list[tuple[list[Column], int]]]]] = {}
        for cols in items.values():
            f = cols[0].field
            owner = f.dims[0].owner
            spot = placement.table(owner)
            # where the walk put the item's first occurrence in the first element (as the
            # cell-by-cell path reads it), not the copybook's offset
            pieces = None
            if spot is not None:
                # an item's columns are the same in every batch (the plan and `columns=` are the
                # decoder's), so its pieces are worked out once
                key = (sel.record_index, f.path, placement.base(f.path, cols[0].subscripts)[1] - spot.k)
                if key not in self._pieces:
                    self._pieces[key] = _pieces(f, cols, key[2])
                pieces = self._pieces[key]
            if pieces is None:
                rest.append(cols)
            else:
                tables.setdefault(owner, []).append((cols, pieces))
        for owner, group in tables.items():
            spot = placement.table(owner)
            lo = min(at for _, pieces in group for _, at in pieces)
            hi = max(at + cols[0].field.length for cols, pieces in group for _, at in pieces)
            starts = spot.starts(n) + lo
            held = spot.held
            # every cell a row holds lies within its record; else the cell-by-cell path cuts them
            last = starts + (held - 1) * spot.stride + (hi - lo)
            if ((held > 0) & (last > lengths)).any():
                rest.extend(cols for cols, _ in group)
                continue
            elements = gather_elements(batch.matrix, starts, held, spot.stride, hi - lo)
            mask = np.arange(1, spot.held.max(initial=0) + 1)[:, None] <= held[None, :]
            sizes = np.bincount(held, minlength=mask.shape[0] + 1)[::-1].cumsum()[::-1][1:]  # rows holding each
            validity = _validity(mask)   # one bitmap per occurrence, shared by every item without nulls
            # every item decoded before any is spread, the element copy dropped in between: the
            # compact values are smaller than the copy, so a streaming read holds less at its peak
            work = [(piece, at) for cols, pieces in group for piece, at in pieces]
            decoded = [_decode_item(elements, at - lo, piece[0].field, self.codec) for piece, at in work]
            del elements
            for piece, at in work:
                item = decoded.pop(0)
                invalid = None
                if item.invalid.any():
                    invalid = np.zeros(mask.shape, dtype=bool)
                    invalid[mask] = item.invalid
                if not mask.shape[0]:
                    arrays = []
                elif isinstance(item, _Unscaled):
                    arrays = _spread_decimal(item, mask, sizes, validity)
                else:
                    arrays = _spread(item.array, mask, sizes, validity)
                del item
                for c, col in enumerate(piece):
                    array = arrays[c] if c < len(arrays) else None
                    if array is None:
                        continue
                    bad = None if invalid is None or not invalid[c].any() else invalid[c]
                    offsets = None if bad is None else starts - lo + at + c * spot.stride
                    results[col.name] = (array, bad, offsets)
        return rest

    def _decode_occurrences(self, columns: list[Column], batch, placement, lengths: np.ndarray,
                            results: dict) -> None:
        """Every occurrence of one table item: the cells the rows hold, decoded in one call."""
        from bridge.records.cells import gather_cells

        f = columns[0].field
        n = batch.matrix.shape[0]
        string = is_string(f)
        offsets = np.empty((len(columns), n), dtype=np.int64)
        held = np.empty((len(columns), n), dtype=bool)
        for c, col in enumerate(columns):
            offsets[c] = placement.offsets(f.path, col.subscripts)
            held[c] = placement.present(f.path, col.subscripts)
        held &= (lengths > offsets) if string else (offsets + f.length <= lengths)
        sizes = held.sum(axis=1)
        if not sizes.any():
            return
        part = gather_cells(batch.matrix, held, offsets, f.length)
        avail = np.clip((lengths - offsets)[held], 0, f.length) if string else None  # in gathered order
        decoded = decode_column(part, 0, f, self.codec, avail=avail)
        invalid = None
        if decoded.invalid.any():
            invalid = np.zeros(held.shape, dtype=bool)
            invalid[held] = decoded.invalid
        for c, (col, array) in enumerate(zip(columns, _spread(decoded.array, held))):
            if array is not None:
                bad = None if invalid is None or not invalid[c].any() else invalid[c]
                results[col.name] = (array, bad, offsets[c])

    def _null_variable_part(self, record: Record, decoded: dict[str, pa.Array], bad: np.ndarray,
                            index: int) -> dict[str, pa.Array]:
        """Null, in the rows of ``bad``, the ODO objects, their tables and the items after them."""
        mask = pa.array(bad)
        objects = set(record.odo_objects)
        for col in self._base_plan(index).columns:
            f = col.field
            if col.name not in decoded:
                continue
            if f.variable_offset or f.path in objects or any(d.depending_path for d in f.dims):
                arr = decoded[col.name]
                decoded[col.name] = pc.if_else(mask, pa.nulls(len(arr), arr.type), arr)
        return decoded

    def _decode_plan(self, plan: ColumnPlan, sel: _TypeSelection, batch, rows: np.ndarray,
                     counts: dict[tuple[str, ...], np.ndarray] | None) -> dict[str, pa.Array]:
        matrix = batch.matrix
        n, width = matrix.shape
        lengths = np.asarray(batch.lengths)
        short = bool((lengths < width).any()) if lengths is not None else False
        together = self._together(plan, sel, matrix, lengths if short else None)
        out: dict[str, pa.Array] = {}
        for col in plan.columns:
            if self.wanted is not None and col.name not in self.wanted:
                continue
            typ = self._schema.field(col.name).type
            if sel.branches and any(col.field.path[:len(b)] == b for b in sel.branches):
                out[col.name] = pa.nulls(n, typ)
                continue
            absent = self._absent(col, counts, n)
            if col.end > width:
                out[col.name] = _partial_string(matrix, col, lengths, absent, self.codec, typ) \
                    if is_string(col.field) and col.offset < width else pa.nulls(n, typ)
                continue
            avail = None
            if short:
                fits = lengths >= col.end
                if is_string(col.field):
                    avail = np.clip(lengths - col.offset, 0, col.field.length).astype(np.int64)
                    absent = absent | (lengths <= col.offset) if absent is not None else (lengths <= col.offset)
                else:
                    absent = absent | ~fits if absent is not None else ~fits
            decoded = together.get(col.name)
            if decoded is None:
                decoded = decode_column(matrix, col.offset, col.field, self.codec, avail=avail)
            invalid = decoded.invalid
            if absent is not None:
                invalid = invalid & ~absent
            if invalid.any():
                self._invalid(col, batch, rows, invalid)
                mask = invalid if absent is None else (invalid | absent)
            else:
                mask = absent
            array = decoded.array
            if mask is not None and mask.any():
                array = pc.if_else(pa.array(mask), pa.nulls(n, array.type), array)
            if array.type != typ:
                array = array.cast(typ)
            out[col.name] = array
        return out

    def _together(self, plan: ColumnPlan, sel: _TypeSelection, matrix: np.ndarray,
                  lengths: np.ndarray | None) -> dict[str, DecodedColumn]:
        """The plan's PIC X columns, zoned and packed ones of up to 18 digits and binary ones that fit
        int64, where they lie within the matrix: each kind decoded together in one pass over the rows
        (``decode_many`` of `alphanumeric`, `zoned`, `packed`, `binary`), instead of one strided pass per
        column; ``lengths`` cut short records' strings, as ``avail`` does."""
        from bridge.codec import alphanumeric, binary, packed, zoned
        from bridge.codec.jit import interpreted

        width = matrix.shape[1]
        # the numeric many-column kernels have no small path: a small batch while numba is not
        # loaded decodes those columns one at a time (the start-up of a ten-record command)
        numbers = not interpreted(matrix.shape[0])
        texts: list[Column] = []
        packs: list[Column] = []
        bins: list[Column] = []
        zones: list[Column] = []
        for col in plan.columns:
            if col.end > width or (self.wanted is not None and col.name not in self.wanted) \
                    or (sel.branches and any(col.field.path[:len(b)] == b for b in sel.branches)):
                continue
            if col.field.kind in (Kind.ALPHANUMERIC, Kind.ALPHANUMERIC_EDITED):
                texts.append(col)
            elif not numbers:
                continue
            elif col.field.kind is Kind.PACKED and packed.batchable(col.field):
                packs.append(col)
            elif col.field.kind is Kind.BINARY and binary.batchable(col.field):
                bins.append(col)
            elif col.field.kind is Kind.ZONED and zoned.batchable(col.field):
                zones.append(col)
        out: dict[str, DecodedColumn] = {}
        if texts:
            arrays = alphanumeric.decode_many(matrix, [c.offset for c in texts], [c.field for c in texts],
                                              self.codec, ends=lengths)
            clean = np.zeros(matrix.shape[0], dtype=bool)
            out.update((c.name, DecodedColumn(a, clean)) for c, a in zip(texts, arrays))
        if packs:
            pairs = packed.decode_many(matrix, [c.offset for c in packs], [c.field for c in packs])
            out.update((c.name, DecodedColumn(a, bad)) for c, (a, bad) in zip(packs, pairs))
        if bins:
            pairs = binary.decode_many(matrix, [c.offset for c in bins], [c.field for c in bins], self.codec)
            out.update((c.name, DecodedColumn(a, bad)) for c, (a, bad) in zip(bins, pairs))
        if zones:
            pairs = zoned.decode_many(matrix, [c.offset for c in zones], [c.field for c in zones], self.codec)
            out.update((c.name, DecodedColumn(a, bad)) for c, (a, bad) in zip(zones, pairs))
        return out

    def _absent(self, col: Column, counts, n: int) -> np.ndarray | None:
        if not col.subscripts or counts is None:
            return None
        absent = None
        for sub, dim in zip(col.subscripts, col.field.dims):
            if dim.depending_path is None:
                continue
            beyond = counts[dim.depending_path] < sub
            absent = beyond if absent is None else (absent | beyond)
        return absent

    def _invalid(self, col: Column, batch, rows: np.ndarray, invalid: np.ndarray,
                 offsets: np.ndarray | None = None) -> None:
        count = int(invalid.sum())
        self.invalid[col.name] = self.invalid.get(col.name, 0) + count
        if self.codec.on_invalid == "error":
            row = int(np.flatnonzero(invalid)[0])
            start = col.offset if offsets is None else int(offsets[row])
            raw = bytes(batch.matrix[row, start:start + col.field.length])
            what = f"{col.field.kind.value} PIC {col.field.picture}" if col.field.picture else col.field.kind.value
            raise InvalidDataError(
                f"invalid {what} data", file=self.file,
                record=batch.first_record + row + 1,
                offset=_file_offset(batch, row, start),
                field=col.name, data=raw)


# -- helpers ---------------------------------------------------------------------------------

_SELECTOR_PAD = " \t\r\n\x00"

def _other_branches(record: Record, branch: Field) -> list[tuple[str, ...]]:
    """Paths of the items that share ``branch``'s storage as other REDEFINES branches."""
    parent_path = branch.path[:-1]
    parent = next(f for f in record.fields if f.path == parent_path)
    target = branch.redefines or branch.name
    family = [c for c in parent.children if c.name == target or c.redefines == target]
    return [c.path for c in family if c.path != branch.path]


def count_numbers(col) -> tuple[np.ndarray, np.ndarray]:
    """An ODO count column (`DecodedColumn`) as int64 values and the rows that are not a count;
    a count kept in PIC X is read as its digits, anything else there is invalid."""
    values = col.array
    invalid = col.invalid
    if pa.types.is_decimal(values.type):
        values = pc.cast(values, pa.int64())
    elif pa.types.is_string(values.type):
        text = pc.utf8_trim_whitespace(values)
        digits = pc.fill_null(pc.utf8_is_digit(text), False)
        invalid = invalid | ~np.asarray(digits.to_numpy(zero_copy_only=False), dtype=bool)
        values = pc.cast(pc.if_else(digits, text, "0"), pa.int64())
    if pa.types.is_integer(values.type) and values.offset == 0:
        # read from the buffers: a binary or zoned count (the common kind) then needs no Arrow
        # compute function, whose first call costs a streaming read some 40 MB of resident memory
        kind = f"{'u' if pa.types.is_unsigned_integer(values.type) else ''}int{values.type.bit_width}"
        numbers = np.frombuffer(values.buffers()[1], dtype=kind, count=len(values))
        numbers = numbers.astype(np.int64)
        if values.null_count:
            valid = np.unpackbits(np.frombuffer(values.buffers()[0], dtype=np.uint8), count=len(values),
                                  bitorder="little").view(bool)
            numbers[~valid] = 0
        return numbers, invalid
    return np.asarray(values.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64), invalid


def _pieces(f: Field, cols: list[Column], first: int) -> list[tuple[list[Column], int]] | None:
    """``f``'s columns (every occurrence of a table item, in plan order) split by the subscript of
    a fixed OCCURS inside the table's element, each with its offset in the element (``first``:
    that of the first one); None when ``f`` lies deeper, or not every occurrence is asked for."""
    if len(f.dims) == 1:
        if len(cols) != f.dims[0].max or any(col.subscripts != (i,) for i, col in enumerate(cols, 1)):
            return None
        return [(cols, first)]
    if len(f.dims) != 2 or f.dims[1].depending_path is not None or len(cols) != f.dims[0].max * f.dims[1].max:
        return None
    inner = f.dims[1]
    pieces = []
    for j in range(1, inner.max + 1):
        piece = cols[j - 1::inner.max]
        if any(col.subscripts != (i, j) for i, col in enumerate(piece, 1)):
            return None
        pieces.append((piece, first + (j - 1) * inner.stride))
    return pieces


def _column_name(names: dict[tuple[str, ...], str], f: Field, subs: tuple[int, ...]) -> str:
    base = names.get(f.path, f.name)
    return f"{base}({','.join(map(str, subs))})" if subs else base


def _table_of(record: Record, object_path: tuple[str, ...]) -> Field:
    for f in record.fields:
        if f.occurs and f.occurs.depending_path == object_path:
            return f
    raise BridgeError(f"no table depends on {'.'.join(object_path)}")  # pragma: no cover


def _take_rows(batch, rows: np.ndarray):
    from dataclasses import replace

    offsets = None if batch.file_offsets is None else np.asarray(batch.file_offsets)[rows]
    return replace(batch, matrix=np.ascontiguousarray(batch.matrix[rows]),
                   lengths=np.asarray(batch.lengths)[rows], file_offsets=offsets,
                   blocks=None, line_ends=None)


def _file_offset(batch, row: int, offset: int) -> int | None:
    if batch.file_offsets is None:
        return None
    return int(batch.file_offsets[row]) + offset


@dataclass
class _Unscaled:
    """A decimal table item's unscaled int64 values, made decimal128 only as they are spread."""

    values: np.ndarray          # int64 (cells,)
    invalid: np.ndarray         # bool (cells,)
    type: pa.DataType           # what `to_arrow` makes of them


def _decode_item(matrix: np.ndarray, offset: int, field: Field, codec) -> DecodedColumn | _Unscaled:
    """`decode_column`, except that a decimal of at most 18 digits stays int64: `to_arrow` would
    widen it to a 128-bit copy that the spread then copies again (`_spread_decimal` widens and
    spreads in one pass)."""
    if is_string(field):
        return decode_column(matrix, offset, field, codec)
    from bridge.codec.column import codec_for
    from bridge.codec.numeric import MAX_PRECISION, to_arrow

    numbers = codec_for(field).decode(matrix, offset, field, codec)
    invalid = np.asarray(numbers.invalid, dtype=bool)
    precision = max(1, numbers.precision, numbers.scale)
    if numbers.kind != "float" and numbers.scale > 0 and numbers.values.ndim == 1 and precision <= MAX_PRECISION:
        return _Unscaled(numbers.values, invalid, pa.decimal128(precision, numbers.scale))
    return DecodedColumn(to_arrow(numbers), invalid)


def _spread_decimal(item: _Unscaled, held: np.ndarray, sizes: np.ndarray,
                    validity: list[pa.Buffer] | None) -> list[pa.Array | None]:
    """`_spread` of an `_Unscaled` item: one decimal128 array per occurrence (None where no row
    holds it), invalid cells null."""
    from bridge.records.cells import spread_widened

    n = held.shape[1]
    if item.invalid.any() or validity is None:
        valid = held
        if item.invalid.any():
            valid = held.copy()
            valid[held] = ~item.invalid
        validity = _validity(valid)
    full = spread_widened(item.values, held, sizes)
    return [None if not sizes[c] else pa.Array.from_buffers(item.type, n, [validity[c], pa.py_buffer(full[c])])
            for c in range(held.shape[0])]


def _spread(values: pa.Array, held: np.ndarray, sizes: np.ndarray | None = None,
            validity: list[pa.Buffer] | None = None) -> list[pa.Array | None]:
    """One array per row of ``held`` (occurrences x rows): ``values`` holds, occurrence after
    occurrence, the value of every row that holds it; the other rows are null. None for an
    occurrence no row holds. Fixed-width values are scattered by one compiled pass for all
    occurrences; strings keep ``values``' character data and get offsets of their own.
    ``sizes``: ``held.sum(axis=1)``, when the caller knows it. ``validity``: ``held``'s rows as
    Arrow bitmaps (`_validity`), shared by the items of one table and used when ``values`` has
    no nulls."""
    from bridge.records.cells import spread_fixed, spread_offsets

    count, n = held.shape
    if sizes is None:
        sizes = held.sum(axis=1)
    valid = held
    bitmaps: list[pa.Buffer] | None = validity if not values.null_count else None
    if values.null_count:
        valid = held.copy()
        bits = values.buffers()[0]
        if bits is not None:   # the validity bitmap as bools: no Arrow compute call (see count_numbers)
            valid[held] = np.unpackbits(np.frombuffer(bits, dtype=np.uint8), count=values.offset + len(values),
                                        bitorder="little")[values.offset:].view(bool)
        else:  # pragma: no cover - a null type has no bitmap
            valid[held] = False
    if bitmaps is None:
        bitmaps = _validity(valid)
    typ = values.type
    buffers = values.buffers()
    out: list[pa.Array | None] = []
    if (pa.types.is_string(typ) or pa.types.is_binary(typ) or pa.types.is_large_string(typ)
            or pa.types.is_large_binary(typ)) and values.offset == 0:
        kind = np.int64 if (pa.types.is_large_string(typ) or pa.types.is_large_binary(typ)) else np.int32
        offsets = spread_offsets(np.frombuffer(buffers[1], dtype=kind)[:len(values) + 1], held, sizes)
        for c in range(count):
            out.append(None if not sizes[c] else pa.Array.from_buffers(
                typ, n, [bitmaps[c], pa.py_buffer(offsets[c]), buffers[2]]))
        return out
    width = typ.bit_width // 8 if (pa.types.is_primitive(typ) or pa.types.is_decimal(typ)) \
        and not pa.types.is_boolean(typ) else 0
    if width and width % 4 == 0 and values.offset == 0:
        unit = np.uint64 if width % 8 == 0 else np.uint32
        per = width // np.dtype(unit).itemsize
        full = spread_fixed(np.frombuffer(buffers[1], dtype=unit)[:len(values) * per].reshape(-1, per), held, sizes)
        for c in range(count):
            out.append(None if not sizes[c] else pa.Array.from_buffers(
                typ, n, [bitmaps[c], pa.py_buffer(full[c])]))
        return out
    start = 0
    for c in range(count):  # any other type: Arrow's take, nulls where the row does not hold it
        if not sizes[c]:
            out.append(None)
            continue
        index = np.zeros(n, dtype=np.int64)
        index[held[c]] = np.arange(start, start + sizes[c])
        start += int(sizes[c])
        out.append(values.take(pa.array(index, mask=~held[c])))
    return out


def _validity(valid: np.ndarray) -> list[pa.Buffer]:
    """Each row of ``valid`` (occurrences x rows) as an Arrow validity bitmap."""
    bits = np.packbits(valid, axis=1, bitorder="little")
    return [pa.py_buffer(row) for row in bits]


def _null_where(array: pa.Array, mask: np.ndarray) -> pa.Array:
    """``array`` with the rows of ``mask`` null: its validity bitmap rewritten, its values shared
    (``pc.if_else`` would copy every value of every column of the table)."""
    if array.offset != 0 or not (pa.types.is_primitive(array.type) or pa.types.is_decimal(array.type)
                                 or pa.types.is_string(array.type) or pa.types.is_binary(array.type)) \
            or pa.types.is_boolean(array.type):
        return pc.if_else(pa.array(mask), pa.nulls(len(array), array.type), array)
    buffers = array.buffers()
    valid = ~mask
    if buffers[0] is not None and array.null_count:
        held = np.unpackbits(np.frombuffer(buffers[0], dtype=np.uint8), count=len(array), bitorder="little")
        valid &= held.view(bool)
    validity = pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(array.type, len(array), [validity, *buffers[1:]])


def _merge_columns(parts: list[dict[str, pa.Array]], schema: pa.Schema, n: int) -> pa.Table:
    arrays = []
    for f in schema:
        arr = None
        for part in parts:
            if f.name in part:
                arr = part[f.name]
                break
        arrays.append(arr if arr is not None else pa.nulls(n, f.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _partial_string(matrix, col: Column, lengths, absent, codec, typ) -> pa.Array:
    """A string column that starts inside the matrix but runs past its width (short V records)."""
    width = matrix.shape[1]
    padded = np.zeros((matrix.shape[0], col.end), dtype=np.uint8)
    padded[:, :width] = matrix
    avail = np.clip(lengths - col.offset, 0, col.field.length).astype(np.int64)
    decoded = decode_column(padded, col.offset, col.field, codec, avail=avail)
    mask = lengths <= col.offset
    if absent is not None:
        mask = mask | absent
    arr = decoded.array
    if mask.any():
        arr = pc.if_else(pa.array(mask), pa.nulls(len(arr), arr.type), arr)
    return arr.cast(typ) if arr.type != typ else arr
