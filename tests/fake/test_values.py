"""Every fake value fits its item as the encoder checks it; 88-level values are used (issue 9)."""
from __future__ import annotations

import pyarrow.compute as pc

from bridge.copybook import compile_copybook
from bridge.fake import fake_table
from tests.fake.roundtrips import assert_round_trips, fake_bytes, read


def test_text_never_longer_than_its_field_issue_9():
    text = "01 R. 05 NAME PIC X(15). 05 SHORT PIC X(3). 05 N PIC N(4)."
    data, _ = fake_bytes(text, 300)
    table = read(text, data)
    assert max(pc.utf8_length(table["NAME"]).to_pylist()) == 15
    assert_round_trips(text, data, 300)

def test_dbcs_values_are_hex_text_the_codec_takes_issue_9():
    text = "01 R. 05 KANJI PIC G(4). 05 K2 PIC N(3) USAGE DISPLAY-1."
    data, _ = fake_bytes(text, 30)
    values = read(text, data)["KANJI"].to_pylist()
    assert all(len(v) == 16 and v.startswith("42C") for v in values)
    assert_round_trips(text, data, 30)

def test_edited_pictures_get_negatives_only_when_they_print_a_sign_issue_9():
    text = "01 R. 05 NOSIGN PIC ZZ,ZZ9. 05 TRAIL PIC 9(3).99CR."
    table = fake_table(compile_copybook(text), 400)
    assert pc.min(table["NOSIGN"]).as_py() >= 0
    assert pc.min(table["TRAIL"]).as_py() < 0
    data, _ = fake_bytes(text, 100)
    assert_round_trips(text, data, 100)

def test_hex_88_values_are_written_as_the_byte_not_python_text_issue_9():
    text = "01 R. 05 FLAG PIC X. 88 ON-FLAG VALUE X'01'. 88 OFF-FLAG VALUE X'C6'."
    data, _ = fake_bytes(text, 40)
    assert set(data) == {0x01, 0xC6}
    assert_round_trips(text, data, 40)

def test_numeric_88_values_and_ranges_are_the_only_values():
    text = ("01 R. 05 CODE PIC 9(2). 88 LOW VALUE 1 THRU 3. 88 TEN VALUE 10. "
            "05 RATE PIC S9V99 COMP-3. 88 NEG VALUE -1.25. 88 ZERO-RATE VALUE ZERO.")
    table = fake_table(compile_copybook(text), 300)
    assert set(table["CODE"].to_pylist()) == {1, 2, 3, 10}
    assert {str(v) for v in table["RATE"].to_pylist()} == {"-1.25", "0.00"}

def test_text_88_values_include_figurative_spaces_and_thru_ends():
    text = "01 R. 05 ST PIC X(2). 88 OPEN-ST VALUE 'OP'. 88 NONE-ST VALUE SPACES. 88 RNG VALUE 'A' THRU 'C'."
    values = set(fake_table(compile_copybook(text), 300)["ST"].to_pylist())
    assert values == {"OP", " ", "A", "C"}

def test_a_text_field_whose_only_88_is_low_values_holds_text_in_most_rows():
    text = "01 R. 05 MSG PIC X(20). 88 MSG-OFF VALUE LOW-VALUES."
    values = fake_table(compile_copybook(text), 500)["MSG"].to_pylist()
    resets = sum(v == "\x00" * 20 for v in values)
    assert 50 < resets < 200
    assert all(v == "\x00" * 20 or v.replace(" ", "").isalpha() for v in values)


def test_a_binary_item_without_a_picture_spans_the_digits_its_bytes_hold():
    table = fake_table(compile_copybook("01 R. 05 P USAGE POINTER."), 300)
    assert 10**8 <= max(table["P"].to_pylist()) < 10**9
