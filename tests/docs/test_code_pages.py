"""The code-page facts the docs state, checked against Python's codecs (cp037, cp285) and `ebcdic` (cp1047)."""
from __future__ import annotations

import ebcdic  # noqa: F401  (registers cp1047)

from tests.conftest import ROOT


def read_as(text: str, written: str, read: str) -> str:
    return text.encode(written).decode(read)


def test_cp1047_read_as_cp037_shows_brackets_as_y_acute_and_diaeresis():
    assert read_as("[]", "cp1047", "cp037") == "Ý¨"


def test_cp1047_read_as_cp037_swaps_circumflex_and_not_sign():
    assert read_as("^¬", "cp1047", "cp037") == "¬^"


def test_cp1047_read_as_cp037_leaves_the_vertical_bar_alone():
    assert read_as("|", "cp1047", "cp037") == "|"


def test_cp1047_and_cp037_differ_in_eight_byte_values():
    differ = [b for b in range(256) if bytes([b]).decode("cp1047") != bytes([b]).decode("cp037")]
    assert [f"{b:02X}" for b in differ] == ["15", "25", "5F", "AD", "B0", "BA", "BB", "BD"]


def test_cp285_read_as_cp037_shows_pound_as_dollar_and_dollar_as_cent():
    assert read_as("£", "cp285", "cp037") == "$"
    assert read_as("$", "cp285", "cp037") == "¢"


def test_the_docs_state_the_checked_facts_and_not_the_earlier_wrong_ones():
    zos = " ".join((ROOT / "docs" / "zos.md").read_text(encoding="utf-8").split())
    trouble = " ".join((ROOT / "docs" / "troubleshooting.md").read_text(encoding="utf-8").split())
    assert "The two differ in 8 byte values" in zos
    assert "`[` as `Ý`, `]` as `¨`, and `^` and `¬` swapped" in zos
    assert "A UK extract (cp285) read as cp037 shows its `£` as `$` and its `$` as `¢`" in zos
    assert "`[` `]` come out as `Ý` `¨`, or `^` and `¬` swapped" in trouble
    assert "`$` where `£` should be, and `¢` where `$` should be | `cp285` (UK)" in trouble
    assert "`¬` `|` swapped" not in trouble
