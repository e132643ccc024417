"""COPY members: search path, REPLACING (pseudo-text, words, partial words), missing and recursive members."""
from __future__ import annotations

from pathlib import Path

import pytest

from bridge.copybook import compile_copybook, load_copybook
from bridge.errors import CopybookError
from tests.copybook.cobol_text import fixed, offsets


def _write(path: Path, *lines: str) -> Path:
    path.write_text(fixed(*lines))
    return path


def test_member_is_found_in_the_including_files_directory(tmp_path):
    _write(tmp_path / "ADDR.cpy", "05 STREET PIC X(20).", "05 CITY PIC X(10).")
    main = _write(tmp_path / "cust.cpy", "01 CUST.", "    05 ID PIC 9(5).", "    COPY ADDR.", "    05 ZIP PIC X(5).")
    rec = load_copybook(main).records[0]
    assert offsets(rec) == {"CUST": (0, 40), "ID": (0, 5), "STREET": (5, 20), "CITY": (25, 10), "ZIP": (35, 5)}
    assert rec.field("CITY").source.file.endswith("ADDR.cpy") and rec.field("CITY").source.line == 2


def test_member_is_found_on_the_include_path_in_any_case_and_suffix(tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    _write(lib / "addr.cob", "05 CITY PIC X(10).")
    layout = compile_copybook(fixed("01 CUST.", "    COPY ADDR."), include_dirs=[lib])
    assert layout.records[0].length == 10


def test_member_named_by_a_literal(tmp_path):
    _write(tmp_path / "addr.txt", "05 CITY PIC X(10).")
    layout = compile_copybook(fixed("01 CUST.", "    COPY 'addr.txt'."), include_dirs=[tmp_path])
    assert layout.records[0].length == 10


def test_of_library_and_suppress_are_accepted(tmp_path):
    _write(tmp_path / "ADDR.cpy", "05 CITY PIC X(10).")
    layout = compile_copybook(fixed("01 CUST.", "    COPY ADDR OF MYLIB SUPPRESS."), include_dirs=[tmp_path])
    assert layout.records[0].length == 10


def test_replacing_pseudo_text_matches_whole_words(tmp_path):
    _write(tmp_path / "AMT.cpy", "05 XX-AMOUNT PIC S9(5) COMP-3.", "05 XX PIC X(2).")
    layout = compile_copybook(fixed("01 R.", "    COPY AMT REPLACING ==XX== BY ==CODE==."), include_dirs=[tmp_path])
    assert [f.name for f in layout.records[0].fields] == ["R", "XX-AMOUNT", "CODE"]


def test_replacing_a_picture_by_pseudo_text(tmp_path):
    _write(tmp_path / "NAME.cpy", "05 NAME PIC X(10).")
    layout = compile_copybook(fixed("01 R.", "    COPY NAME REPLACING ==X(10)== BY ==X(30)==."),
                              include_dirs=[tmp_path])
    assert layout.records[0].field("NAME").length == 30


def test_replacing_several_operands_including_words_and_literals(tmp_path):
    _write(tmp_path / "M.cpy", "05 A PIC X(3) VALUE 'OLD'.", "05 B PIC 9.")
    layout = compile_copybook(fixed("01 R.", "    COPY M REPLACING A BY FIRST-ONE",
                                    "                     'OLD' BY 'NEW'",
                                    "                     ==PIC 9== BY ==PIC 99==."), include_dirs=[tmp_path])
    rec = layout.records[0]
    assert rec.field("FIRST-ONE").value == "NEW" and rec.field("B").length == 2


def test_replacing_a_colon_tag_inside_words(tmp_path):
    _write(tmp_path / "TAGGED.cpy", "01 :PFX:-REC.", "    05 :PFX:-ID PIC 9(4).")
    layout = compile_copybook(fixed("COPY TAGGED REPLACING ==:PFX:== BY ==CUST==."), include_dirs=[tmp_path])
    assert [f.name for f in layout.records[0].fields] == ["CUST-REC", "CUST-ID"]


def test_replacing_a_parenthesised_tag_joins_the_word_again(tmp_path):
    _write(tmp_path / "TAGGED.cpy", "01 (PFX)-REC.", "    05 (PFX)-ID PIC 9(4).")
    layout = compile_copybook(fixed("COPY TAGGED REPLACING ==(PFX)== BY ==ACCT==."), include_dirs=[tmp_path])
    assert [f.name for f in layout.records[0].fields] == ["ACCT-REC", "ACCT-ID"]


def test_replacing_leading_and_trailing_parts_of_words_once_per_word(tmp_path):
    # As in IBM COBOL, a replaced word is not matched again by later operands.
    _write(tmp_path / "P.cpy", "05 WS-NAME-IN PIC X.", "05 CODE-IN PIC X.")
    layout = compile_copybook(fixed("01 R.", "    COPY P REPLACING LEADING ==WS-== BY ==OUT-==",
                                    "                     TRAILING ==-IN== BY ==-X==."), include_dirs=[tmp_path])
    assert [f.name for f in layout.records[0].fields] == ["R", "OUT-NAME-IN", "CODE-X"]


def test_nested_copy_members_are_expanded(tmp_path):
    _write(tmp_path / "INNER.cpy", "10 C PIC X(4).")
    _write(tmp_path / "OUTER.cpy", "05 B.", "    COPY INNER.")
    layout = compile_copybook(fixed("01 R.", "    COPY OUTER."), include_dirs=[tmp_path])
    assert offsets(layout.records[0])["C"] == (0, 4)


def test_free_format_member_in_a_fixed_format_copybook(tmp_path):
    (tmp_path / "FREE.cpy").write_text("05 A PIC X(2).\n05 B PIC X(3).\n")
    layout = compile_copybook(fixed("01 R.", "    COPY FREE."), include_dirs=[tmp_path])
    assert layout.records[0].length == 5


def test_missing_member_names_the_search_path(tmp_path):
    with pytest.raises(CopybookError) as info:
        compile_copybook(fixed("01 R.", "    COPY NOWHERE."), name=str(tmp_path / "main.cpy"),
                         include_dirs=[tmp_path / "lib"])
    e = info.value
    assert "COPY member NOWHERE not found" in e.reason and str(tmp_path / "lib") in e.reason
    assert "-I DIR" in e.reason and (e.line, e.column) == (2, 17)


def test_recursive_copy_is_an_error(tmp_path):
    _write(tmp_path / "A.cpy", "05 X PIC X.", "COPY B.")
    _write(tmp_path / "B.cpy", "05 Y PIC X.", "COPY A.")
    with pytest.raises(CopybookError) as info:
        compile_copybook(fixed("01 R.", "    COPY A."), include_dirs=[tmp_path])
    assert "COPY A includes itself (A.cpy -> B.cpy -> A.cpy)" in info.value.reason
    assert info.value.file.endswith("B.cpy")


def test_copy_statement_needs_a_period(tmp_path):
    _write(tmp_path / "A.cpy", "05 X PIC X.")
    with pytest.raises(CopybookError, match="the COPY A statement must end with a period"):
        compile_copybook(fixed("01 R.", "    COPY A REPLACING ==X== BY ==Y=="), include_dirs=[tmp_path])


def test_replacing_needs_by(tmp_path):
    _write(tmp_path / "A.cpy", "05 X PIC X.")
    with pytest.raises(CopybookError, match="needs BY"):
        compile_copybook(fixed("01 R.", "    COPY A REPLACING ==X== ==Y==."), include_dirs=[tmp_path])


def test_unreadable_copybook_is_a_copybook_error(tmp_path):
    with pytest.raises(CopybookError, match="cannot read the copybook"):
        load_copybook(tmp_path / "absent.cpy")


# -- library-manager includes and the REPLACE statement (issue 9) ----------------------------------

def _with_member(tmp_path: Path, main_text: str) -> Path:
    _write(tmp_path / "MEMB.cpy", "05 M1 PIC X(4).", "05 M2 PIC 9(3).")
    main = tmp_path / "main.cpy"
    main.write_text(main_text)
    return main


def test_librarian_inc_from_column_1_is_expanded_as_copy(tmp_path):
    main = _with_member(tmp_path, "       01 R.\n-INC MEMB\n       05 Z PIC X.\n")
    layout = load_copybook(main, dialect="microfocus")
    assert offsets(layout.records[0]) == {"R": (0, 8), "M1": (0, 4), "M2": (4, 3), "Z": (7, 1)}
    assert layout.warnings == ()


@pytest.mark.parametrize("line", ["++INCLUDE MEMB", "       ++INCLUDE MEMB", "       ++INCLUDE MEMB."])
def test_panvalet_include_in_any_column_is_expanded_as_copy(tmp_path, line):
    main = _with_member(tmp_path, f"       01 R.\n{line}\n")
    assert offsets(load_copybook(main, dialect="gnucobol").records[0]) == {"R": (0, 7), "M1": (0, 4), "M2": (4, 3)}


def test_library_manager_includes_are_a_located_warning_under_ibm_and_refused_when_strict(tmp_path):
    main = _with_member(tmp_path, "       01 R.\n       ++INCLUDE MEMB\n")
    warning = load_copybook(main).warnings[0]
    assert warning.startswith(f"{main}:2:8: warning: ++INCLUDE MEMB is a library manager's include")
    with pytest.raises(CopybookError) as caught:
        load_copybook(main, strict=True)
    assert "expanded as COPY MEMB (rejected because strict mode is on)" in str(caught.value)


def test_an_include_without_a_member_name_is_refused(tmp_path):
    main = _with_member(tmp_path, "       01 R.\n-INC\n")
    with pytest.raises(CopybookError) as caught:
        load_copybook(main, dialect="microfocus")
    assert str(caught.value) == f"{main}:2:1: -INC must be followed by the member name on the same line"


def test_replace_replaces_in_the_text_that_follows_it_until_replace_off(tmp_path):
    main = _with_member(tmp_path, fixed("01 R.", "REPLACE ==M1== BY ==N1== ==PIC 9(3)== BY ==PIC 9(5)==.",
                                        "COPY MEMB.", "05 M1-KEPT PIC X.", "REPLACE OFF.", "COPY MEMB."))
    layout = load_copybook(main)
    assert [(f.name, f.length) for f in layout.records[0].fields[1:]] == [
        ("N1", 4), ("M2", 5), ("M1-KEPT", 1), ("M1", 4), ("M2", 3)]
    assert layout.warnings == ()


def test_a_later_replace_supersedes_the_earlier_one():
    layout = compile_copybook(fixed("01 R.", "REPLACE ==A== BY ==B==.", "05 A PIC X.",
                                    "REPLACE ==C== BY ==D==.", "05 A PIC X.", "05 C PIC X."))
    assert [f.name for f in layout.records[0].fields[1:]] == ["B", "A", "D"]


@pytest.mark.parametrize("statement, message", [
    ("REPLACE ==A== BY ==B==", "<copybook>:2:8: the REPLACE statement must end with a period"),
    ("REPLACE ==A== ==B==.", "<copybook>:2:8: REPLACE needs BY between the two operands"),
    ("REPLACE.", "<copybook>:2:8: REPLACE needs text to replace (REPLACE ==a== BY ==b==.) or OFF"),
])
def test_a_malformed_replace_statement_is_refused_with_its_location(statement, message):
    with pytest.raises(CopybookError) as caught:
        compile_copybook(fixed("01 R.", statement))
    assert str(caught.value) == message
