"""The format registry `bridge schema` uses, and the package's public names."""
from __future__ import annotations

import json

import pytest

import bridge.export
from bridge.errors import LayoutError
from bridge.export.formats import FORMATS, render_schema
from tests.export import sample_layouts
from tests.export.content_checks import assert_describes


def test_the_formats_are_those_of_the_command_line():
    assert FORMATS == ("layout", "layout-json", "json-schema", "avro", "arrow", "sql")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_every_hand_built_layout(fmt):
    for layout in (sample_layouts.customer(), sample_layouts.transactions(),
                   sample_layouts.payments(), sample_layouts.hard_cases()):
        assert_describes(layout, fmt, render_schema(layout, fmt))


def test_the_sql_dialect_reaches_the_ddl():
    assert "CREATE TABLE customer_rec" in render_schema(sample_layouts.customer(), "sql",
                                                        sql_dialect="postgres")


def test_avro_is_written_as_json():
    assert json.loads(render_schema(sample_layouts.customer(), "avro"))["name"] == "CUSTOMER_REC"


def test_an_unknown_format_lists_the_formats():
    with pytest.raises(LayoutError, match="schema format 'xml' is not one of: layout, layout-json, "
                                          "json-schema, avro, arrow, sql"):
        render_schema(sample_layouts.customer(), "xml")


def test_the_public_names_are_sorted_and_all_importable():
    names = bridge.export.__all__
    assert list(names) == sorted(names)
    for name in names:
        assert getattr(bridge.export, name) is not None
