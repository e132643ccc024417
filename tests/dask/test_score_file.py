"""bridge.dask.score_file: the scored file is byte-identical to the single-process one, the report equal.

Run on Dask's synchronous scheduler with small blocks, so every file is several partitions.
"""
from __future__ import annotations

import copy
import os

import dask
import pytest

import bridge.dask as bd
from bridge.errors import InvalidDataError
from bridge.score.file import score_file as score_local
from tests.dask.files import CUSTOMER, customer_file

BLOCK = 16 * 1024


@pytest.fixture(autouse=True)
def synchronous():
    with dask.config.set(scheduler="synchronous"):
        yield


def _both(path, model_dir, tmp_path, **options):
    local_out, dask_out = tmp_path / "local.out", tmp_path / "dask.out"
    local = score_local(path, local_out, CUSTOMER, model_dir, report_path=tmp_path / "local.json", **options)
    remote = bd.score_file(str(path), CUSTOMER, model_dir, str(dask_out), blocksize=BLOCK, index_cache=False,
                           report_path=tmp_path / "dask.json", **options)
    assert remote.partitions > 2
    return local, remote, local_out.read_bytes(), dask_out.read_bytes()


@pytest.mark.parametrize("recfm, extra", [("FB", {}), ("VB", {}), ("VB", {"bdw": True})])
def test_scored_file_is_byte_identical_to_the_single_process_score(tmp_path, model_dir, recfm, extra) -> None:
    path = customer_file(tmp_path, recfm, n=1500, **extra)
    local, remote, expected, got = _both(path, model_dir, tmp_path, recfm=recfm, **extra)
    assert got == expected
    assert got != path.read_bytes()
    assert remote.records_in == local.records_in == 1500
    assert (remote.scored, remote.not_scored) == (local.scored, local.not_scored)


def test_header_and_trailer_bytes_are_copied_around_the_scored_records(tmp_path, model_dir) -> None:
    path = customer_file(tmp_path, "FB", n=1200)
    path.write_bytes(b"HDR" * 10 + path.read_bytes() + b"TRL" * 5)
    _, _, expected, got = _both(path, model_dir, tmp_path, recfm="FB", skip_header_bytes=30, skip_trailer_bytes=15)
    assert got == expected


def test_merged_report_has_the_single_process_counts_histograms_and_drift(tmp_path, model_dir) -> None:
    path = customer_file(tmp_path, "FB", n=1500)
    local, remote, _, _ = _both(path, model_dir, tmp_path, recfm="FB")
    mine, theirs = copy.deepcopy(remote.report), copy.deepcopy(local.report)
    for report in (mine, theirs):
        report.pop("source")
        assert report["score"].pop("mean") is not None
    assert mine == theirs
    assert mine["drift"]["features"]
    assert remote.report["score"]["mean"] == pytest.approx(local.report["score"]["mean"], rel=1e-12)
    assert (tmp_path / "dask.txt").read_text().splitlines()[1:] == (tmp_path / "local.txt").read_text().splitlines()[1:]


def test_bad_data_fails_with_the_single_process_error_and_leaves_no_output(tmp_path, model_dir) -> None:
    path = customer_file(tmp_path, "FB", n=1500)
    data = bytearray(path.read_bytes())
    bad = 1000 * CUSTOMER.length + CUSTOMER.record("CUSTOMER-REC").field("BALANCE").offset
    data[bad] = 0xAB
    path.write_bytes(bytes(data))
    with pytest.raises(InvalidDataError) as local:
        score_local(path, tmp_path / "local.out", CUSTOMER, model_dir, on_invalid="error")
    with pytest.raises(InvalidDataError) as remote:
        bd.score_file(str(path), CUSTOMER, model_dir, str(tmp_path / "dask.out"), blocksize=BLOCK,
                      on_invalid="error")
    assert str(remote.value) == str(local.value)
    assert "record 1001" in str(remote.value)
    assert not (tmp_path / "dask.out").exists()
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".dask.out")]


def test_the_scored_file_is_created_private(tmp_path, model_dir) -> None:
    path = customer_file(tmp_path, "FB", n=300)
    bd.score_file(str(path), CUSTOMER, model_dir, str(tmp_path / "dask.out"), blocksize=BLOCK)
    assert (tmp_path / "dask.out").stat().st_mode & 0o777 == 0o600


def test_the_report_files_are_created_private(tmp_path, model_dir) -> None:
    path = customer_file(tmp_path, "FB", n=300)
    bd.score_file(str(path), CUSTOMER, model_dir, str(tmp_path / "dask.out"), blocksize=BLOCK,
                  report_path=tmp_path / "run.json")
    assert [(tmp_path / n).stat().st_mode & 0o777 for n in ("run.json", "run.txt")] == [0o600, 0o600]


def test_the_shadow_comparison_merges_to_the_single_process_one(tmp_path, model_dir) -> None:
    from bridge.score.train import train_model
    from tests.score.conftest import FEATURES, customer_frame, customer_outputs

    challenger = train_model(customer_frame(2000, seed=3), label="DEFAULT", features=FEATURES, categorical=["RISK-SEG"],
                             seed=99, params={"num_iterations": 10}, model_id="CUSTR002", record="CUSTOMER-REC",
                             copybook="customer.cpy", data="synthetic", outputs=customer_outputs(), date="2024-01-01")
    shadow_dir = challenger.save(tmp_path / "challenger")
    path = customer_file(tmp_path, "FB", n=1500)
    local, remote, expected, got = _both(path, model_dir, tmp_path, recfm="FB", shadow_dir=shadow_dir)
    assert got == expected
    mine, theirs = dict(remote.report["shadow"]), dict(local.report["shadow"])
    for name in ("mean_abs_difference", "correlation"):
        assert mine.pop(name) == pytest.approx(theirs.pop(name), rel=1e-9)
    assert mine == theirs
    assert mine["rows"] == 1500


def test_an_output_folder_that_cannot_be_written_is_a_transport_error(tmp_path, model_dir) -> None:
    from bridge.errors import TransportError

    path = customer_file(tmp_path, "FB", n=300)
    with pytest.raises(TransportError) as refused:
        bd.score_file(str(path), CUSTOMER, model_dir, str(tmp_path / "missing" / "dask.out"), blocksize=BLOCK)
    assert str(refused.value).endswith(f"folder {tmp_path / 'missing'} does not exist")
    assert not (tmp_path / "missing").exists()


def test_a_compressed_input_is_scored_as_one_partition_like_the_single_process(tmp_path, model_dir) -> None:
    import bz2

    path = customer_file(tmp_path, "FB", n=400)
    packed = tmp_path / "customer.fb.dat.bz2"
    packed.write_bytes(bz2.compress(path.read_bytes()))
    score_local(packed, tmp_path / "local.out", CUSTOMER, model_dir)
    result = bd.score_file(str(packed), CUSTOMER, model_dir, str(tmp_path / "dask.out"), blocksize=BLOCK)
    assert result.partitions == 1
    assert (tmp_path / "dask.out").read_bytes() == (tmp_path / "local.out").read_bytes()
