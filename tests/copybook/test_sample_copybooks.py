"""The project's sample copybooks compile to the layouts worked out by hand."""
from __future__ import annotations

from bridge.copybook import load_copybook
from tests.copybook.cobol_text import offsets


def test_customer_extract_is_117_bytes_with_the_prediction_area(copybooks_dir):
    layout = load_copybook(copybooks_dir / "customer.cpy")
    rec = layout.record("CUSTOMER-REC")
    assert rec.length == 117 and rec.is_fixed and layout.warnings == ()
    got = offsets(rec)
    assert got["CUST-ID"] == (0, 4) and got["BALANCE"] == (42, 7) and got["TXN-COUNT"] == (54, 2)
    assert got["SCORE-AREA"] == (75, 32) and got["SCORE"] == (75, 5) and got["REASON-CODE"] == (81, 4)
    assert got["MODEL-ID"] == (97, 8) and got["SCORE-STATUS"] == (105, 2)
    assert rec.field("SCORE").scale == 4 and rec.field("REASON-CODE").occurs.max == 4
    assert [c.name for c in rec.field("RISK-SEG").conditions] == ["SEG-RETAIL", "SEG-PREMIER",
                                                                 "SEG-SMALL-BUSINESS", "SEG-STUDENT"]
    assert rec.field("SCORE-STATUS").conditions[2].values == ("08", "12")


def test_transactions_have_an_odo_table_and_variably_located_trailer(copybooks_dir):
    rec = load_copybook(copybooks_dir / "transactions.cpy").records[0]
    assert (rec.length, rec.min_length) == (1036, 36)
    assert rec.odo_objects == (("TXN-HISTORY-REC", "TXN-CNT"),)
    table = rec.field("TXN-TABLE")
    assert (table.offset, table.length, table.occurs.indexed_by) == (25, 20, ("TXN-IX",))
    assert rec.field("STMT-TOTAL").variable_offset and rec.field("STMT-TOTAL").offset == 1025
    assert rec.field("STMT-DATE-R").redefines == "STMT-DATE"
    assert rec.resolve({("TXN-HISTORY-REC", "TXN-CNT"): 3}).length == 96


def test_payments_have_three_80_byte_record_types(copybooks_dir):
    layout = load_copybook(copybooks_dir / "payments.cpy")
    assert [(r.name, r.length) for r in layout.records] == [
        ("BATCH-HEADER", 80), ("PAYMENT-DETAIL", 80), ("BATCH-TRAILER", 80)]
    assert layout.record("PAYMENT-DETAIL").field("DTL-FEE").length == 4


def test_policy_has_redefined_details_and_sync_binary(copybooks_dir):
    rec = load_copybook(copybooks_dir / "policy.cpy").records[0]
    assert rec.length == 98
    assert rec.field("POL-DETAIL").redefined_by == ("MOTOR-DETAIL", "HOME-DETAIL")
    assert offsets(rec)["NCD-YEARS"] == (66, 2) and offsets(rec)["HOME-FLOOD-ZONE"] == (53, 1)
