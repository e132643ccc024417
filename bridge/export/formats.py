"""The `mfbridge schema` output formats by name, each a function from a layout to text.

Kept apart from the CLI so the Python API and the command produce the same text.
"""
from __future__ import annotations

from typing import Callable

from bridge.errors import LayoutError
from bridge.export.arrow_schema import arrow_schema_text
from bridge.export.avro import avro_schema
from bridge.export.json_schema import json_schema_text
from bridge.export.json_text import dumps
from bridge.export.layout_json import layout_json_text
from bridge.export.listing import layout_listing
from bridge.export.sql import SqlDialect, sql_ddl
from bridge.layout.model import Layout

__all__ = ["FORMATS", "render_schema"]

_RENDERERS: dict[str, Callable[[Layout, str | None, SqlDialect], str]] = {
    "layout": lambda layout, record, _: layout_listing(layout, record),
    "layout-json": lambda layout, record, _: layout_json_text(layout, record),
    "json-schema": lambda layout, record, _: json_schema_text(layout, record),
    "avro": lambda layout, record, _: dumps(avro_schema(layout, record)),
    "arrow": lambda layout, record, _: arrow_schema_text(layout, record),
    "sql": lambda layout, record, dialect: sql_ddl(layout, record, dialect=dialect),
}

#: The format names `render_schema` and ``mfbridge schema --format`` accept.
FORMATS: tuple[str, ...] = tuple(_RENDERERS)


def render_schema(layout: Layout, format: str, *, record: str | None = None,
                  sql_dialect: SqlDialect = "db2") -> str:
    """The layout in one of `FORMATS` as text; raises `LayoutError` for an unknown format or record."""
    try:
        renderer = _RENDERERS[format]
    except KeyError:
        raise LayoutError(f"schema format {format!r} is not one of: {', '.join(FORMATS)}") from None
    return renderer(layout, record, sql_dialect)
