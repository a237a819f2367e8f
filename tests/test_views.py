"""View detection and the left/right relabelling of frontal views."""

import pytest

from posture.assessment.measurements import measure
from posture.assessment.views import View, detect_view, orient_sides
from tests.conftest import frontal_landmarks, side_landmarks


@pytest.mark.parametrize("view", list(View))
def test_each_view_is_recognised(view):
    pose = frontal_landmarks(view) if view.is_frontal else side_landmarks(view)
    estimate = detect_view(pose)
    assert estimate.view is view
    assert estimate.confidence > 0.6


@pytest.mark.parametrize("view", [View.FRONT, View.BACK])
def test_labels_that_contradict_the_view_are_swapped_so_the_left_stays_the_left(view):
    # A back view labelled the way BlazePose labels a person facing the camera:
    mislabelled = frontal_landmarks(View.FRONT if view is View.BACK else View.BACK, shoulder_tilt_deg=3.0)
    fixed, warnings = orient_sides(mislabelled, view)
    assert [w.code.value for w in warnings] == ["sides_relabelled"]
    # The model's "left" shoulder (3 deg higher) was really the subject's right one.
    assert measure(fixed, view)["shoulder_tilt_deg"].value == pytest.approx(-3.0)


def test_consistent_labels_are_left_alone():
    pose = frontal_landmarks(View.FRONT)
    same, warnings = orient_sides(pose, View.FRONT)
    assert same is pose and warnings == ()
