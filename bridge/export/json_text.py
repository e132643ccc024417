"""JSON text with exact decimals, for the exporters whose documents carry scaled bounds.

The standard `json` module can only write a `Decimal` by first turning it into a binary float,
which would print ``9999999999999999.99`` as ``1e16`` and ``0.07`` steps that validators then
misjudge. This writer prints a `Decimal` with its own digits (``99999999999.99``, ``0.01``)
and everything else as `json.dumps` would, indented by two spaces.
"""
from __future__ import annotations

import json
from decimal import Decimal
from enum import Enum
from typing import Any

__all__ = ["dumps"]


def dumps(value: Any, *, indent: int = 2) -> str:
    """The JSON text of ``value`` (dicts, lists/tuples, str, int, bool, None, Decimal, float, Enum)."""
    return "".join(_chunks(value, indent, 0)) + "\n"


def _chunks(value: Any, indent: int, depth: int):
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, Decimal):
        yield _decimal_text(value)
    elif isinstance(value, dict):
        if not value:
            yield "{}"
            return
        pad, inner = " " * (indent * depth), " " * (indent * (depth + 1))
        yield "{\n"
        for i, (key, item) in enumerate(value.items()):
            yield inner + json.dumps(str(key)) + ": "
            yield from _chunks(item, indent, depth + 1)
            yield ",\n" if i < len(value) - 1 else "\n"
        yield pad + "}"
    elif isinstance(value, (list, tuple)):
        if not value:
            yield "[]"
            return
        if all(isinstance(v, (str, int, float, Decimal, type(None))) for v in value):
            yield "[" + ", ".join("".join(_chunks(v, indent, depth)) for v in value) + "]"
            return
        pad, inner = " " * (indent * depth), " " * (indent * (depth + 1))
        yield "[\n"
        for i, item in enumerate(value):
            yield inner
            yield from _chunks(item, indent, depth + 1)
            yield ",\n" if i < len(value) - 1 else "\n"
        yield pad + "]"
    else:
        yield json.dumps(value)


def _decimal_text(value: Decimal) -> str:
    if value == value.to_integral_value():
        return str(int(value))
    # Plain notation, never an exponent: "0.00001", not "1E-5".
    return format(value, "f")
