"""Scoring benchmark: decode + score + patch of CUSTOMER-REC records next to LightGBM's predict alone.

In one run, on the same file and the same feature matrix, each step's median over ``--repeat``
interleaved rounds (the steps take turns within a round, so a change in the machine's load
touches the baseline and the steps alike):

* ``LightGBM predict alone``: ``booster.predict`` on the decoded feature matrix (the baseline);
* ``compiled predict alone``: the compiled model (`bridge.score.compiled`, what `Model.predict`
  uses) on the same matrix;
* ``score_file, no reasons``: the whole step through the Python API (read, decode the features,
  predict, round, band, patch the outputs, write) with the demo model's card but no reason codes;
* ``score_file, reasons for ~10%``: the same with exact reason codes for about 10% of the
  records (the demo card's ``score>=0.15``);
* ``mfbridge score``: the command as a subprocess, start to exit (interpreter, imports, model
  load or cache hit, the step, the report lines), without and with reason codes; as installed
  commands run, with its bytecode cached (by an untimed warm-up run, in the temporary folder).

Outputs of the previous round are removed before each step, untimed: the nightly job writes a
new file, and replacing a file of 100 MB frees its pages inside the timed rename.

Each row gives wall seconds, the CPU seconds of the process (or the child) over the step, and the
ratio of predict alone's time to the step's (2x = twice as fast as predict alone). The load
average is printed before and after: on a shared machine compare ratios, not seconds.

Targets (issue 10): ``score_file`` at least 3x predict alone, ``mfbridge score`` at least 2x;
reason codes for 10% of records adding no more than 3x the plain scoring cost (issue 4).

``--stages`` also prints where ``score_file`` (no reasons) spends its time, per stage and
thread, from one extra run with the stages timed (CPU seconds of each stage's thread).

    .venv/bin/python bench/bench_scoring.py --records 1000000
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]


def interleaved(steps: dict[str, Callable[[], object]], repeat: int) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) seconds of each step over ``repeat`` rounds, the steps taking turns in a round.

    CPU is this process's (every thread) plus that of children waited for during the step. A
    step's ``before`` attribute, if any, is called untimed just before it.
    """
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in steps}
    for _ in range(repeat):
        for name, fn in steps.items():
            getattr(fn, "before", lambda: None)()
            c0 = _cpu()
            t0 = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - t0, _cpu() - c0))
    return {name: (statistics.median(w for w, _ in ts), statistics.median(c for _, c in ts))
            for name, ts in times.items()}


def _cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3, help="interleaved rounds; each step's median is shown")
    ap.add_argument("--no-reasons", action="store_true", help="leave out the two steps with reason codes")
    ap.add_argument("--no-command", action="store_true", help="leave out the mfbridge subprocess steps")
    ap.add_argument("--stages", action="store_true", help="also time score_file's stages, per thread")
    args = ap.parse_args()

    import lightgbm as lgb

    import bridge
    from bridge.records.api import read_records, write_records
    from bridge.score.card import ModelCard
    from bridge.score.compiled.booster import compiled_for
    from bridge.score.file import score_file
    from bridge.score.model import Model, feature_matrix
    from bridge.testing import fake_table

    load_before = _load()
    copybook = ROOT / "copybooks" / "customer.cpy"
    layout = bridge.load_copybook(copybook)
    model_dir = ROOT / "models" / "customer-risk"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        chunk = tmp / "chunk.dat"
        write_records(fake_table(layout, min(args.records, 200_000), seed=42), chunk, layout)
        data = chunk.read_bytes()
        path = tmp / "CUSTEXT.dat"
        with open(path, "wb") as fh:
            reps, rest = divmod(args.records, len(data) // layout.length)
            for _ in range(reps):
                fh.write(data)
            fh.write(data[: rest * layout.length])
        n = path.stat().st_size // layout.length

        # a copy of the demo model without reason codes
        plain = tmp / "plain"
        shutil.copytree(model_dir, plain)
        card = ModelCard.load(plain / "card.toml")
        card = card.with_outputs(dataclasses.replace(card.outputs, reasons=None))
        card.save(plain / "card.toml")

        booster = lgb.Booster(model_file=str(model_dir / "model.txt"))
        features = read_records(path, layout, columns=list(card.feature_names))
        X = feature_matrix(card, features).X
        model = Model.load(plain, layout.record(card.record))
        native = compiled_for(model.booster)
        if native is None:
            sys.exit("the compiler does not cover the demo model here (see the log)")

        # the command runs as an installed one does: its bytecode compiled once (by the warm-up run,
        # into the temporary folder), not compiled again from source in every process
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
                   PYTHONPYCACHEPREFIX=str(tmp / "pycache"))
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        script = Path(sys.executable).with_name("mfbridge")
        program = [str(script)] if script.is_file() else [sys.executable, "-m", "bridge"]

        def fresh(out: Path, step: Callable[[Path], object]) -> Callable[[], object]:
            # the output of the round before is removed first, untimed: the nightly job writes a new
            # file, and replacing a file of 100 MB frees its pages inside the timed rename
            def run() -> object:
                return step(out)
            run.before = lambda: out.unlink(missing_ok=True)  # type: ignore[attr-defined]
            return run

        def command(model_folder: Path, out: Path) -> Callable[[], None]:
            argv = program + ["score", str(path), "--copybook", str(copybook),
                    "--model", str(model_folder), "-o", str(out), "--quiet"]

            def run() -> None:
                subprocess.run(argv, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            run.before = lambda: out.unlink(missing_ok=True)  # type: ignore[attr-defined]
            return run

        steps: dict[str, Callable[[], object]] = {
            "LightGBM predict alone": lambda: booster.predict(X),
            "compiled predict alone": lambda: native.predict(X),
            "score_file, no reasons": fresh(tmp / "out1.dat", lambda out: score_file(path, out, layout, plain)),
        }
        if not args.no_reasons:
            steps["score_file, reasons for ~10%"] = fresh(tmp / "out2.dat",
                                                          lambda out: score_file(path, out, layout, model_dir))
        if not args.no_command:
            steps["mfbridge score, no reasons"] = command(plain, tmp / "out3.dat")
            if not args.no_reasons:
                steps["mfbridge score, reasons for ~10%"] = command(model_dir, tmp / "out4.dat")

        # compile numba kernels, fill the compiled-model cache (the command's too)
        warm = score_file(path, tmp / "warm.dat", layout, plain if args.no_reasons else model_dir)
        if not args.no_command:
            (tmp / "warm.dat").unlink()
            command(plain, tmp / "warm.dat")()
        result = interleaved(steps, args.repeat)
        stages = _stages(path, tmp / "out5.dat", layout, plain) if args.stages else None

    t_predict = result["LightGBM predict alone"][0]
    print(f"{n:,} CUSTOMER-REC records, median of {args.repeat} interleaved rounds; {os.cpu_count()} cores; "
          f"load average {load_before} before, {_load()} after")
    if not args.no_reasons:
        print(f"reason codes computed for {warm.report['records'].get('explained', '?'):,} records")
    print(f"{'step':<34} {'seconds':>8} {'CPU s':>7} {'records/s':>12} {'vs predict alone':>17}")
    for name, (wall, cpu) in result.items():
        print(f"{name:<34} {wall:8.3f} {cpu:7.2f} {n / wall:12,.0f} {t_predict / wall:16.2f}x")
    if "score_file, reasons for ~10%" in result:
        plain_t, reasons_t = result["score_file, no reasons"][0], result["score_file, reasons for ~10%"][0]
        print(f"reason codes add {(reasons_t - plain_t) / plain_t:.2f}x the plain scoring cost")
    if stages:
        print(stages)


def _stages(path: Path, out: Path, layout, model_folder: Path) -> str:
    """One run of ``score_file`` with its stages timed: wall and thread CPU per stage and thread."""
    import collections
    import functools
    import threading

    import bridge.score.file as file_module
    from bridge.frame import FrameWriter
    from bridge.records.decode import RecordDecoder
    from bridge.records.encode import RecordEncoder
    from bridge.score.model import Model, ScoreResult
    from bridge.score.report import RunReport

    events: list[tuple[str, str, float, float]] = []
    timed = [(RecordDecoder, "decode", "decode features"), (Model, "prepare", "feature matrix"),
             (Model, "predictions", "predict"), (Model, "finish", "round, band, status"),
             (RunReport, "add", "report counts"), (ScoreResult, "columns", "output columns"),
             (RecordEncoder, "patch", "patch"), (FrameWriter, "write", "write")]
    originals = [(owner, name, getattr(owner, name)) for owner, name, _ in timed]

    def wrap(fn, label):
        @functools.wraps(fn)
        def timed_fn(*a, **k):
            t, c = time.perf_counter(), time.thread_time()
            try:
                return fn(*a, **k)
            finally:
                name = threading.current_thread().name.rsplit("_", 1)[0]
                events.append((name, label, time.perf_counter() - t, time.thread_time() - c))
        return timed_fn

    for owner, name, label in timed:
        setattr(owner, name, wrap(getattr(owner, name), label))
    try:
        c0, t0 = time.process_time(), time.perf_counter()
        file_module.score_file(path, out, layout, model_folder)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    finally:
        for owner, name, fn in originals:
            setattr(owner, name, fn)
    total: dict[tuple[str, str], list[float]] = collections.defaultdict(lambda: [0, 0.0, 0.0])
    for thread, label, w, c in events:
        entry = total[(label, thread)]
        entry[0] += 1
        entry[1] += w
        entry[2] += c
    lines = [f"score_file stages (one run, no reasons: {wall:.3f} s wall, {cpu:.2f} s CPU in all threads)",
             f"  {'stage':<22} {'thread':<16} {'calls':>5} {'wall s':>7} {'CPU s':>6}"]
    for (label, thread), (calls, w, c) in total.items():
        lines.append(f"  {label:<22} {thread:<16} {calls:5d} {w:7.3f} {c:6.3f}")
    staged = sum(c for _, _, _, c in events)
    lines.append(f"  {'other (framing, glue)':<22} {'':<16} {'':>5} {'':>7} {cpu - staged:6.3f}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
