"""Code pages: tables derived from Python's codecs, canonical bytes, errors for unknown pages."""
from __future__ import annotations

import codecs

import numpy as np
import pytest

from bridge.codec.codepage import KNOWN_CODEPAGES, REPLACEMENT, canonical_name, codepage
from bridge.codec.options import CodecOptions
from bridge.errors import BridgeError

#: the code pages issue 3 names, plus the ASCII-based ones for distributed COBOL
ISSUE_PAGES = ["cp037", "cp273", "cp277", "cp278", "cp280", "cp284", "cp285", "cp297", "cp500",
               "cp871", "cp875", "cp1025", "cp1026", "cp1047", *[f"cp{n}" for n in range(1140, 1150)],
               "ascii", "latin-1", "cp1252"]


@pytest.mark.parametrize("name", ISSUE_PAGES)
def test_every_listed_code_page_round_trips_its_printable_repertoire(name):
    page = codepage(name)
    printable = [ch for ch in page.decode_table if ch != REPLACEMENT and ch.isprintable()]
    text = "".join(dict.fromkeys(printable))
    assert len(text) >= 94
    encoded = page.encode(text)
    assert page.decode(encoded) == text
    assert encoded == text.encode(page.codec)


@pytest.mark.parametrize("name", ISSUE_PAGES)
def test_decode_table_is_the_python_codec_byte_by_byte(name):
    page = codepage(name)
    expected = bytes(range(256)).decode(page.codec, errors="replace")
    assert page.decode_table == expected


@pytest.mark.parametrize("name", ISSUE_PAGES)
def test_utf8_tables_hold_each_bytes_character(name):
    page = codepage(name)
    for b, ch in enumerate(page.decode_table):
        raw = ch.encode("utf-8")
        assert page.utf8_length[b] == len(raw)
        assert bytes(page.utf8_bytes[b, : len(raw)]) == raw


@pytest.mark.parametrize("name", ISSUE_PAGES)
def test_encode_table_agrees_with_encode_map(name):
    page = codepage(name)
    for ch, b in page.encode_map.items():
        assert page.encode_table[ord(ch)] == b
    assert int((page.encode_table >= 0).sum()) == len(page.encode_map)


def test_ebcdic_pages_know_their_space_sign_and_zero_bytes():
    page = codepage("cp037")
    assert (page.space, page.plus, page.minus, page.digit0, page.is_ebcdic) == (0x40, 0x4E, 0x60, 0xF0, True)


def test_ascii_pages_know_their_space_sign_and_zero_bytes():
    page = codepage("latin-1")
    assert (page.space, page.plus, page.minus, page.digit0, page.is_ebcdic) == (0x20, 0x2B, 0x2D, 0x30, False)


@pytest.mark.parametrize("name", ["cp037", "cp500", "cp1047", "cp1140", "cp273", "latin-1"])
def test_full_pages_are_bijections(name):
    assert codepage(name).is_bijection


def test_newline_pages_encode_the_codecs_byte_and_flag_the_other_as_not_round_tripping():
    page = codepage("cp1141")
    assert page.decode_table[0x15] == page.decode_table[0x25] == "\n"
    assert page.encode_map["\n"] == "\n".encode("cp1141")[0] == 0x25
    assert not page.round_trips[0x15] and page.round_trips[0x25]
    assert not page.is_bijection


def test_brackets_differ_between_cp037_cp1047_and_cp500():
    assert codepage("cp037").encode("[]^") == bytes.fromhex("babbb0")
    assert codepage("cp1047").encode("[]^") == bytes.fromhex("adbd5f")
    assert codepage("cp500").encode("[]^") == bytes.fromhex("4a5a5f")


def test_unmappable_bytes_decode_to_the_replacement_character_and_cannot_be_written():
    page = codepage("cp1252")
    assert page.decode_table[0x81] == REPLACEMENT
    assert not page.mappable[0x81]
    assert not page.can_encode(REPLACEMENT)


def test_a_character_the_page_lacks_is_refused_with_its_position():
    with pytest.raises(BridgeError, match=r"'€' \(U\+20AC\) at position 3 .* code page cp037"):
        codepage("cp037").encode("ab€")


def test_unknown_code_page_error_lists_the_known_names():
    with pytest.raises(BridgeError) as info:
        codepage("cp9999")
    message = str(info.value)
    assert "unknown code page 'cp9999'" in message
    assert "cp037" in message and "cp1047" in message and "--codepage" in message


@pytest.mark.parametrize("name", ["utf-8", "utf-16", "shift_jis"])
def test_multi_byte_codecs_are_refused(name):
    with pytest.raises(BridgeError, match="not a single-byte code page"):
        codepage(name)


def test_code_pages_are_cached_and_names_are_case_insensitive():
    assert codepage("CP037") is codepage("cp037")


def test_every_known_code_page_builds():
    for name in KNOWN_CODEPAGES:
        page = codepage(name)
        assert page.space >= 0
        codecs.lookup(page.codec)
        assert page.utf8_length.min() >= 1 and np.all(page.utf8_length <= 3)


@pytest.mark.parametrize("spelling,page", [
    ("IBM-037", "cp037"), ("IBM037", "cp037"), ("CP037", "cp037"), ("037", "cp037"), ("37", "cp037"),
    ("CCSID 37", "cp037"), ("EBCDIC-CP-US", "cp037"), ("CP1047", "cp1047"), ("1047", "cp1047"),
    ("IBM-1047", "cp1047"), ("IBM-1140", "cp1140"), ("ibm1140", "cp1140"), ("CCSID1140", "cp1140"),
    ("IBM-273", "cp273"), ("500", "cp500"), ("latin-1", "latin-1"),
])
def test_the_spellings_users_type_name_the_same_code_page_issue_9(spelling, page):
    assert codepage(spelling).decode_table == codepage(page).decode_table
    assert codepage(CodecOptions(codepage=spelling).codepage).codec == codepage(canonical_name(page)).codec


def test_an_ibm_spelling_of_an_unknown_page_is_refused_with_what_the_user_typed():
    with pytest.raises(BridgeError, match=r"unknown code page 'cp9999'.*\(from 'IBM-9999'\)"):
        codepage("IBM-9999")


def test_a_file_decodes_the_same_under_every_spelling_of_its_code_page():
    from bridge.codec import zoned
    from bridge.layout.model import Field, Kind

    f = Field(name="N", path=("R", "N"), level=5, offset=0, length=3, kind=Kind.ZONED, picture="S9(3)",
              digits=3, signed=True)
    matrix = np.array([[0xF1, 0xF2, 0xD3]], np.uint8)
    for spelling in ("cp1047", "IBM-1047", "1047"):
        assert zoned.decode(matrix, 0, f, CodecOptions(codepage=spelling)).values.tolist() == [-123]


def test_byte_statistics_tell_ebcdic_text_from_ascii_text():
    from bridge.codec.codepage import text_family

    assert text_family("JOHN SMITH 00012345".encode("cp037"))[0] == "ebcdic"
    assert text_family(b"JOHN SMITH 00012345")[0] == "ascii"
    assert text_family(bytes(range(256)))[0] is None
    assert text_family(b"")[0] is None


def test_ebcdic_bytes_read_as_ascii_get_a_hint_naming_an_ebcdic_page_issue_9():
    from bridge.codec.codepage import codepage_hint

    hint = codepage_hint("ANNA JONES 0000123".encode("cp037"), "latin-1")
    assert hint.startswith("the text and zoned bytes look like EBCDIC (100% are EBCDIC")
    assert "not latin-1: try --codepage cp037" in hint


def test_ascii_bytes_read_as_ebcdic_get_a_hint_naming_an_ascii_page_issue_9():
    from bridge.codec.codepage import codepage_hint

    hint = codepage_hint(b"ANNA JONES 0000123", "cp037")
    assert "look like ASCII (100% are ASCII spaces, digits or letters, 0% EBCDIC ones), not cp037" in hint
    assert hint.endswith("try --codepage latin-1")


def test_bytes_of_the_declared_family_get_no_hint():
    from bridge.codec.codepage import codepage_hint

    assert codepage_hint("ANNA 0000123".encode("cp037"), "cp1140") is None
    assert codepage_hint(b"ANNA 0000123", "ascii") is None
