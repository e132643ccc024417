"""What a decoded record holds: which items become keys, and the value type of each elementary item.

Every schema exporter (JSON Schema, Avro, Arrow, SQL) describes the records `mfbridge decode`
writes, so they share one answer to two questions, kept here so they cannot drift apart:

Which items appear (`decoded_children`)
    The 01 record's items, spelled as in the copybook, groups as nested objects, OCCURS as
    arrays. FILLER (elementary or group, with everything below it) and 66-level RENAMES are
    left out: FILLER has no name to be a key, RENAMES has no storage of its own. Every
    REDEFINES branch appears, because the decoder writes them all unless a segment map
    selects one.

The value type of an elementary item (`value_type`)
    * Zoned and packed decimal: a decimal of ``digits`` precision and the model's scale.
      A negative scale (``9(3)PPP``, scale -3) has no fractional digits, so the decimal type
      gets precision ``digits - scale`` and scale 0. A scale beyond the digits (``PPP99``,
      scale 5) makes the precision equal to the scale.
    * Binary (COMP, COMP-4, BINARY, COMP-5, INDEX, POINTER): the precision is the number of
      digits the *storage* can hold (2 bytes -> 5, 4 -> 10, 8 -> 19 signed / 20 unsigned),
      not the PICTURE's digits, because values beyond the PICTURE are decoded as stored
      (TRUNC(BIN)). Bounds are the storage's two's-complement range. Scale 0 gives an
      integer of the storage's width; any other scale a decimal.
    * COMP-1 and COMP-2: float32 and float64.
    * Numeric-edited: a decimal of its digit positions and scale (the decoder reads the number
      the edited picture displays).
    * Alphanumeric, alphanumeric-edited: strings of the display length in characters; national
      (UTF-16) and DBCS: strings of ``length / 2`` characters.
    * Beyond 76 digits no decoder value exists (no Arrow decimal holds it exactly): `value_type`
      refuses the item with a `LayoutError`, as decoding does, and every exporter with it.
      Bounds are exact at any precision (never rounded to 28 digits).
    * Every value is nullable: invalid data decodes to null, and items past the end of a short
      variable-length record are absent.
    * 88-level conditions and 66-level RENAMES are metadata only; exporters may mention 88
      values in descriptions, never as constraints (a file can hold values no 88 names).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Context, Decimal
from typing import Iterator, Literal

from bridge.errors import LayoutError
from bridge.layout.model import Condition, Field, Kind, Layout, Record

__all__ = ["ValueType", "condition_text", "decoded_children", "selected_records", "value_type"]

ValueKind = Literal["decimal", "integer", "float", "string"]

#: The widest number a decoder produces: `bridge.codec.numeric.MAX_DIGITS` (decimal256), kept
#: here too so that describing a layout does not import the codecs (numpy, numba, pyarrow).
MAX_DIGITS = 76
_EXACT = Context(prec=200)   # bounds of 76-digit items, never rounded


@dataclass(frozen=True, slots=True)
class ValueType:
    """The type of one decoded elementary value.

    * ``decimal``: ``precision`` digits, ``scale`` (>= 0) of them after the point; values are
      multiples of ``step`` between ``minimum`` and ``maximum``.
    * ``integer``: ``bits`` of storage, ``signed`` or not, between ``minimum`` and ``maximum``
      (``precision`` is the digits the storage holds).
    * ``float``: ``bits`` is 32 or 64.
    * ``string``: at most ``max_length`` characters; ``national`` for UTF-16 and DBCS data.
    """

    kind: ValueKind
    precision: int = 0
    scale: int = 0
    step: Decimal = Decimal(1)
    minimum: Decimal | int | None = None
    maximum: Decimal | int | None = None
    bits: int = 0
    signed: bool = False
    max_length: int = 0
    national: bool = False


def value_type(field: Field) -> ValueType:
    """The decoded value type of an elementary item; raises ValueError for groups and RENAMES."""
    kind = field.kind
    if kind in (Kind.ZONED, Kind.PACKED, Kind.NUMERIC_EDITED, Kind.BINARY):
        _check_digits(field)
    if kind in (Kind.ZONED, Kind.PACKED, Kind.NUMERIC_EDITED):
        return _decimal(max(field.digits, 1), field.scale, field.signed)
    if kind is Kind.BINARY:
        return _binary(field)
    if kind is Kind.FLOAT:
        return ValueType("float", bits=32 if field.length == 4 else 64, signed=True)
    if kind in (Kind.NATIONAL, Kind.DBCS):
        return ValueType("string", max_length=field.length // 2, national=True)
    if kind is Kind.ALPHANUMERIC_EDITED:
        return ValueType("string", max_length=field.display_length or field.length)
    if kind is Kind.ALPHANUMERIC:
        return ValueType("string", max_length=field.length)
    raise ValueError(f"{field.qualified_name} is a {kind.value} item and has no value of its own")


def decoded_children(field: Field) -> Iterator[Field]:
    """The items of a group that appear as keys of its decoded object, in copybook order."""
    for child in field.children:
        if child.is_filler or child.kind is Kind.RENAMES:
            continue
        yield child


def selected_records(layout: Layout, record: str | None = None) -> tuple[Record, ...]:
    """Every 01 record of the layout, or only the one named (raises `LayoutError` if absent)."""
    if record is None:
        return layout.records
    return (layout.record(record),)


def condition_text(condition: Condition) -> str:
    """An 88's values as COBOL writes them: ``'08' '12'``, ``1 THRU 5``."""
    values = [_literal(v) for v in condition.values]
    values += [f"{_literal(lo)} THRU {_literal(hi)}" for lo, hi in condition.ranges]
    return " ".join(values)


def _literal(value: object) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _check_digits(field: Field) -> None:
    reach = field.digits + max(0, -field.scale)
    if reach > MAX_DIGITS or field.scale > MAX_DIGITS:
        raise LayoutError(f"{field.qualified_name} PIC {field.picture or '?'}: a number of {reach} digits is beyond "
                          f"the {MAX_DIGITS} digits any decoded value has (Arrow decimal256); shorten the PICTURE "
                          "or describe the bytes as PIC X", field=field.qualified_name)


def _decimal(digits: int, scale: int, signed: bool) -> ValueType:
    largest = _EXACT.scaleb(Decimal(10**digits - 1), -scale)
    if scale < 0:
        precision, decimal_scale = digits - scale, 0
    else:
        precision, decimal_scale = max(digits, scale), scale
    return ValueType(
        "decimal",
        precision=precision,
        scale=decimal_scale,
        step=Decimal(1).scaleb(-scale),
        minimum=_EXACT.minus(largest) if signed else Decimal(0),
        maximum=largest,
        signed=signed,
    )


def _binary(field: Field) -> ValueType:
    bits = 8 * field.length
    if field.signed:
        low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    else:
        low, high = 0, 2**bits - 1
    precision = len(str(max(-low, high)))
    if field.scale == 0:
        return ValueType("integer", precision=precision, minimum=low, maximum=high, bits=bits,
                         signed=field.signed)
    scale = field.scale
    return ValueType(
        "decimal",
        precision=precision - scale if scale < 0 else max(precision, scale),
        scale=max(scale, 0),
        step=Decimal(1).scaleb(-scale),
        minimum=_EXACT.scaleb(Decimal(low), -scale),
        maximum=_EXACT.scaleb(Decimal(high), -scale),
        bits=bits,
        signed=field.signed,
    )
