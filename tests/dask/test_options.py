"""Options of bridge.dask that a user types: block sizes and how to reach a cluster."""
from __future__ import annotations

import pytest

import bridge.dask as bd
from bridge.dask.splits import block_bytes
from bridge.errors import BridgeError, TransportError


def test_a_block_size_is_a_number_of_bytes_or_a_size_with_its_unit() -> None:
    assert block_bytes("64 MiB") == 64 << 20
    assert block_bytes(4096) == 4096


@pytest.mark.parametrize("bad", ["lots", "-5 MB", 0])
def test_a_block_size_that_is_no_size_is_refused_with_an_example(bad) -> None:
    with pytest.raises(BridgeError) as refused:
        block_bytes(bad)
    assert str(refused.value) == f'blocksize {bad!r} is not a size in bytes; give a number or e.g. "256 MiB"'


@pytest.mark.parametrize("kw", [{}, {"scheduler": "tcp://127.0.0.1:1", "workers": 2}])
def test_a_cluster_needs_exactly_one_of_scheduler_and_workers(kw) -> None:
    with pytest.raises(TransportError) as refused:
        with bd.connect(**kw):
            pass
    assert "give either a scheduler address (--scheduler) or a worker count (--workers)" in str(refused.value)
