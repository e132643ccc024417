"""Output values: exact half-up rounding to the PICTURE, clamps, bands and the reasons condition."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bridge.errors import EncodeError
from bridge.score.outputs import (
    StatusCodes,
    band_labels,
    fit_to_picture,
    parse_condition,
    points_from_raw,
    round_half_up,
    scaled_bound,
    select_rows,
    sigmoid,
)


def _decimal_half_up(v: float, scale: int) -> int:
    return int(Decimal(v).scaleb(scale).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=1, max_size=50),
       st.integers(min_value=0, max_value=8))
def test_rounding_equals_decimal_half_up_of_the_exact_double(values, scale):
    got, ok = round_half_up(np.array(values), scale)
    assert ok.all()
    assert got.tolist() == [_decimal_half_up(v, scale) for v in values]


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=99999), st.integers(min_value=2, max_value=6))
def test_values_near_a_rounding_tie_round_as_decimal_does(k, scale):
    ties = (np.array([k, k, k]) + 0.5) / 10.0 ** scale
    near = np.array([ties[0], np.nextafter(ties[1], 0), np.nextafter(ties[2], 1)])
    got, _ = round_half_up(near, scale)
    assert got.tolist() == [_decimal_half_up(v, scale) for v in near]


def test_a_probability_whose_double_lies_below_the_tie_rounds_down_and_a_true_tie_rounds_up():
    assert Decimal(0.28885) < Decimal("0.28885")
    assert round_half_up(np.array([0.28885]), 4)[0].tolist() == [2888]
    assert round_half_up(np.array([0.125]), 2)[0].tolist() == [13]


def test_non_finite_values_are_reported_not_rounded():
    got, ok = round_half_up(np.array([np.nan, np.inf, 0.5]), 4)
    assert ok.tolist() == [False, False, True] and got.tolist() == [0, 0, 5000]


def test_one_point_zero_into_pic_v9999_is_clamped_to_0_9999():
    unscaled, ok = round_half_up(np.array([0.99996, 0.5]), 4)
    values, clamped = fit_to_picture(unscaled, ok, low=0, high=9999, field="SCORE", picture="V9999",
                                     on_overflow="clamp", scale=4)
    assert values.tolist() == [9999, 5000] and clamped.tolist() == [True, False]


def test_one_point_zero_into_pic_v9999_is_an_error_when_the_card_says_so():
    unscaled, ok = round_half_up(np.array([0.5, 0.99996]), 4)
    with pytest.raises(EncodeError) as err:
        fit_to_picture(unscaled, ok, low=0, high=9999, field="SCORE", picture="V9999",
                       on_overflow="error", scale=4)
    assert "record 2" in str(err.value) and "SCORE PIC V9999" in str(err.value) and "1.0000" in str(err.value)
    assert "on_overflow" in str(err.value)


def test_a_score_falls_in_the_first_band_whose_upper_bound_it_does_not_exceed():
    uppers = [scaled_bound(Decimal(u), 4, upper=True) for u in ("0.2", "0.5", "0.8", "1.0")]
    scores = np.array([0, 2000, 2001, 5000, 8001, 10000])
    assert band_labels(scores, uppers, "ABCD").tolist() == ["A", "A", "B", "B", "D", "D"]


def test_a_band_bound_finer_than_the_picture_is_compared_exactly():
    upper = scaled_bound(Decimal("0.12345"), 4, upper=True)
    assert band_labels(np.array([1234, 1235]), [upper, 10000], ["A", "B"]).tolist() == ["A", "B"]


@pytest.mark.parametrize("condition, expected", [
    ("score>=0.5", [False, True, True]), ("score > 0.5", [False, False, True]),
    ("score<=0.5", [True, True, False]), ("score<0.5", [True, False, False]),
    ("score==0.5", [False, True, False]), (None, [True, True, True]),
])
def test_the_reasons_condition_compares_the_written_score(condition, expected):
    assert select_rows(np.array([4999, 5000, 5001]), 4, condition).tolist() == expected


def test_a_condition_that_is_not_score_op_number_is_refused():
    with pytest.raises(ValueError, match="score<op><number>"):
        select_rows(np.array([1]), 4, "balance>5")


def test_sigmoid_turns_log_odds_into_the_probability_of_the_positive_class():
    # hand-derived: log-odds 0 is 1:1, ln 3 is 3:1 (0.75), -ln 3 is 1:3 (0.25)
    got = sigmoid([0, np.log(3.0), -np.log(3.0)])
    assert got.dtype == np.float64
    assert np.allclose(got, [0.5, 0.75, 0.25], rtol=0, atol=1e-15)


def test_points_are_the_base_points_at_the_base_odds_and_pdo_more_each_time_the_odds_double():
    # raw is ln(bad/good): good:bad 50:1 is raw -ln 50, 100:1 is -ln 100, 25:1 is -ln 25
    raw = -np.log(np.array([50.0, 100.0, 25.0, 200.0]))
    got = points_from_raw(raw, base_points=600, base_odds=50, pdo=20)
    assert np.allclose(got, [600.0, 620.0, 580.0, 640.0], rtol=0, atol=1e-9)


def test_points_fall_as_the_risk_rises():
    got = points_from_raw([-1.0, 0.0, 1.0], base_points=500, base_odds=1, pdo=np.log(2.0))
    assert np.allclose(got, [501.0, 500.0, 499.0], rtol=0, atol=1e-12)


def test_status_codes_run_from_scored_to_model_error():
    assert StatusCodes().ordered() == ("00", "02", "04", "08", "12")


def test_a_negative_scale_rounds_half_up_to_whole_hundreds():
    got, ok = round_half_up(np.array([12350.0, 12349.0, -12350.0, 0.0]), -2)
    assert ok.all() and got.tolist() == [124, 123, -124, 0]


def test_a_scale_beyond_the_exact_product_still_rounds_half_up():
    got, ok = round_half_up(np.array([1.5e-23, 2.4e-23, -1.5e-23]), 23)
    assert ok.all() and got.tolist() == [2, 2, -2]


def test_a_magnitude_of_2_to_the_62_after_scaling_is_reported_and_just_below_it_is_rounded():
    just_below = 2.0 ** 62 - 1024.0
    got, ok = round_half_up(np.array([2.0 ** 62, -(2.0 ** 62), just_below, -just_below]), 0)
    assert ok.tolist() == [False, False, True, True]
    assert got.tolist() == [0, 0, 2 ** 62 - 1024, -(2 ** 62 - 1024)]


def test_a_product_just_below_a_whole_number_is_not_rounded_up_to_the_next():
    # 0.29 * 100 is 28.999999999999996447... exactly: the double 0.29 lies below 0.29
    assert Decimal(0.29) < Decimal("0.29")
    got, _ = round_half_up(np.array([0.29, 0.57, -0.29]), 2)
    assert got.tolist() == [29, 57, -29]
    got, _ = round_half_up(np.array([0.29, 0.57]), 0)
    assert got.tolist() == [0, 1]


def test_a_score_below_the_picture_range_is_clamped_up_to_its_low_end():
    values, clamped = fit_to_picture(np.array([-3, 0, 7]), np.array([True, True, True]), low=0, high=5,
                                     field="SCORE", picture="9", on_overflow="clamp", scale=0)
    assert values.tolist() == [0, 0, 5] and clamped.tolist() == [True, False, True]


def test_a_value_that_could_not_be_rounded_is_not_counted_as_clamped():
    values, clamped = fit_to_picture(np.array([0, 3]), np.array([False, True]), low=1, high=5,
                                     field="SCORE", picture="9", on_overflow="error", scale=0)
    assert clamped.tolist() == [False, False] and values.tolist() == [1, 3]


def test_the_overflow_error_names_the_first_row_its_value_and_the_range():
    with pytest.raises(EncodeError) as err:
        fit_to_picture(np.array([50, -70000, 80000]), np.array([True, True, True]), low=-9999, high=9999,
                       field="SCORE", picture="S99V99", on_overflow="error", scale=2)
    assert str(err.value).startswith("record 2, field SCORE PIC S99V99: score -700.00 does not fit "
                                     "(range -99.99 to 99.99)")
    assert err.value.row == 1 and err.value.value == Decimal("-700.00")


def test_a_lower_band_bound_is_rounded_up_and_an_upper_bound_down():
    assert scaled_bound(Decimal("0.12345"), 4, upper=False) == 1235
    assert scaled_bound(Decimal("0.12345"), 4, upper=True) == 1234
    assert scaled_bound(Decimal("0.1234"), 4, upper=False) == 1234


def test_band_labels_keep_their_full_width_and_a_score_above_every_band_has_none():
    labels = band_labels(np.array([10, 50, 51, 99]), [10, 50], ["LOW", "MEDIUM"])
    assert labels.tolist() == ["LOW", "MEDIUM", "", ""]


@pytest.mark.parametrize("condition, expected", [
    ("score>=0.12345", [False, True]), ("score>0.12345", [False, True]),
    ("score<=0.12345", [True, False]), ("score<0.12345", [True, False]),
    ("score==0.12345", [False, False]), ("score==0.1235", [False, True]),
])
def test_a_condition_finer_than_the_picture_is_compared_exactly(condition, expected):
    assert select_rows(np.array([1234, 1235]), 4, condition).tolist() == expected


@pytest.mark.parametrize("condition", ["", "   "])
def test_a_blank_condition_selects_every_row(condition):
    assert select_rows(np.array([1, 2]), 4, condition).tolist() == [True, True]


def test_a_condition_is_read_without_regard_to_case_or_spaces():
    assert parse_condition(" Score >= 0.5 ") == (">=", Decimal("0.5"))
    assert parse_condition("SCORE<1") == ("<", Decimal("1"))


@pytest.mark.parametrize("text", ["score>=abc", "score=>0.5", "score", "scorex>1"])
def test_a_condition_without_an_operator_and_a_number_is_refused_with_the_operators(text):
    with pytest.raises(ValueError) as err:
        parse_condition(text)
    assert str(err.value) == (f"condition {text!r} must read score<op><number> with op one of "
                              ">=, <=, ==, >, <")


def test_status_codes_cannot_be_changed_once_made():
    import dataclasses

    with pytest.raises(dataclasses.FrozenInstanceError):
        StatusCodes().scored = "01"


def test_ties_at_scale_22_round_the_exact_double_as_decimal_does():
    ties = (np.arange(40) + 0.5) / 1e22
    got, ok = round_half_up(ties, 22)
    assert ok.all() and got.tolist() == [_decimal_half_up(v, 22) for v in ties]


@pytest.mark.parametrize("scale", [8, 12, 16, 22])
def test_ties_at_scales_whose_power_of_ten_needs_more_than_26_bits_round_as_decimal_does(scale):
    # from 10**8 on, Dekker's split of 10**scale has a low part: every term of the product counts
    ties = (np.arange(60) + 0.5) / 10.0 ** scale
    near = np.concatenate([ties, np.nextafter(ties, 0), np.nextafter(ties, 1)])
    got, ok = round_half_up(near, scale)
    assert ok.all() and got.tolist() == [_decimal_half_up(v, scale) for v in near]


@pytest.mark.parametrize("scale", [-2, 0, 4, 23])
def test_rounding_gives_int64_values_and_boolean_masks_without_numeric_warnings(scale):
    import warnings

    values = np.array([0.0, -0.0, 1.5, -2.5, np.nan, np.inf, -np.inf, 2.0 ** 70, 1e-300])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        unscaled, ok = round_half_up(values, scale)
        fitted, clamped = fit_to_picture(unscaled, ok, low=-5, high=5, field="SCORE", picture="S9",
                                         on_overflow="clamp", scale=0)
    assert unscaled.dtype == np.int64 and fitted.dtype == np.int64
    assert ok.dtype == np.bool_ and clamped.dtype == np.bool_
    assert ok.tolist()[4:7] == [False, False, False] and unscaled.tolist()[:2] == [0, 0]
