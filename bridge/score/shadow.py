"""Champion/challenger: how a second model's scores and bands compare with the model of record.

The challenger scores the same records; nothing of it is written into them. The comparison
is accumulated batch by batch over the rows both models scored: mean and largest absolute
difference of the probabilities, their correlation, the share of rows in the same band, and
a champion-band × challenger-band table.
"""
from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from bridge.score.model import ScoreResult

__all__ = ["ShadowComparison", "compare"]


class ShadowComparison:
    """Running comparison of a champion's and a challenger's results (same rows, same order)."""

    def __init__(self, champion_id: str = "", challenger_id: str = "") -> None:
        self.champion_id = champion_id
        self.challenger_id = challenger_id
        self.rows = 0
        self.both_scored = 0
        self._sum_abs = 0.0
        self._max_abs = 0.0
        self._sx = self._sy = self._sxx = self._syy = self._sxy = 0.0
        self.same_band = 0
        self.bands: Counter[tuple[str, str]] = Counter()
        self.status_differs = 0

    def add(self, champion: ScoreResult, challenger: ScoreResult) -> None:
        if len(champion) != len(challenger):
            raise ValueError(f"champion has {len(champion)} rows, challenger {len(challenger)}")
        self.rows += len(champion)
        self.status_differs += int((champion.status != challenger.status).sum())
        both = champion.scored & challenger.scored
        x, y = champion.probability[both], challenger.probability[both]
        self.both_scored += int(both.sum())
        if len(x):
            d = np.abs(x - y)
            self._sum_abs += float(d.sum())
            self._max_abs = max(self._max_abs, float(d.max()))
            self._sx += float(x.sum()); self._sy += float(y.sum())
            self._sxx += float((x * x).sum()); self._syy += float((y * y).sum()); self._sxy += float((x * y).sum())
        bx, by = champion.band[both], challenger.band[both]
        self.same_band += int((bx == by).sum())
        pairs, counts = np.unique(np.char.add(np.char.add(bx.astype(str), "\x1f"), by.astype(str)),
                                  return_counts=True)
        for pair, c in zip(pairs, counts):
            a, b = str(pair).split("\x1f")
            self.bands[(a, b)] += int(c)

    def merge(self, other: ShadowComparison) -> None:
        """Add the running sums and counts of ``other`` (later rows of the same comparison) to these."""
        for name in ("rows", "both_scored", "same_band", "status_differs", "_sum_abs", "_sx", "_sy", "_sxx",
                     "_syy", "_sxy"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self._max_abs = max(self._max_abs, other._max_abs)
        self.bands.update(other.bands)

    def result(self) -> dict[str, Any]:
        n = self.both_scored
        corr = None
        if n > 1:
            vx = self._sxx - self._sx ** 2 / n
            vy = self._syy - self._sy ** 2 / n
            if vx > 0 and vy > 0:
                corr = (self._sxy - self._sx * self._sy / n) / np.sqrt(vx * vy)
        return {
            "champion": self.champion_id, "challenger": self.challenger_id,
            "rows": self.rows, "both_scored": n, "status_differs": self.status_differs,
            "mean_abs_difference": self._sum_abs / n if n else None,
            "max_abs_difference": self._max_abs if n else None,
            "correlation": None if corr is None else float(corr),
            "same_band_share": self.same_band / n if n else None,
            "bands": {f"{a or '-'}->{b or '-'}": c for (a, b), c in sorted(self.bands.items())},
        }


def compare(champion: ScoreResult, challenger: ScoreResult) -> dict[str, Any]:
    """The comparison of one pair of results (see `ShadowComparison.result`)."""
    s = ShadowComparison(champion.model_id, challenger.model_id)
    s.add(champion, challenger)
    return s.result()
