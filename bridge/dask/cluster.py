"""`connect`: the Dask client a command runs on, an existing cluster's or a local one started for it.

This is what ``--engine dask`` with ``--scheduler ADDRESS`` or ``--workers N`` calls; a
scheduler that cannot be reached is a `TransportError` naming the address, not a traceback.
`compute_in_order` runs a list of tasks and tells a caller (a progress bar) about each one as
it completes, whatever the order, while handing back the results in task order.
"""
from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator

from bridge.errors import TransportError

__all__ = ["compute_in_order", "connect"]

CONNECT_TIMEOUT = "30s"


@contextlib.contextmanager
def connect(*, scheduler: str | None = None, workers: int | None = None,
            threads_per_worker: int = 1) -> Iterator:
    """A `distributed.Client` on ``scheduler``, or on a local cluster of ``workers`` processes (closed on exit).

    Give one of the two. The local cluster's workers are processes with ``threads_per_worker``
    threads each; its dashboard listens on a free port (``client.dashboard_link``).
    """
    from distributed import Client, LocalCluster

    if (scheduler is None) == (workers is None):
        raise TransportError("give either a scheduler address (--scheduler) or a worker count (--workers)")
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except ValueError as exc:  # not an address
            raise TransportError(f"not a Dask scheduler address: {exc}", where=scheduler) from None
        except OSError as exc:
            # the cause is kept: the batch job reads an OSError cause as the job's trouble, not the
            # file's, and leaves the file for the next run instead of rejecting it
            raise TransportError(f"cannot reach the Dask scheduler: {exc}", where=scheduler,
                                 retryable=True) from exc
        with client:
            yield client
        return
    if workers < 1:
        raise TransportError(f"--workers must be at least 1, not {workers}")
    with LocalCluster(n_workers=workers, threads_per_worker=threads_per_worker, processes=True,
                      dashboard_address=":0", silence_logs=40) as cluster, \
            Client(cluster, set_as_default=False) as client:
        yield client


def compute_in_order(tasks: list, client: Any = None, on_done: Callable[[int, Any], None] | None = None) -> list:
    """The results of the Dask ``tasks`` (delayed objects), in task order.

    On ``client`` (a `distributed.Client`), ``on_done(index, result)`` is called in the
    client's thread as each task completes; without one the tasks run on the current Dask
    scheduler and ``on_done`` is called for each once all are done. A task that raises
    cancels the others and its error propagates.
    """
    import dask

    if client is None:
        results = list(dask.compute(*tasks))
        if on_done is not None:
            for i, result in enumerate(results):
                on_done(i, result)
        return results
    from distributed import as_completed

    futures = client.compute(tasks)
    where = {future.key: i for i, future in enumerate(futures)}
    results: list = [None] * len(futures)
    try:
        for future in as_completed(futures, loop=client.loop):
            i = where[future.key]
            results[i] = future.result()
            if on_done is not None:
                on_done(i, results[i])
    except BaseException:
        client.cancel(futures)
        raise
    return results
