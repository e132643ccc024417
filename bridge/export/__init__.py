"""Schema exporters: the layout as a listing, layout JSON, JSON Schema, Avro, Arrow and SQL DDL.

Every exporter reads only the layout model (`bridge.layout`); the value types and the shape of
decoded records they share are defined once in `bridge.export.values`.
"""
from bridge.export.arrow_schema import arrow_schema, arrow_schema_text, arrow_schemas
from bridge.export.avro import avro_name, avro_schema
from bridge.export.formats import FORMATS, render_schema
from bridge.export.json_schema import json_schema, json_schema_text
from bridge.export.layout_json import layout_json, layout_json_text
from bridge.export.listing import layout_listing
from bridge.export.sql import Column, sql_columns, sql_ddl, sql_identifier
from bridge.export.values import ValueType, decoded_children, selected_records, value_type

__all__ = [
    "Column",
    "FORMATS",
    "ValueType",
    "arrow_schema",
    "arrow_schema_text",
    "arrow_schemas",
    "avro_name",
    "avro_schema",
    "decoded_children",
    "json_schema",
    "json_schema_text",
    "layout_json",
    "layout_json_text",
    "layout_listing",
    "render_schema",
    "selected_records",
    "sql_columns",
    "sql_ddl",
    "sql_identifier",
    "value_type",
]
