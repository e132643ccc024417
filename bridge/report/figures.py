"""The figure kinds a report can hold, as plain data (numbers and labels, nothing drawn yet)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

__all__ = ["Bars", "Figure", "Heatmap", "Histogram", "Lines"]


@dataclass(frozen=True)
class Figure:
    """Base: every figure has a page-unique ``id`` and a ``title`` (its caption)."""

    id: str
    title: str

    @property
    def kind(self) -> str:
        return type(self).__name__.lower()


@dataclass(frozen=True)
class Histogram(Figure):
    """Counts between ``edges`` (``len(edges) == len(counts) + 1``)."""

    edges: Sequence[float] = ()
    counts: Sequence[int] = ()


@dataclass(frozen=True)
class Bars(Figure):
    """Horizontal bars, one row per label; several ``series`` stack (values are shares 0-1 or
    amounts); ``threshold`` draws a dashed line (e.g. PSI 0.25)."""

    labels: Sequence[str] = ()
    series: dict[str, Sequence[float]] = field(default_factory=dict)
    share: bool = True
    threshold: float | None = None


@dataclass(frozen=True)
class Heatmap(Figure):
    """A grid of values 0-1 (``None`` = no cell): one row per ``rows`` label, cell tooltips in ``tips``."""

    rows: Sequence[str] = ()
    values: Sequence[Sequence[float | None]] = ()
    tips: Sequence[Sequence[str]] = ()


@dataclass(frozen=True)
class Lines(Figure):
    """Values over an ordered axis (runs, periods): one line per ``series`` (``None`` = no point), an
    optional interval per series in ``intervals`` (``(lows, highs)``, drawn as whiskers), an optional
    dashed ``threshold``; ``low``/``high`` fix the value axis (default: the data's range)."""

    labels: Sequence[str] = ()
    series: dict[str, Sequence[float | None]] = field(default_factory=dict)
    intervals: dict[str, tuple[Sequence[float | None], Sequence[float | None]]] = field(default_factory=dict)
    threshold: float | None = None
    low: float | None = None
    high: float | None = None
