"""Scoring: LightGBM models described by model cards, their outputs, reason codes and drift.

The names below are loaded on first use, so that scoring a file does not import what only
training needs (LightGBM itself, pandas' and scikit-learn's worth of imports).
"""
from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "DriftMonitor": "bridge.score.drift",
    "Model": "bridge.score.model",
    "ModelCard": "bridge.score.card",
    "RunReport": "bridge.score.report",
    "ScoreResult": "bridge.score.model",
    "ShadowComparison": "bridge.score.shadow",
    "StatusCodes": "bridge.score.outputs",
    "TrainedModel": "bridge.score.train",
    "TreeShap": "bridge.score.reasons",
    "compare": "bridge.score.shadow",
    "feature_matrix": "bridge.score.model",
    "psi": "bridge.score.drift",
    "rank_reasons": "bridge.score.reasons",
    "reason_codes": "bridge.score.reasons",
    "train_model": "bridge.score.train",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'bridge.score' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
