"""Long files report progress in the job's log, named by the dropped file."""
from __future__ import annotations

import logging

from bridge.pipeline.process import _Progress


def test_progress_lines_name_the_dropped_file_and_the_records_done(caplog):
    progress = _Progress("CUSTEXT.D261126.dat", every=0.0)
    with caplog.at_level(logging.INFO, logger="bridge.job"):
        progress(65536)
        progress(131072)
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2
    assert lines[1].startswith("CUSTEXT.D261126.dat: 131072 records scored so far")


def test_progress_is_quiet_between_its_intervals(caplog):
    progress = _Progress("X.dat", every=3600.0)
    with caplog.at_level(logging.INFO, logger="bridge.job"):
        progress(10)
    assert caplog.records == []
