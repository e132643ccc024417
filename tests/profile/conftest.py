"""A generated extract with one injected problem of every kind the profile counts, and its copybook.

Every count the tests expect follows from the construction below (the records touched are
listed beside each injection), not from running the profiler.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from bridge.copybook import load_copybook
from bridge.records.api import write_records

COPYBOOK = """\
       01  ACCOUNT-REC.
           05  ACCT-ID          PIC 9(9) COMP.
           05  ACCT-NAME        PIC X(10).
           05  AMOUNT           PIC S9(7)V99 COMP-3.
           05  QTY              PIC 9(5).
           05  OPEN-DATE        PIC 9(8).
           05  ACCT-STATUS      PIC X(2).
               88  ACTIVE       VALUE 'AC'.
               88  CLOSED       VALUE 'CL'.
           05  DETAIL-TYPE      PIC X.
           05  DETAIL           PIC X(8).
           05  DETAIL-NUM REDEFINES DETAIL.
               10  DETAIL-AMT   PIC S9(15) COMP-3.
           05  FLAG             PIC X.
"""
N = 200
LRECL = 4 + 10 + 5 + 5 + 8 + 2 + 1 + 8 + 1


def _put(matrix: np.ndarray, rows, offset: int, data: bytes) -> None:
    matrix[rows, offset:offset + len(data)] = np.frombuffer(data, dtype=np.uint8)


@pytest.fixture(scope="session")
def account_layout(tmp_path_factory):
    path = tmp_path_factory.mktemp("cpy") / "account.cpy"
    path.write_text(COPYBOOK)
    return load_copybook(str(path))


def build_accounts(layout, path: Path, *, shift: int = 0) -> Path:
    i = np.arange(N)
    status = np.where(i % 4 == 0, "CL", "AC").astype(object)
    status[[50, 51, 52]] = "XX"                              # 3 outside every 88 level
    status[[53, 54]] = "ZZ"                                  # 2 more, another value
    dtype = np.where(i < 150, "A", "N")                      # 150 text details, 50 numeric
    table = pa.table({
        "ACCT-ID": pa.array(1000 + i, pa.int64()),
        "ACCT-NAME": pa.array([f"NAME{k:04d}" for k in i]),
        "AMOUNT": pa.array([Decimal(100 + int(k) + shift * 50) / 100 for k in i], pa.decimal128(9, 2)),
        "QTY": pa.array(10 + i % 7, pa.int64()),
        "OPEN-DATE": pa.array(20200101 + (i % 28), pa.int64()),
        "ACCT-STATUS": pa.array(status.tolist()),
        "DETAIL-TYPE": pa.array(dtype.tolist()),
        "DETAIL": pa.array(["TEXT" + f"{k:04d}" for k in i]),
        "FLAG": pa.array(np.where(i % 4 == 0, "Y", "N").tolist()),   # the label: Y exactly where CL was written
    })
    write_records(table, path, layout)
    raw = np.fromfile(path, dtype=np.uint8).reshape(N, LRECL).copy()
    # DETAIL-NUM: a valid packed number in the 50 'N' records (1234 → 000000000001234C)
    _put(raw, slice(150, 200), 35, bytes.fromhex("000000000001234C"))
    # AMOUNT (offset 14, 5 bytes): spaces 0-2, low-values 3-4, high-values 5, bad nibbles 6-9, zeros 10
    _put(raw, [0, 1, 2], 14, b"\x40" * 5)
    _put(raw, [3, 4], 14, b"\x00" * 5)
    _put(raw, [5], 14, b"\xff" * 5)
    _put(raw, [6, 7, 8, 9], 14, bytes.fromhex("12A456789C"))
    _put(raw, [10], 14, bytes.fromhex("000000000C"))
    # QTY (offset 19, 5 bytes): spaces 20-24, a letter 25, nines 26-27
    _put(raw, [20, 21, 22, 23, 24], 19, b"\x40" * 5)
    _put(raw, [25], 19, "12A45".encode("cp037"))
    _put(raw, [26, 27], 19, "99999".encode("cp037"))
    # OPEN-DATE (offset 24, 8 bytes): zeros 30-33, nines 34-35, 30 Feb 36, 1800 37, spaces 38
    _put(raw, [30, 31, 32, 33], 24, "00000000".encode("cp037"))
    _put(raw, [34, 35], 24, "99999999".encode("cp037"))
    _put(raw, [36], 24, "20230230".encode("cp037"))
    _put(raw, [37], 24, "18000101".encode("cp037"))
    _put(raw, [38], 24, b"\x40" * 8)
    # ACCT-NAME (offset 4, 10 bytes): spaces 40-41, a control byte 42, low-values 43
    _put(raw, [40, 41], 4, b"\x40" * 10)
    _put(raw, [42], 4, "AB".encode("cp037") + b"\x05" + "DEFGHIJ".encode("cp037"))
    _put(raw, [43], 4, b"\x00" * 10)
    # records 198 and 199 repeat record 197 byte for byte: 2 duplicates, ACCT-ID 1197 three times
    raw[198] = raw[197]
    raw[199] = raw[197]
    raw.tofile(path)
    return path


@pytest.fixture(scope="session")
def accounts_file(account_layout, tmp_path_factory) -> Path:
    return build_accounts(account_layout, tmp_path_factory.mktemp("data") / "accounts.dat")
