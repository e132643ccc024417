"""`mfbridge decode|score --engine dask`: the commands on a real cluster of 2 worker processes.

The commands run in this process through `bridge.cli.main.main` (return code and standard
error as a user gets them) against the session's cluster with ``--scheduler``; one test starts
its own cluster with ``--workers 2``, with the progress line drawn as on a terminal.
"""
from __future__ import annotations

import os

import pandas as pd
import pyarrow.parquet as pq
import pytest

import bridge
from bridge.cli.main import main
from tests.conftest import COPYBOOKS
from tests.dask.files import CUSTOMER, customer_file
from tests.integration.sshd_server import sshd  # noqa: F401  (the real sshd on loopback)

CUSTOMER_CPY = str(COPYBOOKS / "customer.cpy")
BLOCK = "16 KiB"


def _run(capsys, *args: object) -> tuple[int, str]:
    rc = main([str(a) for a in args])
    return rc, capsys.readouterr().err


def _spoil_balance(path, record: int) -> None:
    data = bytearray(path.read_bytes())
    data[(record - 1) * CUSTOMER.length + CUSTOMER.record("CUSTOMER-REC").field("BALANCE").offset] = 0xAB
    path.write_bytes(bytes(data))


def test_decode_on_the_cluster_writes_one_parquet_file_per_partition_that_reads_as_the_local_decode(
        cluster, tmp_path, capsys) -> None:
    path = customer_file(tmp_path, "VB")
    rc, err = _run(capsys, "decode", path, "-c", CUSTOMER_CPY, "--recfm", "VB", "-o", tmp_path / "out.parquet",
                   "--engine", "dask", "--scheduler", cluster.scheduler.address, "--blocksize", BLOCK)
    assert rc == 0, err
    parts = sorted(os.listdir(tmp_path / "out.parquet"))
    assert len(parts) > 2 and parts[-1] == f"part-{len(parts) - 1:06d}.parquet"
    got = pq.read_table(tmp_path / "out.parquet").to_pandas(types_mapper=pd.ArrowDtype)
    pd.testing.assert_frame_equal(got, bridge.read_records(path, CUSTOMER, recfm="VB"))
    assert f"connected to the Dask scheduler at {cluster.scheduler.address} (2 workers)" in err
    assert "mfbridge: 2000 records decoded\n" in err
    assert f"mfbridge: {len(parts)} parquet files written to {tmp_path / 'out.parquet'}/" in err


def test_bad_data_fails_the_command_with_the_local_error_line_and_return_code(cluster, tmp_path, capsys) -> None:
    path = customer_file(tmp_path, "FB", n=1500)
    _spoil_balance(path, 1201)
    common = [path, "-c", CUSTOMER_CPY, "--on-invalid", "error"]
    local_rc, local_err = _run(capsys, "decode", *common, "-o", tmp_path / "local.jsonl")
    rc, err = _run(capsys, "decode", *common, "-o", tmp_path / "dask.jsonl", "--engine", "dask",
                   "--scheduler", cluster.scheduler.address, "--blocksize", BLOCK)
    assert (rc, err.splitlines()[-1]) == (local_rc, local_err.splitlines()[-1]) == (8, local_err.splitlines()[-1])
    assert f"{path}, record 1201, byte offset " in err and ", field BALANCE" in err
    assert not [p for p in os.listdir(tmp_path) if "dask" in p]


def test_bad_data_fails_scoring_with_the_local_error_line_and_return_code(cluster, tmp_path, capsys,
                                                                          model_dir) -> None:
    path = customer_file(tmp_path, "FB", n=1500)
    _spoil_balance(path, 1001)
    common = [path, "-c", CUSTOMER_CPY, "--model", model_dir, "--on-invalid", "error"]
    local_rc, local_err = _run(capsys, "score", *common, "-o", tmp_path / "local.out")
    rc, err = _run(capsys, "score", *common, "-o", tmp_path / "dask.out", "--engine", "dask",
                   "--scheduler", cluster.scheduler.address, "--blocksize", BLOCK)
    assert (rc, err.splitlines()[-1]) == (local_rc, local_err.splitlines()[-1])
    assert rc == 8 and "record 1001" in err
    assert not (tmp_path / "dask.out").exists()


def test_completed_partitions_feed_the_progress_with_their_records_and_bytes(cluster, tmp_path, model_dir) -> None:
    import bridge.dask as bd

    path = customer_file(tmp_path, "FB", n=1500)
    seen: list[tuple[int, int]] = []
    result = bd.score_file(str(path), CUSTOMER, model_dir, str(tmp_path / "out"), client=cluster, blocksize=BLOCK,
                           progress=lambda records, nbytes: seen.append((records, nbytes)))
    assert len(seen) == result.partitions > 2
    assert sum(r for r, _ in seen) == 1500
    assert sum(b for _, b in seen) == path.stat().st_size


@pytest.mark.timeout(600)  # starts 2 worker processes: seconds on a quiet machine, minutes on a loaded one
def test_score_with_workers_starts_a_cluster_prints_its_dashboard_and_feeds_the_progress_line(
        tmp_path, model_dir, capsys, monkeypatch) -> None:
    import bridge.cli.progress
    from bridge.score.file import score_file

    monkeypatch.setattr(bridge.cli.progress, "_is_terminal", lambda stream: True)  # as on a terminal
    path = customer_file(tmp_path, "FB", n=1500)
    score_file(path, tmp_path / "local.out", CUSTOMER, model_dir)
    rc, err = _run(capsys, "score", path, "-c", CUSTOMER_CPY, "--model", model_dir, "-o", tmp_path / "dask.out",
                   "--engine", "dask", "--workers", 2, "--blocksize", BLOCK)
    assert rc == 0, err
    assert "mfbridge: started a local Dask cluster of 2 worker processes; dashboard: http://127.0.0.1:" in err
    size = path.stat().st_size / 1e6
    assert f"\rscoring  1,500 records  {size:.1f}/{size:.1f} MB (100%)  " in err
    assert "records read 1500, scored 1500" in err
    assert (tmp_path / "dask.out").read_bytes() == (tmp_path / "local.out").read_bytes()


@pytest.mark.parametrize("args, message", [
    (["--workers", "2"], "--workers goes with --engine dask"),
    (["--engine", "dask"], "--engine dask needs either --scheduler ADDRESS (a running cluster) or --workers N"),
    (["--engine", "dask", "--workers", "2", "--limit", "5"], "--limit is not available with --engine dask"),
    (["--engine", "dask", "--workers", "2", "--storage-option", "password=x"], "password is a secret"),
])
def test_engine_options_that_do_not_fit_are_usage_errors(tmp_path, capsys, args, message) -> None:
    path = customer_file(tmp_path, "FB", n=10)
    rc, err = _run(capsys, "decode", path, "-c", CUSTOMER_CPY, "-o", tmp_path / "out.parquet", *args)
    assert rc == 2
    assert message in err
    assert not (tmp_path / "out.parquet").exists()


def test_a_url_without_engine_dask_is_a_usage_error(capsys, tmp_path) -> None:
    rc, err = _run(capsys, "decode", "sftp://mainframe/CUST.dat", "-c", CUSTOMER_CPY, "-o", tmp_path / "o.jsonl")
    assert rc == 2
    assert "DATA sftp://mainframe/CUST.dat is a URL: URLs are read with --engine dask" in err


@pytest.mark.sshd
def test_an_sftp_url_is_scored_on_the_cluster_as_the_local_file(cluster, sshd, tmp_path, capsys, model_dir) -> None:
    from bridge.score.file import score_file

    path = customer_file(tmp_path, "FB", n=800)
    (sshd.root / "CUST.dat").write_bytes(path.read_bytes())
    score_file(path, tmp_path / "local.out", CUSTOMER, model_dir)
    url = f"sftp://{sshd.user}@{sshd.host}:{sshd.port}{sshd.root}/CUST.dat"
    rc, err = _run(capsys, "score", url, "-c", CUSTOMER_CPY, "--model", model_dir, "-o", tmp_path / "dask.out",
                   "--engine", "dask", "--scheduler", cluster.scheduler.address, "--blocksize", BLOCK,
                   "--storage-option", f"known_hosts={sshd.known_hosts}",
                   "--storage-option", f"key_filename={sshd.client_key}")
    assert rc == 0, err
    assert (tmp_path / "dask.out").read_bytes() == (tmp_path / "local.out").read_bytes()


def test_decode_on_dask_into_an_existing_folder_is_a_usage_error_before_any_cluster_starts(tmp_path, capsys) -> None:
    path = customer_file(tmp_path, "FB", n=10)
    (tmp_path / "out.parquet").mkdir()
    rc, err = _run(capsys, "decode", path, "-c", CUSTOMER_CPY, "-o", tmp_path / "out.parquet", "--engine", "dask",
                   "--workers", 2)
    assert rc == 2
    assert f"-o {tmp_path / 'out.parquet'} already exists: --engine dask writes a new folder of parts" in err
    assert "Dask cluster" not in err
