"""Long fuzz run of the copybook compiler: the strategies of tests/copybook/test_fuzz.py, many more
examples, every outcome counted.

Run with ``PYTHONPATH=. .venv/bin/python bench/fuzz_copybook.py [--examples N] [--seed S]``. Each
example must compile to a layout or raise `CopybookError`; anything else stops the run with the
text that caused it (hypothesis shrinks it first). It prints, per strategy, how many texts
compiled, how many were refused, and the slowest compile and its text. A script, not a test:
CI runs the short version in tests/copybook/test_fuzz.py.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings, strategies as st

from bridge.copybook import compile_copybook
from bridge.errors import CopybookError
from tests.copybook.copybook_strategies import copybook_text, raw_text, token_soup, write_members
from tests.copybook.test_fuzz import assert_consistent

STRATEGIES = {
    "copybook text (fixed)": (copybook_text(), {}),
    "copybook text (strict)": (copybook_text(), {"strict": True}),
    "copybook text (gnucobol)": (copybook_text(), {"dialect": "gnucobol"}),
    "token soup (free)": (token_soup(), {"source_format": "free"}),
    "raw characters": (raw_text(), {}),
}


def run(name: str, strategy: st.SearchStrategy[str], options: dict, examples: int, seed_value: int,
        library: Path) -> None:
    tally = {"layout": 0, "refused": 0}
    slowest = (0.0, "")

    @settings(max_examples=examples, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck))
    @given(text=strategy)
    def one(text: str) -> None:
        nonlocal slowest
        started = time.perf_counter()
        try:
            layout = compile_copybook(text, name=str(library / "FUZZ.cpy"), **options)
        except CopybookError as exc:
            assert "\n" not in str(exc), str(exc)
            tally["refused"] += 1
        else:
            assert_consistent(layout)
            tally["layout"] += 1
        elapsed = time.perf_counter() - started
        if elapsed > slowest[0]:
            slowest = (elapsed, text)

    started = time.perf_counter()
    seed(seed_value)(one)()
    total = time.perf_counter() - started
    print(f"{name:26s} {tally['layout']:6d} layouts {tally['refused']:6d} refused  "
          f"slowest {slowest[0] * 1000:7.1f} ms  run {total:6.1f} s")
    print(f"{'':26s} slowest text: {slowest[1][:120]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000, help="examples per strategy (default 2000)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        library = write_members(Path(tmp))
        for name, (strategy, options) in STRATEGIES.items():
            run(name, strategy, options, args.examples, args.seed, library)


if __name__ == "__main__":
    main()
