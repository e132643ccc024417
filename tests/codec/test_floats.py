"""COMP-1/COMP-2: IBM hexadecimal floating point (vectors derived by hand) and IEEE 754."""
from __future__ import annotations

import math
import struct
from fractions import Fraction

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings, strategies as st

from bridge.codec import floats
from bridge.codec.numeric import Numbers, to_arrow
from bridge.codec.options import CodecOptions
from bridge.errors import EncodeError
from bridge.layout.model import Field, Kind

IBM = CodecOptions()
IEEE = CodecOptions(float_format="ieee")


def float_field(nbytes: int) -> Field:
    return Field(name="RATE", path=("REC", "RATE"), level=5, offset=0, length=nbytes, kind=Kind.FLOAT,
                 usage="COMP-1" if nbytes == 4 else "COMP-2")


def matrix(*rows: bytes) -> np.ndarray:
    return np.array([list(r) for r in rows], np.uint8)


def floats_of(*values: float) -> Numbers:
    return Numbers(np.array(values, np.float64), np.zeros(len(values), bool), 53, 0, "float")


def assert_codec(nbytes: int, options: CodecOptions, data: bytes, value: float) -> None:
    """Decode gives the value, encode gives the bytes back, and the length is the field's."""
    f = float_field(nbytes)
    assert floats.length(f) == len(data)
    n = floats.decode(matrix(data), 0, f, options)
    assert not n.invalid[0]
    assert n.values[0] == value and math.copysign(1, n.values[0]) == math.copysign(1, value)
    assert floats.encode(n, f, options).tobytes() == data
    assert floats.encode(floats_of(value), f, options).tobytes() == data


def hfp(data: bytes) -> Fraction:
    """The exact value of HFP bytes, from the definition: fraction * 16 ** (exponent - 64)."""
    sign = -1 if data[0] & 0x80 else 1
    frac = Fraction(int.from_bytes(data[1:], "big"), 2 ** (8 * (len(data) - 1)))
    return sign * frac * Fraction(16) ** ((data[0] & 0x7F) - 64)


def test_ibm_double_43142efccaf709b7_is_322_936717():
    value = float(hfp(bytes.fromhex("43142EFCCAF709B7")))
    assert abs(value - 322.936717) < 1e-12
    assert_codec(8, IBM, bytes.fromhex("43142EFCCAF709B7"), value)


def test_ibm_single_43142efc_is_exactly_330687_over_1024():
    assert hfp(bytes.fromhex("43142EFC")) == Fraction(330687, 1024)   # 322.9365234375
    assert_codec(4, IBM, bytes.fromhex("43142EFC"), 322.9365234375)


def test_ibm_double_with_exponent_zero_is_a_tiny_denormal():
    value = float(hfp(bytes.fromhex("00000000CAF709B7")))
    assert f"{value:.8E}" == "4.08114838E-85"
    assert_codec(8, IBM, bytes.fromhex("00000000CAF709B7"), value)


def test_ibm_simple_values():
    assert_codec(4, IBM, bytes.fromhex("41100000"), 1.0)
    assert_codec(4, IBM, bytes.fromhex("C1100000"), -1.0)
    assert_codec(8, IBM, bytes.fromhex("4110000000000000"), 1.0)
    assert_codec(4, IBM, bytes.fromhex("00000000"), 0.0)
    assert_codec(4, IBM, bytes.fromhex("80000000"), -0.0)


def test_ibm_single_rounds_to_nearest():
    # 0.1 = 0x0.1999999... : 24 bits round up to 0x19999A
    assert floats.encode(floats_of(0.1), float_field(4), IBM).tobytes() == bytes.fromhex("4019999A")


def test_ibm_overflow_and_nan_are_refused():
    with pytest.raises(EncodeError, match=r"record 2, field REC.RATE: value 1e\+76 is beyond the largest IBM"):
        floats.encode(floats_of(1.0, 1e76), float_field(8), IBM)
    with pytest.raises(EncodeError, match="not a finite number"):
        floats.encode(floats_of(math.nan), float_field(4), IBM)


def test_ieee_is_big_endian():
    assert_codec(8, IEEE, struct.pack(">d", -322.936717), -322.936717)
    assert_codec(4, IEEE, struct.pack(">f", 1.5), 1.5)


def test_ieee_single_is_float32_in_arrow_and_hfp_is_float64():
    assert to_arrow(floats.decode(matrix(struct.pack(">f", 1.5)), 0, float_field(4), IEEE)).type == pa.float32()
    assert to_arrow(floats.decode(matrix(bytes.fromhex("41100000")), 0, float_field(4), IBM)).type == pa.float64()


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=8, max_size=8), st.sampled_from([4, 8]))
def test_hfp_decode_is_the_correctly_rounded_exact_value(raw, nbytes):
    data = raw[:nbytes]
    n = floats.decode(matrix(data), 0, float_field(nbytes), IBM)
    exact = hfp(data)
    assert n.values[0] == float(exact)   # Fraction -> float rounds correctly


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=8, max_size=8), st.sampled_from([4, 8]))
def test_canonical_hfp_bytes_encode_back(raw, nbytes):
    data = bytearray(raw[:nbytes])
    data[1] |= 0x10                       # normalised: first hex digit of the fraction not zero
    if nbytes == 8:
        data[7] &= 0xF8 if data[1] >= 0x80 else 0xFC if data[1] >= 0x40 else 0xFE if data[1] >= 0x20 else 0xFF
    data = bytes(data)
    n = floats.decode(matrix(data), 0, float_field(nbytes), IBM)
    assert floats.encode(n, float_field(nbytes), IBM).tobytes() == data


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-7e75, max_value=7e75), st.sampled_from([4, 8]))
def test_hfp_encode_is_the_nearest_hfp_number(x, nbytes):
    f = float_field(nbytes)
    data = floats.encode(floats_of(x), f, IBM).tobytes()
    got = hfp(data)
    ulp = Fraction(16) ** ((data[0] & 0x7F) - 64) / 2 ** (8 * (nbytes - 1))
    assert abs(got - Fraction(x)) <= ulp / 2


@settings(max_examples=300, deadline=None)
@given(st.integers(-(2**53), 2**53), st.integers(-6, 12))
def test_decimals_become_the_correctly_rounded_float_on_the_columnar_path(unscaled, scale):
    from decimal import Decimal

    import numpy as np

    from bridge.codec.floats import _as_floats
    from bridge.codec.numeric import Numbers

    numbers = Numbers(np.array([unscaled], np.int64), np.zeros(1, bool), 18, scale, "decimal" if scale > 0 else "int")
    assert _as_floats(numbers)[0] == float(Decimal(unscaled).scaleb(-scale))


# ---- targeted vectors (the hfp() definition above is the oracle) -------------------------------
def test_a_float_item_of_another_size_is_refused_by_name():
    from bridge.errors import LayoutError

    f = float_field(4).with_changes(length=6)
    with pytest.raises(LayoutError, match="REC.RATE: a floating-point item has 4 or 8 bytes, not 6"):
        floats.decode(matrix(bytes(6)), 0, f, IBM)
    with pytest.raises(LayoutError, match="not 6"):
        floats.encode(floats_of(1.0), f, IBM)


@pytest.mark.parametrize("nbytes", [4, 8])
@pytest.mark.parametrize("options", [IBM, IEEE], ids=["hfp", "ieee"])
def test_a_float_is_read_at_its_offset(nbytes, options):
    data = (bytes.fromhex("C2640000") + bytes(4))[:nbytes] if options is IBM else struct.pack(">f" if nbytes == 4 else ">d", -100.0)
    n = floats.decode(matrix(b"\x41\x41" + data + b"\x41"), 2, float_field(nbytes), options)
    assert n.values.tolist() == [-100.0]


def test_hfp_values_below_the_smallest_normalised_number_become_denormal_then_zero():
    f = float_field(4)
    tiny = float(hfp(bytes.fromhex("00010000")))          # 16**-66: two hex digits lost
    assert tiny == 2.0 ** -264
    assert floats.encode(floats_of(tiny, -tiny), f, IBM).tobytes() == bytes.fromhex("00010000" "80010000")
    assert floats.encode(floats_of(1e-300, -1e-300), f, IBM).tobytes() == bytes.fromhex("00000000" "80000000")


def test_hfp_rounding_that_carries_into_a_new_hex_digit_raises_the_exponent():
    assert floats.encode(floats_of(1.0 - 2.0 ** -30), float_field(4), IBM).tobytes() == bytes.fromhex("41100000")
    assert floats.encode(floats_of(1.0 - 2.0 ** -60), float_field(8), IBM).tobytes() == \
        bytes.fromhex("4110000000000000")


def test_hfp_single_rounds_a_tie_to_the_even_fraction():
    # 1.0 is 41 100000: its last fraction bit is worth 2**-20, so 2**-21 more is a tie
    f = float_field(4)
    got = floats.encode(floats_of(1 + 2.0 ** -21, 1 + 3 * 2.0 ** -21, 1 + 2.0 ** -21 + 2.0 ** -40), f, IBM)
    assert got.tobytes() == bytes.fromhex("41100000" "41100002" "41100001")


def test_the_largest_hfp_number_is_written_and_one_that_rounds_past_it_is_refused():
    largest = float(hfp(bytes.fromhex("7FFFFFFF")))
    assert floats.encode(floats_of(largest, -largest), float_field(4), IBM).tobytes() == \
        bytes.fromhex("7FFFFFFF" "FFFFFFFF")
    with pytest.raises(EncodeError, match="beyond the largest IBM floating-point number"):
        floats.encode(floats_of(16.0 ** 63 * (1 - 2.0 ** -30)), float_field(4), IBM)
    with pytest.raises(EncodeError, match="record 1, field REC.RATE: value -inf is not a finite number"):
        floats.encode(floats_of(-math.inf), float_field(8), IBM)


def test_a_null_float_is_refused_on_encode():
    n = Numbers(np.array([1.0, 0.0]), np.array([False, True]), 53, 0, "float")
    with pytest.raises(EncodeError, match="record 2"):
        floats.encode(n, float_field(8), IBM)


def test_ieee_single_refuses_a_finite_value_beyond_float32_and_passes_infinities():
    with pytest.raises(EncodeError, match=r"record 2, field REC.RATE: value 1e\+39 is beyond the range of a 4-byte"):
        floats.encode(floats_of(1.0, 1e39), float_field(4), IEEE)
    assert floats.encode(floats_of(math.inf, 1e39), float_field(8), IEEE).tobytes() == \
        struct.pack(">d", math.inf) + struct.pack(">d", 1e39)
    assert floats.encode(floats_of(-math.inf), float_field(4), IEEE).tobytes() == struct.pack(">f", -math.inf)


def test_decimals_are_written_as_floats():
    from decimal import Decimal

    n = Numbers(np.array([-125, 3]), np.zeros(2, bool), 5, 2, "decimal")
    assert floats.encode(n, float_field(8), IEEE).tobytes() == struct.pack(">d", -1.25) + struct.pack(">d", 0.03)
    assert float(Decimal("0.03")) == 0.03


@pytest.mark.parametrize("unscaled, scale", [(2**60 + 1, 0), (2**53 + 1, 3), (2**53 + 1, 2), (2**53 + 3, 1),
                                              (-(2**53) - 5, 1), (7, 23), (12345, -23), (-(2**62), 2)])
def test_decimals_beyond_the_columnar_path_are_still_correctly_rounded(unscaled, scale):
    from decimal import Decimal

    from bridge.codec.floats import _as_floats

    numbers = Numbers(np.array([unscaled], np.int64), np.zeros(1, bool), 19, scale, "decimal" if scale > 0 else "int")
    assert _as_floats(numbers)[0] == float(Decimal(unscaled).scaleb(-scale))


def test_wide_decimals_become_correctly_rounded_floats():
    from decimal import Decimal

    from bridge.codec.floats import _as_floats
    from bridge.codec.numeric import to_wide

    v = 10**30 + 1
    numbers = Numbers(to_wide(np.array([0], np.int64)), np.zeros(1, bool), 31, 5, "decimal")
    numbers.values[0] = [v & (2**64 - 1), v >> 64]
    assert _as_floats(numbers)[0] == float(Decimal(v).scaleb(-5))


def test_values_just_below_the_smallest_hfp_denormal_are_written_as_zero():
    # 2**-292 (single) and 2**-324 (double) leave their 53-bit fraction exactly 64 bits below the field
    assert floats.encode(floats_of(2.0 ** -292, -(2.0 ** -292)), float_field(4), IBM).tobytes() == \
        bytes.fromhex("00000000" "80000000")
    assert floats.encode(floats_of(2.0 ** -324), float_field(8), IBM).tobytes() == bytes(8)
    smallest = float(hfp(bytes.fromhex("00000001")))
    assert floats.encode(floats_of(smallest), float_field(4), IBM).tobytes() == bytes.fromhex("00000001")


@pytest.mark.parametrize("nbytes, options, bits", [(4, IEEE, 24), (8, IEEE, 53), (4, IBM, 53), (8, IBM, 53)])
def test_the_precision_of_a_decoded_float_is_its_significand_in_bits(nbytes, options, bits):
    n = floats.decode(matrix(bytes(nbytes)), 0, float_field(nbytes), options)
    assert n.precision == bits and n.kind == "float" and not n.invalid.any()
