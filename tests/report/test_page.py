"""The report page: self-contained, hostile text escaped, every figure addressable, written 0600."""
from __future__ import annotations

import stat

from bridge.report import Bars, Heatmap, Histogram, Page, Section, Table, write_page
from bridge.report.page import CSP, render_page
from bridge.report.svg import render

HOSTILE = '<script>alert("x")</script><img src="http://example.com/x.png">'


def _tags_and_attributes(html: str) -> tuple[set[str], set[str]]:
    from html.parser import HTMLParser

    found: tuple[set[str], set[str]] = (set(), set())

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found[0].add(tag)
            found[1].update(name for name, _ in attrs)

    Collect().feed(html)
    return found


def _page() -> Page:
    return Page(f"Report {HOSTILE}", [Section("Figures", [
        HOSTILE,
        Table(["field", HOSTILE], [[HOSTILE, 3], ["B", 1.5]]),
        Histogram("fig-h", f"hist {HOSTILE}", edges=[0, 1, 2], counts=[3, 1]),
        Bars("fig-b", "bars", labels=[HOSTILE, "B"], series={"invalid": [0.5, 0.0], "no value": [0.25, 1.0]}),
        Heatmap("fig-m", "heat", rows=["R1"], values=[[1.0, 0.0, None]], tips=[[HOSTILE, "b", "c"]]),
    ])])


def test_the_page_forbids_every_request_with_a_content_security_policy():
    html = render_page(_page())
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in html
    assert "default-src 'none'" in CSP


def test_the_page_has_no_script_and_no_external_reference():
    html = render_page(_page())
    assert "<script" not in html
    assert "<img" not in html
    tags, attributes = _tags_and_attributes(html)
    assert not {"script", "img", "link", "iframe", "object"} & tags
    assert not {"src", "href", "xlink:href"} & attributes
    assert "@import" not in html and "url(" not in html


def test_hostile_text_is_shown_escaped_wherever_it_appears():
    html = render_page(_page())
    assert html.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") >= 6


def test_every_figure_is_a_figure_element_with_its_id_and_kind():
    html = render_page(_page())
    for fid, kind in (("fig-h", "histogram"), ("fig-b", "bars"), ("fig-m", "heatmap")):
        assert f'<figure id="{fid}" data-figure="{kind}"><svg' in html


def test_a_histogram_draws_one_bar_per_nonempty_bin_with_its_count():
    svg = render(Histogram("h", "t", edges=[0, 1, 2, 3], counts=[3, 0, 1]))
    assert svg.count("<rect") == 3
    assert "0 – 1: 3</title>" in svg and "max 3" in svg


def test_stacked_bars_show_each_share_in_a_tooltip():
    svg = render(Bars("b", "t", labels=["AMOUNT"], series={"invalid": [0.02], "no value": [0.03]}))
    assert "AMOUNT invalid: 2.00%" in svg and "AMOUNT no value: 3.00%" in svg
    assert ">5.0%</text>" in svg


def test_a_heatmap_leaves_cells_without_data_empty():
    svg = render(Heatmap("m", "t", rows=["R"], values=[[1.0, None, 0.0]]))
    assert svg.count("<rect") == 2


def test_the_page_file_is_readable_by_its_owner_only(tmp_path):
    target = tmp_path / "r.html"
    write_page(_page(), target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]


def test_a_page_with_hundreds_of_fields_stays_small():
    labels = [f"FIELD-{i:03d}" for i in range(400)]
    page = Page("big", [Section("s", [Bars("fig-b", "t", labels=labels,
                                           series={"invalid": [0.01] * 400, "no value": [0.02] * 400})]
                                 + [Histogram(f"fig-{i}", "h", edges=list(range(21)), counts=[i % 7] * 20)
                                    for i in range(400)])])
    assert len(render_page(page).encode()) < 3_000_000
