"""Shifted OCCURS DEPENDING ON tables decoded a batch at a time (issue 10).

Every row of a batch is placed by its own counts and each table item is decoded once for the
whole batch, whatever mix of counts the batch holds; occurrences past a row's count are null,
with tables shifted or kept at their full size (``odo_placement="max"``). The rows must equal what the per-record reference codec (`bridge.codec.reference`, which lays each
record out with `Record.resolve`) decodes from the same bytes.
"""
from __future__ import annotations

import re
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridge.codec.options import CodecOptions
from bridge.codec.reference import reference_codec
from bridge.copybook import compile_copybook
from bridge.errors import InvalidDataError
from bridge.records.api import read_table
from bridge.records.plan import column_names

ITEM_PICTURES = ["PIC X(3)", "PIC 9(4)", "PIC S9(5)V99 COMP-3", "PIC S9(4) COMP", "PIC S9(3)V9",
                 "PIC 9(9) COMP", "PIC X(1)"]
COUNT_PICTURES = ["PIC 9(2)", "PIC S9(4) COMP", "PIC 9(3) COMP-3"]
BYTE = st.one_of(st.sampled_from([0x40, 0x00, 0xFF, 0xF0, 0xF3, 0xF9, 0xC1, 0x0C, 0x1D, 0x5C]), st.integers(0, 255))


@st.composite
def odo_copybooks(draw) -> str:
    """One or two ODO tables (counts at fixed offsets before them), items between and after,
    sometimes an ODO table inside a fixed OCCURS group or a fixed OCCURS inside an ODO table."""
    tables = draw(st.integers(1, 2))
    lines = ["01 REC."]
    if draw(st.booleans()):
        lines.append(f"   05 HEAD {draw(st.sampled_from(ITEM_PICTURES))}.")
    for t in range(tables):
        lines.append(f"   05 N{t} {draw(st.sampled_from(COUNT_PICTURES))}.")
    for t in range(tables):
        low = draw(st.integers(0, 2))
        high = draw(st.integers(max(low, 1), 9))
        items = draw(st.lists(st.sampled_from(ITEM_PICTURES), min_size=1, max_size=3))
        if t == 1 and draw(st.booleans()):
            lines.append("   05 BOX OCCURS 2.")
            lines.append(f"      10 T{t} OCCURS {low} TO {high} DEPENDING ON N{t}.")
            lines += [f"         15 I{t}{i} {pic}." for i, pic in enumerate(items)]
        else:
            # sometimes an item repeats inside each element (a fixed OCCURS in the ODO table)
            inner = draw(st.sampled_from(["", "", " OCCURS 2", " OCCURS 3"]))
            lines.append(f"   05 T{t} OCCURS {low} TO {high} DEPENDING ON N{t}.")
            lines += [f"      10 I{t}{i} {pic}{inner if i == 0 else ''}." for i, pic in enumerate(items)]
        if draw(st.booleans()):
            lines.append(f"   05 MID{t} {draw(st.sampled_from(ITEM_PICTURES))}.")
    lines.append(f"   05 TAIL {draw(st.sampled_from(ITEM_PICTURES))}.")
    return "\n".join("       " + line for line in lines) + "\n"


def _column(names: dict, slot) -> str:
    subs = re.findall(r"\((\d+)\)", slot.key)
    base = names[slot.field.path]
    return f"{base}({','.join(subs)})" if subs else base


def _as_comparable(value):
    return Decimal(value) if isinstance(value, (int, Decimal)) else value


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_row_of_a_batch_equals_the_reference_codec_whatever_its_counts(data):
    layout = compile_copybook(data.draw(odo_copybooks()), name="odo.cpy")
    record = layout.record()
    placement = data.draw(st.sampled_from(["shift", "max"]))
    ref = reference_codec(record, CodecOptions(), odo_placement=placement)
    objects = [next(f for f in record.fields if f.path == p) for p in record.odo_objects]
    bounds = [next(d for f in record.fields for d in f.dims if d.depending_path == o.path) for o in objects]
    rows = []
    for _ in range(data.draw(st.integers(1, 12))):
        counts = {o.path: data.draw(st.integers(b.min, b.max)) for o, b in zip(objects, bounds)}
        size = record.resolve(counts).length if placement == "shift" else record.length
        raw = bytearray(data.draw(st.lists(BYTE, min_size=size, max_size=size)))
        for o in objects:
            raw[o.offset:o.end] = ref.construct(o).build(counts[o.path])
        # some records end early (a short V record): cut anywhere after the counts
        floor = max(o.end for o in objects)
        cut = data.draw(st.sampled_from([size, size, data.draw(st.integers(floor, size))]))
        rows.append(bytes(raw[:cut]))
    framed = b"".join((len(r) + 4).to_bytes(2, "big") + b"\0\0" + r for r in rows)

    table, _ = read_table(framed, layout, recfm="V", odo_placement=placement,
                          batch_records=data.draw(st.sampled_from([1, 3, 64])))

    names = column_names(layout)
    assert table.num_rows == len(rows)
    for i, raw in enumerate(rows):
        present = set()
        for slot in ref.slots(raw):
            if slot.field.is_filler:
                continue
            name = _column(names, slot)
            present.add(name)
            expected = ref.decode(raw)[slot.key]
            got = table.column(name)[i].as_py()
            assert _as_comparable(got) == _as_comparable(expected), (name, i, raw.hex())
        for name in table.column_names:
            if name not in present:
                assert table.column(name)[i].as_py() is None, (name, i, raw.hex())


TRANSACTIONS = compile_copybook("""
       01 TXN-REC.
          05 ACCT      PIC X(4).
          05 CNT       PIC S9(4) COMP.
          05 TXN OCCURS 0 TO 50 TIMES DEPENDING ON CNT.
             10 AMT    PIC S9(5)V99 COMP-3.
             10 KIND   PIC X(2).
          05 TOTAL     PIC S9(7)V99 COMP-3.
""", name="txn.cpy")


def _txn(acct: str, amounts: list[int], total: int, count: int | None = None) -> bytes:
    body = acct.encode("cp037") + (len(amounts) if count is None else count).to_bytes(2, "big", signed=True)
    for a in amounts:
        digits = f"{abs(a):07d}"
        body += bytes.fromhex(digits + ("d" if a < 0 else "c")) + "PU".encode("cp037")
    digits = f"{abs(total):09d}"
    body += bytes.fromhex(digits + ("d" if total < 0 else "c"))
    return (len(body) + 4).to_bytes(2, "big") + b"\0\0" + body


def _recording_decodes(monkeypatch) -> list[tuple[str, int]]:
    import bridge.records.decode as decode

    calls: list[tuple[str, int]] = []
    real = decode.decode_column

    def record(matrix, offset, field, *args, **kwargs):
        calls.append((field.name, matrix.shape[0]))
        return real(matrix, offset, field, *args, **kwargs)

    monkeypatch.setattr(decode, "decode_column", record)
    # the items of a table of fixed-size elements are decoded by `_decode_item` (a decimal there
    # stays int64 until it is spread, so it never reaches decode_column)
    item = decode._decode_item

    def record_item(matrix, offset, field, *args, **kwargs):
        if not decode.is_string(field):   # a string goes on to decode_column, recorded there
            calls.append((field.name, matrix.shape[0]))
        return item(matrix, offset, field, *args, **kwargs)

    monkeypatch.setattr(decode, "_decode_item", record_item)
    return calls


def test_a_batch_of_fifty_distinct_counts_decodes_each_table_item_in_one_call(monkeypatch):
    calls = _recording_decodes(monkeypatch)
    data = b"".join(_txn(f"A{c:03d}", [c * 100 + j for j in range(c)], c) for c in range(51))

    table, _ = read_table(data, TRANSACTIONS, recfm="V")

    assert table.num_rows == 51
    # never once per distinct count, nor once per occurrence: every cell the rows hold, in one call
    assert [name for name, _ in calls].count("TOTAL") == 1
    assert [rows for name, rows in calls if name == "AMT"] == [sum(range(51))]
    assert table.column("TOTAL").to_pylist() == [Decimal(c) / 100 for c in range(51)]
    assert table.column("AMT(50)").to_pylist() == [None] * 50 + [Decimal(5049) / 100]
    assert table.column("AMT(1)").to_pylist() == [None] + [Decimal(c * 100) / 100 for c in range(1, 51)]


def test_occurrences_past_a_rows_count_are_null_without_being_decoded(monkeypatch):
    calls = _recording_decodes(monkeypatch)
    data = _txn("A001", [1, 2], 3) + _txn("A002", [4], 4)

    table, _ = read_table(data, TRANSACTIONS, recfm="V")

    assert [rows for name, rows in calls if name == "AMT"] == [3]     # AMT(1) twice, AMT(2) once
    assert table.column("AMT(2)").to_pylist() == [Decimal("0.02"), None]
    assert table.column("AMT(3)").null_count == 2
    assert table.column("KIND(2)").to_pylist() == ["PU", None]
    assert table.column("TOTAL").to_pylist() == [Decimal("0.03"), Decimal("0.04")]


def test_a_bad_count_nulls_that_rows_table_and_tail_and_leaves_its_neighbours_alone():
    data = _txn("A001", [1, 2], 3) + _txn("A002", [], 9, count=77) + _txn("A003", [5], 6)

    table, summary = read_table(data, TRANSACTIONS, recfm="V")

    assert table.column("ACCT").to_pylist() == ["A001", "A002", "A003"]
    assert table.column("CNT").to_pylist() == [2, None, 1]
    assert table.column("AMT(1)").to_pylist() == [Decimal("0.01"), None, Decimal("0.05")]
    assert table.column("TOTAL").to_pylist() == [Decimal("0.03"), None, Decimal("0.06")]
    assert summary.invalid == {"CNT": 1}


def test_a_bad_count_under_on_invalid_error_names_the_count_and_its_range():
    data = _txn("A001", [1], 1) + _txn("A002", [], 9, count=77)

    with pytest.raises(InvalidDataError, match=r"count 77 is outside 0 TO 50 for table TXN") as err:
        read_table(data, TRANSACTIONS, recfm="V", on_invalid="error")
    assert "record 2" in str(err.value)


def test_invalid_bytes_inside_the_count_are_counted_only_where_the_row_holds_the_occurrence():
    good = _txn("A001", [1, 2], 3)
    # the second row holds one element, whose amount is spaces; its second element does not exist
    bad = bytearray(_txn("A002", [4], 4))
    bad[4 + 6:4 + 10] = b"\x40" * 4
    table, summary = read_table(good + bytes(bad), TRANSACTIONS, recfm="V")

    assert table.column("AMT(1)").to_pylist() == [Decimal("0.01"), None]
    assert table.column("TOTAL").to_pylist() == [Decimal("0.03"), Decimal("0.04")]
    assert summary.invalid == {"AMT(1)": 1}
    assert np.asarray(table.column("AMT(2)").is_null()).tolist() == [False, True]


def test_the_elements_of_a_table_are_copied_once_per_batch_for_all_its_items(monkeypatch):
    import bridge.records.cells as cells

    copies: list[tuple[int, int]] = []
    real = cells.gather_elements

    def record(matrix, starts, held, stride, width):
        copies.append((int(held.sum()), width))
        return real(matrix, starts, held, stride, width)

    monkeypatch.setattr(cells, "gather_elements", record)
    data = b"".join(_txn(f"A{c:03d}", [c * 10 + j for j in range(c)], c) for c in (3, 0, 7, 1))

    table, _ = read_table(data, TRANSACTIONS, recfm="V")

    assert copies == [(11, 4 + 2)]      # 11 elements held, AMT and KIND read from one copy of each
    assert table.column("AMT(7)").to_pylist() == [None, None, Decimal("0.76"), None]
    assert table.column("KIND(3)").to_pylist() == ["PU", None, "PU", None]


def test_some_occurrences_of_a_table_asked_for_by_name_decode_alone():
    data = _txn("A001", [1, 2, 3], 6) + _txn("A002", [4], 4)

    table, _ = read_table(data, TRANSACTIONS, recfm="V", columns=["AMT(2)", "TOTAL"])

    assert table.column_names == ["AMT(2)", "TOTAL"]
    assert table.column("AMT(2)").to_pylist() == [Decimal("0.02"), None]
    assert table.column("TOTAL").to_pylist() == [Decimal("0.06"), Decimal("0.04")]


def test_a_record_that_ends_inside_its_table_keeps_the_elements_it_holds_whole():
    whole = _txn("A001", [1, 2], 3)
    short = _txn("A002", [4, 5, 6], 7)
    cut = (len(short) - 5 - 2).to_bytes(2, "big") + short[2:len(short) - 5 - 2]  # ends inside element 3

    table, _ = read_table(whole + cut, TRANSACTIONS, recfm="V")

    assert table.column("AMT(2)").to_pylist() == [Decimal("0.02"), Decimal("0.05")]
    assert table.column("AMT(3)").to_pylist() == [None, Decimal("0.06")]
    assert table.column("KIND(3)").to_pylist() == [None, None]
    assert table.column("TOTAL").to_pylist() == [Decimal("0.03"), None]


def test_a_count_that_is_not_a_number_reads_as_zero_and_invalid():
    from bridge.codec.column import decode_column
    from bridge.records.decode import count_numbers

    layout = compile_copybook("       01 R.\n          05 N PIC 9(2).\n", name="n.cpy")
    field = layout.record().field("N")
    matrix = np.frombuffer(b"\xf0\xf7\x40\x40\xf4\xf2", dtype=np.uint8).reshape(3, 2)

    numbers, invalid = count_numbers(decode_column(matrix, 0, field, CodecOptions()))

    assert numbers.tolist() == [7, 0, 42]
    assert invalid.tolist() == [False, True, False]


def test_a_fixed_occurs_inside_each_element_is_read_from_the_same_copy_of_the_elements(monkeypatch):
    import bridge.records.cells as cells

    layout = compile_copybook("""
       01 REC.
          05 N        PIC 9(1).
          05 OUTER OCCURS 0 TO 3 DEPENDING ON N.
             10 AMT   PIC 9(2) OCCURS 2.
             10 CODE  PIC X(1).
          05 TAIL     PIC X(2).
""", name="inner.cpy")
    copies: list[int] = []
    real = cells.gather_elements
    monkeypatch.setattr(cells, "gather_elements",
                        lambda m, s, h, stride, w: copies.append(int(h.sum())) or real(m, s, h, stride, w))
    records = ["2" + "0102A" + "0304B" + "ZZ", "1" + "0506C" + "YY", "0" + "XX"]
    data = b"".join((len(r) + 4).to_bytes(2, "big") + b"\0\0" + r.encode("cp037") for r in records)

    table, _ = read_table(data, layout, recfm="V")

    assert copies == [3]
    assert table.column("AMT(1,1)").to_pylist() == [1, 5, None]
    assert table.column("AMT(2,2)").to_pylist() == [4, None, None]
    assert table.column("CODE(2)").to_pylist() == ["B", None, None]
    assert table.column("TAIL").to_pylist() == ["ZZ", "YY", "XX"]
