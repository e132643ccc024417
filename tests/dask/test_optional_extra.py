"""Dask is an optional extra: the single-machine path never loads it, and without it bridge.dask says what to install."""
from __future__ import annotations

import os
import subprocess
import sys

import bridge.dask as bd

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _run(code: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": ROOT}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)


def test_the_single_machine_path_never_imports_dask() -> None:
    done = _run("import sys, bridge, bridge.records, bridge.score, bridge.cli.main\n"
                "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed', 'bridge.dask')))")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_without_the_extra_bridge_dask_names_the_package_to_install() -> None:
    done = _run("import sys\nsys.modules['dask'] = None\n"
                "from bridge.errors import BridgeError\n"
                "try:\n    import bridge.dask\nexcept BridgeError as e:\n    print(e)\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ("bridge.dask needs the optional extra (dask is not installed): "
                                   "pip install 'mainframe-bridge[dask]'")


def test_public_names_are_all_listed_in_sorted_order() -> None:
    import inspect

    public = {n for n, v in vars(bd).items() if not n.startswith("_") and not inspect.ismodule(v) and n != "annotations"}
    assert public == set(bd.__all__)
    assert bd.__all__ == sorted(bd.__all__)
