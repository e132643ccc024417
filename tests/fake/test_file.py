"""`fake_file` writes what the reader with the same options reads back, byte for byte (issue 9)."""
from __future__ import annotations

import numpy as np
import pyarrow.compute as pc
import pytest

from bridge.copybook import compile_copybook
from bridge.errors import BridgeError
from bridge.fake import fake_table
from tests.fake.roundtrips import assert_round_trips, fake_bytes, read


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


def test_an_odo_count_kept_in_pic_x_reads_and_round_trips():
    text = "01 R. 05 CNT PIC X. 05 T OCCURS 0 TO 3 DEPENDING ON CNT. 10 V PIC X."
    data, _ = fake_bytes(text, 40)
    assert set(read(text, data)["CNT"].to_pylist()) == {"0", "1", "2", "3"}
    assert_round_trips(text, data, 40)


def test_an_odo_count_in_pic_x_that_is_not_digits_is_invalid_not_a_crash():
    from bridge.copybook import compile_copybook
    from bridge.records.api import read_table

    layout = compile_copybook("01 R. 05 CNT PIC X. 05 T OCCURS 0 TO 3 DEPENDING ON CNT. 10 V PIC X.")
    table, summary = read_table(bytes([0xC1, 0x40, 0x40, 0x40, 0x40]), layout, lrecl=5)   # CNT is 'A'
    assert summary.invalid == {"CNT": 1}
    assert table.to_pylist() == [{"CNT": None, "V(1)": None, "V(2)": None, "V(3)": None}]


def _copybook(tmp_path, text: str):
    path = tmp_path / "r.cpy"
    path.write_text("".join(f"       {line}\n" for line in text.splitlines()))
    return str(path)


def test_cli_mix_without_a_weight_is_a_usage_error_naming_the_form(tmp_path, capsys):
    from bridge.cli.main import main

    copybook = _copybook(tmp_path, "01 A-REC.\n    05 A PIC X(3).\n01 B-REC.\n    05 B PIC X(5).")
    rc = main(["fake", "-c", copybook, "-n", "5", "-o", str(tmp_path / "x.dat"), "--mix", "A-REC"])
    assert rc == 2 and "'A-REC' is not NAME=WEIGHT" in capsys.readouterr().err
    assert not (tmp_path / "x.dat").exists()


def test_cli_mix_and_date_rules_shape_the_file(tmp_path, capsys):
    from bridge.cli.main import main

    copybook = _copybook(tmp_path, "01 A-REC.\n    05 A-STAMP PIC 9(6).\n01 B-REC.\n    05 B PIC X(8).")
    rules = tmp_path / "dates.txt"
    rules.write_text("A-STAMP HHMMSS\n")
    out = tmp_path / "x.dat"
    assert main(["fake", "-c", copybook, "-n", "40", "-o", str(out), "--mix", "A-REC=1", "--mix", "B-REC=3",
                 "--date-rules", str(rules)]) == 0
    assert "record types: A-REC 10, B-REC 30" in capsys.readouterr().err
    stamps = [v for v in read(open(copybook).read(), out.read_bytes())["A-STAMP"].to_pylist() if v is not None]
    assert stamps and max(stamps) // 10000 <= 23


HIERARCHY = ("01 ENTITY. 05 SEGMENT-ID PIC 9(1). 05 COMPANY. 10 COMPANY-NAME PIC X(20). "
             "05 DEPT REDEFINES COMPANY. 10 FLOOR PIC 9(3). 10 ROOM PIC 9(4). 10 FILLER PIC X(13).")


def test_a_numeric_segment_field_selects_record_types_and_round_trips():
    options = dict(segment_field="SEGMENT-ID", segment_map={"1": "COMPANY", "02": "DEPT"})
    data, summary = fake_bytes(HIERARCHY, 40, **options)
    table = read(HIERARCHY, data, **options)
    assert summary.per_type == {"COMPANY": 20, "DEPT": 20}
    assert sorted(set(table["SEGMENT-ID"].to_pylist())) == [1, 2]
    assert pc.count(table["FLOOR"]).as_py() == 20
    assert_round_trips(HIERARCHY, data, 40, **options)


def test_a_segment_map_value_that_is_not_a_number_for_a_numeric_field_is_refused():
    with pytest.raises(BridgeError, match="segment map value 'C' is not a number, but the segment field "
                                          r"SEGMENT-ID is numeric \(PIC 9\(1\)\)"):
        fake_bytes(HIERARCHY, 4, segment_field="SEGMENT-ID", segment_map={"C": "COMPANY"})


def test_odo_tables_at_full_size_when_asked_and_said_so():
    text = "01 R. 05 CNT PIC 9(2). 05 T OCCURS 1 TO 5 DEPENDING ON CNT. 10 V PIC X(2)."
    data, summary = fake_bytes(text, 30, recfm="V", odo_placement="max")
    assert len(data) == 30 * (4 + 12)
    assert summary.framing == ("RECFM V: each record as long as its type makes it; "
                               "OCCURS DEPENDING ON tables at their full size")
    assert_round_trips(text, data, 30, recfm="V", odo_placement="max")
