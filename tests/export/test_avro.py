"""Avro schemas of decoded records: they parse with fastavro and carry records exactly."""
from __future__ import annotations

import io
from decimal import Decimal

import fastavro
import pytest

from bridge.export.avro import avro_name, avro_schema
from tests.export import sample_layouts
from tests.export.layout_builder import group, item, layout, record


def _fields(schema):
    return {f["name"]: f for f in schema["fields"]}


def _round_trip(schema, rec):
    parsed = fastavro.parse_schema(schema)
    buffer = io.BytesIO()
    fastavro.writer(buffer, parsed, [rec])
    buffer.seek(0)
    return list(fastavro.reader(buffer))


def test_every_sample_layout_parses_with_fastavro():
    for sample in (sample_layouts.customer(), sample_layouts.transactions(),
                   sample_layouts.payments(), sample_layouts.hard_cases()):
        fastavro.parse_schema(avro_schema(sample))


def test_a_decoded_record_round_trips_exactly():
    rec = {"CUST_ID": 4000000000, "CUST_NAME": "ANNE", "BALANCE": Decimal("-1234567.07"),
           "TXN_COUNT": -2, "SCORE_AREA": {"SCORE": Decimal("0.1234"),
                                           "REASON_CODE": ["R001", None, "", ""]}}
    back = _round_trip(avro_schema(sample_layouts.customer()), rec)[0]
    assert back["BALANCE"] == Decimal("-1234567.07")
    assert back["SCORE_AREA"]["REASON_CODE"] == ["R001", None, "", ""]
    assert back["CUST_ID"] == 4000000000 and back["CREDIT_LIMIT"] is None


def test_names_follow_avro_rules_and_keep_the_cobol_spelling():
    field = _fields(avro_schema(sample_layouts.customer()))["CUST_ID"]
    assert field["cobolName"] == "CUST-ID"
    assert field["doc"] == "CUST-ID PIC 9(9) COMP; offset 0, length 4"


@pytest.mark.parametrize("cobol, avro", [("CUST-ID", "CUST_ID"), ("1ST-ADDR", "_1ST_ADDR"),
                                         ("A", "A")])
def test_cobol_names_become_avro_names(cobol, avro):
    assert avro_name(cobol) == avro


def test_every_field_is_nullable_and_defaults_to_null():
    for field in avro_schema(sample_layouts.customer())["fields"]:
        assert field["type"][0] == "null" and field["default"] is None


def test_decimals_are_bytes_with_the_decimal_logical_type():
    balance = _fields(avro_schema(sample_layouts.customer()))["BALANCE"]["type"][1]
    assert balance == {"type": "bytes", "logicalType": "decimal", "precision": 13, "scale": 2}


def test_trailing_p_scaling_becomes_scale_zero_with_the_p_digits_added():
    thousands = _fields(avro_schema(sample_layouts.hard_cases()))["THOUSANDS"]["type"][1]
    assert (thousands["precision"], thousands["scale"]) == (6, 0)


@pytest.mark.parametrize("name, avro_type", [
    ("TXN_COUNT", "int"),     # S9(4) COMP: 2 bytes signed
    ("CUST_ID", "long"),      # 9(9) COMP: 4 bytes unsigned, beyond int
])
def test_binary_maps_to_the_avro_integer_that_holds_its_storage(name, avro_type):
    assert _fields(avro_schema(sample_layouts.customer()))[name]["type"][1] == avro_type


def test_unsigned_eight_byte_binary_becomes_a_twenty_digit_decimal():
    big = _fields(avro_schema(sample_layouts.hard_cases()))["BIG_COUNT"]["type"][1]
    assert (big["logicalType"], big["precision"], big["scale"]) == ("decimal", 20, 0)


def test_floats_are_float_and_double():
    fields = _fields(avro_schema(sample_layouts.hard_cases()))
    assert (fields["RATE"]["type"][1], fields["RATIO"]["type"][1]) == ("float", "double")


def test_occurs_is_an_array_of_nullable_items():
    area = _fields(avro_schema(sample_layouts.customer()))["SCORE_AREA"]["type"][1]
    assert _fields(area)["REASON_CODE"]["type"][1] == {"type": "array", "items": ["null", "string"]}


def test_groups_are_records_named_after_their_path():
    fields = _fields(avro_schema(sample_layouts.hard_cases()))
    assert fields["BILL_ADDR"]["type"][1]["name"] == "HARD_REC_BILL_ADDR"
    assert fields["SHIP_ADDR"]["type"][1]["name"] == "HARD_REC_SHIP_ADDR"


def test_names_made_equal_by_sanitising_get_a_suffix():
    clash = layout(record(group(1, "R", group(5, "A-B", item(10, "X", "X", length=1)),
                                group(5, "A_B", item(10, "X", "X", length=1)))))
    schema = avro_schema(clash)
    assert [f["name"] for f in schema["fields"]] == ["A_B", "A_B_2"]
    assert [f["type"][1]["name"] for f in schema["fields"]] == ["R_A_B", "R_A_B_2"]
    fastavro.parse_schema(schema)


def test_several_records_make_a_union_that_writes_each_record_type():
    schema = avro_schema(sample_layouts.payments())
    assert [s["name"] for s in schema] == ["BATCH_HEADER", "PAYMENT_DETAIL", "BATCH_TRAILER"]
    back = _round_trip(schema, ("BATCH_TRAILER", {"TRL_HASH_TOTAL": -5}))
    assert back == [{"TRL_REC_TYPE": None, "TRL_HASH_TOTAL": -5}]


def test_a_namespace_can_be_given():
    assert avro_schema(sample_layouts.customer(), namespace="com.bank.risk")["namespace"] == \
        "com.bank.risk"
