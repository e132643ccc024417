"""`connect`: the Dask client a command runs on, an existing cluster's or a local one started for it.

This is what ``--engine dask`` with ``--scheduler ADDRESS`` or ``--workers N`` calls; a
scheduler that cannot be reached is a `TransportError` naming the address, not a traceback.
"""
from __future__ import annotations

import contextlib
from typing import Iterator

from bridge.errors import TransportError

__all__ = ["connect"]

CONNECT_TIMEOUT = "30s"


@contextlib.contextmanager
def connect(*, scheduler: str | None = None, workers: int | None = None,
            threads_per_worker: int = 1) -> Iterator:
    """A `distributed.Client` on ``scheduler``, or on a local cluster of ``workers`` processes (closed on exit).

    Give one of the two. The local cluster's workers are processes with ``threads_per_worker``
    threads each and no dashboard.
    """
    from distributed import Client, LocalCluster

    if (scheduler is None) == (workers is None):
        raise TransportError("give either a scheduler address (--scheduler) or a worker count (--workers)")
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise TransportError(f"cannot reach the Dask scheduler at {scheduler}: {exc}", where=scheduler,
                                 retryable=True) from None
        with client:
            yield client
        return
    if workers < 1:
        raise TransportError(f"--workers must be at least 1, not {workers}")
    with LocalCluster(n_workers=workers, threads_per_worker=threads_per_worker, processes=True,
                      dashboard_address=":0", silence_logs=40) as cluster, \
            Client(cluster, set_as_default=False) as client:
        yield client
