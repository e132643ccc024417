"""The short text summary of a profile, for standard output and the job log."""
from __future__ import annotations

from typing import Any

__all__ = ["summary_text"]


def summary_text(profile: dict[str, Any]) -> str:
    """A few lines: records, readiness sentences, and the fields with invalid or missing data."""
    lines = [f"{profile.get('file') or 'input'}: {profile['records']} records, "
             f"{len(profile['record_types'])} record type(s)"]
    for sentence in profile.get("readiness", {}).get("sentences", []):
        lines.append(f"  {sentence}")
    dup = profile.get("duplicates") or {}
    if dup.get("duplicates"):
        lines.append(f"  {dup['duplicates']} records are exact duplicates of an earlier record.")
    key = profile.get("key")
    if key:
        missing = f" {key['missing']} records have no value for it." if key.get("missing") else ""
        lines.append(f"  key {key['column']}: " + ("unique." if key["unique"] else
                     f"{key['keys_repeated']} values repeat ({key['duplicate_records']} extra records).") + missing)
    unmapped = profile.get("unmapped_segments") or {}
    if unmapped:
        values = ", ".join(f"{v!r} ({c})" for v, c in sorted(unmapped.items())[:10])
        lines.append(f"  {sum(unmapped.values())} records have a --segment-field value that is not in "
                     f"--segment-map (profiled with every record type): {values}")
    for rt in profile["record_types"]:
        problems = [f for f in rt["fields"] if f["invalid"] or f["no_value"]]
        lines.append(f"{rt['name']}: {rt['records']} records, {len(rt['fields'])} fields, "
                     f"{len(problems)} with invalid or 'no value' data")
        for f in sorted(problems, key=lambda f: -(f["invalid"] + f["no_value"]))[:15]:
            conv = ", ".join(f"{k.replace('_', '-')} {v}" for k, v in f["conventions"].items()
                             if v and k in f["no_value_conventions"])
            lines.append(f"  {f['name'][:30]:30} invalid {f['invalid']:>9}  no value {f['no_value']:>9}"
                         + (f"  ({conv})" if conv else ""))
    drift = profile.get("drift")
    if drift:
        lines.append(drift["sentence"])
    return "\n".join(lines)
