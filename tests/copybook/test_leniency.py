"""What real copybooks carry beyond IBM's limits: accepted with a located warning, rejected under strict."""
from __future__ import annotations

import re

import pytest

from bridge import copybook
from bridge.errors import CopybookError
from tests.copybook.cobol_text import compiled, fixed

LENIENT = {
    "comp-0": (("01 R.", "    05 A PIC S9(4) COMP-0."), "USAGE COMP-0 of A is not IBM Enterprise COBOL"),
    "long binary": (("01 R.", "    05 A PIC 9(20) COMP."), "binary item of 20 digits, beyond IBM's 18"),
    "long display": (("01 R.", "    05 A PIC 9(33)."), "33 digits, more than IBM's limit of 31"),
    "sign on unsigned": (("01 R.", "    05 A PIC 9(3) LEADING SEPARATE."), "whose PICTURE 9(3) has no S"),
    "S in edited": (("01 R.", "    05 A PIC SZZ9.99."), "S in a numeric-edited PICTURE is not standard"),
    "odo without TO": (("01 R.", "    05 N PIC 9.", "    05 T PIC X OCCURS 3 DEPENDING ON N."),
                       "OCCURS 3 DEPENDING ON N has no 'm TO'"),
    "larger redefines": (("01 R.", "    05 A PIC X.", "    05 B REDEFINES A PIC XX."), "B (2 bytes) is larger than A"),
    "alphanumeric odo object": (("01 R.", "    05 N PIC X.", "    05 T PIC X OCCURS 0 TO 3 DEPENDING ON N."),
                                "is not numeric (PICTURE X); its characters are read as digits"),
    "colon tag in a name": (("01 :TAG:-REC.", "    05 A PIC X."),
                            "the data name :TAG:-REC looks like an unreplaced COPY REPLACING tag (:TAG:)"),
    "no 01 level": (("05 A PIC X.",), "starts at level 05 without an 01 record"),
    "missing period": (("01 R.", "    05 A PIC X", "    05 B PIC X."), "not ended by a period"),
    "comp-1 picture": (("01 R.", "    05 A PIC 9(3) COMP-1."), "PICTURE 9(3) is ignored"),
    "usage conflict": (("01 R COMP-3.", "    05 A PIC 9(3) COMP."), "USAGE COMP of A differs from the USAGE COMP-3"),
    "sign on text": (("01 R.", "    05 A PIC X LEADING."), "SIGN clause applies to signed numeric DISPLAY items"),
    "sign on packed": (("01 R.", "    05 A PIC S9 COMP-3 LEADING."), "ignored for A (USAGE COMP-3)"),
    "blank when zero on text": (("01 R.", "    05 A PIC X BLANK WHEN ZERO."), "BLANK WHEN ZERO applies to numeric"),
}


@pytest.mark.parametrize("lines, message", LENIENT.values(), ids=LENIENT.keys())
def test_leniency_is_a_located_warning(lines, message):
    layout = compiled(*lines)
    assert any(message in w for w in layout.warnings), layout.warnings
    assert all(re.match(r"<copybook>:\d+:\d+: warning: ", w) for w in layout.warnings)


@pytest.mark.parametrize("lines, message", LENIENT.values(), ids=LENIENT.keys())
def test_strict_mode_turns_leniency_into_an_error(lines, message):
    with pytest.raises(CopybookError) as info:
        compiled(*lines, strict=True)
    assert message in info.value.reason and "strict mode" in info.value.reason
    assert info.value.line is not None and info.value.column is not None


def test_warning_names_the_member_file_and_position(tmp_path):
    path = tmp_path / "old.cpy"
    path.write_text(fixed("01 R.", "    05 A PIC S9(4) COMP-0."))
    warning = copybook.load_copybook(path).warnings[0]
    assert warning.startswith(f"{path}:2:27: warning: USAGE COMP-0")


def test_the_public_api_is_two_functions():
    assert copybook.__all__ == ["compile_copybook", "load_copybook"]


def test_a_name_with_an_unreplaced_tag_is_warned_about_at_the_name_issue_9():
    layout = compiled("01 :TAG:-REC.", "    05 :PFX:-ID PIC X.")
    assert layout.records[0].name == ":TAG:-REC"
    assert layout.warnings[0].startswith("<copybook>:1:11: warning: the data name :TAG:-REC looks like")
    assert "REPLACING ==:PFX:== BY ==...==" in layout.warnings[1]


def test_a_tag_replaced_by_copy_replacing_gives_no_warning(tmp_path):
    (tmp_path / "MEMBER.cpy").write_text(fixed("05 :TAG:-ID PIC X."))
    main = tmp_path / "main.cpy"
    main.write_text(fixed("01 REC.", "COPY MEMBER REPLACING ==:TAG:== BY ==CUST==."))
    layout = copybook.load_copybook(main)
    assert layout.warnings == () and layout.records[0].fields[1].name == "CUST-ID"
