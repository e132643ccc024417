"""Reproducible training of a binary LightGBM model, with its card and metrics.

Reproducible means: the same data, features and seed give the same trees on any machine.
The split into training and validation rows is a seeded permutation; LightGBM runs with
``deterministic=True``, ``force_row_wise=True``, one thread and ``seed`` (which seeds every
random stream of LightGBM). Features are encoded exactly as scoring encodes them
(`bridge.score.model.feature_matrix`), categories in sorted order, so the card's category
list is the training encoding.

Metrics are measured on the validation rows: AUC (Mann-Whitney, ties averaged; no sklearn),
log loss, and precision/recall at each band threshold (a row is flagged when its probability
exceeds the threshold, i.e. it falls in a later band).
"""
from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Mapping, Sequence

import lightgbm as lgb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from bridge.errors import ModelCardError
from bridge.score.card import (PROBABILITY_OBJECTIVES, REGRESSION_OBJECTIVES, Feature, ModelCard, Outputs,
                               Training)
from bridge.score.drift import distribution_of
from bridge.score.model import CARD_FILE, MODEL_FILE, feature_matrix
from bridge.score.private import make_private_folder, write_private_text

__all__ = ["DEFAULT_PARAMS", "TrainedModel", "auc", "log_loss", "train_model"]

DEFAULT_PARAMS: Mapping[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.05,
    "num_leaves": 31,
    "min_data_in_leaf": 20,
    "num_iterations": 100,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 1,
    "verbose": -1,
}


@dataclass
class TrainedModel:
    booster: lgb.Booster
    metrics: dict[str, Any]
    card: ModelCard

    def save(self, folder: str | Path) -> Path:
        """Write ``model.txt``, ``card.toml`` and ``metrics.json`` into ``folder`` (created 0700; files 0600)."""
        folder = make_private_folder(folder)
        write_private_text(folder / MODEL_FILE, self.booster.model_to_string())
        self.card.save(folder / CARD_FILE)
        write_private_text(folder / "metrics.json", json.dumps(self.metrics, indent=2, sort_keys=True) + "\n")
        return folder


def auc(y: np.ndarray, p: np.ndarray) -> float:
    """Area under the ROC curve: the probability a positive outranks a negative (ties count half)."""
    y = np.asarray(y).astype(bool)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    _, inverse, counts = np.unique(np.asarray(p, dtype=np.float64), return_inverse=True, return_counts=True)
    upper = np.cumsum(counts)
    average_rank = upper - (counts - 1) / 2.0          # 1-based average rank of each distinct value
    rank_sum = average_rank[inverse][y].sum()
    return float((rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def log_loss(y: np.ndarray, p: np.ndarray, eps: float = 1e-15) -> float:
    """Mean binary cross-entropy."""
    p = np.clip(np.asarray(p, dtype=np.float64), eps, 1 - eps)
    y = np.asarray(y, dtype=np.float64)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def _at_thresholds(y: np.ndarray, p: np.ndarray, thresholds: Sequence[float]) -> list[dict[str, float]]:
    out = []
    y = np.asarray(y).astype(bool)
    for t in thresholds:
        flagged = p > t
        tp = int((flagged & y).sum())
        out.append({"threshold": float(t), "flagged": int(flagged.sum()),
                    "precision": tp / int(flagged.sum()) if flagged.any() else 0.0,
                    "recall": tp / int(y.sum()) if y.any() else 0.0})
    return out


def _label(df: pd.DataFrame, label: str, positive: object | None) -> np.ndarray:
    if label not in df.columns:
        raise ModelCardError(f"label field {label} is not among the decoded columns", field=label)
    arr = pa.array(df[label])
    if positive is not None:
        text = pc.utf8_rtrim_whitespace(pc.cast(arr, pa.string()))
        return pc.equal(text, str(positive)).fill_null(False).to_numpy(zero_copy_only=False).astype(np.int8)
    try:
        values = pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        values = np.array([np.nan])
    if np.isnan(values).any() or not np.isin(values, (0.0, 1.0)).all():
        raise ModelCardError(f"label field {label} must hold 0 and 1 only (or give the positive value)",
                             field=label)
    return values.astype(np.int8)


def _target(df: pd.DataFrame, label: str) -> np.ndarray:
    """The numbers a regression learns; a missing or non-numeric label is refused."""
    if label not in df.columns:
        raise ModelCardError(f"label field {label} is not among the decoded columns", field=label)
    try:
        values = pc.cast(pa.array(df[label]), pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise ModelCardError(f"label field {label} must hold numbers for a regression", field=label) from None
    missing = int(np.isnan(values).sum())
    if missing:
        raise ModelCardError(f"label field {label} is missing or invalid in {missing} records", field=label)
    return values


def train_model(df: pd.DataFrame, *, label: str, features: Sequence[str], categorical: Sequence[str] = (),
                seed: int = 0, params: Mapping[str, Any] | None = None, valid_fraction: float = 0.2,
                positive: object | None = None, model_id: str = "MODEL", version: str = "1",
                record: str = "", copybook: str = "", data: str = "", outputs: Outputs | None = None,
                date: str | None = None, objective: str = "binary") -> TrainedModel:
    """Train a binary model on ``df`` (columns named as copybook fields) reproducibly.

    ``label`` holds 0/1, or any values of which ``positive`` is the adverse one. With a regression
    ``objective`` (`REGRESSION_OBJECTIVES`) the label is the number to predict and the metrics
    are RMSE and mean absolute error. Returns the booster, the validation metrics and a card
    (outputs as given, else empty, to fill later).
    """
    if objective not in PROBABILITY_OBJECTIVES + REGRESSION_OBJECTIVES:
        raise ModelCardError(f"objective {objective!r} cannot be trained here (covered: "
                             f"{', '.join(PROBABILITY_OBJECTIVES + REGRESSION_OBJECTIVES)})")
    regression = objective in REGRESSION_OBJECTIVES
    names = [f.upper() for f in features]
    cats = {c.upper() for c in categorical}
    unknown = cats - set(names)
    if unknown:
        raise ModelCardError(f"categorical {', '.join(sorted(unknown))} is not among the features",
                             field=sorted(unknown)[0])
    feats = []
    for name in names:
        if name in cats:
            text = pc.utf8_rtrim_whitespace(pc.cast(pa.array(df[name]), pa.string()))
            values = sorted(v for v in pc.unique(text).to_pylist() if v is not None)
            feats.append(Feature(field=name, categorical=True, categories=tuple(values)))
        else:
            feats.append(Feature(field=name))
    card = ModelCard(model_id=model_id, version=version, record=record.upper(), copybook=copybook,
                     features=tuple(feats), outputs=outputs or Outputs(), objective=objective)
    X = feature_matrix(card, df).X
    y = _target(df, label) if regression else _label(df, label, positive)

    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    n_valid = int(round(len(y) * valid_fraction))
    valid, train = np.sort(order[:n_valid]), np.sort(order[n_valid:])
    p = {**DEFAULT_PARAMS, "objective": objective, **(params or {}), "seed": seed}
    rounds = int(p.pop("num_iterations"))
    cat_index = [i for i, f in enumerate(feats) if f.categorical]
    train_set = lgb.Dataset(X[train], y[train], feature_name=names, categorical_feature=cat_index or "auto",
                            free_raw_data=False, params={"verbose": -1})
    try:
        booster = lgb.train(p, train_set, num_boost_round=rounds)
    except lgb.basic.LightGBMError as exc:   # e.g. negative labels for poisson
        raise ModelCardError(f"LightGBM refused to train objective {objective}: {str(exc)[:200]}",
                             field=label) from None

    p_valid = booster.predict(X[valid]) if len(valid) else np.zeros(0)
    p_train = booster.predict(X[train])
    if regression:
        def errors(actual: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
            diff = predicted - actual
            return {"rmse": float(np.sqrt(np.mean(diff ** 2))) if len(diff) else float("nan"),
                    "mae": float(np.mean(np.abs(diff))) if len(diff) else float("nan")}

        metrics: dict[str, Any] = {"rows": {"train": int(len(train)), "valid": int(len(valid))},
                                   "label_mean": float(y.mean()) if len(y) else 0.0,
                                   "train": errors(y[train], p_train),
                                   "valid": errors(y[valid], p_valid) if len(valid) else {}}
        summary = {k: metrics["valid"].get(k, float("nan")) for k in ("rmse", "mae")}
    else:
        thresholds = [float(b.upper) for b in (outputs.band.bands if outputs and outputs.band else ()) if b.upper < 1]
        thresholds = thresholds or [0.5]
        metrics = {
            "rows": {"train": int(len(train)), "valid": int(len(valid))},
            "positive_rate": float(y.mean()) if len(y) else 0.0,
            "train": {"auc": auc(y[train], p_train), "log_loss": log_loss(y[train], p_train)},
            "valid": {"auc": auc(y[valid], p_valid), "log_loss": log_loss(y[valid], p_valid),
                      "at_thresholds": _at_thresholds(y[valid], p_valid, thresholds)} if len(valid) else {},
        }
        summary = {"auc": metrics["valid"].get("auc", float("nan")),
                   "log_loss": metrics["valid"].get("log_loss", float("nan"))}
    p_all = booster.predict(X)
    distributions = {f.field: distribution_of(X[:, j], categories=f.categories) for j, f in enumerate(feats)}
    training = Training(data=data, label=label.upper(),
                        positive="" if regression else str(positive if positive is not None else 1),
                        date=date or _dt.date.today().isoformat(), rows=int(len(y)), seed=seed,
                        params={**p, "num_iterations": rounds, "valid_fraction": valid_fraction},
                        metrics=summary,
                        distributions=distributions, score_distribution=distribution_of(p_all))
    return TrainedModel(booster=booster, metrics=metrics, card=replace(card, training=training))
