"""`score_file` on Dask: each partition decodes, scores and patches its own byte range; the output is
assembled in order and is byte-identical to the single-process `bridge score`.

Decisions:

- A partition runs the single-process `bridge.score.file.score_file` on its byte range, so
  what it writes is, byte for byte, that range of the single-process output. The header and
  trailer bytes are copied by the assembling step.
- The model folder travels as bytes in one task of the graph, which each worker fetches once
  (and Dask recomputes if the worker holding it dies), and is unpacked into a private
  temporary folder once per worker process.
- Parts are written to a hidden folder beside the output (each part under a temporary name,
  renamed when complete, so a task retried after its worker died rewrites its part whole),
  then concatenated into a hidden temporary file that is renamed onto the output: the output
  appears only when complete, and a failed run leaves no part behind.
- A task that meets bad data returns the error rather than raising it, so the command fails
  with the error of the first bad record in the file, as the single-process run does,
  whichever task finished first. Errors name the file, record and offset of the whole file.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable

from bridge.dask.cluster import compute_in_order
from bridge.dask.ranges import InputFile, RangeFile, expand_inputs, open_input, rebased
from bridge.dask.splits import Split, block_bytes, plan_splits, records_before
from bridge.errors import BridgeError, EncodeError, TransportError
from bridge.layout.model import Layout
from bridge.records.options import ReaderOptions
from bridge.score.file import FileScore

__all__ = ["DaskScore", "score_file"]

DEFAULT_BLOCKSIZE = "256 MiB"
TOO_SHORT = "not scored: record too short for the output fields"


@dataclass
class DaskScore(FileScore):
    """What scoring a file on Dask did: a `bridge.score.file.FileScore` (the merged run report and
    the counts) and how many partitions it took."""

    partitions: int = 0


def score_file(urlpath: str | os.PathLike, layout: Layout, model_dir: str | os.PathLike,
               out_urlpath: str | os.PathLike, *, shadow_dir: str | os.PathLike | None = None,
               report_path: str | os.PathLike | None = None, blocksize: int | str = DEFAULT_BLOCKSIZE,
               client: Any = None, storage_options: dict[str, Any] | None = None,
               index_cache: str | os.PathLike | None | bool = None,
               progress: Callable[[int, int], None] | None = None,
               options: ReaderOptions | None = None, **reader_options: Any) -> DaskScore:
    """Score the record file ``urlpath`` into ``out_urlpath`` with the model in ``model_dir``, on Dask.

    Runs on ``client`` (a `distributed.Client`), else on the current Dask scheduler. The output
    is byte-identical to `bridge.score.file.score_file`'s; ``report_path`` gets the same JSON
    report and summary. The output file appears only once complete. ``progress(records, nbytes)``
    is called as each partition completes, with its records and its bytes of input.

    :raises ModelCardError, FramingError, InvalidDataError, EncodeError: as the single-process run.
    :raises TransportError: an input or output cannot be reached.
    """
    import dask

    from bridge.score.file import _model_record

    opts = ReaderOptions.from_kwargs(options, **reader_options)
    if opts.threads is None:   # one decoding thread per task: Dask already runs a task per core
        opts = ReaderOptions.from_kwargs(opts, threads=1)
    _model_record(model_dir, layout, opts)   # the card is checked before any task is sent
    size = block_bytes(blocksize)
    files = expand_inputs(urlpath, storage_options)
    if len(files) != 1:
        raise TransportError(f"score takes one input file; {urlpath} names {len(files)}", where=str(urlpath))
    source = files[0]
    splits = plan_splits(files, layout, opts, blocksize=size, index_cache=index_cache)
    bundle = {"model": _bundle(model_dir), "shadow": _bundle(shadow_dir) if shadow_dir else None}
    if client is None:
        client = _current_client()
    # one task holds the model: each worker fetches its result once, and Dask can make it again
    # if the worker holding it dies (scattered data could not be)
    models = dask.delayed(_same, pure=True, name=f"bridge-model-{uuid.uuid4().hex}")(bundle)

    out = os.fspath(out_urlpath)
    fs, out_path = _output_fs(out, storage_options)
    parent, name = out_path.rsplit("/", 1) if "/" in out_path else (".", out_path)
    token = uuid.uuid4().hex[:12]
    parts_dir = f"{parent}/.{name}.parts-{token}"
    if not fs.isdir(parent):
        raise TransportError(f"cannot write {out}: folder {parent} does not exist", where=out)
    fs.makedirs(parts_dir, exist_ok=True)
    try:
        tasks = [dask.delayed(_score_part, pure=False)(i, split, layout, opts, models, (fs, parts_dir))
                 for i, split in enumerate(splits)]
        results = compute_in_order(tasks, client, _progress_feed(progress, splits, lambda r: r.records_in))
        failed = [r for r in results if isinstance(r, BaseException)]
        if failed:
            raise failed[0]
        _assemble(fs, out_path, parent, name, token, source, opts, splits, parts_dir)
    finally:
        try:
            fs.rm(parts_dir, recursive=True)
        except (FileNotFoundError, OSError):
            pass
    return _merged_result(results, source, report_path, len(splits))


def _progress_feed(progress, splits: list[Split], records_of) -> Callable[[int, Any], None] | None:
    """``on_done`` for `compute_in_order`: a finished partition's records and input bytes to ``progress``."""
    if progress is None:
        return None

    def done(index: int, result: Any) -> None:
        if not isinstance(result, BaseException):
            split = splits[index]
            progress(records_of(result), (split.file.size if split.whole else split.end - split.start))
    return done


def _same(value):
    return value


def _current_client():
    try:
        from distributed import get_client
    except ImportError:
        return None
    try:
        return get_client()
    except ValueError:
        return None


def _bundle(model_dir) -> dict[str, bytes]:
    """The files of a model folder (not its subfolders) as bytes, to send to the workers."""
    folder = Path(model_dir)
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


_UNPACKED: dict[str, str] = {}


def _unpacked(bundle: dict[str, bytes] | None) -> str | None:
    """A private folder holding ``bundle``'s files, made once per worker process."""
    if bundle is None:
        return None
    digest = hashlib.sha256(b"".join(k.encode() + b"\0" + v for k, v in sorted(bundle.items()))).hexdigest()
    folder = _UNPACKED.get(digest)
    if folder is None or not os.path.isdir(folder):
        folder = tempfile.mkdtemp(prefix="bridge-model-")   # 0700
        for file_name, data in bundle.items():
            fd = os.open(os.path.join(folder, os.path.basename(file_name)), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
        _UNPACKED[digest] = folder
    return folder


def _output_fs(out: str, storage_options):
    import fsspec.core

    if out.startswith("sftp://"):
        from bridge.dask.sftp import sftp_filesystem

        return sftp_filesystem(out, dict(storage_options or {}))
    return fsspec.core.url_to_fs(out, **dict(storage_options or {}))


def _open_new(fs, path: str):
    """A new file for writing: 0600 on local disk."""
    from fsspec.implementations.local import LocalFileSystem

    if isinstance(fs, LocalFileSystem):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        return os.fdopen(fd, "wb")
    return fs.open(path, "wb")


def _score_part(index: int, split: Split, layout: Layout, opts: ReaderOptions, models: dict, target):
    """Score one split into part ``index``; returns its FileScore, or the error in whole-file terms."""
    from bridge.score.file import score_file as score_local

    fs, parts_dir = target
    model_dir, shadow_dir = _unpacked(models["model"]), _unpacked(models["shadow"])
    final = f"{parts_dir}/part-{index:06d}"
    temp = f"{final}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        with open_input(split.file, decompress=split.whole) as raw, _open_new(fs, temp) as dest:
            if split.whole:
                source = raw if split.file.compressed else RangeFile(raw, 0, split.file.size, split.file.name)
                result = score_local(source, dest, layout, model_dir, shadow_dir=shadow_dir, options=opts)
            else:
                part = replace(opts, skip_header_bytes=0, skip_trailer_bytes=0)
                source = RangeFile(raw, split.start, split.end, split.file.name)
                result = score_local(source, dest, layout, model_dir, shadow_dir=shadow_dir, options=part)
    except BridgeError as exc:
        _remove(fs, temp)
        if split.whole:
            return exc
        before = records_before(split, layout, opts)
        if isinstance(exc, EncodeError):
            row = None if exc.row is None or before is None else exc.row + before
            return EncodeError(exc.reason, row=row, field=exc.field, value=exc.value, picture=exc.picture)
        return rebased(exc, split.start, before)
    except OSError as exc:  # the input went away, or the parts folder cannot be written
        _remove(fs, temp)
        return TransportError(f"cannot score {split.file.name} into {final}: {exc}", where=split.file.name)
    except BaseException:
        _remove(fs, temp)
        raise
    fs.mv(temp, final)
    return result


def _remove(fs, path: str) -> None:
    try:
        fs.rm(path)
    except (FileNotFoundError, OSError):
        pass


def _assemble(fs, out_path: str, parent: str, name: str, token: str, source: InputFile, opts: ReaderOptions,
              splits: list[Split], parts_dir: str) -> None:
    """Header, parts in order, trailer into a hidden temporary file, renamed onto the output."""
    temp = f"{parent}/.{name}.tmp-{token}"
    try:
        with _open_new(fs, temp) as out:
            whole = len(splits) == 1 and splits[0].whole
            if not whole and opts.skip_header_bytes:
                with open_input(source) as raw:
                    out.write(raw.read(opts.skip_header_bytes))
            for i in range(len(splits)):
                with fs.open(f"{parts_dir}/part-{i:06d}", "rb") as part:
                    while block := part.read(8 << 20):
                        out.write(block)
            if not whole and opts.skip_trailer_bytes:
                with open_input(source) as raw:
                    raw.seek(source.size - opts.skip_trailer_bytes)
                    out.write(raw.read(opts.skip_trailer_bytes))
        _replace(fs, temp, out_path)
    except OSError as exc:
        _remove(fs, temp)
        raise TransportError(f"cannot write {out_path}: {exc}", where=out_path) from None
    except BaseException:
        _remove(fs, temp)
        raise


def _replace(fs, temp: str, final: str) -> None:
    from fsspec.implementations.local import LocalFileSystem

    if isinstance(fs, LocalFileSystem):
        os.replace(temp, final)
    else:
        fs.mv(temp, final)


def _merged_result(results: list, source: InputFile, report_path, partitions: int) -> DaskScore:
    from bridge.dask.report_merge import merge_runs
    from bridge.score.report import _plain

    run = merge_runs([r.run for r in results], source.name)
    data = run.to_dict()
    invalid: dict[str, int] = {}
    for r in results:
        for k, v in r.invalid.items():
            invalid[k] = invalid.get(k, 0) + v
    data["records"]["invalid_values"] = invalid
    text = run.summary()
    too_short = sum(int(r.report["records"].get("not_scored", {}).get(TOO_SHORT, 0)) for r in results)
    if too_short:
        end = next(m.group(1) for r in results if (m := re.search(r"ending at byte (\d+)", r.summary)))
        data["records"]["scored"] = int(data["records"].get("scored", 0)) - too_short
        data["records"].setdefault("not_scored", {})[TOO_SHORT] = too_short
        text += f"{too_short} records too short to hold the output fields (ending at byte {end}): " \
                "left as they were, not scored\n"
    if report_path:
        path = Path(report_path)
        _write_private(path, json.dumps(data, indent=2, default=_plain) + "\n")
        _write_private(path.with_suffix(".txt"), text)
    recs = data["records"]
    not_scored = sum(recs.get("not_scored", {}).values()) if isinstance(recs.get("not_scored"), dict) else 0
    return DaskScore(report=data, summary=text, records_in=sum(r.records_in for r in results),
                     scored=int(recs.get("scored", 0)), not_scored=int(not_scored), invalid=invalid,
                     model_id=results[0].model_id, partitions=partitions)


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path``, readable by its owner only (0600, also when it existed)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
