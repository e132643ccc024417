"""One column's numbers, accumulated batch by batch: validity, "no value" fills, values.

Every record of the column's record type lands in exactly one bucket, so the buckets add
up to the records seen (the tests check it by construction):

``absent``      the record ends before the field, or the occurrence lies past its ODO count
``no_value``    SPACES, LOW-VALUES, HIGH-VALUES (not in binary fields; and, for dates, all
                zeros and all nines): see `bridge.profile.conventions`
``invalid``     bytes that are not a value of the PICTURE (the decoder's null-and-counted)
``valid``       everything else: a real value

All zeros and all nines of a non-date numeric field stay valid and are counted beside it.
"""
from __future__ import annotations

import decimal
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bridge.codec.codepage import CodePage
from bridge.codec.column import is_string
from bridge.layout.model import Field
from bridge.profile.conventions import CONVENTIONS, convention_masks, no_value_conventions
from bridge.profile.dates import split_dates
from bridge.profile.sketch import DistinctSketch, ValueCounts, hash_rows

__all__ = ["ColumnProfile", "EXAMPLES"]

#: how many examples of invalid values a column keeps
EXAMPLES = 5


@dataclass
class Located:
    """Where each row of a batch came from: 1-based record numbers and file offsets of the field."""

    records: np.ndarray                 # int64, 1-based
    offsets: np.ndarray | None          # int64 byte offset of the field's first byte in the file


class ColumnProfile:
    """The running profile of one column (one occurrence of one elementary item)."""

    def __init__(self, name: str, field: Field, offset: int, page: CodePage, *, date_format: str | None,
                 date_range: tuple[int, int], raw_bytes: bool) -> None:
        self.name = name
        self.field = field
        self.offset = offset
        self.page = page
        self.date_format = date_format
        self.date_range = date_range
        self.raw_bytes = raw_bytes
        self.view: str | None = None            # the REDEFINES view (base or redefining item) it belongs to
        self.no_value_kinds = no_value_conventions(field, bool(date_format))
        self.records = 0
        self.absent = 0
        self.invalid = 0
        self.valid = 0
        self.conventions = dict.fromkeys(CONVENTIONS, 0)
        self.examples: list[dict[str, Any]] = []
        self.values = ValueCounts()
        self.distinct = DistinctSketch()
        self.numeric = field.kind.is_numeric
        self.string = is_string(field)
        self.min: Any = None
        self.max: Any = None
        self.total = 0.0
        self.lengths = np.zeros(max(field.length, 1) + 1, dtype=np.int64)
        self.nonprintable = 0
        self.condition_values = _condition_sets(field)
        self.outside_conditions = 0
        self.outside_values = ValueCounts(limit=1000)
        self._folded = False
        self.dates = {"valid": 0, "invalid": 0, "out_of_range": 0, "min": None, "max": None, "examples": []}
        # a byte without a character in the page decodes to U+FFFD, which is printable: the
        # check is on characters (controls, NBSP, soft hyphen...), as a reader would see them
        self._printable = self.string

    # -- accumulation ------------------------------------------------------------------------
    def add(self, array: pa.Array, raw: np.ndarray | None, where: Located, *, absent: np.ndarray | None = None,
            invalid_count: int | None = None) -> None:
        """One batch: ``array`` (decoded, nulls where the decoder found nothing), ``raw`` its bytes
        (rows × field length) when the field sits at a known offset, ``absent`` rows past the
        record's end or the ODO count, ``invalid_count`` the decoder's count when ``raw`` is None."""
        n = len(array)
        self.records += n
        null = np.asarray(array.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        absent = np.zeros(n, dtype=bool) if absent is None else absent
        self.absent += int(absent.sum())
        no_value = np.zeros(n, dtype=bool)
        if raw is not None:
            masks = convention_masks(raw, self.field, self.page, array)
            for name in CONVENTIONS:
                m = masks[name] & ~absent
                self.conventions[name] += int(m.sum())
                if name in self.no_value_kinds:
                    no_value |= m
            invalid = null & ~no_value & ~absent
            self._examples(invalid, raw, where)
        else:
            invalid = null & ~absent
            if invalid_count is not None:
                # a null past the ODO count that the decoder did not call invalid is absent
                extra = int(invalid.sum()) - invalid_count
                if extra > 0:
                    self.absent += extra
                    invalid = invalid & (np.cumsum(invalid) <= invalid_count)
        self.invalid += int(invalid.sum())
        real = ~(null | no_value | absent | invalid)
        self.valid += int(real.sum())
        if not real.any():
            return
        every = bool(real.all())
        values = array if every else array.filter(pa.array(real))
        switched = self.values.add(values)
        if switched is not None:
            # exact counting ends here: the statistics so far come from the distinct values
            self._fold(*switched)
        elif not self.values.exact:
            self._fold(values, None)
        if not self.values.exact and raw is not None:
            self.distinct.add(hash_rows(raw if every else raw[real]))
        if self.date_format:
            self._dates(values, where, real)

    def _fold(self, values: pa.Array, weights: np.ndarray | None) -> None:
        """Statistics of ``values`` (each counted ``weights`` times: distinct values and their counts)."""
        if self.numeric:
            self._numbers(values, weights)
        if self.string:
            self._strings(values, weights)
        if self.condition_values is not None:
            self._conditions(values, weights)

    def _finish(self) -> None:
        # while counts are exact the statistics were never folded batch by batch: fold them once
        if self.values.exact and not self._folded and self.values.keys is not None:
            self._fold(self.values.keys, self.values.counts)
        self._folded = True

    def _examples(self, invalid: np.ndarray, raw: np.ndarray, where: Located) -> None:
        if len(self.examples) >= EXAMPLES or not invalid.any():
            return
        for row in np.flatnonzero(invalid)[: EXAMPLES - len(self.examples)]:
            self.examples.append({
                "record": int(where.records[row]),
                "offset": None if where.offsets is None else int(where.offsets[row]),
                "hex": raw[row].tobytes().hex().upper(),
            })

    def _numbers(self, values: pa.Array, weights: np.ndarray | None) -> None:
        mm = pc.min_max(values).as_py()
        lo, hi = mm["min"], mm["max"]
        if lo is not None:
            self.min = lo if self.min is None else min(self.min, lo)
            self.max = hi if self.max is None else max(self.max, hi)
        x = np.asarray(pc.cast(values, pa.float64(), safe=False).to_numpy(zero_copy_only=False), dtype=np.float64)
        self.total += float(x.sum() if weights is None else (x * weights).sum())

    def _strings(self, values: pa.Array, weights: np.ndarray | None) -> None:
        lengths = np.asarray(pc.utf8_length(values).to_numpy(zero_copy_only=False), dtype=np.int64)
        counts = np.bincount(lengths, weights=weights).astype(np.int64)
        if counts.size > self.lengths.size:
            self.lengths = np.pad(self.lengths, (0, counts.size - self.lengths.size))
        self.lengths[: counts.size] += counts
        if self._printable:
            printable = np.asarray(pc.utf8_is_printable(values).to_numpy(zero_copy_only=False), dtype=bool)
            self.nonprintable += int((~printable).sum() if weights is None else weights[~printable].sum())

    def _conditions(self, values: pa.Array, weights: np.ndarray | None) -> None:
        singles, ranges = self.condition_values
        probe = pc.utf8_rtrim(values, characters=" ") if self.string else pc.cast(values, pa.float64(), safe=False)
        inside = pc.is_in(probe, value_set=singles) if len(singles) else pa.array(np.zeros(len(probe), bool))
        for low, high in ranges:
            inside = pc.or_(inside, pc.and_(pc.greater_equal(probe, low), pc.less_equal(probe, high)))
        outside = np.asarray(pc.invert(inside).to_numpy(zero_copy_only=False), dtype=bool)
        if not outside.any():
            return
        if weights is None:
            self.outside_conditions += int(outside.sum())
            self.outside_values.add(values.filter(pa.array(outside)))
        else:
            self.outside_conditions += int(weights[outside].sum())
            self.outside_values.add_counts(values.filter(pa.array(outside)), weights[outside])

    def _dates(self, values: pa.Array, where: Located, real: np.ndarray) -> None:
        ints = np.asarray(pc.cast(values, pa.int64(), safe=False).to_numpy(zero_copy_only=False), dtype=np.int64)
        valid, ymd = split_dates(ints, self.date_format)
        lo, hi = self.date_range
        in_range = valid & (ymd >= lo) & (ymd <= hi)
        d = self.dates
        d["valid"] += int(valid.sum())
        d["invalid"] += int((~valid).sum())
        d["out_of_range"] += int((valid & ~in_range).sum())
        if valid.any():
            vmin, vmax = int(ymd[valid].min()), int(ymd[valid].max())
            d["min"] = vmin if d["min"] is None else min(d["min"], vmin)
            d["max"] = vmax if d["max"] is None else max(d["max"], vmax)
        bad = np.flatnonzero(~in_range)[: max(EXAMPLES - len(d["examples"]), 0)]
        real_rows = np.flatnonzero(real)
        for i in bad:
            d["examples"].append({"record": int(where.records[real_rows[i]]), "value": int(ints[i]),
                                  "reason": "out of range" if valid[i] else "not a calendar date"})

    # -- result ------------------------------------------------------------------------------
    def result(self, sample: np.ndarray | None = None) -> dict[str, Any]:
        """The JSON form of this column (see docs/profile.md); ``sample`` = sampled real values."""
        self._finish()
        f = self.field
        out: dict[str, Any] = {
            "name": self.name, "item": f.qualified_name, "kind": f.kind.value, "picture": f.picture,
            "usage": f.usage, "offset": self.offset, "length": f.length,
            "records": self.records, "valid": self.valid, "invalid": self.invalid, "absent": self.absent,
            "no_value": sum(self.conventions[c] for c in self.no_value_kinds),
            "no_value_conventions": list(self.no_value_kinds),
            "conventions": dict(self.conventions), "invalid_examples": list(self.examples),
            "distinct": self._distinct(), "distinct_exact": self._distinct_exact(),
            "top_values": [{"value": _json_value(v), "count": c} for v, c in self.values.top(10)],
            "top_values_exact": self.values.exact,
        }
        if self.view:
            out["redefines_view"] = self.view
        if self.numeric:
            out["numeric"] = self._numeric_result(sample)
        if self.string:
            nz = np.flatnonzero(self.lengths)
            out["string"] = {
                "min_length": int(nz[0]) if nz.size else None, "max_length": int(nz[-1]) if nz.size else None,
                "mean_length": float((self.lengths * np.arange(self.lengths.size)).sum() / max(self.valid, 1)),
                "lengths": {int(i): int(self.lengths[i]) for i in nz},
                "nonprintable": self.nonprintable,
            }
        if self.condition_values is not None:
            out["conditions"] = {
                "declared": [c.name for c in f.conditions],
                "outside": self.outside_conditions,
                "outside_share": self.outside_conditions / self.valid if self.valid else 0.0,
                "outside_values": [{"value": _json_value(v), "count": c} for v, c in self.outside_values.top(10)],
            }
        if self.date_format:
            d = dict(self.dates)
            d["format"] = self.date_format
            d["valid_share"] = d["valid"] / self.records if self.records else 0.0
            d["range"] = list(self.date_range)
            out["date"] = d
        return out

    def _distinct(self) -> int:
        if self.values.exact:
            return self.values.distinct
        return max(self.distinct.estimate(), self.values.distinct)

    def _distinct_exact(self) -> bool:
        return self.values.exact

    def _numeric_result(self, sample: np.ndarray | None) -> dict[str, Any]:
        out: dict[str, Any] = {"min": _json_value(self.min), "max": _json_value(self.max),
                               "mean": self.total / self.valid if self.valid else None,
                               "quantiles": {}, "histogram": None}
        if sample is not None and sample.size:
            qs = np.quantile(sample, [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99])
            out["quantiles"] = {k: float(v) for k, v in zip(("p01", "p05", "p25", "p50", "p75", "p95", "p99"), qs)}
            out["histogram"] = histogram(sample)
        return out


def histogram(values: np.ndarray, bins: int = 20) -> dict[str, list]:
    """Equal-width bins over the values' range: ``{"edges": [...bins+1], "counts": [...bins]}``."""
    lo, hi = float(values.min()), float(values.max())
    if lo == hi:
        return {"edges": [lo, hi], "counts": [int(values.size)]}
    counts, edges = np.histogram(values, bins=bins, range=(lo, hi))
    return {"edges": [float(e) for e in edges], "counts": [int(c) for c in counts]}


def _condition_sets(field: Field) -> tuple[pa.Array, list[tuple[Any, Any]]] | None:
    if not field.conditions:
        return None
    singles: list[Any] = []
    ranges: list[tuple[Any, Any]] = []
    string = is_string(field)
    for cond in field.conditions:
        for v in cond.values:
            if hasattr(v, "name") and not isinstance(v, (str, int, decimal.Decimal)):
                continue  # figurative constants (SPACES, ZEROS...) are the conventions' business
            value = _condition_value(v, string)
            if value is not None:
                singles.append(value)
        for low, high in cond.ranges:
            pair = (_condition_value(low, string), _condition_value(high, string))
            if None not in pair:
                ranges.append(pair)
    return pa.array(singles, type=pa.string() if string else pa.float64()), ranges


def _condition_value(v: Any, string: bool) -> Any:
    """An 88-level value as the column compares it; None for one that cannot match (a letter
    declared for a numeric item never equals a number)."""
    if string:
        return str(v).rstrip(" ")
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _json_value(v: Any) -> Any:
    if isinstance(v, decimal.Decimal):
        return int(v) if v == v.to_integral_value() and abs(v) < 2 ** 53 else (
            float(v) if len(v.as_tuple().digits) <= 15 else str(v))
    if isinstance(v, bytes):
        return v.hex().upper()
    return v
