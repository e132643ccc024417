"""Property: for any copybook of the usual item kinds, ``fake`` then ``roundtrip`` is byte-identical (issue 9)."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from tests.fake.roundtrips import assert_round_trips, fake_bytes, read

PICTURES = st.one_of(
    st.integers(1, 30).map(lambda n: f"PIC X({n})"),
    st.integers(1, 18).map(lambda n: f"PIC 9({n})"),
    st.tuples(st.integers(1, 10), st.integers(0, 5)).map(lambda t: f"PIC S9({t[0]})V9({t[1]}) COMP-3"
                                                         if t[1] else f"PIC S9({t[0]}) COMP-3"),
    st.integers(1, 18).map(lambda n: f"PIC S9({n}) COMP"),
    st.integers(1, 9).map(lambda n: f"PIC 9({n}) COMP-5"),
    st.integers(1, 9).map(lambda n: f"PIC S9({n})V99"),
    st.just("PIC S9(5) SIGN LEADING SEPARATE"),
    st.sampled_from(["PIC -Z(4)9.99", "PIC ZZZ9", "PIC 9(3).99CR", "PIC +9(5)", "PIC S9(3).99", "PIC $$$,$$9.99"]),
    st.sampled_from(["COMP-1", "COMP-2"]),
    st.integers(1, 5).map(lambda n: f"PIC G({n})"),
    st.integers(1, 5).map(lambda n: f"PIC N({n})"),
    st.sampled_from(["PIC X(2). 88 OK-ST VALUE 'OK' 'NO'", "PIC 9(2). 88 LOW VALUE 1 THRU 9",
                     "PIC X. 88 FLAG-ON VALUE X'01'", "PIC 9(8)", "PIC X(10)"]),
)


@st.composite
def copybooks(draw) -> str:
    items = draw(st.lists(st.tuples(PICTURES, st.integers(1, 3), st.booleans()), min_size=1, max_size=8))
    lines = ["01 R."]
    for i, (picture, times, repeat) in enumerate(items):
        name = "DATE-F" if picture == "PIC 9(8)" else f"F{i}"
        if repeat and "88" not in picture:
            lines.append(f"05 G{i} OCCURS {times}. 10 {name} {picture}.")
        else:
            lines.append(f"05 {name} {picture}.")
    if draw(st.booleans()):
        lines.append(f"05 CNT PIC 9(2). 05 T OCCURS 0 TO {draw(st.integers(1, 5))} DEPENDING ON CNT. 10 V PIC X(2).")
    return " ".join(lines)


@settings(max_examples=30, deadline=None)
@given(text=copybooks(), n=st.integers(0, 30), recfm=st.sampled_from(["F", "V"]),
       codepage=st.sampled_from(["cp037", "cp500", "cp1140", "cp273"]), seed=st.integers(0, 2**16))
def test_fake_then_roundtrip_is_byte_identical_for_any_copybook(text, n, recfm, codepage, seed):
    data, summary = fake_bytes(text, n, recfm=recfm, codepage=codepage, seed=seed)
    assert summary.records == n
    assert read(text, data, recfm=recfm, codepage=codepage).num_rows == n
    assert_round_trips(text, data, n, recfm=recfm, codepage=codepage)
