"""Reference format: columns, indicators, continuation lines, tabs, free format detection."""
from __future__ import annotations

import pytest

from bridge.copybook import compile_copybook
from bridge.copybook.source import detect_format
from bridge.errors import CopybookError
from tests.copybook.cobol_text import fixed, offsets


def test_sequence_numbers_and_identification_area_are_ignored():
    lines = ["000100 01  REC.", "000200     05  A           PIC X(3).", "000300     05  B  PIC 9(2)."]
    text = "".join(line.ljust(72) + "CUSTEXT1\n" for line in lines)
    rec = compile_copybook(text).records[0]
    assert offsets(rec) == {"REC": (0, 5), "A": (0, 3), "B": (3, 2)}


def test_code_past_column_72_is_ignored():
    line = "           05  A PIC X(3).".ljust(72) + "05 B PIC X."
    rec = compile_copybook(fixed("01 REC.") + line + "\n").records[0]
    assert [f.name for f in rec.fields] == ["REC", "A"]


@pytest.mark.parametrize("indicator", ["*", "/", "D", "d", "$"])
def test_comment_debug_and_directive_lines_are_skipped(indicator):
    text = fixed("01 REC.") + f"      {indicator}    05  GONE PIC X.\n" + fixed("    05 KEPT PIC X.")
    assert [f.name for f in compile_copybook(text).records[0].fields] == ["REC", "KEPT"]


def test_floating_comment_ends_the_line():
    rec = compile_copybook(fixed("01 REC.", "    05 A PIC X(2). *> two bytes 05 B PIC X.")).records[0]
    assert [f.name for f in rec.fields] == ["REC", "A"]


def test_floating_comment_marker_inside_a_literal_is_text():
    rec = compile_copybook(fixed("01 REC.", "    05 A PIC X(4) VALUE '*>AB'.")).records[0]
    assert rec.field("A").value == "*>AB"


def test_continued_literal_runs_to_column_72_and_resumes_after_the_quote():
    first = "           05  MSG PIC X(60) VALUE 'PART ONE"       # literal open, line ends early
    text = (fixed("01 REC.") + first + "\n"
            + "      -    'PART TWO'.\n")
    value = compile_copybook(text).records[0].field("MSG").value
    assert value == "PART ONE" + " " * (72 - len(first)) + "PART TWO"


def test_continued_word_joins_without_a_space():
    text = fixed("01 REC.", "    05 CUSTOMER-NA") + "      -        ME PIC X.\n"
    assert compile_copybook(text).records[0].fields[1].name == "CUSTOMER-NAME"


def test_continuation_of_a_literal_must_start_with_a_quote():
    text = fixed("01 REC.", "    05 M PIC X(9) VALUE 'ABC") + "      -    DEF'.\n"
    with pytest.raises(CopybookError, match="continuation line must start with a quote") as info:
        compile_copybook(text)
    assert info.value.line == 3 and info.value.column == 12


def test_an_unclosed_literal_points_at_its_opening_quote():
    with pytest.raises(CopybookError, match="literal is not closed") as info:
        compile_copybook(fixed("01 REC.", "    05 M PIC X(9) VALUE 'ABC"))
    assert (info.value.line, info.value.column) == (2, 32)


def test_eject_and_skip_lines_are_listing_control():
    text = fixed("01 REC.", "    EJECT", "    05 A PIC X.", "    SKIP2", "    05 B PIC X.", "    SKIP1.")
    assert [f.name for f in compile_copybook(text).records[0].fields] == ["REC", "A", "B"]


def test_lower_case_source_is_upper_cased():
    rec = compile_copybook(fixed("01 rec.", "    05 cust-id pic s9(4) comp.")).records[0]
    assert rec.field("CUST-ID").picture == "S9(4)" and rec.field("cust-id").usage == "COMP"


def test_tab_at_line_start_reaches_the_code_area():
    rec = compile_copybook("\t01 REC.\n\t\t05 A PIC X(2).\n").records[0]
    assert offsets(rec)["A"] == (0, 2)
    assert rec.field("A").source.column == 20


def test_tab_after_a_sequence_number_reaches_the_code_area():
    rec = compile_copybook("000100\t01 REC.\n000200\t    05 A PIC X.\n").records[0]
    assert offsets(rec)["A"] == (0, 1)


def test_comment_after_a_tab_is_a_comment():
    rec = compile_copybook("\t01 REC.\n\t* a comment that the tab pushed out of column 7\n\t05 A PIC X.\n").records[0]
    assert [f.name for f in rec.fields] == ["REC", "A"]


def test_copybook_starting_in_column_1_is_free_format():
    text = "01 REC.\n  05 A PIC X(3).\n  05 B PIC 9(4) COMP. *> two bytes\n"
    rec = compile_copybook(text).records[0]
    assert offsets(rec) == {"REC": (0, 5), "A": (0, 3), "B": (3, 2)}
    assert rec.field("B").source.column == 6


def test_free_format_lines_may_be_longer_than_72_columns():
    text = "01 REC.\n" + " " * 70 + "05 A PIC X(3).\n"
    assert compile_copybook(text, source_format="free").records[0].field("A").length == 3


def test_free_format_star_lines_are_comments():
    text = "* free comment\n01 REC.\n   05 A PIC X.\n"
    assert [f.name for f in compile_copybook(text).records[0].fields] == ["REC", "A"]


def test_source_format_directive_switches_to_free():
    text = fixed("01 REC.") + "      >>SOURCE FORMAT IS FREE\n05 A PIC X.\n"
    assert [f.name for f in compile_copybook(text).records[0].fields] == ["REC", "A"]


def test_detection_keeps_fixed_format_for_sequence_numbers_and_indicators():
    assert detect_format(["000100*COMMENT", "000200 01 REC.", "ABCDEF     05 A PIC X."]) == "fixed"
    assert detect_format(["01 REC.", "   05 A PIC X."]) == "free"
    assert detect_format(["  05 A PIC X."]) == "free"


def test_explicit_fixed_format_rejects_a_stray_indicator():
    with pytest.raises(CopybookError, match="column 7 holds 'W'.*source format free") as info:
        compile_copybook("01 XYZW.\n", source_format="fixed")
    assert (info.value.line, info.value.column) == (1, 7)


def test_unknown_source_format_is_rejected():
    with pytest.raises(CopybookError, match="unknown source format 'card'"):
        compile_copybook("       01 R PIC X.\n", source_format="card")


def test_literals_joined_with_ampersand_are_one_literal():
    rec = compile_copybook(fixed("01 REC.", "    05 A PIC X(4) VALUE 'AB' & 'CD'.")).records[0]
    assert rec.field("A").value == "ABCD"


def test_crlf_line_ends_are_accepted():
    text = fixed("01 REC.", "    05 A PIC X(3).").replace("\n", "\r\n")
    assert compile_copybook(text).records[0].length == 3


def test_comment_written_from_column_1_is_a_comment_in_fixed_format():
    text = "* A COMMENT THAT STARTS IN COLUMN 1\n" + fixed("01 REC.", "    05 A PIC X.")
    assert [f.name for f in compile_copybook(text).records[0].fields] == ["REC", "A"]
