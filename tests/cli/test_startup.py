"""Start-up: the everyday commands import only what they use (issue 9).

A ten-record `decode` or `inspect` runs without numba (whose import and compiler set-up cost
about a second of CPU per process): the kernels' small paths of `bridge.codec.jit` decode it.

Timings depend on the machine and are measured by ``bench/bench_startup.py``; what can be
held in a test is what each command imports.
"""
from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import COPYBOOKS, ROOT

# scipy.linalg: numba's BLAS probe; numba: a ten-record batch takes the kernels' small paths
# (bridge.codec.jit); bridge.score: decoding needs nothing of scoring
HEAVY = ("pandas", "lightgbm", "paramiko", "scipy.linalg", "numba", "bridge.score")


def _imported_after(*args: str) -> set[str]:
    code = ("import sys\nfrom bridge.cli.main import main\n"
            f"rc = main({list(args)!r})\n"
            f"print('IMPORTED', rc, *[m for m in {HEAVY!r} if m in sys.modules], file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(ROOT)})
    _, rc, *heavy = done.stderr.splitlines()[-1].split()
    assert rc == "0", done.stderr
    return set(heavy)


def test_help_imports_neither_numpy_nor_the_heavy_libraries():
    code = "import sys\nfrom bridge.cli.main import main\nmain(['--help'])\nprint('numpy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env={"PYTHONPATH": str(ROOT)})
    assert done.stdout.splitlines()[-1] == "False"


def test_schema_imports_no_heavy_library():
    assert _imported_after("schema", str(COPYBOOKS / "customer.cpy"), "--format", "layout") == set()


@pytest.fixture(scope="module")
def ten_records(tmp_path_factory):
    """Ten valid customer records. (A batch with invalid values builds Arrow arrays with
    `pa.array`, and pyarrow imports pandas on every `pa.array` call when it is installed.)"""
    import bridge
    from bridge.testing import fake_table

    layout = bridge.load_copybook(COPYBOOKS / "customer.cpy")
    path = tmp_path_factory.mktemp("startup") / "CUST10.dat"
    bridge.write_records(fake_table(layout, 10, seed=1), path, layout)
    return path


def test_decode_to_json_lines_of_ten_records_imports_neither_pandas_nor_numba(ten_records):
    assert _imported_after("decode", str(ten_records), "-c", str(COPYBOOKS / "customer.cpy")) == set()


def test_inspect_imports_neither_pandas_nor_numba(ten_records):
    assert _imported_after("inspect", str(ten_records), "-c", str(COPYBOOKS / "customer.cpy")) == set()
