"""Every format on every sample copybook, compiled by the real compiler, checked by real readers:
jsonschema for JSON Schema, fastavro for Avro, pyarrow for Arrow, a count of columns for SQL."""
from __future__ import annotations

import io
import json
import re
from decimal import Decimal

import fastavro
import jsonschema
import pyarrow as pa
import pytest

import bridge.copybook
from bridge.export import (arrow_schemas, avro_schema, json_schema_text, layout_json, layout_listing,
                           render_schema, sql_ddl)
from bridge.export.formats import FORMATS
from tests.conftest import COPYBOOKS
from tests.export.content_checks import assert_describes


SAMPLES = sorted(p.name for p in COPYBOOKS.glob("*.cpy"))

# One decoded record per sample copybook, as `bridge decode --to jsonl` writes it.
DECODED = {
    "customer.cpy": """{"CUST-ID": 4000000000, "CUST-NAME": "ANNE SMITH", "BIRTH-DATE": 19700101,
        "BALANCE": -1234567.07, "CREDIT-LIMIT": 5000.00, "TXN-COUNT": 12, "RISK-SEG": "RT",
        "AVG-TXN-AMT": 30.50, "MONTHS-ON-BOOK": 120, "DELINQ-COUNT": null, "UTILISATION-PCT": 12.5,
        "SCORE-AREA": {"SCORE": 0.1234, "SCORE-BAND": "A", "REASON-CODE": ["R001", "R002", "", ""],
                       "MODEL-ID": "CHURN01", "SCORE-STATUS": "00"}}""",
    "customer_history.cpy": """{"CUST-ID": 42, "CUST-NAME": "ANNE SMITH", "BIRTH-DATE": 19700101,
        "BALANCE": 10.00, "CREDIT-LIMIT": 5000.00, "TXN-COUNT": 12, "RISK-SEG": "RT",
        "AVG-TXN-AMT": 30.50, "MONTHS-ON-BOOK": 120, "DELINQ-COUNT": 0, "UTILISATION-PCT": 12.5,
        "SCORE-AREA": {"SCORE": null, "SCORE-BAND": "", "REASON-CODE": ["", "", "", ""],
                       "MODEL-ID": "", "SCORE-STATUS": ""},
        "OUTCOME-AREA": {"DEFAULTED-12M": 1}}""",
    "hard_cases.cpy": """{"HC-O-COUNT": 2, "HC-O-GCOUNT": 1, "HC-O-TABLE": [
            {"HC-O-KEY": "K01", "HC-O-AMT": -1.50}, {"HC-O-KEY": "K02", "HC-O-AMT": 99999.99}],
        "HC-O-MIDDLE": "MM", "HC-O-GROUPS": [{"HC-O-G-NAME": "G001", "HC-O-G-ITEM": [
            {"HC-O-G-VAL": 1}, {"HC-O-G-VAL": 2}, {"HC-O-G-VAL": null}, {"HC-O-G-VAL": 999}]}],
        "HC-O-AFTER": "AFTER", "HC-O-AFTER-NUM": 1234}""",
    "payments.cpy": """{"DTL-REC-TYPE": "D", "DTL-SEQ-NO": 1, "DTL-ACCOUNT": "DE001",
        "DTL-AMOUNT": 99.99, "DTL-VALUE-DATE": 20261126, "DTL-DIRECTION": "C",
        "DTL-REFERENCE": "INV 42", "DTL-FEE": -0.50}""",
    "policy.cpy": """{"POL-NUMBER": "P000000001", "POL-TYPE": "M", "POL-VERSION": 3,
        "POL-HOLDER-ID": 123456789, "POL-START-DATE": 20260101, "POL-PREMIUM": 456.78,
        "POL-RATE-FACTOR": 1.2345, "POL-DETAIL": "AB12CDE FORD",
        "MOTOR-DETAIL": {"VEH-REG": "AB12CDE", "VEH-MAKE": "FORD", "VEH-YEAR": 2020,
                         "VEH-VALUE": 15000.00, "NCD-YEARS": 5},
        "HOME-DETAIL": {"HOME-POSTCODE": null, "HOME-REBUILD-COST": null, "HOME-BEDROOMS": null,
                        "HOME-FLOOD-ZONE": null},
        "POL-CLAIMS-COUNT": 0, "POL-SUM-INSURED": 250000.00, "POL-LOSS-RATIO": 0.25,
        "POL-STATUS": "AC"}""",
    "transactions.cpy": """{"ACCT-NO": "ACC000000001", "STMT-DATE": 20261126,
        "STMT-DATE-R": {"STMT-YYYY": 2026, "STMT-MM": 11, "STMT-DD": 26}, "CURRENCY-CD": "EUR",
        "TXN-CNT": 2, "TXN-TABLE": [
            {"TXN-DATE": 20261101, "TXN-TYPE": "PU", "TXN-AMT": -12.34, "MCC": 5411},
            {"TXN-DATE": 20261102, "TXN-TYPE": "RF", "TXN-AMT": 12.34, "MCC": 5411}],
        "STMT-TOTAL": 0.00, "STMT-FLAGS": "NNNN"}""",
}


def _layout(name):
    return bridge.copybook.load_copybook(COPYBOOKS / name, include_dirs=[COPYBOOKS / "include"])


def _decoded(name):
    return json.loads(DECODED[name], parse_float=Decimal)


def _elementary_occurrences(record):
    # Independent of the exporters: every elementary item outside FILLER, times its occurrences.
    return sum(f.occurrences for f in record.elementary() if "FILLER" not in f.path)


def test_every_sample_copybook_has_a_decoded_sample_record():
    assert sorted(DECODED) == SAMPLES


@pytest.mark.parametrize("name", SAMPLES)
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_every_sample_copybook(name, fmt):
    layout = _layout(name)
    assert_describes(layout, fmt, render_schema(layout, fmt))


@pytest.mark.parametrize("name", SAMPLES)
def test_json_schema_is_valid_and_accepts_a_decoded_record(name):
    schema = json.loads(json_schema_text(_layout(name)), parse_float=Decimal)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(_decoded(name), schema, cls=jsonschema.Draft202012Validator)


@pytest.mark.parametrize("name", SAMPLES)
def test_avro_schema_parses_and_carries_a_decoded_record(name):
    schema = avro_schema(_layout(name))
    parsed = fastavro.parse_schema(schema)
    candidates = schema if isinstance(schema, list) else [schema]
    decoded = _decoded(name)
    target = next(s for s in candidates if {f["cobolName"] for f in s["fields"]} >= set(decoded))
    rec = _to_avro(decoded, target)
    buffer = io.BytesIO()
    fastavro.writer(buffer, parsed, [(target["name"], rec) if isinstance(schema, list) else rec])
    buffer.seek(0)
    assert list(fastavro.reader(buffer)) == [rec]


@pytest.mark.parametrize("name", SAMPLES)
def test_arrow_schema_builds_and_holds_a_decoded_record(name):
    decoded = _decoded(name)
    schemas = arrow_schemas(_layout(name))
    schema = next(s for s in schemas.values() if set(s.names) >= set(decoded))
    table = pa.Table.from_pylist([_to_arrow(decoded, schema)], schema=schema)
    assert table.num_rows == 1


@pytest.mark.parametrize("name", SAMPLES)
@pytest.mark.parametrize("dialect", ["db2", "postgres"])
def test_sql_has_balanced_parentheses_and_one_column_per_elementary_occurrence(name, dialect):
    layout = _layout(name)
    ddl = sql_ddl(layout, dialect=dialect)
    assert ddl.count("(") == ddl.count(")")
    bodies = re.findall(r"CREATE TABLE \S+ \(\n(.*?)\n\);", ddl, flags=re.S)
    assert [len(body.split(",\n")) for body in bodies] == [
        _elementary_occurrences(r) for r in layout.records]


@pytest.mark.parametrize("name", SAMPLES)
def test_listing_and_layout_json_give_the_compiled_record_lengths(name):
    layout = _layout(name)
    doc = layout_json(layout)
    assert [(r["name"], r["length"], r["min_length"]) for r in doc["records"]] == [
        (r.name, r.length, r.min_length) for r in layout.records]
    listing = layout_listing(layout)
    for r in layout.records:
        assert (f"RECORD LENGTH {r.length}" in listing
                or f"RECORD LENGTH {r.min_length} TO {r.length}" in listing)


def _to_avro(value, schema):
    """A decoded JSON value in the shape fastavro writes for the schema (names, decimals)."""
    if isinstance(schema, list):  # ["null", T]
        return None if value is None else _to_avro(value, schema[1])
    if isinstance(schema, dict) and schema.get("type") == "record":
        return {f["name"]: _to_avro(value.get(f["cobolName"]), f["type"]) for f in schema["fields"]}
    if isinstance(schema, dict) and schema.get("type") == "array":
        return [_to_avro(v, schema["items"]) for v in value]
    if isinstance(schema, dict) and schema.get("logicalType") == "decimal":
        return Decimal(value).quantize(Decimal(1).scaleb(-schema["scale"]))
    if schema in ("float", "double"):
        return float(value)
    return value


def _to_arrow(value, schema_or_type):
    if isinstance(schema_or_type, pa.Schema) or pa.types.is_struct(schema_or_type):
        fields = list(schema_or_type)
        return {f.name: _to_arrow(value.get(f.name), f.type) for f in fields} if value else value
    if pa.types.is_list(schema_or_type):
        return [_to_arrow(v, schema_or_type.value_type) for v in value] if value else value
    if pa.types.is_floating(schema_or_type) and value is not None:
        return float(value)
    return value
