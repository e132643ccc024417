"""JSON Schema of decoded records: valid draft 2020-12, and it accepts what the decoder writes."""
from __future__ import annotations

import json
from decimal import Decimal

import jsonschema
import pytest

from bridge.export.json_schema import json_schema, json_schema_text
from bridge.layout.model import Condition
from tests.export import sample_layouts
from tests.export.layout_builder import group, item, layout, record

CUSTOMER_RECORD = """{"CUST-ID": 4000000000, "CUST-NAME": "ANNE SMITH", "BIRTH-DATE": 19700101,
  "BALANCE": -1234567.07, "CREDIT-LIMIT": 5000.00, "TXN-COUNT": -2, "RISK-SEG": "RT",
  "AVG-TXN-AMT": 30.50, "MONTHS-ON-BOOK": 12, "DELINQ-COUNT": null, "UTILISATION-PCT": 12.5,
  "SCORE-AREA": {"SCORE": 0.1234, "SCORE-BAND": "A", "REASON-CODE": ["R001", "R002", "", ""],
                 "MODEL-ID": "CHURN01", "SCORE-STATUS": "00"}}"""


def _validator(layout, record=None):
    schema = json.loads(json_schema_text(layout, record), parse_float=Decimal)
    return jsonschema.Draft202012Validator(schema)


def _errors(layout, instance, record=None):
    return [e.message for e in _validator(layout, record).iter_errors(instance)]


def _customer_record(**changes):
    rec = json.loads(CUSTOMER_RECORD, parse_float=Decimal)
    rec.update(changes)
    return rec


def test_schema_is_valid_draft_2020_12():
    for sample in (sample_layouts.customer(), sample_layouts.transactions(),
                   sample_layouts.payments(), sample_layouts.hard_cases()):
        jsonschema.Draft202012Validator.check_schema(json.loads(json_schema_text(sample)))


def test_a_decoded_customer_record_is_valid():
    assert _errors(sample_layouts.customer(), _customer_record()) == []


def test_keys_are_the_copybook_spellings_without_the_01_wrapper_or_filler():
    props = json_schema(sample_layouts.customer())["properties"]
    assert list(props)[:3] == ["CUST-ID", "CUST-NAME", "BIRTH-DATE"]
    assert "FILLER" not in props and "CUSTOMER-REC" not in props


def test_an_unknown_key_is_rejected():
    assert _errors(sample_layouts.customer(), _customer_record(EXTRA=1)) == [
        "Additional properties are not allowed ('EXTRA' was unexpected)"]


def test_every_value_may_be_null_because_invalid_data_decodes_to_null():
    rec = {key: None for key in _customer_record()}
    assert _errors(sample_layouts.customer(), rec) == []


def test_a_packed_value_beyond_its_picture_is_rejected():
    errors = _errors(sample_layouts.customer(), _customer_record(BALANCE=Decimal("100000000000.00")))
    assert errors == ["Decimal('100000000000.00') is greater than the maximum of "
                      "Decimal('99999999999.99')"]


def test_a_value_with_more_decimals_than_the_scale_is_rejected():
    errors = _errors(sample_layouts.customer(), _customer_record(BALANCE=Decimal("1.001")))
    assert errors == ["Decimal('1.001') is not a multiple of 0.01"]


def test_binary_integers_are_bounded_by_their_storage_not_their_picture():
    props = json_schema(sample_layouts.customer())["properties"]
    assert props["TXN-COUNT"]["type"] == ["integer", "null"]
    assert (props["TXN-COUNT"]["minimum"], props["TXN-COUNT"]["maximum"]) == (-32768, 32767)
    assert props["CUST-ID"]["maximum"] == 4294967295


def test_an_alphanumeric_is_a_string_of_at_most_its_length():
    errors = _errors(sample_layouts.customer(), _customer_record(**{"RISK-SEG": "ABC"}))
    assert errors == ["'ABC' is too long"]


def test_groups_are_nested_objects_and_occurs_are_arrays_of_their_count():
    area = json_schema(sample_layouts.customer())["properties"]["SCORE-AREA"]
    assert area["type"] == ["object", "null"]
    reasons = area["properties"]["REASON-CODE"]
    assert (reasons["type"], reasons["minItems"], reasons["maxItems"]) == (["array", "null"], 4, 4)
    assert reasons["items"] == {"type": ["string", "null"], "maxLength": 4}


def test_an_odo_table_may_hold_from_its_minimum_to_its_maximum_entries():
    table = json_schema(sample_layouts.transactions())["properties"]["TXN-TABLE"]
    assert (table["minItems"], table["maxItems"]) == (0, 50)
    assert table["description"].startswith("OCCURS 0 TO 50 DEPENDING ON TXN-CNT")


def test_descriptions_give_picture_usage_offset_and_length():
    props = json_schema(sample_layouts.customer())["properties"]
    assert props["BALANCE"]["description"] == "PIC S9(11)V99 COMP-3; offset 42, length 7"


def test_88_values_are_examples_and_described_but_never_an_enum():
    seg = json_schema(sample_layouts.customer())["properties"]["RISK-SEG"]
    assert seg["examples"] == ["RT", "PR"] and "enum" not in seg
    assert "88 SEG-RETAIL: 'RT'" in seg["description"]


def test_trailing_p_scaling_is_an_integer_in_steps_of_the_scaling():
    thousands = json_schema(sample_layouts.hard_cases())["properties"]["THOUSANDS"]
    assert thousands["type"] == ["integer", "null"]
    assert (thousands["multipleOf"], thousands["maximum"]) == (1000, 999000)


def test_several_records_are_alternatives_of_one_file():
    schema = json_schema(sample_layouts.payments())
    assert schema["anyOf"] == [{"$ref": "#/$defs/BATCH-HEADER"}, {"$ref": "#/$defs/PAYMENT-DETAIL"},
                               {"$ref": "#/$defs/BATCH-TRAILER"}]
    assert _errors(sample_layouts.payments(), {"HDR-REC-TYPE": "H", "HDR-BATCH-ID": "B1"}) == []
    assert _errors(sample_layouts.payments(), {"HDR-REC-TYPE": "H", "TRL-HASH-TOTAL": 1}) != []


def test_selecting_a_record_gives_that_record_schema_alone():
    schema = json_schema(sample_layouts.payments(), "batch-trailer")
    assert schema["title"] == "BATCH-TRAILER" and "anyOf" not in schema


def test_text_writes_steps_and_bounds_as_exact_decimals():
    text = json_schema_text(sample_layouts.payments())
    assert '"multipleOf": 0.01' in text
    assert '"maximum": 99999999999.99' in text
    assert '"maximum": 9223372036854775807' in text


@pytest.mark.parametrize("value", ["0.07", "1234567.89", "-0.01"])
def test_decimal_steps_do_not_misjudge_exact_values(value):
    assert _errors(sample_layouts.customer(), _customer_record(**{"CREDIT-LIMIT": Decimal(value)})) == []


def test_figurative_88_values_are_described_but_not_examples():
    class Figurative:  # what the compiler puts in VALUE for SPACES
        def __str__(self):
            return "SPACES"

    rec = record(group(1, "R", item(5, "A", "X(2)", length=2, conditions=(
        Condition("A-BLANK", (Figurative(),)), Condition("A-OK", ("OK",))))))
    a = json_schema(layout(rec))["properties"]["A"]
    assert a["examples"] == ["OK"]
    assert "88 A-BLANK: SPACES" in a["description"]
