"""Decoding on several threads (issue 10, every core): the same tables, counts and errors as one thread."""
from __future__ import annotations

import importlib
import os
import pkgutil
import threading

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import bridge.codec
from bridge.cli.main import main
from bridge.copybook import load_copybook
from bridge.errors import BridgeError, FramingError, InvalidDataError
from bridge.records.api import iter_batches, open_reader, read_records, read_table
from bridge.records.decode import RecordDecoder
from bridge.records.options import ReaderOptions
from bridge.records.parallel import available_cores, decode_in_order, decode_threads
from bridge.testing import fake_file
from tests.conftest import COPYBOOKS, FIXTURES

CUSTOMER = COPYBOOKS / "customer.cpy"
TRANSACTIONS = COPYBOOKS / "transactions.cpy"


@pytest.fixture(scope="module")
def customer():
    return load_copybook(CUSTOMER)


@pytest.fixture(scope="module")
def damaged_file(tmp_path_factory, customer):
    """5,000 customer records, every 7th with spaces over its first numeric item (invalid data)."""
    path = tmp_path_factory.mktemp("parallel") / "customer.dat"
    fake_file(customer, 5000, path, seed=3)
    field = next(f for f in customer.records[0].fields if f.kind.name in ("ZONED", "PACKED") and not f.dims)
    matrix = np.frombuffer(path.read_bytes(), dtype=np.uint8).reshape(-1, customer.length).copy()
    matrix[::7, field.offset:field.end] = 0x40
    path.write_bytes(matrix.tobytes())
    return path, field


@pytest.fixture(scope="module")
def transactions(tmp_path_factory):
    """100 VB records with an OCCURS DEPENDING ON table."""
    layout = load_copybook(TRANSACTIONS)
    path = tmp_path_factory.mktemp("parallel") / "txn.vb"
    fake_file(layout, 100, path, seed=5, recfm="VB")
    return layout, path


def _bridge_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("bridge-decode")]


@settings(max_examples=8, deadline=None)
@given(threads=st.integers(2, 5), batch=st.sampled_from([333, 1000, 5000, 65536]))
def test_every_thread_count_gives_the_table_and_counts_of_one_thread(damaged_file, customer, threads, batch) -> None:
    path, field = damaged_file
    serial, serial_summary = read_table(path, customer, threads=1, batch_records=batch)
    parallel, summary = read_table(path, customer, threads=threads, batch_records=batch)
    assert parallel.equals(serial)
    assert summary.records == serial_summary.records == 5000
    assert summary.invalid == serial_summary.invalid
    assert summary.invalid_total == len(range(0, 5000, 7))


def test_variable_records_with_an_odo_table_decode_the_same_on_three_threads(transactions) -> None:
    layout, path = transactions
    serial = read_records(path, layout, recfm="VB", odo_placement="max", threads=1, batch_records=16)
    parallel = read_records(path, layout, recfm="VB", odo_placement="max", threads=3, batch_records=16)
    assert parallel.equals(serial) and len(parallel) == 100


def test_the_summary_follows_each_batch_handed_out_as_a_serial_read_does(damaged_file, customer) -> None:
    path, _ = damaged_file
    seen = {}
    for threads in (1, 3):
        reader = open_reader(path, customer, threads=threads, batch_records=700)
        seen[threads] = [(reader.summary.records, reader.summary.invalid_total) for _ in reader]
    assert seen[3] == seen[1]
    assert seen[1][0] == (700, 100) and seen[1][-1] == (5000, 715)


def test_the_first_invalid_value_stops_the_read_at_the_same_record_on_any_thread_count(damaged_file,
                                                                                        customer) -> None:
    path, field = damaged_file
    matrix = np.frombuffer(path.read_bytes(), dtype=np.uint8).reshape(-1, customer.length)
    clean = matrix.copy()
    clean[::7, field.offset:field.end] = matrix[1, field.offset:field.end]
    clean[3210, field.offset:field.end] = 0x40            # the only invalid value, in the 5th batch of 700
    data = clean.tobytes()
    outcomes = []
    for threads in (1, 4):
        handed = []
        with pytest.raises(InvalidDataError) as caught:
            for batch in iter_batches(data, customer, threads=threads, batch_records=700, on_invalid="error"):
                handed.append(batch.frame.first_record)
        outcomes.append((handed, str(caught.value)))
    assert outcomes[0] == outcomes[1]
    assert outcomes[1][0] == [0, 700, 1400, 2100] and "record 3211" in outcomes[1][1]


def test_a_framing_error_comes_after_every_batch_framed_before_it(transactions) -> None:
    layout, path = transactions
    data = path.read_bytes()
    offset, records = 0, 0
    while records < 60:                                   # the RDW of record 61 counts itself short
        offset += int.from_bytes(data[offset:offset + 2], "big")
        records += 1
    damaged = data[:offset] + b"\x00\x02\x00\x00" + data[offset + 4:]
    outcomes = []
    for threads in (1, 3):
        rows = []
        with pytest.raises(FramingError) as caught:
            for batch in iter_batches(damaged, layout, recfm="VB", threads=threads, batch_records=16,
                                      columns=["ACCT-NO", "TXN-CNT"]):
                rows.append(batch.table.num_rows)
        outcomes.append((rows, str(caught.value)))
    assert outcomes[0] == outcomes[1] and sum(outcomes[1][0]) == 48


def test_stopping_early_leaves_no_decoding_thread_behind(damaged_file, customer) -> None:
    path, _ = damaged_file
    batches = iter_batches(path, customer, threads=3, batch_records=100)
    next(batches)
    assert _bridge_threads()
    batches.close()
    assert _bridge_threads() == []


def test_at_most_two_batches_per_thread_are_framed_ahead_of_the_one_handed_out(damaged_file, customer) -> None:
    path, _ = damaged_file
    reader = open_reader(path, customer, batch_records=100)
    framed = []

    def frames():
        for frame in reader._frames:
            framed.append(frame.first_record)
            yield frame

    for i, batch in enumerate(decode_in_order(frames(), RecordDecoder(customer, reader.options), threads=3)):
        assert batch.frame.first_record == 100 * i
        assert len(framed) <= i + 1 + 2 * 3


def test_threads_default_to_every_core_this_process_may_use() -> None:
    assert available_cores() == len(os.sched_getaffinity(0))
    assert decode_threads(None) == available_cores()
    assert decode_threads(3) == 3


@pytest.mark.parametrize("threads", [0, -2, 1.5, True, "2"])
def test_a_thread_count_that_is_not_a_positive_whole_number_is_refused(threads) -> None:
    with pytest.raises(BridgeError, match=rf"threads={threads!r} must be a whole number of at least 1"):
        ReaderOptions.from_kwargs(threads=threads)


def test_every_compiled_codec_kernel_releases_the_gil() -> None:
    """Threads decode in parallel only if no kernel holds the GIL (helpers inlined into kernels excepted)."""
    from numba.core.registry import CPUDispatcher

    holding = []
    for info in pkgutil.iter_modules(bridge.codec.__path__):
        module = importlib.import_module(f"bridge.codec.{info.name}")
        for name, obj in vars(module).items():
            if isinstance(obj, CPUDispatcher) and obj.__module__ == module.__name__:
                options = obj.targetoptions
                if not options.get("nogil") and options.get("inline") != "always":
                    holding.append(f"{module.__name__}.{name}")
    assert holding == []


def test_decode_with_threads_writes_the_file_one_thread_writes(tmp_path, capsys) -> None:
    outputs = []
    for threads in (1, 2):
        out = tmp_path / f"out{threads}.jsonl"
        rc = main(["decode", str(FIXTURES / "customer.cp037.dat"), "-c", str(CUSTOMER), "-o", str(out),
                   "--threads", str(threads), "--quiet"])
        assert rc == 0
        outputs.append(out.read_bytes())
    capsys.readouterr()
    assert outputs[0] == outputs[1] and outputs[0]


def test_decode_refuses_zero_threads_naming_the_option(capsys) -> None:
    rc = main(["decode", str(FIXTURES / "customer.cp037.dat"), "-c", str(CUSTOMER), "--threads", "0"])
    err = capsys.readouterr().err
    assert rc == 2 and "--threads" in err and "0 is not in the range x>=1" in err


def test_score_threads_bound_the_cores_prediction_uses_too() -> None:
    from bridge.score.file import _prediction_streams

    assert _prediction_streams(1) == (1, 1)
    assert _prediction_streams(2) == (2, 1)
    assert _prediction_streams(5) == (2, 2)


def test_a_job_may_set_threads_and_a_wrong_type_is_refused_naming_the_key(tmp_path) -> None:
    from bridge.errors import JobError
    from bridge.pipeline.job import load_job
    from tests.pipeline.jobfolder import job_text

    path = tmp_path / "job.toml"
    path.write_text(job_text(job={"threads": 2}))
    assert load_job(path).reader == {"threads": 2}
    path.write_text(job_text(job={"threads": "all"}))
    with pytest.raises(JobError, match=r"threads = 'all' must be a whole number"):
        load_job(path)
    path.write_text(job_text(job={"threads": 0}))
    with pytest.raises(JobError, match=r"threads=0 must be a whole number of at least 1"):
        load_job(path)


def test_score_with_threads_writes_the_file_one_thread_writes(tmp_path, customer) -> None:
    from bridge.score.file import score_file

    source = FIXTURES / "customer.cp037.dat"
    outputs = []
    for threads in (1, 3):
        out = tmp_path / f"scored{threads}.dat"
        score_file(source, out, customer, COPYBOOKS.parent / "models" / "customer-risk", threads=threads,
                   batch_records=2)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] and outputs[0] != source.read_bytes()
