"""Our layout of every sample copybook agrees with GnuCOBOL's own, item for item, except where IBM differs.

GnuCOBOL compiles a probe that COPYs the copybook and prints each item's offset from its 01
and its BYTE-LENGTH (see `tests.integration.cobol_layout`), with ``-std=ibm -fodoslide``.
Where GnuCOBOL 3.1.2 is no oracle for IBM Enterprise COBOL the layout follows IBM, and those
items are asserted by value below, GnuCOBOL's own value beside them so that a change in
GnuCOBOL is noticed:

* SYNC on 8-byte binary (PIC S9(10) to S9(18) COMP): IBM aligns it on a fullword,
  GnuCOBOL on a doubleword (hard_cases.cpy, HC-SYNC8-REC).
* Items after an OCCURS DEPENDING ON table: GnuCOBOL's default keeps them at their maximum
  offsets and gives the 01 a length that is neither IBM's maximum nor the actual length;
  ``-fodoslide`` makes it agree with IBM (hard_cases.cpy, HC-ODO-REC), so the comparison
  holds with it, and the IBM values are also asserted on their own. But when a REDEFINES
  precedes the table (transactions.cpy: STMT-DATE-R), GnuCOBOL 3.1.2 shifts every item after
  the table, and the 01's length, by the redefining item's size (8), with or without
  ``-fodoslide``; removing the REDEFINES gives IBM's offsets.
* A REDEFINES larger than its target: ``-std=ibm-strict`` refuses it, ``-std=ibm`` accepts it
  and, as IBM, gives the area the size of the largest; asserted on its own as well.

The rehosted forms (COMP-X, COMP-6, BINARY-CHAR/SHORT/LONG/DOUBLE, REPLACE) are compiled with
``-std=mf`` instead and compared item for item against ``dialect="microfocus"``.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import COPYBOOKS, require_tool
from tests.integration.cobol_layout import gnucobol_layout, probe_plan

from bridge.copybook import load_copybook

INCLUDE = [COPYBOOKS / "include"]
SAMPLES = sorted(COPYBOOKS.glob("*.cpy"))

Path_ = tuple[str, ...]


@dataclass(frozen=True)
class Divergence:
    """An item whose IBM (offset, length) differs from GnuCOBOL 3.1.2's, and why."""

    ibm: tuple[int, int]
    gnucobol: tuple[int, int]
    why: str


_SYNC8 = "IBM aligns SYNC binary of 10-18 digits on a fullword; GnuCOBOL 3.1.2 on a doubleword"
_ODO_AFTER_REDEFINES = (
    "items after an ODO table sit right after its last occurrence; GnuCOBOL 3.1.2 adds the size "
    "of a REDEFINES that precedes the table (STMT-DATE-R, 8 bytes)"
)
IBM_NOT_GNUCOBOL: dict[str, dict[Path_, Divergence]] = {
    "hard_cases.cpy": {
        ("HC-SYNC8-REC",): Divergence((0, 15), (0, 19), _SYNC8),
        ("HC-SYNC8-REC", "HC-S8-BIG"): Divergence((4, 8), (8, 8), _SYNC8),
        ("HC-SYNC8-REC", "HC-S8-AFTER"): Divergence((12, 3), (16, 3), _SYNC8),
    },
    "transactions.cpy": {
        ("TXN-HISTORY-REC",): Divergence((0, 1036), (0, 1044), _ODO_AFTER_REDEFINES),
        ("TXN-HISTORY-REC", "STMT-TOTAL"): Divergence((1025, 7), (1033, 7), _ODO_AFTER_REDEFINES),
        ("TXN-HISTORY-REC", "STMT-FLAGS"): Divergence((1032, 4), (1040, 4), _ODO_AFTER_REDEFINES),
    },
}


@pytest.fixture(autouse=True)
def _cobc_present() -> None:
    require_tool("cobc")


def _ours(copybook: Path, counts: dict[Path_, int] | None = None):
    layout = load_copybook(copybook, include_dirs=INCLUDE)
    items, settings = probe_plan(layout, counts)
    fields = {f.path: f for record in layout.records for f in record.fields}
    return layout, items, settings, fields


def _diff(rows: list[tuple[Path_, object, object]]) -> str:
    width = max(len(".".join(p)) for p, _, _ in rows)
    lines = [f"{'item':<{width}}  {'ours (offset, length)':<22} gnucobol"]
    lines += [f"{'.'.join(p):<{width}}  {str(a):<22} {b}" for p, a, b in rows]
    return "\n".join(lines)


@pytest.mark.parametrize("copybook", SAMPLES, ids=[p.name for p in SAMPLES])
def test_every_item_has_the_offset_and_length_gnucobol_gives_it(copybook: Path) -> None:
    layout, items, settings, fields = _ours(copybook)
    theirs = gnucobol_layout(copybook, items, settings, include_dirs=INCLUDE)
    divergences = IBM_NOT_GNUCOBOL.get(copybook.name, {})
    mismatches = []
    for item in items:
        field = fields[item.path]
        ours = (field.offset, field.length)
        if item.path in divergences:
            expected = divergences[item.path]
            assert ours == expected.ibm, f"{'.'.join(item.path)}: {expected.why}"
            assert theirs[item.path] == expected.gnucobol, f"GnuCOBOL changed for {'.'.join(item.path)}"
        elif ours != theirs[item.path]:
            mismatches.append((item.path, ours, theirs[item.path]))
    assert not mismatches, f"{copybook.name}: layout differs from GnuCOBOL's\n" + _diff(mismatches)


def test_the_comparison_covers_every_named_item_of_the_hard_cases() -> None:
    _, items, settings, _ = _ours(COPYBOOKS / "hard_cases.cpy")
    names = {item.path[-1] for item in items}
    assert {"HC-S-DOUBLE", "HC-P-TINY-BIN", "HC-SG-LEAD-SEP", "HC-M-FLAG", "HC-DATE-YY", "HC-STREET",
            "HC-NAT-CODE", "HC-E-BWZ-NUM", "HC-SIGN-VIEW", "HC-KV-ID", "HC-O-AFTER-NUM",
            "HC-W-CODE-LONG"} <= names
    assert {s.path[-1]: s.value for s in settings} == {"HC-O-COUNT": 5, "HC-O-GCOUNT": 3}


def test_items_after_odo_tables_are_placed_as_ibm_places_them_with_every_table_full() -> None:
    layout = load_copybook(COPYBOOKS / "hard_cases.cpy", include_dirs=INCLUDE)
    odo = layout.record("HC-ODO-REC")
    assert (odo.length, odo.min_length) == (98, 38)
    assert (odo.field("HC-O-MIDDLE").offset, odo.field("HC-O-AFTER").offset) == (39, 89)
    assert odo.field("HC-O-AFTER-NUM").variable_offset
    txn = load_copybook(COPYBOOKS / "transactions.cpy").record()
    assert (txn.length, txn.min_length) == (1036, 36)
    assert (txn.field("STMT-TOTAL").offset, txn.field("STMT-FLAGS").offset) == (1025, 1032)


@pytest.mark.parametrize(
    ("copybook", "counts"),
    [
        ("hard_cases.cpy", {("HC-ODO-REC", "HC-O-COUNT"): 2, ("HC-ODO-REC", "HC-O-GCOUNT"): 2}),
        ("hard_cases.cpy", {("HC-ODO-REC", "HC-O-COUNT"): 1, ("HC-ODO-REC", "HC-O-GCOUNT"): 1}),
        ("hard_cases.cpy", {("HC-ODO-REC", "HC-O-COUNT"): 5, ("HC-ODO-REC", "HC-O-GCOUNT"): 1}),
    ],
    ids=["2-and-2", "1-and-1", "5-and-1"],
)
def test_offsets_for_actual_odo_counts_match_gnucobol_with_odoslide(copybook: str, counts: dict) -> None:
    path = COPYBOOKS / copybook
    layout, items, settings, _ = _ours(path, counts)
    record_name = next(iter(counts))[0]
    record = layout.record(record_name)
    resolved = {f.path: f.offset for f in record.resolve(counts).fields}
    items = [item for item in items if item.path[0] == record_name]
    theirs = gnucobol_layout(path, items, settings, include_dirs=INCLUDE)
    mismatches = [(i.path, resolved[i.path], theirs[i.path][0]) for i in items if resolved[i.path] != theirs[i.path][0]]
    assert not mismatches, "offsets for the counts differ from GnuCOBOL's\n" + _diff(mismatches)
    assert record.resolve(counts).length == theirs[(record_name,)][1]


@pytest.mark.parametrize(("count", "total", "flags", "length"), [(0, 25, 32, 36), (3, 85, 92, 96), (50, 1025, 1032, 1036)])
def test_transaction_items_after_the_table_follow_its_actual_count(count: int, total: int, flags: int, length: int) -> None:
    # GnuCOBOL 3.1.2 puts both 8 bytes further (the REDEFINES bug above), so IBM's values are asserted.
    record = load_copybook(COPYBOOKS / "transactions.cpy").record().resolve({("TXN-HISTORY-REC", "TXN-CNT"): count})
    assert (record.field("STMT-TOTAL").offset, record.field("STMT-FLAGS").offset, record.length) == (total, flags, length)


def test_a_redefines_larger_than_its_target_widens_the_area_as_on_ibm() -> None:
    layout = load_copybook(COPYBOOKS / "hard_cases.cpy", include_dirs=INCLUDE)
    record = layout.record("HC-WIDE-REDEF-REC")
    assert (record.field("HC-W-CODE-LONG").offset, record.field("HC-W-CODE-LONG").length) == (4, 6)
    assert record.field("HC-W-AFTER").offset == 10
    assert record.length == 13


# -- rehosted dialects: sizes held against cobc -std=mf (issue 9) ----------------------------------

MF_FLAGS = ("-std=mf", "-Wno-unfinished")
REHOSTED_COPYBOOK = """\
      * Forms of Micro Focus / GnuCOBOL copybooks: every size is measured by cobc -std=mf.
       01 RH-REC.
           05 RH-X1         PIC 9 COMP-X.
           05 RH-X3         PIC 9(3) COMP-X.
           05 RH-X7         PIC 9(7) COMP-X.
           05 RH-X10        PIC 9(10) COMP-X.
           05 RH-XS5        PIC S9(5) COMP-X.
           05 RH-XX         PIC X(3) COMP-X.
           05 RH-P1         PIC 9 COMP-6.
           05 RH-P3         PIC 9(3) COMP-6.
           05 RH-P7         PIC 9(5)V99 COMPUTATIONAL-6.
           05 RH-BC         BINARY-CHAR.
           05 RH-BCU        BINARY-CHAR UNSIGNED.
           05 RH-BS         BINARY-SHORT SIGNED.
           05 RH-BL         BINARY-LONG.
           05 RH-BD         BINARY-DOUBLE UNSIGNED.
           05 RH-TBL        OCCURS 3 TIMES.
              10 RH-T-X     PIC 9(4) COMP-X.
              10 RH-T-P     PIC 9(5) COMP-6.
              10 RH-T-C     BINARY-CHAR.
           05 RH-C-TAIL     PIC 9(2) COMP.
           05 RH-TAIL       PIC X(2).
       REPLACE ==RH-OLD== BY ==RH-NEW==.
       01 RH-REPLACED.
           05 RH-OLD        PIC 9(6) COMP-6.
           05 RH-OLD-KEPT   PIC X.
       REPLACE OFF.
"""
# GROUP-USAGE NATIONAL is left out: cobc 3.1.2 reserves the word but does not implement it
# ("'GROUP-USAGE' is a reserved word, but isn't supported"); its layout is IBM's, held in
# tests/copybook/test_rehosted_dialects.py.


def test_rehosted_usages_have_the_sizes_and_offsets_cobc_std_mf_gives_them(tmp_path: Path) -> None:
    copybook = tmp_path / "REHOSTED.cpy"
    copybook.write_text(REHOSTED_COPYBOOK)
    layout = load_copybook(copybook, dialect="microfocus", strict=True)
    items, settings = probe_plan(layout)
    theirs = gnucobol_layout(copybook, items, settings, flags=MF_FLAGS)
    ours = {f.path: (f.offset, f.length) for record in layout.records for f in record.fields}
    mismatches = [(item.path, ours[item.path], theirs[item.path]) for item in items
                  if ours[item.path] != theirs[item.path]]
    assert not mismatches, "layout differs from cobc -std=mf\n" + _diff(mismatches)
    assert {("RH-REPLACED", "RH-NEW"), ("RH-REPLACED", "RH-OLD-KEPT")} <= set(ours)
    assert layout.record("RH-REC").length == 61


def test_the_1_to_4_digit_comp_5_sync_item_is_1_byte_in_gnucobol_and_2_in_ibm() -> None:
    # GnuCOBOL's default binary-size 1-2-4-8 gives PIC S9(2) COMP-5 one byte; IBM always 2 (documented
    # in docs/copybooks.md beside the other GnuCOBOL differences)
    text = "       01 R.\n           05 A PIC X.\n           05 B PIC S9(2) COMP-5 SYNC.\n"
    from bridge.copybook import compile_copybook

    ibm = compile_copybook(text).records[0].field("B")
    gnu = compile_copybook(text, dialect="gnucobol").records[0].field("B")
    assert (ibm.offset, ibm.length) == (2, 2)
    assert (gnu.offset, gnu.length) == (1, 1)
