"""`decode_to_folder`: what ``mfbridge decode --engine dask`` writes, one file per partition.

Each partition streams its byte range through the single-process reader and sink
(`bridge.records.sinks`), batch by batch, into ``part-NNNNNN.parquet`` (or ``.csv``,
``.jsonl``) inside a hidden staging folder beside the output; the folder is renamed onto the
output once every part is written, so the dataset appears only when complete. A Parquet
folder of parts is a dataset that pyarrow, pandas, Dask and Spark read as one table.
"""
from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterable

from bridge.dask.cluster import compute_in_order
from bridge.dask.ranges import RangeFile, expand_inputs, open_input, rebased
from bridge.dask.splits import Split, block_bytes, plan_splits, records_before
from bridge.errors import BridgeError, TransportError
from bridge.layout.model import Layout
from bridge.records.options import ReaderOptions

__all__ = ["decode_to_folder"]

FORMATS = ("parquet", "csv", "jsonl")


def decode_to_folder(urlpath: str | os.PathLike | list, layout: Layout, out_dir: str | os.PathLike, *,
                     to: str = "parquet", columns: Iterable[str] | None = None, blocksize: int | str = "256 MiB",
                     client: Any = None, storage_options: dict[str, Any] | None = None,
                     index_cache: str | os.PathLike | None | bool = None,
                     progress: Callable[[int, int], None] | None = None, options: ReaderOptions | None = None,
                     **reader_options: Any):
    """Decode ``urlpath`` into the folder ``out_dir`` (local), one ``to`` file per partition, in order.

    Returns the summed `bridge.records.ReadSummary`. ``out_dir`` must not exist yet.
    ``progress(records, nbytes)`` is called as each partition is written.

    :raises TransportError: ``out_dir`` exists, or an input cannot be reached.
    :raises FramingError, InvalidDataError: as the single-process decode, in whole-file terms.
    """
    import dask

    from bridge.dask.read import _merged_dicts
    from bridge.dask.score import _progress_feed

    if to not in FORMATS:
        raise ValueError(f"to={to!r} is not one of: {', '.join(FORMATS)}")
    out = Path(os.fspath(out_dir)[len("file://"):] if os.fspath(out_dir).startswith("file://") else out_dir)
    if out.exists():
        raise TransportError(f"{out} already exists: give a new folder for the dataset", where=str(out))
    opts = ReaderOptions.from_kwargs(options, **reader_options)
    if opts.threads is None:   # one decoding thread per task: Dask already runs a task per core
        opts = ReaderOptions.from_kwargs(opts, threads=1)
    size = block_bytes(blocksize)
    splits = plan_splits(expand_inputs(urlpath, storage_options), layout, opts, blocksize=size, index_cache=index_cache)
    staging = out.parent / f".{out.name}.parts-{uuid.uuid4().hex[:12]}"
    staging.mkdir(mode=0o700)
    wanted = list(columns) if columns is not None else None
    try:
        tasks = [dask.delayed(_decode_part, pure=False)(i, s, layout, opts, wanted, to, str(staging))
                 for i, s in enumerate(splits)]
        results = compute_in_order(tasks, client, _progress_feed(progress, splits, lambda r: r["records"]))
        failed = [r for r in results if isinstance(r, BaseException)]
        if failed:
            raise failed[0]
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return _merged_dicts(results)


def _decode_part(index: int, split: Split, layout: Layout, opts: ReaderOptions, columns, to: str, staging: str):
    from bridge.records.api import open_reader
    from bridge.records.sinks import open_sink

    target = os.path.join(staging, f"part-{index:06d}.{to}")
    temp = f"{target}.{uuid.uuid4().hex[:8]}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    try:
        with open_input(split.file, decompress=split.whole) as raw:
            if split.whole:
                source = raw if split.file.compressed else RangeFile(raw, 0, split.file.size, split.file.name)
                reader = open_reader(source, layout, columns=columns, options=opts)
            else:
                reader = open_reader(RangeFile(raw, split.start, split.end, split.file.name), layout, columns=columns,
                                     options=replace(opts, skip_header_bytes=0, skip_trailer_bytes=0))
            with open_sink(to, temp, layout=layout, reader=reader) as sink:
                for batch in reader:
                    sink.write(batch.table)
    except BridgeError as exc:
        os.unlink(temp)
        return exc if split.whole else rebased(exc, split.start, records_before(split, layout, opts))
    except OSError as exc:  # the input went away, or the folder cannot be written
        os.unlink(temp)
        return TransportError(f"cannot decode {split.file.name} into {target}: {exc}", where=split.file.name)
    except BaseException:
        os.unlink(temp)
        raise
    os.replace(temp, target)
    return {"records": reader.summary.records, "invalid": dict(reader.summary.invalid),
            "unmapped": dict(reader.summary.unmapped)}
