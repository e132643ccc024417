"""The report machinery's Lines figure (series over runs or periods, with intervals), which the monitoring page adds."""
from __future__ import annotations

from bridge.report import Lines, Page, Section
from bridge.report.page import render_page
from bridge.report.svg import render

HOSTILE = '<script>alert("x")</script>'


def test_a_gap_in_a_series_breaks_its_line_and_each_point_has_a_tooltip_with_its_interval():
    svg = render(Lines("fig-l", "AUC", labels=["p1", "p2", "p3", "p4"], series={"champion": [0.7, None, 0.72, 0.71]},
                       intervals={"champion": ([0.65, None, 0.69, 0.66], [0.75, None, 0.76, 0.77])}, low=0, high=1))
    assert svg.count("<circle") == 3
    assert svg.count("<polyline") == 1  # p1 stands alone; p3-p4 is the one line
    assert "<title>p1 champion: 0.7 (0.65 to 0.75)</title>" in svg
    assert svg.count('stroke-width="3"') == 3  # one whisker per interval


def test_hostile_labels_and_names_are_escaped():
    html = render_page(Page("t", [Section("s", [Lines("fig-l", HOSTILE, labels=[HOSTILE],
                                                      series={HOSTILE: [1.0]}, threshold=0.5)])]))
    assert "<script" not in html and html.count("&lt;script&gt;") >= 3


def test_a_series_of_one_constant_value_and_an_empty_figure_still_draw():
    assert "<svg" in render(Lines("fig-a", "flat", labels=["a", "b"], series={"s": [2.0, 2.0]}))
    assert "<svg" in render(Lines("fig-b", "empty"))
