"""Annotations land where the landmarks are, in the agreed colours, at any image size."""

import numpy as np
import pytest

from posture.assessment.classifier import Severity
from posture.assessment.measurements import measure
from posture.assessment.views import View
from posture.presentation import SEVERITY_RGB
from posture.vision.drawing import LEFT_RGB, Annotation, annotate
from posture.vision.landmarks import Landmark as L
from posture.vision.landmarks import PoseLandmarks
from tests.conftest import frontal_landmarks


def note_for(pose, severities=None, legend=()):
    measured = measure(pose, View.FRONT)
    return Annotation(
        view="front",
        measurements={mid: (m.value, m.unit) for mid, m in measured.items()},
        line_colours={mid: SEVERITY_RGB[severity] for mid, severity in (severities or {}).items()},
        legend=[(text, SEVERITY_RGB[severity]) for text, severity in legend],
    )


def colour_near(image, x, y, colour, radius=2) -> bool:
    patch = image[int(y) - radius:int(y) + radius + 1, int(x) - radius:int(x) + radius + 1]
    return bool(np.any(np.all(np.abs(patch.astype(int) - colour) < 40, axis=2)))


@pytest.mark.parametrize("scale", [0.25, 1.0, 3.0])  # a thumbnail, the working size, a 12 MP original
def test_measured_lines_are_drawn_through_the_landmarks_in_their_severity_colour(scale):
    pose = frontal_landmarks(View.FRONT, shoulder_tilt_deg=4.0)
    width, height = int(1000 * scale), int(2000 * scale)
    image = np.full((height, width, 3), 60, np.uint8)
    note = note_for(pose, {"shoulder_tilt_deg": Severity.MODERATE}, [("High shoulder", Severity.MODERATE)])
    drawn = annotate(image, pose, note)
    assert drawn.shape == image.shape and not np.array_equal(drawn, image)
    # A third of the way along each line (the plumb line crosses the middle).
    on_shoulders = (pose.xy_px[L.LEFT_SHOULDER] * 2 + pose.xy_px[L.RIGHT_SHOULDER]) / 3 * scale
    assert colour_near(drawn, on_shoulders[0], on_shoulders[1], SEVERITY_RGB[Severity.MODERATE])
    hips = (pose.xy_px[L.LEFT_HIP] * 2 + pose.xy_px[L.RIGHT_HIP]) / 3 * scale
    assert colour_near(drawn, hips[0], hips[1], SEVERITY_RGB[Severity.NONE])
    assert np.array_equal(image, np.full_like(image, 60))  # the input is not modified


@pytest.mark.parametrize("view", [View.FRONT, View.BACK])
def test_a_tilt_line_shows_the_measured_value_not_the_points_slope(view):
    """The calibrated hip tilt reads more than the hip points show: the line is drawn at the value,
    through the points' midpoint, and turned by a camera roll the measurement undid."""
    from dataclasses import replace

    pose = frontal_landmarks(view)  # level hip points
    left, right = pose.xy_px[L.LEFT_HIP], pose.xy_px[L.RIGHT_HIP]
    middle, half = (left + right) / 2, abs(left[0] - right[0]) / 2
    toward_left = 1 if left[0] > right[0] else -1
    note = replace(note_for(pose, {"hip_tilt_deg": Severity.MODERATE}), measurements={"hip_tilt_deg": (8.0, "deg")})
    for roll, rise in ((0.0, 8.0), (3.0, 8.0 + 3.0 * toward_left)):
        drawn = annotate(np.full((2000, 1000, 3), 60, np.uint8), pose, replace(note, camera_roll_deg=roll))
        end = middle + np.array([toward_left * half, -half * np.tan(np.radians(rise))])
        assert colour_near(drawn, end[0], end[1], SEVERITY_RGB[Severity.MODERATE], radius=1), roll
        level_end = middle + np.array([toward_left * half, 0.0])
        assert not colour_near(drawn, level_end[0], level_end[1], SEVERITY_RGB[Severity.MODERATE], radius=1), roll


def test_the_subjects_left_side_is_blue_and_hidden_points_are_not_drawn():
    pose = frontal_landmarks(View.FRONT)
    vis = pose.visibility.copy()
    vis[L.RIGHT_KNEE] = 0.1
    hidden = PoseLandmarks(pose.xy_px, vis, pose.image_size)
    image = np.full((2000, 1000, 3), 60, np.uint8)
    drawn = annotate(image, hidden, note_for(hidden))
    knee = pose.xy_px[L.LEFT_KNEE]
    assert colour_near(drawn, knee[0], knee[1], LEFT_RGB)
    right_knee = pose.xy_px[L.RIGHT_KNEE]
    assert np.all(drawn[int(right_knee[1]), int(right_knee[0])] == 60)


def test_a_long_legend_stays_inside_a_small_image():
    pose = frontal_landmarks(View.FRONT)
    image = np.full((200, 100, 3), 60, np.uint8)
    findings = [("Left knee angled outward (varus, bow-legged)", Severity.MODERATE)] * 3
    drawn = annotate(image, pose, note_for(pose, legend=findings))
    assert drawn.shape == image.shape
