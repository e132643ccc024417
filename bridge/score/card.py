"""The model card: what a model reads, what it writes where, and how it was trained.

A card is a TOML file (``card.toml``) beside the LightGBM text model, written for both a
mainframe engineer and a data scientist. Sections:

``[model]``
    ``id``, ``version``, ``copybook`` (informational), ``record`` (the 01 record it expects),
    ``objective``: the model's LightGBM objective. ``"binary"`` or ``"cross_entropy"``: the
    score is the probability of the positive class (the adverse outcome), ``scale =
    "probability"`` or ``"points"``. A regression objective (`REGRESSION_OBJECTIVES`: LightGBM's
    ``predict``, the identity for ``regression``, ``exp`` of the raw score for ``poisson``,
    ``gamma`` and ``tweedie``): the score is the predicted value, ``scale = "value"``, written
    with the PICTURE's decimal places. ``"multiclass"`` or ``"multiclassova"``: the model picks
    a class (the most probable; the lowest class on a tie), the score is that class's probability
    (``scale = "probability"``).
``[[features]]`` (in the model's feature order)
    ``field`` (copybook field name, which is also the LightGBM feature name),
    ``categorical`` with its ``categories`` (the category with position *k* is fed to
    LightGBM as code *k*; values are compared with trailing spaces removed),
    ``on_missing``: ``"missing"`` (LightGBM's own missing-value handling, status 04),
    ``"reject"`` (record not scored, status 08) or ``"impute"`` (use ``impute``, status 04).
    A null after decoding (missing or invalid data) and an unknown category are both "missing".
``[outputs.score]``
    ``field``; ``scale`` = ``"probability"`` or ``"points"`` (``base_points``, ``base_odds``
    (good:bad), ``pdo``, ``min``, ``max``: see `bridge.score.outputs.points_from_raw`);
    ``on_overflow`` = ``"clamp"`` (status 02) or ``"error"``.
``[outputs.band]``
    ``field`` and ``bands`` (``[{upper = 0.2, label = "A"}, ...]``, increasing): a score gets the
    first band whose upper bound it does not exceed.
``[outputs.reasons]``
    ``field`` (an OCCURS table), ``count`` N, ``when`` (``"score>=0.5"``; absent = every scored
    record), ``default`` code for features missing from ``[outputs.reasons.table]`` (feature →
    code; empty = never cited).
``[outputs.class]`` (multiclass)
    ``field`` (PIC X, or PIC 9 for numeric codes) and ``codes``: the value written for class 0,
    1, ... (default: the class number). ``[outputs.probabilities]`` (multiclass): ``field``, a
    numeric OCCURS table with one occurrence per class (at least), each class's probability
    rounded half up to the PICTURE's decimal places; occurrences past the last class are left
    as they were.
``[outputs.model_id]``: ``field``, ``value``.  ``[outputs.status]``: ``field``, optional
    ``[outputs.status.codes]`` overriding `StatusCodes`.
``[training]``
    ``data``, ``label``, ``positive``, ``date``, ``rows``, ``seed``, ``params``, ``metrics`` and the
    training distributions for drift: ``[training.distributions.FIELD]`` (``edges`` +
    ``proportions`` for numbers, ``categories`` + ``proportions`` for categories, ``missing``)
    and ``[training.score_distribution]``.

`ModelCard.validate` checks a card against the copybook's record before any record is read.
"""
from __future__ import annotations

import datetime as _dt
import tomllib
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, Mapping

import tomli_w

from bridge.errors import LayoutError, ModelCardError
from bridge.layout.model import Field, Kind, Record
from bridge.score.outputs import StatusCodes, parse_condition
from bridge.score.private import write_private_text

__all__ = [
    "ClassOutput",
    "ProbabilitiesOutput",
    "MULTICLASS_OBJECTIVES",
    "PROBABILITY_OBJECTIVES",
    "REGRESSION_OBJECTIVES",
    "Band",
    "Distribution",
    "Feature",
    "ModelCard",
    "Outputs",
    "PointsScale",
    "ReasonsOutput",
    "ScoreOutput",
    "StatusOutput",
    "Training",
]

#: Objectives whose prediction is the probability of the positive class.
PROBABILITY_OBJECTIVES = ("binary", "cross_entropy")
#: Objectives whose prediction is a value (LightGBM's predict: identity, or exp for a log link).
REGRESSION_OBJECTIVES = ("regression", "regression_l1", "huber", "fair", "quantile", "mape", "poisson", "gamma",
                         "tweedie")
#: Objectives whose prediction is one probability per class.
MULTICLASS_OBJECTIVES = ("multiclass", "multiclassova")
_SCALES = {"probability": PROBABILITY_OBJECTIVES + MULTICLASS_OBJECTIVES, "points": PROBABILITY_OBJECTIVES,
           "value": REGRESSION_OBJECTIVES}
_ON_MISSING = ("missing", "reject", "impute")
#: Largest card read (bytes); a card with training distributions is a few tens of kilobytes.
MAX_CARD_BYTES = 16 * 1024 * 1024
_ON_OVERFLOW = ("clamp", "error")
_NUMERIC_OUT = (Kind.ZONED, Kind.PACKED, Kind.BINARY)
_TEXT_OUT = (Kind.ALPHANUMERIC,)


@dataclass(frozen=True, slots=True)
class Feature:
    """One model input, read from the copybook field of the same name."""

    field: str
    categorical: bool = False
    categories: tuple[str, ...] = ()
    on_missing: str = "missing"
    impute: float | None = None


@dataclass(frozen=True, slots=True)
class PointsScale:
    """A points score: ``base_points`` at good:bad odds ``base_odds``, ``pdo`` points to double the odds."""

    base_points: float = 600.0
    base_odds: float = 50.0
    pdo: float = 20.0
    min: float = 0.0
    max: float = 999.0


@dataclass(frozen=True, slots=True)
class ScoreOutput:
    field: str
    scale: str = "probability"
    points: PointsScale | None = None
    on_overflow: str = "clamp"


@dataclass(frozen=True, slots=True)
class Band:
    upper: Decimal
    label: str


@dataclass(frozen=True, slots=True)
class BandOutput:
    field: str
    bands: tuple[Band, ...]


@dataclass(frozen=True, slots=True)
class ReasonsOutput:
    field: str
    count: int = 4
    when: str | None = None
    table: Mapping[str, str] = field(default_factory=dict)
    default: str | None = None


@dataclass(frozen=True, slots=True)
class ClassOutput:
    field: str
    codes: tuple[str, ...] = ()

    def code(self, k: int) -> str:
        """What is written for class ``k``."""
        return self.codes[k] if k < len(self.codes) else str(k)


@dataclass(frozen=True, slots=True)
class ProbabilitiesOutput:
    field: str


@dataclass(frozen=True, slots=True)
class ModelIdOutput:
    field: str
    value: str


@dataclass(frozen=True, slots=True)
class StatusOutput:
    field: str
    codes: StatusCodes = StatusCodes()


@dataclass(frozen=True, slots=True)
class Outputs:
    """The copybook fields a scored record gets; any of them may be absent."""

    score: ScoreOutput | None = None
    band: BandOutput | None = None
    reasons: ReasonsOutput | None = None
    model_id: ModelIdOutput | None = None
    status: StatusOutput | None = None
    klass: ClassOutput | None = None                 # [outputs.class]
    probabilities: ProbabilitiesOutput | None = None

    def fields(self) -> dict[str, str]:
        """Output role → copybook field name."""
        roles = {"score": self.score, "band": self.band, "reasons": self.reasons,
                 "model_id": self.model_id, "status": self.status, "class": self.klass,
                 "probabilities": self.probabilities}
        return {role: out.field for role, out in roles.items() if out is not None}


@dataclass(frozen=True, slots=True)
class Distribution:
    """A training distribution for PSI: numeric bins (``edges``) or ``categories``, plus missing."""

    proportions: tuple[float, ...]
    edges: tuple[float, ...] = ()
    categories: tuple[str, ...] = ()
    missing: float = 0.0


@dataclass(frozen=True, slots=True)
class Training:
    data: str = ""
    label: str = ""
    positive: str = "1"
    date: str = ""
    rows: int = 0
    seed: int = 0
    params: Mapping[str, Any] = field(default_factory=dict)
    metrics: Mapping[str, Any] = field(default_factory=dict)
    distributions: Mapping[str, Distribution] = field(default_factory=dict)
    score_distribution: Distribution | None = None


@dataclass(frozen=True, slots=True)
class ModelCard:
    """A model card; `load`/`save` read and write ``card.toml``, `validate` checks it against a record."""

    model_id: str
    version: str
    record: str
    features: tuple[Feature, ...]
    copybook: str = ""
    objective: str = "binary"
    outputs: Outputs = Outputs()
    training: Training = Training()
    source: str | None = None  # the file it was loaded from, for messages

    # -- reading and writing ------------------------------------------------------------
    @classmethod
    def load(cls, path: str | Path) -> "ModelCard":
        """Read a card; raises `ModelCardError` for malformed TOML or missing keys."""
        path = Path(path)
        try:
            with open(path, "rb") as f:
                raw = f.read(MAX_CARD_BYTES + 1)
            if len(raw) > MAX_CARD_BYTES:
                raise ModelCardError(f"is larger than {MAX_CARD_BYTES // (1024 * 1024)} MiB; not a model card",
                                     card=str(path))
            data = tomllib.loads(raw.decode("utf-8"))
        except OSError as exc:
            raise ModelCardError(f"cannot read the card: {exc.strerror or exc}", card=str(path)) from None
        except UnicodeDecodeError as exc:
            raise ModelCardError(f"is not UTF-8 text (byte {exc.start}); save the card as UTF-8",
                                 card=str(path)) from None
        except tomllib.TOMLDecodeError as exc:
            raise ModelCardError(f"is not valid TOML: {exc}", card=str(path)) from None
        except RecursionError:
            raise ModelCardError("is not valid TOML: its values are nested too deeply", card=str(path)) from None
        return cls.from_dict(data, source=str(path))

    def save(self, path: str | Path) -> None:
        """Write the card as TOML (keys in a stable order), a 0600 file."""
        write_private_text(path, tomli_w.dumps(self.to_dict()))

    @property
    def feature_names(self) -> tuple[str, ...]:
        return tuple(f.field for f in self.features)

    def with_outputs(self, outputs: Outputs) -> "ModelCard":
        return replace(self, outputs=outputs)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str | None = None) -> "ModelCard":
        """A card from parsed TOML; raises `ModelCardError` naming the section and key of any
        value that is missing, of the wrong type or not known."""
        root = _Table(data, "card", source)
        root.known("model", "features", "outputs", "training")
        model = root.table("model", required=True)
        model.known("id", "version", "copybook", "record", "objective")
        model_id, record = model.text("id", required=True), model.text("record", required=True).upper()
        features = []
        for i, f in enumerate(root.tables("features")):
            f.known("field", "categorical", "categories", "on_missing", "impute")
            feature = Feature(field=f.text("field", required=True).upper(),
                              categorical=f.boolean("categorical", False),
                              categories=f.texts("categories"),
                              on_missing=f.text("on_missing", "missing"),
                              impute=f.number("impute"))
            if feature.on_missing not in _ON_MISSING:
                raise ModelCardError(f"feature {feature.field}: on_missing = {feature.on_missing!r} "
                                     f"is not one of {', '.join(_ON_MISSING)}", card=source, field=feature.field)
            if feature.on_missing == "impute" and feature.impute is None:
                raise ModelCardError(f"feature {feature.field}: on_missing = \"impute\" needs impute = <number>",
                                     card=source, field=feature.field)
            features.append(feature)
        if not features:
            raise ModelCardError("the card lists no [[features]]", card=source)
        outputs = _outputs_from(root.table("outputs"), source)
        tr = root.table("training")
        tr.known("data", "label", "positive", "date", "rows", "seed", "params", "metrics", "distributions",
                 "score_distribution")
        distributions = tr.table("distributions")
        training = Training(
            data=tr.text("data", ""), label=tr.text("label", ""), positive=tr.text("positive", "1", numbers=True),
            date=tr.text("date", "", dates=True), rows=tr.integer("rows", 0, low=0), seed=tr.integer("seed", 0),
            params=dict(tr.table("params").data), metrics=dict(tr.table("metrics").data),
            distributions={k.upper(): _distribution_from(distributions.table(k, required=True))
                           for k in distributions.data},
            score_distribution=(_distribution_from(tr.table("score_distribution"))
                                if "score_distribution" in tr.data else None),
        )
        return cls(model_id=model_id, version=model.text("version", "1", numbers=True),
                   record=record, copybook=model.text("copybook", ""),
                   objective=model.text("objective", "binary"), features=tuple(features),
                   outputs=outputs, training=training, source=source)

    def to_dict(self) -> dict[str, Any]:
        model = {"id": self.model_id, "version": self.version, "copybook": self.copybook,
                 "record": self.record, "objective": self.objective}
        features = []
        for f in self.features:
            entry: dict[str, Any] = {"field": f.field, "categorical": f.categorical, "on_missing": f.on_missing}
            if f.categorical:
                entry["categories"] = list(f.categories)
            if f.impute is not None:
                entry["impute"] = f.impute
            features.append(entry)
        out: dict[str, Any] = {}
        o = self.outputs
        if o.score:
            score: dict[str, Any] = {"field": o.score.field, "scale": o.score.scale, "on_overflow": o.score.on_overflow}
            if o.score.points:
                score["points"] = asdict(o.score.points)
            out["score"] = score
        if o.band:
            out["band"] = {"field": o.band.field,
                           "bands": [{"upper": str(b.upper), "label": b.label} for b in o.band.bands]}
        if o.reasons:
            reasons: dict[str, Any] = {"field": o.reasons.field, "count": o.reasons.count}
            if o.reasons.when:
                reasons["when"] = o.reasons.when
            if o.reasons.default is not None:
                reasons["default"] = o.reasons.default
            reasons["table"] = dict(o.reasons.table)
            out["reasons"] = reasons
        if o.model_id:
            out["model_id"] = {"field": o.model_id.field, "value": o.model_id.value}
        if o.status:
            out["status"] = {"field": o.status.field, "codes": asdict(o.status.codes)}
        if o.klass:
            out["class"] = {"field": o.klass.field, "codes": list(o.klass.codes)}
        if o.probabilities:
            out["probabilities"] = {"field": o.probabilities.field}
        t = self.training
        training: dict[str, Any] = {"data": t.data, "label": t.label, "positive": t.positive, "date": t.date,
                                    "rows": t.rows, "seed": t.seed, "params": dict(t.params),
                                    "metrics": dict(t.metrics),
                                    "distributions": {k: _distribution_to(v) for k, v in t.distributions.items()}}
        if t.score_distribution is not None:
            training["score_distribution"] = _distribution_to(t.score_distribution)
        return {"model": model, "features": features, "outputs": out, "training": training}

    # -- checking against the copybook --------------------------------------------------
    def validate(self, record: Record) -> None:
        """Refuse a card that does not fit ``record``; raises `ModelCardError` naming the field."""
        src = self.source

        def fail(message: str, name: str) -> None:
            raise ModelCardError(message, card=src, field=name)

        def lookup(name: str, role: str) -> Field:
            try:
                found = record.field(name)
            except LayoutError as exc:
                raise ModelCardError(f"{role} field {name} is not in record {record.name}: {exc}",
                                     card=src, field=name) from None
            if not found.is_elementary:
                fail(f"{role} field {name} is a group; name an elementary item", name)
            return found

        if self.record != record.name:
            fail(f"the card expects record {self.record}, the copybook gives {record.name}", self.record)
        covered = PROBABILITY_OBJECTIVES + REGRESSION_OBJECTIVES + MULTICLASS_OBJECTIVES
        if self.objective not in covered:
            fail(f"objective {self.objective!r} is not covered (covered: {', '.join(covered)})", self.record)
        multiclass = self.objective in MULTICLASS_OBJECTIVES
        for feat in self.features:
            f = lookup(feat.field, "feature")
            if f.dims:
                fail(f"feature field {feat.field} is inside an OCCURS table; features must be single items",
                     feat.field)
            if not feat.categorical and not f.kind.is_numeric:
                fail(f"feature field {feat.field} is {f.kind.value} (PIC {f.picture}) where a number must go; "
                     "declare it categorical = true with its categories", feat.field)
            if feat.categorical and not feat.categories:
                fail(f"categorical feature {feat.field} lists no categories", feat.field)

        o = self.outputs
        used: list[tuple[str, Field]] = []
        f_score = None
        if o.score:
            f = f_score = lookup(o.score.field, "score")
            used.append(("score", f))
            self._validate_score(f, fail)
        if o.band:
            f = lookup(o.band.field, "band")
            used.append(("band", f))
            if f.kind not in _TEXT_OUT:
                fail(f"band field {f.name} is {f.kind.value}; a band label needs PIC X", f.name)
            for b in o.band.bands:
                if len(b.label) > f.length:
                    fail(f"band label {b.label!r} is {len(b.label)} characters, band field {f.name} "
                         f"PIC {f.picture} holds {f.length}", f.name)
            uppers = [b.upper for b in o.band.bands]
            if not uppers or uppers != sorted(uppers) or len(set(uppers)) != len(uppers):
                fail(f"bands of {f.name} must have strictly increasing upper bounds", f.name)
            if o.score:
                top = (Decimal(1) if o.score.scale == "probability" else
                       Decimal(repr(o.score.points.max)) if o.score.scale == "points" and o.score.points else
                       Decimal(10 ** f_score.digits - 1).scaleb(-f_score.scale))
                if uppers[-1] < top:
                    fail(f"the last band of {f.name} ends at {uppers[-1]}, below the highest score {top}: "
                         "such scores would get no band", f.name)
            else:
                fail(f"band field {f.name} needs a [outputs.score] to band", f.name)
        if o.reasons and multiclass:
            fail("reason codes for a multiclass model are not covered: each class has its own contributions; "
                 "leave [outputs.reasons] out", o.reasons.field)
        if (o.klass or o.probabilities) and not multiclass:
            role = "class" if o.klass else "probabilities"
            fail(f"[outputs.{role}] needs a multiclass objective; this card's is {self.objective}",
                 (o.klass or o.probabilities).field)  # type: ignore[union-attr]
        if o.klass:
            f = lookup(o.klass.field, "class")
            used.append(("class", f))
            for code in o.klass.codes:
                if f.kind in _TEXT_OUT:
                    if len(code) > f.length:
                        fail(f"class code {code!r} is {len(code)} characters, class field {f.name} "
                             f"PIC {f.picture} holds {f.length}", f.name)
                elif f.kind in _NUMERIC_OUT:
                    if not code.isdigit() or len(code.lstrip("0")) > f.digits - max(f.scale, 0):
                        fail(f"class code {code!r} does not fit numeric class field {f.name} PIC {f.picture}",
                             f.name)
                else:
                    fail(f"class field {f.name} is {f.kind.value}; use PIC X or a numeric PIC 9", f.name)
            if f.dims:
                fail(f"class field {f.name} is inside an OCCURS table", f.name)
        if o.probabilities:
            f = lookup(o.probabilities.field, "probabilities")
            used.append(("probabilities", f))
            if f.kind not in _NUMERIC_OUT:
                fail(f"probabilities field {f.name} is {f.kind.value} (PIC {f.picture}) where numbers must go", f.name)
            if not f.dims or len(f.dims) != 1 or f.dims[0].depending_path is not None:
                fail(f"probabilities field {f.name} must be a fixed OCCURS table of one level, one occurrence "
                     "per class", f.name)
            if f.scale < 2:
                fail(f"probabilities field {f.name} PIC {f.picture} has {max(f.scale, 0)} decimal places; a "
                     "probability needs at least 2 (e.g. PIC 9V9999)", f.name)
        if o.reasons:
            r = o.reasons
            f = lookup(r.field, "reasons")
            used.append(("reasons", f))
            if f.kind not in _TEXT_OUT:
                fail(f"reason-code field {f.name} is {f.kind.value}; reason codes need PIC X", f.name)
            if r.count < 1:
                fail(f"reasons count must be at least 1, not {r.count}", f.name)
            if f.occurrences < r.count:
                fail(f"reason-code field {f.name} occurs {f.occurrences} times, the card asks for "
                     f"{r.count} codes", f.name)
            for feat, code in list(r.table.items()) + [("default", r.default or "")]:
                if len(code) > f.length:
                    fail(f"reason code {code!r} ({feat}) is {len(code)} characters, {f.name} "
                         f"PIC {f.picture} holds {f.length}", f.name)
            unknown = sorted(set(r.table) - set(self.feature_names))
            if unknown:
                fail(f"the reason-code table names {', '.join(unknown)}, which the model does not use",
                     unknown[0])
            if r.when:
                if not o.score:
                    fail(f"reasons condition {r.when!r} needs a [outputs.score]", f.name)
                try:
                    parse_condition(r.when)
                except ValueError as exc:
                    fail(str(exc), f.name)
        if o.model_id:
            f = lookup(o.model_id.field, "model id")
            used.append(("model id", f))
            if f.kind not in _TEXT_OUT:
                fail(f"model id field {f.name} is {f.kind.value}; a model id needs PIC X", f.name)
            if len(o.model_id.value) > f.length:
                fail(f"model id {o.model_id.value!r} is {len(o.model_id.value)} characters, "
                     f"{f.name} PIC {f.picture} holds {f.length}", f.name)
        if o.status:
            f = lookup(o.status.field, "status")
            used.append(("status", f))
            for code in o.status.codes.ordered():
                if f.kind in _TEXT_OUT:
                    if len(code) > f.length:
                        fail(f"status code {code!r} does not fit {f.name} PIC {f.picture}", f.name)
                elif f.kind in _NUMERIC_OUT:
                    if not code.isdigit() or len(code.lstrip("0")) > f.digits - max(f.scale, 0):
                        fail(f"status code {code!r} does not fit numeric {f.name} PIC {f.picture}", f.name)
                else:
                    fail(f"status field {f.name} is {f.kind.value}; use PIC X or a numeric PIC 9", f.name)
        # No output may overwrite a feature or another output.
        features = {feat.field for feat in self.features}
        for role, f in used:
            if f.name in features:
                fail(f"{role} field {f.name} is also a model feature; outputs must not overwrite inputs", f.name)
        spans = sorted((f.offset, f.offset + f.total_length, role, f.name) for role, f in used)
        for (a0, a1, ra, na), (b0, _, rb, nb) in zip(spans, spans[1:]):
            if b0 < a1:
                fail(f"{rb} field {nb} overlaps {ra} field {na}", nb)

    def _validate_score(self, f: Field, fail: Any) -> None:
        s = self.outputs.score
        assert s is not None
        if s.on_overflow not in _ON_OVERFLOW:
            fail(f"on_overflow = {s.on_overflow!r} is not one of {', '.join(_ON_OVERFLOW)}", f.name)
        if f.kind not in _NUMERIC_OUT:
            fail(f"score field {f.name} is {f.kind.value} (PIC {f.picture}) where a number must go; "
                 "use a zoned, packed or binary PIC 9", f.name)
        if f.dims:
            fail(f"score field {f.name} is inside an OCCURS table", f.name)
        high = Decimal(10 ** f.digits - 1).scaleb(-f.scale)
        if s.scale in _SCALES and self.objective not in _SCALES[s.scale]:
            fits = ", ".join(k for k, v in _SCALES.items() if self.objective in v) or "none"
            fail(f"score scale {s.scale!r} does not fit objective {self.objective} (use scale = {fits})", f.name)
        if s.scale == "probability":
            if f.scale < 2:
                fail(f"score field {f.name} PIC {f.picture} has {max(f.scale, 0)} decimal places; a probability "
                     "needs at least 2 (e.g. PIC 9V9999)", f.name)
            if high < 1 and s.on_overflow == "error":
                fail(f"score field {f.name} PIC {f.picture} cannot hold a probability of 1 (largest {high}); "
                     "widen it or set on_overflow = \"clamp\"", f.name)
        elif s.scale == "points":
            p = s.points or PointsScale()
            low = -high if f.signed else Decimal(0)
            if Decimal(repr(p.max)) > high or Decimal(repr(p.min)) < low:
                fail(f"points range {p.min} to {p.max} does not fit score field {f.name} PIC {f.picture} "
                     f"(range {low} to {high})", f.name)
            if p.min >= p.max or p.pdo <= 0 or p.base_odds <= 0:
                fail("points scale needs min < max, pdo > 0 and base_odds > 0", f.name)
        elif s.scale != "value":
            fail(f"score scale {s.scale!r} is not probability, points or value", f.name)


class _Table:
    """One TOML table of a card, read key by key with its type checked.

    Every refusal names the section and the key and says what type was expected, e.g.
    ``[training] rows = "40,000" is text; it must be a whole number``.
    """

    def __init__(self, data: Any, where: str, source: str | None) -> None:
        self.where = where
        self.source = source
        if not isinstance(data, Mapping):
            raise self._error(f"[{where}] must be a table, not {_kind(data)}")
        self.data: Mapping[str, Any] = data

    def _error(self, message: str) -> ModelCardError:
        return ModelCardError(message, card=self.source)

    def _wrong(self, key: str, value: Any, expected: str) -> ModelCardError:
        shown = repr(value) if not isinstance(value, (dict, list)) else _kind(value)
        return self._error(f"[{self.where}] {key} = {shown} is {_kind(value)}; it must be {expected}")

    def known(self, *keys: str) -> None:
        """Refuse a key the card format does not have (a typo would otherwise be ignored)."""
        import difflib

        for key in self.data:
            if key not in keys:
                near = difflib.get_close_matches(key, keys, n=1)
                hint = f"; did you mean {near[0]}?" if near else f" (known: {', '.join(keys)})"
                raise self._error(f"[{self.where}] has an unknown key {key}{hint}")

    def _get(self, key: str, required: bool) -> Any:
        if key not in self.data:
            if required:
                raise self._error(f"[{self.where}] has no {key} =")
            return None
        return self.data[key]

    def text(self, key: str, default: str | None = None, *, required: bool = False, numbers: bool = False,
             dates: bool = False) -> str:
        value = self._get(key, required)
        if value is None:
            return default  # type: ignore[return-value]
        if isinstance(value, str):
            return value
        if numbers and isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if dates and isinstance(value, (_dt.date, _dt.datetime)):
            return value.isoformat()
        raise self._wrong(key, value, "text in quotes" + (" or a whole number" if numbers else ""))

    def integer(self, key: str, default: int | None = None, *, required: bool = False,
                low: int | None = None) -> int:
        value = self._get(key, required)
        if value is None:
            return default  # type: ignore[return-value]
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._wrong(key, value, "a whole number without quotes or separators (e.g. 40000)")
        if low is not None and value < low:
            raise self._error(f"[{self.where}] {key} = {value} must be at least {low}")
        return value

    def number(self, key: str, default: float | None = None, *, required: bool = False) -> float | None:
        value = self._get(key, required)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self._wrong(key, value, "a number without quotes")
        if value != value or value in (float("inf"), float("-inf")):
            raise self._error(f"[{self.where}] {key} = {value} must be a finite number")
        return float(value)

    def boolean(self, key: str, default: bool) -> bool:
        value = self._get(key, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self._wrong(key, value, "true or false")
        return value

    def decimal(self, key: str) -> Decimal:
        value = self._get(key, True)
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self._wrong(key, value, "a number, or a decimal in quotes (\"0.15\")")
        try:
            out = Decimal(str(value))
        except ArithmeticError:
            raise self._wrong(key, value, "a number, or a decimal in quotes (\"0.15\")") from None
        if not out.is_finite():
            raise self._error(f"[{self.where}] {key} = {value!r} must be a finite number")
        return out

    def texts(self, key: str) -> tuple[str, ...]:
        value = self._get(key, False)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._wrong(key, value, "a list of texts in quotes ([\"RT\", \"PR\"])")
        return tuple(value)

    def numbers(self, key: str) -> tuple[float, ...]:
        value = self._get(key, False)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                                  for v in value):
            raise self._wrong(key, value, "a list of numbers")
        return tuple(float(v) for v in value)

    def table(self, key: str, *, required: bool = False) -> "_Table":
        value = self._get(key, required)
        name = f"{self.where}.{key}" if self.where != "card" else key
        if value is None:
            return _Table({}, name, self.source)
        if not isinstance(value, Mapping):
            raise self._wrong(key, value, f"a table [{name}]")
        return _Table(value, name, self.source)

    def tables(self, key: str) -> list["_Table"]:
        value = self._get(key, False)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise self._wrong(key, value, f"a list of tables ([[{key}]])")
        return [_Table(v, f"{key} {i + 1}", self.source) for i, v in enumerate(value)]


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return "text"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (_dt.date, _dt.time)):
        return "a date or time"
    return type(value).__name__


def _outputs_from(data: "_Table", source: str | None) -> Outputs:
    data.known("score", "band", "reasons", "model_id", "status", "class", "probabilities")
    score = band = reasons = model_id = status = klass = probabilities = None
    if "score" in data.data:
        s = data.table("score")
        s.known("field", "scale", "points", "on_overflow")
        points = None
        if "points" in s.data:
            p = s.table("points")
            p.known(*PointsScale.__dataclass_fields__)
            points = PointsScale(**{k: p.number(k) for k in p.data})
        scale = s.text("scale", "probability")
        score = ScoreOutput(field=s.text("field", required=True).upper(), scale=scale,
                            points=points or (PointsScale() if scale == "points" else None),
                            on_overflow=s.text("on_overflow", "clamp"))
    if "band" in data.data:
        b = data.table("band")
        b.known("field", "bands")
        field_name = b.text("field", required=True).upper()
        entries = b.tables("bands")
        if "bands" not in b.data:
            raise ModelCardError("[outputs.band] has no bands =", card=source, field=field_name)
        bands = []
        for entry in entries:
            entry.where = "outputs.band bands"
            entry.known("upper", "label")
            bands.append(Band(upper=entry.decimal("upper"), label=entry.text("label", required=True)))
        band = BandOutput(field=field_name, bands=tuple(bands))
    if "reasons" in data.data:
        r = data.table("reasons")
        r.known("field", "count", "when", "table", "default")
        table = r.table("table")
        reasons = ReasonsOutput(field=r.text("field", required=True).upper(), count=r.integer("count", 4),
                                when=r.text("when"), table={k.upper(): table.text(k) for k in table.data},
                                default=r.text("default"))
    if "model_id" in data.data:
        m = data.table("model_id")
        m.known("field", "value")
        model_id = ModelIdOutput(field=m.text("field", required=True).upper(), value=m.text("value", required=True))
    if "status" in data.data:
        st = data.table("status")
        st.known("field", "codes")
        codes = st.table("codes")
        codes.known(*StatusCodes.__dataclass_fields__)
        status = StatusOutput(field=st.text("field", required=True).upper(),
                              codes=StatusCodes(**{k: codes.text(k, numbers=True) for k in codes.data}))
    if "class" in data.data:
        c = data.table("class")
        c.known("field", "codes")
        klass = ClassOutput(field=c.text("field", required=True).upper(), codes=c.texts("codes"))
    if "probabilities" in data.data:
        pr = data.table("probabilities")
        pr.known("field")
        probabilities = ProbabilitiesOutput(field=pr.text("field", required=True).upper())
    return Outputs(score=score, band=band, reasons=reasons, model_id=model_id, status=status, klass=klass,
                   probabilities=probabilities)


def _distribution_from(d: "_Table") -> Distribution:
    d.known("proportions", "edges", "categories", "missing")
    return Distribution(proportions=d.numbers("proportions"), edges=d.numbers("edges"),
                        categories=d.texts("categories"), missing=d.number("missing", 0.0) or 0.0)


def _distribution_to(d: Distribution) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if d.categories:
        out["categories"] = list(d.categories)
    else:
        out["edges"] = list(d.edges)
    out["proportions"] = list(d.proportions)
    out["missing"] = d.missing
    return out
