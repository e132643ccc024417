"""Copybook compiler benchmark: a 5,000-elementary-item copybook must compile well under a second.

Run with ``.venv/bin/python bench/bench_copybook.py [ITEMS]``. It writes the generated copybook to
a temporary directory, compiles it a few times and prints the time of each stage and in total
(best of the runs). A script, not a timed test: timings depend on the machine.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from bridge.copybook import load_copybook
from bridge.copybook.diagnostics import Diagnostics
from bridge.copybook.parser import build_tree, parse_entries
from bridge.copybook.source import read_source
from bridge.copybook.tokens import tokenize
from bridge.copybook.compute import compute_layout
from bridge.layout.model import Dialect

PATTERNS = [
    "PIC X(12)", "PIC S9(7)V99 COMP-3", "PIC 9(8)", "PIC S9(4) COMP SYNC", "PIC S9(9) BINARY",
    "PIC -ZZ,ZZ9.99", "COMP-2 SYNC", "PIC X(3) VALUE SPACES",
]


def generate(items: int) -> str:
    """Fixed-format copybook text with ``items`` elementary items in groups of ten."""
    lines = ["000100 01  BIG-REC."]
    seq = 200
    for n in range(items):
        if n % 10 == 0:
            occurs = " OCCURS 2 TIMES" if n % 100 == 50 else ""
            lines.append(f"{seq:06d}     05  GRP-{n // 10:05d}{occurs}.")
            seq += 100
        clause = PATTERNS[n % len(PATTERNS)]
        lines.append(f"{seq:06d}         10  ITEM-{n:06d}  {clause}.")
        seq += 100
        if n % 10 == 9 and n % 50 == 9:
            lines.append(f"{seq:06d}         10  ALT-{n:06d} REDEFINES ITEM-{n:06d} PIC X(3).")
            seq += 100
    return "\n".join(line[:72] for line in lines) + "\n"


def main() -> None:
    items = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    text = generate(items)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "BIGREC.cpy"
        path.write_text(text)
        best = float("inf")
        for _ in range(5):
            t0 = time.perf_counter()
            layout = load_copybook(path)
            best = min(best, time.perf_counter() - t0)
    stages = {"source": 0.0, "tokens": 0.0, "parse": 0.0, "layout": 0.0}
    for _ in range(3):
        marks = [time.perf_counter()]
        src = read_source(text, file="BIGREC.cpy")
        marks.append(time.perf_counter())
        toks = tokenize(src)
        marks.append(time.perf_counter())
        diag = Diagnostics()
        records, level77 = build_tree(parse_entries(toks, diag), diag, member="BIGREC.cpy")
        marks.append(time.perf_counter())
        compute_layout(records, level77, dialect=Dialect.IBM, diag=diag, source="BIGREC.cpy")
        marks.append(time.perf_counter())
        for key, a, b in zip(stages, marks, marks[1:]):
            stages[key] = min(stages[key] or float("inf"), b - a)
    rec = layout.records[0]
    elementary = len(rec.elementary())
    print(f"copybook: {len(text.splitlines())} lines, {elementary} elementary items, record {rec.length} bytes")
    for key, value in stages.items():
        print(f"  {key:<7} {value * 1000:8.1f} ms")
    print(f"load_copybook total (best of 5): {best * 1000:.1f} ms "
          f"({'OK' if best < 1.0 else 'TOO SLOW'}: target well under 1 s)")


if __name__ == "__main__":
    main()
