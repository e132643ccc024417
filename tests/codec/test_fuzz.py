"""Fuzzing the codecs through the records API: the package's own error or a correct result.

Decode: random bytes, and valid records with bytes flipped, under every framing (F, V, VB with
or without block descriptors, TEXT) and code page family. Encode: rows of wrong types, NaN,
infinities, numbers beyond their PICTURE or beyond 76 digits, long and non-encodable strings.
Each case must end in a `BridgeError` or a result that is right (encode: the records decode back
to the values given); every case is bounded (hypothesis deadline off, but a few ms each). The
long runner is `bench/fuzz_codecs.py`; crashes it finds become the regression tests at the end.
"""
from __future__ import annotations

import math
from decimal import Decimal

from hypothesis import HealthCheck, given, settings, strategies as st

from tests.codec.fuzz_cases import decode_case, encode_case, layout

FRAMINGS = [dict(recfm="F"), dict(recfm="FB", lrecl=40), dict(recfm="V"), dict(recfm="VB"),
            dict(recfm="TEXT"), dict(recfm="V", record="WITH-TABLE"), dict(recfm="F", record="WITH-TABLE"),
            dict(recfm="F", segment_field="NAME", segment_map={"A": "EVERY-CODEC", "B": "WITH-TABLE"}),
            dict(recfm="V", segment_field="QTY", segment_map={"1": "EVERY-CODEC", "002": "WITH-TABLE"})]
PAGES = [dict(), dict(codepage="cp1140"), dict(codepage="latin-1", dialect="gnucobol")]
SPECIAL = st.sampled_from([0x00, 0x40, 0xFF, 0x0C, 0x0D, 0x0F, 0xF0, 0xF9, 0xC1, 0xD9, 0x4E, 0x60, 0x80, 0x7F])


def valid_record(record: str) -> bytes:
    rec = layout().record(record)
    return bytes(rec.length)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600), st.sampled_from(FRAMINGS), st.sampled_from(PAGES),
       st.sampled_from(["null", "error"]))
def test_random_bytes_decode_to_records_or_the_packages_error(data, framing, page, on_invalid):
    decode_case(data, {**framing, **page, "on_invalid": on_invalid})


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["EVERY-CODEC", "WITH-TABLE"]), st.integers(1, 5), st.sampled_from(["V", "VB", "F"]),
       st.lists(st.tuples(st.integers(0, 10_000), SPECIAL | st.integers(0, 255)), max_size=12),
       st.integers(-3, 3))
def test_valid_records_with_bytes_flipped_decode_or_fail_cleanly(record, count, recfm, flips, cut):
    rec = layout().record(record)
    body = bytearray(b"\xF0" * rec.length)
    if recfm == "F":
        data = bytearray(bytes(body) * count)
    else:
        one = (len(body) + 4).to_bytes(2, "big") + b"\0\0" + bytes(body)
        data = bytearray(one * count)
        if recfm == "VB":
            data = bytearray((len(data) + 4).to_bytes(2, "big") + b"\0\0") + data
    for at, value in flips:
        data[at % len(data)] = value
    if cut:
        data = data[:cut] if cut < 0 else data + bytes(cut)
    decode_case(bytes(data), {"recfm": recfm, "record": record})


NUMBERS = st.one_of(
    st.integers(-10**50, 10**50), st.integers(-1000, 1000),
    st.floats(allow_nan=True, allow_infinity=True), st.floats(-1e6, 1e6),
    st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-10**8, max_value=10**8),
    st.sampled_from([math.inf, -math.inf, math.nan, 2**63, -(2**63) - 1, 10**76, -(10**77), 2147483648, -1,
                     "Infinity", "NaN", "1e99999999", "-0", " 12 ", "", "abc", "1,5", "0x10"]),
)
TEXTS = st.one_of(st.text(max_size=10), st.sampled_from(["€", "ÄÖÜ", "😀", "\x00", " " * 8, "TOO LONG VALUE"]))
VALUES = st.one_of(st.none(), NUMBERS, TEXTS, st.booleans())
COLUMNS = ["NAME", "QTY", "AMT", "LEAD", "PKD", "PKD-EVEN", "WIDE", "HUGE", "HALF", "FULL", "NATIVE", "BIGBIN",
           "SINGLE", "DOUBLE", "EDITED", "CREDIT", "WIDE-NAME"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.dictionaries(st.sampled_from(COLUMNS), VALUES, min_size=1, max_size=4), min_size=1, max_size=4),
       st.sampled_from(["cp037", "latin-1"]))
def test_any_rows_encode_to_records_that_read_back_or_fail_with_the_packages_error(rows, codepage):
    encode_case(rows, {"codepage": codepage})


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.fixed_dictionaries({"CNT": st.one_of(st.integers(-2, 5), st.none()),
                                       "CODE(1)": TEXTS, "VAL(2)": NUMBERS, "TAIL": TEXTS}), min_size=1, max_size=3))
def test_odo_rows_encode_or_fail_with_the_packages_error(rows):
    encode_case(rows, {"record": "WITH-TABLE"})


# -- regressions found by bench/fuzz_codecs.py ------------------------------------------------

def test_infinity_into_a_binary_field_is_refused_not_a_crash():
    encode_case([{"HALF": math.inf}], {})


def test_a_78_digit_integer_into_a_wide_packed_field_is_refused():
    encode_case([{"WIDE": 10**77}], {})


def test_a_decimal_with_an_exponent_into_a_zoned_field_reads_back():
    encode_case([{"AMT": Decimal("1.5E+2")}], {})


def test_a_tiny_exponent_into_an_integer_field_is_refused_not_flushed_to_zero():
    encode_case([{"NATIVE": "1e-99999999", "LEAD": "1e-99999999", "CREDIT": "1e-99999999"}], {})
