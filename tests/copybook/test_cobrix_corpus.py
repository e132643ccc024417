"""Every Cobrix corpus copybook compiles, and offsets match Cobrix's own layout dumps.

Cobrix lays ODO tables out at their maximum size, which equals our offsets with every table
full. Cobrix gives every item of a REDEFINES area the area's size; we keep each item's own
storage length, so lengths are compared only outside REDEFINES areas and, inside them, as
the size of the whole area.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from bridge.copybook import load_copybook
from tests.conftest import COBRIX, needs_cobrix

COPYBOOKS = sorted(COBRIX.glob("*/*.cob"))
LAYOUTS = [
    ("t13a_fixed_file_header_footer", "test13a_file_header_footer.cob", "test13a_layout.txt"),
    ("t13b_vrl_be_file_header_footer", "test13b_vrl_file_headers.cob", "test13b_layout.txt"),
    ("t16_fixed_multiseg_redefines", "test16_fix_len_segments.cob", "test16_layout.txt"),
    ("t07_fillers", "test7_fillers.cob", "test7_layout.txt"),
]
_ROW = re.compile(r"^\s*(\d+)\s+(\S+)\s+(\S*)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$")

pytestmark = needs_cobrix


def test_the_corpus_is_present():
    assert len(COPYBOOKS) >= 16


@pytest.mark.parametrize("path", COPYBOOKS, ids=lambda p: p.name)
def test_every_cobrix_copybook_compiles(path: Path):
    layout = load_copybook(path)
    assert layout.records and all(r.length > 0 for r in layout.records)


def test_cobrix_odo_record_is_2202_bytes_at_maximum_size():
    rec = load_copybook(COBRIX / "t01_fixed_comp3_odo" / "test1_copybook.cob").records[0]
    assert rec.length == 2202 and rec.field("ACCOUNT-DETAIL").occurs.max == 80


def _rows(text: str) -> list[tuple[int, str, str, int, int]]:
    rows = []
    for line in text.splitlines():
        m = _ROW.match(line) or re.match(r"^\s*(\d+)\s+(\S+)\s+()(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$", line)
        if m:
            level, name, attrs, _, start, _end, length = m.groups()
            rows.append((int(level), name, attrs, int(start) - 1, int(length)))
    return rows


@pytest.mark.parametrize("case, copybook, dump", LAYOUTS, ids=[c for c, _, _ in LAYOUTS])
def test_offsets_match_cobrix_layout_dumps(case, copybook, dump):
    rec = load_copybook(COBRIX / case / copybook).records[0]
    expected = _rows((COBRIX / case / "expected" / dump).read_text())
    ours = list(rec.fields)
    assert len(ours) == len(expected)
    areas: dict[int, int] = {}
    for f in rec.fields:
        if f.redefined_by:
            areas[id(f)] = max([f.length] + [s.length for s in rec.fields
                                              if s.redefines == f.name and s.path[:-1] == f.path[:-1]])
    for f, (level, name, attrs, start, length) in zip(ours, expected):
        assert (f.level, f.offset) == (level, start), f.qualified_name
        if not f.is_filler:
            assert f.name.replace("-", "_") == name
        if f.redefines is None and not f.redefined_by:
            assert f.length == length, f.qualified_name
        elif f.redefined_by:
            assert areas[id(f)] == length, f.qualified_name

