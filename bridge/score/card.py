"""The model card: what a model reads, what it writes where, and how it was trained.

A card is a TOML file (``card.toml``) beside the LightGBM text model, written for both a
mainframe engineer and a data scientist. Sections:

``[model]``
    ``id``, ``version``, ``copybook`` (informational), ``record`` (the 01 record it expects),
    ``objective`` (``"binary"``: the score is the probability of the positive class, the
    adverse outcome).
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

import tomllib
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, Mapping

import tomli_w

from bridge.errors import LayoutError, ModelCardError
from bridge.layout.model import Field, Kind, Record
from bridge.score.outputs import StatusCodes, parse_condition

__all__ = [
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

_ON_MISSING = ("missing", "reject", "impute")
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

    def fields(self) -> dict[str, str]:
        """Output role → copybook field name."""
        roles = {"score": self.score, "band": self.band, "reasons": self.reasons,
                 "model_id": self.model_id, "status": self.status}
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
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ModelCardError(f"cannot read the card: {exc}", card=str(path)) from None
        return cls.from_dict(data, source=str(path))

    def save(self, path: str | Path) -> None:
        """Write the card as TOML (keys in a stable order)."""
        Path(path).write_text(tomli_w.dumps(self.to_dict()), encoding="utf-8")

    @property
    def feature_names(self) -> tuple[str, ...]:
        return tuple(f.field for f in self.features)

    def with_outputs(self, outputs: Outputs) -> "ModelCard":
        return replace(self, outputs=outputs)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str | None = None) -> "ModelCard":
        def need(table: Mapping[str, Any], key: str, where: str) -> Any:
            if key not in table:
                raise ModelCardError(f"[{where}] has no {key} =", card=source)
            return table[key]

        model = need(data, "model", "card")
        model_id, record = str(need(model, "id", "model")), str(need(model, "record", "model")).upper()
        features = []
        for i, f in enumerate(data.get("features", [])):
            feature = Feature(field=str(need(f, "field", f"features {i + 1}")).upper(),
                              categorical=bool(f.get("categorical", False)),
                              categories=tuple(str(c) for c in f.get("categories", ())),
                              on_missing=str(f.get("on_missing", "missing")),
                              impute=f.get("impute"))
            if feature.on_missing not in _ON_MISSING:
                raise ModelCardError(f"feature {feature.field}: on_missing = {feature.on_missing!r} "
                                     f"is not one of {', '.join(_ON_MISSING)}", card=source, field=feature.field)
            if feature.on_missing == "impute" and feature.impute is None:
                raise ModelCardError(f"feature {feature.field}: on_missing = \"impute\" needs impute = <number>",
                                     card=source, field=feature.field)
            features.append(feature)
        if not features:
            raise ModelCardError("the card lists no [[features]]", card=source)
        outputs = _outputs_from(data.get("outputs", {}), source)
        tr = data.get("training", {})
        training = Training(
            data=str(tr.get("data", "")), label=str(tr.get("label", "")), positive=str(tr.get("positive", "1")),
            date=str(tr.get("date", "")), rows=int(tr.get("rows", 0)), seed=int(tr.get("seed", 0)),
            params=dict(tr.get("params", {})), metrics=dict(tr.get("metrics", {})),
            distributions={k.upper(): _distribution_from(v) for k, v in tr.get("distributions", {}).items()},
            score_distribution=_distribution_from(tr["score_distribution"]) if "score_distribution" in tr else None,
        )
        return cls(model_id=model_id, version=str(model.get("version", "1")),
                   record=record, copybook=str(model.get("copybook", "")),
                   objective=str(model.get("objective", "binary")), features=tuple(features),
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
        if self.objective != "binary":
            fail(f"objective {self.objective!r} is not supported (binary only)", self.record)
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
        if o.score:
            f = lookup(o.score.field, "score")
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
                top = Decimal(1) if o.score.scale == "probability" else Decimal(repr(o.score.points.max))
                if uppers[-1] < top:
                    fail(f"the last band of {f.name} ends at {uppers[-1]}, below the highest score {top}: "
                         "such scores would get no band", f.name)
            else:
                fail(f"band field {f.name} needs a [outputs.score] to band", f.name)
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
        else:
            fail(f"score scale {s.scale!r} is not probability or points", f.name)


def _outputs_from(data: Mapping[str, Any], source: str | None) -> Outputs:
    def need(table: Mapping[str, Any], key: str, where: str) -> Any:
        if key not in table:
            raise ModelCardError(f"[outputs.{where}] has no {key} =", card=source)
        return table[key]

    score = band = reasons = model_id = status = None
    if "score" in data:
        s = data["score"]
        points = PointsScale(**{k: float(v) for k, v in s["points"].items()}) if "points" in s else None
        scale = str(s.get("scale", "probability"))
        score = ScoreOutput(field=str(need(s, "field", "score")).upper(), scale=scale,
                            points=points or (PointsScale() if scale == "points" else None),
                            on_overflow=str(s.get("on_overflow", "clamp")))
    if "band" in data:
        b = data["band"]
        try:
            bands = tuple(Band(upper=Decimal(str(x["upper"])), label=str(x["label"]))
                          for x in need(b, "bands", "band"))
        except (KeyError, ArithmeticError, TypeError) as exc:
            raise ModelCardError(f"[outputs.band] bands must be {{upper = <number>, label = \"A\"}}: {exc}",
                                 card=source, field=str(b.get("field"))) from None
        band = BandOutput(field=str(need(b, "field", "band")).upper(), bands=bands)
    if "reasons" in data:
        r = data["reasons"]
        reasons = ReasonsOutput(field=str(need(r, "field", "reasons")).upper(), count=int(r.get("count", 4)),
                                when=r.get("when"), table={k.upper(): str(v) for k, v in r.get("table", {}).items()},
                                default=r.get("default"))
    if "model_id" in data:
        m = data["model_id"]
        model_id = ModelIdOutput(field=str(need(m, "field", "model_id")).upper(), value=str(need(m, "value", "model_id")))
    if "status" in data:
        st = data["status"]
        status = StatusOutput(field=str(need(st, "field", "status")).upper(),
                              codes=StatusCodes(**{k: str(v) for k, v in st.get("codes", {}).items()}))
    return Outputs(score=score, band=band, reasons=reasons, model_id=model_id, status=status)


def _distribution_from(d: Mapping[str, Any]) -> Distribution:
    return Distribution(proportions=tuple(float(x) for x in d.get("proportions", ())),
                        edges=tuple(float(x) for x in d.get("edges", ())),
                        categories=tuple(str(x) for x in d.get("categories", ())),
                        missing=float(d.get("missing", 0.0)))


def _distribution_to(d: Distribution) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if d.categories:
        out["categories"] = list(d.categories)
    else:
        out["edges"] = list(d.edges)
    out["proportions"] = list(d.proportions)
    out["missing"] = d.missing
    return out
