"""Outcomes in, joined to the scores they judge: the outcome file decoded by its own copybook.

The mainframe writes outcomes weeks after scoring, in a copybook of its own; only two fields
matter: the key (the same customer or account key the job routes and records by) and the
label. Decisions:

* **Keys are compared as text, trimmed** (the history stores the key field's decoded value
  that way): ``"0042 "`` and ``"0042"`` meet; a numeric key is its plain decimal text.
* **Bad** is a label whose trimmed text is one of ``bad_values`` (default ``"1"``); for a
  numeric label field the values are compared as numbers (``1`` = ``1.0``). Every other
  label is good. A record whose key or label is null (missing or invalid data) is left out
  and counted, never guessed.
* **A key given twice**: the last record wins (a later outcome corrects an earlier one), and
  the repeats are counted.
* **Which score an outcome judges**: the latest score of the key per model and arm within
  the period (``--since``/``--until`` on the run dates), i.e. the most recent decision taken
  on that customer before the outcome was known; pin the period to the observation window
  to judge an older decision.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from bridge.errors import JobError

__all__ = ["Outcomes", "join_scores", "key_text", "latest_scores", "read_outcomes"]


@dataclass(frozen=True)
class Outcomes:
    """One row per key: ``frame`` has ``key`` (text) and ``bad`` (bool); the counts say what was left out."""

    frame: pd.DataFrame
    records: int
    no_key: int
    no_label: int
    repeated: int
    source: str = ""


def key_text(values: pa.Array | pa.ChunkedArray) -> pa.ChunkedArray:
    """Keys as the history stores them: text, surrounding blanks removed (null stays null)."""
    if isinstance(values, pa.Array):
        values = pa.chunked_array([values])
    if not pa.types.is_string(values.type) and not pa.types.is_large_string(values.type):
        values = pc.cast(values, pa.string())
    return pc.utf8_trim_whitespace(values)


def _bad(labels: pa.ChunkedArray, bad_values: Iterable[str], field: str) -> pa.ChunkedArray:
    bad_values = [v.strip() for v in bad_values]
    kind = labels.type
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        try:
            numbers = pa.array([float(v) for v in bad_values], pa.float64())
        except ValueError:
            raise JobError(f"the label field {field} is numeric: bad values {', '.join(bad_values)} must be "
                           "numbers (--bad-values 1,2)") from None
        return pc.is_in(pc.cast(labels, pa.float64()), value_set=numbers)
    return pc.is_in(key_text(labels), value_set=pa.array(bad_values, pa.string()))


def read_outcomes(source: str | Path, layout, *, key: str, label: str, bad_values: Iterable[str] = ("1",),
                  **reader_options) -> Outcomes:
    """Decode the outcome file, keep ``key`` and ``label``, and say which keys were bad.

    :raises LayoutError: a field the copybook does not have. :raises JobError: numeric label, text bad values.
    """
    from bridge.records.api import read_table

    columns = list(dict.fromkeys([key, label]))
    table, summary = read_table(source, layout, columns=columns, **reader_options)
    keys = key_text(table.column(key))
    labels = table.column(label)
    bad = _bad(labels, bad_values, label)
    keep = pc.and_(pc.is_valid(keys), pc.is_valid(labels))
    frame = pd.DataFrame({"key": pc.filter(keys, keep).to_numpy(zero_copy_only=False),
                          "bad": pc.filter(bad, keep).to_numpy(zero_copy_only=False).astype(bool)})
    before = len(frame)
    frame = frame.drop_duplicates("key", keep="last").reset_index(drop=True)
    return Outcomes(frame, records=table.num_rows, no_key=int(keys.null_count),
                    no_label=int(pc.sum(pc.and_(pc.is_valid(keys), pc.is_null(labels))).as_py() or 0),
                    repeated=before - len(frame), source=str(source))


def latest_scores(scores: pa.Table, runs: pd.DataFrame, *, since: date | None = None,
                  until: date | None = None, keys: pd.Series | None = None) -> pd.DataFrame:
    """The latest scored row per key, model and arm within [since, until] (run dates, inclusive).

    Rows without a score (not scored: status other than scored) are left out. Order within a
    day follows the runs' order (start time, then run id). ``keys`` (the outcome keys) narrows
    the rows before anything is converted, a long history holding far more keys than one
    outcome file; the result's ``key_id`` is then the key's position in ``keys`` (else a code
    per distinct key), so joins and pairings compare integers, not strings. All of it is
    whole-column work in Arrow and numpy: a sort and a unique over integer codes.
    """
    score, key = scores.column("score"), scores.column("key")
    keep = pc.and_(pc.and_(pc.is_valid(score), pc.invert(pc.is_nan(score))), pc.is_valid(key))
    if since is not None:
        keep = pc.and_(keep, pc.greater_equal(scores.column("date"), pa.scalar(since, pa.date32())))
    if until is not None:
        keep = pc.and_(keep, pc.less_equal(scores.column("date"), pa.scalar(until, pa.date32())))
    value_set = pa.array(np.asarray(keys, dtype=object), pa.string()) if keys is not None else None
    if value_set is not None:
        keep = pc.and_(keep, pc.is_in(key, value_set=value_set))
    table = scores.filter(keep)
    if value_set is not None:
        key_id = _codes(pc.index_in(table.column("key"), value_set=value_set))
    else:
        key_id = _codes(pc.dictionary_encode(table.column("key")).combine_chunks().indices)
    arm = _codes(pc.dictionary_encode(table.column("arm")).combine_chunks().indices)
    model = _codes(pc.dictionary_encode(table.column("model_id")).combine_chunks().indices)
    run_ids = pa.array(list(runs["run_id"]) if len(runs) else [], pa.string())
    run_rank = _codes(pc.fill_null(pc.index_in(table.column("run_id"), value_set=run_ids), -1))
    day = table.column("date").cast(pa.int32()).to_numpy()
    order = np.lexsort((run_rank, day))[::-1]  # newest first, so the first of each group is the latest
    width = int(key_id.max()) + 1 if len(key_id) else 1
    group = (model.astype(np.int64) * (int(arm.max(initial=0)) + 1) + arm) * width + key_id
    _, first = np.unique(group[order], return_index=True)
    rows = np.sort(order[first])
    frame = table.take(pa.array(rows)).to_pandas()
    frame["key_id"] = key_id[rows]
    return frame


def _codes(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array.to_numpy(zero_copy_only=False).astype(np.int64)


def join_scores(latest: pd.DataFrame, outcomes: Outcomes) -> pd.DataFrame:
    """Scores that have an outcome: ``latest`` rows (from `latest_scores` with the outcome keys) with the
    outcome's ``bad`` column, taken by position."""
    joined = latest.reset_index(drop=True)
    joined["bad"] = outcomes.frame["bad"].to_numpy(dtype=np.bool_)[joined["key_id"].to_numpy()]
    return joined
