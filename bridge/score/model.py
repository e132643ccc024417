"""A model ready to score: its card, its LightGBM booster and the record it writes into.

`Model.load` reads ``model.txt`` and ``card.toml`` from a model folder and refuses, before any
record is read, a card that does not fit the copybook, a model file that is damaged (checked in
full by `bridge.score.model_text` before LightGBM reads it: LightGBM's own loader kills the
process on some damage instead of raising) or a booster whose feature names are not the card's. `Model.score` turns one batch of decoded features (a DataFrame whose columns
are copybook field names, Arrow-backed or not) into a `ScoreResult`: the values of every
output field, exact and ready to encode.

Decisions: features become one float64 matrix, column by column with Arrow compute (no loop
per row, no pandas: a batch may be an Arrow table, and Arrow arrays are read and built through
their buffers, because pyarrow imports pandas on its first ``to_numpy`` or ``pa.array``);
categories become their position in the card's list, a null or an unknown
category becomes NaN (LightGBM's missing value). A batch of at most `SMALL_ROWS` rows (and
`SMALL_VISITS` rows x trees) is predicted by the numpy walk of the model text
(`bridge.score.compiled.walk.SmallWalk`, the compiled model's numbers to the bit) while the
compiled model is not loaded: a small file never loads it. The probability is LightGBM's own
``predict``; points use its raw score. Reason codes come from `bridge.score.reasons.TreeShap`,
built once per model, for the rows the card's condition selects.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bridge.codec.arrow_buffers import float_values as _float_values
from bridge.codec.arrow_buffers import int_array as _int_array
from bridge.codec.arrow_buffers import string_array as _string_array
from bridge.errors import EncodeError, ModelCardError, ModelFileError
from bridge.layout.model import Field, Record
from bridge.score.card import MULTICLASS_OBJECTIVES, ModelCard, PointsScale
from bridge.score.compiled.booster import compiled_for, is_compiled
from bridge.score.compiled.walk import SMALL_ROWS, SMALL_VISITS, SmallWalk
from bridge.score.model_text import read_model_text
from bridge.score.outputs import (
    band_labels,
    fit_to_picture,
    points_from_raw,
    round_half_up,
    scaled_bound,
    select_rows,
)
from bridge.score.reasons import TreeShap, rank_reasons
from bridge.score.text_booster import TextBooster

if TYPE_CHECKING:  # LightGBM and pandas are imported only where they are used (seconds of CPU per process)
    import lightgbm as lgb
    import pandas as pd

__all__ = ["FeatureMatrix", "Model", "PreparedBatch", "ScoreResult", "feature_matrix"]

MODEL_FILE = "model.txt"
CARD_FILE = "card.toml"

# status levels, mildest first (index into StatusCodes.ordered())
_SCORED, _CLAMPED, _MISSING, _REJECTED, _MODEL_ERROR = range(5)


@dataclass(frozen=True)
class FeatureMatrix:
    """Features as LightGBM reads them, with what was missing."""

    X: np.ndarray                      # (rows, features) float64, NaN = missing
    missing: np.ndarray                # (rows, features) bool: null after decoding or unknown category
    unknown: Mapping[str, int]         # per categorical field: non-null values not in the card's list


def feature_matrix(card: ModelCard, frame: pa.Table | pd.DataFrame) -> FeatureMatrix:
    """The float64 matrix of ``card``'s features from a decoded batch (an Arrow table, or a
    DataFrame whose columns are field names); raises `ModelCardError` when a feature column is
    absent."""
    n = len(frame)
    names = list(frame.column_names if isinstance(frame, pa.Table) else frame.columns)
    # filled feature by feature, one contiguous row each, then turned once into the
    # row-major matrix LightGBM reads: cheaper than writing strided columns
    by_feature = np.empty((len(card.features), n), dtype=np.float64)
    unknown: dict[str, int] = {}
    for j, feat in enumerate(card.features):
        if feat.field not in names:
            raise ModelCardError(f"feature {feat.field} is not among the decoded columns "
                                 f"({', '.join(map(str, names[:8]))}...)", card=card.source, field=feat.field)
        arr = _column(frame, feat.field)
        if feat.categorical:
            text = pc.utf8_rtrim_whitespace(pc.cast(arr, pa.string()))
            codes = pc.index_in(text, value_set=_string_array(list(feat.categories)))
            col = pc.cast(codes, pa.float64())
            # a code is null where the text is null or not a category
            unknown[feat.field] = codes.null_count - text.null_count
        else:
            try:
                col = pc.cast(arr, pa.float64())
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise ModelCardError(f"feature {feat.field} holds text, not numbers ({exc}); declare it "
                                     "categorical", card=card.source, field=feat.field) from None
        by_feature[j] = _float_values(col)  # nulls are NaN
    X = np.ascontiguousarray(by_feature.T)
    return FeatureMatrix(X=X, missing=np.isnan(X), unknown=unknown)


def _column(frame: pa.Table | pd.DataFrame, name: str) -> pa.Array:
    """One column of a batch as a single Arrow array."""
    if isinstance(frame, pa.Table):
        column = frame.column(name)
    else:
        column = pa.array(frame[name])
    if isinstance(column, pa.ChunkedArray):   # a decoded batch has one chunk: no copy then
        return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    return column


@dataclass
class ScoreResult:
    """The output values of one batch, row-aligned with its input.

    ``score`` is exact: ``score[i] / 10**score_scale`` is the value for the score field (0 for
    rows not scored). ``band`` and ``reasons`` are ``""`` where absent; ``reasons`` is
    ``(rows, N)``. ``probability`` is LightGBM's prediction (NaN where not scored).
    """

    probability: np.ndarray
    score: np.ndarray
    score_scale: int
    band: np.ndarray
    reasons: np.ndarray
    model_id: str
    status: np.ndarray
    scored: np.ndarray
    explained: np.ndarray                      # rows whose reasons were computed
    features: np.ndarray                       # the float64 matrix LightGBM read (for drift)
    missing_by_field: dict[str, int] = field(default_factory=dict)
    unknown_by_field: dict[str, int] = field(default_factory=dict)
    status_counts: dict[str, int] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)   # role -> copybook field
    class_code: np.ndarray | None = None       # multiclass: the code of the predicted class ("" where not scored)
    probabilities: np.ndarray | None = None    # multiclass: (rows, classes) unscaled probabilities
    probabilities_scale: int = 0
    class_numeric: bool = False                # the class field is a PIC 9

    def __len__(self) -> int:
        return len(self.score)

    def columns(self) -> dict[str, pa.Array]:
        """Output field name → Arrow array to encode: the score as decimal128, the reasons as a
        fixed-size list of N strings, band/model id/status as strings."""
        out: dict[str, pa.Array] = {}
        n = len(self)
        if "score" in self.fields:
            out[self.fields["score"]] = _decimal_array(self.score, self.score_scale)
        if "band" in self.fields:
            out[self.fields["band"]] = _strings(self.band)
        if "reasons" in self.fields:
            k = self.reasons.shape[1]
            flat = _strings(self.reasons.reshape(-1))
            out[self.fields["reasons"]] = pa.FixedSizeListArray.from_arrays(flat, k)
        if "model_id" in self.fields:
            out[self.fields["model_id"]] = _string_array([self.model_id]).take(_int_array(np.zeros(n), np.int32))
        if "status" in self.fields:
            out[self.fields["status"]] = _strings(self.status)
        if "class" in self.fields and self.class_code is not None:
            if self.class_numeric:
                digits = np.where(self.class_code == "", "0", self.class_code)
                out[self.fields["class"]] = _int_array(digits.astype(np.int64))
            else:
                out[self.fields["class"]] = _strings(self.class_code)
        if "probabilities" in self.fields and self.probabilities is not None:
            k = self.probabilities.shape[1]
            flat = _decimal_array(np.ascontiguousarray(self.probabilities).reshape(-1), self.probabilities_scale)
            out[self.fields["probabilities"]] = pa.FixedSizeListArray.from_arrays(flat, k)
        return out


def _strings(values: np.ndarray) -> pa.Array:
    """Arrow strings from a numpy unicode array (bands, codes, status).

    ASCII text (every output code in practice) becomes the Arrow buffers directly: the UCS-4
    code units narrowed to bytes, each row's length up to its last non-NUL character (numpy's
    own reading of its padded strings). Other text: each distinct value converted once, then
    taken, instead of converting every row.
    """
    n = len(values)
    if n == 0:
        return _string_array([])
    width = values.dtype.itemsize // 4
    if values.dtype.kind == "U" and width > 0:
        units = np.ascontiguousarray(values).view(np.uint32).reshape(n, width)
        if not (units >= 0x80).any():
            nonzero = units != 0
            # one past the last non-NUL unit of each row (0 for an empty string)
            lengths = np.where(nonzero.any(axis=1), width - np.argmax(nonzero[:, ::-1], axis=1), 0)
            offsets = np.zeros(n + 1, dtype=np.int32)
            np.cumsum(lengths, out=offsets[1:])
            data = units[np.arange(width) < lengths[:, None]].astype(np.uint8)
            return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))
    distinct, index = np.unique(values, return_inverse=True)
    return _string_array(distinct.tolist()).take(_int_array(index.reshape(-1), np.int32))


def _decimal_array(unscaled: np.ndarray, scale: int) -> pa.Array:
    words = np.empty((len(unscaled), 2), dtype=np.int64)
    words[:, 0] = unscaled
    words[:, 1] = np.where(unscaled < 0, -1, 0)   # sign extension to 128 bits (little-endian)
    return pa.Array.from_buffers(pa.decimal128(38, scale), len(unscaled),
                                 [None, pa.py_buffer(words.tobytes())])


@dataclass(frozen=True)
class PreparedBatch:
    """One batch ready for LightGBM: its features (imputed) and the status level of each row so far."""

    features: FeatureMatrix
    level: np.ndarray                  # int8 per row: status level before prediction
    rejected: np.ndarray               # bool per row: not to be scored (a rejecting feature missing)


class Model:
    """A booster with its card, checked against the record it scores."""

    def __init__(self, card: ModelCard, booster: lgb.Booster, record: Record) -> None:
        self.card = card
        self.booster = booster
        self.record = record
        card.validate(record)
        names = list(booster.feature_name())
        if names != list(card.feature_names):
            raise ModelCardError(
                f"the model's features ({', '.join(names)}) are not the card's ({', '.join(card.feature_names)}), "
                "in the same order", card=card.source,
                field=next((c for m, c in zip(names, card.feature_names) if m != c), None))
        classes = booster.num_model_per_iteration()
        multiclass = card.objective in MULTICLASS_OBJECTIVES
        if (classes != 1) != multiclass:
            raise ModelCardError(f"the model has {classes} outputs per iteration, the card's objective is "
                                 f"{card.objective}", card=card.source)
        #: classes of a multiclass model (1 otherwise)
        self.classes = classes
        if card.outputs.probabilities is not None:
            f = record.field(card.outputs.probabilities.field)
            if f.occurrences < classes:
                raise ModelCardError(f"probabilities field {f.name} occurs {f.occurrences} times; the model has "
                                     f"{classes} classes", card=card.source, field=f.name)
        self._shap: TreeShap | None = None
        self._walk: SmallWalk | bool | None = None
        self._walk_lock = threading.Lock()
        self._score_field: Field | None = record.field(card.outputs.score.field) if card.outputs.score else None

    @classmethod
    def load(cls, folder: str | Path, record: Record) -> "Model":
        """Read ``model.txt`` and ``card.toml`` from ``folder`` and check them against ``record``."""
        folder = Path(folder)
        card = ModelCard.load(folder / CARD_FILE)
        if not (folder / MODEL_FILE).is_file():
            raise ModelCardError(f"no {MODEL_FILE} in {folder}", card=card.source)
        text = read_model_text(folder / MODEL_FILE)   # every size, key and index checked first
        if text.objective != card.objective:
            raise ModelFileError(f"was trained for objective {text.objective or 'custom'}, the card "
                                 f"{card.source} says {card.objective}", model=text.source, key="objective")
        # LightGBM itself is loaded on first use (its predict where the compiler does not cover
        # the model, or the reason-code fallback); its refusal is the same ModelFileError then
        return cls(card, TextBooster(text), record)

    @property
    def explainer(self) -> TreeShap:
        """Exact contributions for this model (built on first use)."""
        if self._shap is None:
            self._shap = TreeShap.from_booster(self.booster)
        return self._shap

    #: predict with the model compiled to native code (`bridge.score.compiled`: LightGBM's numbers,
    #: several times faster); LightGBM's own predict where the compiler does not cover the model
    compiled = True

    def _small_walk(self, rows: int) -> SmallWalk | None:
        """The numpy walk for a batch of ``rows`` rows, while the compiled model is not loaded (a
        small file never loads it); None when the batch is bigger or the walk does not apply."""
        if not self.compiled or rows > SMALL_ROWS or is_compiled(self.booster):
            return None
        text = getattr(self.booster, "text", None)   # a TextBooster's checked model text
        if text is None or rows * len(text.trees) > SMALL_VISITS:
            return None
        with self._walk_lock:
            if self._walk is None:
                self._walk = SmallWalk.of(text) or False
            return self._walk or None

    def predict(self, X: np.ndarray, *, raw_score: bool = False, num_threads: int | None = None) -> np.ndarray:
        """LightGBM's own prediction: probability of the positive class, or the predicted value of a
        regression (or the raw score); computed by the compiled model where the compiler covers it
        (a small batch by its numpy walk, the same numbers)."""
        if (walk := self._small_walk(len(X))) is not None:
            prediction, raw = walk.predict_both(X)
            return raw if raw_score else prediction
        if self.compiled and (native := compiled_for(self.booster)) is not None:
            return native.predict(X, raw_score=raw_score, num_threads=num_threads)
        kwargs = {"num_threads": num_threads} if num_threads else {}
        return self.booster.predict(X, raw_score=raw_score, **kwargs)

    def score(self, features: pd.DataFrame, *, num_threads: int | None = None) -> ScoreResult:
        """Score one batch; raises `EncodeError` for a score that does not fit when the card says
        ``on_overflow = "error"``."""
        batch = self.prepare(features)
        return self.finish(batch, self.predictions(batch.features.X, num_threads=num_threads),
                           num_threads=num_threads)

    # `score` in three steps, so that a file scorer can run LightGBM on one batch (it releases
    # the GIL) while it decodes the next batch and writes the previous one.
    def prepare(self, features: pd.DataFrame) -> "PreparedBatch":
        """The feature matrix of one batch with imputation applied and missing/rejected rows known."""
        card = self.card
        fm = feature_matrix(card, features)
        X, missing = fm.X, fm.missing
        n = X.shape[0]
        level = np.zeros(n, dtype=np.int8)
        reject_cols = [j for j, f in enumerate(card.features) if f.on_missing == "reject"]
        rejected = missing[:, reject_cols].any(axis=1) if reject_cols else np.zeros(n, dtype=bool)
        for j, f in enumerate(card.features):
            if f.on_missing == "impute":
                X[missing[:, j], j] = float(f.impute)  # type: ignore[arg-type]
        level[missing.any(axis=1)] = _MISSING
        level[rejected] = _REJECTED
        return PreparedBatch(fm, level, rejected)

    def predictions(self, X: np.ndarray, *, num_threads: int | None = None) -> tuple[np.ndarray, np.ndarray | None]:
        """LightGBM's probabilities for the rows of a prepared batch's feature matrix (or a run of
        them), and its raw scores when the card scores points."""
        out = self.card.outputs
        n = X.shape[0]
        points = out.score is not None and out.score.scale == "points"
        if not n:
            return np.zeros(0), None
        if points and (walk := self._small_walk(n)) is not None:
            return walk.predict_both(X)
        if points and self.compiled and (native := compiled_for(self.booster)) is not None:
            probability, raw = native.predict_both(X, num_threads=num_threads)   # one walk of the trees, not two
            return probability, raw
        probability = self.predict(X, num_threads=num_threads)
        raw = self.predict(X, raw_score=True, num_threads=num_threads) if points else None
        return probability, raw

    def finish(self, batch: "PreparedBatch", predictions: tuple[np.ndarray, np.ndarray | None], *,
               num_threads: int | None = None) -> ScoreResult:
        """The `ScoreResult` of a prepared batch from its `predictions`."""
        card = self.card
        fm, level, rejected = batch.features, batch.level, batch.rejected
        X, missing = fm.X, fm.missing
        n = X.shape[0]
        out = card.outputs
        points = out.score is not None and out.score.scale == "points"
        probability, raw = predictions
        klass = class_probability = None
        if probability.ndim == 2:   # multiclass: the most probable class (the lowest on a tie) and its probability
            class_probability = probability
            finite = np.isfinite(probability).all(axis=1)
            klass = np.argmax(np.where(np.isfinite(probability), probability, -np.inf), axis=1) if n else \
                np.zeros(0, dtype=np.int64)
            probability = np.where(finite, probability[np.arange(n), klass], np.nan)
        broken = ~np.isfinite(probability) & ~rejected
        level[broken] = _MODEL_ERROR
        scored = ~rejected & ~broken

        score = np.zeros(n, dtype=np.int64)
        scale = 0
        if out.score is not None and self._score_field is not None:
            f = self._score_field
            scale = f.scale
            if points:
                p = out.score.points or PointsScale()
                value = points_from_raw(raw, base_points=p.base_points, base_odds=p.base_odds, pdo=p.pdo)
                outside = scored & ((value < p.min) | (value > p.max))
                if outside.any() and out.score.on_overflow == "error":
                    row = int(np.flatnonzero(outside)[0])
                    raise EncodeError(f"points {value[row]:.4f} are outside the card's range {p.min:g} to "
                                      f"{p.max:g}; set on_overflow = \"clamp\" to clamp them with a status code",
                                      row=row, field=f.name, value=float(value[row]), picture=f.picture)
                value = np.clip(value, p.min, p.max)
            else:
                value, outside = probability, np.zeros(n, dtype=bool)
            unscaled, ok = round_half_up(np.where(scored, value, 0.0), scale)
            high = 10 ** f.digits - 1
            low = -high if f.signed else 0
            unscaled, over = fit_to_picture(unscaled, ok & scored, low=low, high=high, field=f.name,
                                            picture=f.picture, on_overflow=out.score.on_overflow, scale=scale)
            score = np.where(scored, unscaled, 0)
            level[scored & (over | outside)] = np.maximum(level[scored & (over | outside)], _CLAMPED)

        band = np.full(n, "", dtype="<U1")
        if out.band is not None:
            uppers = [scaled_bound(b.upper, scale, upper=True) for b in out.band.bands]
            band = band_labels(score, uppers, [b.label for b in out.band.bands])
            band[~scored] = ""

        n_reasons = out.reasons.count if out.reasons else 0
        reasons = np.full((n, n_reasons), "", dtype="<U1")
        explained = np.zeros(n, dtype=bool)
        if out.reasons is not None:
            explained = scored & select_rows(score, scale, out.reasons.when)
            codes = [out.reasons.table.get(name, out.reasons.default or "") or "" for name in card.feature_names]
            width = max([len(c) for c in codes] + [1])
            reasons = np.full((n, n_reasons), "", dtype=f"<U{width}")
            rows = np.flatnonzero(explained)
            if len(rows):
                contrib = self.explainer.contributions(X[rows], num_threads=num_threads)
                reasons[rows] = rank_reasons(contrib, codes, n_reasons)

        class_code = np.full(n, "", dtype="<U1")
        probabilities = np.zeros((n, 0), dtype=np.int64)
        probabilities_scale = 0
        if klass is not None and out.klass is not None:
            codes = np.array([out.klass.code(k) for k in range(self.classes)])
            class_code = np.where(scored, codes[klass], "")
        if class_probability is not None and out.probabilities is not None:
            f = self.record.field(out.probabilities.field)
            probabilities_scale = f.scale
            unscaled, ok = round_half_up(np.where(scored[:, None], class_probability, 0.0), f.scale)
            high = 10 ** f.digits - 1
            # a probability above what the PICTURE holds (9V99 cannot hold 1.00) is clamped with status 02
            over = ok & (unscaled > high)
            probabilities = np.where(scored[:, None], np.minimum(unscaled, high), 0)
            clamped = scored & over.any(axis=1)
            level[clamped] = np.maximum(level[clamped], _CLAMPED)

        codes_all = np.array(out.status.codes.ordered() if out.status else
                             ("00", "02", "04", "08", "12"))
        status = codes_all[level]
        # counted by level, not by sorting the status strings; two levels may share a code
        by_code: dict[str, int] = {}
        for code, count in zip(codes_all.tolist(), np.bincount(level, minlength=len(codes_all)).tolist()):
            if count:
                by_code[str(code)] = by_code.get(str(code), 0) + int(count)
        return ScoreResult(
            probability=np.where(scored, probability, np.nan), score=score, score_scale=scale, band=band,
            reasons=reasons, model_id=out.model_id.value if out.model_id else card.model_id, status=status,
            scored=scored, explained=explained, features=X,
            missing_by_field={f.field: int(missing[:, j].sum()) for j, f in enumerate(card.features)},
            unknown_by_field=dict(fm.unknown),
            status_counts=dict(sorted(by_code.items())),
            fields=out.fields(),
            class_code=class_code, probabilities=probabilities, probabilities_scale=probabilities_scale,
            class_numeric=bool(out.klass) and self.record.field(out.klass.field).kind.is_numeric,
        )
