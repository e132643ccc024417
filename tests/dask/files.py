"""Record files for the Dask tests: written by `bridge.write_records` from fake values, several blocks long."""
from __future__ import annotations

from pathlib import Path

from bridge.copybook import compile_copybook, load_copybook
from bridge.records.api import write_records
from bridge.testing import fake_table
from tests.conftest import COPYBOOKS, FIXTURES

CUSTOMER = load_copybook(COPYBOOKS / "customer.cpy")
PAYMENTS = load_copybook(COPYBOOKS / "payments.cpy")
PAYMENT_OPTIONS = {"segment_field": "HDR-REC-TYPE",
                   "segment_map": {"H": "BATCH-HEADER", "D": "PAYMENT-DETAIL", "T": "BATCH-TRAILER"}}
#: display fields only, so a text-mode transfer can carry it
TEXT_LAYOUT = compile_copybook("\n".join("       " + line for line in """
01 NOTE-REC.
   05 NOTE-ID    PIC 9(6).
   05 NOTE-AMT   PIC S9(5)V99 SIGN LEADING SEPARATE.
   05 NOTE-TEXT  PIC X(20).
""".strip().splitlines()))


def customer_file(folder: Path, recfm: str, n: int = 2000, *, seed: int = 1, **options) -> Path:
    """``n`` CUSTOMER-REC records framed as ``recfm`` (V/VB records have varied lengths by truncation)."""
    path = folder / f"customer.{recfm.lower()}{'.bdw' if options.get('bdw') else ''}.dat"
    write_records(fake_table(CUSTOMER, n, seed=seed), path, CUSTOMER, recfm=recfm, **options)
    return path


def text_file(folder: Path, n: int = 3000, *, newline: bytes = b"\n", seed: int = 2) -> Path:
    """``n`` ASCII NOTE-REC lines, trailing blanks trimmed as a text transfer does, the last without a line end."""
    import random

    rng = random.Random(seed)
    lines = []
    for i in range(n):
        amount = rng.randint(-9999999, 9999999)
        text = "".join(rng.choice("ABC XYZ") for _ in range(rng.randint(0, 20)))
        line = f"{i:06d}{'-' if amount < 0 else '+'}{abs(amount):07d}{text}".rstrip()
        lines.append(line.encode("ascii"))
    path = folder / "notes.txt"
    path.write_bytes(newline.join(lines))
    return path


def payments_file(folder: Path, copies: int = 300) -> Path:
    """The payments fixture (header, details, trailer) repeated: a multi-segment FB file."""
    path = folder / "payments.fb.dat"
    path.write_bytes((FIXTURES / "payments.fb.dat").read_bytes() * copies)
    return path
