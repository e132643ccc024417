"""One run report from the reports of a file's partitions: counters and histograms added, never DataFrames.

The adding is `RunReport.merge` (with `DriftMonitor.merge` and `ShadowComparison.merge`);
this module only starts from a copy of the first partition's report. Each partition's
`RunReport` holds only counts, bin counts and running sums, so adding them
gives the counts, histograms, bands and drift PSI of the single-process report exactly (PSI
is computed from the merged bin counts). The score mean and the shadow correlation are sums
of floats added in another order: equal to the last few bits.
"""
from __future__ import annotations

import copy
from typing import Any

__all__ = ["merge_runs"]


def merge_runs(runs: list[Any], source: str) -> Any:
    """The `bridge.score.report.RunReport` of the whole file from those of its partitions, in order."""
    total = copy.deepcopy(runs[0])
    total.source = source
    for run in runs[1:]:
        total.merge(run)
    return total
