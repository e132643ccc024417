"""A progress line on standard error for the long commands: records, MB, rate and ETA.

One reporter for every command. It shows only when standard error is a terminal (a batch
job's log gets nothing extra) and never with ``--quiet``. A command feeds it in one of two
ways: batch by batch (`Progress.update`, as `decode` does with each decoded batch), or, when
the work happens inside one library call, by watching a file: how far the process has read
an input (its read position in ``/proc/self/fdinfo``, Linux) or how large an output has
grown. The line is redrawn at most five times a second and erased at the end, so the
summary the command prints next starts on a clean line.

Hook for a command (``fake`` writes through one library call)::

    with progress_for("writing", total_bytes=count * lrecl, watch_output=target, quiet=quiet):
        write_records(...)
"""
from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any, Callable

import click

__all__ = ["Progress", "progress_for", "quiet_option"]

#: seconds between two redraws of the line
REDRAW = 0.2


def quiet_option(func: Callable) -> Callable:
    """``-q/--quiet``: no progress line on the terminal."""
    return click.option("-q", "--quiet", is_flag=True,
                        help="No progress line on standard error (shown only when it is a terminal).")(func)


class Progress:
    """A progress line; `update` from the worker, or a watcher thread polling a file."""

    def __init__(self, label: str, *, total_bytes: int | None = None, record_length: int | None = None,
                 stream: IO[str] | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.label = label
        self.total_bytes = total_bytes if total_bytes else None
        self.record_length = record_length
        self.stream = stream if stream is not None else sys.stderr
        self.clock = clock
        self.records = 0
        self.bytes = 0
        self._counted_records = False
        self._start = clock()
        self._drawn = 0.0
        self._width = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- feeding --------------------------------------------------------------------------------
    def update(self, records: int = 0, nbytes: int = 0) -> None:
        """Add ``records`` done and ``nbytes`` of input consumed (or output written)."""
        with self._lock:
            self.records += records
            self.bytes += nbytes
            self._counted_records = self._counted_records or records > 0
        self._maybe_draw()

    def position(self, nbytes: int) -> None:
        """Set the bytes done so far (a watcher's reading)."""
        with self._lock:
            self.bytes = max(self.bytes, nbytes)
        self._maybe_draw()

    def watch(self, read: Callable[[], int | None]) -> None:
        """Poll ``read()`` (bytes done, or None when unknown) in a background thread."""
        def loop() -> None:
            while not self._stop.wait(REDRAW):
                try:
                    value = read()
                except OSError:
                    value = None
                if value is not None:
                    self.position(value)
        self._thread = threading.Thread(target=loop, name="mfbridge-progress", daemon=True)
        self._thread.start()

    # -- drawing --------------------------------------------------------------------------------
    def line(self) -> str:
        """The progress text: label, records, MB (of the total), rate, ETA."""
        elapsed = max(self.clock() - self._start, 1e-9)
        with self._lock:
            done, records = self.bytes, self.records
        parts = [self.label]
        if self._counted_records:
            parts.append(f"{records:,} records")
        elif self.record_length:
            parts.append(f"~{done // self.record_length:,} records")
        mb = done / 1e6
        if self.total_bytes:
            total = self.total_bytes / 1e6
            parts.append(f"{mb:,.1f}/{total:,.1f} MB ({min(100.0, 100 * done / self.total_bytes):.0f}%)")
        else:
            parts.append(f"{mb:,.1f} MB")
        rate = mb / elapsed
        parts.append(f"{rate:,.1f} MB/s")
        if self.total_bytes and done and rate > 0:
            left = round(max(0.0, (self.total_bytes - done) / 1e6 / rate))
            parts.append(f"ETA {left // 60}:{left % 60:02d}")
        return "  ".join(parts)

    def _maybe_draw(self, force: bool = False) -> None:
        now = self.clock()
        if not force and self._drawn and now - self._drawn < REDRAW:
            return
        self._drawn = now
        text = self.line()
        pad = max(0, self._width - len(text))
        self._width = len(text)
        try:
            self.stream.write("\r" + text + " " * pad)
            self.stream.flush()
        except (OSError, ValueError):
            pass

    def close(self) -> None:
        """Stop watching, draw the final count, and erase the line."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1)
        self._maybe_draw(force=True)
        if self._width:
            try:
                self.stream.write("\r" + " " * self._width + "\r")
                self.stream.flush()
            except (OSError, ValueError):
                pass

    def __enter__(self) -> Progress:
        self._maybe_draw(force=True)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class _Silent:
    """Stands in for `Progress` when nothing is to be shown."""

    def update(self, records: int = 0, nbytes: int = 0) -> None:
        pass

    def position(self, nbytes: int) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self) -> _Silent:
        return self

    def __exit__(self, *exc: Any) -> None:
        pass


def progress_for(label: str, *, quiet: bool = False, total_bytes: int | None = None,
                 record_length: int | None = None, watch_input: str | None = None,
                 watch_output: str | None = None, stdout_is_output: bool = False) -> Progress | _Silent:
    """A progress line when standard error is a terminal and not ``quiet``; a silent stand-in otherwise.

    ``watch_input``: follow how far this process has read that file; ``watch_output``: follow
    how large that file has grown. ``stdout_is_output``: the records go to standard output, so
    when that is the same terminal no line is drawn between them.
    """
    if quiet or not _is_terminal(sys.stderr) or (stdout_is_output and _is_terminal(sys.stdout)):
        return _Silent()
    progress = Progress(label, total_bytes=total_bytes, record_length=record_length)
    if watch_input is not None:
        progress.watch(_read_position(watch_input))
    elif watch_output is not None:
        target = Path(watch_output)
        progress.watch(lambda: target.stat().st_size if target.exists() else None)
    return progress


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _read_position(path: str) -> Callable[[], int | None]:
    """How far this process has read ``path``: the position of its descriptor on that file (Linux)."""
    try:
        wanted = os.stat(path)
    except OSError:
        return lambda: None
    fd_dir = Path("/proc/self/fd")

    def read() -> int | None:
        if not fd_dir.is_dir():
            return None
        best = None
        for entry in fd_dir.iterdir():
            try:
                st = os.stat(entry)
                if (st.st_dev, st.st_ino) != (wanted.st_dev, wanted.st_ino):
                    continue
                for line in Path(f"/proc/self/fdinfo/{entry.name}").read_text().splitlines():
                    if line.startswith("pos:"):
                        pos = int(line.split()[1])
                        best = pos if best is None else max(best, pos)
            except (OSError, ValueError):
                continue
        return best
    return read
