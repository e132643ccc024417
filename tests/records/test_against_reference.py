"""The columnar path held against the per-record construct reference codec, over generated layouts.

Hypothesis writes a copybook (random mix of storage types, signs, scales, SIGN SEPARATE,
OCCURS), compiles it, and fills records with bytes biased toward what real files hold
(spaces, low-values, digits, sign nibbles) and garbage. Every value `read_records` returns
must equal what `bridge.codec.reference` decodes from the same record, invalid (None/null)
included, and `round_trip` must give back identical bytes, valid and invalid values alike.
"""
from __future__ import annotations

from decimal import Decimal

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridge.codec.options import CodecOptions
from bridge.codec.reference import reference_codec
from bridge.copybook import compile_copybook
from bridge.records.api import read_table
from bridge.records.roundtrip import round_trip


@st.composite
def items(draw, index: int) -> str:
    name = f"F{index:02d}"
    kind = draw(st.sampled_from(["x", "zoned", "packed", "binary", "comp5", "float", "sepsign"]))
    occurs = draw(st.sampled_from(["", "", "", " OCCURS 2", " OCCURS 3"]))
    if kind == "x":
        return f"05 {name} PIC X({draw(st.integers(1, 12))}){occurs}."
    if kind == "float":
        return f"05 {name} {draw(st.sampled_from(['COMP-1', 'COMP-2']))}{occurs}."
    signed = draw(st.booleans())
    whole = draw(st.integers(1, 9))
    frac = draw(st.integers(0, min(4, 18 - whole)))
    pic = ("S" if signed else "") + f"9({whole})" + (f"V9({frac})" if frac else "")
    usage = {"zoned": "", "packed": " COMP-3", "binary": " COMP", "comp5": " COMP-5",
             "sepsign": ""}[kind]
    sign = ""
    if kind == "sepsign":
        pic = f"S9({whole})" + (f"V9({frac})" if frac else "")
        sign = draw(st.sampled_from([" SIGN LEADING SEPARATE", " SIGN TRAILING SEPARATE", " SIGN LEADING"]))
    return f"05 {name} PIC {pic}{usage}{sign}{occurs}."


@st.composite
def copybooks(draw) -> str:
    n = draw(st.integers(1, 6))
    lines = ["01 GEN-REC."] + [draw(items(i)) for i in range(n)]
    return "\n".join("       " + line for line in lines) + "\n"


BYTE = st.one_of(st.sampled_from([0x40, 0x00, 0xFF, 0xF0, 0xF5, 0xF9, 0xC3, 0xD7, 0x0C, 0x1D, 0x4E, 0x60]),
                 st.integers(0, 255))


def _column_key(key: str) -> str:
    return key.split(".", 1)[1]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_columnar_decode_equals_the_reference_codec_on_generated_layouts_and_bytes(data):
    text = data.draw(copybooks())
    layout = compile_copybook(text, name="gen.cpy")
    record = layout.record()
    n = data.draw(st.integers(1, 5))
    raw = bytes(data.draw(st.lists(BYTE, min_size=n * record.length, max_size=n * record.length)))
    table, _ = read_table(raw, layout)
    ref = reference_codec(record, CodecOptions())
    for i in range(n):
        expected = ref.decode(raw[i * record.length:(i + 1) * record.length])
        for key, value in expected.items():
            got = table.column(_column_key(key))[i].as_py()
            if isinstance(value, float) or isinstance(got, float):
                assert (value is None and got is None) or np.isclose(float(value), float(got), rtol=1e-6,
                                                                     equal_nan=True), (text, key, raw.hex())
            else:
                assert (Decimal(got) if isinstance(got, (int, Decimal)) else got) == \
                    (Decimal(value) if isinstance(value, (int, Decimal)) else value), (text, key, i, raw.hex())


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_decode_then_encode_gives_back_every_byte_of_generated_files(data):
    text = data.draw(copybooks())
    layout = compile_copybook(text, name="gen.cpy")
    record = layout.record()
    n = data.draw(st.integers(1, 5))
    raw = bytes(data.draw(st.lists(BYTE, min_size=n * record.length, max_size=n * record.length)))
    result = round_trip(raw, layout, trim="none")
    assert result.identical, (text, raw.hex(), result.first_difference, result.framing_difference)
