"""Fixtures for scoring tests: the sample customer record built by hand, synthetic decoded
batches (Arrow-backed, as the decoder gives them) and small models trained on them."""
from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from bridge.layout.model import Dim, Field, Kind, Occurs, Record
from bridge.score.card import Band, BandOutput, ModelIdOutput, Outputs, ReasonsOutput, ScoreOutput, StatusOutput
from bridge.score.train import train_model

FEATURES = ["BALANCE", "CREDIT-LIMIT", "TXN-COUNT", "RISK-SEG", "AVG-TXN-AMT", "MONTHS-ON-BOOK",
            "DELINQ-COUNT", "UTILISATION-PCT"]


def item(name, offset, length, kind, picture=None, digits=0, scale=0, signed=False, occurs=None):
    dims = (Dim(min=occurs, max=occurs, stride=length, owner=("CUSTOMER-REC", name)),) if occurs else ()
    return Field(name=name, path=("CUSTOMER-REC", name), level=5, offset=offset, length=length, kind=kind,
                 picture=picture, digits=digits, scale=scale, signed=signed,
                 occurs=Occurs(occurs, occurs) if occurs else None, dims=dims)


def customer_record(**replace: Field) -> Record:
    """CUSTOMER-REC of copybooks/customer.cpy (LRECL 117), optionally with fields replaced by name."""
    items = [
        item("CUST-ID", 0, 4, Kind.BINARY, "9(9)", 9),
        item("CUST-NAME", 4, 30, Kind.ALPHANUMERIC, "X(30)"),
        item("BIRTH-DATE", 34, 8, Kind.ZONED, "9(8)", 8),
        item("BALANCE", 42, 7, Kind.PACKED, "S9(11)V99", 13, 2, True),
        item("CREDIT-LIMIT", 49, 5, Kind.PACKED, "S9(7)V99", 9, 2, True),
        item("TXN-COUNT", 54, 2, Kind.BINARY, "S9(4)", 4, 0, True),
        item("RISK-SEG", 56, 2, Kind.ALPHANUMERIC, "X(2)"),
        item("AVG-TXN-AMT", 58, 9, Kind.ZONED, "S9(7)V99", 9, 2, True),
        item("MONTHS-ON-BOOK", 67, 3, Kind.ZONED, "9(3)", 3),
        item("DELINQ-COUNT", 70, 2, Kind.ZONED, "9(2)", 2),
        item("UTILISATION-PCT", 72, 3, Kind.PACKED, "S9(3)V9", 4, 1, True),
        item("SCORE", 75, 5, Kind.ZONED, "9V9999", 5, 4),
        item("SCORE-BAND", 80, 1, Kind.ALPHANUMERIC, "X(1)"),
        item("REASON-CODE", 81, 4, Kind.ALPHANUMERIC, "X(4)", occurs=4),
        item("MODEL-ID", 97, 8, Kind.ALPHANUMERIC, "X(8)"),
        item("SCORE-STATUS", 105, 2, Kind.ALPHANUMERIC, "X(2)"),
        item("FILLER", 107, 10, Kind.ALPHANUMERIC, "X(10)"),
    ]
    items = [replace.get(f.name, f) for f in items]
    root = Field(name="CUSTOMER-REC", path=("CUSTOMER-REC",), level=1, offset=0, length=117,
                 kind=Kind.GROUP, children=tuple(items))
    return Record(name="CUSTOMER-REC", root=root, length=117, min_length=117, fields=(root, *items))


def customer_frame(n: int, seed: int = 0, *, missing: float = 0.05) -> pd.DataFrame:
    """Decoded customer features as Arrow-backed columns, with a DEFAULT label that follows a rule plus noise."""
    rng = np.random.default_rng(seed)
    balance = np.round(rng.gamma(2.0, 5000.0, n), 2)
    limit = np.round(rng.choice([1000, 2500, 5000, 10000, 20000], n) * 1.0, 2)
    util = np.round(np.clip(balance / limit * 100, 0, 999.9), 1)
    delinq = rng.poisson(0.4, n)
    months = rng.integers(0, 240, n)
    seg = rng.choice(["RT", "PR", "SB", "ST"], n, p=[0.5, 0.2, 0.2, 0.1])
    txn = rng.integers(0, 300, n)
    avg = np.round(rng.normal(80, 40, n), 2)
    logit = -2.5 + 0.02 * np.minimum(util, 150) + 0.8 * delinq - 0.004 * months + (seg == "ST") * 0.7
    label = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)

    def dec(values, scale, digits):
        col = pa.array([Decimal(f"{v:.{scale}f}") for v in values], pa.decimal128(digits, scale))
        return col

    cols = {
        "BALANCE": dec(balance, 2, 13),
        "CREDIT-LIMIT": dec(limit, 2, 9),
        "TXN-COUNT": pa.array(txn, pa.int64()),
        "RISK-SEG": pa.array(seg, pa.string()),
        "AVG-TXN-AMT": dec(avg, 2, 9),
        "MONTHS-ON-BOOK": pa.array(months, pa.int64()),
        "DELINQ-COUNT": pa.array(delinq, pa.int64()),
        "UTILISATION-PCT": dec(util, 1, 4),
    }
    if missing:
        for name in ("BALANCE", "RISK-SEG", "DELINQ-COUNT"):
            mask = rng.random(n) < missing
            cols[name] = pa.compute.if_else(pa.array(mask), pa.nulls(n, cols[name].type), cols[name])
    frame = pd.DataFrame({k: pd.Series(pd.arrays.ArrowExtensionArray(v)) for k, v in cols.items()})
    frame["DEFAULT"] = label
    return frame


def customer_outputs(**changes) -> Outputs:
    table = {"BALANCE": "R01", "CREDIT-LIMIT": "R02", "TXN-COUNT": "R03", "RISK-SEG": "R04",
             "AVG-TXN-AMT": "R05", "MONTHS-ON-BOOK": "R06", "DELINQ-COUNT": "R07", "UTILISATION-PCT": "R08"}
    base = dict(
        score=ScoreOutput(field="SCORE", on_overflow="clamp"),
        band=BandOutput(field="SCORE-BAND", bands=tuple(Band(Decimal(u), l) for u, l in
                                                       (("0.2", "A"), ("0.5", "B"), ("0.8", "C"), ("1.0", "D")))),
        reasons=ReasonsOutput(field="REASON-CODE", count=4, when="score>=0.3", table=table),
        model_id=ModelIdOutput(field="MODEL-ID", value="CUSTR001"),
        status=StatusOutput(field="SCORE-STATUS"),
    )
    base.update(changes)
    return Outputs(**base)


@pytest.fixture(scope="session")
def record() -> Record:
    return customer_record()


@pytest.fixture(scope="session")
def frame() -> pd.DataFrame:
    return customer_frame(4000, seed=1)


@pytest.fixture(scope="session")
def trained(frame):
    return train_model(frame, label="DEFAULT", features=FEATURES, categorical=["RISK-SEG"], seed=7,
                       params={"num_iterations": 40}, model_id="CUSTR001", record="CUSTOMER-REC",
                       copybook="customer.cpy", data="synthetic", outputs=customer_outputs(), date="2024-01-01")


@pytest.fixture(scope="session")
def model_dir(trained, tmp_path_factory):
    return trained.save(tmp_path_factory.mktemp("models") / "custrisk")
