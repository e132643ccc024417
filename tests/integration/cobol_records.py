"""Known values of the rig's COBOL interop programs, and the parser of what their readers DISPLAY.

`expected_customer_records` mirrors the case table of ``cobol/CUSTWRT.cbl`` and
`expected_transaction_records` the records of ``cobol/TXNWRT.cbl`` exactly (change both or
neither). Values are what a decoder must produce from the file: ``int`` for integers,
``Decimal`` with the PICTURE's scale for scaled numbers, ``None`` for a numeric field that
holds no number (the SCORE of an unscored extract is spaces), strings right-trimmed, OCCURS as
lists. `parse_display` turns the ``NAME=VALUE`` lines of a reader program (``CUSTRD``) into
records of the same shape, so both directions of interop compare against one set of values.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

__all__ = [
    "CUSTOMER_NUMERIC_FIELDS",
    "CUSTOMER_RECORD_LENGTH",
    "TXN_NUMERIC_FIELDS",
    "expected_customer_records",
    "expected_transaction_records",
    "parse_customer_display",
    "parse_display",
    "parse_transaction_display",
]

CUSTOMER_RECORD_LENGTH = 117
"""Bytes per CUSTOMER-REC record (RECFM=F, no separators)."""

CUSTOMER_NUMERIC_FIELDS = frozenset({
    "CUST-ID", "BIRTH-DATE", "BALANCE", "CREDIT-LIMIT", "TXN-COUNT", "AVG-TXN-AMT",
    "MONTHS-ON-BOOK", "DELINQ-COUNT", "UTILISATION-PCT", "SCORE",
})

_D = Decimal
# CUST-ID, CUST-NAME, BIRTH-DATE, BALANCE, CREDIT-LIMIT, TXN-COUNT, RISK-SEG, AVG-TXN-AMT,
# MONTHS-ON-BOOK, DELINQ-COUNT, UTILISATION-PCT -- the WHEN 1..8 branches of CUSTWRT.
_CUSTOMER_CASES: tuple[tuple[Any, ...], ...] = (
    (1, "ALICE SMITH", 19800115, _D("12345678901.23"), _D("1234567.89"), 1234, "RT",
     _D("12345.67"), 120, 3, _D("45.6")),
    (2, "BOB JONES", 19751231, _D("-12345678901.23"), _D("-1234567.89"), -1234, "PR",
     _D("-12345.67"), 1, 0, _D("-45.6")),
    (3, "", 0, _D("0.00"), _D("0.00"), 0, "SB", _D("0.00"), 0, 0, _D("0.0")),
    (999999999, "MAXIMILIAN MAXWELL-MAXIMUS III", 99991231, _D("99999999999.99"),
     _D("9999999.99"), 9999, "ST", _D("9999999.99"), 999, 99, _D("999.9")),
    (5, "MINNIE MINIMUM", 19000101, _D("-99999999999.99"), _D("-9999999.99"), -9999, "RT",
     _D("-9999999.99"), 0, 0, _D("-999.9")),
    (6, "SMALL NEGATIVE", 20000229, _D("-0.01"), _D("-0.01"), -1, "PR", _D("-0.01"), 1, 1,
     _D("-0.1")),
    (7, "small positive", 20240101, _D("0.01"), _D("0.01"), 1, "SB", _D("0.01"), 2, 2, _D("0.1")),
    (8, "O'BRIEN & SONS, LTD. #8", 19991231, _D("1000000.00"), _D("-0.50"), 0, "ST",
     _D("-9.99"), 36, 12, _D("100.0")),
)
_CUSTOMER_COLUMNS = (
    "CUST-ID", "CUST-NAME", "BIRTH-DATE", "BALANCE", "CREDIT-LIMIT", "TXN-COUNT", "RISK-SEG",
    "AVG-TXN-AMT", "MONTHS-ON-BOOK", "DELINQ-COUNT", "UTILISATION-PCT",
)


def expected_customer_records(n: int = 8) -> list[dict[str, Any]]:
    """The records ``CUSTWRT n`` writes, in file order, with SCORE-AREA unscored (spaces).

    Record ``i`` (1-based) is case ``(i - 1) % 8 + 1``; after the first eight its CUST-ID is ``i``.
    Keys are the copybook's elementary names; REASON-CODE is a list of its four occurrences.
    """
    records = []
    for i in range(1, n + 1):
        record = dict(zip(_CUSTOMER_COLUMNS, _CUSTOMER_CASES[(i - 1) % len(_CUSTOMER_CASES)]))
        if i > len(_CUSTOMER_CASES):
            record["CUST-ID"] = i
        record.update({
            "SCORE": None,
            "SCORE-BAND": "",
            "REASON-CODE": ["", "", "", ""],
            "MODEL-ID": "",
            "SCORE-STATUS": "",
        })
        records.append(record)
    return records


TXN_NUMERIC_FIELDS = frozenset({
    "RECORD-LENGTH", "STMT-DATE", "TXN-CNT", "TXN-DATE", "TXN-AMT", "MCC", "STMT-TOTAL",
})


def expected_transaction_records() -> list[dict[str, Any]]:
    """The four records ``TXNWRT`` writes: 3 entries, none, the full 50, and 1 with extreme amounts.

    ``RECORD-LENGTH`` is the data length of each variable record (36 + 20 per entry), which
    GnuCOBOL's 4-byte prefix carries without counting itself (an IBM RDW would say 4 more).
    Table entries are lists of the actual count, as the bridge decodes them under ODO.
    """
    def record(acct, date, currency, entries, total, flags):
        return {
            "RECORD-LENGTH": 36 + 20 * len(entries),
            "ACCT-NO": acct, "STMT-DATE": date, "CURRENCY-CD": currency, "TXN-CNT": len(entries),
            "TXN-DATE": [e[0] for e in entries], "TXN-TYPE": [e[1] for e in entries],
            "TXN-AMT": [e[2] for e in entries], "MCC": [e[3] for e in entries],
            "STMT-TOTAL": total, "STMT-FLAGS": flags,
        }

    full = []
    for i in range(1, 51):
        kind = ("PU", "RF", "CA")[(i - 1) % 3]
        amount = _D(i) * _D("1.01") * (-1 if kind == "RF" else 1)
        full.append((20240300 + (i - 1) % 28 + 1, kind, amount.quantize(_D("0.01")), 5000 + i))
    return [
        record("ACCT00000001", 20240131, "GBP",
               [(20240102, "PU", _D("12.34"), 5411), (20240115, "RF", _D("-5.00"), 5999),
                (20240120, "CA", _D("200.00"), 6011)], _D("207.34"), "A"),
        record("ACCT00000002", 20240229, "EUR", [], _D("0.00"), "NONE"),
        record("ACCT00000003", 20240331, "USD", full, sum((e[2] for e in full), _D("0.00")), "FULL"),
        record("ACCT00000004", 99991231, "JPY", [(19000101, "RF", _D("-999999999.99"), 0)],
               _D("-99999999999.99"), "X  Z"),
    ]


def parse_customer_display(stdout: str) -> list[dict[str, Any]]:
    """Records from ``CUSTRD``'s output, shaped as `expected_customer_records`."""
    return parse_display(stdout, CUSTOMER_NUMERIC_FIELDS, tables=("REASON-CODE",))


def parse_transaction_display(stdout: str) -> list[dict[str, Any]]:
    """Records from ``TXNRD``'s output, shaped as `expected_transaction_records`."""
    return parse_display(stdout, TXN_NUMERIC_FIELDS, tables=("TXN-DATE", "TXN-TYPE", "TXN-AMT", "MCC"))


def parse_display(
    stdout: str, numeric_fields: frozenset[str], *, tables: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """Records from a reader program's ``NAME=VALUE`` lines (``RECORD=n`` opens each record).

    Numeric fields become ``int`` or ``Decimal`` (``None`` for ``INVALID``), text is
    right-trimmed, ``NAME(i)`` lines fill a list under ``NAME``. A ``FILE-STATUS=`` line raises.
    """
    records: list[dict[str, Any]] = []
    for line in stdout.splitlines():
        name, sep, value = line.partition("=")
        if not sep:
            continue
        if name == "FILE-STATUS":
            raise AssertionError(f"the COBOL reader reported a file error: {line}")
        if name == "RECORD":
            records.append({table: [] for table in tables})  # an empty table prints no line
            continue
        if not records or name.startswith("RECORDS-"):
            continue
        base, _, subscript = name.partition("(")
        parsed = _number(value) if base in numeric_fields else value.rstrip()
        if subscript:
            index = int(subscript.rstrip(")")) - 1
            table = records[-1].setdefault(base, [])
            table.extend([None] * (index + 1 - len(table)))
            table[index] = parsed
        else:
            records[-1][base] = parsed
    return records


def _number(text: str) -> int | Decimal | None:
    text = text.strip()
    if text == "INVALID":
        return None
    return Decimal(text) if "." in text else int(text)
