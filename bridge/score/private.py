"""Files the scoring stage writes (model, card, metrics, reports) are created readable by their owner only.

Reports and metrics describe customer data and models; the house rule is 0600 files and 0700
folders, whatever the umask says. `write_private_text` replaces the file through a temporary
name in the same folder, so a reader never sees half a file and an existing file's wider mode
is not kept.
"""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["FILE_MODE", "FOLDER_MODE", "make_private_folder", "write_private_text"]

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def make_private_folder(folder: str | os.PathLike) -> Path:
    """Create ``folder`` (and its parents) with mode 0700 when it does not exist; return it."""
    folder = Path(folder)
    if not folder.is_dir():
        folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    return folder


def write_private_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` as a 0600 file, replacing it whole."""
    path = Path(path)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), FILE_MODE)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return path
