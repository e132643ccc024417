"""Arrow table → record matrix: fresh records, or values patched into the original bytes.

Two modes, one column at a time:

* **fresh** (`RecordEncoder.encode`): records start as the code page's spaces with every
  numeric item of the redefined (first) view at zero, as COBOL's INITIALIZE leaves them;
  then every non-null value is written. A null string stays spaces and a null number zero.
  Under REDEFINES the first view is written when it has values; another view given alone
  is written alone; when several views are given, the others must agree with what the
  first wrote (checked by decoding them back). An OCCURS DEPENDING ON count and the
  values of its table must agree: a value past the count is an error.
* **patch** (`RecordEncoder.patch`): the original records are copied and only the named
  columns are rewritten, in the rows where a value is given (null leaves the field as it
  was). Every other byte (FILLER, other REDEFINES views, fields not named, their invalid
  values and unusual sign nibbles) stays exactly as it was. This is what scoring uses.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bridge.codec.column import decode_column, encode_column_into, is_string
from bridge.codec.numeric import from_values
from bridge.errors import EncodeError, LayoutError
from bridge.layout.model import Kind, Layout, Record
from bridge.records.options import ReaderOptions
from bridge.records.plan import Column, ColumnPlan, column_names, plan_columns

__all__ = ["EncodedRecords", "RecordEncoder"]


@dataclass
class EncodedRecords:
    matrix: np.ndarray      # uint8 (n, width)
    lengths: np.ndarray     # int32 (n,)


class RecordEncoder:
    """Writes values of one record type into record bytes."""

    def __init__(self, layout: Layout, options: ReaderOptions, *, record: str | None = None,
                 truncate: bool = False, rounding: str | None = None, on_overflow: str = "error") -> None:
        self.layout = layout
        self.options = options
        self.codec = options.codec
        self.record = layout.record(record or options.record)
        self.names = column_names(layout)
        self.plan = plan_columns(self.record, self.names)
        self._areas = _redefines_areas(self.record)
        self.truncate = truncate          # strings only
        self.on_overflow = on_overflow    # numbers: "error", or "truncate" as COBOL's MOVE
        self.rounding = rounding
        self._plans: dict[tuple, ColumnPlan] = {(): self.plan}
        from bridge.codec.codepage import codepage

        self.space = codepage(self.codec.codepage).space

    # -- fresh records -----------------------------------------------------------------------
    def encode(self, table: pa.Table) -> EncodedRecords:
        """Fresh records from a table whose columns are named as `read_records` names them."""
        n = table.num_rows
        record = self.record
        unknown = [c for c in table.column_names if c not in self.plan.by_name()]
        if unknown:
            raise LayoutError(f"column(s) {', '.join(unknown[:5])} are not items of record {record.name}",
                              field=unknown[0])
        if record.has_nested_odo:
            return self._encode_nested(table)
        if record.has_odo and self.options.odo_placement == "shift":
            return self._encode_shifted(table)
        matrix = np.full((n, record.length), self.space, dtype=np.uint8)
        counts = self._counts(table) if record.has_odo else None
        self._write_fresh(matrix, self.plan, table, np.arange(n), counts)
        lengths = np.full(n, record.length, dtype=np.int32)
        return EncodedRecords(matrix, lengths)

    def _encode_shifted(self, table: pa.Table) -> EncodedRecords:
        n = table.num_rows
        record = self.record
        counts = self._counts(table)
        paths = list(counts)
        stacked = np.stack([counts[p] for p in paths], axis=1)
        combos, inverse = np.unique(stacked, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        matrix = np.full((n, record.length), self.space, dtype=np.uint8)
        lengths = np.empty(n, dtype=np.int32)
        for g, combo in enumerate(combos):
            rows = np.flatnonzero(inverse == g)
            key = tuple(int(c) for c in combo)
            resolved = record.resolve(dict(zip(paths, key)))
            if key not in self._plans:
                self._plans[key] = plan_columns(record, self.names, resolved=resolved)
            sub = np.full((rows.size, record.length), self.space, dtype=np.uint8)
            self._write_fresh(sub, self._plans[key], table.take(pa.array(rows)), rows,
                              {p: counts[p][rows] for p in paths})
            matrix[rows] = sub
            lengths[rows] = resolved.length
        return EncodedRecords(matrix, lengths)

    def _encode_nested(self, table: pa.Table) -> EncodedRecords:
        """Nested OCCURS DEPENDING ON: the counts given in the table place every record's items
        (`bridge.records.nested_odo`); each column is written at each record's own offset."""
        from bridge.records.nested_odo import place

        n = table.num_rows
        record = self.record
        given = set(table.column_names)

        def read_count(obj, subs, offsets, live):
            name = self.names[obj.path] + (f"({','.join(map(str, subs))})" if subs else "")
            if name not in given:
                if live.any():
                    raise EncodeError(f"the OCCURS DEPENDING ON count {name} is missing", field=name)
                return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
            numbers = from_values(table.column(name).combine_chunks(), obj.with_changes(scale=0))
            if numbers.values.ndim != 1:
                raise EncodeError(f"the OCCURS DEPENDING ON count {name} has too many digits", field=name)
            values = np.where(numbers.invalid, 0, numbers.values).astype(np.int64)  # null: no occurrences
            occurs = next(f for f in record.fields if f.occurs and f.occurs.depending_path == obj.path).occurs
            outside = live & ((values < occurs.min) | (values > occurs.max))
            if outside.any():
                row = int(np.flatnonzero(outside)[0])
                raise EncodeError(f"OCCURS DEPENDING ON count {int(values[row])} is outside {occurs.min} TO "
                                  f"{occurs.max}", row=row, field=name, picture=obj.picture)
            return values, np.zeros(n, dtype=bool)

        full = self.options.odo_placement == "max"
        placement = place(record, n, read_count, full=full)
        matrix = np.full((n, record.length), self.space, dtype=np.uint8)
        self._write_fresh(matrix, self.plan, table, np.arange(n), None, placement=placement)
        lengths = np.full(n, record.length, dtype=np.int32) if full else placement.ends.astype(np.int32)
        return EncodedRecords(matrix, lengths)

    def placement(self, matrix: np.ndarray, lengths: np.ndarray | None = None):
        """Where each item lies in each of these records (nested OCCURS DEPENDING ON only), from
        the counts their bytes hold; a record whose count is bad holds nothing after it."""
        from bridge.records.decode import count_numbers
        from bridge.records.nested_odo import gather, place

        n, width = matrix.shape
        ends = np.full(n, width, dtype=np.int64) if lengths is None else np.asarray(lengths, dtype=np.int64)

        def read_count(obj, subs, offsets, live):
            values, invalid = count_numbers(decode_column(gather(matrix, offsets, obj.length), 0, obj, self.codec))
            occurs = next(f for f in self.record.fields if f.occurs and f.occurs.depending_path == obj.path).occurs
            bad = invalid | (offsets + obj.length > ends) | (values < occurs.min) | (values > occurs.max)
            return values, bad

        return place(self.record, n, read_count, full=self.options.odo_placement == "max")

    def _counts(self, table: pa.Table) -> dict[tuple[str, ...], np.ndarray]:
        counts = {}
        for path in self.record.odo_objects:
            name = self.names[path]
            if name not in table.column_names:
                raise EncodeError(f"the OCCURS DEPENDING ON count {name} is missing", field=name)
            arr = table.column(name).combine_chunks()
            obj = next(f for f in self.record.fields if f.path == path)
            # parsed as the count item's own values (a string, a float, a 40-digit number: refused by name)
            numbers = from_values(arr, obj.with_changes(scale=0))
            if numbers.values.ndim != 1:
                raise EncodeError(f"the OCCURS DEPENDING ON count {name} has too many digits", field=name)
            values = np.where(numbers.invalid, 0, numbers.values)  # null: no occurrences
            dims = [d for f in self.record.fields for d in f.dims if d.depending_path == path]
            low = min((d.min for d in dims), default=0)
            high = max((d.max for d in dims), default=0)
            outside = (values < low) | (values > high)
            if outside.any():
                row = int(np.flatnonzero(outside)[0])
                raise EncodeError(f"OCCURS DEPENDING ON count {int(values[row])} is outside {low} TO {high}",
                                  row=row, field=name, picture=obj.picture)
            counts[path] = values.astype(np.int64)
        return counts

    def _write_fresh(self, matrix: np.ndarray, plan: ColumnPlan, table: pa.Table, rows: np.ndarray,
                     counts, *, placement=None) -> None:
        n = matrix.shape[0]
        given = set(table.column_names)
        # 1. INITIALIZE: numbers of the first view to zero; not those that step 2 writes in every
        #    row (a value for each row), whose bytes it replaces whole
        for col in plan.columns:
            area = self._areas.get(col.field.path)
            if col.field.kind.is_numeric and (area is None or area[1]) and col.end <= matrix.shape[1]:
                if col.name in given and table.column(col.name).null_count == 0:
                    continue
                if placement is not None:  # each record's own offset: the occurrences it holds
                    here = placement.present(col.field.path, col.subscripts)
                    _write_placed(matrix, placement, col, col.field, pa.array(np.zeros(n, dtype=np.int64)),
                                  self.codec, here, {})
                    continue
                if not _present(col, counts, n).all():
                    continue
                encode_column_into(matrix, col.offset, col.field, pa.array(np.zeros(n, dtype=np.int64)), self.codec)
        # 2. values: first views, then other views where their area's first view had no value
        written_area: dict[tuple[str, ...], np.ndarray] = {}
        for col in plan.columns:
            if col.name not in given:
                continue
            values = table.column(col.name).combine_chunks()
            has = np.asarray(values.is_valid().to_numpy(zero_copy_only=False), dtype=bool) \
                if values.null_count else np.ones(n, dtype=bool)
            present = _present(col, counts, n) if placement is None \
                else placement.present(col.field.path, col.subscripts)
            beyond = has & ~present
            if beyond.any():
                row = int(np.flatnonzero(beyond)[0])
                raise EncodeError("a value is given past the OCCURS DEPENDING ON count of its table",
                                  row=int(rows[row]), field=col.name, picture=col.field.picture)
            area = self._areas.get(col.field.path)
            mask = has
            if area is not None:
                area_key, is_first = area
                done = written_area.setdefault(area_key, np.zeros(n, dtype=bool))
                if is_first:
                    done |= has
                else:
                    mask = has & ~done
            if not mask.any():
                continue
            options = dict(rounding=self.rounding, truncate=self.truncate, on_overflow=self.on_overflow)
            try:
                if placement is not None:
                    _write_placed(matrix, placement, col, col.field, values, self.codec, mask, options)
                else:
                    encode_column_into(matrix, col.offset, col.field, values, self.codec,
                                       mask=None if mask.all() else mask, **options)
            except EncodeError as exc:
                raise _with_row(exc, col, rows) from None
        # 3. other views given together with the first must agree with what was written
        for col in plan.columns:
            area = self._areas.get(col.field.path)
            if col.name not in given or area is None or area[1]:
                continue  # not in a REDEFINES family, or in its first view (which was written)
            both = written_area.get(area[0])  # rows where the first view was given, so this one was not written
            if both is not None and both.any():
                self._check_agrees(matrix, col, table.column(col.name).combine_chunks(), rows, both,
                                   placement=placement)

    def _check_agrees(self, matrix: np.ndarray, col: Column, values: pa.Array, rows: np.ndarray,
                      check: np.ndarray, *, placement=None) -> None:
        """The values given for another view must read back from the bytes the first view wrote."""
        if placement is not None:
            from bridge.records.nested_odo import gather

            part = gather(matrix, placement.offsets(col.field.path, col.subscripts), col.field.length)
            decoded = decode_column(part, 0, col.field, self.codec).array
        else:
            decoded = decode_column(matrix, col.offset, col.field, self.codec).array
        if decoded.type != values.type:
            try:
                values = values.cast(decoded.type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                decoded = decoded.cast(pa.string())
                values = values.cast(pa.string())
        if is_string(col.field):
            decoded = pc.utf8_rtrim_whitespace(decoded)
            values = pc.utf8_rtrim_whitespace(values)
        given = np.asarray(values.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        # a view that does not even decode from those bytes (null) disagrees too
        differs = pc.fill_null(pc.not_equal(decoded, values), True)
        bad = np.asarray(differs.to_numpy(zero_copy_only=False), dtype=bool) & given & check
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise EncodeError(
                f"REDEFINES views disagree: {values[row].as_py()!r} given, but the bytes written for the "
                f"redefined item read {decoded[row].as_py()!r} here; give one view only",
                row=int(rows[row]), field=col.name, picture=col.field.picture)

    # -- patch -------------------------------------------------------------------------------
    def patch(self, matrix: np.ndarray, table: pa.Table, *, lengths: np.ndarray | None = None,
              as_stored: bool = False) -> np.ndarray:
        """Write ``table``'s columns into a copy of ``matrix``, in the rows where a value is given
        (null leaves the field as it was); nothing else changes.

        ``lengths``: each record's length; a field past it is not written (a short V record is
        never lengthened). Records must all have the layout's offsets (no shifted ODO tables
        before the columns).
        ``as_stored``: binary values are limited by their storage, not their PICTURE (values read
        under TRUNC(BIN) go back as they were read; the round trip uses this).
        """
        out = np.array(matrix, dtype=np.uint8, copy=True, order="C")
        plan = self.plan.by_name()
        n = out.shape[0]
        placement = self.placement(out, lengths) if self.record.has_nested_odo else None
        for name in table.column_names:
            col = plan.get(name)
            if col is None:
                raise LayoutError(f"column {name} is not an item of record {self.record.name}", field=name)
            if col.field.variable_offset and self.options.odo_placement == "shift" and placement is None:
                raise LayoutError(f"{name} follows an OCCURS DEPENDING ON table; patching it needs each "
                                  "record's own offsets, which patch does not support yet", field=name)
            values = table.column(name).combine_chunks()
            mask = np.asarray(values.is_valid().to_numpy(zero_copy_only=False), dtype=bool) \
                if values.null_count else np.ones(n, dtype=bool)
            if placement is not None:
                here = placement.present(col.field.path, col.subscripts)
                if (mask & ~here).any():
                    row = int(np.flatnonzero(mask & ~here)[0])
                    raise EncodeError("the record's OCCURS DEPENDING ON counts hold no such occurrence, so a "
                                      "value cannot be patched there", row=row, field=name,
                                      picture=col.field.picture)
                mask &= here
            if lengths is not None:
                ends = col.end if placement is None else \
                    placement.offsets(col.field.path, col.subscripts) + col.field.length
                mask &= np.asarray(lengths) >= ends  # never lengthen a short record
            if not mask.any():
                continue
            field = col.field
            if as_stored and field.kind is Kind.BINARY:
                field = field.with_changes(digits=0)
            if placement is not None:
                try:
                    _write_placed(out, placement, col, field, values, self.codec, mask,
                                  dict(rounding=self.rounding, truncate=self.truncate, on_overflow=self.on_overflow))
                except EncodeError as exc:
                    raise _with_row(exc, col, np.arange(n)) from None
                continue
            if pa.types.is_dictionary(values.type):
                if self._put_coded(out, col.offset, field, values, mask):
                    continue
                values = values.dictionary_decode()  # the general write names the record that fails
            try:
                # every row: the codecs write the whole column at once instead of gathering rows
                encode_column_into(out, col.offset, field, values, self.codec,
                                   mask=None if mask.all() else mask,
                                   rounding=self.rounding, truncate=self.truncate,
                                   on_overflow=self.on_overflow)
            except EncodeError as exc:
                raise _with_row(exc, col, np.arange(n)) from None
        return out

    def _put_coded(self, out: np.ndarray, offset: int, field, values: pa.DictionaryArray,
                   mask: np.ndarray) -> bool:
        """Write a dictionary column by encoding each distinct value once (`bridge.records.patch`);
        False, with nothing written, when a distinct value does not encode."""
        from bridge.codec.arrow_buffers import values_of
        from bridge.records.patch import put_coded

        dictionary = values.dictionary
        if dictionary.null_count or offset + field.length > out.shape[1]:
            return False
        encoded = np.zeros((len(dictionary), field.length), dtype=np.uint8)
        try:
            encode_column_into(encoded, 0, field, dictionary, self.codec, rounding=self.rounding,
                               truncate=self.truncate, on_overflow=self.on_overflow)
        except EncodeError:
            return False
        indices = values.indices
        if indices.null_count or not pa.types.is_signed_integer(indices.type):
            return False
        put_coded(out, offset, encoded, values_of(indices), mask)
        return True


def _write_placed(matrix: np.ndarray, placement, col: Column, field, values, codec, mask: np.ndarray,
                  options: dict) -> None:
    """Write ``values`` into the rows of ``mask``, each at the record's own offset of ``col``."""
    from bridge.records.nested_odo import gather, scatter

    offsets = placement.offsets(col.field.path, col.subscripts)
    mask = mask & (offsets + field.length <= matrix.shape[1])  # never past a record's bytes
    rows = np.flatnonzero(mask)
    if rows.size == 0:
        return
    part = gather(matrix, offsets, field.length)
    encode_column_into(part, 0, field, values, codec, mask=None if mask.all() else mask, **options)
    scatter(matrix, offsets, part, rows)


def _present(col: Column, counts, n: int) -> np.ndarray:
    present = np.ones(n, dtype=bool)
    if counts is None or not col.subscripts:
        return present
    for sub, dim in zip(col.subscripts, col.field.dims):
        if dim.depending_path is not None:
            present &= counts[dim.depending_path] >= sub
    return present


def _redefines_areas(record: Record) -> dict[tuple[str, ...], tuple[tuple[str, ...], bool]]:
    """For each elementary item in a REDEFINES family: (the family's area key, is it in the first view)."""
    by_path = {f.path: f for f in record.fields}
    areas: dict[tuple[str, ...], tuple[tuple[str, ...], bool]] = {}
    for field in record.fields:
        if not field.is_elementary:
            continue
        for k in range(len(field.path), 1, -1):
            item = by_path[field.path[:k]]
            if item.redefines or item.redefined_by:
                target = item.redefines or item.name
                areas[field.path] = (field.path[:k - 1] + (target,), item.redefines is None)
                break
    return areas


def _with_row(exc: EncodeError, col: Column, rows: np.ndarray) -> EncodeError:
    row = exc.row
    if row is not None and 0 <= row < len(rows):
        row = int(rows[row])
    return EncodeError(exc.reason, row=row, field=col.name, value=exc.value,
                       picture=col.field.picture or exc.picture)
