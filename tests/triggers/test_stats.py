"""The risk ratio and its 95% log-method interval, at its edges, against hand computations."""

from __future__ import annotations

import math

import pytest

from portal.triggers.stats import Z95, risk_ratio


def test_the_ratio_and_interval_match_a_hand_computation():
    # (6/9) / (8/61) = 5.0833; se = sqrt(1/6 - 1/9 + 1/8 - 1/61) = 0.40517; exp(ln 5.0833 ± 1.959964 * 0.40517)
    rr = risk_ratio(6, 9, 8, 61)
    assert rr is not None and not rr.corrected
    assert rr.ratio == pytest.approx(5.0833, abs=1e-4)
    assert rr.low == pytest.approx(2.2976, abs=1e-4) and rr.high == pytest.approx(11.2468, abs=1e-4)
    assert (rr.exposed_rate, rr.unexposed_rate) == (6 / 9, 8 / 61)


def test_the_interval_is_symmetric_on_the_log_scale_around_the_ratio():
    rr = risk_ratio(12, 40, 9, 60)
    se = math.sqrt(1 / 12 - 1 / 40 + 1 / 9 - 1 / 60)
    assert math.log(rr.high) - math.log(rr.ratio) == pytest.approx(Z95 * se)
    assert math.log(rr.ratio) - math.log(rr.low) == pytest.approx(Z95 * se)


def test_equal_rates_give_one_with_an_interval_around_it():
    rr = risk_ratio(5, 10, 5, 10)
    assert rr.ratio == 1 and rr.low < 1 < rr.high and not rr.corrected


def test_a_zero_cell_adds_half_to_every_cell():
    # a=0: cells 0.5, 10.5 | 5.5, 15.5 -> (0.5/11) / (5.5/21) = 0.17355; se = sqrt(1/0.5 - 1/11 + 1/5.5 - 1/21)
    rr = risk_ratio(0, 10, 5, 20)
    assert rr.corrected and (rr.a, rr.n1) == (0, 10)  # the counts shown stay the real ones
    assert rr.ratio == pytest.approx(0.17355, abs=1e-5)
    assert rr.low == pytest.approx(0.010536, abs=1e-6) and rr.high == pytest.approx(2.85873, abs=1e-5)


@pytest.mark.parametrize(("a", "n1", "c", "n0"), [(3, 3, 2, 7), (3, 5, 0, 7), (2, 5, 7, 7), (0, 5, 0, 5)])
def test_every_zero_cell_is_corrected_and_finite(a, n1, c, n0):
    rr = risk_ratio(a, n1, c, n0)
    assert rr.corrected and all(math.isfinite(x) and x > 0 for x in (rr.ratio, rr.low, rr.high))


def test_no_zero_cell_is_not_corrected():
    assert not risk_ratio(1, 2, 1, 2).corrected


def test_no_exposed_or_no_unexposed_days_is_nothing_to_compare():
    assert risk_ratio(0, 0, 3, 10) is None and risk_ratio(3, 10, 0, 0) is None and risk_ratio(0, 0, 0, 0) is None


def test_counts_out_of_range_are_refused():
    with pytest.raises(ValueError):
        risk_ratio(4, 3, 1, 5)
    with pytest.raises(ValueError):
        risk_ratio(1, 3, -1, 5)
