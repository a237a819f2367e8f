"""Is a change real: the minimal detectable change, and which way is better."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest

from posture.history.trends import Point, compare, minimal_detectable_change, normal_band

DAY = date(2026, 3, 2)


def _weekly(values, uncertainty=1.0):
    return [Point(DAY + timedelta(weeks=i), v, uncertainty) for i, v in enumerate(values)]


def test_mdc95_from_the_measurement_uncertainty():
    mdc = minimal_detectable_change(_weekly([3, 3, 3], uncertainty=1.0))
    assert mdc.mdc95 == pytest.approx(1.96 * math.sqrt(2) * 1.0)
    assert "uncertainty" in mdc.basis


def test_same_day_repeats_that_disagree_more_widen_the_mdc():
    # Three days with two captures each, 3 degrees apart: SEM = sqrt(sum d^2 / 2n) = 3 / sqrt(2).
    points = [Point(DAY + timedelta(days=d), v, 0.5) for d in range(3) for v in (0.0, 3.0)]
    mdc = minimal_detectable_change(points)
    assert mdc.sem == pytest.approx(3 / math.sqrt(2))
    assert "3 same-day repeat captures" in mdc.basis


def test_a_change_within_the_mdc_is_no_real_change_yet():
    points = _weekly([5.0, 4.0, 3.0], uncertainty=1.0)  # MDC95 2.77
    change = compare("hip_tilt_deg", "deg", points, points[0], points[1])
    assert change.verdict == "no real change yet" and not change.real


def test_towards_the_usual_range_is_better_away_is_worse():
    assert normal_band("hip_tilt_deg") == (-3.0, 3.0)  # the mild thresholds of high right / high left hip
    points = _weekly([8.0, 2.0], uncertainty=1.0)
    assert compare("hip_tilt_deg", "deg", points, points[0], points[1]).verdict == "better"
    assert compare("hip_tilt_deg", "deg", points, points[1], points[0]).verdict == "worse"
    # The craniovertebral angle has only a lower bound: higher is better.
    cva = _weekly([40.0, 50.0], uncertainty=1.0)
    assert normal_band("craniovertebral_angle_deg")[1] is None
    assert compare("craniovertebral_angle_deg", "deg", cva, cva[0], cva[1]).verdict == "better"


def test_a_real_change_inside_the_usual_range_is_just_changed():
    low, high = normal_band("shoulder_tilt_deg")
    points = _weekly([low + 0.1, high - 0.1], uncertainty=0.1)
    assert compare("shoulder_tilt_deg", "deg", points, points[0], points[1]).verdict == "changed"
