"""bridge.dask.decode_to_folder: one file per partition, together the single-process decode, appearing only when complete."""
from __future__ import annotations

import json
import os

import dask
import pandas as pd
import pyarrow.parquet as pq
import pytest

import bridge
import bridge.dask as bd
from bridge.errors import InvalidDataError, TransportError
from tests.dask.files import CUSTOMER, customer_file

BLOCK = 16 * 1024


@pytest.fixture(autouse=True)
def synchronous():
    with dask.config.set(scheduler="synchronous"):
        yield


def test_a_parquet_dataset_of_the_partitions_reads_back_as_the_single_process_frame(tmp_path) -> None:
    path = customer_file(tmp_path, "VB")
    summary = bd.decode_to_folder(str(path), CUSTOMER, tmp_path / "out", recfm="VB", blocksize=BLOCK, index_cache=False)
    parts = sorted(os.listdir(tmp_path / "out"))
    assert len(parts) > 2 and parts[0] == "part-000000.parquet"
    got = pq.read_table(tmp_path / "out").to_pandas(types_mapper=pd.ArrowDtype)
    pd.testing.assert_frame_equal(got, bridge.read_records(path, CUSTOMER, recfm="VB"))
    assert summary.records == 2000
    assert all((tmp_path / "out" / p).stat().st_mode & 0o777 == 0o600 for p in parts)


def test_json_lines_parts_concatenate_to_the_single_process_lines(tmp_path) -> None:
    path = customer_file(tmp_path, "FB", n=600)
    bd.decode_to_folder(str(path), CUSTOMER, tmp_path / "out", to="jsonl", recfm="FB", blocksize=BLOCK)
    lines = [json.loads(line) for p in sorted((tmp_path / "out").iterdir()) for line in p.read_text().splitlines()]
    assert len(lines) == 600
    assert lines[599]["CUST-ID"] == int(bridge.read_records(path, CUSTOMER)["CUST-ID"].iloc[599])


def test_a_failed_decode_leaves_no_folder_behind(tmp_path) -> None:
    path = customer_file(tmp_path, "FB", n=600)
    data = bytearray(path.read_bytes())
    data[500 * CUSTOMER.length + CUSTOMER.record("CUSTOMER-REC").field("BALANCE").offset] = 0xAB
    path.write_bytes(bytes(data))
    with pytest.raises(InvalidDataError, match="record 501"):
        bd.decode_to_folder(str(path), CUSTOMER, tmp_path / "out", on_invalid="error", blocksize=BLOCK)
    assert not [p for p in os.listdir(tmp_path) if "out" in p]


def test_an_existing_output_folder_is_refused(tmp_path) -> None:
    (tmp_path / "out").mkdir()
    with pytest.raises(TransportError, match="already exists"):
        bd.decode_to_folder(str(customer_file(tmp_path, "FB", n=10)), CUSTOMER, tmp_path / "out")
