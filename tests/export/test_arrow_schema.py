"""Arrow schemas of decoded records: exact types per storage, nested like the decoded records."""
from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pytest

from bridge.export.arrow_schema import arrow_schema, arrow_schema_text, arrow_schemas
from tests.export import sample_layouts


def _customer():
    return arrow_schema(sample_layouts.customer().records[0])


def _hard():
    return arrow_schema(sample_layouts.hard_cases().records[0])


@pytest.mark.parametrize("name, dtype", [
    ("CUST-ID", pa.int64()), ("TXN-COUNT", pa.int64()), ("BALANCE", pa.decimal128(13, 2)),
    ("BIRTH-DATE", pa.int64()), ("CUST-NAME", pa.string()),
])
def test_customer_fields_get_exact_arrow_types(name, dtype):
    assert _customer().field(name).type == dtype


@pytest.mark.parametrize("name, dtype", [
    ("THOUSANDS", pa.int64()), ("TINY", pa.decimal128(5, 5)), ("BIG-COUNT", pa.uint64()),
    ("SCALED-BIN", pa.decimal128(10, 2)), ("RATE", pa.float64()), ("RATIO", pa.float64()),
    ("NAME-N", pa.string()), ("AMOUNT-ED", pa.decimal128(8, 2)), ("DATE-ED", pa.string()),
])
def test_hard_cases_get_exact_arrow_types(name, dtype):
    assert _hard().field(name).type == dtype


def test_groups_are_structs_and_occurs_are_lists():
    area = _customer().field("SCORE-AREA").type
    assert pa.types.is_struct(area)
    assert area.field("REASON-CODE").type == pa.list_(pa.string())


def test_nested_occurs_are_lists_of_structs_of_lists():
    matrix = _hard().field("MATRIX").type
    assert matrix.field("ROW").type == pa.list_(pa.struct([
        pa.field("CELL", pa.list_(pa.int64()))]))


def test_filler_and_renames_are_left_out():
    assert "FILLER" not in _customer().names and "BOTH-ADDR" not in _hard().names


def test_every_field_is_nullable():
    assert all(f.nullable for f in _customer())


def test_fields_carry_their_offset_length_and_picture_as_metadata():
    meta = _customer().field("BALANCE").metadata
    assert meta[b"cobol.offset"] == b"42" and meta[b"cobol.length"] == b"7"
    assert meta[b"cobol.picture"] == b"S9(11)V99" and meta[b"cobol.usage"] == b"COMP-3"


def test_odo_tables_say_what_they_depend_on():
    meta = arrow_schema(sample_layouts.transactions().records[0]).field("TXN-TABLE").metadata
    assert meta[b"cobol.occurs"] == b"0 TO 50 DEPENDING ON TXN-CNT"


def test_schema_metadata_gives_the_record_lengths():
    meta = arrow_schema(sample_layouts.transactions().records[0]).metadata
    assert (meta[b"cobol.length"], meta[b"cobol.min_length"]) == (b"1036", b"36")


def test_a_decoded_record_fits_the_schema():
    table = pa.Table.from_pylist([{
        "CUST-ID": 4000000000, "BALANCE": Decimal("-1234567.07"),
        "SCORE-AREA": {"SCORE": Decimal("0.1234"), "REASON-CODE": ["R001", None, "", ""]},
    }], schema=_customer())
    assert table.column("BALANCE")[0].as_py() == Decimal("-1234567.07")


def test_there_is_one_schema_per_record_unless_one_is_selected():
    layout = sample_layouts.payments()
    assert list(arrow_schemas(layout)) == ["BATCH-HEADER", "PAYMENT-DETAIL", "BATCH-TRAILER"]
    assert list(arrow_schemas(layout, "batch-trailer")) == ["BATCH-TRAILER"]


def test_text_shows_each_record_with_its_metadata():
    text = arrow_schema_text(sample_layouts.payments())
    assert text.startswith("-- BATCH-HEADER\nHDR-REC-TYPE: string")
    assert "-- BATCH-TRAILER\n" in text and "cobol.picture: 'S9(18)'" in text


@pytest.mark.parametrize("name", ["customer.cpy", "transactions.cpy", "payments.cpy", "policy.cpy"])
def test_the_exported_leaf_types_are_the_types_decoding_produces(name):
    from bridge.copybook import load_copybook
    from bridge.records.decode import RecordDecoder
    from bridge.records.options import ReaderOptions
    from tests.conftest import COPYBOOKS

    layout = load_copybook(COPYBOOKS / name)
    decoded = RecordDecoder(layout, ReaderOptions()).schema
    leaves = {}

    def walk(t, name):
        if pa.types.is_struct(t):
            for f in t:
                walk(f.type, f.name)
        elif pa.types.is_list(t):
            walk(t.value_type, name)
        else:
            leaves.setdefault(name, set()).add(t)

    for schema in arrow_schemas(layout).values():
        for f in schema:
            walk(f.type, f.name)
    for column in decoded:
        base = column.name.split("(")[0].split(".")[-1]
        assert column.type in leaves[base], (column.name, column.type, leaves[base])
