"""Hand-built layouts that mirror the sample copybooks and pile up the cases exporters must map."""
from __future__ import annotations

from decimal import Decimal

from bridge.layout.model import Condition, Kind, Layout
from tests.export.layout_builder import group, item, layout, record, renames


def customer() -> Layout:
    """copybooks/customer.cpy, 117 bytes."""
    return layout(record(group(
        1, "CUSTOMER-REC",
        item(5, "CUST-ID", "9(9)", usage="COMP", length=4, digits=9),
        item(5, "CUST-NAME", "X(30)", length=30),
        item(5, "BIRTH-DATE", "9(8)", length=8, digits=8),
        item(5, "BALANCE", "S9(11)V99", usage="COMP-3", length=7, digits=13, scale=2, signed=True),
        item(5, "CREDIT-LIMIT", "S9(7)V99", usage="COMP-3", length=5, digits=9, scale=2,
             signed=True),
        item(5, "TXN-COUNT", "S9(4)", usage="COMP", length=2, digits=4, signed=True),
        item(5, "RISK-SEG", "X(2)", length=2,
             conditions=(Condition("SEG-RETAIL", ("RT",)), Condition("SEG-PREMIER", ("PR",)))),
        item(5, "AVG-TXN-AMT", "S9(7)V99", length=9, digits=9, scale=2, signed=True),
        item(5, "MONTHS-ON-BOOK", "9(3)", length=3, digits=3),
        item(5, "DELINQ-COUNT", "9(2)", length=2, digits=2),
        item(5, "UTILISATION-PCT", "S9(3)V9", usage="COMP-3", length=3, digits=4, scale=1,
             signed=True),
        group(5, "SCORE-AREA",
              item(10, "SCORE", "9V9999", length=5, digits=5, scale=4),
              item(10, "SCORE-BAND", "X(1)", length=1),
              item(10, "REASON-CODE", "X(4)", length=4, occurs=4),
              item(10, "MODEL-ID", "X(8)", length=8),
              item(10, "SCORE-STATUS", "X(2)", length=2,
                   conditions=(Condition("SCORED-OK", ("00",)),
                               Condition("NOT-SCORED", ("08", "12"))))),
        item(5, "FILLER", "X(10)", length=10),
    )))


def transactions() -> Layout:
    """copybooks/transactions.cpy: ODO table, items after it, an elementary REDEFINES group."""
    return layout(record(group(
        1, "TXN-HISTORY-REC",
        item(5, "ACCT-NO", "X(12)", length=12),
        item(5, "STMT-DATE", "9(8)", length=8, digits=8),
        group(5, "STMT-DATE-R",
              item(10, "STMT-YYYY", "9(4)", length=4, digits=4),
              item(10, "STMT-MM", "9(2)", length=2, digits=2),
              item(10, "STMT-DD", "9(2)", length=2, digits=2),
              redefines="STMT-DATE"),
        item(5, "CURRENCY-CD", "X(3)", length=3),
        item(5, "TXN-CNT", "S9(4)", usage="COMP", length=2, digits=4, signed=True),
        group(5, "TXN-TABLE",
              item(10, "TXN-DATE", "9(8)", length=8, digits=8),
              item(10, "TXN-TYPE", "X(2)", length=2,
                   conditions=(Condition("TXN-PURCHASE", ("PU",)),)),
              item(10, "TXN-AMT", "S9(9)V99", usage="COMP-3", length=6, digits=11, scale=2,
                   signed=True),
              item(10, "MCC", "9(4)", length=4, digits=4),
              occurs=(0, 50, "TXN-CNT")),
        item(5, "STMT-TOTAL", "S9(11)V99", usage="COMP-3", length=7, digits=13, scale=2,
             signed=True),
        item(5, "STMT-FLAGS", "X(4)", length=4),
    )))


def payments() -> Layout:
    """copybooks/payments.cpy, reduced: three 01 records of one file."""
    return layout(
        record(group(1, "BATCH-HEADER",
                     item(5, "HDR-REC-TYPE", "X(1)", length=1),
                     item(5, "HDR-BATCH-ID", "X(10)", length=10),
                     item(5, "FILLER", "X(69)", length=69))),
        record(group(1, "PAYMENT-DETAIL",
                     item(5, "DTL-REC-TYPE", "X(1)", length=1),
                     item(5, "DTL-AMOUNT", "S9(11)V99", usage="COMP-3", length=7, digits=13,
                          scale=2, signed=True),
                     item(5, "DTL-FEE", "S9(5)V99", usage="COMP", length=4, digits=7, scale=2,
                          signed=True),
                     item(5, "FILLER", "X(68)", length=68))),
        record(group(1, "BATCH-TRAILER",
                     item(5, "TRL-REC-TYPE", "X(1)", length=1),
                     item(5, "TRL-HASH-TOTAL", "S9(18)", usage="COMP", length=8, digits=18,
                          signed=True),
                     item(5, "FILLER", "X(71)", length=71))),
    )


def hard_cases() -> Layout:
    """Scaling P, floats, national/DBCS, edited items, unsigned 8-byte binary, nested OCCURS,
    names that clash, a FILLER group, a 66 RENAMES and a SYNC slack byte."""
    return layout(record(group(
        1, "HARD-REC",
        item(5, "THOUSANDS", "9(3)PPP", length=3, digits=3, scale=-3),
        item(5, "TINY", "PPP99", length=2, digits=2, scale=5),
        item(5, "BIG-COUNT", "9(18)", usage="COMP", length=8, digits=18),
        item(5, "HALF", "9(4)", usage="COMP", length=2, digits=4),
        item(5, "SCALED-BIN", "S9(5)V99", usage="COMP", length=4, digits=7, scale=2, signed=True),
        item(5, "RATE", None, usage="COMP-1", length=4),
        item(5, "RATIO", None, usage="COMP-2", length=8, sync=True, slack_before=2),
        item(5, "NAME-N", "N(10)", usage="NATIONAL", length=20),
        item(5, "NAME-G", "G(5)", usage="DISPLAY-1", length=10),
        item(5, "AMOUNT-ED", "-ZZZ,ZZ9.99", length=11, kind=Kind.NUMERIC_EDITED, digits=8,
             scale=2, signed=True, display_length=11),
        item(5, "DATE-ED", "XX/XX/XX", length=8, kind=Kind.ALPHANUMERIC_EDITED, display_length=8),
        group(5, "BILL-ADDR", item(10, "CITY", "X(20)", length=20)),
        group(5, "SHIP-ADDR", item(10, "CITY", "X(20)", length=20)),
        group(5, "MATRIX",
              group(10, "ROW", item(15, "CELL", "S9(3)", usage="COMP-3", length=2, digits=3,
                                    signed=True, occurs=3), occurs=2)),
        group(5, "FILLER", item(10, "HIDDEN", "X(2)", length=2)),
        item(5, "LEVEL", "9(2)", length=2, digits=2,
             conditions=(Condition("LOW-LEVEL", (), ((Decimal(1), Decimal(5)),)),)),
        renames("BOTH-ADDR", "BILL-ADDR", "SHIP-ADDR"),
    )))
