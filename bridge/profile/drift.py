"""Drift between a baseline file and this one: PSI per field with the scorer's binning.

The bins are those of `bridge.score.drift` (the scoring drift report): the baseline's
deciles for numbers (a value on an edge in the lower bin), one bin per category for
strings (the baseline's 20 most frequent values; any other value shares the missing
bin), missing apart, proportions floored at `FLOOR`. Both sides come from the row samples
(exact for files up to the sample size).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bridge.score.drift import THRESHOLD, distribution_of, psi

__all__ = ["drift", "field_psi"]


def field_psi(base: pa.Array, current: pa.Array) -> float:
    """PSI of ``current`` against ``base`` (two columns of the same field)."""
    if pa.types.is_string(base.type) or pa.types.is_large_string(base.type):
        vc = pc.value_counts(base.drop_null())
        top = vc.field("values").take(pc.array_sort_indices(vc.field("counts"), order="descending")[:20])
        def codes(a: pa.Array) -> np.ndarray:
            idx = pc.index_in(a, value_set=top)
            return np.asarray(pc.cast(idx, pa.float64(), safe=False).fill_null(np.nan).to_numpy(zero_copy_only=False))
        dist = distribution_of(codes(base), categories=tuple(str(v) for v in top.to_pylist()))
        return psi(dist, codes(current))

    def floats(a: pa.Array) -> np.ndarray:
        return np.asarray(pc.cast(a, pa.float64(), safe=False).fill_null(np.nan).to_numpy(zero_copy_only=False),
                          dtype=np.float64)
    return psi(distribution_of(floats(base)), floats(current))


def drift(base, run, *, baseline_name: str | None) -> dict[str, Any]:
    """The drift section: PSI per field of every record type, largest first."""
    fields = []
    for name, table in run.samples.items():
        other = base.samples.get(name)
        if other is None:
            continue
        for column in table.column_names:
            if column not in other.column_names:
                continue
            value = field_psi(other.column(column).combine_chunks(), table.column(column).combine_chunks())
            fields.append({"record_type": name, "field": column, "psi": round(value, 6), "flag": value > THRESHOLD})
    fields.sort(key=lambda r: -r["psi"])
    moved = [f["field"] for f in fields if f["flag"]]
    sentence = (f"{len(moved)} field(s) moved significantly (PSI > {THRESHOLD}) since {baseline_name or 'the baseline'}: "
                f"{', '.join(moved[:10])}." if moved else
                f"No field moved significantly (PSI > {THRESHOLD}) since {baseline_name or 'the baseline'}.")
    return {"baseline": baseline_name, "baseline_records": base.result["records"], "threshold": THRESHOLD,
            "fields": fields, "sentence": sentence}
