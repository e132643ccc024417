"""Output values: exact half-up rounding to the PICTURE, clamps, bands and the reasons condition."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bridge.errors import EncodeError
from bridge.score.outputs import band_labels, fit_to_picture, round_half_up, scaled_bound, select_rows


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
