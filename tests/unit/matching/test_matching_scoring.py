"""Each score component on hand-made values, and the fused ranker agreeing with them."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from matching import Weights
from matching import scoring as s
from matching.scoring import PAY_CODE


def test_skill_credit_counts_below_minimum_partially():
    credit = s.skill_credit([0, 1, 2, 3, 4], 4)
    assert credit.tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]


def test_skill_credit_caps_at_one_above_minimum():
    assert s.skill_credit([2, 4], 1).tolist() == [1.0, 1.0]


def test_coverage_is_mean_and_zero_without_skills():
    assert s.coverage([1.5, 0.0], [2, 0]).tolist() == [0.75, 0.0]


@pytest.mark.parametrize(
    ("available", "needed", "expected"),
    [(10, 20, 0.5), (20, 10, 1.0), (0, 8, 0.0), (5, 0, 1.0)],
)
def test_hours_fit(available, needed, expected):
    assert float(s.hours_fit(available, needed)) == pytest.approx(expected)


@pytest.mark.parametrize(("late", "expected"), [(-30, 1.0), (0, 1.0), (30, 0.5), (60, 0.0), (90, 0.0)])
def test_start_fit_falls_linearly_over_grace_days(late, expected):
    assert float(s.start_fit(late, 60)) == pytest.approx(expected)


def test_availability_is_mean_of_hours_and_start():
    assert float(s.availability(np.float32(1.0), np.float32(0.5))) == pytest.approx(0.75)


def test_haversine_sapporo_to_obihiro_is_about_150_km():
    km = float(s.haversine_km(43.0621, 141.3544, 42.9234, 143.1961))
    assert 148 < km < 152


def test_haversine_zero_and_symmetric():
    assert float(s.haversine_km(43.0, 141.0, 43.0, 141.0)) == 0.0
    there = float(s.haversine_km(41.77, 140.73, 45.42, 141.67))
    back = float(s.haversine_km(45.42, 141.67, 41.77, 140.73))
    assert there == pytest.approx(back)


def test_distance_decay_is_smooth_inside_and_zero_beyond():
    decay = s.distance_decay([0, 25, 50, 99, 100, 150], 100).tolist()
    assert decay[0] == 1.0
    assert decay[1] == pytest.approx(1 - 0.25**2)
    assert decay[2] == pytest.approx(0.75)
    assert 0 < decay[3] < 0.03
    assert decay[4] == 0.0 and decay[5] == 0.0
    assert all(a >= b for a, b in itertools.pairwise(decay))


def test_distance_decay_unknown_distance_or_no_travel_is_zero():
    assert s.distance_decay([math.nan], [100]).tolist() == [0.0]
    assert s.distance_decay([0.0, 5.0], [0, 0]).tolist() == [0.0, 0.0]


def test_geography_region_bonus_capped_at_one():
    geo = s.geography(np.array([0.0, 0.5, 0.9], np.float32), np.array([True, False, True]), 0.3)
    assert geo.tolist() == pytest.approx([0.3, 0.5, 1.0])


@pytest.mark.parametrize(
    ("offer", "expect", "expected"),
    [
        (("hourly", 1500), ("hourly", 3000), 0.5),
        (("hourly", 3000), ("hourly", 2000), 1.0),
        (("fixed", 100_000), ("fixed", 200_000), 0.5),
        (("volunteer", 0), ("hourly", 2000), 0.0),
        (("internship", 0), ("internship", 50_000), 0.0),
        (("internship", 50_000), ("internship", 50_000), 1.0),
        (("hourly", 2000), ("fixed", 100_000), 0.5),
        (("volunteer", 0), ("volunteer", 0), 1.0),
        (("volunteer", 0), ("hourly", 0), 1.0),
    ],
)
def test_pay_fit(offer, expect, expected):
    fit = s.pay_fit(PAY_CODE[offer[0]], offer[1], PAY_CODE[expect[0]], expect[1])
    assert float(fit) == pytest.approx(expected)


def test_combine_renormalises_over_applicable_components():
    comps = {name: np.array([1.0], np.float32) for name in s.COMPONENTS}
    comps["geography"] = np.array([0.0], np.float32)
    applies = dict.fromkeys(s.COMPONENTS, True)
    applies["geography"] = False
    assert float(s.combine(comps, applies, Weights())[0]) == pytest.approx(1.0)
    applies["geography"] = True
    w = Weights()
    total = w.must_have + w.nice_to_have + w.verified + w.text + w.availability + w.geography + w.pay
    assert float(s.combine(comps, applies, w)[0]) == pytest.approx(1 - w.geography / total)


def test_combine_per_row_applicability():
    comps = {name: np.array([0.5, 0.5], np.float32) for name in s.COMPONENTS}
    comps["geography"] = np.array([0.0, 0.0], np.float32)
    applies: dict = dict.fromkeys(s.COMPONENTS, True)
    applies["geography"] = np.array([False, True])
    out = s.combine(comps, applies, Weights())
    assert out[0] == pytest.approx(0.5) and out[1] < 0.5


def test_missing_penalty_policies():
    assert s.missing_penalty([0, 1, 2], Weights(missing_must_factor=0.3)).tolist() == pytest.approx([1.0, 0.3, 0.09])
    assert s.missing_penalty([0, 1], Weights(missing_must="filter")).tolist() == [1.0, 0.0]
