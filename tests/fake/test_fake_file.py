"""`fake_file` writes what the reader with the same options reads back, byte for byte (issue 9)."""
from __future__ import annotations

import io

import numpy as np
import pyarrow.compute as pc
import pytest

from bridge.copybook import compile_copybook
from bridge.errors import BridgeError
from bridge.fake import fake_file, fake_table, load_date_rules
from bridge.records.api import read_table
from bridge.records.roundtrip import round_trip


def fake_bytes(text: str, n: int = 50, **options) -> tuple[bytes, object]:
    layout = compile_copybook(text)
    out = io.BytesIO()
    summary = fake_file(layout, n, out, **options)
    return out.getvalue(), summary


def read(text: str, data: bytes, **options):
    return read_table(data, compile_copybook(text), trim="none", **options)[0]


def assert_round_trips(text: str, data: bytes, n: int, **options) -> None:
    result = round_trip(data, compile_copybook(text), trim="none", **options)
    assert result.records == n
    assert result.identical, (result.first_difference, result.framing_difference)


# -- the six failures of issue 9 -------------------------------------------------------------------

def test_text_never_longer_than_its_field_issue_9():
    text = "01 R. 05 NAME PIC X(15). 05 SHORT PIC X(3). 05 N PIC N(4)."
    data, _ = fake_bytes(text, 300)
    table = read(text, data)
    assert max(pc.utf8_length(table["NAME"]).to_pylist()) == 15
    assert_round_trips(text, data, 300)


def test_several_01_records_use_the_reader_s_record_length_issue_9():
    text = "01 SHORT-REC. 05 A PIC X(10).\n01 LONG-REC. 05 B PIC X(30). 05 C PIC S9(5) COMP-3."
    data, summary = fake_bytes(text, 40)
    assert len(data) == 40 * 33
    assert summary.per_type == {"SHORT-REC": 20, "LONG-REC": 20}
    assert_round_trips(text, data, 40)


def test_a_record_of_filler_only_honours_n_issue_9():
    text = "01 R. 05 FILLER PIC X(12)."
    data, summary = fake_bytes(text, 7)
    assert summary.records == 7 and len(data) == 7 * 12
    assert_round_trips(text, data, 7)


def test_odo_records_under_recfm_f_are_padded_to_lrecl_and_read_back_issue_9():
    text = ("01 R. 05 CNT PIC 9(2). 05 T OCCURS 1 TO 5 DEPENDING ON CNT. 10 V PIC S9(3) COMP-3. "
            "05 AFTER PIC X(4).")
    data, summary = fake_bytes(text, 60)
    assert len(data) == 60 * 16
    assert "padded with spaces to LRECL" in summary.framing
    assert_round_trips(text, data, 60)


def test_odo_records_under_recfm_v_take_their_actual_length():
    text = "01 R. 05 CNT PIC 9(2). 05 T OCCURS 0 TO 9 DEPENDING ON CNT. 10 V PIC X(3)."
    data, summary = fake_bytes(text, 60, recfm="V")
    counts = read(text, data, recfm="V")["CNT"].to_numpy()
    assert len(data) == int((4 + 2 + 3 * counts).sum())
    assert "each record as long as its type and its OCCURS DEPENDING ON counts" in summary.framing
    assert_round_trips(text, data, 60, recfm="V")


def test_odo_counts_cover_their_whole_range():
    text = "01 R. 05 CNT PIC 9(2). 05 T OCCURS 2 TO 9 DEPENDING ON CNT. 10 V PIC X."
    counts = fake_table(compile_copybook(text), 200)["CNT"].to_numpy()
    assert counts.min() == 2 and counts.max() == 9 and len(np.unique(counts)) == 8


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


# -- 88-level values and dates ---------------------------------------------------------------------

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


def test_date_items_hold_real_dates_in_their_form():
    text = ("01 R. 05 BIRTH-DATE PIC 9(8). 05 POST-DT PIC 9(6) COMP-3. 05 JUL-DATE PIC 9(7). "
            "05 OPEN-DATE PIC X(10). 05 LAST-DATE. 10 YYYY PIC 9(4). 10 MM PIC 99. 10 DD PIC 99.")
    table = fake_table(compile_copybook(text), 500)
    birth = np.array(table["BIRTH-DATE"].to_pylist())
    assert ((birth // 100 % 100 >= 1) & (birth // 100 % 100 <= 12)).all()
    days = np.array([f"{v // 10000:04d}-{v // 100 % 100:02d}-{v % 100:02d}" for v in birth], dtype="datetime64[D]")
    assert len(days) == 500   # every value parsed as a calendar date
    assert (np.array(table["POST-DT"].to_pylist()) // 100 % 100).max() <= 12
    doy = np.array(table["JUL-DATE"].to_pylist()) % 1000
    assert doy.min() >= 1 and doy.max() <= 366
    np.array(table["OPEN-DATE"].to_pylist(), dtype="datetime64[D]")
    assert set(table["MM"].to_pylist()) == set(range(1, 13))


def test_a_rules_file_overrides_the_date_guess(tmp_path):
    rules = tmp_path / "dates.txt"
    rules.write_text("# which items are dates\nSTAMP  YYMMDD 2000 2009\nBIRTH-DATE none\n")
    text = "01 R. 05 STAMP PIC 9(6). 05 BIRTH-DATE PIC X(8)."
    table = fake_table(compile_copybook(text), 200, dates=load_date_rules(rules))
    stamps = np.array(table["STAMP"].to_pylist())
    assert (stamps // 10000 <= 9).all() and (stamps // 100 % 100 <= 12).all()
    assert all(not v.isdigit() for v in table["BIRTH-DATE"].to_pylist())


def test_a_rule_the_picture_cannot_hold_is_refused_naming_it(tmp_path):
    rules = tmp_path / "dates.txt"
    rules.write_text("CODE YYYYMMDD\n")
    with pytest.raises(BridgeError, match=r"date rule CODE YYYYMMDD: R.CODE \(PIC 9\(4\), DISPLAY\) cannot hold"):
        fake_table(compile_copybook("01 R. 05 CODE PIC 9(4)."), 5, dates=load_date_rules(rules))


def test_an_unknown_date_format_in_a_rules_file_names_the_line(tmp_path):
    rules = tmp_path / "dates.txt"
    rules.write_text("\nX  DDMMYY\n")
    with pytest.raises(BridgeError, match=r"dates.txt:2: unknown date format 'DDMMYY'; use one of YYYYMMDD"):
        load_date_rules(rules)


# -- record types and proportions ------------------------------------------------------------------

SEGMENTS = ("01 R. 05 KIND PIC X. 05 BODY PIC X(8). 05 CUST REDEFINES BODY. 10 CUST-NO PIC 9(8). "
            "05 ACCT REDEFINES BODY. 10 ACCT-BAL PIC S9(13)V99 COMP-3.")


def test_segment_map_types_are_all_written_with_their_selector_value():
    options = dict(segment_field="KIND", segment_map={"C": "CUST", "A": "ACCT"})
    data, summary = fake_bytes(SEGMENTS, 50, **options)
    table = read(SEGMENTS, data, **options)
    assert sorted(set(table["KIND"].to_pylist())) == ["A", "C"]
    assert summary.per_type == {"CUST": 25, "ACCT": 25}
    assert pc.count(table["ACCT-BAL"]).as_py() == 25
    assert_round_trips(SEGMENTS, data, 50, **options)


def test_mix_sets_the_proportions_of_record_types():
    options = dict(segment_field="KIND", segment_map={"C": "CUST", "A": "ACCT"})
    _, summary = fake_bytes(SEGMENTS, 100, mix={"CUST": 3, "A": 1}, **options)
    assert summary.per_type == {"CUST": 75, "ACCT": 25}


def test_mix_with_an_unknown_type_lists_the_types():
    with pytest.raises(BridgeError, match="--mix NOPE: no such record type; the types are CUST, ACCT"):
        fake_bytes(SEGMENTS, 10, mix={"NOPE": 1}, segment_field="KIND", segment_map={"C": "CUST", "A": "ACCT"})


def test_the_same_seed_gives_the_same_file_and_another_seed_another():
    text = "01 R. 05 A PIC X(9). 05 B PIC S9(7)V99 COMP-3."
    assert fake_bytes(text, 20, seed=4)[0] == fake_bytes(text, 20, seed=4)[0]
    assert fake_bytes(text, 20, seed=4)[0] != fake_bytes(text, 20, seed=5)[0]


def test_n_is_honoured_across_batches():
    data, summary = fake_bytes("01 R. 05 A PIC X(3).", 2500, batch_records=1000)
    assert summary.records == 2500 and len(data) == 7500


def test_fake_then_roundtrip_through_the_cli_passes_with_default_options(tmp_path, capsys):
    from bridge.cli.main import main

    copybook = tmp_path / "r.cpy"
    copybook.write_text("       01 R.\n           05 CNT PIC 9(2).\n"
                        "           05 T OCCURS 1 TO 4 DEPENDING ON CNT.\n              10 V PIC X(2).\n")
    data = tmp_path / "r.dat"
    assert main(["fake", "-c", str(copybook), "-n", "25", "-o", str(data)]) == 0
    assert "25 records written" in capsys.readouterr().err
    assert main(["roundtrip", str(data), "-c", str(copybook)]) == 0
    assert "25 records, byte-identical" in capsys.readouterr().out


def test_progress_is_told_the_records_written_after_each_batch():
    seen: list[int] = []
    fake_bytes("01 R. 05 A PIC X(3).", 2500, batch_records=1000, progress=seen.append)
    assert seen == [1000, 2000, 2500]


def test_zero_records_make_an_empty_file():
    data, summary = fake_bytes("01 R. 05 A PIC X(3).", 0)
    assert data == b"" and summary.records == 0


def test_recfm_text_with_packed_items_is_refused_as_the_reader_refuses_it():
    from bridge.errors import FramingError

    with pytest.raises(FramingError, match="RECFM TEXT cannot carry AMT"):
        fake_bytes("01 R. 05 AMT PIC S9(5) COMP-3.", 5, recfm="TEXT")


def test_variable_occurs_under_recfm_f_writes_records_at_their_own_length():
    text = "01 R. 05 CNT PIC 9(2). 05 T OCCURS 0 TO 9 DEPENDING ON CNT. 10 V PIC X(3)."
    data, summary = fake_bytes(text, 40, variable_occurs=True)
    counts = read(text, data, variable_occurs=True)["CNT"].to_numpy()
    assert len(data) == int((2 + 3 * counts).sum())
    assert "without padding" in summary.framing
    assert_round_trips(text, data, 40, variable_occurs=True)


def test_a_record_length_field_is_set_to_each_record_s_length():
    text = "01 R. 05 LEN PIC 9(4) COMP. 05 CNT PIC 9(2). 05 T OCCURS 0 TO 9 DEPENDING ON CNT. 10 V PIC X(3)."
    data, _ = fake_bytes(text, 30, record_length_field="LEN")
    table = read(text, data, record_length_field="LEN")
    assert (table["LEN"].to_numpy() == 4 + 3 * table["CNT"].to_numpy()).all()
    assert_round_trips(text, data, 30, record_length_field="LEN")


def test_a_text_field_whose_only_88_is_low_values_holds_text_in_most_rows():
    text = "01 R. 05 MSG PIC X(20). 88 MSG-OFF VALUE LOW-VALUES."
    values = fake_table(compile_copybook(text), 500)["MSG"].to_pylist()
    resets = sum(v == "\x00" * 20 for v in values)
    assert 50 < resets < 200
    assert all(v == "\x00" * 20 or v.replace(" ", "").isalpha() for v in values)


def test_birth_dates_are_in_the_past_and_time_groups_hold_times():
    text = ("01 R. 05 CUST-DOB PIC 9(8). 05 LAST-TIME. 10 LT-HH PIC 99. 10 LT-MM PIC 99. 10 LT-SS PIC 99. "
            "05 MAINT-DATE. 10 MAINT-MM PIC XX. 10 MAINT-DD PIC XX. 10 MAINT-YY PIC XX.")
    table = fake_table(compile_copybook(text), 400)
    assert max(table["CUST-DOB"].to_pylist()) // 10000 <= 2008
    assert max(table["LT-HH"].to_pylist()) <= 23 and max(table["LT-SS"].to_pylist()) <= 59
    assert {int(v) for v in table["MAINT-MM"].to_pylist()} == set(range(1, 13))
