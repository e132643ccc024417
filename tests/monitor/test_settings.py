"""The [monitor] section: checked when evaluate or report reads it, every wrong key named."""
from __future__ import annotations

import pytest

from bridge.errors import JobError
from bridge.monitor.settings import load_monitor
from tests.monitor.conftest import write_job


@pytest.mark.parametrize("extra, message", [
    ("[monitor]\nmin_auc = \"high\"\n", "[monitor] min_auc = 'high' must be a number"),
    ("[monitor]\ntest = \"t-test\"\n", "[monitor] test = 't-test' is not one of: delong, bootstrap"),
    ("[monitor]\nlevel = 1.5\n", "[monitor] level = 1.5 must be at least 0.5 and below 1"),
    ("[monitor]\nresamples = 10\n", "[monitor] resamples = 10 must be a whole number of at least 100"),
    ("[monitor.costs]\nmissed_bad = 100\n", "[monitor.costs] needs both missed_bad"),
    ("[monitor.costs]\nmissed_bad = 1\nflagged_good = 1\n[monitor.costs.bands]\nA = \"accept\"\n",
     "either missed_bad/flagged_good or [monitor.costs.actions]"),
    ("[monitor.costs.actions]\naccept = { bad = 1 }\n", "[monitor.costs.actions] accept = {'bad': 1} must be"),
    ("[monitor.costs.actions]\naccept = { bad = 1, good = 0 }\n[monitor.costs.bands]\nA = \"refer\"\n",
     "[monitor.costs] bands A = 'refer' is not one of the actions: accept"),
])
def test_a_wrong_monitor_key_is_refused_with_the_key_and_what_it_takes(tmp_path, extra, message):
    with pytest.raises(JobError) as caught:
        load_monitor(write_job(tmp_path, extra="\n" + extra))
    assert message in str(caught.value)


def test_no_monitor_section_means_no_threshold_and_the_defaults(tmp_path):
    settings = load_monitor(write_job(tmp_path))
    assert (settings.thresholds, settings.level, settings.test, settings.bad_values, settings.costs) == \
        ({}, 0.95, "delong", ("1",), None)
