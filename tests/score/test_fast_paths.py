"""The fast paths of scoring hold their simple counterparts: strings, drift bins, overlapped patching."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bridge
from bridge.records.api import patch_records, patch_stream, write_records
from bridge.score.drift import _binned
from bridge.score.model import _strings
from bridge.testing import fake_table
from tests.conftest import COPYBOOKS


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(max_size=6), max_size=40))
def test_output_strings_equal_a_plain_conversion(values):
    array = np.array(values, dtype="<U6") if values else np.array([], dtype="<U6")
    assert _strings(array).to_pylist() == [str(v) for v in array]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=False, width=32), max_size=60),
       st.lists(st.floats(-1e6, 1e6, width=32), min_size=1, max_size=9))
def test_drift_bins_equal_a_binary_search(values, edges):
    v = np.array(values, dtype=np.float64)
    e = np.sort(np.array(edges, dtype=np.float64))
    present = v[~np.isnan(v)]
    expected = np.append(np.bincount(np.searchsorted(e, present, side="left"), minlength=e.size + 1),
                         np.isnan(v).sum())
    assert _binned(e, v).tolist() == expected.tolist()


@pytest.fixture(scope="module")
def layout():
    return bridge.load_copybook(COPYBOOKS / "customer.cpy")


@pytest.fixture(scope="module")
def extract(tmp_path_factory, layout):
    path = tmp_path_factory.mktemp("fast") / "c.dat"
    write_records(fake_table(layout, 50, seed=8), path, layout)
    return path


def _new_band(batch):
    return pa.table({"SCORE-BAND": pa.array(["Z"] * batch.table.num_rows)})


def test_overlapped_patching_writes_the_same_file_as_plain_patching(tmp_path, layout, extract):
    patch_records(extract, tmp_path / "a.dat", layout, _new_band, columns=["SCORE-BAND"], batch_records=7)
    patch_stream(extract, tmp_path / "b.dat", layout, lambda b: None, lambda b, _: _new_band(b),
                 columns=["SCORE-BAND"], batch_records=7, ahead=3)
    assert (tmp_path / "a.dat").read_bytes() == (tmp_path / "b.dat").read_bytes()


def test_overlapped_patching_raises_a_start_error_after_finishing_every_earlier_batch(tmp_path, layout, extract):
    finished = []

    def start(batch):
        if batch.frame.first_record >= 21:
            raise RuntimeError("boom")

    def finish(batch, _):
        finished.append(batch.frame.first_record)
        return _new_band(batch)

    out = tmp_path / "c.dat"
    with pytest.raises(RuntimeError, match="boom"):
        patch_stream(extract, out, layout, start, finish, columns=["SCORE-BAND"], batch_records=7, ahead=2)
    assert finished == [0, 7, 14]
    assert not out.exists()  # a failed write leaves no half-written file under the real name
    assert not list(tmp_path.glob(".c.dat.part-*"))


class _FullDisk:
    """A binary file whose second write fails as a full disk does."""

    def __init__(self) -> None:
        self.writes = 0

    def write(self, data) -> int:
        self.writes += 1
        if self.writes == 2:
            raise OSError(28, "No space left on device")
        return len(data)

    def flush(self) -> None:
        pass


def test_a_failed_write_is_raised_even_when_a_later_batch_fails_too(layout, extract):
    def finish(batch, _):
        if batch.frame.first_record >= 14:
            raise RuntimeError("a later batch")
        return _new_band(batch)

    with pytest.raises(OSError, match="No space left"):
        patch_stream(extract, _FullDisk(), layout, lambda b: None, finish, columns=["SCORE-BAND"],
                     batch_records=7, ahead=1)


def test_a_failed_write_stops_the_patching(layout, extract):
    finished = []

    def finish(batch, _):
        finished.append(batch.frame.first_record)
        return _new_band(batch)

    with pytest.raises(OSError, match="No space left"):
        patch_stream(extract, _FullDisk(), layout, lambda b: None, finish, columns=["SCORE-BAND"],
                     batch_records=7, ahead=1)
    assert finished == [0, 7, 14]   # the batch patched while the failing write ran, and no further
