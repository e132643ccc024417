"""Decoding on every core: framed batches decoded by a small pool of threads, handed out in file order.

Decision: threads, not processes. Decoding a batch is numba kernels compiled ``nogil`` and
Arrow compute functions, both of which release the GIL, so two threads decode two batches at
once on two cores in one address space: nothing is pickled or copied between processes, and
the tables come back as they are. Framing stays in the calling thread: it is sequential by
nature (where a V record starts depends on the one before) and cheap next to decoding.

Order and memory: at most ``2 × threads`` framed batches are waiting or being decoded, so
memory is bounded by a few batches whatever the file size, and batches are handed out in
file order. Each batch is decoded by a `RecordDecoder.fork` with counters of its own, added
to the reader's decoder (`RecordDecoder.absorb`) as the batch is handed out, so after k
batches the counts are those of a serial read of k batches. An error (framing, or
``on_invalid="error"``) is raised after every batch before it has been handed out, as a
serial read raises it. When iteration stops early the batches not yet started are dropped
and the ones being decoded finished before the pool shuts down.
"""
from __future__ import annotations

import os
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Iterable, Iterator

from bridge.records.decode import DecodedBatch, RecordDecoder

__all__ = ["available_cores", "decode_in_order", "decode_threads"]

_END = object()


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity, as ``taskset`` or a container sets it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def decode_threads(threads: int | None) -> int:
    """The threads a read decodes with: ``threads`` when given, else every core this process may use."""
    return available_cores() if threads is None else max(1, int(threads))


def decode_in_order(frames: Iterable, decoder: RecordDecoder, threads: int) -> Iterator[DecodedBatch]:
    """Decode each framed batch of ``frames`` with ``decoder``, ``threads`` at a time, yielding them in order.

    With one thread each batch is decoded in the calling thread, as it is framed. Tables,
    counts and errors are those of decoding the batches one after another, whatever the
    thread count.
    """
    if threads <= 1:
        for frame in frames:
            yield decoder.decode(frame)
        return

    def work(frame) -> tuple[DecodedBatch, RecordDecoder]:
        twin = decoder.fork()
        return twin.decode(frame), twin

    def hand_out(future: Future) -> DecodedBatch:
        decoded, twin = future.result()
        decoder.absorb(twin)
        return decoded

    depth = 2 * threads
    source = iter(frames)
    pending: deque[Future] = deque()
    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="bridge-decode")
    try:
        while True:
            try:
                frame = next(source, _END)
            except Exception:
                while pending:  # the batches framed before the error are handed out first
                    yield hand_out(pending.popleft())
                raise
            if frame is _END:
                break
            pending.append(pool.submit(work, frame))
            # hand out what is ready; wait for the oldest only when the queue is full
            while pending and (len(pending) >= depth or pending[0].done()):
                yield hand_out(pending.popleft())
        while pending:
            yield hand_out(pending.popleft())
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True)
