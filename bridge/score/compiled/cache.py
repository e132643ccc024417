"""Compiled models on disk, keyed by the model's digest and the machine they were built for.

One file per model: a magic line, a JSON header (key, object sizes, sha256 of the payload),
then the object files. A file that is short, has another key or whose payload does not match
its checksum is ignored (and then replaced): a damaged cache costs one compile, never a wrong
number. Files are written 0600 into a temporary name and renamed, so that a reader never sees
half a file and two processes compiling the same model at once both end with a whole one.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from bridge.codec.machine import trusted_folder

__all__ = ["default_cache_dir", "read_cached", "write_cached"]

MAGIC = b"MFBRIDGE-COMPILED-FOREST 1\n"
_MAX_HEADER = 1 << 20


def default_cache_dir() -> Path:
    """``$MFBRIDGE_CACHE_DIR`` or ``$XDG_CACHE_HOME/mfbridge/compiled`` (``~/.cache/...``): not the
    MLflow model cache's ``mfbridge/models``."""
    if os.environ.get("MFBRIDGE_CACHE_DIR"):
        return Path(os.environ["MFBRIDGE_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mfbridge" / "compiled"


def _path(folder: Path, key: str) -> Path:
    return folder / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.forest"


def read_cached(folder: Path, key: str) -> list[bytes] | None:
    """The object files cached under ``key``, or None when absent, damaged, not object files, or
    in a folder others may write to."""
    if not trusted_folder(folder):
        return None
    try:
        data = _path(folder, key).read_bytes()
    except OSError:
        return None
    if not data.startswith(MAGIC):
        return None
    end = data.find(b"\n", len(MAGIC), len(MAGIC) + _MAX_HEADER)
    if end < 0:
        return None
    try:
        header = json.loads(data[len(MAGIC):end])
        sizes = [int(s) for s in header["sizes"]]
        if header["key"] != key or any(s < 0 for s in sizes):
            return None
        payload = data[end + 1:]
        if len(payload) != sum(sizes) or hashlib.sha256(payload).hexdigest() != header["sha256"]:
            return None
    except (ValueError, KeyError, TypeError):
        return None
    out, pos = [], 0
    for s in sizes:
        obj = payload[pos:pos + s]
        if obj[:4] != b"\x7fELF":
            return None     # LLVM's object loader trusts its input: give it object files only
        out.append(obj)
        pos += s
    return out


def write_cached(folder: Path, key: str, objects: list[bytes]) -> Path | None:
    """Store ``objects`` under ``key``; returns the file, or None when the folder is not
    writable (the cache is an optimisation: a read-only home must not stop a run)."""
    payload = b"".join(objects)
    header = json.dumps({"key": key, "sizes": [len(o) for o in objects],
                         "sha256": hashlib.sha256(payload).hexdigest()}).encode()
    target = _path(folder, key)
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not trusted_folder(folder):
            return None
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".part-", suffix=".forest")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(MAGIC + header + b"\n" + payload)
            os.replace(tmp, target)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        return None
    return target
