"""ByteSource: the bytes of one input file, in chunks, minus a header and a trailer.

A source is a path (``.gz`` and ``.bz2`` decompressed by their suffix), a bytes-like object or
a binary file object. The trailer is found by holding back its size from every read, so it
works on compressed and piped input whose size is unknown; only that many bytes are copied.
"""
from __future__ import annotations

import bz2
import gzip
import io
import os
from pathlib import Path
from typing import BinaryIO, Union

import numpy as np

from bridge.errors import FramingError

__all__ = ["ByteSource", "ChunkReader", "Source", "open_source", "source_name"]

Source = Union[str, os.PathLike, bytes, bytearray, memoryview, BinaryIO]


def source_name(source: Source) -> str | None:
    """The file name to put in error messages, when there is one."""
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else None


def _open_raw(source: Source) -> tuple[BinaryIO, bool]:
    """A binary stream for the source and whether we opened it (and must close it)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return io.BytesIO(source), True
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        suffix = path.suffix.lower()
        if suffix == ".gz":
            return gzip.open(path, "rb"), True
        if suffix == ".bz2":
            return bz2.open(path, "rb"), True
        return open(path, "rb", buffering=0), True
    if hasattr(source, "read"):
        return source, False
    raise TypeError(f"cannot read records from {type(source).__name__}: give a path, bytes "
                    f"or a binary file object")


class ByteSource:
    """Reads a source's record area (between header and trailer) into caller buffers."""

    def __init__(self, source: Source, *, header: int = 0, trailer: int = 0) -> None:
        self.name = source_name(source)
        self._stream, self._owned = _open_raw(source)
        self._trailer_size = trailer
        self._hold = b""
        self._eof = False
        self._trailer_known = False
        self.trailer = b""
        self.header = self._read_exact(header) if header else b""
        if len(self.header) < header:
            self.close()
            raise FramingError(f"file has {len(self.header)} bytes, fewer than the "
                               f"{header}-byte header to skip", file=self.name,
                               hint="check --skip-header-bytes")
        #: file offset of the next byte `read_into` returns
        self.offset = header

    def _raw_into(self, view: memoryview) -> int:
        readinto = getattr(self._stream, "readinto", None)
        if readinto is not None:
            got = readinto(view)
            return got or 0
        data = self._stream.read(len(view))
        view[:len(data)] = data
        return len(data)

    def _fill(self, view: memoryview) -> int:
        """Fill `view` from the stream as far as it goes; fewer bytes only at end of file."""
        total = 0
        while total < len(view):
            got = self._raw_into(view[total:])
            if got == 0:
                self._eof = True
                break
            total += got
        return total

    def _read_exact(self, size: int) -> bytes:
        buf = bytearray(size)
        got = self._fill(memoryview(buf))
        return bytes(buf[:got])

    @property
    def at_end(self) -> bool:
        """True once the record area is exhausted (the trailer is then known)."""
        return self._trailer_known

    def read_into(self, buf: bytearray | memoryview, start: int = 0) -> int:
        """Put record-area bytes into ``buf[start:]``; returns the count, short only at the end."""
        view = memoryview(buf)[start:]
        keep = self._trailer_size
        if self._eof:
            self._finish()
            return 0
        if keep == 0:
            got = self._fill(view)
            self.offset += got
            if self._eof:
                self._trailer_known = True
            return got
        held = len(self._hold)
        if len(view) <= held:
            # small read: pass on the oldest held bytes, hold the new ones
            data = self._hold + self._read_exact(len(view))
            out = len(data) - keep
            if out < 0:
                self._hold = data
                self._finish()
                return 0
            view[:out] = data[:out]
            self._hold = data[out:]
            if self._eof:
                self._finish()
            self.offset += out
            return out
        view[:held] = self._hold
        total = held + self._fill(view[held:])
        ahead = b"" if self._eof else self._read_exact(keep)
        out = total + len(ahead) - keep
        if out < 0:
            self._hold = bytes(view[:total]) + ahead
            self._finish()
            return 0
        self._hold = bytes(view[out:total]) + ahead
        if self._eof:
            self._finish()
        self.offset += out
        return out

    def _finish(self) -> None:
        if self._trailer_known:
            return
        self._trailer_known = True
        if len(self._hold) < self._trailer_size:
            raise FramingError(f"the record area ends {len(self._hold)} bytes into the "
                               f"{self._trailer_size}-byte trailer to skip (file is "
                               f"{self.offset + len(self._hold)} bytes)", file=self.name,
                               hint="check --skip-header-bytes/--skip-trailer-bytes")
        self.trailer, self._hold = self._hold, b""

    @property
    def file_size(self) -> int:
        """Total size of the input once it is exhausted (header + records + trailer)."""
        return self.offset + len(self.trailer)

    def close(self) -> None:
        if self._owned:
            self._stream.close()

    def __enter__(self) -> ByteSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_source(source: Source, *, header: int = 0, trailer: int = 0) -> ByteSource:
    """Open `source` for reading its record area."""
    return ByteSource(source, header=header, trailer=trailer)


class ChunkReader:
    """Successive chunks of a source's record area, each starting with the unfinished tail of the
    one before (the partial record a scan stopped at).

    A new buffer is allocated per chunk, because batches keep referring to earlier chunks
    until they are gathered.
    """

    def __init__(self, src: ByteSource, size: int) -> None:
        self.src = src
        self.size = max(size, src._trailer_size + 1)
        self.chunk = np.empty(0, dtype=np.uint8)
        self.base = src.offset     # file offset of chunk[0]
        self.end = 0               # valid bytes in chunk

    def refill(self, pos: int, need: int = 0) -> bool:
        """Keep ``chunk[pos:end]``, read more behind it; False when nothing more was read.

        `need` asks for room for at least that many bytes in the new chunk.
        """
        tail = self.end - pos
        size = max(self.size, need, 2 * tail)
        buf = bytearray(size)
        if tail:
            buf[:tail] = memoryview(self.chunk)[pos:self.end]
        got = self.src.read_into(buf, tail)
        self.base += pos
        self.chunk = np.frombuffer(buf, dtype=np.uint8)
        self.end = tail + got
        return got > 0

    @property
    def at_end(self) -> bool:
        return self.src.at_end
