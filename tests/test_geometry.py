"""Known-angle geometry: the sign conventions in posture/assessment/geometry.py."""

import math

import numpy as np
import pytest

from posture.assessment import geometry as geo


def p(x, y):
    return np.array([x, y], dtype=float)


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        (p(0, 0), p(10, 0), 0.0),  # level
        (p(0, 0), p(10, 10), 45.0),  # first higher (smaller y) by the run: +45
        (p(10, 0), p(0, 10), 45.0),  # same, mirrored in x: the sign does not depend on the side
        (p(0, 10), p(10, 0), -45.0),  # first lower
        (p(0, 0), p(100, math.tan(math.radians(3)) * 100), 3.0),  # a clinical 3 degrees
    ],
)
def test_height_tilt_is_positive_when_first_point_is_higher(first, second, expected):
    assert geo.height_tilt_deg(first, second) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    ("top", "toward_x", "expected"),
    [
        (p(0, -10), 1, 0.0),  # straight up
        (p(10, -10), 1, 45.0),  # top toward +x, +x counts as positive
        (p(10, -10), -1, -45.0),  # same picture, other positive direction
        (p(-10, -10), -1, 45.0),
    ],
)
def test_lean_from_vertical(top, toward_x, expected):
    assert geo.lean_from_vertical_deg(p(0, 0), top, toward_x) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("target", "forward_x", "expected"),
    [
        (p(10, -10), 1, 45.0),
        (p(-10, -10), -1, 45.0),  # facing -x: the target ahead of the origin
        (p(0, -10), 1, 90.0),  # straight above
        (p(-10, -10), 1, 135.0),  # behind the origin
        (p(math.cos(math.radians(50)), -math.sin(math.radians(50))), 1, 50.0),
    ],
)
def test_elevation_above_horizontal(target, forward_x, expected):
    assert geo.elevation_deg(p(0, 0), target, forward_x) == pytest.approx(expected)


@pytest.mark.parametrize("toward_x", [1, -1])
@pytest.mark.parametrize("offset", [0.0, 5.0, -5.0])
def test_bend_magnitude_and_side(toward_x, offset):
    # A chain from (0,0) through (offset, 100) to (0, 200): the bend at the middle is 2*atan(offset/100).
    bend = geo.bend_deg(p(0, 0), p(offset, 100), p(0, 200), toward_x)
    expected = 2 * math.degrees(math.atan(abs(offset) / 100))
    assert abs(bend) == pytest.approx(expected)
    if offset:
        assert math.copysign(1, bend) == math.copysign(1, offset * toward_x)


def test_horizontal_offset_from_a_slanted_line():
    assert geo.horizontal_offset_from_line(p(0, 0), p(10, 100), p(8, 50)) == pytest.approx(3.0)
