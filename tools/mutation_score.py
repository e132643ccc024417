"""Mutation score of the modules whose bugs would cost a customer money: codecs, framing,
layout, scoring outputs and the batch job's journal.

Runs cosmic-ray (a mutation tool from PyPI) module by module, each mutant against the tests
that specify that module, in a scratch clone of the current commit (cosmic-ray rewrites the
source files in place, so it never runs in the working tree). A full run is thousands of
mutants times a pytest run each, hours on two cores; ``--sample N`` runs a seeded random
sample of N mutants per module, and the report says which it was.

    .venv/bin/pip install -e ".[mutation]"
    .venv/bin/python tools/mutation_score.py --sample 40            # every module, 40 mutants each
    .venv/bin/python tools/mutation_score.py --only codec.packed      # one module, every mutant
    .venv/bin/python tools/mutation_score.py --sample 40 --min 90     # exit 1 under 90% killed

A mutant counts as killed when its tests fail or time out; "incompetent" mutants (the module no
longer imports) are left out of the score. Survivors are printed with their diff: each is
either a missing test or an equivalent mutant worth a ``# pragma: no mutate`` with the reason.
"""
from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

#: module key -> (source file, the tests that specify it)
MODULES: dict[str, tuple[str, str]] = {
    "codec.packed": ("bridge/codec/packed.py", "tests/codec/test_packed.py"),
    "codec.zoned": ("bridge/codec/zoned.py", "tests/codec/test_zoned.py"),
    "codec.binary": ("bridge/codec/binary.py", "tests/codec/test_binary.py"),
    "codec.floats": ("bridge/codec/floats.py", "tests/codec/test_floats.py"),
    "codec.edited": ("bridge/codec/edited.py", "tests/codec/test_edited.py"),
    "codec.alphanumeric": ("bridge/codec/alphanumeric.py", "tests/codec/test_alphanumeric.py"),
    "frame.rdw": ("bridge/frame/rdw.py", "tests/frame"),
    "frame.fixed": ("bridge/frame/fixed.py", "tests/frame"),
    "frame.variable": ("bridge/frame/variable.py", "tests/frame"),
    "copybook.compute": ("bridge/copybook/compute.py", "tests/layout"),
    "score.outputs": ("bridge/score/outputs.py", "tests/score/test_outputs.py"),
    "pipeline.journal": ("bridge/pipeline/journal.py", "tests/pipeline"),
}


@dataclass
class Score:
    module: str
    total: int
    run: int
    killed: int
    survived: int
    incompetent: int
    survivors: list[str]

    @property
    def percent(self) -> float:
        scored = self.killed + self.survived
        return 100.0 * self.killed / scored if scored else 100.0


def _scratch_clone() -> Path:
    where = Path(tempfile.mkdtemp(prefix="bridge-mutation-"))
    subprocess.run(["git", "clone", "-q", str(ROOT), str(where / "repo")], check=True)
    return where / "repo"


def _score_module(repo: Path, key: str, source: str, tests: str, sample: int | None, seed: int,
                  timeout: float) -> Score:
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import TestOutcome, WorkerOutcome, WorkResult

    if not (repo / source).exists():
        return Score(key, 0, 0, 0, 0, 0, [f"{source} does not exist in this commit"])
    config = repo / f"cr-{key}.toml"
    session = repo / f"cr-{key}.sqlite"
    config.write_text(
        "[cosmic-ray]\n"
        f'module-path = "{source}"\n'
        f"timeout = {timeout}\n"
        "excluded-modules = []\n"
        f'test-command = "{PYTHON} -m pytest -p no:cacheprovider -x -q {tests}"\n'
        "[cosmic-ray.distributor]\n"
        'name = "local"\n')
    env = {"PYTHONPATH": str(repo), "PATH": "/usr/bin:/bin:/usr/local/bin"}
    subprocess.run([PYTHON, "-m", "cosmic_ray.cli", "init", str(config), str(session)],
                   cwd=repo, env=env, check=True, capture_output=True)
    with use_db(str(session), WorkDB.Mode.open) as db:
        jobs = [item.job_id for item in db.work_items]
        total = len(jobs)
        if sample is not None and sample < total:
            keep = set(random.Random(f"{seed}:{key}").sample(jobs, sample))
            db.set_multiple_results([job for job in jobs if job not in keep],
                                    WorkResult(worker_outcome=WorkerOutcome.SKIPPED, output="not sampled"))
    subprocess.run([PYTHON, "-m", "cosmic_ray.cli", "exec", str(config), str(session)],
                   cwd=repo, env=env, check=True, capture_output=True)
    killed = survived = incompetent = run = 0
    survivors: list[str] = []
    with use_db(str(session), WorkDB.Mode.open) as db:
        for item, result in db.completed_work_items:
            if result.worker_outcome == WorkerOutcome.SKIPPED:
                continue
            run += 1
            if result.test_outcome == TestOutcome.KILLED:
                killed += 1
            elif result.test_outcome == TestOutcome.SURVIVED:
                survived += 1
                survivors.append(result.diff or item.job_id)
            else:
                incompetent += 1
    subprocess.run(["git", "checkout", "-q", "--", source], cwd=repo, check=False)
    return Score(key, total, run, killed, survived, incompetent, survivors)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", choices=sorted(MODULES), help="module key (repeatable)")
    parser.add_argument("--sample", type=int, default=None, help="mutants per module (default: all)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per mutant's test run")
    parser.add_argument("--min", type=float, default=None, help="exit 1 if the overall score is below this")
    parser.add_argument("--show-survivors", action="store_true")
    args = parser.parse_args(argv)
    try:
        import cosmic_ray  # noqa: F401
    except ImportError:
        print("mutation_score: cosmic-ray is not installed (pip install cosmic-ray)", file=sys.stderr)
        return 2

    repo = _scratch_clone()
    try:
        scores = [_score_module(repo, key, *MODULES[key], args.sample, args.seed, args.timeout)
                  for key in (args.only or MODULES)]
    finally:
        shutil.rmtree(repo.parent, ignore_errors=True)

    what = f"a seeded sample of {args.sample} mutants per module (seed {args.seed})" if args.sample else "every mutant"
    print(f"mutation score, {what}:")
    print(f"{'module':22} {'mutants':>8} {'run':>5} {'killed':>7} {'survived':>9} {'score':>7}")
    killed = survived = 0
    for s in scores:
        print(f"{s.module:22} {s.total:8} {s.run:5} {s.killed:7} {s.survived:9} {s.percent:6.1f}%")
        killed += s.killed
        survived += s.survived
    overall = 100.0 * killed / (killed + survived) if killed + survived else 100.0
    print(f"{'overall':22} {'':8} {'':5} {killed:7} {survived:9} {overall:6.1f}%")
    if args.show_survivors:
        for s in scores:
            for diff in s.survivors:
                print(f"\n--- survivor in {s.module}\n{diff}")
    if args.min is not None and overall < args.min:
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
