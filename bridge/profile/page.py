"""A profile as a report page: which figures it holds, and the page around them.

`profile_figures` decides the figures from the JSON form alone, so the JSON can list the
figures the page will show (``result["figures"]``) and a test can hold the page to it:
a histogram per numeric field with values, invalid and "no value" rates as bars per record
type, the validity heatmap (record type × field position), and PSI per field with a baseline.
"""
from __future__ import annotations

import re
from typing import Any

from bridge.report import Bars, Heatmap, Histogram, Page, Section, Table
from bridge.report.figures import Figure

__all__ = ["profile_figures", "profile_page"]


def _slug(*parts: str) -> str:
    return "fig-" + "-".join(re.sub(r"[^a-z0-9]+", "-", p.lower()).strip("-") for p in parts)


def profile_figures(result: dict[str, Any]) -> list[Figure]:
    """Every figure of the page, in page order."""
    return list(_figures(result).values())


def _figures(result: dict[str, Any]) -> dict[tuple[str, ...], Figure]:
    """The figures keyed by what they show: ("validity",), ("rates", type), ("hist", type, field), ("drift",)."""
    seen: set[str] = set()

    def unique(slug: str) -> str:
        # "X(1)" and "X-1" slug alike: number the later one
        out, n = slug, 1
        while out in seen:
            n += 1
            out = f"{slug}-{n}"
        seen.add(out)
        return out

    figs: dict[tuple[str, ...], Figure] = {("validity",): _heatmap(result)}
    seen.add("fig-validity")
    for rt in result["record_types"]:
        figs[("rates", rt["name"])] = _rates(rt, unique(_slug("rates", rt["name"])))
        for f in rt["fields"]:
            hist = (f.get("numeric") or {}).get("histogram")
            if hist:
                figs[("hist", rt["name"], f["name"])] = Histogram(
                    unique(_slug("hist", rt["name"], f["name"])), f"{f['name']} ({f['picture'] or f['usage']})",
                    edges=hist["edges"], counts=hist["counts"])
    drift = result.get("drift")
    if drift and drift["fields"]:
        rows = drift["fields"][:60]
        figs[("drift",)] = Bars(unique(_slug("drift")), f"PSI per field against {drift['baseline'] or 'the baseline'} "
                                                        f"(dashed: {drift['threshold']})",
                                labels=[r["field"] for r in rows], series={"PSI": [r["psi"] for r in rows]},
                                share=False, threshold=drift["threshold"])
    return figs


def _heatmap(result: dict[str, Any]) -> Heatmap:
    rows, values, tips = [], [], []
    for rt in result["record_types"]:
        rows.append(rt["name"])
        line, tip = [], []
        for f in rt["fields"]:
            seen = f["records"] - f["absent"]
            share = f["valid"] / seen if seen else None
            line.append(share)
            tip.append(f"{f['name']}: {share:.1%} valid" if share is not None else f"{f['name']}: no records")
        values.append(line)
        tips.append(tip)
    return Heatmap("fig-validity", "Valid share of each field (columns in record order) per record type",
                   rows=rows, values=values, tips=tips)


def _rates(rt: dict[str, Any], fid: str) -> Bars:
    fields = rt["fields"]
    labels = [f["name"] for f in fields]
    n = [max(f["records"], 1) for f in fields]
    return Bars(fid, f"{rt['name']}: invalid and 'no value' share per field",
                labels=labels, series={"invalid": [f["invalid"] / k for f, k in zip(fields, n)],
                                       "no value": [f["no_value"] / k for f, k in zip(fields, n)]})


def profile_page(result: dict[str, Any]) -> Page:
    """The whole report page for a profile."""
    figs = _figures(result)
    readiness = result.get("readiness") or {}
    title = f"Profile of {result.get('file') or 'input'}: {result['records']:,} records"
    summary = Section("ML readiness", list(readiness.get("sentences", [])))
    if readiness.get("leave_out"):
        summary.blocks.append(Table(["field", "leave out because", "why"],
                                    [[r["field"], r["reason"], r["why"]] for r in readiness["leave_out"]]))
    label = readiness.get("label")
    if label and label.get("features"):
        summary.blocks.append(Table(["feature", "information value", "bin accuracy"],
                                    [[r["field"], r["iv"], r["bin_accuracy"]] for r in label["features"]]))
    sections = [summary]
    across = Section("Across fields", [figs[("validity",)]])
    dup = result.get("duplicates") or {}
    across.blocks.append(f"{dup.get('duplicates', 0):,} of {dup.get('records', 0):,} records are byte-for-byte "
                         "duplicates of an earlier record.")
    if result.get("key"):
        k = result["key"]
        across.blocks.append(f"Key {k['column']}: {k['distinct']:,} distinct values in {k['records']:,} records"
                             + (" (unique)." if k["unique"] else f"; {k['keys_repeated']:,} values repeat."))
    for rt in result["record_types"]:
        for fam in rt.get("redefines", []):
            rows = []
            for v in fam["views"]:
                by_code = "; ".join(f"{c or '(blank)'}: {x['valid']}/{x['records']}" for c, x in v["by_code"].items())
                rows.append([v["view"], v["valid"], fam["records"], by_code])
            across.blocks.append(f"REDEFINES of {fam['area']} in {rt['name']}: which view decodes validly.")
            across.blocks.append(Table(["view", "valid records", "records", "valid / records per type code"], rows))
        for odo in rt.get("odo", []):
            across.blocks.append(Table(["ODO count", "records"], list(odo["counts"].items()) + [["invalid", odo["invalid"]]]))
    sections.append(across)
    if result.get("drift"):
        d = result["drift"]
        blocks = [d["sentence"]]
        if ("drift",) in figs:
            blocks.append(figs[("drift",)])
        sections.append(Section("Drift", blocks))
    for rt in result["record_types"]:
        sec = Section(f"Record type {rt['name']} ({rt['records']:,} records, {rt['length']} bytes)")
        sec.blocks.append(figs[("rates", rt["name"])])
        sec.blocks.append(Table(
            ["field", "picture", "kind", "valid", "invalid", "no value", "absent", "spaces", "low-values",
             "high-values", "zeros", "nines", "distinct", "first invalid (record @ offset: hex)"],
            [[f["name"], f["picture"] or f["usage"], f["kind"], f["valid"], f["invalid"], f["no_value"], f["absent"],
              *f["conventions"].values(), f["distinct"],
              "; ".join(f"{e['record']} @ {e['offset']}: {e['hex']}" for e in f["invalid_examples"][:2])]
             for f in rt["fields"]]))
        sections.append(sec)
        for f in rt["fields"]:
            details = _field_sentences(f)
            fig = figs.get(("hist", rt["name"], f["name"]))
            if details or fig:
                sections.append(Section(f["name"], details + ([fig] if fig else []), level=3))
    return Page(title, sections)


def _field_sentences(f: dict[str, Any]) -> list[str]:
    out = []
    num = f.get("numeric")
    if num and num.get("min") is not None:
        q = num.get("quantiles") or {}
        out.append(f"min {num['min']}, max {num['max']}, mean {num['mean']:.6g}"
                   + (f", median {q['p50']:.6g}" if "p50" in q else ""))
    s = f.get("string")
    if s and s.get("max_length") is not None:
        tops = ", ".join(f"{t['value']!r} ({t['count']})" for t in f["top_values"][:5])
        out.append(f"lengths {s['min_length']}-{s['max_length']}; {s['nonprintable']} values with non-printable "
                   f"bytes; top values: {tops}")
    c = f.get("conditions")
    if c and c["outside"]:
        vals = ", ".join(f"{v['value']!r} ({v['count']})" for v in c["outside_values"])
        out.append(f"{c['outside_share']:.1%} of values are outside every 88 level ({', '.join(c['declared'])}): {vals}")
    d = f.get("date")
    if d:
        out.append(f"dates ({d['format']}): {d['valid_share']:.1%} valid, range {d['min']} to {d['max']}, "
                   f"{d['invalid']} not calendar dates, {d['out_of_range']} outside {d['range'][0]}-{d['range'][1]}")
    return out
