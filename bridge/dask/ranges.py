"""Inputs as fsspec files and byte ranges of them, and errors told in whole-file terms.

A partition reads its byte range through `RangeFile`, a binary file object that ends where the
range ends, with the single-process reader; that reader numbers records and offsets from the
start of the range. `rebased` turns its `FramingError`/`InvalidDataError` back into the one the
single-process path raises for the same bytes: same file name, record number and offset.

Decision: for ``sftp://`` the connection is made here, with this project's host-key rule (the
``known_hosts`` file is loaded, an unknown host is refused, nothing is learnt), rather than by
fsspec's SFTP backend, whose client adds unknown host keys on its own.
"""
from __future__ import annotations

import io
import os
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, BinaryIO, Iterator

from bridge.errors import BridgeError, FramingError, InvalidDataError, TransportError

__all__ = ["InputFile", "RangeFile", "expand_inputs", "open_input", "rebased"]

COMPRESSED = (".gz", ".bz2")


@dataclass(frozen=True)
class InputFile:
    """One input file: its fsspec URL (as the user gave it, for messages) and its size."""

    url: str
    size: int
    modified: str = ""   # mtime or etag, for the record index's cache key
    storage_options: tuple[tuple[str, Any], ...] = ()

    @property
    def name(self) -> str:
        """The name the single-process path shows in messages for this file."""
        if "://" not in self.url:
            return self.url
        return self.url[len("file://"):] if self.url.startswith("file://") else self.url

    @property
    def compressed(self) -> bool:
        return self.url.lower().endswith(COMPRESSED)


def _filesystem(url: str, storage_options: dict[str, Any]):
    import fsspec.core

    if url.startswith("sftp://"):
        from bridge.dask.sftp import sftp_filesystem

        return sftp_filesystem(url, storage_options)
    try:
        return fsspec.core.url_to_fs(url, **storage_options)
    except (ImportError, ValueError) as exc:
        protocol = url.split("://", 1)[0] if "://" in url else "file"
        raise TransportError(f"cannot open {url}: {exc}; for {protocol}:// install its fsspec backend "
                             "(s3fs, gcsfs, adlfs)", where=url) from None


def expand_inputs(urlpath: str | os.PathLike | list, storage_options: dict[str, Any] | None = None) -> list[InputFile]:
    """The files behind a path, URL, glob or list of them, in sorted order within each glob."""
    options = dict(storage_options or {})
    urls = [os.fspath(u) for u in urlpath] if isinstance(urlpath, (list, tuple)) else [os.fspath(urlpath)]
    found: list[InputFile] = []
    for url in urls:
        fs, path = _filesystem(url, options)
        try:
            if any(c in path for c in "*?["):
                matches = sorted(fs.glob(path))
                if not matches:
                    raise TransportError(f"no file matches {url}", where=url)
                names = [(_rejoin(url, m), m) for m in matches]
            else:
                names = [(url, path)]
            for shown, p in names:
                info = fs.info(p)
                if info.get("type") == "directory":
                    raise TransportError(f"{shown} is a directory, not a record file", where=shown)
                modified = str(info.get("mtime") or info.get("ETag") or info.get("etag") or info.get("LastModified") or "")
                found.append(InputFile(shown, int(info["size"]), modified, tuple(sorted(options.items()))))
        except FileNotFoundError:
            raise TransportError(f"no such file: {url}", where=url) from None
        except OSError as exc:
            raise TransportError(f"cannot read {url}: {exc}", where=url) from None
    return found


def _rejoin(url: str, path: str) -> str:
    """A glob match as a URL of the same kind as the pattern it came from."""
    if "://" not in url:
        return path
    protocol, rest = url.split("://", 1)
    if protocol == "file":
        return "file://" + path
    host = rest.split("/", 1)[0] if protocol == "sftp" else ""
    return f"{protocol}://{host}{path if path.startswith('/') else '/' + path}" if host else f"{protocol}://{path}"


@contextmanager
def open_input(f: InputFile, *, decompress: bool = False) -> Iterator[BinaryIO]:
    """The file's bytes (decompressed by suffix when asked), seekable unless decompressed."""
    fs, path = _filesystem(f.url, dict(f.storage_options))
    try:
        raw = fs.open(path, "rb")
    except FileNotFoundError:
        raise TransportError(f"no such file: {f.url}", where=f.url) from None
    try:
        if decompress and f.compressed:
            import bz2
            import gzip

            stream = gzip.GzipFile(fileobj=raw) if f.url.lower().endswith(".gz") else bz2.BZ2File(raw)
            with stream:
                yield _Named(stream, f.name)
        else:
            yield raw
    finally:
        raw.close()


class _Named(io.RawIOBase):
    """A stream under the name the single-process reader would show."""

    def __init__(self, stream: BinaryIO, name: str) -> None:
        self._stream, self.name = stream, name

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:
        return self._stream.readinto(buf)


class RangeFile(io.RawIOBase):
    """Bytes ``start .. end`` of a seekable binary file, as a file that ends at ``end``."""

    def __init__(self, raw: BinaryIO, start: int, end: int, name: str) -> None:
        self._raw, self._left, self.name = raw, end - start, name
        raw.seek(start)

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:
        if self._left <= 0:
            return 0
        view = memoryview(buf)[:self._left]
        got = self._raw.readinto(view) if hasattr(self._raw, "readinto") else _read_into(self._raw, view)
        got = got or 0
        self._left -= got
        return got


def _read_into(raw: BinaryIO, view: memoryview) -> int:
    data = raw.read(len(view))
    view[:len(data)] = data
    return len(data)


def rebased(error: BridgeError, start: int, records_before: int | None) -> BridgeError:
    """``error`` from the range starting at byte ``start`` (``records_before`` records into the file)."""
    if not isinstance(error, (FramingError, InvalidDataError)):
        return error
    offset = None if error.offset is None else error.offset + start
    record = error.record
    if record is not None:
        record = record + records_before if records_before is not None else None
    if isinstance(error, FramingError):
        return FramingError(error.reason, file=error.file, offset=offset, record=record, seen=error.seen,
                            hint=error.hint)
    return InvalidDataError(error.reason, file=error.file, record=record, offset=offset, field=error.field,
                            data=error.data)
