"""The reference codec: one record at a time, one ``construct`` element per field, obviously correct.

This is the oracle the vectorised codecs are tested against, so it shares no code with them:
every storage type is implemented here again, in plain Python over ``bytes`` (strings through
Python's own codecs, not through `bridge.codec.codepage` tables), and favours clarity over
speed. Each elementary item becomes a ``construct`` element (``Bytes``, ``BytesInteger``,
``Float32b``... wrapped in small Adapters for zoned, packed, HFP and edited data) that is
parsed at the item's computed offset.

Semantics (IBM first):

* Zoned: digits x'F0'-x'F9' (ASCII x'30'-x'39'). The sign byte of a signed item (last, or first
  with SIGN LEADING) may carry zone A/C/E/F (+) or B/D (-); in an unsigned item a positive zone
  reads as positive and a negative one makes the value invalid. SIGN SEPARATE uses the code
  page's '+'/'-'. BLANK WHEN ZERO items read all spaces as zero. In ASCII pages both conventions decode: ``{ A-I`` / ``} J-R``
  overpunch and GnuCOBOL/Micro Focus ``p``-``y`` negatives (positives as plain digits); encode
  writes the dialect's (ibm: overpunch both ways; gnucobol/microfocus: plain positives, p-y).
* Packed: every digit nibble 0-9, sign nibble A/C/E/F (+) or B/D (-); the pad nibble of an
  even-digit item must be 0 and an unsigned item cannot be negative (else invalid). Encode
  writes C/D (signed) or F (unsigned).
* Binary: big-endian two's complement (signed per PICTURE), read at full width (TRUNC(BIN));
  COMP-5 little-endian when ``options.comp5_little_endian``. Encode refuses values beyond the
  PICTURE's digits except for COMP-5 and items without digits (INDEX, POINTER).
* Floats: IBM hexadecimal floating point (default) or IEEE 754, big-endian; IEEE NaN and
  infinities are invalid (COBOL has none).
* Scale: ``scale`` > 0 gives `Decimal` with exactly that many places; ``scale`` <= 0 gives
  `int` (P positions multiply). Strings are `str`, trimmed as ``options.trim`` says (the space
  character only). National is UTF-16BE; DBCS is hex text (see `bridge.codec.dbcs`).
* Numeric-edited: decoded leniently (spaces, currency, commas, ``+``/``-``/CR/DB anywhere the
  picture allows a sign; all spaces is zero when BLANK WHEN ZERO or when the picture has no
  '9'); encoded by the COBOL editing rules.
* Invalid data decodes to None. Items wholly past the end of a short (variable) record are
  absent (None); a string cut by the end is truncated; a numeric cut by it is None.
* ODO: counts are read from the record itself (IBM: tables at their actual size, later items
  shifted, via `Record.resolve`; ``odo_placement="max"`` keeps the full-size layout). An
  invalid or out-of-range count raises `InvalidDataError`.

``encode(values, base)`` starts from ``base`` and writes only the keys given (None keeps the
base bytes), in copybook order; a new ODO count moves the items after the table.
"""
from __future__ import annotations

import math
import re
import struct
from dataclasses import dataclass, replace
from decimal import Context, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Mapping

import construct as cs
import ebcdic  # noqa: F401  - registers cp1047, cp1141-cp1149, cp277 ... with Python's codecs

from bridge.codec.options import CodecOptions
from bridge.errors import EncodeError, InvalidDataError
from bridge.layout.model import Dialect, Field, Kind, Record

__all__ = ["ReferenceCodec", "Slot", "field_construct", "reference_codec"]


def reference_codec(record: Record, options: CodecOptions | None = None, *,
                    odo_placement: str = "shift") -> "ReferenceCodec":
    """A per-record codec for ``record`` (see the module docstring)."""
    if odo_placement not in ("shift", "max"):
        raise ValueError(f"odo_placement={odo_placement!r} is not one of: shift, max")
    return ReferenceCodec(record, options or CodecOptions(), odo_placement)


@dataclass(frozen=True)
class Slot:
    """One elementary occurrence: its key, item and offset in the record."""

    key: str                 # ``REC.TABLE(3).ITEM``; FILLER gets ``REC.FILLER#<n>`` (never decoded)
    field: Field
    offset: int


class ReferenceCodec:
    """``decode(record_bytes) -> {key: value}`` and ``encode(values, base) -> bytes`` for one record type."""

    def __init__(self, record: Record, options: CodecOptions, odo_placement: str) -> None:
        self.record = record
        self.options = options
        self.odo_placement = odo_placement
        self._constructs: dict[tuple[str, ...], cs.Construct] = {}

    # -- public -------------------------------------------------------------------------------
    def decode(self, record_bytes: bytes) -> dict[str, Any]:
        """Every elementary occurrence (FILLER excluded) of the record, keyed by its path."""
        data = bytes(record_bytes)
        out: dict[str, Any] = {}
        for slot in self.slots(data):
            if slot.field.is_filler:
                continue
            out[slot.key] = self._decode_slot(slot, data)
        return out

    def encode(self, values: Mapping[str, Any], base: bytes) -> bytes:
        """``base`` with the given items written (see the module docstring); `EncodeError` if one does not fit."""
        base = bytes(base)
        old_counts = self.counts(base)
        new_counts = dict(old_counts)
        for path in self.record.odo_objects:
            key = ".".join(path)
            if values.get(key) is not None:
                new_counts[path] = int(values[key])
        if new_counts != old_counts:
            out = self._relocate(base, old_counts, new_counts)
        else:
            out = bytearray(base)
        slots = {s.key: s for s in self._slots_for(new_counts)}
        unknown = [k for k in values if k not in slots]
        if unknown:
            raise EncodeError(f"{unknown[0]} is not an item of record {self.record.name} "
                              f"(or lies beyond its table's count)", field=unknown[0])
        for key, slot in slots.items():
            if key not in values or values[key] is None:
                continue
            self._check_room(slot, len(out))
            raw = self.construct(slot.field).build(values[key])
            out[slot.offset:slot.offset + slot.field.length] = raw
        return bytes(out)

    def slots(self, record_bytes: bytes) -> list[Slot]:
        """The elementary occurrences of one record, at their offsets for its own ODO counts."""
        return self._slots_for(self.counts(record_bytes))

    def counts(self, record_bytes: bytes) -> dict[tuple[str, ...], int]:
        """The ODO counts a record holds (object path -> count)."""
        counts: dict[tuple[str, ...], int] = {}
        for path in self.record.odo_objects:
            layout = self._resolved(counts)
            obj = next(f for f in layout.fields if f.path == path)
            if obj.dims:
                raise InvalidDataError("an ODO object inside a table is not supported",
                                       field=obj.qualified_name)
            value = None
            if obj.offset + obj.length <= len(record_bytes):
                value = self.construct(obj).parse(record_bytes[obj.offset:obj.offset + obj.length])
            low, high = self._bounds(path)
            if not isinstance(value, int) or not low <= value <= high:
                raise InvalidDataError(
                    f"OCCURS DEPENDING ON count {value} is outside {low} to {high}",
                    offset=obj.offset, field=obj.qualified_name,
                    data=record_bytes[obj.offset:obj.offset + obj.length])
            counts[path] = value
        return counts

    def construct(self, field: Field) -> cs.Construct:
        """The construct element (parse/build/sizeof) of one elementary item."""
        con = self._constructs.get(field.path)
        if con is None:
            con = self._constructs[field.path] = field_construct(field, self.options)
        return con

    # -- internals ----------------------------------------------------------------------------
    def _bounds(self, path: tuple[str, ...]) -> tuple[int, int]:
        for f in self.record.fields:
            for d in f.dims:
                if d.depending_path == path:
                    return d.min, d.max
        return 0, 0

    def _resolved(self, counts: Mapping[tuple[str, ...], int]) -> Record:
        if not self.record.has_odo or self.odo_placement == "max":
            return self.record
        full = {p: counts.get(p, self._bounds(p)[1]) for p in self.record.odo_objects}
        return self.record.resolve(full)

    def _slots_for(self, counts: Mapping[tuple[str, ...], int]) -> list[Slot]:
        layout = self._resolved(counts)
        slots: list[Slot] = []
        for index, field in enumerate(layout.fields):
            if not field.is_elementary:
                continue
            sizes = [counts.get(d.depending_path, d.max) if d.depending_path else d.max for d in field.dims]
            for subs in _subscripts(sizes):
                offset = field.offset + sum((s - 1) * d.stride for s, d in zip(subs, field.dims))
                key = _key(field, subs, index)
                slots.append(Slot(key, field, offset))
        return slots

    def _decode_slot(self, slot: Slot, data: bytes) -> Any:
        f = slot.field
        end = slot.offset + f.length
        if slot.offset >= len(data):
            return None
        if end > len(data):
            if f.kind in (Kind.ALPHANUMERIC, Kind.ALPHANUMERIC_EDITED, Kind.NATIONAL, Kind.DBCS):
                cut = len(data) - slot.offset
                if f.kind in (Kind.NATIONAL, Kind.DBCS):
                    cut -= cut % 2
                return field_construct(f.with_changes(length=cut), self.options).parse(data[slot.offset:slot.offset + cut])
            return None
        return self.construct(f).parse(data[slot.offset:end])

    def _check_room(self, slot: Slot, size: int) -> None:
        if slot.offset + slot.field.length > size:
            raise EncodeError(f"the record is {size} bytes, too short for this item at byte offset "
                              f"{slot.offset}", field=slot.key, picture=slot.field.picture)

    def _relocate(self, base: bytes, old: dict, new: dict) -> bytearray:
        for path, count in new.items():
            low, high = self._bounds(path)
            if not low <= count <= high:
                raise EncodeError(f"OCCURS DEPENDING ON count {count} is outside {low} to {high}",
                                  field=".".join(path))
        old_len = self._resolved(old).length
        new_len = self._resolved(new).length
        out = bytearray(max(0, len(base) + new_len - old_len))
        old_slots = {s.key: s for s in self._slots_for(old)}
        for slot in self._slots_for(new):
            f = slot.field
            src = old_slots.get(slot.key)
            if src is not None and src.offset + f.length <= len(base):
                raw = base[src.offset:src.offset + f.length]
            else:
                raw = _initial_bytes(f, self.construct(f), self.options)
            out[slot.offset:slot.offset + f.length] = raw
        if len(base) > old_len:
            out[new_len:] = base[old_len:]
        return out


def _subscripts(sizes: list[int]) -> list[tuple[int, ...]]:
    combos: list[tuple[int, ...]] = [()]
    for size in sizes:
        combos = [c + (i,) for c in combos for i in range(1, size + 1)]
    return combos


def _key(field: Field, subs: tuple[int, ...], index: int) -> str:
    parts = list(field.path)
    if field.is_filler:
        parts[-1] = f"FILLER#{index}"
    for depth, sub in zip(_owner_depths(field), subs):
        parts[depth] += f"({sub})"
    return ".".join(parts)


def _owner_depths(field: Field) -> list[int]:
    depths = []
    for d in field.dims:
        if d.owner:
            depths.append(len(d.owner) - 1)
        else:  # a layout without owners: subscript the item itself
            depths.append(len(field.path) - 1)
    return depths


def _initial_bytes(field: Field, con: cs.Construct, options: CodecOptions) -> bytes:
    """What a new table occurrence holds until a value is given: spaces, or zero for numbers."""
    if field.kind in (Kind.ALPHANUMERIC, Kind.ALPHANUMERIC_EDITED, Kind.NATIONAL, Kind.DBCS):
        return con.build("")
    return con.build(0)


# -- per-field construct elements ----------------------------------------------------------------

def field_construct(field: Field, options: CodecOptions) -> cs.Construct:
    """The construct element that parses and builds one occurrence of ``field``."""
    codec = options.codepage_for(field.path)
    kind = field.kind
    if kind in (Kind.ALPHANUMERIC, Kind.ALPHANUMERIC_EDITED):
        return Text(field, codec, options.trim)
    if kind is Kind.NATIONAL:
        return National(field, options.trim)
    if kind is Kind.DBCS:
        return DbcsHex(field, codec, options.trim)
    if field.usage == "NATIONAL" and kind in (Kind.ZONED, Kind.NUMERIC_EDITED):
        # national decimal / national edited: the DISPLAY rules over UTF-16BE characters
        narrow = field.with_changes(length=field.length // 2, usage="DISPLAY")
        return Widened(field_construct(narrow, replace(options, codepage="latin-1", field_codepages={})),
                       field.length)
    if kind is Kind.ZONED:
        return Zoned(field, codec, options.dialect)
    if kind is Kind.PACKED:
        return Packed(field)
    if kind is Kind.BINARY:
        swapped = field.native_binary and options.comp5_little_endian
        return Scaled(cs.BytesInteger(field.length, signed=field.signed, swapped=swapped), field)
    if kind is Kind.FLOAT:
        if options.float_format == "ieee":
            return IeeeFloat(cs.Float32b if field.length == 4 else cs.Float64b, field)
        return HexFloat(field)
    if kind is Kind.NUMERIC_EDITED:
        return NumericEdited(field, codec)
    raise ValueError(f"{field.qualified_name} ({kind}) has no storage of its own")


class Widened(cs.Adapter):
    """An item of USAGE NATIONAL read as its one-byte DISPLAY twin: UTF-16BE ↔ Latin-1."""

    def __init__(self, narrow: cs.Construct, length: int) -> None:
        super().__init__(cs.Bytes(length))
        self.narrow = narrow

    def _decode(self, obj: bytes, context: Any, path: Any) -> Any:
        text = obj.decode("utf-16-be", errors="replace")
        if any(ord(ch) > 0xFF for ch in text):
            return None
        return self.narrow.parse(text.encode("latin-1"))

    def _encode(self, obj: Any, context: Any, path: Any) -> bytes:
        return self.narrow.build(obj).decode("latin-1").encode("utf-16-be")


def _encode_error(field: Field, message: str, value: Any) -> EncodeError:
    return EncodeError(message, field=field.qualified_name, value=value, picture=field.picture)


def _trim(text: str, trim: str, pad: str = " ") -> str:
    if trim == "right":
        return text.rstrip(pad)
    if trim == "left":
        return text.lstrip(pad)
    if trim == "both":
        return text.strip(pad)
    return text


def _justify(field: Field, raw: bytes, pad: bytes, value: Any) -> bytes:
    if len(raw) > field.length:
        raise _encode_error(field, f"value {value!r} takes {len(raw)} bytes, more than the field's "
                                   f"{field.length}", value)
    fill = pad * ((field.length - len(raw)) // len(pad))
    return fill + raw if field.justified else raw + fill


class Text(cs.Adapter):
    """PIC X / A / alphanumeric-edited through a Python codec."""

    def __init__(self, field: Field, codec: str, trim: str) -> None:
        super().__init__(cs.Bytes(field.length))
        self.field, self.codec, self.trim = field, codec, trim

    def _decode(self, obj: bytes, context: Any, path: Any) -> str:
        return _trim(obj.decode(self.codec, errors="replace"), self.trim)

    def _encode(self, obj: Any, context: Any, path: Any) -> bytes:
        if not isinstance(obj, str):
            raise _encode_error(self.field, f"value {obj!r} is not text", obj)
        try:
            raw = obj.encode(self.codec)
        except UnicodeEncodeError as exc:
            raise _encode_error(self.field, f"character {obj[exc.start]!r} has no byte in code page "
                                            f"{self.codec}", obj) from None
        return _justify(self.field, raw, " ".encode(self.codec), obj)


class National(cs.Adapter):
    """PIC N USAGE NATIONAL: UTF-16BE, padded with NX'0020'."""

    def __init__(self, field: Field, trim: str) -> None:
        super().__init__(cs.Bytes(field.length))
        self.field, self.trim = field, trim

    def _decode(self, obj: bytes, context: Any, path: Any) -> str:
        return _trim(obj[: len(obj) - len(obj) % 2].decode("utf-16-be", errors="replace"), self.trim)

    def _encode(self, obj: Any, context: Any, path: Any) -> bytes:
        return _justify(self.field, obj.encode("utf-16-be"), b"\x00\x20", obj)


class DbcsHex(cs.Adapter):
    """PIC G / DISPLAY-1 as hex text, 4 digits per character; the DBCS space is the page's space doubled."""

    def __init__(self, field: Field, codec: str, trim: str) -> None:
        super().__init__(cs.Bytes(field.length))
        self.field, self.trim = field, trim
        self.space = " ".encode(codec) * 2

    def _decode(self, obj: bytes, context: Any, path: Any) -> str:
        chars = [obj[i:i + 2] for i in range(0, len(obj) - 1, 2)]
        if self.trim in ("right", "both"):
            while chars and chars[-1] == self.space:
                chars.pop()
        if self.trim in ("left", "both"):
            while chars and chars[0] == self.space:
                chars.pop(0)
        return b"".join(chars).hex().upper()

    def _encode(self, obj: Any, context: Any, path: Any) -> bytes:
        if not isinstance(obj, str) or len(obj) % 4 or not re.fullmatch(r"[0-9A-Fa-f]*", obj):
            raise _encode_error(self.field, f"value {obj!r} is not DBCS hex text", obj)
        return _justify(self.field, bytes.fromhex(obj), self.space, obj)


#: no rounding: 31-digit packed numbers and their scales exceed the default 28-digit context
_EXACT = Context(prec=100)


def _to_decimal(field: Field, value: Any) -> Decimal:
    if isinstance(value, bool):
        raise _encode_error(field, f"value {value!r} is not a number", value)
    try:
        if isinstance(value, float):
            if not math.isfinite(value):
                raise InvalidOperation
            return Decimal(repr(value))
        return Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise _encode_error(field, f"value {value!r} is not a number", value) from None


def _stored_integer(field: Field, value: Any, *, digits: int | None) -> int:
    """The integer a value is stored as (value x 10^scale), checked against the PICTURE."""
    number = _to_decimal(field, value)
    stored = number.scaleb(field.scale, _EXACT)
    if stored != stored.to_integral_value():
        raise _encode_error(field, f"value {value} has more decimal places than the PICTURE allows", value)
    result = int(stored)
    if result < 0 and not field.signed:
        raise _encode_error(field, f"value {value} is negative and the PICTURE has no sign", value)
    if digits is not None and abs(result) >= 10 ** digits:
        raise _encode_error(field, f"value {value} needs more than the PICTURE's {digits} digits", value)
    return result


def _scaled(field: Field, stored: int) -> int | Decimal:
    if field.scale <= 0:
        return stored * 10 ** (-field.scale)
    return Decimal(stored).scaleb(-field.scale, _EXACT)


class Scaled(cs.Adapter):
    """A binary integer read at full width, with the PICTURE's scale applied."""

    def __init__(self, subcon: cs.Construct, field: Field) -> None:
        super().__init__(subcon)
        self.field = field

    def _decode(self, obj: int, context: Any, path: Any) -> int | Decimal:
        return _scaled(self.field, obj)

    def _encode(self, obj: Any, context: Any, path: Any) -> int:
        f = self.field
        limited = f.digits > 0 and not f.native_binary
        stored = _stored_integer(f, obj, digits=f.digits if limited else None)
        bits = 8 * f.length
        low, high = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if f.signed else (0, (1 << bits) - 1)
        if not low <= stored <= high:
            raise _encode_error(f, f"value {obj} does not fit {f.length} binary bytes", obj)
        return stored


class Packed(cs.Adapter):
    """COMP-3: two digits a byte, sign in the last nibble."""

    def __init__(self, field: Field) -> None:
        super().__init__(cs.Bytes(field.length))
        self.field = field

    def _decode(self, obj: bytes, context: Any, path: Any) -> int | Decimal | None:
        nibbles = obj.hex()
        digits, sign = nibbles[:-1], nibbles[-1]
        if not digits.isdigit() and digits:
            return None
        if self.field.digits % 2 == 0 and digits[:1] != "0":
            return None  # the pad nibble of an even number of digits
        if sign in "acef":
            negative = False
        elif sign in "bd" and self.field.signed:
            negative = True
        else:
            return None
        stored = int(digits or "0")
        return _scaled(self.field, -stored if negative else stored)

    def _encode(self, obj: Any, context: Any, path: Any) -> bytes:
        f = self.field
        stored = _stored_integer(f, obj, digits=f.digits)
        sign = ("d" if stored < 0 else "c") if f.signed else "f"
        return bytes.fromhex(str(abs(stored)).rjust(2 * f.length - 1, "0") + sign)


# ASCII overpunch: IBM-style letters and the GnuCOBOL/Micro Focus p-y zone.
_ASCII_POSITIVE = {ord("{"): 0, **{ord("A") + i: i + 1 for i in range(9)}}
_ASCII_NEGATIVE = {ord("}"): 0, **{ord("J") + i: i + 1 for i in range(9)}, **{0x70 + i: i for i in range(10)}}


class Zoned(cs.Adapter):
    """USAGE DISPLAY numbers: EBCDIC or ASCII zones, overpunched or separate sign."""

    def __init__(self, field: Field, codec: str, dialect: Dialect) -> None:
        super().__init__(cs.Bytes(field.length))
        self.field = field
        self.dialect = dialect
        self.codec = codec
        self.ebcdic = "0".encode(codec) == b"\xf0"
        self.plus, self.minus = "+".encode(codec)[0], "-".encode(codec)[0]
        self.zero = 0xF0 if self.ebcdic else 0x30

    def _decode(self, obj: bytes, context: Any, path: Any) -> int | Decimal | None:
        f = self.field
        body = bytearray(obj)
        negative = False
        if f.blank_when_zero and body == bytearray(" ".encode(self.codec)) * len(body):
            return _scaled(f, 0)
        if f.sign_separate:
            sign = body.pop(0) if f.sign_leading else body.pop()
            if sign == self.minus:
                negative = True
            elif sign != self.plus:
                return None
        elif body:
            # the sign byte; an unsigned item may carry a positive sign there, never a negative one
            at = 0 if f.sign_leading and f.signed else len(body) - 1
            digit, negative = self._overpunch(body[at])
            if digit is None or (negative and not f.signed):
                return None
            body[at] = self.zero + digit
        if any(not self.zero <= b <= self.zero + 9 for b in body):
            return None
        stored = int("".join(str(b - self.zero) for b in body) or "0")
        return _scaled(f, -stored if negative else stored)

    def _overpunch(self, b: int) -> tuple[int | None, bool]:
        if self.ebcdic:
            zone, digit = b >> 4, b & 0x0F
            if digit > 9 or zone < 0xA:
                return None, False
            return digit, zone in (0xB, 0xD)
        if 0x30 <= b <= 0x39:
            return b - 0x30, False
        if b in _ASCII_POSITIVE:
            return _ASCII_POSITIVE[b], False
        if b in _ASCII_NEGATIVE:
            return _ASCII_NEGATIVE[b], True
        return None, False

    def _encode(self, obj: Any, context: Any, path: Any) -> bytes:
        f = self.field
        stored = _stored_integer(f, obj, digits=f.digits)
        negative = stored < 0
        body = bytearray(self.zero + int(c) for c in str(abs(stored)).rjust(f.digits, "0"))
        if f.sign_separate:
            sign = self.minus if negative else self.plus
            return bytes([sign]) + bytes(body) if f.sign_leading else bytes(body) + bytes([sign])
        if f.signed and body:
            at = 0 if f.sign_leading else len(body) - 1
            digit = body[at] - self.zero
            if self.ebcdic:
                body[at] = (0xD0 if negative else 0xC0) | digit
            elif self.dialect is Dialect.IBM:
                body[at] = ord("JKLMNOPQR"[digit - 1]) if negative and digit else (
                    ord("}") if negative else (ord("ABCDEFGHI"[digit - 1]) if digit else ord("{")))
            elif negative:
                body[at] = 0x70 + digit
        return bytes(body)


class HexFloat(cs.Adapter):
    """IBM hexadecimal floating point: sign bit, excess-64 base-16 exponent, 24- or 56-bit fraction."""

    def __init__(self, field: Field) -> None:
        super().__init__(cs.BytesInteger(field.length))
        self.field = field
        self.bits = 8 * field.length
        self.fraction_bits = self.bits - 8

    def _decode(self, obj: int, context: Any, path: Any) -> float:
        negative = obj >> (self.bits - 1)
        exponent = (obj >> self.fraction_bits) & 0x7F
        fraction = obj & ((1 << self.fraction_bits) - 1)
        value = float(Fraction(fraction, 1 << self.fraction_bits) * Fraction(16) ** (exponent - 64))
        return -value if negative else value

    def _encode(self, obj: Any, context: Any, path: Any) -> int:
        x = _to_float(self.field, obj)
        sign = 1 if math.copysign(1.0, x) < 0 and x != 0 else 0
        f = Fraction(abs(x))
        if f == 0:
            return 0
        e = 0
        while f >= Fraction(16) ** e:
            e += 1
        while f < Fraction(16) ** (e - 1):
            e -= 1
        mantissa = round(f / Fraction(16) ** e * (1 << self.fraction_bits))
        if mantissa == 1 << self.fraction_bits:
            mantissa >>= 4
            e += 1
        exponent = e + 64
        if exponent > 127:
            raise _encode_error(self.field, f"value {obj!r} is too large for IBM floating point", obj)
        if exponent < 0:  # below the smallest normalised number: denormalise, possibly to zero
            mantissa >>= 4 * -exponent
            exponent = 0
        return (sign << (self.bits - 1)) | (exponent << self.fraction_bits) | mantissa


class IeeeFloat(cs.Adapter):
    """IEEE 754 big-endian; NaN and infinities are invalid."""

    def __init__(self, subcon: cs.Construct, field: Field) -> None:
        super().__init__(subcon)
        self.field = field

    def _decode(self, obj: float, context: Any, path: Any) -> float | None:
        return obj if math.isfinite(obj) else None

    def _encode(self, obj: Any, context: Any, path: Any) -> float:
        x = _to_float(self.field, obj)
        if self.field.length == 4 and abs(x) > struct.unpack(">f", bytes.fromhex("7f7fffff"))[0]:
            raise _encode_error(self.field, f"value {obj!r} is too large for a COMP-1 (IEEE single)", obj)
        return x


def _to_float(field: Field, value: Any) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise _encode_error(field, f"value {value!r} is not a number", value) from None
    if not math.isfinite(x):
        raise _encode_error(field, f"value {value!r} is not a finite number", value)
    return x


def expand_picture(picture: str) -> str:
    """``Z(3)9.99`` → ``ZZZ9.99``."""
    return re.sub(r"(.)\((\d+)\)", lambda m: m.group(1) * int(m.group(2)), picture.upper())


def _edit_tokens(mask: str) -> list[str]:
    tokens = []
    i = 0
    while i < len(mask):
        if mask[i:i + 2] in ("CR", "DB"):
            tokens.append(mask[i:i + 2])
            i += 2
        else:
            tokens.append(mask[i])
            i += 1
    return tokens


class NumericEdited(cs.Adapter):
    """Numeric-edited display items: decoded leniently, encoded by the COBOL editing rules."""

    def __init__(self, field: Field, codec: str) -> None:
        super().__init__(cs.Bytes(field.length))
        self.field, self.codec = field, codec
        self.tokens = _edit_tokens(expand_picture(field.edit_mask or field.picture or ""))
        self.has_sign = any(t in ("+", "-", "CR", "DB") for t in self.tokens)
        self.currency = "".join(sorted({t for t in self.tokens if len(t) == 1 and t not in _EDIT_SYMBOLS}))

    def _decode(self, obj: bytes, context: Any, path: Any) -> int | Decimal | None:
        f = self.field
        text = obj.decode(self.codec, errors="replace")
        if not text.strip(" "):
            if f.blank_when_zero or "9" not in self.tokens:
                return _scaled(f, 0)
            return None
        display = [t for t in self.tokens if t not in ("V", "P")]
        if len("".join(display)) == len(text) and any(t in ("B", "0", "/") for t in display):
            pieces, pos = [], 0
            for t in display:
                if t not in ("B", "0", "/"):
                    pieces.append(text[pos:pos + len(t)])
                pos += len(t)
            text = "".join(pieces)
        t = text.strip(" ")
        negative = False
        if t[-2:].upper() in ("CR", "DB"):
            negative, t = True, t[:-2]
        if "-" in t:
            negative = True
        if (negative or "+" in t) and not self.has_sign:
            return None
        if any(ch not in "0123456789.,+-*/ " and ch not in self.currency for ch in t):
            return None
        t = "".join(ch for ch in t if ch in "0123456789.")
        if not re.fullmatch(r"\d*\.?\d*", t) or not re.search(r"\d", t):
            return None
        if "." in t:
            whole, frac = t.split(".")
            if len(frac) > max(f.scale, 0) and frac[max(f.scale, 0):].strip("0"):
                return None
            stored = int((whole or "0") + frac[:max(f.scale, 0)].ljust(max(f.scale, 0), "0"))
        else:
            stored = int(t)
        return _scaled(f, -stored if negative else stored)

    def _encode(self, obj: Any, context: Any, path: Any) -> bytes:
        f = self.field
        positions = [i for i, t in enumerate(self.tokens) if t in ("9", "Z", "*")]
        float_symbol = _floating_symbol(self.tokens)
        float_positions = [i for i, t in enumerate(self.tokens) if t == float_symbol][1:] if float_symbol else []
        digit_positions = sorted(positions + float_positions)
        point = next((i for i, t in enumerate(self.tokens) if t in (".", "V")), len(self.tokens))
        frac_positions = [i for i in digit_positions if i > point]
        number = _to_decimal(f, obj)
        negative = number < 0
        if negative and not self.has_sign:
            raise _encode_error(f, f"value {obj} is negative and the PICTURE has no sign", obj)
        scaled = number.copy_abs().scaleb(len(frac_positions), _EXACT)
        if scaled != scaled.to_integral_value():
            raise _encode_error(f, f"value {obj} has more decimal places than the PICTURE allows", obj)
        text = str(int(scaled)).rjust(len(digit_positions), "0")
        if len(text) > len(digit_positions):
            raise _encode_error(f, f"value {obj} needs more digits than the PICTURE has", obj)
        if f.blank_when_zero and int(scaled) == 0:
            return " ".encode(self.codec) * f.length
        digit_of = dict(zip(digit_positions, text))
        fill = "*" if "*" in self.tokens else " "
        out: list[str] = []
        suppressing = True
        last_suppressed = -1
        for i, t in enumerate(self.tokens):
            if i in digit_of:
                d = digit_of[i]
                if suppressing and d == "0" and t != "9" and i < point:
                    out.append(fill if t == "*" else " ")
                    last_suppressed = len(out) - 1
                    continue
                suppressing = False
                out.append(d)
            elif t in (",", "B", "0", "/"):
                ch = {"B": " "}.get(t, t)
                if suppressing:
                    out.append(fill if fill == "*" else " ")
                    last_suppressed = len(out) - 1
                else:
                    out.append(ch)
            elif t in (".", "V"):
                if t == ".":
                    out.append(".")
                suppressing = False
            elif t in ("CR", "DB"):
                out.append(t if negative else "  ")
            elif t in ("+", "-") and t != float_symbol:
                out.append(("-" if negative else ("+" if t == "+" else " ")))
            elif t == float_symbol:  # the first symbol of a floating string: a position only
                out.append(" ")
                last_suppressed = len(out) - 1
            elif t in ("P",):
                continue
            else:
                out.append(t)  # fixed currency sign and anything else written as it stands
        if float_symbol and last_suppressed >= 0:
            symbol = float_symbol
            if float_symbol in "+-":
                symbol = "-" if negative else ("+" if float_symbol == "+" else " ")
            out[last_suppressed] = symbol
        if "9" not in self.tokens and int(scaled) == 0:
            # every digit position suppresses: zero prints as spaces (as '*' but the point with '*')
            out = ["." if ch == "." and fill == "*" else fill for ch in out]
        return "".join(out).encode(self.codec)


#: editing symbols that are not currency signs
_EDIT_SYMBOLS = set("9Z*+-.,B0/VPS")


def _floating_symbol(tokens: list[str]) -> str | None:
    """The symbol of a floating insertion string (``+``, ``-`` or a currency sign written twice or more)."""
    for symbol in dict.fromkeys(tokens):
        if len(symbol) == 1 and symbol not in _EDIT_SYMBOLS - {"+", "-"} and tokens.count(symbol) > 1:
            return symbol
    return None
