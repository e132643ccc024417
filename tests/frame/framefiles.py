"""Reference builders for framed files, written from the IBM definitions with `construct` and
plain byte joins, independent of `bridge.frame.writer`."""
from __future__ import annotations

import io
from contextlib import ExitStack, contextmanager
from unittest import mock

from bridge.frame import fixed, text, variable
from bridge.frame.rdw import build_bdw, build_rdw


def v_file(records: list[bytes], endian: str = "big", adjust: int = 0) -> bytes:
    return b"".join(build_rdw(len(r), endian, adjust) + r for r in records)


def vb_file(blocks: list[tuple[bool, list[bytes]]], endian: str = "big", adjust: int = 0) -> bytes:
    """Blocks given as (extended, records)."""
    out = []
    for extended, records in blocks:
        body = v_file(records, endian, adjust)
        out.append(build_bdw(len(body) + 4, endian, extended) + body)
    return b"".join(out)


class Trickle(io.RawIOBase):
    """A binary stream that returns at most `step` bytes per read, like a slow pipe."""

    def __init__(self, data: bytes, step: int = 3) -> None:
        self._data = memoryview(data)
        self._pos = 0
        self._step = step

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:
        n = min(len(buf), self._step, len(self._data) - self._pos)
        buf[:n] = self._data[self._pos:self._pos + n]
        self._pos += n
        return n


@contextmanager
def tiny_chunks(size: int):
    """Read chunks of `size` bytes so records and blocks straddle chunk boundaries."""
    with ExitStack() as stack:
        for module in (fixed, text, variable):
            stack.enter_context(mock.patch.object(module, "CHUNK_SIZE", size))
        yield
