"""bridge.dask on a real distributed.LocalCluster with 2 worker processes.

One cluster for the whole session (it takes a few seconds to start). The results are held
against the single-process functions: equal frames, byte-identical scored files, also when a
worker is killed with SIGKILL in the middle of a run.
"""
from __future__ import annotations

import os
import signal
import threading
import time

import pandas as pd
import pytest

from tests.conftest import IN_CI

try:
    import distributed
except ImportError:  # pragma: no cover
    if IN_CI:
        raise
    pytest.skip("the dask extra is not installed (pip install 'mainframe-bridge[dask]')", allow_module_level=True)

import bridge
import bridge.dask as bd
from bridge.score.file import score_file as score_local
from tests.dask.conftest import model_dir  # noqa: F401  (the small trained model)
from tests.dask.files import (CUSTOMER, PAYMENT_OPTIONS, PAYMENTS, TEXT_LAYOUT, customer_file, payments_file,
                              text_file)

pytestmark = pytest.mark.integration

BLOCK = 16 * 1024


@pytest.fixture(scope="session")
def client():
    """One local cluster of 2 worker processes for the session, started as ``--workers 2`` starts it."""
    with bd.connect(workers=2) as c:
        assert len(c.scheduler_info()["workers"]) == 2
        yield c


@pytest.mark.parametrize("recfm, options, make", [
    ("F", {}, lambda d: customer_file(d, "F")),
    ("FB", {}, lambda d: customer_file(d, "FB")),
    ("VB", {}, lambda d: customer_file(d, "VB")),
    ("VB", {"bdw": True}, lambda d: customer_file(d, "VB", bdw=True)),
])
def test_records_read_on_the_cluster_equal_the_single_process_read(client, tmp_path, recfm, options, make) -> None:
    path = make(tmp_path)
    ddf = bd.read_records(str(path), CUSTOMER, recfm=recfm, blocksize=BLOCK, index_cache=tmp_path / "index", **options)
    assert ddf.npartitions > 2
    got = client.compute(ddf).result()
    pd.testing.assert_frame_equal(got.reset_index(drop=True), bridge.read_records(path, CUSTOMER, recfm=recfm, **options))


def test_text_and_multi_segment_files_read_on_the_cluster_equal_the_single_process_read(client, tmp_path) -> None:
    text = text_file(tmp_path)
    ddf = bd.read_records(str(text), TEXT_LAYOUT, recfm="TEXT", codepage="ascii", blocksize=BLOCK)
    pd.testing.assert_frame_equal(client.compute(ddf).result().reset_index(drop=True),
                                  bridge.read_records(text, TEXT_LAYOUT, recfm="TEXT", codepage="ascii"))
    payments = payments_file(tmp_path)
    ddf = bd.read_records(str(payments), PAYMENTS, recfm="FB", blocksize=BLOCK, **PAYMENT_OPTIONS)
    pd.testing.assert_frame_equal(client.compute(ddf).result().reset_index(drop=True),
                                  bridge.read_records(payments, PAYMENTS, recfm="FB", **PAYMENT_OPTIONS))


def test_a_file_scored_on_the_cluster_is_byte_identical_to_local_scoring(client, tmp_path, model_dir) -> None:
    path = customer_file(tmp_path, "VB", n=1500, bdw=True)
    score_local(path, tmp_path / "local.out", CUSTOMER, model_dir, recfm="VB", bdw=True)
    result = bd.score_file(str(path), CUSTOMER, model_dir, str(tmp_path / "dask.out"), client=client,
                           blocksize=BLOCK, recfm="VB", bdw=True, index_cache=False)
    assert result.partitions > 2
    assert (tmp_path / "dask.out").read_bytes() == (tmp_path / "local.out").read_bytes()


def test_a_worker_killed_mid_run_is_retried_and_the_output_is_still_identical(client, tmp_path, model_dir) -> None:
    path = customer_file(tmp_path, "FB", n=3000)
    score_local(path, tmp_path / "local.out", CUSTOMER, model_dir, recfm="FB")
    pids = client.run(os.getpid)
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["result"] = bd.score_file(str(path), CUSTOMER, model_dir, str(tmp_path / "dask.out"),
                                              client=client, blocksize=8 * 1024, recfm="FB")
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    killed = None
    deadline = time.monotonic() + 60
    while killed is None and thread.is_alive() and time.monotonic() < deadline:
        busy = [w for w, tasks in client.processing().items() if any("_score_part" in str(t) for t in tasks)]
        if busy:
            killed = pids[busy[0]]
            os.kill(killed, signal.SIGKILL)
        else:
            time.sleep(0.02)
    thread.join(120)
    assert killed is not None, "no scoring task was seen running"
    assert "error" not in outcome, outcome.get("error")
    assert outcome["result"].partitions > 20
    assert (tmp_path / "dask.out").read_bytes() == (tmp_path / "local.out").read_bytes()
    client.wait_for_workers(2, timeout=60)


@pytest.mark.sshd
def test_an_sftp_input_read_on_the_cluster_equals_the_local_read(client, sshd, tmp_path) -> None:
    path = customer_file(tmp_path, "VB")
    remote = sshd.root / "customer.vb.dat"
    remote.write_bytes(path.read_bytes())
    url = f"sftp://{sshd.user}@{sshd.host}:{sshd.port}{remote}"
    ddf = bd.read_records(url, CUSTOMER, recfm="VB", blocksize=BLOCK, index_cache=False,
                          storage_options={"known_hosts": str(sshd.known_hosts), "key_filename": str(sshd.client_key)})
    assert ddf.npartitions > 2
    got = client.compute(ddf).result()
    pd.testing.assert_frame_equal(got.reset_index(drop=True), bridge.read_records(path, CUSTOMER, recfm="VB"))


@pytest.mark.sshd
def test_an_sftp_host_missing_from_known_hosts_is_refused(sshd, tmp_path) -> None:
    from bridge.errors import TransportError

    empty = tmp_path / "known_hosts"
    empty.write_text("")
    url = f"sftp://{sshd.user}@{sshd.host}:{sshd.port}{sshd.root}/none.dat"
    with pytest.raises(TransportError) as refused:
        bd.read_records(url, CUSTOMER, storage_options={"known_hosts": str(empty), "key_filename": str(sshd.client_key)})
    assert f"unknown host: {sshd.host} is not in known_hosts file {empty}" in str(refused.value)
    assert empty.read_text() == ""


@pytest.mark.sshd
def test_a_file_scored_from_and_to_sftp_is_byte_identical_and_replaces_the_old_output(client, sshd, tmp_path,
                                                                                      model_dir) -> None:
    path = customer_file(tmp_path, "FB", n=800)
    folder = sshd.root / "scoring"
    folder.mkdir()
    (folder / "in.dat").write_bytes(path.read_bytes())
    (folder / "out.dat").write_bytes(b"yesterday's output")
    score_local(path, tmp_path / "local.out", CUSTOMER, model_dir, recfm="FB")
    base = f"sftp://{sshd.user}@{sshd.host}:{sshd.port}{folder}"
    bd.score_file(f"{base}/in.dat", CUSTOMER, model_dir, f"{base}/out.dat", client=client, blocksize=BLOCK,
                  recfm="FB", storage_options={"known_hosts": str(sshd.known_hosts),
                                               "key_filename": str(sshd.client_key)})
    assert (folder / "out.dat").read_bytes() == (tmp_path / "local.out").read_bytes()
    assert sorted(p.name for p in folder.iterdir()) == ["in.dat", "out.dat"]


def test_bad_data_read_on_the_cluster_fails_with_the_single_process_message(client, tmp_path) -> None:
    from bridge.errors import InvalidDataError

    path = customer_file(tmp_path, "FB", n=1500)
    data = bytearray(path.read_bytes())
    data[1200 * CUSTOMER.length + CUSTOMER.record("CUSTOMER-REC").field("BALANCE").offset] = 0xAB
    path.write_bytes(bytes(data))
    with pytest.raises(InvalidDataError) as local:
        bridge.read_records(path, CUSTOMER, on_invalid="error")
    ddf = bd.read_records(str(path), CUSTOMER, on_invalid="error", blocksize=BLOCK)
    with pytest.raises(InvalidDataError) as remote:
        client.compute(ddf).result()
    assert str(remote.value) == str(local.value)
    assert "record 1201" in str(remote.value)
