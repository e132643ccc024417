"""Date items get real dates in their form; a rules file overrides the guess (issue 9)."""
from __future__ import annotations

import numpy as np
import pytest

from bridge.copybook import compile_copybook
from bridge.errors import BridgeError
from bridge.fake import fake_table, load_date_rules


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

def test_birth_dates_are_in_the_past_and_time_groups_hold_times():
    text = ("01 R. 05 CUST-DOB PIC 9(8). 05 LAST-TIME. 10 LT-HH PIC 99. 10 LT-MM PIC 99. 10 LT-SS PIC 99. "
            "05 MAINT-DATE. 10 MAINT-MM PIC XX. 10 MAINT-DD PIC XX. 10 MAINT-YY PIC XX.")
    table = fake_table(compile_copybook(text), 400)
    assert max(table["CUST-DOB"].to_pylist()) // 10000 <= 2008
    assert max(table["LT-HH"].to_pylist()) <= 23 and max(table["LT-SS"].to_pylist()) <= 59
    assert {int(v) for v in table["MAINT-MM"].to_pylist()} == set(range(1, 13))
