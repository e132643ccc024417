"""Numbers to Arrow and back: exact types, nulls, rescaling, rounding, pandas input."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings, strategies as st

from bridge.codec import packed, zoned
from bridge.codec.numeric import Numbers, from_arrow, from_values, rescale, to_arrow, to_python
from bridge.codec.options import CodecOptions
from bridge.errors import EncodeError
from bridge.layout.model import Field, Kind


def field(digits: int, scale: int = 0, kind: Kind = Kind.PACKED) -> Field:
    return Field(name="AMT", path=("REC", "AMT"), level=5, offset=0, length=digits // 2 + 1, kind=kind,
                 picture=f"S9({digits})", digits=digits, scale=scale, signed=True, usage="COMP-3")


def numbers(values, scale: int, precision: int, invalid=None) -> Numbers:
    v = np.array(values, np.int64)
    inv = np.zeros(len(values), bool) if invalid is None else np.array(invalid)
    return Numbers(v, inv, precision, scale, "decimal" if scale > 0 else "int")


def test_integers_of_up_to_18_digits_become_int64_with_nulls():
    arr = to_arrow(numbers([1, -2, 0], 0, 9, [False, False, True]))
    assert arr.type == pa.int64()
    assert arr.to_pylist() == [1, -2, None]


def test_scaled_values_become_decimal128_of_the_picture():
    arr = to_arrow(numbers([12345, -1], 2, 7))
    assert arr.type == pa.decimal128(7, 2)
    assert arr.to_pylist() == [Decimal("123.45"), Decimal("-0.01")]


def test_negative_scale_is_multiplied_out():
    arr = to_arrow(numbers([123], -3, 3))
    assert arr.to_pylist() == [123000]
    assert arr.type == pa.int64()


def test_scale_beyond_digits_keeps_a_valid_decimal_type():
    arr = to_arrow(numbers([42], 5, 2))
    assert arr.type == pa.decimal128(5, 5)
    assert arr.to_pylist() == [Decimal("0.00042")]


def test_38_digit_values_are_exact_in_arrow():
    f = field(38, 2)
    big = Decimal("-" + "9" * 36 + ".99")
    n = from_values([big, Decimal("1.5"), None], f)
    arr = to_arrow(n)
    assert arr.type == pa.decimal128(38, 2)
    assert arr.to_pylist() == [big, Decimal("1.50"), None]


def test_decoded_column_builds_without_python_objects_and_round_trips_through_pandas():
    f = field(9, 2)
    data = packed.encode(from_values(["1.25", "-3", "0"], f), f, CodecOptions())
    arr = to_arrow(packed.decode(data, 0, f, CodecOptions()))
    series = pd.Series(arr, dtype=pd.ArrowDtype(arr.type))
    back = from_values(series, f)
    assert np.array_equal(back.values, np.array([125, -300, 0]))


def test_from_arrow_rescales_decimals_exactly():
    arr = pa.array([Decimal("1.5"), Decimal("-2")], pa.decimal128(5, 1))
    assert from_arrow(arr, field(7, 3)).values.tolist() == [1500, -2000]


def test_from_arrow_refuses_lost_decimal_places_unless_rounding():
    arr = pa.array([Decimal("1.005"), Decimal("-1.005")], pa.decimal128(6, 3))
    with pytest.raises(EncodeError, match=r"record 1, field REC.AMT PIC S9\(7\): value 1.005 has more than 2 decimal places"):
        from_arrow(arr, field(7, 2))
    assert from_arrow(arr, field(7, 2), rounding="half-up").values.tolist() == [101, -101]


def test_error_names_the_caller_row_numbers():
    with pytest.raises(EncodeError, match="record 42"):
        from_values([Decimal("0.001")], field(7, 2), rows=np.array([41]))


def test_floats_are_taken_as_their_shortest_decimal():
    assert from_values([0.1, 2.675, -1e-2], field(7, 3)).values.tolist() == [100, 2675, -10]


def test_float_with_more_places_needs_rounding():
    with pytest.raises(EncodeError, match="0.12345 has more than 4 decimal places"):
        from_values([0.12345], field(5, 4))


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), st.integers(0, 6))
def test_float_rounding_matches_decimal_half_up_of_the_exact_binary_value(x, scale):
    f = field(14, scale)
    shortest = Decimal(repr(x))
    exact = Decimal(x)
    q = Decimal(1).scaleb(-scale)
    expected = shortest if shortest == shortest.quantize(q) else exact.quantize(q, rounding=ROUND_HALF_UP)
    got = to_python(from_values([x], f, rounding="half-up"), 0)
    assert got == expected.quantize(q)


def test_nan_and_none_become_invalid_rows():
    n = from_values(pd.Series([1.5, np.nan, None]), field(5, 1))
    assert n.invalid.tolist() == [False, True, True]


def test_strings_parse_exactly():
    n = from_values(["12.50", " -3 ", "", None], field(9, 2))
    assert n.values.tolist() == [1250, -300, 0, 0]
    assert n.invalid.tolist() == [False, False, True, True]
    with pytest.raises(EncodeError, match="'abc' is not a number"):
        from_values(["abc"], field(9, 2))


def test_python_ints_beyond_64_bits_are_exact():
    n = from_values([10**30, -(10**30)], field(31))
    assert [to_python(n, i) for i in range(2)] == [10**30, -(10**30)]


def test_rescale_up_and_down():
    n = numbers([12345], 2, 7)
    assert rescale(n, 4).values.tolist() == [1234500]
    assert to_python(rescale(n, 1, rounding="half-up"), 0) == Decimal("123.5")
    with pytest.raises(EncodeError):
        rescale(n, 1)


def test_to_python_gives_decimal_int_float_or_none():
    assert to_python(numbers([-5], 2, 3), 0) == Decimal("-0.05")
    assert str(to_python(numbers([0], 2, 3), 0)) == "0.00"
    assert to_python(numbers([7], -2, 1), 0) == 700
    assert to_python(numbers([7], 0, 1, [True]), 0) is None


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 38), st.integers(0, 10), st.data())
def test_arrow_round_trip_is_exact_for_every_precision(digits, scale, data):
    scale = min(scale, digits)
    f = field(digits, scale, Kind.ZONED).with_changes(length=digits)
    top = 10**digits - 1
    ints = data.draw(st.lists(st.integers(-top, top), min_size=1, max_size=6))
    n = from_values(ints, f.with_changes(scale=0))
    n = Numbers(n.values, n.invalid, digits, scale, "decimal" if scale else "int")
    arr = to_arrow(n)
    back = from_arrow(arr, f)
    assert [to_python(back, i) for i in range(len(ints))] == [to_python(n, i) for i in range(len(ints))]
    raw = zoned.encode(back, f, CodecOptions())
    assert to_arrow(zoned.decode(raw, 0, f, CodecOptions())).equals(arr)
