"""Fixtures for the rollout tests: two real LightGBM models trained on the spot (a champion and a
challenger writing the same output fields), a broken one, and customer extracts."""
from __future__ import annotations

from pathlib import Path

import pytest

import bridge
from bridge.records.api import write_records
from bridge.score.card import ModelIdOutput
from bridge.score.train import train_model
from bridge.testing import fake_table
from tests.conftest import COPYBOOKS
from tests.score.conftest import FEATURES, customer_frame, customer_outputs


def train(folder: Path, model_id: str, *, seed: int, flip: bool = False) -> Path:
    """A small model of CUSTOMER-REC saved in ``folder``; ``flip`` learns the opposite label (scores far apart)."""
    frame = customer_frame(3000, seed=seed, missing=0.0)
    if flip:
        frame["DEFAULT"] = 1 - frame["DEFAULT"]
    trained = train_model(frame, label="DEFAULT", features=FEATURES, categorical=["RISK-SEG"], seed=seed,
                          params={"num_iterations": 20, "num_leaves": 7}, model_id=model_id,
                          record="CUSTOMER-REC", copybook="customer.cpy", data="synthetic",
                          outputs=customer_outputs(model_id=ModelIdOutput(field="MODEL-ID", value=model_id)),
                          date="2026-01-01")
    return trained.save(folder)


@pytest.fixture(scope="session")
def models(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("models")
    out = {"champion": train(root / "v3", "CRISK-V3", seed=3),
           "challenger": train(root / "v4", "CRISK-V4", seed=4),
           "opposite": train(root / "v9", "CRISK-V9", seed=9, flip=True)}
    broken = root / "broken"
    broken.mkdir()
    (broken / "card.toml").write_bytes((out["challenger"] / "card.toml").read_bytes())
    (broken / "model.txt").write_bytes((out["challenger"] / "model.txt").read_bytes()[:300])
    out["broken"] = broken
    return out


@pytest.fixture(scope="session")
def layout():
    return bridge.load_copybook(COPYBOOKS / "customer.cpy")


def extract(path: Path, layout, records: int, seed: int = 5) -> Path:
    """A customer extract whose CUST-ID is 1..records (distinct keys), other fields synthetic."""
    table = fake_table(layout, records, seed=seed)
    import pyarrow as pa
    import numpy as np

    index = table.column_names.index("CUST-ID")
    table = table.set_column(index, "CUST-ID", pa.array(np.arange(1, records + 1), table.schema.field(index).type))
    write_records(table, path, layout)
    return path
