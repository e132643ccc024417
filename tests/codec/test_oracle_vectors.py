"""Every zone, sign and pad byte of the production decimal codecs, held against an independent oracle.

Round trips only prove that the codecs agree with themselves, and random bytes rarely hit the
bytes that matter (a sign zone ``B``, a pad nibble ``1``). Here every one of the 256 values of
every byte of a field is decoded, in every kernel (int64 up to 18 digits, 128-bit up to 38,
256-bit up to 76), and compared with two oracles that share no code with the codecs:

* ``bridge.codec.reference`` (construct, one record at a time, in plain Python);
* the rules written out below by hand, from IBM's "Formats for numeric data".

A mutant that loosens one check (a pad nibble that may be non-zero, a ``B`` zone read as
positive) changes the answer for some byte and fails here (issue 8).
"""
from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from bridge.codec import packed, zoned
from bridge.codec.numeric import to_python
from bridge.codec.options import CodecOptions
from bridge.codec.reference import field_construct
from bridge.layout.model import Field, Kind

EBCDIC = CodecOptions()
ASCII = CodecOptions(codepage="latin-1", dialect="ibm")


def zoned_field(digits: int, *, signed: bool, leading: bool = False, separate: bool = False,
                bwz: bool = False) -> Field:
    return Field(name="Z", path=("REC", "Z"), level=5, offset=0, length=digits + (1 if separate else 0),
                 kind=Kind.ZONED, picture=f"{'S' if signed else ''}9({digits})", digits=digits, signed=signed,
                 sign_leading=leading, sign_separate=separate, blank_when_zero=bwz)


def packed_field(digits: int, *, signed: bool) -> Field:
    return Field(name="P", path=("REC", "P"), level=5, offset=0, length=digits // 2 + 1, kind=Kind.PACKED,
                 picture=f"{'S' if signed else ''}9({digits})", usage="COMP-3", digits=digits, signed=signed)


# -- the hand-written oracles ------------------------------------------------------------------

def packed_by_hand(data: bytes, digits: int, signed: bool) -> int | None:
    """IBM packed decimal: digit nibbles 0-9, a zero pad nibble when the digits are even, sign
    nibble A/C/E/F positive, B/D negative (negative only in a signed item)."""
    nibbles = [n for b in data for n in (b >> 4, b & 0xF)]
    *body, sign = nibbles
    if len(body) > digits and body[0] != 0:
        return None
    if any(n > 9 for n in body):
        return None
    if sign in (0xA, 0xC, 0xE, 0xF):
        negative = False
    elif sign in (0xB, 0xD):
        if not signed:
            return None
        negative = True
    else:
        return None
    value = 0
    for n in body:
        value = value * 10 + n
    return -value if negative else value


def zoned_by_hand(data: bytes, f: Field, ascii_page: bool) -> int | None:
    """Zoned decimal: each digit byte F0-F9 (30-39); the sign byte's zone A/C/E/F positive, B/D
    negative (ASCII: ``{``/A-I positive, ``}``/J-R and p-y negative); a separate sign is the
    code page's ``+`` or ``-``."""
    body = list(data)
    negative = False
    plus, minus = (0x2B, 0x2D) if ascii_page else (0x4E, 0x60)
    space = 0x20 if ascii_page else 0x40
    if f.blank_when_zero and all(b == space for b in body):
        return 0
    if f.sign_separate and f.signed:
        sign = body.pop(0) if f.sign_leading else body.pop()
        if sign == minus:
            negative = True
        elif sign != plus:
            return None
    digits = []
    at = (0 if f.sign_leading else len(body) - 1) if not f.sign_separate else -1
    for j, b in enumerate(body):
        if ascii_page:
            if 0x30 <= b <= 0x39:
                d = b - 0x30
            elif j == at and f.signed and b in b"{ABCDEFGHI":
                d = b"{ABCDEFGHI".index(b)
            elif j == at and f.signed and b in b"}JKLMNOPQR":
                d, negative = b"}JKLMNOPQR".index(b), True
            elif j == at and f.signed and 0x70 <= b <= 0x79:
                d, negative = b - 0x70, True
            else:
                return None
        else:
            zone, d = b >> 4, b & 0xF
            if d > 9:
                return None
            if j == at:
                if zone in (0xB, 0xD):
                    negative = True
                elif zone not in (0xA, 0xC, 0xE, 0xF):
                    return None
            elif zone != 0xF:
                return None
        digits.append(d)
    if negative and not f.signed:
        return None
    value = int("".join(map(str, digits)) or "0")
    return -value if negative else value


# -- helpers ----------------------------------------------------------------------------------

def every_byte_at_every_position(base: bytes) -> np.ndarray:
    """256 rows per position: ``base`` with that position set to each byte value."""
    rows = np.tile(np.frombuffer(base, np.uint8), (256 * len(base), 1))
    for j in range(len(base)):
        rows[256 * j:256 * (j + 1), j] = np.arange(256, dtype=np.uint8)
    return rows


def production(codec, matrix: np.ndarray, f: Field, options: CodecOptions) -> list:
    numbers = codec.decode(matrix, 0, f, options)
    return [to_python(numbers, i) for i in range(matrix.shape[0])]


def reference(matrix: np.ndarray, f: Field, options: CodecOptions) -> list:
    con = field_construct(f, options)
    return [con.parse(bytes(row)) for row in matrix]


def first_difference(got: list, want: list, matrix: np.ndarray) -> str:
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            return f"bytes {bytes(matrix[i]).hex().upper()}: codec {g!r}, oracle {w!r}"
    return ""


# -- packed decimal ----------------------------------------------------------------------------

PACKED_SHAPES = [(d, s) for d in (1, 4, 5, 18, 19, 20, 38, 39, 40, 41, 76) for s in (True, False)]


@pytest.mark.parametrize("digits,signed", PACKED_SHAPES)
def test_every_byte_of_a_packed_field_decodes_as_the_hand_written_rules_say(digits, signed):
    f = packed_field(digits, signed=signed)
    base = bytes.fromhex(("1" * (2 * f.length - 1)) + ("C" if signed else "F"))
    matrix = every_byte_at_every_position(base)
    got = production(packed, matrix, f, EBCDIC)
    want = [packed_by_hand(bytes(r), digits, signed) for r in matrix]
    assert got == want, first_difference(got, want, matrix)


@pytest.mark.parametrize("digits,signed", [(4, True), (5, False), (20, True), (39, True), (40, False)])
def test_every_byte_of_a_packed_field_decodes_as_the_reference_codec_does(digits, signed):
    f = packed_field(digits, signed=signed)
    base = bytes.fromhex(("9" * (2 * f.length - 1)) + ("D" if signed else "F"))
    matrix = every_byte_at_every_position(base)
    got = production(packed, matrix, f, EBCDIC)
    want = reference(matrix, f, EBCDIC)
    assert got == want, first_difference(got, want, matrix)


@pytest.mark.parametrize("data", ["10000C", "F0000C", "90001D"])
def test_a_non_zero_pad_nibble_is_invalid_not_a_bigger_number_issue_8(data):
    f = packed_field(4, signed=True)
    numbers = packed.decode(np.frombuffer(bytes.fromhex(data), np.uint8).reshape(1, -1), 0, f, EBCDIC)
    assert numbers.invalid.tolist() == [True]


@pytest.mark.parametrize("digits", [4, 20, 40])
def test_a_pad_nibble_of_one_is_invalid_in_every_kernel(digits):
    f = packed_field(digits, signed=True)
    data = bytes.fromhex("1" + "0" * (2 * f.length - 2) + "C")
    assert packed.decode(np.frombuffer(data, np.uint8).reshape(1, -1), 0, f, EBCDIC).invalid.tolist() == [True]


@pytest.mark.parametrize("sign,expected", [("A", 123), ("B", -123), ("C", 123), ("D", -123), ("E", 123),
                                           ("F", 123)])
def test_each_packed_sign_nibble_gives_the_sign_ibm_gives_it(sign, expected):
    f = packed_field(3, signed=True)
    data = bytes.fromhex("123" + sign)
    assert to_python(packed.decode(np.frombuffer(data, np.uint8).reshape(1, -1), 0, f, EBCDIC), 0) == expected


# -- zoned decimal -----------------------------------------------------------------------------

ZONED_SHAPES = [
    dict(digits=3, signed=False), dict(digits=3, signed=True), dict(digits=3, signed=True, leading=True),
    dict(digits=3, signed=True, separate=True), dict(digits=3, signed=True, leading=True, separate=True),
    dict(digits=3, signed=True, bwz=True), dict(digits=18, signed=True), dict(digits=20, signed=True),
    dict(digits=20, signed=False), dict(digits=20, signed=True, leading=True), dict(digits=38, signed=True),
    dict(digits=40, signed=True), dict(digits=40, signed=False), dict(digits=40, signed=True, separate=True),
    dict(digits=76, signed=True, leading=True),
]


def zoned_base(f: Field, ascii_page: bool) -> bytes:
    zero = 0x30 if ascii_page else 0xF0
    body = bytes([zero + 7] * f.digits)
    if f.sign_separate:
        sign = b"-" if ascii_page else b"\x60"
        return sign + body if f.sign_leading else body + sign
    return body


@pytest.mark.parametrize("shape", ZONED_SHAPES, ids=lambda s: "-".join(f"{k}={v}" for k, v in s.items()))
@pytest.mark.parametrize("options", [EBCDIC, ASCII], ids=["ebcdic", "ascii"])
def test_every_byte_of_a_zoned_field_decodes_as_the_hand_written_rules_say(shape, options):
    f = zoned_field(**shape)
    ascii_page = options is ASCII
    matrix = every_byte_at_every_position(zoned_base(f, ascii_page))
    got = production(zoned, matrix, f, options)
    want = [zoned_by_hand(bytes(r), f, ascii_page) for r in matrix]
    assert got == want, first_difference(got, want, matrix)


@pytest.mark.parametrize("shape", [dict(digits=3, signed=True), dict(digits=3, signed=False),
                                   dict(digits=20, signed=True, leading=True), dict(digits=40, signed=True)],
                         ids=str)
def test_every_byte_of_a_zoned_field_decodes_as_the_reference_codec_does(shape):
    f = zoned_field(**shape)
    matrix = every_byte_at_every_position(zoned_base(f, False))
    got = production(zoned, matrix, f, EBCDIC)
    want = reference(matrix, f, EBCDIC)
    assert got == want, first_difference(got, want, matrix)


@pytest.mark.parametrize("data,expected", [("F1F2B3", -123), ("F1F2D3", -123), ("F1F2A3", 123),
                                           ("F1F2C3", 123), ("F1F2E3", 123), ("F1F2F3", 123)])
def test_each_zone_of_the_sign_byte_gives_the_sign_ibm_gives_it_issue_8(data, expected):
    f = zoned_field(3, signed=True)
    numbers = zoned.decode(np.frombuffer(bytes.fromhex(data), np.uint8).reshape(1, -1), 0, f, EBCDIC)
    assert to_python(numbers, 0) == expected


@pytest.mark.parametrize("digits", [3, 20, 40])
def test_a_b_zone_reads_negative_in_every_kernel(digits):
    f = zoned_field(digits, signed=True)
    data = bytes([0xF1] * (digits - 1) + [0xB3])
    got = to_python(zoned.decode(np.frombuffer(data, np.uint8).reshape(1, -1), 0, f, EBCDIC), 0)
    assert got == -int("1" * (digits - 1) + "3")


# -- hypothesis, biased toward the bytes that matter --------------------------------------------

SIGN_BYTES = st.sampled_from([0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x00, 0x09, 0x10, 0x1C, 0x1D, 0x9F, 0xFF])
ZONE_BYTES = st.integers(0, 9).flatmap(lambda d: st.sampled_from([z << 4 | d for z in range(16)]))


@settings(max_examples=100, deadline=None)
@given(st.sampled_from([3, 4, 19, 20, 39, 40]), st.booleans(), st.data())
def test_packed_fields_with_odd_pads_and_signs_decode_as_the_oracle_says(digits, signed, data):
    f = packed_field(digits, signed=signed)
    body = data.draw(st.lists(st.integers(0, 0x99).filter(lambda b: (b & 0xF) <= 9 and (b >> 4) <= 9)
                              | st.integers(0, 255), min_size=f.length - 1, max_size=f.length - 1))
    pad = data.draw(st.sampled_from([0x00, 0x10, 0x90, 0xF0]))
    if body and len(body) * 2 + 1 > digits:
        body[0] = (body[0] & 0x0F) | pad
    last = data.draw(st.integers(0, 9)).__mul__(16) | (data.draw(SIGN_BYTES) & 0xF)
    raw = bytes(body + [last])
    got = to_python(packed.decode(np.frombuffer(raw, np.uint8).reshape(1, -1), 0, f, EBCDIC), 0)
    assert got == packed_by_hand(raw, digits, signed), raw.hex()


@settings(max_examples=100, deadline=None)
@given(st.sampled_from([3, 18, 19, 38, 39, 40]), st.booleans(), st.booleans(), st.data())
def test_zoned_fields_with_every_zone_decode_as_the_oracle_says(digits, signed, leading, data):
    f = zoned_field(digits, signed=signed, leading=leading and signed)
    raw = bytes(data.draw(st.lists(st.integers(0xF0, 0xF9) | ZONE_BYTES, min_size=digits, max_size=digits)))
    got = to_python(zoned.decode(np.frombuffer(raw, np.uint8).reshape(1, -1), 0, f, EBCDIC), 0)
    assert got == zoned_by_hand(raw, f, False), raw.hex()


def test_the_oracles_agree_with_each_other_on_hand_derived_values():
    assert packed_by_hand(bytes.fromhex("01234C"), 4, True) == 1234
    assert packed_by_hand(bytes.fromhex("10000C"), 4, True) is None
    assert packed_by_hand(bytes.fromhex("123D"), 3, False) is None
    assert zoned_by_hand(bytes.fromhex("F1F2B3"), zoned_field(3, signed=True), False) == -123
    assert zoned_by_hand(b"12L", zoned_field(3, signed=True), True) == -123
    assert zoned_by_hand(bytes.fromhex("F1C2F3"), zoned_field(3, signed=True), False) is None
    assert Decimal(1) == 1
