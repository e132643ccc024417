"""The value types and decoded shape every schema exporter shares."""
from __future__ import annotations

from decimal import Decimal

import pytest

from bridge.errors import LayoutError
from bridge.export.values import decoded_children, selected_records, value_type
from tests.export.layout_builder import group, item, record
from tests.export import sample_layouts


def _field(spec):
    return record(group(1, "R", spec)).root.children[0]


@pytest.mark.parametrize("length, signed, precision", [
    (2, True, 5), (2, False, 5), (4, True, 10), (4, False, 10), (8, True, 19), (8, False, 20),
])
def test_binary_precision_is_the_digits_the_storage_holds_not_the_picture(length, signed, precision):
    f = _field(item(5, "B", "9(1)", usage="COMP", length=length, digits=1, signed=signed))
    assert value_type(f).precision == precision


def test_binary_bounds_are_the_storage_range_because_values_decode_as_stored():
    vt = value_type(_field(item(5, "B", "S9(4)", usage="COMP", length=2, digits=4, signed=True)))
    assert (vt.kind, vt.minimum, vt.maximum, vt.bits) == ("integer", -32768, 32767, 16)


def test_scaled_binary_is_a_decimal_over_the_storage_range():
    vt = value_type(_field(item(5, "B", "S9(5)V99", usage="COMP", length=4, digits=7, scale=2,
                                signed=True)))
    assert (vt.kind, vt.precision, vt.scale) == ("decimal", 10, 2)
    assert vt.maximum == Decimal("21474836.47")


def test_trailing_p_scaling_needs_more_precision_and_no_fraction():
    vt = value_type(_field(item(5, "P", "9(3)PPP", length=3, digits=3, scale=-3)))
    assert (vt.precision, vt.scale, vt.step, vt.maximum) == (6, 0, Decimal(1000), Decimal(999000))


def test_leading_p_scaling_makes_precision_equal_to_the_scale():
    vt = value_type(_field(item(5, "P", "PPP99", length=2, digits=2, scale=5)))
    assert (vt.precision, vt.scale, vt.maximum) == (5, 5, Decimal("0.00099"))


def test_packed_decimal_bounds_follow_the_picture_digits_and_sign():
    vt = value_type(_field(item(5, "A", "S9(7)V99", usage="COMP-3", length=5, digits=9, scale=2,
                                signed=True)))
    assert (vt.minimum, vt.maximum, vt.step) == (Decimal("-9999999.99"), Decimal("9999999.99"),
                                                 Decimal("0.01"))


def test_unsigned_zoned_number_cannot_be_negative():
    vt = value_type(_field(item(5, "A", "9(3)", length=3, digits=3)))
    assert vt.minimum == 0


def test_national_and_dbcs_lengths_count_characters_not_bytes():
    national = value_type(_field(item(5, "N", "N(10)", usage="NATIONAL", length=20)))
    dbcs = value_type(_field(item(5, "G", "G(5)", usage="DISPLAY-1", length=10)))
    assert (national.max_length, dbcs.max_length) == (10, 5)
    assert national.national and dbcs.national


def test_comp_1_and_comp_2_are_single_and_double_floats():
    assert value_type(_field(item(5, "F", None, usage="COMP-1", length=4))).bits == 32
    assert value_type(_field(item(5, "D", None, usage="COMP-2", length=8))).bits == 64


def test_a_group_has_no_value_type_of_its_own():
    rec = sample_layouts.customer().records[0]
    with pytest.raises(ValueError, match="SCORE-AREA is a group item"):
        value_type(rec.field("SCORE-AREA"))


def test_filler_and_renames_are_not_keys_of_a_decoded_record():
    root = sample_layouts.hard_cases().records[0].root
    names = [f.name for f in decoded_children(root)]
    assert "FILLER" not in names and "BOTH-ADDR" not in names
    assert names[0] == "THOUSANDS" and names[-1] == "LEVEL"


def test_redefines_branches_are_all_keys_of_a_decoded_record():
    root = sample_layouts.transactions().records[0].root
    assert {"STMT-DATE", "STMT-DATE-R"} <= {f.name for f in decoded_children(root)}


def test_selecting_an_unknown_record_names_the_records_there_are():
    with pytest.raises(LayoutError, match=r"no 01 record named NOPE \(records: BATCH-HEADER, "
                                          r"PAYMENT-DETAIL, BATCH-TRAILER\)"):
        selected_records(sample_layouts.payments(), "nope")
