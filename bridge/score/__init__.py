"""Scoring: LightGBM models described by model cards, their outputs, reason codes and drift."""
from bridge.score.card import ModelCard
from bridge.score.drift import DriftMonitor, psi
from bridge.score.model import Model, ScoreResult, feature_matrix
from bridge.score.outputs import StatusCodes
from bridge.score.reasons import TreeShap, rank_reasons, reason_codes
from bridge.score.report import RunReport
from bridge.score.shadow import ShadowComparison, compare
from bridge.score.train import TrainedModel, train_model

__all__ = [
    "DriftMonitor",
    "Model",
    "ModelCard",
    "RunReport",
    "ScoreResult",
    "ShadowComparison",
    "StatusCodes",
    "TrainedModel",
    "TreeShap",
    "compare",
    "feature_matrix",
    "psi",
    "rank_reasons",
    "reason_codes",
    "train_model",
]
