"""A report page: sections of sentences, tables and figures, written as one self-contained HTML file.

The page carries its style inline and a Content-Security-Policy that forbids every request
(``default-src 'none'``): it opens on a machine without network, and a browser proves it
loads nothing. Every figure is a ``<figure id=... data-figure=KIND>`` so a test (or a
reader's find) can check that each figure the JSON form lists is on the page.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from html import escape
from typing import Sequence, Union

from bridge.report.figures import Figure
from bridge.report.svg import render

__all__ = ["CSP", "Page", "Section", "Table", "render_page", "write_page"]

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

_STYLE = """
body{font-family:sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:20px}h2{font-size:16px;border-bottom:1px solid #ccc;padding-bottom:2px;margin-top:28px}
h3{font-size:14px;margin:16px 0 4px}
p.lead{background:#f4f6f8;padding:8px 12px;border-left:4px solid #2e86c1;margin:4px 0}
table{border-collapse:collapse;font-size:12px;margin:6px 0}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}
th{background:#f0f0f0}td.n{text-align:right;font-variant-numeric:tabular-nums}
figure{display:inline-block;margin:6px 12px 6px 0;vertical-align:top}figcaption{font-size:11px;color:#555}
.bad{color:#c0392b}.muted{color:#777}
@media print{figure{break-inside:avoid}}
"""

Block = Union[str, "Table", Figure]


@dataclass(frozen=True)
class Table:
    """A table: header and rows of cells (strings; numbers are right-aligned)."""

    header: Sequence[str]
    rows: Sequence[Sequence[object]]


@dataclass
class Section:
    """A heading and its blocks: sentences (str), tables and figures, in order."""

    heading: str
    blocks: list = field(default_factory=list)
    level: int = 2


@dataclass
class Page:
    title: str
    sections: list[Section] = field(default_factory=list)

    def figures(self) -> list[Figure]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Figure)]


def _cell(value: object) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = f"{value:,}" if isinstance(value, int) else f"{value:.4g}"
        return f'<td class="n">{escape(text)}</td>'
    return f"<td>{escape('' if value is None else str(value))}</td>"


def _block(block: Block) -> str:
    if isinstance(block, Figure):
        return (f'<figure id="{escape(block.id)}" data-figure="{escape(block.kind)}">{render(block)}'
                f'<figcaption>{escape(block.title)}</figcaption></figure>')
    if isinstance(block, Table):
        head = "".join(f"<th>{escape(h)}</th>" for h in block.header)
        body = "".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in block.rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return f'<p class="lead">{escape(str(block))}</p>'


def render_page(page: Page) -> str:
    """The page as one HTML document."""
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
             f"<title>{escape(page.title)}</title><style>{_STYLE}</style></head><body>",
             f"<h1>{escape(page.title)}</h1>"]
    for section in page.sections:
        lvl = min(max(section.level, 2), 4)
        parts.append(f"<h{lvl}>{escape(section.heading)}</h{lvl}>")
        parts.extend(_block(b) for b in section.blocks)
    parts.append("</body></html>")
    return "\n".join(parts)


def write_page(page: Page, path: str | os.PathLike) -> None:
    """Write the page to ``path`` (created 0600: a report shows data values)."""
    write_private(path, render_page(page))


def write_private(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` as UTF-8 to a new file readable by its owner only, replacing ``path`` atomically."""
    target = os.fspath(path)
    temp = os.path.join(os.path.dirname(target) or ".", f".mfbridge-tmp-{os.getpid()}-{os.path.basename(target)}")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as exc:  # the user knows the file by the name they gave, not the temporary one
        raise OSError(exc.errno, exc.strerror, target) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temp, target)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise
