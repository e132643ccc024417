"""Score a whole record file: decode the features, predict, patch the outputs in place, report.

The one place where records meet the model, used by `mfbridge score` and by the batch job.
It streams: each framed batch decodes only the card's feature columns, the model scores it,
and the patch writer (`patch_stream`) writes only the output fields (score, band, reason
codes, model id, status) into the original record bytes; every other byte of the file,
framing included, is copied unchanged. Records of another record type than the model's
(header, trailer) are passed through untouched.

Decision: LightGBM's prediction, nearly all the work, runs in worker threads (it releases the
GIL), a few batches ahead of this thread, which meanwhile decodes the next batches and
finishes, patches and writes the previous ones; results, report and output bytes are those
of scoring the batches one after another.

What is not prediction is kept small, since on two cores it takes CPU from the prediction:
the model reads the decoded Arrow columns directly (no DataFrame); the text outputs (band,
status, model id, reason codes) go to the patch as dictionary columns, each distinct text
encoded once per batch (`bridge.records.patch`); the compiled model is loaded from its cache
in a thread of its own while the first batches are read and decoded. Where the rest goes is
printed by ``bench/bench_scoring.py --stages``.
"""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bridge.errors import EncodeError, ModelCardError
from bridge.layout.model import Layout
from bridge.records.api import patch_stream
from bridge.records.options import ReaderOptions
from bridge.records.plan import column_names
from bridge.score.compiled.walk import SMALL_ROWS

__all__ = ["ChallengerError", "FileScore", "score_file"]

#: Rows per LightGBM call: a batch is predicted in runs of this many rows, so the prediction
#: threads share out the work evenly to the last batch.
PREDICT_ROWS = 16384


class ChallengerError(ModelCardError):
    """The challenger of a routed run failed on this file (a score that does not fit its PICTURE with
    ``on_overflow = "error"``): the caller falls back to the champion."""


#: ``route(batch, rows) -> bool array``: True for each scored row whose outputs the challenger writes
Route = Callable[[Any, "np.ndarray | None"], np.ndarray]
#: ``observe(batch, rows, champion, challenger, routed)``: each batch's results, in file order
Observe = Callable[[Any, "np.ndarray | None", Any, Any, "np.ndarray | None"], None]


@dataclass
class FileScore:
    """What scoring a file did: the run report (as a dict) and the counts the job's status needs."""

    report: dict[str, Any]
    summary: str
    records_in: int
    scored: int
    not_scored: int
    invalid: dict[str, int]
    model_id: str
    run: Any = None    # the RunReport itself, for merging the reports of parts of a file (bridge.dask)


def score_file(source, dest, layout: Layout, model_dir: str | os.PathLike, *,
               shadow_dir: str | os.PathLike | None = None, report_path: str | os.PathLike | None = None,
               progress: Callable[[int], None] | None = None,
               options: ReaderOptions | None = None, challenger_dir: str | os.PathLike | None = None,
               route: Route | None = None, observe: Observe | None = None, extra_fields: tuple[str, ...] = (),
               **reader_options: Any) -> FileScore:
    """Score ``source`` into ``dest`` (same layout, framing and code page) with the model in ``model_dir``.

    The model card is checked against the copybook before any record is read
    (`ModelCardError`). ``shadow_dir``: a challenger model scored alongside, compared in the
    report, never written. ``report_path``: where to write the JSON report and its readable
    summary (``.txt`` beside it). ``progress(records_done)`` is called after each batch is written.

    Rollout (`bridge.rollout`): ``challenger_dir`` is a second model that scores every record
    (compared in the report as a shadow is); ``route`` picks, per batch, the records whose outputs
    it writes instead of the champion's (its card must write the same output fields), and the
    report counts what was written. ``observe`` sees both results of every batch;
    ``extra_fields`` are decoded for them too (the routing key). A challenger that fails on a
    record raises `ChallengerError`.
    """
    from bridge.score.model import Model
    from bridge.score.report import RunReport

    opts = ReaderOptions.from_kwargs(options, **reader_options)
    card_record = _model_record(model_dir, layout, opts)
    record = layout.record(card_record)
    model = Model.load(model_dir, record)
    if shadow_dir and challenger_dir:
        raise ValueError("give a shadow or a challenger, not both")
    rollout = challenger_dir is not None
    second_dir = challenger_dir or shadow_dir
    shadow = Model.load(second_dir, record) if second_dir else None
    if _records_at_least(source, layout) > SMALL_ROWS:   # a small file is walked, never compiled
        _load_compiled_early(model, shadow)
    report = RunReport(model, shadow=shadow, source=str(source))
    names = column_names(layout)
    outputs = _output_columns(model, record, names)
    if shadow is not None and route is not None and _output_columns(shadow, record, names) != outputs:
        raise ChallengerError(f"writes the output fields {', '.join(shadow.card.outputs.fields().values())}, the "
                              f"champion {', '.join(model.card.outputs.fields().values())}; a routed challenger "
                              "must write the same fields", card=shadow.card.source)
    features = [names[record.field(f).path] for f in model.card.feature_names]
    shadow_features = [names[record.field(f).path] for f in shadow.card.feature_names] if shadow else []
    extra = [names[record.field(f).path] for f in extra_fields]
    needed = list(dict.fromkeys(features + shadow_features + extra))
    # a variable record too short to hold the output fields cannot carry a score (never lengthened)
    outputs_end = max((_last_byte(record.field(f)) for f in model.card.outputs.fields().values()), default=0)
    too_short = [0]
    if len(layout.records) > 1 and not opts.record and not opts.segment_map:
        opts = ReaderOptions.from_kwargs(opts, record=record.name)

    # LightGBM releases the GIL while it predicts, so prediction runs in worker threads while
    # this thread decodes the next batch and patches and writes the one before
    streams, threads = _prediction_streams(opts.threads)
    predictor = ThreadPoolExecutor(max_workers=streams, thread_name_prefix="bridge-predict")

    def start(batch):
        rows = _rows_of_record(batch, layout, record.name)
        frame = _feature_table(batch, features, model.card.feature_names, rows)
        prepared = model.prepare(frame)
        X = prepared.features.X
        runs = [predictor.submit(model.predictions, X[i:i + PREDICT_ROWS], num_threads=threads)
                for i in range(0, len(X), PREDICT_ROWS)]
        second = None
        if rollout:  # the challenger predicts in the same threads, beside the champion
            second_frame = _feature_table(batch, shadow_features, shadow.card.feature_names, rows)
            second_prepared = shadow.prepare(second_frame)
            SX = second_prepared.features.X
            second = (second_prepared, [predictor.submit(shadow.predictions, SX[i:i + PREDICT_ROWS],
                                                         num_threads=threads)
                                        for i in range(0, len(SX), PREDICT_ROWS)])
        return rows, frame, prepared, runs, second

    def finish(batch, started) -> pa.Table:
        rows, frame, prepared, runs, second = started
        try:
            result = model.finish(prepared, _joined([run.result() for run in runs], len(prepared.features.X)))
        except EncodeError as exc:  # a score that does not fit: name the record in the file
            row = exc.row
            if row is not None:
                row = (int(rows[row]) if rows is not None else row) + batch.frame.first_record
            raise EncodeError(exc.reason, row=row, field=exc.field, value=exc.value, picture=exc.picture) from None
        shadow_result = None
        if second is not None:
            second_prepared, second_runs = second
            try:
                shadow_result = shadow.finish(second_prepared, _joined([run.result() for run in second_runs],
                                                                       len(second_prepared.features.X)))
            except EncodeError as exc:
                row = None if exc.row is None else (int(rows[exc.row]) if rows is not None else exc.row) \
                    + batch.frame.first_record
                raise ChallengerError(f"record {'?' if row is None else row + 1}: {exc.reason}",
                                      card=shadow.card.source, field=exc.field) from None
        elif shadow:
            shadow_frame = _feature_table(batch, shadow_features, shadow.card.feature_names, rows)
            shadow_result = shadow.score(shadow_frame)
        routed = None
        if route is not None and shadow_result is not None:
            routed = np.asarray(route(batch, rows), dtype=bool)
        if observe is not None:
            observe(batch, rows, result, shadow_result, routed)
        if routed is not None and routed.any():
            report.add(_routed_result(result, shadow_result, routed), records_read=len(frame))
            if report.shadow is not None:
                report.shadow.add(result, shadow_result)
            mask = pa.array(routed)
            champion_columns, challenger_columns = result.columns(), shadow_result.columns()
            columns = _expand({name: pc.if_else(mask, challenger_columns[name], array)
                               for name, array in champion_columns.items()}, outputs)
        else:
            report.add(result, records_read=len(frame), shadow=shadow_result)
            columns = _expand(_coded_columns(result), outputs)
        if rows is not None:
            n = batch.table.num_rows
            columns = {k: _scatter(v, rows, n) for k, v in columns.items()}
        lengths = batch.frame.lengths if rows is None else batch.frame.lengths[rows]
        too_short[0] += int(np.count_nonzero(lengths < outputs_end))
        if progress is not None:
            progress(batch.frame.first_record + len(batch.frame.lengths))
        return pa.table(columns)

    try:
        summary = patch_stream(source, dest, layout, start, finish, ahead=streams, columns=needed,
                               options=opts)
    finally:
        predictor.shutdown(wait=True, cancel_futures=True)  # after an error: no prediction nobody reads
    data = report.to_dict()
    data["records"]["invalid_values"] = dict(summary.invalid)
    text = report.summary()
    if too_short[0]:
        reason = "not scored: record too short for the output fields"
        data["records"]["scored"] = int(data["records"].get("scored", 0)) - too_short[0]
        data["records"].setdefault("not_scored", {})[reason] = too_short[0]
        text += f"{too_short[0]} records too short to hold the output fields (ending at byte {outputs_end}): " \
                "left as they were, not scored\n"
    if report_path:
        import json

        from bridge.score.report import _plain

        from bridge.score.private import write_private_text

        path = write_private_text(report_path, json.dumps(data, indent=2, default=_plain) + "\n")
        write_private_text(path.with_suffix(".txt"), text)
    recs = data["records"]
    not_scored = sum(recs.get("not_scored", {}).values()) if isinstance(recs.get("not_scored"), dict) else 0
    return FileScore(report=data, summary=text, records_in=summary.records, scored=int(recs.get("scored", 0)),
                     not_scored=int(not_scored), invalid=dict(summary.invalid), model_id=model.card.model_id, run=report)


#: Output roles written as dictionary arrays: a few distinct texts each, encoded once per batch
#: instead of once per record (`bridge.records.patch`)
_CODED_ROLES = ("band", "reasons", "model_id", "status")
#: The order in which `ScoreResult.columns` gives the output fields (kept, so the patch order is)
_ROLE_ORDER = ("score", "band", "reasons", "model_id", "status", "class", "probabilities")


def _coded_columns(result) -> dict[str, pa.Array]:
    """``result.columns()`` with the text outputs (band, reasons, model id, status) as dictionary arrays."""
    from dataclasses import replace

    from bridge.codec.arrow_buffers import int_array, string_array
    from bridge.records.patch import coded_text

    fields = result.fields
    others = replace(result, fields={r: f for r, f in fields.items() if r not in _CODED_ROLES}).columns()
    n = len(result)
    coded: dict[str, pa.Array] = {}
    if "band" in fields:
        coded[fields["band"]] = coded_text(result.band)
    if "reasons" in fields:
        coded[fields["reasons"]] = pa.FixedSizeListArray.from_arrays(coded_text(result.reasons),
                                                                     result.reasons.shape[1])
    if "model_id" in fields:
        coded[fields["model_id"]] = pa.DictionaryArray.from_arrays(int_array(np.zeros(n), np.int32),
                                                                   string_array([result.model_id]))
    if "status" in fields:
        coded[fields["status"]] = coded_text(result.status)
    ordered = [fields[r] for r in _ROLE_ORDER if r in fields] + [f for f in fields.values()]
    out: dict[str, pa.Array] = {}
    for name in dict.fromkeys(ordered):
        if name in coded:
            out[name] = coded[name]
        elif name in others:
            out[name] = others[name]
    return out


def _routed_result(champion, challenger, routed: np.ndarray):
    """The results written: the challenger's on the ``routed`` rows, the champion's elsewhere (for the report)."""
    from dataclasses import replace

    def pick(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.where(routed.reshape((-1,) + (1,) * (a.ndim - 1)), b, a)

    reasons = champion.reasons
    if challenger.reasons.shape == reasons.shape:
        reasons = pick(reasons, challenger.reasons)
    status = pick(champion.status, challenger.status)
    codes, counts = np.unique(status, return_counts=True)
    return replace(champion, probability=pick(champion.probability, challenger.probability),
                   score=pick(champion.score, challenger.score), band=pick(champion.band, challenger.band),
                   reasons=reasons, status=status, scored=pick(champion.scored, challenger.scored),
                   explained=pick(champion.explained, challenger.explained),
                   status_counts={str(c): int(n) for c, n in zip(codes.tolist(), counts.tolist())})


def _feature_table(batch, columns: list[str], names, rows: np.ndarray | None) -> pa.Table:
    """The batch's feature columns under the card's names (the rows of the model's record type only):
    the Arrow table the model reads, without a trip through pandas."""
    table = batch.table.select(columns).rename_columns(list(names))
    return table if rows is None else table.take(rows)


def _last_byte(f) -> int:
    """One past the last byte of the last occurrence of ``f``."""
    return f.offset + sum((d.max - 1) * d.stride for d in f.dims) + f.length


def _joined(parts: list[tuple[np.ndarray, np.ndarray | None]], n: int) -> tuple[np.ndarray, np.ndarray | None]:
    """The predictions of a batch from those of its runs of rows."""
    if not parts:
        return np.zeros(n), None
    if len(parts) == 1:
        return parts[0]
    probability = np.concatenate([p for p, _ in parts])
    raw = None if parts[0][1] is None else np.concatenate([r for _, r in parts])
    return probability, raw


def _records_at_least(source, layout: Layout) -> int:
    """About how many records ``source`` holds (its size over the longest record; 0 when it is not
    a file whose size can be read): enough to know a file too small to need the compiled model."""
    try:
        return os.stat(source).st_size // max(1, layout.length)
    except (TypeError, ValueError, OSError):
        return 0


def _load_compiled_early(*models) -> None:
    """Load (or compile) the models' native code in a thread of its own, so that reading and decoding
    the first batches overlap it instead of following it (a cache hit is a tenth to a fifth of a
    second of parsing and linking); the first prediction waits for it. Nothing is raised here: a
    failure is met again, and reported, by the prediction that needs the code."""
    from bridge.score.compiled.booster import compiled_for

    boosters = [m.booster for m in models if m is not None and getattr(m, "compiled", False)]
    if not boosters:
        return

    def load() -> None:
        for booster in boosters:
            try:
                compiled_for(booster)
            except Exception:  # noqa: BLE001 - the prediction calls compiled_for again and raises there
                return

    threading.Thread(target=load, name="bridge-compile", daemon=True).start()


def _prediction_streams(cores: int | None = None) -> tuple[int, int | None]:
    """How many batches LightGBM predicts at once, and with how many threads each (None: its default),
    on ``cores`` cores (the reader's ``threads``; None: every core LightGBM would use).

    Why two batches at once, each on half the cores, rather than one batch on all of them:
    LightGBM splits a batch's rows evenly among its threads and waits for the last one, so
    the decoding and writing done meanwhile by this thread delays a whole prediction by the
    time it takes from one core. With two predictions in flight the cores are shared as the
    system sees fit and no core waits for another. Each row's prediction does not depend on
    the thread count.
    """
    if cores is not None:
        return (1, 1) if cores < 2 else (2, cores // 2)
    cores = _cores()
    if cores < 2:
        return 1, None
    return 2, cores // 2


def _cores() -> int:
    """The cores LightGBM would use by default: ``OMP_NUM_THREADS`` if set, else those this process may run on."""
    try:
        return max(1, int(os.environ.get("OMP_NUM_THREADS", "")))
    except ValueError:
        pass
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _model_record(model_dir, layout: Layout, opts: ReaderOptions) -> str | None:
    from bridge.score.card import ModelCard

    from bridge.errors import ModelCardError

    card = ModelCard.load(Path(model_dir) / "card.toml")
    names = [r.name for r in layout.records]
    if card.record not in names:
        raise ModelCardError(f"the card expects record {card.record}, the copybook gives {', '.join(names)}",
                             card=card.source, field=card.record)
    return card.record


def _output_columns(model, record, names) -> dict[str, list[str]]:
    """Output field → the flat column names it is written through (OCCURS expanded)."""
    out: dict[str, list[str]] = {}
    for role, field_name in model.card.outputs.fields().items():
        f = record.field(field_name)
        base = names[f.path]
        if f.dims:
            out[field_name] = [f"{base}({i})" for i in range(1, f.dims[-1].max + 1)]
        else:
            out[field_name] = [base]
    return out


def _expand(columns: dict[str, pa.Array], outputs: dict[str, list[str]]) -> dict[str, pa.Array]:
    flat: dict[str, pa.Array] = {}
    for name, array in columns.items():
        targets = outputs.get(name) or outputs.get(name.upper()) or [name]
        if pa.types.is_fixed_size_list(array.type):
            k = array.type.list_size
            values = array.flatten()
            for i, target in enumerate(targets[:k]):
                index = np.arange(i, len(values), k)   # from its buffer: pa.array imports pandas
                flat[target] = values.take(pa.Array.from_buffers(pa.int64(), len(index), [None, pa.py_buffer(index)]))
        else:
            flat[targets[0]] = array
    return flat


def _rows_of_record(batch, layout: Layout, name: str):
    types = getattr(batch, "record_types", None)
    if types is None:
        return None
    index = [r.name for r in layout.records].index(name)
    rows = np.flatnonzero(types == index)
    return None if rows.size == len(types) else rows


def _scatter(array: pa.Array, rows: np.ndarray, n: int) -> pa.Array:
    positions = np.full(n, -1, dtype=np.int64)
    positions[rows] = np.arange(rows.size)
    return array.take(pa.array(positions, mask=positions < 0))
