"""A DropZone on a local (or mounted) folder, with the same guarantees as the SFTP one.

Uploads are written with ``O_EXCL`` under a hidden temporary name, fsynced, size-checked and
moved into place with ``os.replace``; the folder is fsynced afterwards so the rename survives a
crash. Exclusive renames use ``os.link`` + ``os.unlink``: ``link`` fails when the target exists,
which ``rename`` never does. On file systems without hard links it falls back to check-then-rename,
which is not atomic against a concurrent writer of the same target. Claims use ``os.rename``,
which has exactly one winner when two processes move the same file.

Links: files are opened with ``O_NOFOLLOW`` (a dropped symlink is never read or written
through), and a folder reached *below* a configured one (``within``: the archive under the
inbox) must be a real folder, checked with ``lstat`` component by component, so a dropper who
makes ``inbox/archive -> /elsewhere`` cannot lead the job outside its folders. Files are created
with ``file_mode`` (0600) and folders with ``dir_mode`` (0700), whatever the umask.
"""
from __future__ import annotations

import errno
import fnmatch
import hashlib
import io
import os
import stat as stat_module
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from bridge.errors import TransportError
from bridge.transport.base import (
    DropZone,
    Entry,
    Fetched,
    FileMissingError,
    Progress,
    StrPath,
    TargetExistsError,
    claim_name,
    is_hidden,
    safe_name,
    temp_name,
)

__all__ = ["LocalDropZone"]

_CHUNK = 1 << 20
_NO_HARD_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.ENOSYS}


class LocalDropZone(DropZone):
    """A drop zone on the folder `path`; ``create=True`` makes the folder when it is missing.

    :raises TransportError: the folder does not exist (and ``create`` is false) or is not a folder.
    """

    def __init__(self, path: StrPath, *, create: bool = False, within: StrPath | None = None,
                 file_mode: int = 0o600, dir_mode: int = 0o700) -> None:
        self.folder = Path(os.path.abspath(path))
        self.location = str(self.folder)
        self.file_mode = file_mode
        self.dir_mode = dir_mode
        with self._boundary("open folder"):
            if within is not None:
                self._real_folders(Path(os.path.abspath(within)), self.folder, create)
            elif create and not self.folder.exists():
                self.folder.mkdir(parents=True, exist_ok=True, mode=dir_mode)
                os.chmod(self.folder, dir_mode)
            if not self.folder.is_dir():
                raise TransportError("folder does not exist or is not a folder; check the job's path "
                                     "(or create it)", where=self.location)

    def _real_folders(self, base: Path, folder: Path, create: bool) -> None:
        """Check (or make) every folder from `base` down to `folder` as a real folder, never a link."""
        try:
            parts = folder.relative_to(base).parts
        except ValueError:
            parts = ()  # not below base: a folder the job file names itself
            if create:
                folder.mkdir(parents=True, exist_ok=True, mode=self.dir_mode)
        here = base
        for part in parts:
            here = here / part
            try:
                st = os.lstat(here)
            except FileNotFoundError:
                if not create:
                    return
                try:
                    os.mkdir(here, self.dir_mode)
                    os.chmod(here, self.dir_mode)  # exactly: the umask may have narrowed it
                except FileExistsError:
                    pass
                st = os.lstat(here)
            if stat_module.S_ISLNK(st.st_mode):
                raise TransportError(f"{here} is a symbolic link (to {os.readlink(here)}); the job writes "
                                     "only to real folders it was configured with: remove the link, or name "
                                     "the folder you mean in the job file", where=str(base))
            if not stat_module.S_ISDIR(st.st_mode):
                raise TransportError(f"{here} is not a folder", where=str(base))

    def __repr__(self) -> str:
        return f"LocalDropZone({self.location!r})"

    # --- paths and errors -----------------------------------------------------------------------

    def _path(self, name: str) -> Path:
        return self.folder / safe_name(name, where=self.location)

    def _folder_path(self, folder: str) -> Path:
        return Path(folder) if os.path.isabs(folder) else self.folder / folder

    @contextmanager
    def _boundary(self, action: str, path: Path | None = None) -> Iterator[None]:
        """Turn OSError into TransportError naming the action and the file."""
        where = str(path) if path is not None else self.location
        try:
            yield
        except TransportError:
            raise
        except FileNotFoundError as error:
            raise FileMissingError(f"{action}: no such file or folder ({error.strerror})", where=where) from error
        except FileExistsError as error:
            raise TargetExistsError(f"{action}: target already exists", where=where) from error
        except OSError as error:
            raise TransportError(f"{action} failed: {error.strerror or error}", where=where) from error

    # --- reading --------------------------------------------------------------------------------

    def list(self, pattern: str = "*") -> list[Entry]:
        entries = []
        with self._boundary("list folder"), os.scandir(self.folder) as scan:
            for item in scan:
                if is_hidden(item.name) and not pattern.startswith("."):
                    continue
                if not fnmatch.fnmatchcase(item.name, pattern) or not item.is_file(follow_symlinks=False):
                    continue
                try:
                    st = item.stat(follow_symlinks=False)
                except FileNotFoundError:
                    continue  # claimed or removed by someone else while we listed
                entries.append(Entry(item.name, st.st_size, st.st_mtime))
        return sorted(entries)

    def stat(self, name: str) -> Entry:
        path = self._path(name)
        with self._boundary("stat", path):
            st = os.lstat(path)
        if not stat_module.S_ISREG(st.st_mode):
            raise TransportError("not a regular file", where=str(path))
        return Entry(name, st.st_size, st.st_mtime)

    def open_folder(self, path: str, *, create: bool = False, within: str | None = None) -> LocalDropZone:
        return LocalDropZone(path, create=create, within=within, file_mode=self.file_mode, dir_mode=self.dir_mode)

    def fetch(self, name: str, local_path: StrPath, *, progress: Progress | None = None) -> Entry:
        return self.fetch_sha256(name, local_path, progress=progress).entry

    def fetch_sha256(self, name: str, local_path: StrPath, *, progress: Progress | None = None) -> Fetched:
        entry = self.stat(name)
        digest = hashlib.sha256()
        source = self._path(name)
        target = Path(local_path)
        part = target.with_name(temp_name(target.name))
        with self._boundary("fetch", source):
            try:
                with _open_read(source) as fin, _open_new(part, self.file_mode) as fout:
                    copied = _copy(fin, fout, entry.size, progress, digest)
                if copied != entry.size:
                    raise TransportError(f"fetch: got {copied} bytes but the file has {entry.size}; "
                                         "is it still being written?", where=str(source))
                os.replace(part, target)
            finally:
                part.unlink(missing_ok=True)
        return Fetched(entry, digest.hexdigest())

    # --- writing --------------------------------------------------------------------------------

    def put(self, local_path: StrPath, name: str, *, overwrite: bool = True,
            progress: Progress | None = None) -> Entry:
        final = self._path(name)
        with self._boundary("put: read local file", Path(local_path)):
            source = open(local_path, "rb")
        with source:
            size = os.fstat(source.fileno()).st_size
            return self._upload(source, size, final, overwrite, progress)

    def put_bytes(self, data: bytes, name: str, *, overwrite: bool = True) -> Entry:
        return self._upload(io.BytesIO(data), len(data), self._path(name), overwrite, None)

    def _upload(self, source: BinaryIO, size: int, final: Path, overwrite: bool,
                progress: Progress | None) -> Entry:
        part = final.with_name(temp_name(final.name))
        with self._boundary("put", final):
            try:
                with _open_new(part, self.file_mode) as fout:
                    written = _copy(source, fout, size, progress)
                    fout.flush()
                    os.fsync(fout.fileno())
                if written != size or part.stat().st_size != size:
                    raise TransportError(f"put: wrote {part.stat().st_size} bytes of {size}; the upload "
                                         "was not renamed into place", where=str(final))
                self._place(part, final, overwrite)
                _fsync_folder(final.parent)
            finally:
                part.unlink(missing_ok=True)
        st = final.stat()
        return Entry(final.name, st.st_size, st.st_mtime)

    def _place(self, src: Path, dst: Path, overwrite: bool) -> None:
        """Rename src to dst atomically; exclusive (TargetExistsError) unless overwrite."""
        if overwrite:
            os.replace(src, dst)
            return
        try:
            os.link(src, dst, follow_symlinks=False)
        except FileExistsError as error:
            if os.path.samefile(src, dst):
                # an earlier rename was killed between its link and its unlink: finish it
                os.unlink(src)
                return
            raise TargetExistsError("rename refused: target already exists (rename with overwrite "
                                    "to replace it)", where=str(dst)) from error
        except OSError as error:
            if error.errno not in _NO_HARD_LINKS:
                raise
            if os.path.lexists(dst):
                raise TargetExistsError("rename refused: target already exists", where=str(dst)) from error
            os.rename(src, dst)
            return
        os.unlink(src)

    def rename(self, src: str, dst: str, *, overwrite: bool = False) -> None:
        source, target = self._path(src), self._path(dst)
        with self._boundary(f"rename to {dst}", source):
            self._place(source, target, overwrite)
            _fsync_folder(self.folder)

    def move(self, name: str, folder: str, *, overwrite: bool = False) -> None:
        source = self._path(name)
        target = self._folder_path(folder) / source.name
        with self._boundary(f"move to {target.parent}", source):
            if not os.path.isabs(folder):
                self._real_folders(self.folder, target.parent, create=False)
            self._place(source, target, overwrite)
            _fsync_folder(target.parent)
            _fsync_folder(self.folder)

    def claim(self, name: str, token: str) -> str | None:
        source = self._path(name)
        claimed = claim_name(name, token)
        with self._boundary("claim", source):
            try:
                os.rename(source, self.folder / claimed)
            except FileNotFoundError:
                return None
            _fsync_folder(self.folder)
        return claimed

    def remove(self, name: str, *, missing_ok: bool = False) -> None:
        path = self._path(name)
        with self._boundary("remove", path):
            try:
                os.unlink(path)
            except FileNotFoundError:
                if not missing_ok:
                    raise

    def makedirs(self, path: str) -> None:
        folder = self._folder_path(path)
        with self._boundary("create folder", folder):
            self._real_folders(self.folder, folder, create=True)

    def close(self) -> None:
        """Nothing to release for a local folder."""


def _copy(source: BinaryIO, target: BinaryIO, total: int, progress: Progress | None,
          digest: hashlib._Hash | None = None) -> int:
    done = 0
    while chunk := source.read(_CHUNK):
        target.write(chunk)
        if digest is not None:
            digest.update(chunk)
        done += len(chunk)
        if progress is not None:
            progress(done, total)
    return done


def _open_read(path: Path) -> BinaryIO:
    """Open a file for reading, never through a symbolic link (ELOOP if `path` is one)."""
    return os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW), "rb")


def _open_new(path: Path, mode: int) -> BinaryIO:
    """Create `path` exclusively with exactly `mode` (the umask may not widen or narrow it)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    os.fchmod(fd, mode)
    return os.fdopen(fd, "wb")


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
