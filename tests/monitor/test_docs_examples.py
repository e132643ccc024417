"""The job-file examples in docs/monitoring.md load as they are written."""
from __future__ import annotations

import re

import pytest

from bridge.monitor.settings import load_monitor
from tests.conftest import ROOT
from tests.monitor.conftest import write_job

BLOCKS = re.findall(r"```toml\n(.*?)```", (ROOT / "docs" / "monitoring.md").read_text(encoding="utf-8"), re.S)


def test_the_page_has_the_three_examples():
    assert len(BLOCKS) == 3


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_each_toml_example_of_the_page_is_a_valid_monitor_section(tmp_path, block):
    settings = load_monitor(write_job(tmp_path, extra="\n" + block))
    if "[monitor]" in block:
        assert settings.thresholds["min_auc"] == 0.70 and settings.test == "delong"
    else:
        assert settings.costs is not None and settings.costs.currency == "EUR"
