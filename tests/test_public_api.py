"""The public Python API: every name in `bridge.__all__` resolves, and importing bridge stays light."""
from __future__ import annotations

import subprocess
import sys

import bridge


def test_every_public_name_resolves():
    for name in bridge.__all__:
        assert getattr(bridge, name) is not None, name


def test_public_names_are_sorted_and_unique():
    assert list(bridge.__all__) == sorted(set(bridge.__all__))


def test_importing_bridge_does_not_import_pandas_or_lightgbm():
    code = "import sys, bridge; print('pandas' in sys.modules, 'lightgbm' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_the_documented_round_trip_works_from_the_top_level(tmp_path):
    from tests.conftest import COPYBOOKS

    layout = bridge.load_copybook(COPYBOOKS / "customer.cpy")
    from bridge.testing import fake_table

    bridge.write_records(fake_table(layout, 5, seed=2), tmp_path / "a.dat", layout)
    df = bridge.read_records(tmp_path / "a.dat", layout)
    bridge.write_records(df, tmp_path / "b.dat", layout)
    assert (tmp_path / "a.dat").read_bytes() == (tmp_path / "b.dat").read_bytes()
