"""One run report from the reports of a file's partitions: counters and histograms added, never DataFrames.

Each partition's `RunReport` holds only counts, bin counts and running sums, so adding them
gives the counts, histograms, bands and drift PSI of the single-process report exactly (PSI
is computed from the merged bin counts). The score mean and the shadow correlation are sums
of floats added in another order: equal to the last few bits.
"""
from __future__ import annotations

import copy
from typing import Any

import numpy as np

__all__ = ["merge_runs"]


def merge_runs(runs: list[Any], source: str) -> Any:
    """The `bridge.score.report.RunReport` of the whole file from those of its partitions, in order."""
    total = copy.deepcopy(runs[0])
    total.source = source
    for run in runs[1:]:
        total.records_read += run.records_read
        for name in ("status", "invalid", "missing", "unknown", "bands", "reasons"):
            getattr(total, name).update(getattr(run, name))
        total.explained += run.explained
        total._hist = total._hist + run._hist
        total._sum += run._sum
        total._min, total._max = min(total._min, run._min), max(total._max, run._max)
        _merge_drift(total.drift, run.drift)
        if total.shadow is not None and run.shadow is not None:
            _merge_shadow(total.shadow, run.shadow)
    return total


def _merge_drift(total, part) -> None:
    for name, counts in part._counts.items():
        total._counts[name] = total._counts.get(name, 0) + counts
    if part._score_counts is not None:
        total._score_counts = (part._score_counts.copy() if total._score_counts is None
                               else total._score_counts + part._score_counts)


def _merge_shadow(total, part) -> None:
    for name in ("rows", "both_scored", "same_band", "status_differs", "_sum_abs", "_sx", "_sy", "_sxx",
                 "_syy", "_sxy"):
        setattr(total, name, getattr(total, name) + getattr(part, name))
    total._max_abs = float(np.maximum(total._max_abs, part._max_abs))
    total.bands.update(part.bands)
