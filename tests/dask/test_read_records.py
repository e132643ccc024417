"""bridge.dask.read_records: every partition is what bridge.read_records gives for its bytes.

Run on Dask's synchronous scheduler (one process), with blocks small enough that every file
is cut into several partitions.
"""
from __future__ import annotations

import dask
import pandas as pd
import pytest

import bridge
import bridge.dask as bd
from bridge.dask.ranges import expand_inputs
from bridge.errors import FramingError, InvalidDataError
from tests.dask.files import (CUSTOMER, PAYMENT_OPTIONS, PAYMENTS, TEXT_LAYOUT, customer_file, payments_file,
                              text_file)

BLOCK = 16 * 1024


@pytest.fixture(autouse=True)
def synchronous():
    with dask.config.set(scheduler="synchronous"):
        yield


def _same_as_local(path, layout, partitions=3, **options):
    local = bridge.read_records(path, layout, **options)
    ddf = bd.read_records(str(path), layout, blocksize=BLOCK, index_cache=False, **options)
    assert ddf.npartitions >= partitions
    got = ddf.compute()
    summary = bd.read_summary(ddf).compute()
    pd.testing.assert_frame_equal(got.reset_index(drop=True), local)
    assert list(got.dtypes) == list(local.dtypes)
    assert summary.records == local.attrs["bridge"]["records"]
    assert summary.invalid == local.attrs["bridge"]["invalid"]
    return ddf


@pytest.mark.parametrize("recfm", ["F", "FB"])
def test_fixed_records_split_on_lrecl_read_as_one_file(tmp_path, recfm) -> None:
    _same_as_local(customer_file(tmp_path, recfm), CUSTOMER, recfm=recfm)


def test_fixed_partitions_start_at_multiples_of_lrecl(tmp_path) -> None:
    path = customer_file(tmp_path, "FB")
    files = expand_inputs(str(path))
    splits = bd.plan_splits(files, CUSTOMER, bridge.ReaderOptions(recfm="FB"), blocksize=BLOCK)
    assert all(s.start % CUSTOMER.length == 0 for s in splits)
    assert [s.first_record for s in splits] == [s.start // CUSTOMER.length for s in splits]
    assert splits[-1].end == path.stat().st_size


@pytest.mark.parametrize("bdw", [False, True])
def test_variable_records_split_on_the_record_index_read_as_one_file(tmp_path, bdw) -> None:
    _same_as_local(customer_file(tmp_path, "VB", bdw=bdw), CUSTOMER, recfm="VB", bdw=bdw)


def test_variable_partitions_start_on_an_rdw_and_know_their_record_number(tmp_path) -> None:
    path = customer_file(tmp_path, "VB")
    splits = bd.plan_splits(expand_inputs(str(path)), CUSTOMER, bridge.ReaderOptions(recfm="VB"),
                            blocksize=BLOCK, index_cache=False)
    data = path.read_bytes()
    offset, starts = 0, {}
    while offset < len(data):
        starts[offset] = len(starts)
        offset += int.from_bytes(data[offset:offset + 2], "big")
    assert len(splits) > 2
    assert all(starts[s.start] == s.first_record for s in splits)


def test_text_lines_split_at_line_ends_read_as_one_file(tmp_path) -> None:
    _same_as_local(text_file(tmp_path), TEXT_LAYOUT, recfm="TEXT", codepage="ascii")


def test_text_with_crlf_line_ends_keeps_each_cr_with_its_line(tmp_path) -> None:
    _same_as_local(text_file(tmp_path, newline=b"\r\n"), TEXT_LAYOUT, recfm="TEXT", codepage="ascii")


def test_multi_segment_file_reads_as_one_file(tmp_path) -> None:
    _same_as_local(payments_file(tmp_path), PAYMENTS, recfm="FB", **PAYMENT_OPTIONS)


def test_header_and_trailer_bytes_are_left_out_of_every_partition(tmp_path) -> None:
    path = customer_file(tmp_path, "FB")
    path.write_bytes(b"H" * 50 + path.read_bytes() + b"T" * 30)
    _same_as_local(path, CUSTOMER, recfm="FB", skip_header_bytes=50, skip_trailer_bytes=30)


def test_compressed_file_is_one_partition_read_as_one_file(tmp_path) -> None:
    import gzip

    path = customer_file(tmp_path, "FB")
    packed = tmp_path / "customer.fb.dat.gz"
    packed.write_bytes(gzip.compress(path.read_bytes()))
    ddf = bd.read_records(str(packed), CUSTOMER, blocksize=BLOCK, recfm="FB")
    assert ddf.npartitions == 1
    pd.testing.assert_frame_equal(ddf.compute().reset_index(drop=True), bridge.read_records(packed, CUSTOMER))


def test_a_glob_of_files_is_one_frame_with_the_file_name_on_request(tmp_path) -> None:
    first = customer_file(tmp_path, "FB", n=700, seed=1)
    second = first.with_name("more.fb.dat")
    second.write_bytes(customer_file(tmp_path, "F", n=500, seed=3).read_bytes())
    ddf = bd.read_records([str(first), str(second)], CUSTOMER, blocksize=BLOCK, include_path_column="file")
    got = ddf.compute().reset_index(drop=True)
    expected = pd.concat([bridge.read_records(first, CUSTOMER), bridge.read_records(second, CUSTOMER)],
                         ignore_index=True)
    pd.testing.assert_frame_equal(got.drop(columns="file"), expected)
    assert got["file"].tolist() == [str(first)] * 700 + [str(second)] * 500
    globbed = bd.read_records(str(tmp_path / "*.fb.dat"), CUSTOMER, blocksize=BLOCK).compute()
    assert len(globbed) == 700 + 2000 * 0 + len(bridge.read_records(tmp_path / "more.fb.dat", CUSTOMER))


def test_bad_data_in_a_later_partition_names_the_record_and_offset_of_the_whole_file(tmp_path) -> None:
    path = customer_file(tmp_path, "VB")
    data = bytearray(path.read_bytes())
    splits = bd.plan_splits(expand_inputs(str(path)), CUSTOMER, bridge.ReaderOptions(recfm="VB"),
                            blocksize=BLOCK, index_cache=False)
    bad = splits[2].start + 4 + CUSTOMER.record("CUSTOMER-REC").field("BALANCE").offset
    data[bad] = 0xAB
    path.write_bytes(bytes(data))
    with pytest.raises(InvalidDataError) as local:
        bridge.read_records(path, CUSTOMER, recfm="VB", on_invalid="error")
    with pytest.raises(InvalidDataError) as remote:
        bd.read_records(str(path), CUSTOMER, recfm="VB", on_invalid="error", blocksize=BLOCK,
                        index_cache=False).compute()
    assert str(remote.value) == str(local.value)
    assert f"record {splits[2].first_record + 1}" in str(remote.value)


def test_a_broken_rdw_gives_the_single_process_framing_error(tmp_path) -> None:
    path = customer_file(tmp_path, "VB", bdw=True)
    data = bytearray(path.read_bytes())
    data[len(data) // 2:len(data) // 2 + 4] = b"\xff\xff\xff\xff"
    path.write_bytes(bytes(data))
    with pytest.raises(FramingError) as local:
        bridge.read_records(path, CUSTOMER, recfm="VB", bdw=True)
    with pytest.raises(FramingError) as remote:
        bd.read_records(str(path), CUSTOMER, recfm="VB", bdw=True, blocksize=BLOCK, index_cache=False).compute()
    assert str(remote.value) == str(local.value)


def test_bad_data_in_a_later_text_partition_is_numbered_by_counting_the_lines_before_it(tmp_path) -> None:
    path = text_file(tmp_path)
    lines = path.read_bytes().split(b"\n")
    lines[2500] = lines[2500][:8] + b"X" + lines[2500][9:]
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(InvalidDataError) as local:
        bridge.read_records(path, TEXT_LAYOUT, recfm="TEXT", codepage="ascii", on_invalid="error")
    with pytest.raises(InvalidDataError) as remote:
        bd.read_records(str(path), TEXT_LAYOUT, recfm="TEXT", codepage="ascii", on_invalid="error",
                        blocksize=BLOCK).compute()
    assert str(remote.value) == str(local.value)
    assert "record 2501" in str(remote.value)


def test_a_text_file_with_a_long_run_without_line_ends_still_reads_as_one_file(tmp_path) -> None:
    path = text_file(tmp_path, n=400)
    lines = path.read_bytes().split(b"\n")
    lines[100] = b"000100+0000001" + b"A" * 40000   # longer than several blocks, and than LRECL
    path.write_bytes(b"\n".join(lines))
    layout_lrecl = {"recfm": "TEXT", "codepage": "ascii", "lrecl": 50000}
    _same_as_local(path, TEXT_LAYOUT, partitions=2, **layout_lrecl)


def test_text_split_never_starts_where_the_next_line_end_is_of_another_kind(tmp_path) -> None:
    from bridge.dask.splits import _line_start_after

    path = tmp_path / "mixed.txt"
    path.write_bytes(b"AAAA\nBB\x15CC\nDD\nEE")
    with open(path, "rb") as raw:
        # after the LF at 4 the next line end is an NL: the first safe start is after the LF at 10
        assert _line_start_after(raw, 0, path.stat().st_size, 0x0A, file_end=True) == 11
        assert _line_start_after(raw, 11, path.stat().st_size, 0x0A, file_end=True) == 14
        assert _line_start_after(raw, 14, path.stat().st_size, 0x0A, file_end=True) is None
