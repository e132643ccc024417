"""A small trained customer model for the Dask scoring tests (the scoring tests' model, trained smaller)."""
from __future__ import annotations

import pytest

from tests.conftest import IN_CI

try:
    import dask  # noqa: F401
except ImportError:  # the extra is optional: these tests skip without it, but never in CI
    if IN_CI:
        raise
    collect_ignore_glob = ["test_*.py"]

from bridge.score.train import train_model
from tests.score.conftest import FEATURES, customer_frame, customer_outputs


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory):
    trained = train_model(customer_frame(2000, seed=1), label="DEFAULT", features=FEATURES, categorical=["RISK-SEG"],
                          seed=7, params={"num_iterations": 15}, model_id="CUSTR001", record="CUSTOMER-REC",
                          copybook="customer.cpy", data="synthetic", outputs=customer_outputs(), date="2024-01-01")
    return trained.save(tmp_path_factory.mktemp("models") / "custrisk")


@pytest.fixture(scope="session")
def cluster():
    """One real local cluster of 2 worker processes for the session: the commands reach it with --scheduler."""
    import bridge.dask as bd

    with bd.connect(workers=2) as client:
        client.wait_for_workers(2, timeout=120)
        yield client
