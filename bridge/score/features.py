"""Which fields of a record a model trains on when nobody lists them: the default choice, with reasons.

Taking every numeric item, as `train` once did, trains on account numbers (a model that
memorises customers), on both views of a REDEFINES (the same bytes twice, one of them
garbage for most records), and silently drops every alphanumeric code. The default here:

* leaves out FILLER, the label, the output fields and items inside OCCURS tables;
* takes one view of a REDEFINES: the item that is redefined (the first view); every item
  that redefines it, and everything beneath such an item, is another view of the same bytes;
* leaves out identifiers: a name whose last word is an identifier word (``CUST-ID``,
  ``ACCT-NO``, ``POLICY-NUMBER``: `IDENTIFIER_WORDS`), or a whole number (no decimal places)
  of which at least `IDENTIFIER_SHARE` of the training values are distinct;
* treats short alphanumeric codes (at most `CODE_MAX_LENGTH` characters, at most
  `CODE_MAX_VALUES` distinct values) as LightGBM categoricals, and leaves out other text;
* leaves out a field with one value (or none) in the training data: it cannot split.

Every field left out comes with the reason, which ``train`` prints and writes to
``metrics.json``, so that the choice can be checked and overridden with ``--features``.
The counts are Arrow compute over the decoded columns (no loop per value).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from bridge.layout.model import Field, Kind, Record

__all__ = ["CODE_MAX_LENGTH", "CODE_MAX_VALUES", "IDENTIFIER_SHARE", "IDENTIFIER_WORDS", "FeatureChoice",
           "default_features"]

#: Last words of a field name that mark an identifier.
IDENTIFIER_WORDS = frozenset({"ID", "IDENT", "KEY", "NO", "NBR", "NUM", "NUMBER", "ACCT", "ACCOUNT", "SSN",
                              "PAN", "IBAN", "UUID", "SEQ"})
#: Share of distinct values (among the non-null ones) at which a whole number is an identifier.
IDENTIFIER_SHARE = 0.9
#: Fewest non-null values the distinct-share rule needs (below it, everything looks unique).
IDENTIFIER_MIN_VALUES = 50
#: Longest alphanumeric field taken as a code.
CODE_MAX_LENGTH = 8
#: Most distinct values of an alphanumeric code.
CODE_MAX_VALUES = 50


@dataclass
class FeatureChoice:
    """The default features: names in record order, the categorical ones, and what was left out, why."""

    features: list[str] = field(default_factory=list)
    categorical: list[str] = field(default_factory=list)
    left_out: dict[str, str] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """The choice as readable lines (what ``train`` prints)."""
        out = [f"features ({len(self.features)}): {', '.join(self.features) or '(none)'}"]
        if self.categorical:
            out.append(f"categorical ({len(self.categorical)}): {', '.join(self.categorical)}")
        out.extend(f"left out {name}: {why}" for name, why in self.left_out.items())
        return out

    def to_dict(self) -> dict[str, object]:
        return {"used": list(self.features), "categorical": list(self.categorical), "left_out": dict(self.left_out)}


def default_features(record: Record, frame: pd.DataFrame, *, label: str,
                     outputs: Iterable[str] = ()) -> FeatureChoice:
    """The fields of ``record`` to train on by default, judged on the decoded ``frame``."""
    label = label.upper()
    outputs = {o.upper() for o in outputs}
    by_path = {f.path: f for f in record.fields}
    choice = FeatureChoice()
    for f in record.elementary():
        why = _structural_reason(f, by_path, label, outputs)
        if why is None and f.name not in frame.columns:
            why = "not among the decoded columns"
        if why == "":
            continue                                   # FILLER, the label, an output: not worth a line
        if why is None:
            why, categorical = _data_reason(f, pa.array(frame[f.name]))
            if why is None:
                choice.features.append(f.name)
                if categorical:
                    choice.categorical.append(f.name)
                continue
        choice.left_out[f.name] = why
    return choice


def _structural_reason(f: Field, by_path: dict, label: str, outputs: set[str]) -> str | None:
    """Why the layout alone rules ``f`` out ("" for no line at all), or None."""
    if f.is_filler or f.name == label or f.name in outputs or any(p in outputs for p in f.path):
        return ""
    for depth in range(len(f.path), 1, -1):
        item = by_path.get(f.path[:depth])
        if item is not None and item.redefines:
            whose = f"{item.name} " if item is not f else ""
            return f"another view of {item.redefines} ({whose}REDEFINES it); the first view is used"
    if f.dims:
        return "inside an OCCURS table; name single occurrences with --features"
    words = f.name.split("-")
    if words[-1] in IDENTIFIER_WORDS:
        return f"an identifier (name ends in {words[-1]})"
    if not (f.kind.is_numeric or f.kind == Kind.ALPHANUMERIC):
        return f"{f.kind.value} data (PIC {f.picture}) is neither a number nor a code"
    return None


def _data_reason(f: Field, values: pa.Array) -> tuple[str | None, bool]:
    """Why the training values rule ``f`` out, or None; and whether it is a categorical code."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if f.kind == Kind.ALPHANUMERIC:
        text = pc.utf8_rtrim_whitespace(pc.cast(values, pa.string()))
        text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
        distinct = pc.count_distinct(text).as_py()
        if distinct <= 1:
            return "the same value (or blank) in every training record", False
        if f.length > CODE_MAX_LENGTH:
            return (f"text of {f.length} characters with {distinct} distinct values, not a short code "
                    f"(codes have at most {CODE_MAX_LENGTH} characters)"), False
        if distinct > CODE_MAX_VALUES:
            return f"a code with {distinct} distinct values, more than the {CODE_MAX_VALUES} a category list takes", False
        return None, True
    present = len(values) - values.null_count
    distinct = pc.count_distinct(values).as_py()
    if distinct <= 1:
        return "the same value (or none) in every training record", False
    if f.scale <= 0 and present >= IDENTIFIER_MIN_VALUES and distinct >= IDENTIFIER_SHARE * present:
        return f"an identifier: {distinct} distinct whole numbers in {present} records", False
    return None, False
