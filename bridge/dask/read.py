"""`read_records` on Dask: one partition per record-aligned byte range, decoded by `bridge.read_records`.

Each partition is exactly what `bridge.read_records` returns for its part of the file: the
same columns, names, Arrow dtypes and nulls, and its read summary in ``attrs["bridge"]``
(`read_summary` sums them). An error names the file, record and byte offset as the
single-process read does.
"""
from __future__ import annotations

import os
from dataclasses import replace
from typing import Any, Iterable

import pandas as pd
import pyarrow as pa

from bridge.dask.ranges import RangeFile, expand_inputs, open_input, rebased
from bridge.dask.splits import Split, block_bytes, plan_splits, records_before
from bridge.errors import BridgeError
from bridge.layout.model import Layout
from bridge.records.options import ReaderOptions

__all__ = ["read_records", "read_summary"]

DEFAULT_BLOCKSIZE = "256 MiB"


def read_records(urlpath: str | os.PathLike | list, layout: Layout, *, blocksize: int | str = DEFAULT_BLOCKSIZE,
                 columns: Iterable[str] | None = None, include_path_column: bool | str = False,
                 storage_options: dict[str, Any] | None = None, index_cache: str | os.PathLike | None | bool = None,
                 options: ReaderOptions | None = None, **reader_options: Any):
    """A `dask.dataframe.DataFrame` of the records in ``urlpath`` (a path, fsspec URL, glob or list).

    ``blocksize``: bytes per partition (a number or ``"64 MiB"``). ``include_path_column``:
    add the file name as a column (``True``: named ``path``). ``index_cache``: folder for
    V/VB record indexes, ``False`` for none. Reader options as for `bridge.read_records`.

    :raises TransportError: a file is missing or its backend is not installed.
    :raises FramingError, InvalidDataError: when the partition holding the bad bytes is computed.
    """
    import dask.dataframe as dd

    opts = ReaderOptions.from_kwargs(options, **reader_options)
    if opts.threads is None:   # one decoding thread per task: Dask already runs a task per core
        opts = ReaderOptions.from_kwargs(opts, threads=1)
    size = block_bytes(blocksize)
    files = expand_inputs(urlpath, storage_options)
    splits = plan_splits(files, layout, opts, blocksize=size, index_cache=index_cache)
    path_column = "path" if include_path_column is True else (include_path_column or None)
    columns = list(columns) if columns is not None else None
    reader = _PartReader(layout, opts, columns, path_column)
    return dd.from_map(reader, splits, meta=reader.meta(), label="bridge-read-records", enforce_metadata=False)


class _PartReader:
    """Reads one `Split` (a picklable callable: it travels to the workers)."""

    def __init__(self, layout: Layout, options: ReaderOptions, columns: list[str] | None,
                 path_column: str | None) -> None:
        self.layout, self.options, self.columns, self.path_column = layout, options, columns, path_column

    def meta(self) -> pd.DataFrame:
        from bridge.records.api import table_to_pandas
        from bridge.records.decode import RecordDecoder

        df = table_to_pandas(RecordDecoder(self.layout, self.options, columns=self.columns).schema.empty_table())
        return self._with_path(df, "")

    def _with_path(self, df: pd.DataFrame, name: str) -> pd.DataFrame:
        if self.path_column:
            df[self.path_column] = pd.Series([name] * len(df), dtype=pd.ArrowDtype(pa.string()), index=df.index)
        return df

    def __call__(self, split: Split) -> pd.DataFrame:
        df = read_split(split, self.layout, self.options, self.columns)
        attrs = df.attrs.get("bridge", {})
        df = self._with_path(df, split.file.name)
        df.attrs["bridge"] = attrs
        return df


def read_split(split: Split, layout: Layout, options: ReaderOptions, columns: list[str] | None) -> pd.DataFrame:
    """The records of one split, as `bridge.read_records` gives them; errors in whole-file terms."""
    from bridge.records.api import read_records as read_local

    if split.whole:
        with open_input(split.file, decompress=True) as raw:
            source = raw if split.file.compressed else RangeFile(raw, 0, split.file.size, split.file.name)
            return read_local(source, layout, columns=columns, options=options)
    part = replace(options, skip_header_bytes=0, skip_trailer_bytes=0)
    try:
        with open_input(split.file) as raw:
            return read_local(RangeFile(raw, split.start, split.end, split.file.name), layout,
                              columns=columns, options=part)
    except BridgeError as exc:
        raise rebased(exc, split.start, records_before(split, layout, options)) from None


def read_summary(ddf) -> Any:
    """A lazy `bridge.records.ReadSummary` of a `read_records` DataFrame: records and invalid counts summed.

    Computing it reads the partitions (persist the frame first to read once); the summary of a
    partition is only known once it is read, as with `bridge.iter_batches`.
    """
    import dask

    summaries = ddf.map_partitions(_attrs_frame, meta=pd.DataFrame({"summary": pd.Series([], dtype=object)}),
                                   enforce_metadata=False)
    return dask.delayed(_merged, pure=True)(summaries.to_delayed())


def _attrs_frame(df: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"summary": [dict(df.attrs.get("bridge", {}))]})


def _merged(parts: list[pd.DataFrame]):
    return _merged_dicts([p for frame in parts for p in frame["summary"]])


def _merged_dicts(parts: list[dict]):
    """One `ReadSummary` from the ``attrs["bridge"]`` dicts of partitions."""
    from bridge.records.api import ReadSummary

    total = ReadSummary()
    for p in parts:
        total.records += int(p.get("records", 0))
        for name, count in p.get("invalid", {}).items():
            total.invalid[name] = total.invalid.get(name, 0) + int(count)
        for value, count in p.get("unmapped", {}).items():
            total.unmapped[value] = total.unmapped.get(value, 0) + int(count)
    return total
