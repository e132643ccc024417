"""Every exporter at the limits: 76-digit numbers described exactly, wider ones and huge OCCURS refused.

Decisions (issue 8): a number of more than 76 digits has no decoded value (no Arrow decimal
holds it), so the value-describing formats refuse it with the decoder's reason while the
layout listings still show it; an OCCURS table stays an array in JSON Schema, Avro and Arrow
whatever its count, and SQL, which flattens it into columns, refuses a record of more than
10,000 columns instead of writing them out one by one.
"""
from __future__ import annotations

import json
import time
from decimal import Decimal

import pyarrow as pa
import pytest

from bridge.codec.numeric import MAX_DIGITS as CODEC_MAX_DIGITS
from bridge.errors import LayoutError
from bridge.export import values
from bridge.export.formats import FORMATS, render_schema
from bridge.export.sql import MAX_EMITTED_COLUMNS
from tests.export.layout_builder import group, item, layout, record

VALUE_FORMATS = ("json-schema", "avro", "arrow", "sql")


def wide_numbers():
    return layout(record(group(1, "REC",
                               item(5, "ZONED-76", "S9(70)V9(6)", length=76, digits=76, scale=6, signed=True),
                               item(5, "PACKED-39", "9(39)", usage="COMP-3", length=20, digits=39),
                               item(5, "BINARY-40", "S9(40)", usage="COMP", length=17, digits=40, signed=True))))


def too_wide(digits: int):
    return layout(record(group(1, "REC", item(5, "A", f"9({digits})", length=digits, digits=digits))))


def huge_occurs(count: int):
    return layout(record(group(1, "REC", group(5, "T", item(10, "A", "X", length=1),
                                               item(10, "B", "9(3)", length=3, digits=3), occurs=count))))


def test_json_schema_bounds_of_a_76_digit_decimal_are_exact_not_rounded_to_28_digits():
    schema = json.loads(render_schema(wide_numbers(), "json-schema"), parse_float=Decimal)
    prop = schema["properties"]["ZONED-76"]
    nines = "9" * 70 + "." + "9" * 6
    assert prop["maximum"] == Decimal(nines)
    assert prop["minimum"] == Decimal("-" + nines)
    assert prop["multipleOf"] == Decimal("0.000001")


def test_avro_gives_wide_numbers_their_full_decimal_precision():
    schema = json.loads(render_schema(wide_numbers(), "avro"))
    types = {f["name"]: f["type"][1] for f in schema["fields"]}
    assert (types["ZONED_76"]["precision"], types["ZONED_76"]["scale"]) == (76, 6)
    assert types["PACKED_39"]["precision"] == 39


def test_arrow_gives_wide_numbers_the_decimal256_the_decoder_produces():
    from bridge.export.arrow_schema import arrow_schema

    schema = arrow_schema(wide_numbers().records[0])
    assert schema.field("ZONED-76").type == pa.decimal256(76, 6)
    assert schema.field("PACKED-39").type == pa.decimal256(39, 0)
    assert schema.field("BINARY-40").type == pa.decimal256(41, 0)


def test_sql_writes_numbers_beyond_the_dialects_decimals_as_text_of_their_width():
    ddl = " ".join(render_schema(wide_numbers(), "sql").split())
    assert "ZONED_76 VARCHAR(78), PACKED_39 VARCHAR(41), BINARY_40 VARCHAR(43)" in ddl


@pytest.mark.parametrize("fmt", VALUE_FORMATS)
@pytest.mark.parametrize("digits", [77, 5000])
def test_a_number_beyond_76_digits_is_refused_by_name_by_every_value_format(fmt, digits):
    with pytest.raises(LayoutError, match=rf"REC.A PIC 9\({digits}\): a number of {digits} digits is beyond the 76"):
        render_schema(too_wide(digits), fmt)


@pytest.mark.parametrize("fmt", ["layout", "layout-json"])
def test_the_layout_listings_still_show_a_number_beyond_76_digits(fmt):
    text = render_schema(too_wide(5000), fmt)
    assert "9(5000)" in text and "5000" in text


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "sql"])
def test_a_huge_occurs_stays_one_array_and_renders_quickly(fmt):
    start = time.perf_counter()
    text = render_schema(huge_occurs(99_999_999), fmt)
    assert time.perf_counter() - start < 5
    assert "99999999" in text.replace(",", "").replace("_", "")


def test_sql_refuses_a_record_that_flattens_into_more_columns_than_it_writes():
    start = time.perf_counter()
    with pytest.raises(LayoutError, match=r"record REC flattens into 199,999,998 SQL columns .* stops at 10,000"):
        render_schema(huge_occurs(99_999_999), "sql")
    assert time.perf_counter() - start < 5


def test_sql_still_writes_a_table_at_the_emitted_column_limit():
    ddl = render_schema(huge_occurs(MAX_EMITTED_COLUMNS // 2), "sql")
    assert f"{MAX_EMITTED_COLUMNS} columns" in ddl
    assert "-- warning: 10000 columns exceed the db2 limit of 750" in ddl
    assert "B_5000 CHAR(3)" not in ddl and "B_5000 DECIMAL(3,0)" in " ".join(ddl.split())


def test_the_exporters_digit_limit_is_the_codecs():
    assert values.MAX_DIGITS == CODEC_MAX_DIGITS == 76
