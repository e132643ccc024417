"""Decode and score record files on a Dask cluster: the optional extra ``mainframe-bridge[dask]``.

This package sits on top of `bridge.records` and `bridge.score`, the way Cobrix's
``spark-cobol`` sits on its engine: nothing below it imports it, so the single-machine path
never loads Dask. A file is cut into byte ranges that start on a record (`bridge.dask.splits`),
and each range is read or scored by the very same single-process code, so every partition is
what `bridge.read_records` gives for that part of the file, and a scored file is byte-identical.

Public surface: `connect`, `read_records`, `read_summary`, `decode_to_folder`, `score_file`, `plan_splits`, `Split`.
"""
from __future__ import annotations

try:
    import dask  # noqa: F401
    import dask.dataframe  # noqa: F401
    import fsspec  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised by the import-guard test in a subprocess
    from bridge.errors import BridgeError

    raise BridgeError(f"bridge.dask needs the optional extra ({exc.name} is not installed): "
                      "pip install 'mainframe-bridge[dask]'") from None

from bridge.dask.cluster import connect
from bridge.dask.decode import decode_to_folder
from bridge.dask.read import read_records, read_summary
from bridge.dask.score import DaskScore, score_file
from bridge.dask.splits import Split, plan_splits

__all__ = ["DaskScore", "Split", "connect", "decode_to_folder", "plan_splits", "read_records", "read_summary", "score_file"]
