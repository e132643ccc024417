"""The private cache of models fetched from MLflow: one folder per model version or run, filled once.

A nightly run must not download its model again, and must never read half a download. So an
entry is keyed by what does not change (the server, the registered model and its resolved
version, or the run and its artifact path), filled in a temporary folder beside it and renamed
into place only when every file is there: an entry that exists is complete. Two runs that fill
the same entry at once both succeed; the second rename loses and its copy is thrown away.

The cache holds models, which decide about customers: its folder is created 0700 and its files
0600, and a cache folder that is a link, is not the user's own or that others may write is
refused, since anyone who can write there could swap the model.

Where: ``$MFBRIDGE_MODEL_CACHE``, else ``$XDG_CACHE_HOME/mfbridge/models``, else
``~/.cache/mfbridge/models``.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import tempfile
from pathlib import Path
from typing import Callable

from bridge.errors import ModelSourceError

__all__ = ["CACHE_ENV", "ModelCache", "REQUIRED_FILES", "default_cache_root"]

CACHE_ENV = "MFBRIDGE_MODEL_CACHE"
#: what a model folder must hold to be scored (metrics.json is carried along when present)
REQUIRED_FILES = ("model.txt", "card.toml")
FOLDER_MODE = 0o700
FILE_MODE = 0o600


def default_cache_root() -> Path:
    """The cache folder named by the environment (see the module docstring)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mfbridge" / "models"


class ModelCache:
    """Complete model folders under ``root``, one per key."""

    def __init__(self, root: str | os.PathLike | None = None) -> None:
        self.root = Path(root) if root is not None else default_cache_root()

    def entry(self, label: str, *key: str) -> Path:
        """The folder of the entry for ``key`` (its parts joined); ``label`` only makes the name readable."""
        digest = hashlib.sha256("\0".join(key).encode("utf-8")).hexdigest()[:20]
        readable = re.sub(r"[^A-Za-z0-9_.-]", "_", label).strip(".")[:60] or "model"
        return self.root / f"{readable}-{digest}"

    def get(self, folder: Path) -> Path | None:
        """``folder`` when it is a complete entry of this cache, else None."""
        self._check_root(create=False)
        if folder.is_symlink() or not folder.is_dir():
            return None
        if all((folder / name).is_file() and not (folder / name).is_symlink() for name in REQUIRED_FILES):
            return folder
        return None

    def fill(self, folder: Path, fetch: Callable[[Path], None]) -> Path:
        """Make ``folder`` a complete entry: ``fetch(temp)`` writes the files into an empty temporary
        folder, which is checked, made private and renamed to ``folder``. Returns ``folder``."""
        self._check_root(create=True)
        temp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".part", dir=self.root))
        try:
            fetch(temp)
            missing = [name for name in REQUIRED_FILES if not (temp / name).is_file()]
            if missing:
                raise ModelSourceError(f"the model's artifacts have no {' and no '.join(missing)}")
            _make_private(temp)
            stale = self.get(folder) is None and folder.exists()
            if stale:  # an incomplete leftover (a folder emptied by hand): replaced, never merged
                _remove(folder)
            try:
                os.rename(temp, folder)
            except OSError:
                if self.get(folder) is None:  # not another run's complete copy: a real failure
                    raise
        finally:
            if temp.exists():
                _remove(temp)
        return folder

    def _check_root(self, *, create: bool) -> None:
        root = self.root
        if create and not root.exists() and not root.is_symlink():
            root.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
        try:
            info = os.lstat(root)
        except FileNotFoundError:
            return
        problem = None
        if stat.S_ISLNK(info.st_mode):
            problem = "is a link"
        elif not stat.S_ISDIR(info.st_mode):
            problem = "is not a folder"
        elif info.st_uid != os.getuid():
            problem = "belongs to another user"
        elif info.st_mode & 0o022:
            problem = f"may be written by others (mode {stat.S_IMODE(info.st_mode):04o})"
        if problem:
            raise ModelSourceError(f"the model cache {root} {problem}: anyone who can write there could swap a "
                                   f"model; use a private folder (chmod 700, or set {CACHE_ENV})")


def _make_private(folder: Path) -> None:
    os.chmod(folder, FOLDER_MODE)
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames:
            os.chmod(os.path.join(dirpath, name), FOLDER_MODE)
        for name in filenames:
            path = os.path.join(dirpath, name)
            if not os.path.islink(path):
                os.chmod(path, FILE_MODE)


def _remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
