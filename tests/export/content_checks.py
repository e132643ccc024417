"""What every format must say about a layout, derived from the layout alone (not from an exporter).

Used where a test renders every format over many layouts: instead of "the output is not empty",
each format must name every record and the items a decoded record has, with the record length
where the format carries it, and SQL must have exactly one column per elementary occurrence.
"""
from __future__ import annotations

import json
import re

from bridge.layout.model import Kind, Layout


def _decoded_children(field):
    return [c for c in field.children if not c.is_filler and c.kind is not Kind.RENAMES]


def _elementary_occurrences(field) -> int:
    total = 0
    for child in _decoded_children(field):
        times = child.occurs.max if child.occurs is not None else 1
        total += times * (_elementary_occurrences(child) if child.is_group else 1)
    return total


def assert_describes(layout: Layout, fmt: str, text: str) -> None:
    """``text`` (format ``fmt``) describes every record of ``layout`` and its top-level items."""
    assert text.endswith("\n")
    for record in layout.records:
        top = [c.name for c in _decoded_children(record.root)]
        if fmt == "layout":
            assert f"01 {record.name}" in text
            for f in record.fields:
                assert re.search(rf"\b{re.escape(f.name)}\b", text), f.name
            assert re.search(rf"RECORD LENGTH (\d+ TO )?{record.length}\b", text)
        elif fmt == "layout-json":
            doc = json.loads(text)
            rec = next(r for r in doc["records"] if r["name"] == record.name)
            assert rec["length"] == record.length
            assert [f["name"] for f in rec["fields"]] == [f.name for f in record.fields]
            assert [f["offset"] for f in rec["fields"]] == [f.offset for f in record.fields]
        elif fmt == "json-schema":
            doc = json.loads(text)
            # one record: the schema itself; several: one $defs entry per record, chosen by anyOf
            schema = doc if "properties" in doc else doc["$defs"][record.name]
            assert list(schema["properties"]) == list(dict.fromkeys(top))  # a JSON object has each key once
            if "anyOf" in doc:
                assert {"$ref": f"#/$defs/{record.name}"} in doc["anyOf"]
        elif fmt == "avro":
            doc = json.loads(text)
            schemas = doc if isinstance(doc, list) else [doc]
            avro = next(s for s in schemas if s["cobolName"] == record.name)
            assert [f["cobolName"] for f in avro["fields"]] == top
        elif fmt == "arrow":
            block = text.split(f"-- {record.name}\n", 1)[1].split("\n-- ", 1)[0]
            names = [line.split(":", 1)[0] for line in block.splitlines() if line and not line.startswith(" ")]
            assert names[:len(top)] == top
        elif fmt == "sql":
            table = re.search(rf"-- 01 {re.escape(record.name)}\b.*?CREATE TABLE \S+ \((.*?)\n\);", text, re.S)
            assert table, record.name
            assert len(table.group(1).strip().split(",\n")) == _elementary_occurrences(record.root)
            assert f"{record.length} bytes" in text or f"to {record.length} bytes" in text
        else:  # pragma: no cover - a new format needs its own check here
            raise AssertionError(f"no content check for format {fmt}")
