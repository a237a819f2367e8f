"""Camera roll on drawn scenes with a known roll."""

import math

import cv2
import numpy as np
import pytest

from posture.vision.leveling import estimate_camera_roll


def room(roll_deg: float, with_person: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Door frames and wall corners (vertical in the world) seen by a camera rolled
    counter-clockwise by `roll_deg`; optionally a person-shaped blob with slanted edges."""
    height, width = 900, 600
    image = np.full((height, width, 3), 200, np.uint8)
    mask = np.zeros((height, width), np.float32)
    angle = math.radians(roll_deg)
    centre = np.array([width / 2, height / 2])

    def seen(x: float, y: float) -> tuple[int, int]:
        # Counter-clockwise on screen (y down): the top of a vertical moves left.
        dx, dy = x - centre[0], y - centre[1]
        return (round(centre[0] + dx * math.cos(angle) + dy * math.sin(angle)),
                round(centre[1] - dx * math.sin(angle) + dy * math.cos(angle)))

    for x in (60, 110, 480, 540):
        cv2.line(image, seen(x, 80), seen(x, 820), (40, 40, 40), 3)
    if with_person:
        person = np.array([seen(260, 150), seen(340, 150), seen(380, 850), seen(220, 850)], np.int32)
        cv2.fillPoly(image, [person], (90, 60, 50))
        cv2.fillPoly(mask, [person], 1.0)
    return image, mask


@pytest.mark.parametrize("roll", [-4.0, -1.5, 0.0, 2.0, 4.0])
def test_the_roll_of_drawn_verticals_is_recovered(roll):
    image, _ = room(roll)
    estimate = estimate_camera_roll(image, None)
    assert estimate.confident, estimate.reason
    assert estimate.roll_deg == pytest.approx(roll, abs=0.2)


def test_the_persons_outline_is_not_taken_for_a_wall():
    image, mask = room(2.0, with_person=True)
    estimate = estimate_camera_roll(image, mask)
    assert estimate.roll_deg == pytest.approx(2.0, abs=0.2)


def test_a_plain_wall_cannot_be_leveled_and_says_why():
    estimate = estimate_camera_roll(np.full((900, 600, 3), 180, np.uint8), None)
    assert not estimate.confident and estimate.roll_deg is None
    assert "edges" in estimate.reason


def test_one_short_edge_is_not_enough():
    image = np.full((900, 600, 3), 200, np.uint8)
    cv2.line(image, (100, 400), (101, 480), (30, 30, 30), 3)
    assert not estimate_camera_roll(image, None).confident
