"""Patching coded text: a dictionary column writes the bytes its strings would, and refuses what they would."""
from __future__ import annotations

import io

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bridge.copybook import compile_copybook
from bridge.errors import EncodeError
from bridge.records.api import patch_records, write_records
from bridge.records.patch import MAX_CODED, coded_text, put_coded

REC = compile_copybook("""
       01 REC.
          05 KEY     PIC X(3).
          05 BAND    PIC X.
          05 STATUS  PIC XX.
          05 FILLER  PIC X(2).
""", name="rec.cpy")


def _records(n: int) -> bytes:
    out = io.BytesIO()
    write_records(pa.table({"KEY": [f"{i:03d}" for i in range(n)]}), out, REC)
    return out.getvalue()


def _patched(data: bytes, columns: dict, **kw) -> bytes:
    out = io.BytesIO()
    patch_records(data, out, REC, lambda batch: pa.table(columns), **kw)
    return out.getvalue()


@pytest.fixture(params=["numpy", "kernel"], autouse=True)
def coding_path(request, monkeypatch):
    """Every test runs on both ways of coding: numpy's sort (small inputs) and the kernel."""
    from bridge.records import patch
    if request.param == "kernel":
        monkeypatch.setattr(patch, "SMALL_CODED", -1)
    return request.param


def test_coded_text_gives_each_distinct_value_one_code_in_order_of_first_appearance():
    coded = coded_text(np.array(["B", "A", "B", "", "A"]))
    assert pa.types.is_dictionary(coded.type)
    assert coded.dictionary.to_pylist() == ["B", "A", ""]
    assert coded.indices.to_pylist() == [0, 1, 0, 2, 1]


def test_coded_text_of_a_table_reads_it_row_after_row():
    reasons = np.array([["R1", "R2"], ["R2", ""]])
    assert coded_text(reasons).to_pylist() == ["R1", "R2", "R2", ""]


def test_coded_text_with_more_distinct_values_than_it_codes_stays_plain_strings():
    values = np.array([f"V{i}" for i in range(MAX_CODED + 1)])
    plain = coded_text(values)
    assert plain.type == pa.string()
    assert plain.to_pylist() == values.tolist()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["", "A", "AB", "é", "ZZZ"]), min_size=0, max_size=60))
def test_coded_text_holds_the_same_strings(values):
    assert coded_text(np.array(values, dtype="<U3")).to_pylist() == values


def test_a_dictionary_column_is_patched_byte_for_byte_as_its_strings_are():
    data = _records(5)
    bands = ["A", "B", None, "A", ""]
    dictionary = pa.DictionaryArray.from_arrays(pa.array([0, 1, None, 0, 2], pa.int32()), pa.array(["A", "B", ""]))
    assert _patched(data, {"BAND": dictionary}) == _patched(data, {"BAND": pa.array(bands)})
    assert _patched(data, {"BAND": dictionary})[3:4] == "A".encode("cp037")
    assert _patched(data, {"BAND": dictionary})[19:20] == data[19:20]  # null: the record keeps its byte


def test_a_dictionary_value_that_does_not_fit_names_the_first_record_holding_it():
    dictionary = pa.DictionaryArray.from_arrays(pa.array([0, 0, 1, 1], pa.int32()), pa.array(["00", "TOO LONG"]))
    with pytest.raises(EncodeError, match="record 3, field STATUS.*more than the field's 2"):
        _patched(_records(4), {"STATUS": dictionary})


def test_a_dictionary_value_no_record_holds_is_never_written_nor_refused():
    dictionary = pa.DictionaryArray.from_arrays(pa.array([0, 0], pa.int32()), pa.array(["04", "TOO LONG"]))
    out = _patched(_records(2), {"STATUS": dictionary})
    assert out[4:6] == out[12:14] == "04".encode("cp037")


def test_a_coded_column_is_written_across_batches_with_the_rest_of_the_record_untouched():
    data = _records(20)
    codes = pa.DictionaryArray.from_arrays(pa.array(np.zeros(7, dtype=np.int32)), pa.array(["04"]))
    out = io.BytesIO()
    patch_records(data, out, REC,
                  lambda batch: pa.table({"STATUS": codes.slice(0, len(batch.frame.lengths))}), batch_records=7)
    result = out.getvalue()
    for i in range(20):
        assert result[i * 8 + 4:i * 8 + 6] == "04".encode("cp037")
        assert result[i * 8:i * 8 + 4] + result[i * 8 + 6:i * 8 + 8] == data[i * 8:i * 8 + 4] + data[i * 8 + 6:i * 8 + 8]


def test_put_coded_copies_each_rows_bytes_from_its_code_where_the_mask_is_set():
    matrix = np.zeros((3, 6), dtype=np.uint8)
    table = np.array([[1, 2], [3, 4]], dtype=np.uint8)
    put_coded(matrix, 2, table, np.array([1, 0, 1]), np.array([True, True, False]))
    assert matrix.tolist() == [[0, 0, 3, 4, 0, 0], [0, 0, 1, 2, 0, 0], [0, 0, 0, 0, 0, 0]]


def test_put_coded_refuses_a_matrix_it_could_only_write_a_copy_of():
    matrix = np.zeros((6, 3), dtype=np.uint8).T
    with pytest.raises(ValueError, match="C-ordered record matrix"):
        put_coded(matrix, 0, np.ones((1, 2), dtype=np.uint8), np.zeros(3, dtype=np.int64), np.ones(3, dtype=bool))
