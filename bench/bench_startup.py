"""Start-up benchmark: how long the everyday commands take on a ten-record file, process to exit.

Also on 5,000 records, past the small paths, where kernels and the compiled model are loaded
(``bridge.codec.native``: machine code cached on disk; numba itself only where a kernel has none).

Run with ``.venv/bin/python bench/bench_startup.py [--runs N]``. Each command is started as a
fresh process (``python -m bridge.cli.main ...``, which is what the `mfbridge` script runs) N times,
the commands interleaved so that a busy moment of the machine hits them all alike, and the
median wall time and CPU time of each are printed with their ratios to the baseline measured
in the same run:
the interpreter alone (``python -c pass``). Also printed: ``python -c "import numpy, pyarrow"``
and ``python -c "import numba"``, the floors a command pays once it touches records or
compiled kernels. ``--against CHECKOUT`` also runs the mfbridge commands from another
checkout of the package (``PYTHONPATH=CHECKOUT``, e.g. a ``git worktree`` of an older commit),
interleaved with these, for a before/after under the same load. A script, not a timed test:
timings depend on the machine and its load.

Caches, as an installed package has them: Python's bytecode is kept between runs
(``PYTHONPYCACHEPREFIX`` in a folder of the run, ``PYTHONDONTWRITEBYTECODE`` dropped: pip compiles
an installed package's bytecode, and without it every run would recompile the package's source).
``--cache warm`` (the default) keeps numba's kernel cache (``NUMBA_CACHE_DIR``) and the compiled-model
cache (``MFBRIDGE_CACHE_DIR``) in folders of the run, filled by one warm-up run of each command;
``--cache cold`` gives every run empty ones (the first run after an install or a new model);
``--cache both`` measures the two, interleaved. `mfbridge score` scores the ten records with the
demo model (``models/customer-risk``).

``--imports`` also lists, for each mfbridge command, the heavy libraries it imported (pandas,
numba, llvmlite, LightGBM, scipy): what a time cannot show. ``--small-paths`` measures the
thresholds of the score path's small batches instead (issue 10): the demo model's numpy walk
(`SmallWalk`) and numpy TreeSHAP against their compiled counterparts by row count, and what
loading the compiled ones costs a fresh process, median of ``--runs``.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COPYBOOK = ROOT / "copybooks" / "customer.cpy"
MODEL = ROOT / "models" / "customer-risk"


def _records(folder: Path, n: int) -> Path:
    from bridge import load_copybook, write_records
    from bridge.testing import fake_table

    layout = load_copybook(COPYBOOK)
    path = folder / f"CUST{n}.dat"
    write_records(fake_table(layout, n, seed=1), path, layout)
    return path


def _plain_model(folder: Path) -> Path:
    """The demo model without reason codes (TreeSHAP runs in numba: not what this measures)."""
    import dataclasses

    from bridge.score.card import ModelCard

    plain = folder / "plain"
    shutil.copytree(MODEL, plain)
    card = ModelCard.load(plain / "card.toml")
    card.with_outputs(dataclasses.replace(card.outputs, reasons=None)).save(plain / "card.toml")
    return plain


def _commands(data: Path, more: Path | None = None, plain: Path | None = None) -> dict[str, list[str]]:
    py = sys.executable
    cli = [py, "-m", "bridge.cli.main"]  # what the console script runs; older checkouts have no __main__
    return {
        "baseline: python -c pass": [py, "-c", "pass"],
        "floor: import numpy, pyarrow": [py, "-c", "import numpy, pyarrow"],
        "floor: import numba": [py, "-c", "import numba"],
        "mfbridge --help": [*cli, "--help"],
        "mfbridge schema --format layout": [*cli, "schema", str(COPYBOOK), "--format", "layout"],
        "mfbridge inspect (record 1)": [*cli, "inspect", str(data), "-c", str(COPYBOOK)],
        "mfbridge decode (10 records, JSONL)": [*cli, "decode", str(data), "-c", str(COPYBOOK)],
        "mfbridge score (10 records, demo model)": [*cli, "score", str(data), "-c", str(COPYBOOK), "--model",
                                                    str(MODEL), "-o", str(data.with_name("SCORED.dat")),
                                                    "--quiet"],
    } | ({} if more is None else {
        # past the small paths: the compiled kernels and the compiled model are loaded
        "mfbridge decode (5,000 records, JSONL)": [*cli, "decode", str(more), "-c", str(COPYBOOK), "-o",
                                                   str(more.with_name("MORE.jsonl"))],
        "mfbridge score (5,000 records, no reasons)": [*cli, "score", str(more), "-c", str(COPYBOOK), "--model",
                                                       str(plain), "-o", str(more.with_name("MORE.dat")), "--quiet"],
    })


def _time(argv: list[str], pythonpath: str, caches: Path, cold: bool) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run of ``argv``; ``cold``: with empty kernel and
    model caches."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "NUMBA_CACHE_DIR")}
    env.update(PYTHONPATH=pythonpath, PYTHONPYCACHEPREFIX=str(caches / "pycache"))
    kernels, models = caches / "numba", caches / "models"
    if cold:
        shutil.rmtree(kernels, ignore_errors=True)
        shutil.rmtree(models, ignore_errors=True)
    models.mkdir(mode=0o700, parents=True, exist_ok=True)
    env.update(NUMBA_CACHE_DIR=str(kernels), MFBRIDGE_CACHE_DIR=str(models))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    # cwd: `python -m` puts the current folder first on the path, before PYTHONPATH
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env,
                   cwd=tempfile.gettempdir())
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


HEAVY = ("pandas", "numba", "llvmlite", "lightgbm", "sklearn", "scipy")


def _imports(argv: list[str], pythonpath: str, caches: Path) -> list[str]:
    """The heavy libraries one run of an mfbridge command imports."""
    code = ("import sys, runpy\nsys.argv = ['mfbridge', *sys.argv[1:]]\n"
            "try:\n    runpy.run_module('bridge.cli.main', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            f"print('IMPORTED', *[m for m in {HEAVY!r} if m in sys.modules], file=sys.stderr)")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE",)}
    env.update(PYTHONPATH=pythonpath, PYTHONPYCACHEPREFIX=str(caches / "pycache"),
               NUMBA_CACHE_DIR=str(caches / "numba"), MFBRIDGE_CACHE_DIR=str(caches / "models"))
    done = subprocess.run([argv[0], "-c", code, *argv[3:]], capture_output=True, text=True, env=env,
                          cwd=tempfile.gettempdir())
    lines = [line for line in done.stderr.splitlines() if line.startswith("IMPORTED")]
    return lines[-1].split()[1:] if lines else ["(failed)"]


_FRESH = """
import sys, time
t0 = time.perf_counter()
import numpy as np
from bridge.score.model_text import read_model_text
text = read_model_text(sys.argv[1])
X = np.load(sys.argv[2])[:1]
t1 = time.perf_counter()
if sys.argv[3] == "compiled":
    from bridge.score.compiled.booster import compiled_for
    from bridge.score.text_booster import TextBooster
    compiled_for(TextBooster(text)).predict(X)
else:
    from bridge.score.reasons import TreeShap
    TreeShap(text).contributions(X, small=False)
print(time.perf_counter() - t1)
"""


def _small_paths(runs: int) -> None:
    """The rows up to which the score path's numpy walks beat loading their compiled counterparts."""
    import numpy as np

    from bridge.score.compiled.booster import compiled_for
    from bridge.score.compiled.walk import SMALL_ROWS, SmallWalk
    from bridge.score.model_text import read_model_text
    from bridge.score.reasons import SMALL_ROWS as SHAP_ROWS, TreeShap
    from bridge.score.text_booster import TextBooster

    text = read_model_text(MODEL / "model.txt")
    rng = np.random.default_rng(0)
    n = 8192
    X = np.column_stack([rng.normal(3e9, 3e9, n), rng.normal(2e5, 2e5, n), rng.integers(0, 900, n),
                         rng.normal(2e5, 2e5, n), rng.integers(0, 120, n), rng.poisson(2, n),
                         rng.normal(25, 30, n), rng.integers(0, 4, n)]).astype(np.float64)

    def best(f, *args) -> float:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            f(*args)
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(PYTHONPATH=str(ROOT), MFBRIDGE_CACHE_DIR=str(Path(tmp) / "models"),
                   NUMBA_CACHE_DIR=str(Path(tmp) / "numba"), PYTHONPYCACHEPREFIX=str(Path(tmp) / "pyc"))
        (Path(tmp) / "models").mkdir(mode=0o700)
        np.save(Path(tmp) / "X.npy", X)
        load = {}
        for what in ("compiled", "treeshap"):
            argv = [sys.executable, "-c", _FRESH, str(MODEL / "model.txt"), str(Path(tmp) / "X.npy"), what]
            subprocess.run(argv, env=env, check=True, capture_output=True)        # fills the caches
            load[what] = statistics.median(float(subprocess.run(argv, env=env, check=True, capture_output=True,
                                                                text=True).stdout) for _ in range(runs))
    walk, compiled, shap = SmallWalk.of(text), compiled_for(TextBooster(text)), TreeShap(text)
    print(f"median of {runs}; load average {os.getloadavg()[0]:.1f}. A fresh process loading the compiled "
          f"model from its cache and predicting one row: {load['compiled'] * 1e3:.0f} ms; importing numba, "
          f"loading the TreeSHAP kernels and filling the tables, one row: {load['treeshap'] * 1e3:.0f} ms")
    print(f"predictions (SMALL_ROWS = {SMALL_ROWS}):")
    for rows in (10, 64, 256, 1024, 2048, 4096, 8192):
        print(f"  {rows:5d} rows: numpy walk {best(walk.predict_both, X[:rows]) * 1e3:7.1f} ms, "
              f"compiled {best(compiled.predict_both, X[:rows]) * 1e3:6.2f} ms")
    print(f"reason codes (SMALL_ROWS = {SHAP_ROWS}):")
    for rows in (1, 10, 32, 64, 128):
        print(f"  {rows:5d} rows: numpy {best(lambda x: shap.contributions(x, small=True), X[:rows]) * 1e3:7.1f} ms, "
              f"compiled {best(lambda x: shap.contributions(x, small=False), X[:rows]) * 1e3:6.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="process runs per command (median reported)")
    parser.add_argument("--against", metavar="CHECKOUT", default=None,
                        help="also run the mfbridge commands from this checkout, for a before/after")
    parser.add_argument("--cache", choices=("warm", "cold", "both"), default="warm",
                        help="numba's kernel cache and the compiled-model cache: kept between runs (warm), "
                             "empty at every run (cold), or both measured")
    parser.add_argument("--imports", action="store_true", help="also list the heavy libraries each command imports")
    parser.add_argument("--small-paths", action="store_true",
                        help="measure the small-batch thresholds of the score path instead")
    args = parser.parse_args()
    if args.small_paths:
        _small_paths(args.runs)
        return
    here = str(ROOT)
    modes = ("warm", "cold") if args.cache == "both" else (args.cache,)
    with tempfile.TemporaryDirectory() as tmp:
        runs: dict[str, tuple[list[str], str, bool]] = {}
        commands = _commands(_records(Path(tmp), 10), _records(Path(tmp), 5000), _plain_model(Path(tmp)))
        for name, argv in commands.items():
            for mode in modes if name.startswith("mfbridge") else ("warm",):
                label = f"{name} [{mode}]" if len(modes) > 1 and name.startswith("mfbridge") else name
                runs[label] = (argv, here, mode == "cold")
                if args.against and name.startswith("mfbridge"):
                    runs[f"{label} [{Path(args.against).name}]"] = (argv, str(Path(args.against).resolve()),
                                                                     mode == "cold")
        # one cache folder per checkout, so that two checkouts never share compiled kernels
        caches = {path: Path(tmp) / f"caches-{i}" for i, path in enumerate(sorted({p for _, p, _ in runs.values()}))}
        cold_caches = {path: Path(tmp) / f"cold-{i}" for i, path in enumerate(sorted(caches))}
        for argv, path, cold in runs.values():  # one warm-up each: disk cache, bytecode, the warm caches
            _time(argv, path, cold_caches[path] if cold else caches[path], cold)
        imported = {name: _imports(argv, path, caches[path]) for name, (argv, path, cold) in runs.items()
                    if args.imports and name.startswith("mfbridge") and not cold}
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
        for _ in range(args.runs):
            for name, (argv, path, cold) in runs.items():
                times[name].append(_time(argv, path, cold_caches[path] if cold else caches[path], cold))
    base = [statistics.median(v[i] for v in times["baseline: python -c pass"]) for i in (0, 1)]
    print(f"median of {args.runs} process runs each, wall and CPU (user + system) time; ratios to the "
          f"interpreter alone ({base[0]:.3f} s wall, {base[1]:.3f} s CPU). On a busy machine the CPU "
          f"time is the steadier figure. Load average at the end: {os.getloadavg()[0]:.1f}.")
    for name, values in times.items():
        wall = statistics.median(v[0] for v in values)
        cpu = statistics.median(v[1] for v in values)
        print(f"  {name:<56} wall {wall:6.3f} s {wall / base[0]:5.1f}x   cpu {cpu:6.3f} s {cpu / base[1]:5.1f}x")
    for name, heavy in imported.items():
        print(f"  imports of {name}: {', '.join(heavy) or 'none of ' + ', '.join(HEAVY)}")


if __name__ == "__main__":
    main()
