"""The layout listing reads like a File-AID layout: 1-based inclusive positions, indented names."""
from __future__ import annotations

import re

from bridge.export.listing import layout_listing
from tests.export import sample_layouts


def _line(listing: str, name: str) -> str:
    return next(line for line in listing.splitlines() if re.search(rf"\d\d {re.escape(name)}\b", line))


def _cells(line: str) -> list[str]:
    return line.split()


def test_positions_are_one_based_and_inclusive_as_in_file_aid():
    listing = layout_listing(sample_layouts.customer())
    assert _cells(_line(listing, "CUST-ID")) == ["05", "CUST-ID", "9(9)", "COMP", "1", "4", "4"]
    assert _cells(_line(listing, "BALANCE"))[3:] == ["COMP-3", "43", "49", "7"]


def test_names_are_indented_by_nesting_depth_after_their_level():
    listing = layout_listing(sample_layouts.customer())
    assert _line(listing, "CUSTOMER-REC").startswith("01 CUSTOMER-REC")
    assert _line(listing, "SCORE-AREA").startswith("  05 SCORE-AREA")
    assert _line(listing, "SCORE-BAND").startswith("    10 SCORE-BAND")


def test_columns_have_headings():
    heading = layout_listing(sample_layouts.customer()).splitlines()[1]
    assert heading.split() == ["LEVEL/NAME", "PICTURE", "USAGE", "START", "END", "LENGTH",
                               "OCCURS", "REMARKS"]


def test_an_occurs_item_shows_its_first_occurrence_and_its_count():
    line = _line(layout_listing(sample_layouts.customer()), "REASON-CODE")
    assert _cells(line)[4:] == ["82", "85", "4", "4"]


def test_fixed_record_ends_with_its_length():
    assert layout_listing(sample_layouts.customer()).rstrip().endswith("RECORD LENGTH 117")


def test_odo_record_length_is_shown_from_minimum_to_maximum():
    listing = layout_listing(sample_layouts.transactions())
    assert "RECORD LENGTH 36 TO 1036 (OCCURS DEPENDING ON)" in listing


def test_odo_table_shows_its_range_and_object():
    line = _line(layout_listing(sample_layouts.transactions()), "TXN-TABLE")
    assert "0 TO 50" in line and line.endswith("DEPENDING ON TXN-CNT")


def test_redefines_is_remarked_on_the_redefining_item():
    line = _line(layout_listing(sample_layouts.transactions()), "STMT-DATE-R")
    assert _cells(line)[2:5] == ["13", "20", "8"] and line.endswith("REDEFINES STMT-DATE")


def test_items_after_an_odo_table_are_marked_variably_located():
    line = _line(layout_listing(sample_layouts.transactions()), "STMT-TOTAL")
    assert _cells(line)[4:6] == ["1026", "1032"]
    assert line.endswith("VARIABLY LOCATED")
    assert layout_listing(sample_layouts.transactions()).rstrip().endswith(
        "VARIABLY LOCATED items are shown at their positions with every table full")


def test_88_conditions_follow_their_item_with_their_values():
    lines = layout_listing(sample_layouts.customer()).splitlines()
    at = next(i for i, line in enumerate(lines) if "10 SCORE-STATUS" in line)
    assert lines[at + 1].split() == ["88", "SCORED-OK", "VALUE", "'00'"]
    assert lines[at + 2].split() == ["88", "NOT-SCORED", "VALUE", "'08'", "'12'"]


def test_88_ranges_are_written_with_thru():
    assert "88 LOW-LEVEL    VALUE 1 THRU 5" in layout_listing(sample_layouts.hard_cases())


def test_sync_slack_bytes_get_a_line_of_their_own():
    listing = layout_listing(sample_layouts.hard_cases())
    slack = next(line for line in listing.splitlines() if "(SLACK BYTES)" in line)
    assert _cells(slack)[2:] == ["24", "25", "2", "SYNC", "RATIO"]


def test_renames_shows_the_span_it_covers():
    line = _line(layout_listing(sample_layouts.hard_cases()), "BOTH-ADDR")
    assert _cells(line)[:5] == ["66", "BOTH-ADDR", "83", "122", "40"]
    assert line.endswith("RENAMES BILL-ADDR THRU SHIP-ADDR")


def test_every_record_is_listed_unless_one_is_selected():
    layout = sample_layouts.payments()
    everything = layout_listing(layout)
    headers = [line for line in everything.splitlines()
               if line.startswith("RECORD ") and not line.startswith("RECORD LENGTH")]
    assert headers == [
        "RECORD BATCH-HEADER (handmade.cpy)", "RECORD PAYMENT-DETAIL (handmade.cpy)",
        "RECORD BATCH-TRAILER (handmade.cpy)"]
    only = layout_listing(layout, "payment-detail")
    assert "BATCH-HEADER" not in only and "RECORD PAYMENT-DETAIL" in only
