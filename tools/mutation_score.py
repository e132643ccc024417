"""Mutation score of the modules whose bugs would cost a customer money: codecs, framing,
layout, scoring outputs and the batch job's journal.

Runs cosmic-ray (a mutation tool from PyPI) module by module, each mutant against the tests
that specify that module, in a scratch clone of the current commit (cosmic-ray rewrites the
source files in place, so it never runs in the working tree; ``--working-tree`` carries your
uncommitted edits into the clone, to try a new test before committing it). A full run is
thousands of mutants times a pytest run each, hours on two cores; ``--sample N`` runs a seeded
random sample of N mutants per module, and the report says which it was. The same seed picks the
same mutants of the same source (mutants are ordered by position before sampling; cosmic-ray's
own job ids are random).

    .venv/bin/pip install -e ".[mutation]"
    .venv/bin/python tools/mutation_score.py --sample 40            # every module, 40 mutants each
    .venv/bin/python tools/mutation_score.py --only codec.packed      # one module, every mutant
    .venv/bin/python tools/mutation_score.py --sample 40 --min 90     # exit 1 under 90% killed

A mutant counts as killed when its tests fail or time out; "incompetent" mutants (the module no
longer imports) are left out of the score. Three classes are excluded before sampling, and counted
in the ``excluded`` column:

* mutants on an ``@njit(...)`` or ``@lru_cache(...)`` decorator line: compile options and cache
  sizes change speed, never results;
* mutants inside a type annotation of a module that has ``from __future__ import annotations``:
  there an annotation is a string nobody evaluates (nothing in ``bridge`` calls
  ``typing.get_type_hints``), so ``int | None`` -> ``int - None`` is equivalent by construction;
* mutants on a line marked ``# pragma: no mutate`` (cosmic-ray's own convention, the same rule as
  its ``cr-filter-pragma``), each with its reason beside it: a proven equivalent mutant.

The report has one row per module and one ``overall`` row (killed over killed + survived, summed
over the modules run), the figure to quote with its command and seed. Survivors are printed with
their diff (``--show-survivors``): each is either a missing test or an equivalent mutant worth a
``# pragma: no mutate`` with the reason.
"""
from __future__ import annotations

import argparse
import ast
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

#: module key -> (source file, the tests that specify it). Tight, so one mutant runs in seconds;
#: a ``;`` splits them into stages run one after the other, each stopping at its first failure: the
#: first holds the fast targeted tests, so most mutants are killed before the slower property and
#: integration tests even load.
MODULES: dict[str, tuple[str, str]] = {
    "codec.packed": ("bridge/codec/packed.py",
                     "tests/codec/test_packed.py tests/codec/test_strings_onepass_packed.py; "
                     "tests/codec/test_oracle_vectors.py tests/codec/test_digit_limits.py"),
    "codec.zoned": ("bridge/codec/zoned.py",
                    "tests/codec/test_zoned.py tests/codec/test_strings_onepass_zoned.py; "
                    "tests/codec/test_oracle_vectors.py tests/codec/test_digit_limits.py"),
    "codec.binary": ("bridge/codec/binary.py", "tests/codec/test_binary.py tests/codec/test_strings_onepass_binary.py"),
    "codec.floats": ("bridge/codec/floats.py", "tests/codec/test_floats.py"),
    "codec.edited": ("bridge/codec/edited.py", "tests/codec/test_edited.py; tests/codec/test_digit_limits.py"),
    "codec.alphanumeric": ("bridge/codec/alphanumeric.py",
                           "tests/codec/test_alphanumeric.py tests/codec/test_strings_onepass.py"),
    "frame.rdw": ("bridge/frame/rdw.py", "tests/frame/test_rdw_mutants.py; "
                  "tests/frame/test_rdw.py tests/frame/test_variable.py tests/frame/test_writer.py"),
    "frame.fixed": ("bridge/frame/fixed.py", "tests/frame/test_fixed_mutants.py tests/frame/test_fixed.py"),
    "frame.variable": ("bridge/frame/variable.py", "tests/frame/test_variable_mutants.py "
                       "tests/frame/test_variable.py; tests/frame/test_rdw.py"),
    "copybook.compute": ("bridge/copybook/compute.py", "tests/layout/test_compute_mutants.py "
                         "tests/layout/test_occurs.py tests/layout/test_redefines.py tests/layout/test_renames.py "
                         "tests/layout/test_storage_sizes.py tests/layout/test_sync.py "
                         "tests/copybook/test_rehosted_dialects.py tests/copybook/test_limits.py "
                         "tests/copybook/test_leniency.py tests/copybook/test_entries.py; "
                         "tests/layout/test_layout_properties.py"),
    "layout.resolve": ("bridge/layout/resolve.py", "tests/layout/test_resolve_mutants.py "
                       "tests/layout/test_occurs.py tests/layout/test_renames.py"),
    "score.outputs": ("bridge/score/outputs.py", "tests/score/test_outputs.py"),
    "score.codegen": ("bridge/score/compiled/codegen.py", "tests/score/test_compiled_exact.py"),
    "records.cells": ("bridge/records/cells.py", "tests/records/test_cells.py tests/records/test_odo_batches.py; "
                      "tests/records/test_nested_odo.py"),
    "records.patch": ("bridge/records/patch.py", "tests/records/test_patch.py"),
    "codec.native": ("bridge/codec/native.py", "tests/codec/test_native.py"),
    "pipeline.journal": ("bridge/pipeline/journal.py", "tests/pipeline/test_journal_mutants.py "
                         "tests/pipeline/test_recovery.py; tests/pipeline/test_journal_states.py"),
}

#: cosmic-ray's pragma rule (tools/filters/pragma_no_mutate.py)
_PRAGMA = re.compile(r".*#.*pragma:.*no mutate.*")


@dataclass
class Score:
    module: str
    total: int
    excluded: int
    run: int
    killed: int
    survived: int
    incompetent: int
    survivors: list[str] = field(default_factory=list)

    @property
    def percent(self) -> float:
        scored = self.killed + self.survived
        return 100.0 * self.killed / scored if scored else 100.0


def _scratch_clone(working_tree: bool) -> Path:
    where = Path(tempfile.mkdtemp(prefix="bridge-mutation-"))
    repo = where / "repo"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(repo)], check=True)
    if working_tree:
        diff = subprocess.run(["git", "diff", "HEAD", "--binary"], cwd=ROOT, check=True,
                              capture_output=True).stdout
        if diff:
            subprocess.run(["git", "apply", "--whitespace=nowarn"], cwd=repo, input=diff, check=True)
        untracked = subprocess.run(["git", "ls-files", "-z", "--others", "--exclude-standard"],
                                   cwd=ROOT, check=True, capture_output=True).stdout
        for name in filter(None, untracked.decode().split("\0")):
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, repo / name)
    return repo


def _annotation_spans(text: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """(line, column) spans of every annotation, when the module postpones their evaluation."""
    tree = ast.parse(text)
    postponed = any(isinstance(node, ast.ImportFrom) and node.module == "__future__"
                    and any(alias.name == "annotations" for alias in node.names)
                    for node in tree.body)
    if not postponed:
        return []
    lines = text.splitlines()

    def column(line: int, byte_offset: int) -> int:
        # ast counts UTF-8 bytes, cosmic-ray (parso) counts characters
        return len(lines[line - 1].encode()[:byte_offset].decode(errors="ignore"))

    spans = []
    for node in ast.walk(tree):
        found: list[ast.expr | None] = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.append(node.returns)
            a = node.args
            found.extend(arg.annotation for arg in [*a.posonlyargs, *a.args, *a.kwonlyargs,
                                                     *filter(None, [a.vararg, a.kwarg])])
        elif isinstance(node, ast.AnnAssign):
            found.append(node.annotation)
        for ann in filter(None, found):
            spans.append(((ann.lineno, column(ann.lineno, ann.col_offset)),
                          (ann.end_lineno, column(ann.end_lineno, ann.end_col_offset))))
    return spans


def _equivalent_by_construction(mutation, text: str, spans) -> bool:
    start, end = tuple(mutation.start_pos), tuple(mutation.end_pos)
    if any(lo <= start and end <= hi for lo, hi in spans):
        return True
    lines = text.splitlines()
    # compile options and cache sizes change speed, never results
    if 0 < start[0] <= len(lines) and lines[start[0] - 1].lstrip().startswith(("@njit", "@lru_cache")):
        return True
    # the pragma sits on the line where the mutated span ends (cosmic-ray's rule)
    line = end[0] - 1 if end[1] else end[0] - 2
    return 0 <= line < len(lines) and bool(_PRAGMA.match(lines[line]))


def _uses_hypothesis(repo: Path, files: list[str]) -> bool:
    paths = [q for f in files for q in ([repo / f] if f.endswith(".py") else (repo / f).rglob("*.py"))]
    return any("hypothesis" in q.read_text(errors="replace") for q in paths if q.is_file())


def _test_command(tests: str, repo: Path = ROOT) -> str:
    """One pytest run per ``;``-separated stage, each only if the one before passed; a stage whose
    files do not use hypothesis runs without its plugin (its import alone takes seconds)."""
    stages = [stage.split() for stage in tests.split(";") if stage.strip()]
    runs = [f"{PYTHON} -m pytest -p no:cacheprovider"
            f"{'' if _uses_hypothesis(repo, files) else ' -p no:hypothesispytest'} -x -q {' '.join(files)}"
            for files in stages]
    return runs[0] if len(runs) == 1 else "sh -c '" + " && ".join(runs) + "'"


def _score_module(repo: Path, key: str, source: str, tests: str, sample: int | None, seed: int,
                  timeout: float) -> Score:
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import TestOutcome, WorkerOutcome, WorkResult

    if not (repo / source).exists():
        return Score(key, 0, 0, 0, 0, 0, 0, [f"{source} does not exist in this commit"])
    config = repo / f"cr-{key}.toml"
    session = repo / f"cr-{key}.sqlite"
    config.write_text(
        "[cosmic-ray]\n"
        f'module-path = "{source}"\n'
        f"timeout = {timeout}\n"
        "excluded-modules = []\n"
        f'test-command = "{_test_command(tests, repo)}"\n'
        "[cosmic-ray.distributor]\n"
        'name = "local"\n')
    env = {"PYTHONPATH": str(repo), "PATH": "/usr/bin:/bin:/usr/local/bin"}
    if "BRIDGE_SHARED" in os.environ:
        env["BRIDGE_SHARED"] = os.environ["BRIDGE_SHARED"]
    subprocess.run([PYTHON, "-m", "cosmic_ray.cli", "init", str(config), str(session)],
                   cwd=repo, env=env, check=True, capture_output=True)
    text = (repo / source).read_text()
    spans = _annotation_spans(text)
    skip = WorkResult(worker_outcome=WorkerOutcome.SKIPPED, output="not sampled")
    with use_db(str(session), WorkDB.Mode.open) as db:
        items = sorted(db.work_items, key=lambda item: [
            (m.start_pos, m.end_pos, m.operator_name, m.occurrence) for m in item.mutations])
        equivalent = {item.job_id for item in items
                      if all(_equivalent_by_construction(m, text, spans) for m in item.mutations)}
        jobs = [item.job_id for item in items if item.job_id not in equivalent]
        total = len(items)
        keep = set(jobs)
        if sample is not None and sample < len(jobs):
            keep = set(random.Random(f"{seed}:{key}").sample(jobs, sample))
        drop = [item.job_id for item in items if item.job_id not in keep]
        if drop:
            db.set_multiple_results(drop, skip)
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
    return Score(key, total, len(equivalent), run, killed, survived, incompetent, survivors)


def _row(name: str, total: object, excluded: object, run: object, killed: int, survived: int,
         incompetent: object, percent: float) -> str:
    return (f"{name:22} {total:>8} {excluded:>9} {run:>5} {killed:>7} {survived:>9} {incompetent:>12}"
            f" {percent:6.1f}%")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", choices=sorted(MODULES), help="module key (repeatable)")
    parser.add_argument("--sample", type=int, default=None, help="mutants per module (default: all)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per mutant's test run")
    parser.add_argument("--min", type=float, default=None, help="exit 1 if the overall score is below this")
    parser.add_argument("--show-survivors", action="store_true")
    parser.add_argument("--working-tree", action="store_true",
                        help="mutate the working tree's files (uncommitted edits included), not HEAD's")
    args = parser.parse_args(argv)
    try:
        import cosmic_ray  # noqa: F401
    except ImportError:
        print("mutation_score: cosmic-ray is not installed (pip install cosmic-ray)", file=sys.stderr)
        return 2

    what = f"a seeded sample of {args.sample} mutants per module (seed {args.seed})" if args.sample else "every mutant"
    print(f"mutation score, {what}{' of the working tree' if args.working_tree else ''}:", flush=True)
    print(f"{'module':22} {'mutants':>8} {'excluded':>9} {'run':>5} {'killed':>7} {'survived':>9}"
          f" {'incompetent':>12} {'score':>7}", flush=True)
    repo = _scratch_clone(args.working_tree)
    scores = []
    try:
        for key in args.only or MODULES:
            s = _score_module(repo, key, *MODULES[key], args.sample, args.seed, args.timeout)
            scores.append(s)
            print(_row(s.module, s.total, s.excluded, s.run, s.killed, s.survived, s.incompetent,
                       s.percent), flush=True)
    finally:
        shutil.rmtree(repo.parent, ignore_errors=True)
    killed = sum(s.killed for s in scores)
    survived = sum(s.survived for s in scores)
    overall = 100.0 * killed / (killed + survived) if killed + survived else 100.0
    print(_row("overall", sum(s.total for s in scores), sum(s.excluded for s in scores),
               sum(s.run for s in scores), killed, survived, sum(s.incompetent for s in scores), overall))
    if args.show_survivors:
        for s in scores:
            for diff in s.survivors:
                print(f"\n--- survivor in {s.module}\n{diff}")
    if args.min is not None and overall < args.min:
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
