"""Properties of computed layouts over generated copybooks: group sizes and SYNC alignment."""
from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.copybook.cobol_text import record

ELEMENTARY = [
    ("PIC X(3)", None), ("PIC 9(5)", None), ("PIC S9(7)V99 COMP-3", None), ("PIC S9(3) SIGN LEADING SEPARATE", None),
    ("PIC S9(4) COMP", 2), ("PIC 9(9) BINARY", 4), ("PIC S9(15) COMP-5", 4), ("COMP-1", 4), ("COMP-2", 8),
    ("PIC X", None), ("PIC N(2)", None), ("PIC -ZZ9.99", None),
]


@st.composite
def _items(draw, level: int, depth: int, names: itertools.count) -> list[str]:
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        name = f"F{next(names)}"
        occurs = f" OCCURS {draw(st.integers(1, 3))}" if draw(st.booleans()) and draw(st.booleans()) else ""
        if depth < 3 and draw(st.integers(0, 3)) == 0:
            lines.append(f"{' ' * depth}{level:02d} {name}{occurs}.")
            lines.extend(draw(_items(level + 5, depth + 1, names)))
        else:
            clause, _ = draw(st.sampled_from(ELEMENTARY))
            sync = " SYNC" if draw(st.booleans()) else ""
            lines.append(f"{' ' * depth}{level:02d} {name} {clause}{sync}{occurs}.")
    return lines


@st.composite
def copybooks(draw) -> list[str]:
    return ["01 REC.", *draw(_items(5, 1, itertools.count()))]


def _boundary(f) -> int:
    if not f.sync:
        return 1
    if f.usage == "COMP-2":
        return 8
    if f.usage in ("COMP-1", "INDEX", "POINTER"):
        return 4
    if f.usage in ("COMP", "COMP-5"):
        return 2 if f.digits <= 4 else 4
    return 1


def _max_boundary(f) -> int:
    return max((_boundary(e) for e in f.elementary()), default=1)


@settings(max_examples=150, deadline=None)
@given(copybooks())
def test_each_group_is_the_sum_of_its_items_and_slack(lines):
    rec = record(*lines)
    for g in rec.fields:
        if not g.is_group:
            continue
        content = sum(c.slack_before + c.total_length for c in g.children)
        pad = (-content) % _max_boundary(g) if g.occurs else 0
        assert g.length == content + pad, g.qualified_name
        assert pad < _max_boundary(g)
    assert rec.length == rec.root.length


@settings(max_examples=150, deadline=None)
@given(copybooks())
def test_every_occurrence_of_a_sync_item_is_aligned_from_the_record_start(lines):
    rec = record(*lines)
    for f in rec.elementary():
        b = _boundary(f)
        for subscripts in itertools.product(*[sorted({0, d.max - 1}) for d in f.dims]):
            offset = f.offset + sum(i * d.stride for i, d in zip(subscripts, f.dims))
            assert offset % b == 0, (f.qualified_name, subscripts)


@settings(max_examples=100, deadline=None)
@given(copybooks())
def test_items_follow_each_other_without_overlap(lines):
    rec = record(*lines)
    for g in rec.fields:
        end = g.offset
        for c in g.children:
            assert c.offset == end + c.slack_before
            end = c.offset + c.total_length
