"""SQL DDL: one table per record, one column per elementary item occurrence, dialect rules."""
from __future__ import annotations

import re

import pytest

from bridge.errors import LayoutError
from bridge.export.sql import sql_columns, sql_ddl, sql_identifier
from tests.export import sample_layouts
from tests.export.layout_builder import group, item, layout, record


def _types(layout_, dialect="db2"):
    return {c.name: c.sql_type for c in sql_columns(layout_.records[0], dialect)}


def test_customer_columns_get_db2_types():
    types = _types(sample_layouts.customer())
    assert types["CUST_ID"] == "BIGINT"            # 9(9) COMP: up to 4294967295 is stored
    assert types["TXN_COUNT"] == "SMALLINT"
    assert types["BALANCE"] == "DECIMAL(13,2)"
    assert types["CUST_NAME"] == "CHAR(30)"
    assert types["SCORE"] == "DECIMAL(5,4)"


def test_hard_cases_get_db2_types():
    types = _types(sample_layouts.hard_cases())
    assert types["THOUSANDS"] == "DECIMAL(6,0)"
    assert types["BIG_COUNT"] == "DECIMAL(20,0)"
    assert types["HALF"] == "INTEGER"               # 9(4) COMP holds 0-65535
    assert (types["RATE"], types["RATIO"]) == ("REAL", "DOUBLE")
    assert (types["NAME_N"], types["NAME_G"]) == ("GRAPHIC(10)", "GRAPHIC(5)")
    assert types["AMOUNT_ED"] == "DECIMAL(8,2)"


def test_postgres_names_are_lower_case_and_doubles_are_double_precision():
    types = _types(sample_layouts.hard_cases(), "postgres")
    assert types["ratio"] == "DOUBLE PRECISION"
    assert types["name_n"] == "CHAR(10)"


def test_occurs_are_flattened_into_numbered_columns_in_storage_order():
    names = [c.name for c in sql_columns(sample_layouts.transactions().records[0])]
    at = names.index("TXN_DATE_1")
    assert names[at:at + 5] == ["TXN_DATE_1", "TXN_TYPE_1", "TXN_AMT_1", "MCC_1", "TXN_DATE_2"]
    assert names[-3:] == ["MCC_50", "STMT_TOTAL", "STMT_FLAGS"]


def test_nested_occurs_get_one_subscript_per_table():
    names = [c.name for c in sql_columns(sample_layouts.hard_cases().records[0])]
    assert [n for n in names if n.startswith("CELL")] == [
        "CELL_1_1", "CELL_1_2", "CELL_1_3", "CELL_2_1", "CELL_2_2", "CELL_2_3"]


def test_there_is_one_column_per_elementary_occurrence_and_none_for_filler_or_renames():
    assert len(sql_columns(sample_layouts.customer().records[0])) == 19
    assert len(sql_columns(sample_layouts.transactions().records[0])) == 9 + 50 * 4


def test_names_used_twice_are_qualified_by_their_group():
    names = [c.name for c in sql_columns(sample_layouts.hard_cases().records[0])]
    assert "BILL_ADDR_CITY" in names and "SHIP_ADDR_CITY" in names and "CITY" not in names


def test_reserved_words_are_double_quoted():
    reserved = layout(record(group(1, "R", item(5, "GROUP", "X", length=1),
                                   item(5, "VALUE", "X", length=1))))
    assert [c.name for c in sql_columns(reserved.records[0], "db2")] == ['"GROUP"', '"VALUE"']
    assert [c.name for c in sql_columns(reserved.records[0], "postgres")] == ['"group"', "value"]


@pytest.mark.parametrize("cobol, dialect, sql", [
    ("CUST-ID", "db2", "CUST_ID"), ("CUST-ID", "postgres", "cust_id"),
    ("1ST-ADDR", "db2", "C_1ST_ADDR"), ("ORDER", "postgres", '"order"'),
])
def test_cobol_names_become_identifiers_of_the_dialect(cobol, dialect, sql):
    assert sql_identifier(cobol, dialect) == sql


def test_long_names_are_cut_to_the_dialect_limit_and_stay_distinct():
    a = sql_identifier("X" * 70 + "-A", "postgres")
    b = sql_identifier("X" * 70 + "-B", "postgres")
    assert len(a) == len(b) == 63 and a != b


def test_columns_are_commented_with_cobol_name_picture_and_positions():
    ddl = sql_ddl(sample_layouts.customer())
    assert ("COMMENT ON COLUMN CUSTOMER_REC.REASON_CODE_2 IS "
            "'REASON-CODE (2) PIC X(4) DISPLAY, positions 86-89';") in ddl


def test_every_column_is_nullable():
    assert "NOT NULL" not in sql_ddl(sample_layouts.customer())


def test_ddl_is_one_create_table_per_record_with_balanced_parentheses():
    ddl = sql_ddl(sample_layouts.payments(), dialect="postgres")
    assert re.findall(r"CREATE TABLE (\w+) \(", ddl) == ["batch_header", "payment_detail",
                                                         "batch_trailer"]
    assert ddl.count("(") == ddl.count(")")


def test_a_decimal_beyond_db2_precision_becomes_decfloat():
    wide = layout(record(group(1, "R", item(5, "HUGE", "9(33)", length=33, digits=33))))
    assert _types(wide) == {"HUGE": "DECFLOAT(34)"}
    assert _types(wide, "postgres") == {"huge": "DECIMAL(33,0)"}


def test_a_table_wider_than_the_dialect_allows_carries_a_warning():
    wide = layout(record(group(1, "R", item(5, "A", "X", length=1, occurs=751))))
    assert "-- warning: 751 columns exceed the db2 limit of 750" in sql_ddl(wide)


def test_an_unknown_dialect_is_rejected_with_the_choices():
    with pytest.raises(LayoutError, match="SQL dialect 'oracle' is not one of: db2, postgres"):
        sql_ddl(sample_layouts.customer(), dialect="oracle")  # type: ignore[arg-type]
