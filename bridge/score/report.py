"""The run report: what a scoring run read, scored, refused and saw drift in.

One JSON document (for machines and the batch job's journal) and a readable summary (for
the operator), both built from the same `RunReport`, which is fed batch by batch so a run of
any size keeps only counts.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from bridge.score.drift import DriftMonitor
from bridge.score.private import write_private_text
from bridge.score.model import Model, ScoreResult
from bridge.score.shadow import ShadowComparison

__all__ = ["RunReport"]

_STATUS_MEANING = ("scored", "scored, clamped", "scored with missing/invalid features",
                   "not scored: invalid key input", "not scored: model error")


class RunReport:
    """Counts of a scoring run; `add` each batch, then `to_dict`, `summary` or `write`."""

    def __init__(self, model: Model, *, shadow: Model | None = None, source: str = "") -> None:
        card = model.card
        self.model_id, self.version, self.source = card.model_id, card.version, source
        codes = card.outputs.status.codes if card.outputs.status else None
        ordered = codes.ordered() if codes else ("00", "02", "04", "08", "12")
        self._meaning = dict(zip(ordered, _STATUS_MEANING))
        self._not_scored = set(ordered[3:])
        self.records_read = 0
        self.status: Counter[str] = Counter()
        self.invalid: Counter[str] = Counter()
        self.missing: Counter[str] = Counter()
        self.unknown: Counter[str] = Counter()
        self.bands: Counter[str] = Counter()
        self.reasons: Counter[str] = Counter()
        self.explained = 0
        self._hist = np.zeros(10, dtype=np.int64)
        self._sum = 0.0
        self._min, self._max = np.inf, -np.inf
        self.drift = DriftMonitor(card.feature_names, card.training.distributions, card.training.score_distribution)
        self.shadow = ShadowComparison(card.model_id, shadow.card.model_id) if shadow else None

    def add(self, result: ScoreResult, *, records_read: int | None = None,
            invalid_by_field: Mapping[str, int] | None = None, shadow: ScoreResult | None = None) -> None:
        """Count one batch: its result, the records read for it (default: its rows) and the
        decoder's invalid-value counts per field."""
        self.records_read += len(result) if records_read is None else records_read
        self.status.update(result.status_counts)
        self.invalid.update(invalid_by_field or {})
        self.missing.update(result.missing_by_field)
        self.unknown.update(result.unknown_by_field)
        self.explained += int(result.explained.sum())
        p = result.probability[result.scored]
        if len(p):
            self._hist += np.histogram(p, bins=10, range=(0.0, 1.0))[0]
            self._sum += float(p.sum())
            self._min, self._max = min(self._min, float(p.min())), max(self._max, float(p.max()))
        if "band" in result.fields:
            self.bands.update(_value_counts(result.band[result.scored]))
        if "reasons" in result.fields and result.explained.any():
            given = result.reasons[result.explained].reshape(-1)
            self.reasons.update(_value_counts(given[given != ""]))
        self.drift.add(result.features, p if len(p) else None)
        if shadow is not None and self.shadow is not None:
            self.shadow.add(result, shadow)

    def merge(self, other: RunReport) -> RunReport:
        """Add the counts of ``other`` (the report of another part of the same file, same model) to this one.

        Only counters, bin counts and running sums are added, so counts, histograms, bands and
        drift equal those of one report over the whole file; returns ``self``.
        """
        self.records_read += other.records_read
        for name in ("status", "invalid", "missing", "unknown", "bands", "reasons"):
            getattr(self, name).update(getattr(other, name))
        self.explained += other.explained
        self._hist = self._hist + other._hist
        self._sum += other._sum
        self._min, self._max = min(self._min, other._min), max(self._max, other._max)
        self.drift.merge(other.drift)
        if self.shadow is not None and other.shadow is not None:
            self.shadow.merge(other.shadow)
        return self

    def to_dict(self) -> dict[str, Any]:
        scored = sum(c for s, c in self.status.items() if s not in self._not_scored)
        n_scored = int(self._hist.sum())
        out: dict[str, Any] = {
            "model": {"id": self.model_id, "version": self.version},
            "source": self.source,
            "records": {
                "read": self.records_read,
                "scored": scored,
                "not_scored": {f"{s} {self._meaning.get(s, '')}".strip(): c
                               for s, c in sorted(self.status.items()) if s in self._not_scored},
                "by_status": {f"{s} {self._meaning.get(s, '')}".strip(): c for s, c in sorted(self.status.items())},
                "explained": self.explained,
            },
            "invalid_values": dict(sorted((k, v) for k, v in self.invalid.items() if v)),
            "missing_features": dict(sorted((k, v) for k, v in self.missing.items() if v)),
            "unknown_categories": dict(sorted((k, v) for k, v in self.unknown.items() if v)),
            "score": {
                "mean": self._sum / n_scored if n_scored else None,
                "min": self._min if n_scored else None,
                "max": self._max if n_scored else None,
                "histogram": {f"{i / 10:.1f}-{(i + 1) / 10:.1f}": int(c) for i, c in enumerate(self._hist)},
                "bands": dict(sorted(self.bands.items())),
            },
            "reasons": dict(sorted(self.reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
            "drift": self.drift.result(),
        }
        if self.shadow is not None:
            out["shadow"] = self.shadow.result()
        return out

    def summary(self) -> str:
        """The report as a few readable lines."""
        d = self.to_dict()
        r = d["records"]
        lines = [f"model {d['model']['id']} version {d['model']['version']}" + (f", input {d['source']}" if d["source"] else ""),
                 f"records read {r['read']}, scored {r['scored']}, reasons computed for {r['explained']}"]
        for status, count in r["by_status"].items():
            lines.append(f"  status {status}: {count}")
        for title, key in (("invalid values", "invalid_values"), ("missing features", "missing_features"),
                           ("unknown categories", "unknown_categories")):
            if d[key]:
                lines.append(f"{title}: " + ", ".join(f"{k} {v}" for k, v in d[key].items()))
        s = d["score"]
        if s["mean"] is not None:
            lines.append(f"score mean {s['mean']:.4f} (min {s['min']:.4f}, max {s['max']:.4f})")
        if s["bands"]:
            lines.append("bands: " + ", ".join(f"{k or '-'} {v}" for k, v in s["bands"].items()))
        drift = d["drift"]
        flagged = [k for k, v in drift["features"].items() if v["flag"]]
        parts = [f"{k} {_psi_text(v)}" for k, v in drift["features"].items()]
        few = [v for v in drift["features"].values() if v.get("records", 0) < v.get("minimum", 0)]
        if drift["score"]:
            parts.append(f"score {_psi_text(drift['score'])}")
            if drift["score"]["flag"]:
                flagged.append("score")
        if parts:
            lines.append(f"PSI (flag above {drift['threshold']}): " + ", ".join(parts))
        if few:
            lines.append(f"PSI not judged (*): {few[0]['records']} records, fewer than the {few[0]['minimum']} "
                         "a PSI needs")
        if flagged:
            lines.append("DRIFT: " + ", ".join(flagged) + " shifted from training")
        if "shadow" in d:
            sh = d["shadow"]
            if sh["both_scored"]:
                lines.append(f"shadow {sh['challenger']}: mean |diff| {sh['mean_abs_difference']:.4f}, "
                             f"max {sh['max_abs_difference']:.4f}, same band {sh['same_band_share']:.1%}")
        return "\n".join(lines) + "\n"

    def write(self, path: str | Path) -> tuple[Path, Path]:
        """Write the JSON report at ``path`` and the summary beside it (``.txt``), both 0600."""
        path = write_private_text(path, json.dumps(self.to_dict(), indent=2, default=_plain) + "\n")
        text = write_private_text(path.with_suffix(".txt"), self.summary())
        return path, text


def _value_counts(values: np.ndarray) -> dict[str, int]:
    """Count of each distinct string of a numpy unicode array.

    Labels of one or two characters (bands) are counted through their UCS-4 code units read
    as one integer, which sorts several times faster than the strings themselves.
    """
    if len(values) == 0:
        return {}
    key_type = {4: np.uint32, 8: np.uint64}.get(values.dtype.itemsize) if values.dtype.kind == "U" else None
    if key_type is None:
        labels, counts = np.unique(values, return_counts=True)
        return {str(k): int(c) for k, c in zip(labels, counts)}
    keys, counts = np.unique(np.ascontiguousarray(values).view(key_type), return_counts=True)
    return {str(k): int(c) for k, c in zip(keys.view(values.dtype), counts)}


def _plain(value: Any) -> Any:
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} in a report")


def _psi_text(entry: dict[str, Any]) -> str:
    mark = " (!)" if entry["flag"] else " (*)" if entry.get("records", 0) < entry.get("minimum", 0) else ""
    return f"{entry['psi']:.3f}{mark}"
