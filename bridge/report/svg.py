"""Each figure kind drawn as one inline ``<svg>`` element (no script, no external reference)."""
from __future__ import annotations

from html import escape

from bridge.report.figures import Bars, Figure, Heatmap, Histogram, Lines

__all__ = ["render"]

_COLOURS = ("#c0392b", "#95a5a6", "#2e86c1", "#27ae60", "#8e44ad")
_FONT = 'font-family="sans-serif" font-size="10"'


def render(fig: Figure) -> str:
    """The SVG markup of ``fig``."""
    if isinstance(fig, Histogram):
        return _histogram(fig)
    if isinstance(fig, Bars):
        return _bars(fig)
    if isinstance(fig, Heatmap):
        return _heatmap(fig)
    if isinstance(fig, Lines):
        return _lines(fig)
    raise TypeError(f"no drawing for {type(fig).__name__}")


def _num(x: float) -> str:
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x):,}"
    return f"{x:.4g}"


def _svg(width: int, height: int, label: str, body: list[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}">' + "".join(body) + "</svg>")


def _histogram(fig: Histogram, width: int = 320, height: int = 120) -> str:
    counts = list(fig.counts)
    top = max(counts) if counts else 0
    plot_h, base = height - 28, height - 16
    body = [f'<line x1="4" y1="{base}" x2="{width - 4}" y2="{base}" stroke="#555"/>']
    if counts and top > 0:
        w = (width - 8) / len(counts)
        for i, c in enumerate(counts):
            h = plot_h * c / top
            lo, hi = fig.edges[i], fig.edges[i + 1]
            body.append(f'<rect x="{4 + i * w:.1f}" y="{base - h:.1f}" width="{max(w - 1, 0.5):.1f}" '
                        f'height="{h:.1f}" fill="#2e86c1"><title>{escape(_num(lo))} – {escape(_num(hi))}: '
                        f'{c:,}</title></rect>')
    lo_text = _num(fig.edges[0]) if fig.edges else ""
    hi_text = _num(fig.edges[-1]) if fig.edges else ""
    body.append(f'<text x="4" y="{height - 3}" {_FONT}>{escape(lo_text)}</text>')
    body.append(f'<text x="{width - 4}" y="{height - 3}" text-anchor="end" {_FONT}>{escape(hi_text)}</text>')
    body.append(f'<text x="4" y="10" {_FONT} fill="#555">max {top:,}</text>')
    return _svg(width, height, fig.title, body)


def _bars(fig: Bars, width: int = 640, row: int = 14) -> str:
    label_w, right = 220, 60
    plot_w = width - label_w - right
    n = len(fig.labels)
    height = max(n * row + 24, 40)
    totals = [sum(s[i] for s in fig.series.values()) for i in range(n)]
    scale = 1.0 if fig.share else (max(totals + [fig.threshold or 0]) or 1.0)
    body = []
    for i, label in enumerate(fig.labels):
        y = 4 + i * row
        body.append(f'<text x="{label_w - 6}" y="{y + row - 4}" text-anchor="end" {_FONT}>{escape(label)}</text>')
        x = float(label_w)
        for k, (name, values) in enumerate(fig.series.items()):
            w = plot_w * values[i] / scale
            if w > 0:
                value = f"{values[i]:.2%}" if fig.share else _num(values[i])
                body.append(f'<rect x="{x:.1f}" y="{y + 1}" width="{w:.1f}" height="{row - 3}" '
                            f'fill="{_COLOURS[k % len(_COLOURS)]}"><title>{escape(label)} {escape(name)}: '
                            f'{value}</title></rect>')
                x += w
        total = f"{totals[i]:.1%}" if fig.share else _num(totals[i])
        body.append(f'<text x="{x + 4:.1f}" y="{y + row - 4}" {_FONT}>{escape(total)}</text>')
    if fig.threshold is not None:
        tx = label_w + plot_w * fig.threshold / scale
        body.append(f'<line x1="{tx:.1f}" y1="0" x2="{tx:.1f}" y2="{n * row + 4}" stroke="#c0392b" '
                    f'stroke-dasharray="4 3"/>')
    ly = n * row + 18
    for k, name in enumerate(fig.series):
        lx = label_w + k * 110
        body.append(f'<rect x="{lx}" y="{ly - 9}" width="10" height="10" fill="{_COLOURS[k % len(_COLOURS)]}"/>')
        body.append(f'<text x="{lx + 14}" y="{ly}" {_FONT}>{escape(name)}</text>')
    return _svg(width, height, fig.title, body)


def _heatmap(fig: Heatmap, cell: int = 10) -> str:
    label_w = 160
    cols = max((len(r) for r in fig.values), default=0)
    width = label_w + max(cols, 1) * cell + 8
    height = len(fig.rows) * (cell + 2) + 8
    body = []
    for i, (name, values) in enumerate(zip(fig.rows, fig.values)):
        y = 4 + i * (cell + 2)
        body.append(f'<text x="{label_w - 6}" y="{y + cell - 1}" text-anchor="end" {_FONT}>{escape(name)}</text>')
        tips = fig.tips[i] if i < len(fig.tips) else ()
        for j, v in enumerate(values):
            if v is None:
                continue
            body.append(f'<rect x="{label_w + j * cell}" y="{y}" width="{cell - 1}" height="{cell}" '
                        f'fill="{_heat(v)}"><title>{escape(tips[j] if j < len(tips) else f"{v:.1%}")}</title></rect>')
    return _svg(width, height, fig.title, body)


def _heat(v: float) -> str:
    """Red (0) through amber to green (1)."""
    v = min(max(v, 0.0), 1.0)
    if v < 0.5:
        r, g = 200, int(60 + 260 * v)
    else:
        r, g = int(200 - 300 * (v - 0.5)), 190
    return f"#{max(r, 40):02x}{min(g, 190):02x}50"


def _lines(fig: Lines, width: int = 640, height: int = 200) -> str:
    left, right, top, bottom = 48, 12, 10, 44
    n = len(fig.labels)
    values = [v for s in fig.series.values() for v in s if v is not None]
    values += [v for lows, highs in fig.intervals.values() for v in (*lows, *highs) if v is not None]
    if fig.threshold is not None:
        values.append(fig.threshold)
    lo = fig.low if fig.low is not None else min(values, default=0.0)
    hi = fig.high if fig.high is not None else max(values, default=1.0)
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(i: int) -> float:
        return left + (plot_w * (i + 0.5) / n if n else 0)

    def y(v: float) -> float:
        return top + plot_h * (1 - (min(max(v, lo), hi) - lo) / (hi - lo))

    body = [f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#555"/>',
            f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#555"/>',
            f'<text x="{left - 4}" y="{top + 8}" text-anchor="end" {_FONT}>{escape(_num(hi))}</text>',
            f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end" {_FONT}>{escape(_num(lo))}</text>']
    step = max(1, (n + 9) // 10)  # at most about ten axis labels
    for i in range(0, n, step):
        body.append(f'<text x="{x(i):.1f}" y="{top + plot_h + 12}" text-anchor="middle" {_FONT}>'
                    f'{escape(fig.labels[i])}</text>')
    if fig.threshold is not None:
        ty = y(fig.threshold)
        body.append(f'<line x1="{left}" y1="{ty:.1f}" x2="{width - right}" y2="{ty:.1f}" stroke="#c0392b" '
                    f'stroke-dasharray="4 3"/>')
    for k, (name, series) in enumerate(fig.series.items()):
        colour = _COLOURS[(k + 2) % len(_COLOURS)]
        lows, highs = fig.intervals.get(name, ((), ()))
        shift = 4 * (k - (len(fig.series) - 1) / 2)  # side by side, so the intervals of two series do not hide
        for i, (a, b) in enumerate(zip(lows, highs)):
            if a is not None and b is not None and i < n:
                xi = x(i) + shift
                body.append(f'<line x1="{xi:.1f}" y1="{y(a):.1f}" x2="{xi:.1f}" y2="{y(b):.1f}" '
                            f'stroke="{colour}" stroke-opacity="0.5" stroke-width="3"/>')
        run: list[str] = []
        for i, v in enumerate(list(series)[:n]):
            if v is None:
                if len(run) > 1:
                    body.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}"/>')
                run = []
                continue
            run.append(f"{x(i):.1f},{y(v):.1f}")
            tip = f"{fig.labels[i]} {name}: {_num(v)}"
            if i < len(lows) and lows[i] is not None and highs[i] is not None:
                tip += f" ({_num(lows[i])} to {_num(highs[i])})"
            body.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="2.5" fill="{colour}"><title>{escape(tip)}'
                        f'</title></circle>')
        if len(run) > 1:
            body.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}"/>')
        lx = left + k * 150
        body.append(f'<rect x="{lx}" y="{height - 12}" width="10" height="10" fill="{colour}"/>')
        body.append(f'<text x="{lx + 14}" y="{height - 3}" {_FONT}>{escape(name)}</text>')
    return _svg(width, height, fig.title, body)
