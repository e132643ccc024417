"""Stream a file once and profile every column of every record type: `profile_file`.

The read is the ordinary `open_reader` pass (framing, segment selection, ODO, the
decoder's invalid counts), so a profile never disagrees with what `decode` would give.
Each batch is then looked at column by column with numpy and pyarrow.compute, from the
decoded values and, where a field sits at a fixed offset, from its raw bytes (which is how
SPACES, LOW-VALUES and HIGH-VALUES are told apart from other invalid data, and how an
example of an invalid value can show its hex). Memory is one batch plus capped summaries.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field as dc_field
from typing import Any, Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bridge.codec.codepage import codepage
from bridge.codec.column import decode_column, is_string
from bridge.errors import BridgeError, LayoutError
from bridge.layout.model import Layout, Record
from bridge.profile.columns import ColumnProfile, Located
from bridge.profile.dates import date_format
from bridge.profile.sketch import RowSample, hash_rows
from bridge.records.plan import plan_columns

__all__ = ["ProfileOptions", "ProfileRun", "profile_file"]

#: duplicate-record and key checks keep one 8-byte hash per record up to this many records
HASHED_RECORDS = 20_000_000
_PAD = " \t\r\n\x00"


@dataclass(frozen=True)
class ProfileOptions:
    """What to look for beyond the per-field numbers. Defaults: no label, no key, dates by name."""

    label: str | None = None                      # target column: balance, leakage, information value
    key: str | None = None                        # column that should be unique
    dates: Mapping[str, str | None] = dc_field(default_factory=dict)   # column → YYYYMMDD / CYYMMDD / None
    date_range: tuple[int, int] = (19000101, 20991231)                 # plausible dates, inclusive
    type_field: str | None = None                 # type code for REDEFINES validity (default: segment field)
    sample_rows: int = 50_000                     # rows kept for quantiles, histograms, IV and drift


@dataclass
class _RecordType:
    index: int
    record: Record
    columns: list[ColumnProfile]
    excluded: dict[str, list[str]]                # column → selector values whose rows do not carry it
    sample: RowSample
    records: int = 0
    views: list[dict[str, Any]] = dc_field(default_factory=list)


@dataclass
class ProfileRun:
    """A finished profile: the JSON form (``result``) and the row samples behind it."""

    result: dict[str, Any]
    samples: dict[str, pa.Table]                  # record type → sampled rows


def profile_file(source: str | os.PathLike | bytes, layout: Layout, *, profile: ProfileOptions | None = None,
                 baseline: str | os.PathLike | bytes | None = None, options=None,
                 **reader_options: Any) -> dict[str, Any]:
    """Profile ``source`` (and compare with ``baseline`` when given); returns the JSON form.

    Reader options are the `read_records` keywords. Raises `BridgeError` for framing errors,
    unknown ``label``/``key`` columns, or an unknown date format.
    """
    prof = profile or ProfileOptions()
    run = Profiler(source, layout, prof, options=options, **reader_options).run()
    from bridge.profile.readiness import readiness

    run.result["readiness"] = readiness(run, prof)
    if baseline is not None:
        from bridge.profile.drift import drift

        base = Profiler(baseline, layout, ProfileOptions(dates=prof.dates, date_range=prof.date_range,
                                                         sample_rows=prof.sample_rows),
                        options=options, **reader_options).run()
        run.result["drift"] = drift(base, run, baseline_name=_name(baseline))
    from bridge.profile.page import profile_figures

    run.result["figures"] = [{"id": f.id, "kind": f.kind, "title": f.title} for f in profile_figures(run.result)]
    return _finite(run.result)


def _finite(value: Any) -> Any:
    """The result with NaN and infinities (IEEE floats in the data) as None: strict JSON."""
    if isinstance(value, float):
        return value if np.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


class Profiler:
    """One pass over one file (see the module docstring)."""

    def __init__(self, source, layout: Layout, prof: ProfileOptions, *, options=None, **reader_options: Any) -> None:
        from bridge.records.api import open_reader

        self.source = source
        self.prof = prof
        self.reader = open_reader(source, layout, options=options, **reader_options)
        self.options = self.reader.options
        self.decoder = self.reader.decoder
        self.names = self.decoder.names
        self.page = codepage(self.options.codepage)
        self.types = [self._record_type(i, r) for i, r in enumerate(self.decoder.records)]
        self.selector = self._selector()
        self.type_field = self._find_column(prof.type_field) if prof.type_field else self.selector
        self.key = self._find_column(prof.key) if prof.key else None
        if prof.label:
            self._find_column(prof.label)
        self.record_hashes: list[np.ndarray] = []
        self.key_hashes: list[np.ndarray] = []
        self.key_missing = 0
        self.hashed = 0
        self.unmapped: dict[str, int] = {}

    # -- set-up ------------------------------------------------------------------------------
    def _record_type(self, index: int, record: Record) -> _RecordType:
        plan = plan_columns(record, self.names)
        views = {f.path: f.name for f in record.fields if f.level > 1 and (f.redefines or f.redefined_by)}
        columns = []
        for col in plan.columns:
            f = col.field
            fixed = not f.variable_offset and not any(d.depending_path for d in f.dims)
            profile = ColumnProfile(col.name, f, col.offset, self.page,
                                    date_format=date_format(f, col.name, dict(self.prof.dates)),
                                    date_range=self.prof.date_range, raw_bytes=fixed)
            profile.view = next((views[f.path[:k]] for k in range(2, len(f.path) + 1) if f.path[:k] in views), None)
            columns.append(profile)
        rt = _RecordType(index, record, columns, self._exclusions(record, plan),
                         RowSample(self.prof.sample_rows, seed=12 + index))
        rt.views = self._redefines_views(record, plan)
        return rt

    def _exclusions(self, record: Record, plan) -> dict[str, list[str]]:
        """Columns of REDEFINES branches that the segment map gives to other rows."""
        out: dict[str, list[str]] = {}
        for value, target in self.options.segment_map.items():
            try:
                branch = record.field(target)
            except LayoutError:
                continue
            if branch.level == 1:
                continue
            parent = next(f for f in record.fields if f.path == branch.path[:-1])
            base = branch.redefines or branch.name
            others = [c.path for c in parent.children
                      if (c.name == base or c.redefines == base) and c.path != branch.path]
            for col in plan.columns:
                if any(col.field.path[:len(p)] == p for p in others):
                    out.setdefault(col.name, []).append(value.strip(_PAD))
        return out

    def _selector(self) -> str | None:
        if not self.options.segment_field:
            return None
        return self._find_column(self.options.segment_field)

    def _find_column(self, name: str) -> str:
        wanted = name.strip().upper()
        for rt in self.types:
            for c in rt.columns:
                if c.name == wanted or c.field.qualified_name == wanted:
                    return c.name
        for rt in self.types:
            try:
                f = rt.record.field(wanted)
            except LayoutError:
                continue
            if f.is_elementary and f.path in self.names and not f.dims:
                return self.names[f.path]
        raise BridgeError(f"no column named {name} in the copybook (give a column as `mfbridge decode` names it)")

    def _redefines_views(self, record: Record, plan) -> list[dict[str, Any]]:
        """Each REDEFINES family: its views and their fixed-offset elementary fields."""
        families = []
        for f in record.fields:
            if not f.redefined_by or f.variable_offset or f.dims:
                continue
            parent = next(p for p in record.fields if p.path == f.path[:-1]) if len(f.path) > 1 else None
            members = [f] + [c for c in (parent.children if parent else ()) if c.redefines == f.name]
            views = []
            for m in members:
                leaves = [x for x in m.elementary() if not x.is_filler and not x.dims and not x.variable_offset]
                views.append({"view": m.name, "leaves": leaves, "valid": 0, "by_code": {}})
            families.append({"area": f.name, "offset": f.offset, "length": f.length, "views": views, "records": 0})
        return families

    # -- the pass ----------------------------------------------------------------------------
    def run(self) -> ProfileRun:
        seen_invalid: dict[str, int] = {}
        total = 0
        for batch in self.reader:
            frame = batch.frame
            n = frame.matrix.shape[0]
            total += n
            delta = {k: v - seen_invalid.get(k, 0) for k, v in self.decoder.invalid.items()}
            seen_invalid = dict(self.decoder.invalid)
            self._batch(batch, delta)
        self.unmapped = dict(self.reader.summary.unmapped)
        return ProfileRun(self._result(total), {rt.record.name: rt.sample.table for rt in self.types
                                               if rt.sample.table is not None})

    def _batch(self, batch, delta: dict[str, int]) -> None:
        frame, table = batch.frame, batch.table
        matrix = frame.matrix
        n, width = matrix.shape
        lengths = np.full(n, width, dtype=np.int64) if self.options.recfm == "TEXT" else np.asarray(frame.lengths)
        numbers = frame.first_record + np.arange(n, dtype=np.int64) + 1
        offsets = None if frame.file_offsets is None else np.asarray(frame.file_offsets, dtype=np.int64)
        selector = None
        if self.selector is not None:
            selector = np.asarray(pc.utf8_trim(table.column(self.selector).combine_chunks(), _PAD)
                                  .fill_null("").to_numpy(zero_copy_only=False)).astype(str)
        codes = selector
        if self.type_field is not None and self.type_field != self.selector:
            codes = np.asarray(pc.cast(table.column(self.type_field).combine_chunks(), pa.string())
                               .fill_null("").to_numpy(zero_copy_only=False)).astype(str)
        self._hash_records(matrix, lengths, table)
        for rt in self.types:
            if len(self.types) > 1 and batch.record_types is not None:
                mine = (batch.record_types == rt.index) | (batch.record_types < 0)
                rows = np.flatnonzero(mine)
            else:
                rows = None
            count = n if rows is None else rows.size
            if count == 0:
                continue
            rt.records += count
            sub = table if rows is None else table.take(pa.array(rows))
            rt.sample.add(sub)
            for col in rt.columns:
                col_rows = rows
                excluded = rt.excluded.get(col.name)
                if excluded and selector is not None:
                    keep = ~np.isin(selector, excluded)
                    if rows is not None:
                        keep[np.setdiff1d(np.arange(n), rows)] = False
                    col_rows = np.flatnonzero(keep)
                self._column(col, table, matrix, lengths, numbers, offsets, col_rows, delta)
            self._views(rt, matrix, lengths, rows, codes)

    def _column(self, col: ColumnProfile, table, matrix, lengths, numbers, offsets, rows, delta) -> None:
        array = table.column(col.name).combine_chunks() if col.name in table.column_names else None
        if array is None:
            return
        if rows is not None:
            array = array.take(pa.array(rows))
        where = Located(numbers if rows is None else numbers[rows],
                        None if offsets is None else (offsets if rows is None else offsets[rows]) + col.offset)
        end = col.offset + col.field.length
        if col.raw_bytes and end <= matrix.shape[1]:
            raw = matrix[:, col.offset:end] if rows is None else matrix[rows, col.offset:end]
            lens = lengths if rows is None else lengths[rows]
            col.add(array, raw, where, absent=lens < end)
        else:
            col.add(array, None, where, invalid_count=delta.get(col.name, 0))

    def _views(self, rt: _RecordType, matrix, lengths, rows, codes) -> None:
        if not rt.views:
            return
        m = matrix if rows is None else matrix[rows]
        c = None if codes is None else (codes if rows is None else codes[rows])
        printable = np.array([ch.isprintable() and ch != "\ufffd" for ch in self.page.decode_table])
        for family in rt.views:
            family["records"] += m.shape[0]
            if family["offset"] + family["length"] > m.shape[1]:
                continue
            for view in family["views"]:
                ok = np.ones(m.shape[0], dtype=bool)
                for leaf in view["leaves"]:
                    if leaf.end > m.shape[1]:
                        continue
                    if is_string(leaf):
                        if leaf.kind.value.startswith("alphanumeric"):
                            ok &= printable[m[:, leaf.offset:leaf.end]].all(axis=1)
                    else:
                        ok &= ~decode_column(m, leaf.offset, leaf, self.options.codec).invalid
                view["valid"] += int(ok.sum())
                if c is not None:
                    values, counts = np.unique(c[ok], return_counts=True)
                    all_values, all_counts = np.unique(c, return_counts=True)
                    for v, k in zip(all_values.tolist(), all_counts.tolist()):
                        slot = view["by_code"].setdefault(v, [0, 0])
                        slot[1] += k
                    for v, k in zip(values.tolist(), counts.tolist()):
                        view["by_code"][v][0] += k

    def _hash_records(self, matrix, lengths, table) -> None:
        if self.hashed >= HASHED_RECORDS:
            return
        h = hash_rows(matrix) ^ (lengths.astype(np.uint64) * np.uint64(0x100000001B3))
        self.record_hashes.append(h)
        if self.key is not None:
            key = table.column(self.key).combine_chunks()
            # a record without a key value (another record type, invalid bytes) repeats no key
            self.key_missing += key.null_count
            self.key_hashes.append(_value_hashes(key.drop_null()))
        self.hashed += matrix.shape[0]

    # -- result ------------------------------------------------------------------------------
    def _result(self, total: int) -> dict[str, Any]:
        record_types = []
        for rt in self.types:
            samples = rt.sample.table
            fields = []
            for col in rt.columns:
                values = None
                if col.numeric and samples is not None and col.name in samples.column_names:
                    arr = samples.column(col.name).combine_chunks()
                    values = np.asarray(pc.cast(arr.drop_null(), pa.float64(), safe=False).to_numpy(zero_copy_only=False))
                    values = values[np.isfinite(values)]
                    if col.date_format:  # 0 and 99999999 mean "no date": not part of the spread
                        values = values[(values != 0) & (values != 10.0 ** col.field.digits - 1)]
                fields.append(col.result(values))
            record_types.append({"name": rt.record.name, "records": rt.records, "length": rt.record.length,
                                 "fields": fields, "redefines": self._views_result(rt),
                                 "odo": self._odo_result(rt)})
        return {
            "format": "mfbridge-profile/1",
            "file": _name(self.source),
            "records": total,
            "options": {"recfm": self.options.recfm, "codepage": self.options.codepage,
                        "lrecl": self.options.lrecl, "segment_field": self.options.segment_field},
            "sample": {"rows": self.prof.sample_rows, "exact": all(rt.sample.exact for rt in self.types)},
            "record_types": record_types,
            "unmapped_segments": self.unmapped,
            "duplicates": self._duplicates(total),
            "key": self._key_result(),
        }

    def _views_result(self, rt: _RecordType) -> list[dict[str, Any]]:
        out = []
        for family in rt.views:
            out.append({"area": family["area"], "records": family["records"], "views": [
                {"view": v["view"], "valid": v["valid"],
                 "by_code": {code: {"valid": k[0], "records": k[1]} for code, k in sorted(v["by_code"].items())}}
                for v in family["views"]]})
        return out

    def _odo_result(self, rt: _RecordType) -> list[dict[str, Any]]:
        out = []
        for path in rt.record.odo_objects:
            name = self.names.get(path)
            col = next((c for c in rt.columns if c.name == name), None)
            table = next(f for f in rt.record.fields if f.occurs and f.occurs.depending_path == path)
            if col is None:
                continue
            counts = {str(k): v for k, v in sorted(col.values.items(), key=lambda kv: kv[0])}
            out.append({"object": name, "table": table.name, "min": table.occurs.min, "max": table.occurs.max,
                        "counts": counts, "invalid": col.invalid})
        return out

    def _duplicates(self, total: int) -> dict[str, Any]:
        if not self.record_hashes:
            return {"records": 0, "duplicates": 0, "complete": True}
        h = np.sort(np.concatenate(self.record_hashes))
        unique = int(np.count_nonzero(h[1:] != h[:-1])) + 1 if h.size else 0
        return {"records": int(h.size), "duplicates": int(h.size - unique), "complete": h.size == total}

    def _key_result(self) -> dict[str, Any] | None:
        if self.key is None:
            return None
        h = np.concatenate(self.key_hashes) if self.key_hashes else np.empty(0, np.uint64)
        values, counts = _sorted_counts(h)
        repeated = counts > 1
        return {"column": self.key, "records": int(h.size), "missing": self.key_missing,
                "distinct": int(values.size),
                "duplicate_records": int(counts[repeated].sum() - repeated.sum()),
                "keys_repeated": int(repeated.sum()), "unique": bool(not repeated.any())}


def _sorted_counts(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values and their counts by sorting (numpy's hash-based unique is slower on 64-bit hashes)."""
    if h.size == 0:
        return h, np.empty(0, dtype=np.int64)
    s = np.sort(h)
    starts = np.flatnonzero(np.concatenate(([True], s[1:] != s[:-1])))
    return s[starts], np.diff(np.append(starts, s.size))


def _value_hashes(array: pa.Array) -> np.ndarray:
    """64-bit hashes of the decoded values of a column (nulls hash alike)."""
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        array = pc.cast(array, pa.binary())
    else:
        array = pc.cast(pc.cast(array, pa.string()), pa.binary())
    array = array.fill_null(b"\x00null")
    width = max(int(pc.max(pc.binary_length(array)).as_py() or 1), 1)
    array = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
    data = np.zeros((len(array), width), dtype=np.uint8)
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int32)[array.offset:array.offset + len(array) + 1]
    body = np.frombuffer(array.buffers()[2], dtype=np.uint8) if array.buffers()[2] is not None else np.empty(0, np.uint8)
    lens = np.diff(offsets)
    row = np.repeat(np.arange(len(array)), lens)
    col = np.arange(lens.sum()) - np.repeat(offsets[:-1] - offsets[0], lens)
    data[row, col] = body[offsets[0]:offsets[-1]]
    return hash_rows(data) ^ lens.astype(np.uint64)


def _name(source) -> str | None:
    if isinstance(source, (str, os.PathLike)):
        return os.path.basename(str(source))
    return None
