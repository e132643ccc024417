"""The V/VB record index: header walk, BDW block skipping, and its cache keyed by size and mtime."""
from __future__ import annotations

import os

import numpy as np

from bridge.dask.ranges import expand_inputs
from bridge.dask.record_index import record_index
from bridge.frame import FrameOptions
from tests.dask.files import customer_file


def _starts(data: bytes) -> list[int]:
    offset, starts = 0, []
    while offset < len(data):
        starts.append(offset)
        offset += int.from_bytes(data[offset:offset + 2], "big")
    return starts


def test_the_index_holds_record_starts_at_least_a_stride_apart_with_their_record_numbers(tmp_path) -> None:
    path = customer_file(tmp_path, "VB", n=800)
    starts = _starts(path.read_bytes())
    (f,) = expand_inputs(str(path))
    index = record_index(f, FrameOptions(recfm="VB"), 0, f.size, stride=4096, cache_dir=False)
    assert index.offsets[0] == 0 and len(index) > 5
    assert [starts[r] for r in index.records] == index.offsets.tolist()
    assert np.all(np.diff(index.offsets) >= 4096)


def test_with_bdws_the_index_holds_block_starts(tmp_path) -> None:
    path = customer_file(tmp_path, "VB", n=800, bdw=True)
    data = path.read_bytes()
    blocks = _starts(data)   # a BDW's length is read like an RDW's
    (f,) = expand_inputs(str(path))
    index = record_index(f, FrameOptions(recfm="VB", bdw=True), 0, f.size, stride=1, cache_dir=False)
    assert index.offsets.tolist() == blocks


def test_the_index_stops_before_a_bad_rdw(tmp_path) -> None:
    path = customer_file(tmp_path, "VB", n=800)
    data = bytearray(path.read_bytes())
    bad = _starts(bytes(data))[400]
    data[bad + 2] = 0x99
    path.write_bytes(bytes(data))
    (f,) = expand_inputs(str(path))
    index = record_index(f, FrameOptions(recfm="VB"), 0, f.size, stride=1, cache_dir=False)
    assert len(index) == 400 and index.offsets[-1] < bad


def test_a_second_read_of_an_unchanged_file_uses_the_private_cache(tmp_path, monkeypatch) -> None:
    import bridge.dask.record_index as module

    path = customer_file(tmp_path, "VB", n=800)
    (f,) = expand_inputs(str(path))
    first = record_index(f, FrameOptions(recfm="VB"), 0, f.size, stride=4096, cache_dir=tmp_path / "cache")
    (cached,) = (tmp_path / "cache").iterdir()
    assert cached.stat().st_mode & 0o777 == 0o600

    def no_walk(*args):
        raise AssertionError("the cached index was not used")

    monkeypatch.setattr(module, "_build", no_walk)
    again = record_index(f, FrameOptions(recfm="VB"), 0, f.size, stride=4096, cache_dir=tmp_path / "cache")
    assert again.offsets.tolist() == first.offsets.tolist()


def test_a_changed_file_is_indexed_again(tmp_path) -> None:
    path = customer_file(tmp_path, "VB", n=800)
    (f,) = expand_inputs(str(path))
    record_index(f, FrameOptions(recfm="VB"), 0, f.size, stride=4096, cache_dir=tmp_path / "cache")
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])
    os.utime(path, (1, 1))
    (g,) = expand_inputs(str(path))
    index = record_index(g, FrameOptions(recfm="VB"), 0, g.size, stride=4096, cache_dir=tmp_path / "cache")
    assert index.offsets[-1] < g.size
    assert len(list((tmp_path / "cache").iterdir())) == 2


def test_a_damaged_cache_file_is_recomputed(tmp_path) -> None:
    path = customer_file(tmp_path, "VB", n=800)
    (f,) = expand_inputs(str(path))
    first = record_index(f, FrameOptions(recfm="VB"), 0, f.size, stride=4096, cache_dir=tmp_path / "cache")
    (cached,) = (tmp_path / "cache").iterdir()
    cached.write_bytes(b"not an index")
    again = record_index(f, FrameOptions(recfm="VB"), 0, f.size, stride=4096, cache_dir=tmp_path / "cache")
    assert again.offsets.tolist() == first.offsets.tolist()
