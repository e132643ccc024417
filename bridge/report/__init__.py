"""One report machinery: data → figures → one offline HTML page.

`figures` holds the figure kinds (plain data: bars, histogram, heatmap), `svg` draws each as
inline SVG, and `page` assembles sections of text, tables and figures into one
self-contained HTML file. Users: `mfbridge profile` today, `score --report` and the monitoring
report next; none of them draws anything itself.

Decision: server-side SVG with the standard library's ``html.escape``, no JavaScript and no
template engine. A page needs no network (a Content-Security-Policy meta tag forbids every
request), prints well, stays small (a few hundred bytes per figure) and renders fast with
hundreds of fields; plotting bundles (plotly, bokeh) would add megabytes of script per page,
and Jinja2 is not among the project's dependencies.
"""
from bridge.report.figures import Bars, Figure, Heatmap, Histogram, Lines
from bridge.report.page import Page, Section, Table, write_page

__all__ = ["Bars", "Figure", "Heatmap", "Histogram", "Lines", "Page", "Section", "Table", "write_page"]
