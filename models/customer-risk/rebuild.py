"""Rebuild the demo model from nothing: synthetic history extract → known label rule → `mfbridge train`.

    .venv/bin/python models/customer-risk/rebuild.py

1. `mfbridge fake` writes 40,000 records of copybooks/customer_history.cpy (cp037), seed 20261128.
2. The 12-month outcome DEFAULTED-12M is drawn from a known logistic rule of the features
   (below) with a seeded random draw, and patched into the records.
3. `mfbridge train` fits LightGBM (seed 7, deterministic, one thread) and names the output
   fields of copybooks/customer.cpy, so the model is ready to score the nightly extract.

The script prints a digest of the trees (the model text before its `parameters:` block);
two rebuilds print the same digest, on any machine with the same LightGBM version.
"""
from __future__ import annotations

import hashlib
import sys
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
COPYBOOK = ROOT / "copybooks" / "customer_history.cpy"

FEATURES = ["BALANCE", "CREDIT-LIMIT", "TXN-COUNT", "AVG-TXN-AMT", "MONTHS-ON-BOOK", "DELINQ-COUNT",
            "UTILISATION-PCT", "RISK-SEG"]


def true_logit(df) -> np.ndarray:
    """The rule the label follows (before the random draw)."""
    f = {name: df[name].astype("float64").to_numpy() for name in FEATURES if name != "RISK-SEG"}
    seg = df["RISK-SEG"].astype("string").to_numpy()
    util = np.clip(f["UTILISATION-PCT"], 0, 200)
    return (-4.6
            + 0.45 * np.minimum(f["DELINQ-COUNT"], 6)
            + 0.012 * util
            - 0.015 * np.minimum(f["MONTHS-ON-BOOK"], 120)
            + 0.8 * (seg == "ST") - 0.7 * (seg == "PR")
            + 0.6 * (f["BALANCE"] < 0))


def main() -> int:
    sys.path.insert(0, str(ROOT))
    import bridge
    from bridge.cli.main import main as bridge_main
    from bridge.records.api import patch_records, read_records

    layout = bridge.load_copybook(COPYBOOK)
    with tempfile.TemporaryDirectory() as tmp:
        raw, data = Path(tmp) / "raw.dat", Path(tmp) / "CUSTHIST.D261128.dat"
        rc = bridge_main(["fake", "-c", str(COPYBOOK), "-n", "40000", "--seed", "20261128", "-o", str(raw)])
        if rc:
            return rc
        df = read_records(raw, layout)
        rng = np.random.default_rng(20261128)
        p = 1 / (1 + np.exp(-true_logit(df)))
        label = (rng.random(len(p)) < p).astype(np.int64)
        patch_records(raw, data, layout, lambda b: pa.table({"DEFAULTED-12M": pa.array(
            label[b.frame.first_record:b.frame.first_record + len(b.frame.lengths)])}), columns=[])
        print(f"positive rate {label.mean():.3f}", file=sys.stderr)
        rc = bridge_main([
            "train", str(data), "-c", str(COPYBOOK), "--label", "DEFAULTED-12M",
            "--features", ",".join(FEATURES), "--categorical", "RISK-SEG", "--seed", "7",
            "-o", str(HERE), "--model-id", "CUSTRISK", "--model-version", "2026.11",
            "--score-field", "SCORE", "--band-field", "SCORE-BAND", "--bands", "0.05:A,0.15:B,0.40:C,1.0:D",
            "--reason-field", "REASON-CODE", "--reason-count", "4", "--reason-when", "score>=0.15",
            "--model-id-field", "MODEL-ID", "--status-field", "SCORE-STATUS",
        ])
        if rc:
            return rc
    text = (HERE / "model.txt").read_text()
    trees = text.split("\nparameters:")[0]
    print(f"trees digest {hashlib.sha256(trees.encode()).hexdigest()[:16]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
