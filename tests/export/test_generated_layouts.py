"""Properties over generated layouts: every exporter's output is accepted by its own reader."""
from __future__ import annotations

import json
from decimal import Decimal

import fastavro
import jsonschema
from hypothesis import given, settings, strategies as st

from bridge.export import arrow_schema, avro_schema, json_schema_text, render_schema, sql_columns, value_type
from tests.export.content_checks import assert_describes
from tests.export.layout_builder import group, item, layout, record

# Few names, so that clashes (qualified columns, suffixed Avro names) and reserved words come up.
_names = st.sampled_from(["AMT", "CITY", "CUST-ID", "CUST_ID", "1ST-ADDR", "GROUP", "VALUE", "X"])
_occurs = st.one_of(st.none(), st.integers(1, 3))


@st.composite
def _elementary(draw, level):
    name = draw(_names)
    occurs = draw(_occurs)
    kind = draw(st.sampled_from(["X", "ZONED", "COMP", "COMP-3", "COMP-1", "COMP-2", "N"]))
    if kind == "X":
        n = draw(st.integers(1, 300))
        return item(level, name, f"X({n})", length=n, occurs=occurs)
    if kind == "N":
        n = draw(st.integers(1, 200))
        return item(level, name, f"N({n})", usage="NATIONAL", length=2 * n, occurs=occurs)
    if kind in ("COMP-1", "COMP-2"):
        return item(level, name, None, usage=kind, length=4 if kind == "COMP-1" else 8,
                    occurs=occurs)
    digits = draw(st.integers(1, 18))
    scale = draw(st.integers(-3, digits + 2))
    signed = draw(st.booleans())
    pic = ("S" if signed else "") + f"9({digits})"
    if kind == "COMP":
        length = 2 if digits <= 4 else 4 if digits <= 9 else 8
    elif kind == "COMP-3":
        length = digits // 2 + 1
    else:
        length = digits
    return item(level, name, pic, usage="DISPLAY" if kind == "ZONED" else kind, length=length,
                digits=digits, scale=scale, signed=signed, occurs=occurs)


@st.composite
def _layouts(draw):
    children = []
    for _ in range(draw(st.integers(1, 6))):
        if draw(st.booleans()):
            inner = draw(st.lists(_elementary(10), min_size=1, max_size=4))
            children.append(group(5, draw(_names), *inner, occurs=draw(_occurs)))
        else:
            children.append(draw(_elementary(5)))
    return layout(record(group(1, draw(_names), *children)))


@settings(max_examples=100, deadline=None)
@given(_layouts())
def test_every_generated_layout_gives_schemas_their_readers_accept(generated):
    jsonschema.Draft202012Validator.check_schema(json.loads(json_schema_text(generated)))
    fastavro.parse_schema(avro_schema(generated))
    schema = arrow_schema(generated.records[0])
    assert schema.names == [c.name for c in generated.records[0].root.children if not c.is_filler]
    for fmt in ("json-schema", "avro", "arrow", "sql"):
        assert_describes(generated, fmt, render_schema(generated, fmt))


@settings(max_examples=100, deadline=None)
@given(_layouts())
def test_sql_has_one_uniquely_named_column_per_elementary_occurrence(generated):
    rec = generated.records[0]
    columns = sql_columns(rec)
    assert len(columns) == sum(f.occurrences for f in rec.elementary())
    assert len({c.name for c in columns}) == len(columns)


@settings(max_examples=100, deadline=None)
@given(_layouts())
def test_decimal_bounds_fit_their_precision_and_scale(generated):
    for f in generated.records[0].elementary():
        vt = value_type(f)
        if vt.kind != "decimal":
            continue
        for bound in (vt.minimum, vt.maximum):
            assert isinstance(bound, Decimal)
            # The bound must be representable as DECIMAL(precision, scale).
            assert bound == bound.quantize(Decimal(1).scaleb(-vt.scale))
            assert abs(bound) < Decimal(10) ** (vt.precision - vt.scale)
