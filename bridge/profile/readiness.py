"""ML readiness: which fields a model can use, which to leave out and why, and the label.

Rules (documented in docs/profile.md), checked in this order, the first that applies wins:

* *no data*: no valid value at all;
* *mostly invalid*: invalid bytes are more than half the records;
* *mostly missing*: "no value" fills and absent values are more than half the records;
* *identifier*: distinct values are at least 95 % of the valid values (and more than 50),
  and the field is not a decimal amount: a key, not a feature;
* *constant*: one distinct value; *near-constant*: the top value holds 99 % or more.

Data quality comes first: a field that is mostly invalid is reported as such even if its few
valid values are all alike.

With a label: its balance, each usable feature's information value (IV) against it, from
the row sample (numeric features in deciles, strings in their top 20 values, missing apart),
and a leakage warning for a feature whose bins predict the label almost perfectly.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["readiness", "information_value"]

IDENTIFIER_SHARE = 0.95
NEAR_CONSTANT_SHARE = 0.99
MOSTLY = 0.5
LEAKAGE_ACCURACY = 0.98
FLOOR = 1e-4


def classify(field: dict[str, Any]) -> tuple[str, str] | None:
    """``(reason, sentence)`` when the field should be left out, else None."""
    records = max(field["records"], 1)
    valid = field["valid"]
    name = field["name"]
    if valid == 0:
        return "no data", f"{name} holds no valid value in {field['records']} records."
    if field["invalid"] > MOSTLY * records:
        return "mostly invalid", f"{name} is mostly invalid: {field['invalid'] / records:.0%} of records."
    missing = field["no_value"] + field["absent"]
    if missing > MOSTLY * records:
        return "mostly missing", (f"{name} is mostly missing: {missing / records:.0%} of records hold a "
                                  "'no value' fill (spaces, low-values, high-values) or no data at all.")
    top = field["top_values"][0]["count"] if field["top_values"] else 0
    decimal_amount = field.get("numeric") is not None and "V" in (field.get("picture") or "").upper()
    if (field["distinct"] >= IDENTIFIER_SHARE * valid and field["distinct"] > 50 and not decimal_amount):
        return "identifier", (f"{name} looks like an identifier: {field['distinct']} distinct values in "
                              f"{valid} valid ones; a model would learn the records, not a pattern.")
    if field["distinct"] == 1:
        return "constant", f"{name} is constant ({field['top_values'][0]['value']!r} in every valid record)."
    if field["top_values_exact"] and top >= NEAR_CONSTANT_SHARE * valid:
        return "near-constant", (f"{name} is near-constant: {field['top_values'][0]['value']!r} in "
                                 f"{top / valid:.1%} of valid records.")
    return None


def readiness(run, prof) -> dict[str, Any]:
    """The readiness section of the JSON form (see the module docstring)."""
    usable: list[str] = []
    leave_out: list[dict[str, str]] = []
    label_info = None
    for rt in run.result["record_types"]:
        for f in rt["fields"]:
            if (prof.label and f["name"] == prof.label.upper()) or f["records"] == 0:
                continue  # the label, and views the segment map gives no record
            verdict = classify(f)
            if verdict is None:
                usable.append(f["name"])
                continue
            why = verdict[1]
            if verdict[0] in ("no data", "mostly invalid") and f.get("redefines_view"):
                why += (f" It is part of the REDEFINES view {f['redefines_view']}: see which type codes it "
                        "holds under REDEFINES, and read it only for them (--segment-field, --segment-map).")
            leave_out.append({"field": f["name"], "reason": verdict[0], "why": why})
    if prof.label:
        label_info = _label(run, prof.label.upper(), usable)
    sentences = [f"{len(usable)} fields are usable as features; {len(leave_out)} should be left out."]
    by_reason: dict[str, list[str]] = {}
    for item in leave_out:
        by_reason.setdefault(item["reason"], []).append(item["field"])
    for reason, names in by_reason.items():
        sentences.append(f"Leave out ({reason}): {', '.join(names[:12])}{' ...' if len(names) > 12 else ''}.")
    if label_info:
        sentences.extend(label_info["sentences"])
    return {"usable": usable, "leave_out": leave_out, "label": label_info, "sentences": sentences}


def _label(run, label: str, usable: list[str]) -> dict[str, Any] | None:
    sample = next((t for t in run.samples.values() if label in t.column_names), None)
    if sample is None:
        return None
    y_arr = pc.cast(sample.column(label).combine_chunks(), pa.string())
    present = np.asarray(y_arr.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    y = np.asarray(y_arr.fill_null("").to_numpy(zero_copy_only=False)).astype(str)
    classes, counts = np.unique(y[present], return_counts=True)
    balance = {c: int(k) for c, k in zip(classes.tolist(), counts.tolist())}
    out: dict[str, Any] = {"column": label, "balance": balance, "positive": None, "features": [],
                           "leakage": [], "sentences": []}
    if len(classes) < 2:
        out["sentences"].append(f"The label {label} has {len(classes)} value(s): nothing to learn.")
        return out
    positive = "1" if "1" in balance and len(classes) == 2 else classes[np.argmin(counts)]
    out["positive"] = positive
    target = (y == positive)[present]
    share = target.mean()
    out["sentences"].append(f"The label {label} is {share:.1%} '{positive}' in {present.sum()} sampled records"
                            + (" (imbalanced: consider class weights)." if min(share, 1 - share) < 0.05 else "."))
    if len(classes) > 2:
        out["sentences"].append(f"The label {label} has {len(classes)} values; information value and leakage "
                                f"compare '{positive}' (the rarest) with all the others.")
    for name in usable:
        if name not in sample.column_names:
            continue
        bins = _bins(sample.column(name).combine_chunks())[present]
        iv, accuracy = information_value(bins, target)
        out["features"].append({"field": name, "iv": round(iv, 6), "bin_accuracy": round(accuracy, 6)})
        base = max(share, 1 - share)
        if accuracy >= LEAKAGE_ACCURACY and accuracy > base + 0.01:
            out["leakage"].append(name)
    out["features"].sort(key=lambda r: -r["iv"])
    if out["leakage"]:
        out["sentences"].append(f"Leakage warning: {', '.join(out['leakage'])} predict(s) {label} almost "
                                "perfectly; check that they are known before the outcome.")
    top = [f"{r['field']} ({r['iv']:.2f})" for r in out["features"][:5]]
    if top:
        out["sentences"].append(f"Strongest features by information value: {', '.join(top)}.")
    return out


def _bins(array: pa.Array) -> np.ndarray:
    """Bin codes: deciles for numbers, top-20 values for strings; -1 = missing, -2 = other."""
    valid = np.asarray(array.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    codes = np.full(len(array), -1, dtype=np.int64)
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        vc = pc.value_counts(array.drop_null())
        order = pc.array_sort_indices(vc.field("counts"), order="descending")[:20]
        top = vc.field("values").take(order)
        index = pc.index_in(array, value_set=top).fill_null(-2)
        codes = np.asarray(index.to_numpy(zero_copy_only=False), dtype=np.int64)
        codes[~valid] = -1
        return codes
    x = np.asarray(pc.cast(array, pa.float64(), safe=False).fill_null(np.nan).to_numpy(zero_copy_only=False), dtype=np.float64)
    present = x[valid]
    if present.size:
        edges = np.unique(np.quantile(present, np.linspace(0, 1, 11)[1:-1], method="lower"))
        codes[valid] = np.searchsorted(edges, present, side="left")
    return codes


def information_value(bins: np.ndarray, target: np.ndarray) -> tuple[float, float]:
    """IV of binned feature codes against a boolean target, and the accuracy of each bin's majority."""
    _, inverse = np.unique(bins, return_inverse=True)
    pos = np.bincount(inverse, weights=target.astype(np.float64))
    tot = np.bincount(inverse).astype(np.float64)
    neg = tot - pos
    p = np.maximum(pos / max(pos.sum(), 1), FLOOR)
    q = np.maximum(neg / max(neg.sum(), 1), FLOOR)
    iv = float(np.sum((p - q) * np.log(p / q)))
    accuracy = float(np.maximum(pos, neg).sum() / max(tot.sum(), 1))
    return iv, accuracy
