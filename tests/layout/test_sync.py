"""SYNCHRONIZED: slack bytes counted from the 01 start, and occurrence padding in tables (IBM's rules)."""
from __future__ import annotations

from tests.copybook.cobol_text import compiled, record


def test_policy_sample_slack_bytes(copybooks_dir):
    from bridge.copybook import load_copybook

    rec = load_copybook(copybooks_dir / "policy.cpy").records[0]
    got = {f.name: (f.offset, f.length, f.slack_before) for f in rec.fields if f.sync}
    assert got == {
        "POL-VERSION": (12, 2, 1),        # offset 11 -> halfword 12
        "POL-HOLDER-ID": (16, 4, 2),      # 14 -> fullword 16
        "POL-CLAIMS-COUNT": (78, 2, 1),   # 77 -> halfword 78
        "POL-SUM-INSURED": (80, 8, 0),    # 8-byte binary on a fullword (IBM), 80 already aligned
        "POL-LOSS-RATIO": (88, 8, 0),     # COMP-2 on a doubleword
    }
    assert rec.length == 98


def test_halfword_fullword_and_doubleword_boundaries():
    rec = record("01 R.",
                 "    05 A PIC X.",
                 "    05 H PIC S9(4) COMP SYNC.",
                 "    05 B PIC X.",
                 "    05 F PIC S9(9) COMP SYNC.",
                 "    05 C PIC X.",
                 "    05 E COMP-1 SYNC.",
                 "    05 D PIC X.",
                 "    05 G COMP-2 SYNC.")
    assert [(f.name, f.offset, f.slack_before) for f in rec.fields[1:]] == [
        ("A", 0, 0), ("H", 2, 1), ("B", 4, 0), ("F", 8, 3), ("C", 12, 0), ("E", 16, 3), ("D", 20, 0), ("G", 24, 3)]
    assert rec.length == 32


def test_ibm_aligns_8_byte_binary_on_a_fullword():
    rec = record("01 R.", "    05 A PIC X.", "    05 B PIC S9(18) COMP SYNC.")
    assert rec.field("B").offset == 4


def test_gnucobol_dialect_aligns_binary_on_its_own_size():
    rec = record("01 R.", "    05 A PIC X.", "    05 B PIC S9(18) COMP SYNC.", dialect="gnucobol")
    assert rec.field("B").offset == 8


def test_sync_on_display_and_packed_items_has_no_effect():
    rec = record("01 R.", "    05 A PIC X.", "    05 B PIC 9(3) SYNC.", "    05 C PIC S9(3) COMP-3 SYNC.")
    assert [f.offset for f in rec.fields[1:]] == [0, 1, 4]


def test_slack_is_counted_from_the_record_start_not_the_group():
    rec = record("01 R.", "    05 A PIC X(4).", "    05 G.", "        10 B PIC X.", "        10 C PIC S9(9) COMP SYNC.")
    g = rec.field("G")
    # C is at offset 1 of G but must be on a fullword of the record: 3 slack bytes inside G.
    assert (g.offset, rec.field("C").offset, rec.field("C").slack_before, g.length) == (4, 8, 3, 8)


def test_sync_on_a_group_applies_to_its_binary_items():
    rec = record("01 R.", "    05 A PIC X.", "    05 G SYNC.", "        10 B PIC S9(4) COMP.", "        10 C PIC X.")
    assert rec.field("B").offset == 2 and rec.field("B").sync


def test_table_of_sync_items_pads_each_occurrence():
    # IBM's example: the element is 14 bytes with inner slack, padded to 16 so each COMP-PAY is aligned.
    rec = record("01 WORK-RECORD.",
                 "    05 WORK-CODE PIC X.",
                 "    05 COMP-TABLE OCCURS 10 TIMES.",
                 "        10 COMP-TYPE PIC X.",
                 "        10 COMP-PAY PIC S9(4)V99 COMP SYNC.",
                 "        10 COMP-HOURS PIC S9(3) COMP SYNC.",
                 "        10 COMP-NAME PIC X(5).")
    table = rec.field("COMP-TABLE")
    assert (table.offset, table.length, table.dims[0].stride) == (1, 16, 16)
    assert (rec.field("COMP-PAY").offset, rec.field("COMP-PAY").slack_before) == (4, 2)
    for k in range(10):
        assert (rec.field("COMP-PAY").offset + k * table.dims[0].stride) % 4 == 0
    assert rec.length == 1 + 16 * 10


def test_redefining_sync_items_are_aligned_inside_the_redefinition():
    rec = record("01 R.", "    05 A PIC X(6).", "    05 B REDEFINES A.", "        10 B1 PIC X.",
                 "        10 B2 PIC S9(4) COMP SYNC.")
    assert rec.field("B2").offset == 2 and rec.length == 6


def test_slack_is_kept_in_the_model_warnings_free():
    assert compiled("01 R.", "    05 A PIC X.", "    05 B PIC S9(4) COMP SYNC.").warnings == ()
