"""layout-json: the layout model written out as the issue documents it."""
from __future__ import annotations

import json

from bridge.export.layout_json import layout_json, layout_json_text
from bridge.layout.model import Condition
from tests.export import sample_layouts
from tests.export.layout_builder import group, item, layout, record


def _fields(layout, record=None):
    return {f["name"]: f for f in layout_json(layout, record)["records"][0]["fields"]}


def test_each_record_has_exactly_name_length_min_length_and_fields():
    doc = layout_json(sample_layouts.transactions())
    assert list(doc) == ["records"]
    rec = doc["records"][0]
    assert list(rec) == ["name", "length", "min_length", "fields"]
    assert (rec["name"], rec["length"], rec["min_length"]) == ("TXN-HISTORY-REC", 1036, 36)


def test_fields_are_one_flat_list_in_copybook_order_starting_with_the_01():
    names = [f["name"] for f in layout_json(sample_layouts.customer())["records"][0]["fields"]]
    assert names[:3] == ["CUSTOMER-REC", "CUST-ID", "CUST-NAME"]
    assert names.index("SCORE-AREA") + 1 == names.index("SCORE")


def test_a_packed_field_carries_offset_length_kind_and_numeric_attributes():
    assert _fields(sample_layouts.customer())["BALANCE"] == {
        "name": "BALANCE", "path": ["CUSTOMER-REC", "BALANCE"], "level": 5, "offset": 42,
        "length": 7, "kind": "packed", "picture": "S9(11)V99", "usage": "COMP-3", "digits": 13,
        "scale": 2, "signed": True,
    }


def test_a_group_has_no_usage_or_picture():
    group = _fields(sample_layouts.customer())["SCORE-AREA"]
    assert "usage" not in group and "picture" not in group and group["kind"] == "group"


def test_an_occurs_item_gives_its_first_occurrence_and_the_occurs_clause():
    f = _fields(sample_layouts.customer())["REASON-CODE"]
    assert (f["offset"], f["length"]) == (81, 4)
    assert f["occurs"] == {"min": 4, "max": 4, "depending_on": None}


def test_an_item_inside_an_odo_table_lists_the_dims_that_repeat_it():
    f = _fields(sample_layouts.transactions())["TXN-AMT"]
    assert f["dims"] == [{"min": 0, "max": 50, "stride": 20,
                          "depending_on": "TXN-HISTORY-REC.TXN-CNT"}]


def test_items_after_an_odo_table_carry_variable_offset_and_their_offset_when_full():
    fields = _fields(sample_layouts.transactions())
    assert fields["STMT-TOTAL"]["variable_offset"] is True
    assert fields["STMT-TOTAL"]["offset"] == 1025
    assert "variable_offset" not in fields["TXN-CNT"]


def test_redefines_renames_and_filler_are_listed():
    fields = _fields(sample_layouts.hard_cases())
    assert _fields(sample_layouts.transactions())["STMT-DATE-R"]["redefines"] == "STMT-DATE"
    assert fields["BOTH-ADDR"]["renames"] == ["HARD-REC.BILL-ADDR", "HARD-REC.SHIP-ADDR"]
    assert fields["BOTH-ADDR"]["kind"] == "renames"
    assert fields["FILLER"]["filler"] is True


def test_88_conditions_are_kept_with_values_and_ranges():
    fields = _fields(sample_layouts.hard_cases())
    assert fields["LEVEL"]["conditions"] == [
        {"name": "LOW-LEVEL", "values": [], "ranges": [[1, 5]]}]


def test_sync_slack_and_edited_display_length_are_given():
    fields = _fields(sample_layouts.hard_cases())
    assert (fields["RATIO"]["sync"], fields["RATIO"]["slack_before"]) == (True, 2)
    assert fields["AMOUNT-ED"]["display_length"] == 11


def test_text_is_json_that_reads_back_to_the_document():
    layout = sample_layouts.hard_cases()
    assert json.loads(layout_json_text(layout)) == json.loads(json.dumps(layout_json(layout),
                                                                         default=int))


def test_figurative_constants_are_objects_not_string_literals():
    class Figurative:  # what the compiler puts in VALUE for SPACES
        def __str__(self):
            return "SPACES"

    rec = record(group(1, "R", item(5, "A", "X(2)", length=2, conditions=(
        Condition("A-BLANK", (Figurative(), "SPACES")),))))
    cond = _fields(layout(rec))["A"]["conditions"][0]
    assert cond["values"] == [{"figurative": "SPACES"}, "SPACES"]
