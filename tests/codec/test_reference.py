"""The reference codec: every storage type by hand-derived vectors, records keyed by path, round trips."""
from __future__ import annotations

from decimal import Context, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bridge.codec.options import CodecOptions
from bridge.codec.reference import field_construct, reference_codec
from bridge.errors import EncodeError, InvalidDataError
from bridge.layout.model import Dim, Field, Kind, Occurs, Record

EBCDIC = CodecOptions()
ASCII_IBM = CodecOptions(codepage="latin-1", dialect="ibm")
ASCII_GNU = CodecOptions(codepage="latin-1", dialect="gnucobol")


# -- a tiny layout builder (until the copybook compiler exists) ---------------------------------

def item(name: str, kind: Kind, length: int, **kw) -> Field:
    return Field(name, (name,), 5, 0, length, kind, **kw)


def zoned(name, digits, scale=0, signed=False, **kw):
    length = digits + (1 if kw.get("sign_separate") else 0)
    return item(name, Kind.ZONED, length, digits=digits, scale=scale, signed=signed, **kw)


def packed(name, digits, scale=0, signed=True, **kw):
    return item(name, Kind.PACKED, digits // 2 + 1, digits=digits, scale=scale, signed=signed, usage="COMP-3", **kw)


def binary(name, digits, scale=0, signed=True, **kw):
    length = 2 if digits <= 4 else 4 if digits <= 9 else 8
    return item(name, Kind.BINARY, length, digits=digits, scale=scale, signed=signed, usage="COMP", **kw)


def text(name, length, **kw):
    return item(name, Kind.ALPHANUMERIC, length, picture=f"X({length})", **kw)


def group(name, *children, occurs: int | None = None) -> Field:
    length = sum(c.length * (c.occurs.max if c.occurs else 1) for c in children)
    return Field(name, (name,), 5, 0, length, Kind.GROUP, children=children,
                 occurs=Occurs(occurs, occurs) if occurs else None)


def record(name: str, *children: Field) -> Record:
    """Lay ``children`` out one after another under a 01 named ``name``, with paths, offsets and dims."""
    def place(f: Field, parent: tuple[str, ...], offset: int, dims: tuple[Dim, ...]) -> Field:
        path = parent + (f.name,)
        if f.occurs:
            dims = dims + (Dim(f.occurs.min, f.occurs.max, f.length, owner=path),)
        kids, at = [], offset
        for c in f.children:
            placed = place(c, path, at, dims)
            kids.append(placed)
            at += placed.length * (c.occurs.max if c.occurs else 1)
        return f.with_changes(path=path, offset=offset, dims=dims, children=tuple(kids),
                              is_filler=f.name == "FILLER")

    root = place(group(name, *children), (), 0, ())
    root = root.with_changes(path=(name,), level=1)
    return Record(name, root, root.length, root.length, tuple(root.walk()))


def ebc(s: str) -> bytes:
    return s.encode("cp037")


def check_codec(field: Field, options: CodecOptions, raw: bytes, value) -> None:
    """Parse gives the value, build gives the bytes back, sizeof is the field's length."""
    con = field_construct(field, options)
    got = con.parse(raw)
    assert got == value and type(got) is type(value)
    if isinstance(value, Decimal):
        assert got.as_tuple().exponent == value.as_tuple().exponent
    assert con.build(value) == raw
    assert con.sizeof() == field.length == len(raw)


# -- zoned ---------------------------------------------------------------------------------------

def test_ebcdic_zoned_signs_are_c_for_plus_d_for_minus():
    f = zoned("AMT", 5, 2, signed=True)
    check_codec(f, EBCDIC, bytes.fromhex("f1f2f3f4c5"), Decimal("123.45"))
    check_codec(f, EBCDIC, bytes.fromhex("f1f2f3f4d5"), Decimal("-123.45"))


@pytest.mark.parametrize("zone, negative", [(0xA, False), (0xB, True), (0xE, False), (0xF, False)])
def test_ebcdic_zoned_accepts_every_sign_zone_a_to_f(zone, negative):
    f = zoned("AMT", 3, 0, signed=True)
    value = field_construct(f, EBCDIC).parse(bytes([0xF1, 0xF2, zone << 4 | 3]))
    assert value == (-123 if negative else 123)


def test_unsigned_zoned_reads_a_positive_sign_but_refuses_a_negative_one():
    f = zoned("N", 3)
    check_codec(f, EBCDIC, ebc("123"), 123)
    assert field_construct(f, EBCDIC).parse(bytes.fromhex("f1f2c3")) == 123
    assert field_construct(f, EBCDIC).parse(bytes.fromhex("f1f2d3")) is None
    assert field_construct(f, ASCII_IBM).parse(b"12C") == 123
    assert field_construct(f, ASCII_IBM).parse(b"12s") is None


def test_blank_when_zero_zoned_reads_spaces_as_zero():
    assert field_construct(zoned("N", 3, 1, blank_when_zero=True), EBCDIC).parse(ebc("   ")) == Decimal("0.0")
    assert field_construct(zoned("N", 3, 1), EBCDIC).parse(ebc("   ")) is None


@pytest.mark.parametrize("raw", ["404040", "000000", "ffffff", "f1c1f3", "f1f2"[:4] + "3f"])
def test_spaces_low_values_high_values_and_garbage_in_zoned_are_invalid(raw):
    assert field_construct(zoned("N", 3, signed=True), EBCDIC).parse(bytes.fromhex(raw)) is None


def test_sign_leading_overpunches_the_first_byte():
    f = zoned("N", 3, signed=True, sign_leading=True)
    check_codec(f, EBCDIC, bytes.fromhex("d1f2f3"), -123)


def test_sign_separate_uses_the_code_pages_plus_and_minus():
    lead = zoned("N", 3, signed=True, sign_leading=True, sign_separate=True)
    trail = zoned("N", 3, signed=True, sign_separate=True)
    check_codec(lead, EBCDIC, bytes.fromhex("60f1f2f3"), -123)
    check_codec(trail, EBCDIC, bytes.fromhex("f1f2f34e"), 123)
    check_codec(lead, ASCII_GNU, b"+123", 123)
    assert field_construct(trail, EBCDIC).parse(bytes.fromhex("f1f2f340")) is None


def test_ascii_zoned_decodes_both_sign_conventions():
    f = zoned("N", 3, 1, signed=True)
    con = field_construct(f, ASCII_IBM)
    assert con.parse(b"12G") == Decimal("12.7")
    assert con.parse(b"12P") == Decimal("-12.7")
    assert con.parse(b"12{") == Decimal("12.0")
    assert con.parse(b"12}") == Decimal("-12.0")
    assert con.parse(b"12w") == Decimal("-12.7")
    assert con.parse(b"127") == Decimal("12.7")


def test_ascii_zoned_encodes_the_dialects_convention():
    f = zoned("N", 3, 1, signed=True)
    assert field_construct(f, ASCII_IBM).build(Decimal("12.7")) == b"12G"
    assert field_construct(f, ASCII_IBM).build(Decimal("-12.7")) == b"12P"
    assert field_construct(f, ASCII_IBM).build(Decimal("-12.0")) == b"12}"
    assert field_construct(f, ASCII_GNU).build(Decimal("12.7")) == b"127"
    assert field_construct(f, ASCII_GNU).build(Decimal("-0.1")) == b"00q"


def test_p_scaling_multiplies_or_divides_the_stored_digits():
    check_codec(zoned("N", 3, -3), EBCDIC, ebc("123"), 123000)
    check_codec(zoned("N", 2, 5), EBCDIC, ebc("45"), Decimal("0.00045"))


def test_zoned_encode_refuses_values_that_do_not_fit_the_picture():
    f = zoned("AMT", 3, 1).with_changes(picture="9(2)V9", path=("REC", "AMT"))
    con = field_construct(f, EBCDIC)
    with pytest.raises(EncodeError, match=r"field REC.AMT PIC 9\(2\)V9: value 100 needs more than the PICTURE's 3 digits"):
        con.build(100)
    with pytest.raises(EncodeError, match="more decimal places"):
        con.build(Decimal("1.25"))
    with pytest.raises(EncodeError, match="negative and the PICTURE has no sign"):
        con.build(-1)


# -- packed --------------------------------------------------------------------------------------

def test_packed_signed_fields_write_c_and_d():
    f = packed("BAL", 7, 2)
    check_codec(f, EBCDIC, bytes.fromhex("0123456c"), Decimal("1234.56"))
    check_codec(f, EBCDIC, bytes.fromhex("0123456d"), Decimal("-1234.56"))


def test_packed_unsigned_fields_write_f():
    check_codec(packed("N", 3, signed=False), EBCDIC, bytes.fromhex("123f"), 123)


@pytest.mark.parametrize("sign, negative", [("a", False), ("b", True), ("c", False), ("d", True),
                                            ("e", False), ("f", False)])
def test_packed_accepts_sign_nibbles_a_to_f(sign, negative):
    value = field_construct(packed("N", 3), EBCDIC).parse(bytes.fromhex("123" + sign))
    assert value == (-123 if negative else 123)


@pytest.mark.parametrize("raw", ["1234", "4040", "1a3c", "0000"])
def test_packed_with_a_bad_sign_or_digit_nibble_is_invalid(raw):
    assert field_construct(packed("N", 3), EBCDIC).parse(bytes.fromhex(raw)) is None


def test_packed_with_a_non_zero_pad_nibble_is_invalid():
    assert field_construct(packed("N", 4), EBCDIC).parse(bytes.fromhex("01234c")) == 1234
    assert field_construct(packed("N", 4), EBCDIC).parse(bytes.fromhex("11234c")) is None


def test_unsigned_packed_cannot_be_negative():
    assert field_construct(packed("N", 3, signed=False), EBCDIC).parse(bytes.fromhex("123c")) == 123
    assert field_construct(packed("N", 3, signed=False), EBCDIC).parse(bytes.fromhex("123d")) is None


# -- binary --------------------------------------------------------------------------------------

def test_binary_is_big_endian_twos_complement():
    check_codec(binary("N", 4), EBCDIC, bytes.fromhex("fb2e"), -1234)
    check_codec(binary("N", 9, signed=False), EBCDIC, bytes.fromhex("075bcd15"), 123456789)
    check_codec(binary("N", 7, 2), EBCDIC, bytes.fromhex("000004d2"), Decimal("12.34"))


def test_binary_is_read_at_full_width_beyond_the_pictures_digits():
    assert field_construct(binary("N", 9), EBCDIC).parse(bytes.fromhex("40404040")) == 1077952576


def test_binary_encode_refuses_values_beyond_the_picture_but_comp5_takes_the_full_width():
    with pytest.raises(EncodeError, match="needs more than the PICTURE's 4 digits"):
        field_construct(binary("N", 4), EBCDIC).build(12345)
    comp5 = binary("N", 4, native_binary=True)
    assert field_construct(comp5, EBCDIC).build(12345) == bytes.fromhex("3039")
    with pytest.raises(EncodeError, match="does not fit 2 binary bytes"):
        field_construct(comp5, EBCDIC).build(40000)


def test_comp5_is_little_endian_when_asked():
    comp5 = binary("N", 9, native_binary=True)
    check_codec(comp5, CodecOptions(comp5_byteorder="little"), bytes.fromhex("78563412"), 305419896)
    check_codec(comp5, ASCII_GNU, bytes.fromhex("feffffff"), -2)
    check_codec(binary("N", 9), ASCII_GNU, bytes.fromhex("fffffffe"), -2)


# -- floats --------------------------------------------------------------------------------------

def test_ibm_hex_floats_decode_to_their_exact_values():
    comp2 = item("D", Kind.FLOAT, 8, usage="COMP-2")
    comp1 = item("F", Kind.FLOAT, 4, usage="COMP-1")
    check_codec(comp2, EBCDIC, bytes.fromhex("43142EFCCAF709B7"), 322.936717)
    check_codec(comp1, EBCDIC, bytes.fromhex("43142EFC"), 322.9365234375)
    check_codec(comp1, EBCDIC, bytes.fromhex("C3142EFC"), -322.9365234375)
    check_codec(comp1, EBCDIC, bytes.fromhex("41100000"), 1.0)
    check_codec(comp1, EBCDIC, bytes.fromhex("C2640000"), -100.0)
    check_codec(comp2, EBCDIC, bytes.fromhex("00000000CAF709B7"), 4.081148378506721e-85)


def test_ieee_floats_are_big_endian():
    comp1 = item("F", Kind.FLOAT, 4, usage="COMP-1")
    comp2 = item("D", Kind.FLOAT, 8, usage="COMP-2")
    ieee = CodecOptions(float_format="ieee")
    assert field_construct(comp1, ieee).parse(bytes.fromhex("40490FDA")) == pytest.approx(3.1415925)
    assert field_construct(comp2, ieee).parse(bytes.fromhex("400921FB54442EEA")) == pytest.approx(3.14159265359)
    assert field_construct(comp2, ieee).parse(bytes.fromhex("7FF8000000000000")) is None


@settings(max_examples=200, deadline=None)
@given(x=st.floats(allow_nan=False, allow_infinity=False, min_value=-1e75, max_value=1e75)
       .filter(lambda v: v == 0 or abs(v) > 1e-77))
def test_ibm_double_holds_every_ieee_double_of_its_range_exactly(x):
    # a 56-bit hex fraction keeps at least 53 significant bits, so nothing is lost
    con = field_construct(item("D", Kind.FLOAT, 8, usage="COMP-2"), EBCDIC)
    assert con.parse(con.build(x)) == x


def test_ibm_float_underflow_denormalises_then_becomes_zero():
    con = field_construct(item("D", Kind.FLOAT, 8, usage="COMP-2"), EBCDIC)
    assert con.build(1e-80)[0] == 0x00
    assert con.build(1e-97) == bytes(8)
    with pytest.raises(EncodeError, match=r"field D: value 1e\+77 is too large for IBM floating point"):
        con.build(1e77)


# -- numeric-edited -----------------------------------------------------------------------------

def edited(mask: str, scale: int, **kw) -> Field:
    return item("E", Kind.NUMERIC_EDITED, len(mask.replace("V", "")), picture=mask, edit_mask=mask,
                scale=scale, **kw)


@pytest.mark.parametrize("mask, scale, shown, value", [
    ("-ZZZ,ZZ9.99", 2, "-     12.50", Decimal("-12.50")),
    ("-ZZZ,ZZ9.99", 2, " 123,456.78", Decimal("123456.78")),
    ("ZZZ9.99CR", 2, "  12.50CR", Decimal("-12.50")),
    ("ZZZ9.99DB", 2, "  12.50  ", Decimal("12.50")),
    ("$$$,$$9.99", 2, "     $5.00", Decimal("5.00")),
    ("+++9", 0, " -12", -12),
    ("99/99/99", 0, "12/31/99", 123199),
    ("***9.99", 2, "**12.34", Decimal("12.34")),
])
def test_numeric_edited_values_decode_and_edit_back(mask, scale, shown, value):
    check_codec(edited(mask, scale), EBCDIC, ebc(shown), value)


def test_numeric_edited_decoding_is_lenient_about_spaces_and_sign_position():
    con = field_construct(edited("-ZZZ,ZZ9.99", 2), EBCDIC)
    assert con.parse(ebc("12.5-      ")) == Decimal("-12.50")
    assert con.parse(ebc("ABC        ")) is None


def test_blank_when_zero_spaces_decode_as_zero():
    f = edited("ZZ9.99", 2, blank_when_zero=True)
    check_codec(f, EBCDIC, ebc("      "), Decimal("0.00"))
    assert field_construct(edited("ZZ9.99", 2), EBCDIC).parse(ebc("      ")) is None


# -- strings -------------------------------------------------------------------------------------

def test_alphanumeric_follows_the_trim_option():
    f = text("N", 6)
    assert field_construct(f, EBCDIC).parse(ebc("  AB  ")) == "  AB"
    assert field_construct(f, CodecOptions(trim="both")).parse(ebc("  AB  ")) == "AB"
    assert field_construct(f, CodecOptions(trim="none")).build("AB") == ebc("AB    ")


def test_national_and_dbcs_items():
    nat = item("N", Kind.NATIONAL, 6, usage="NATIONAL")
    check_codec(nat, EBCDIC, "Zoë".encode("utf-16-be"), "Zoë")
    g = item("G", Kind.DBCS, 4, usage="DISPLAY-1")
    check_codec(g, EBCDIC, bytes.fromhex("42C14040"), "42C1")


# -- whole records -------------------------------------------------------------------------------

def customer_record() -> Record:
    return record(
        "CUSTOMER-REC",
        binary("CUST-ID", 9, signed=False),
        text("CUST-NAME", 30),
        zoned("BIRTH-DATE", 8),
        packed("BALANCE", 13, 2),
        packed("CREDIT-LIMIT", 9, 2),
        binary("TXN-COUNT", 4),
        text("RISK-SEG", 2),
        zoned("SCORE", 5, 4),
        zoned("AVG-TXN-AMT", 9, 2, signed=True),
        zoned("MONTHS-ON-BOOK", 3),
        text("FILLER", 10),
    )


CUSTOMER_BYTES = (bytes.fromhex("075bcd15") + ebc("JOHN SMITH".ljust(30)) + ebc("19800101")
                  + bytes.fromhex("0000001234567c") + bytes.fromhex("000500000c") + bytes.fromhex("0007")
                  + ebc("RT") + ebc("05000") + bytes.fromhex("f0f0f0f0f0f3f0f5d0") + ebc("120")
                  + bytes(10))


def test_customer_record_decodes_every_item_by_its_path():
    rec = customer_record()
    assert rec.length == len(CUSTOMER_BYTES) == 85
    assert reference_codec(rec).decode(CUSTOMER_BYTES) == {
        "CUSTOMER-REC.CUST-ID": 123456789,
        "CUSTOMER-REC.CUST-NAME": "JOHN SMITH",
        "CUSTOMER-REC.BIRTH-DATE": 19800101,
        "CUSTOMER-REC.BALANCE": Decimal("12345.67"),
        "CUSTOMER-REC.CREDIT-LIMIT": Decimal("5000.00"),
        "CUSTOMER-REC.TXN-COUNT": 7,
        "CUSTOMER-REC.RISK-SEG": "RT",
        "CUSTOMER-REC.SCORE": Decimal("0.5000"),
        "CUSTOMER-REC.AVG-TXN-AMT": Decimal("-30.50"),
        "CUSTOMER-REC.MONTHS-ON-BOOK": 120,
    }


def test_decoding_then_encoding_a_record_gives_the_same_bytes():
    codec = reference_codec(customer_record())
    assert codec.encode(codec.decode(CUSTOMER_BYTES), CUSTOMER_BYTES) == CUSTOMER_BYTES
    assert codec.encode(codec.decode(CUSTOMER_BYTES), bytes(85)) == CUSTOMER_BYTES[:-10] + bytes(10)


def test_encode_writes_only_the_given_items_and_none_keeps_the_bytes():
    codec = reference_codec(customer_record())
    out = codec.encode({"CUSTOMER-REC.SCORE": Decimal("0.9876"), "CUSTOMER-REC.BALANCE": None}, CUSTOMER_BYTES)
    assert out == CUSTOMER_BYTES[:58] + ebc("09876") + CUSTOMER_BYTES[63:]


def test_encode_refuses_an_item_the_record_does_not_have():
    with pytest.raises(EncodeError, match="CUSTOMER-REC.NOPE is not an item of record CUSTOMER-REC"):
        reference_codec(customer_record()).encode({"CUSTOMER-REC.NOPE": 1}, CUSTOMER_BYTES)


def test_invalid_numeric_items_decode_to_none():
    data = bytearray(CUSTOMER_BYTES)
    data[42:49] = b"\x40" * 7  # BALANCE full of spaces
    assert reference_codec(customer_record()).decode(bytes(data))["CUSTOMER-REC.BALANCE"] is None


def test_occurs_items_are_keyed_with_the_subscript_on_the_table():
    rec = record("TXN-REC", text("ACCT", 4),
                 group("TXN-TABLE", packed("TXN-AMT", 5, 2), text("TXN-TYPE", 2), occurs=3),
                 text("CODES", 2).with_changes(occurs=Occurs(2, 2)))
    data = ebc("A001") + b"".join(bytes.fromhex(f"00{i}00c") + ebc(f"T{i}") for i in (1, 2, 3)) + ebc("XYZW")
    decoded = reference_codec(rec).decode(data)
    assert decoded["TXN-REC.TXN-TABLE(3).TXN-AMT"] == Decimal("3.00")
    assert decoded["TXN-REC.TXN-TABLE(2).TXN-TYPE"] == "T2"
    assert decoded["TXN-REC.CODES(2)"] == "ZW"
    assert len(decoded) == 1 + 6 + 2


def test_a_short_record_truncates_strings_and_leaves_later_items_absent():
    codec = reference_codec(customer_record())
    decoded = codec.decode(CUSTOMER_BYTES[:20])
    assert decoded["CUSTOMER-REC.CUST-NAME"] == "JOHN SMITH"
    assert decoded["CUSTOMER-REC.BIRTH-DATE"] is None
    assert decoded["CUSTOMER-REC.MONTHS-ON-BOOK"] is None


# -- round trips ---------------------------------------------------------------------------------

numeric_fields = st.one_of(
    st.builds(lambda d, s, sg: zoned("Z", d, s, signed=sg), st.integers(1, 18), st.integers(-2, 6), st.booleans()),
    st.builds(lambda d, s, lead: zoned("Z", d, s, signed=True, sign_leading=lead, sign_separate=True),
              st.integers(1, 18), st.integers(0, 4), st.booleans()),
    st.builds(lambda d, s, sg: packed("P", d, s, signed=sg), st.integers(1, 31), st.integers(-2, 6), st.booleans()),
    st.builds(lambda d, s, sg: binary("B", d, s, signed=sg), st.integers(1, 18), st.integers(0, 6), st.booleans()),
)


@settings(max_examples=200, deadline=None)
@given(field=numeric_fields, data=st.data(), options=st.sampled_from([EBCDIC, ASCII_IBM, ASCII_GNU]))
def test_numeric_values_that_fit_the_picture_round_trip(field, data, options):
    limit = 10 ** field.digits - 1
    stored = data.draw(st.integers(-limit if field.signed else 0, limit))
    value = stored * 10 ** -field.scale if field.scale <= 0 else Decimal(stored).scaleb(-field.scale, Context(prec=60))
    con = field_construct(field, options)
    raw = con.build(value)
    assert len(raw) == field.length
    assert con.parse(raw) == value


@settings(max_examples=200, deadline=None)
@given(raw=st.binary(min_size=4, max_size=4))
def test_every_packed_byte_string_decodes_to_none_or_a_value_that_re_encodes_to_a_canonical_sign(raw):
    f = packed("P", 7)
    con = field_construct(f, EBCDIC)
    value = con.parse(raw)
    if value is not None:
        assert con.build(value)[:3] == raw[:3]
        assert con.parse(con.build(value)) == value


# -- OCCURS DEPENDING ON -------------------------------------------------------------------------

def odo_record() -> Record:
    """01 R. 05 CNT PIC S9(4) COMP. 05 T OCCURS 0 TO 3 DEPENDING ON CNT. 10 V PIC X. 05 TAIL PIC X(2)."""
    rec = record("R", binary("CNT", 4), group("T", text("V", 1), occurs=3), text("TAIL", 2))
    root, cnt, t, v, tail = rec.fields
    t = t.with_changes(occurs=Occurs(0, 3, "CNT", cnt.path), dims=(Dim(0, 3, 1, cnt.path, t.path),))
    v = v.with_changes(dims=t.dims)
    tail = tail.with_changes(variable_offset=True)
    t = t.with_changes(children=(v,))
    root = root.with_changes(children=(cnt, t, tail))
    return Record("R", root, 7, 4, (root, cnt, t, v, tail), odo_objects=(cnt.path,))


def test_odo_tables_take_their_count_from_the_record_and_later_items_shift():
    decoded = reference_codec(odo_record()).decode(bytes.fromhex("0002") + ebc("ABZZ"))
    assert decoded == {"R.CNT": 2, "R.T(1).V": "A", "R.T(2).V": "B", "R.TAIL": "ZZ"}


def test_odo_placement_max_keeps_the_table_at_full_size():
    codec = reference_codec(odo_record(), odo_placement="max")
    assert codec.decode(bytes.fromhex("0001") + ebc("A  ZZ")) == {"R.CNT": 1, "R.T(1).V": "A", "R.TAIL": "ZZ"}


def test_a_new_odo_count_moves_the_items_after_the_table():
    codec = reference_codec(odo_record())
    base = bytes.fromhex("0002") + ebc("ABZZ")
    assert codec.encode({"R.CNT": 3, "R.T(3).V": "C"}, base) == bytes.fromhex("0003") + ebc("ABCZZ")
    assert codec.encode({"R.CNT": 1}, base) == bytes.fromhex("0001") + ebc("AZZ")
    assert codec.encode({}, base) == base


def test_an_item_beyond_the_tables_count_cannot_be_written():
    with pytest.raises(EncodeError, match="R.T\\(3\\).V is not an item .* beyond its table's count"):
        reference_codec(odo_record()).encode({"R.T(3).V": "C"}, bytes.fromhex("0002") + ebc("ABZZ"))


def test_an_odo_count_outside_its_range_is_an_error_naming_the_field():
    with pytest.raises(InvalidDataError, match="field R.CNT: OCCURS DEPENDING ON count 9 is outside 0 to 3"):
        reference_codec(odo_record()).decode(bytes.fromhex("0009") + ebc("ABCZZ"))
    with pytest.raises(EncodeError, match="count 4 is outside 0 to 3"):
        reference_codec(odo_record()).encode({"R.CNT": 4}, bytes.fromhex("0002") + ebc("ABZZ"))


def test_national_decimal_items_are_zoned_over_utf16_characters():
    f = zoned("N", 3, 1, signed=True, sign_leading=True, sign_separate=True)
    f = f.with_changes(usage="NATIONAL", length=8)
    check_codec(f, EBCDIC, "-123".encode("utf-16-be"), Decimal("-12.3"))


def test_numeric_edited_with_another_currency_sign_floats_it():
    check_codec(edited("£££9.99", 2), CodecOptions(codepage="cp285"), bytes.fromhex("40405bf54bf0f0"), Decimal("5.00"))


# -- the sample copybooks ------------------------------------------------------------------------

def sample(name: str) -> Record:
    from bridge.copybook import load_copybook
    from tests.conftest import COPYBOOKS

    return load_copybook(COPYBOOKS / name).record()


def txn_history(count: int) -> bytes:
    table = b"".join(ebc(f"2024010{i}") + ebc("PU") + bytes.fromhex(f"000000{i}1234c") + ebc("5411")
                     for i in range(1, count + 1))
    return (ebc("ACCT00000001") + ebc("20240131") + ebc("EUR") + count.to_bytes(2, "big") + table
            + bytes.fromhex("0000000123456d") + ebc("FLAG"))


def test_the_transaction_history_copybook_decodes_its_actual_table_and_shifted_total():
    rec = sample("transactions.cpy")
    decoded = reference_codec(rec).decode(txn_history(3))
    assert decoded["TXN-HISTORY-REC.TXN-CNT"] == 3
    assert decoded["TXN-HISTORY-REC.TXN-TABLE(3).TXN-AMT"] == Decimal("312.34")
    assert decoded["TXN-HISTORY-REC.TXN-TABLE(1).TXN-TYPE"] == "PU"
    assert "TXN-HISTORY-REC.TXN-TABLE(4).TXN-AMT" not in decoded
    assert decoded["TXN-HISTORY-REC.STMT-TOTAL"] == Decimal("-1234.56")
    assert decoded["TXN-HISTORY-REC.STMT-FLAGS"] == "FLAG"
    assert decoded["TXN-HISTORY-REC.STMT-DATE-R.STMT-MM"] == 1


def test_the_transaction_history_record_round_trips_and_grows_with_its_count():
    codec = reference_codec(sample("transactions.cpy"))
    data = txn_history(2)
    assert codec.encode(codec.decode(data), data) == data
    grown = codec.encode({"TXN-HISTORY-REC.TXN-CNT": 3, "TXN-HISTORY-REC.TXN-TABLE(3).TXN-DATE": 20240103,
                          "TXN-HISTORY-REC.TXN-TABLE(3).TXN-TYPE": "PU",
                          "TXN-HISTORY-REC.TXN-TABLE(3).TXN-AMT": Decimal("312.34"),
                          "TXN-HISTORY-REC.TXN-TABLE(3).MCC": 5411}, data)
    assert grown == txn_history(3)


def test_the_customer_copybook_keys_its_reason_code_table():
    rec = sample("customer.cpy")
    data = bytearray(b"\x40" * rec.length)
    data[81:97] = ebc("R001R002R003R004")
    decoded = reference_codec(rec).decode(bytes(data))
    assert decoded["CUSTOMER-REC.SCORE-AREA.REASON-CODE(3)"] == "R003"
    assert decoded["CUSTOMER-REC.CUST-NAME"] == ""
    assert decoded["CUSTOMER-REC.BALANCE"] is None
    assert decoded["CUSTOMER-REC.SCORE-AREA.SCORE"] is None


def test_the_policy_copybook_decodes_every_redefines_view():
    rec = sample("policy.cpy")
    data = bytearray(b"\x40" * rec.length)
    data[37:45] = ebc("AB12 CDE")
    data[45:51] = bytes.fromhex("00001234567c")
    decoded = reference_codec(rec).decode(bytes(data))
    assert decoded["POLICY-REC.MOTOR-DETAIL.VEH-REG"] == decoded["POLICY-REC.HOME-DETAIL.HOME-POSTCODE"] == "AB12 CDE"
    assert decoded["POLICY-REC.HOME-DETAIL.HOME-REBUILD-COST"] == Decimal("12345.67")
    assert decoded["POLICY-REC.MOTOR-DETAIL.VEH-MAKE"] is not None


def test_31_digit_packed_values_keep_every_digit():
    f = packed("BIG", 31, 2)
    raw = bytes.fromhex("1234567890123456789012345678901c")
    check_codec(f, EBCDIC, raw, Decimal("12345678901234567890123456789.01"))
