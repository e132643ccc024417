"""What the codec fuzzers run: one decode case (bytes + framing) and one encode case (rows).

Shared by the bounded hypothesis tests (`tests/codec/test_fuzz.py`) and the long runner
(`bench/fuzz_codecs.py`), so a crash the runner finds replays as a test with the same code.
Each case passes when it ends in the package's own error (`BridgeError`) or a correct result,
and fails on anything else (any other exception is a bug that would reach a user as a traceback).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import pyarrow as pa

from bridge.copybook import compile_copybook
from bridge.errors import BridgeError

#: Every storage type the codecs have, two ODO-free records and one with ODO.
COPYBOOK = """
       01 EVERY-CODEC.
          05 NAME        PIC X(6).
          05 QTY         PIC 9(3).
          05 AMT         PIC S9(5)V99.
          05 LEAD        PIC S9(3) SIGN LEADING SEPARATE.
          05 PKD         PIC S9(7)V99 COMP-3.
          05 PKD-EVEN    PIC 9(4) COMP-3.
          05 WIDE        PIC S9(25) COMP-3.
          05 HUGE        PIC S9(45).
          05 HALF        PIC S9(4) COMP.
          05 FULL        PIC 9(9) COMP.
          05 NATIVE      PIC S9(9) COMP-5.
          05 BIGBIN      PIC S9(30) COMP.
          05 SINGLE      COMP-1.
          05 DOUBLE      COMP-2.
          05 EDITED      PIC -ZZ,ZZ9.99.
          05 CREDIT      PIC ZZ9.99CR.
          05 WIDE-NAME   PIC N(2).
       01 WITH-TABLE.
          05 CNT         PIC 9.
          05 ITEMS OCCURS 0 TO 3 DEPENDING ON CNT.
             10 CODE     PIC X(2).
             10 VAL      PIC S9(3) COMP-3.
          05 TAIL        PIC X(2).
"""

_LAYOUT = None


def layout():
    global _LAYOUT
    if _LAYOUT is None:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # 45 digits: beyond IBM's 31, accepted with a warning
            _LAYOUT = compile_copybook(COPYBOOK, name="every_codec.cpy")
    return _LAYOUT


def decode_case(data: bytes, options: dict[str, Any]) -> None:
    """Decode ``data``: a BridgeError, or a table whose every row is a record of the file."""
    from bridge.records.api import read_table

    try:
        table, summary = read_table(data, layout(), **options)
    except BridgeError:
        return
    assert table.num_rows == summary.records
    for column in table.columns:
        column.to_pylist()  # every value is a Python value (no half-built Arrow buffers)


def encode_case(rows: list[dict[str, Any]], options: dict[str, Any]) -> None:
    """Encode ``rows``: a BridgeError, or records that decode back to the values given."""
    from io import BytesIO

    from bridge.records.api import read_table, write_records

    names = sorted({k for r in rows for k in r})
    columns = {n: [r.get(n) for r in rows] for n in names}
    try:
        table = pa.table({n: _array(v) for n, v in columns.items()})
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return  # pyarrow itself cannot hold these values together; not the bridge's input
    out = BytesIO()
    record = options.get("record", "EVERY-CODEC")
    same = dict(record=record, codepage=options.get("codepage", "cp037"),
                recfm="V" if layout().record(record).has_odo else "F")
    try:
        written = write_records(table, out, layout(), **same)
    except BridgeError:
        return
    assert written == len(rows)
    back, _ = read_table(out.getvalue(), layout(), **same)
    for name in columns:
        given = table.column(name).to_pylist()   # what the bridge was given (Arrow may coerce mixed values)
        got = back.column(name).to_pylist()
        for g, v in zip(got, given):
            assert _same(g, v), f"{name}: wrote {v!r}, read back {g!r}"


def _array(values: list) -> pa.Array:
    if all(isinstance(v, (int, type(None))) and not isinstance(v, bool) for v in values) and \
            any(isinstance(v, int) and not -(2**63) <= v < 2**63 for v in values):
        return pa.array([None if v is None else str(v) for v in values])  # beyond int64: as text
    return pa.array(values, from_pandas=True)


def _same(got: Any, given: Any) -> bool:
    if given is None or (isinstance(given, float) and given != given):
        return True  # nothing written: the field keeps its INITIALIZE value
    if isinstance(got, str) and not isinstance(given, str):
        # a number or boolean into a text item is written as Arrow writes it as text
        return got == pa.array([given]).cast(pa.string())[0].as_py().rstrip(" ")
    if isinstance(given, bool):
        return Decimal(str(got)) == int(given)
    if isinstance(given, str):
        if isinstance(got, str):
            return got == given.rstrip(" ")
        if isinstance(got, float):  # a float item holds the nearest double (1E-99999999 is 0.0)
            return _same(got, float(Decimal(given.strip())))
        try:
            return Decimal(given.strip()) == Decimal(str(got))
        except Exception:
            return False
    if isinstance(got, float) or isinstance(given, float):
        return got == given or abs(float(got) - float(given)) <= 2.0**-20 * max(1.0, abs(float(given)))
    return Decimal(str(got)) == Decimal(str(given).strip())
