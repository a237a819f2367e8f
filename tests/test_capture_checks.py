"""Warnings about how the photo was taken, on made-up skeletons."""

import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from posture.analysis import Options, locate
from posture.assessment.capture_checks import check_capture
from posture.assessment.views import View, detect_view
from posture.vision.landmarks import Landmark as L
from posture.vision.landmarks import PoseLandmarks
from tests.conftest import FLOOR_Y, STATURE_PX, frontal_landmarks, side_landmarks, turned_landmarks

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
SIDE_SAMPLES = sorted(SAMPLES.glob("*/side_*.jpg"))


def warnings(pose: PoseLandmarks, view: View = View.FRONT, given: View | None = None) -> dict[str, str]:
    return {w.code.value: w.message for w in check_capture(pose, view, detect_view(pose), given, 0.5)}


def codes(pose: PoseLandmarks, view: View = View.FRONT, given: View | None = None) -> set[str]:
    return set(warnings(pose, view, given))


def with_points(pose: PoseLandmarks, **moves) -> PoseLandmarks:
    xy = pose.xy_px.copy()
    for name, point in moves.items():
        xy[L[name.upper()]] = point
    return PoseLandmarks(xy, pose.visibility, pose.image_size, depth_px=pose.depth_px)


def test_a_well_taken_photo_has_no_warnings():
    assert codes(frontal_landmarks()) == set()


@pytest.mark.parametrize(("turn", "warned"), [(0.0, False), (10.0, False), (15.0, False), (-15.0, False),
                                             (25.0, True), (-25.0, True), (35.0, True)])
def test_a_body_turned_from_the_camera_is_flagged(turn, warned):
    warnings = check_capture(turned_landmarks(turn), View.FRONT, detect_view(turned_landmarks(turn), 0.95), None, 0.5)
    turned = [w for w in warnings if w.code.value == "turned_from_camera"]
    assert bool(turned) is warned
    if warned:
        assert f"about {abs(turn):.0f} ±" in turned[0].message


def test_sitting_is_flagged():
    pose = frontal_landmarks()
    knee_y = pose.xy_px[L.LEFT_HIP, 1] + 40  # thighs pointing at the camera, barely dropping
    seated = with_points(pose, left_knee=(pose.xy_px[L.LEFT_KNEE, 0], knee_y),
                         right_knee=(pose.xy_px[L.RIGHT_KNEE, 0], knee_y))
    assert "sitting" in codes(seated)


def test_crossed_arms_are_flagged():
    pose = frontal_landmarks()
    chest_y = pose.xy_px[L.LEFT_ELBOW, 1]
    crossed = with_points(pose, left_wrist=(480.0, chest_y), right_wrist=(520.0, chest_y))
    assert "arms_not_hanging" in codes(crossed)


def _arm_at(pose: PoseLandmarks, side: str, from_vertical_deg: float, elbow_bend_deg: float) -> PoseLandmarks:
    """The arm of `side` at a known angle from vertical (outward) and a known bend at the elbow."""
    shoulder = pose.xy_px[L[f"{side.upper()}_SHOULDER"]]
    outward = 1.0 if shoulder[0] > pose.xy_px[L.NOSE, 0] else -1.0
    length = 150.0
    upper = math.radians(from_vertical_deg)
    elbow = shoulder + length * np.array([outward * math.sin(upper), math.cos(upper)])
    fore = upper - math.radians(elbow_bend_deg)  # the forearm swings in toward the body
    wrist = elbow + length * np.array([outward * math.sin(fore), math.cos(fore)])
    return with_points(pose, **{f"{side}_elbow": tuple(elbow), f"{side}_wrist": tuple(wrist)})


@pytest.mark.parametrize(("side", "from_vertical", "bend", "warned"), [
    ("left", 8.0, 12.0, False),  # hanging, with the elbow's carrying angle
    ("right", 20.0, 25.0, False),
    ("left", 10.0, 90.0, True),  # a hand on the hip
    ("right", 5.0, 150.0, True),  # a hand at the face or on a shoulder strap
    ("right", 40.0, 10.0, True),  # an arm held out
])
def test_an_arm_that_does_not_hang_by_the_side_is_flagged(side, from_vertical, bend, warned):
    pose = _arm_at(frontal_landmarks(), side, from_vertical, bend)
    assert ("arms_not_hanging" in codes(pose)) is warned
    mirrored = PoseLandmarks(pose.xy_px * [-1, 1] + [pose.image_size[0], 0], pose.visibility, pose.image_size)
    assert ("arms_not_hanging" in codes(mirrored.with_sides_swapped())) is warned


def test_a_cut_off_body_and_a_wrong_view_are_flagged():
    pose = frontal_landmarks()
    cut = with_points(pose, left_ankle=(450.0, 2050.0), right_ankle=(550.0, 2050.0))
    assert "body_cut_off" in codes(cut)
    assert "view_mismatch" in codes(pose, View.SIDE_LEFT, given=View.SIDE_LEFT)


@pytest.mark.parametrize("view", [View.SIDE_RIGHT, View.SIDE_LEFT])
def test_in_a_profile_the_far_leg_hidden_behind_the_near_one_is_not_cut_off(view):
    assert "body_cut_off" not in codes(side_landmarks(view, far_visibility=0.05), view)


@pytest.mark.parametrize("view", [View.SIDE_RIGHT, View.SIDE_LEFT])
def test_in_a_profile_a_hidden_near_knee_is_flagged_with_how_to_retake(view):
    profile = side_landmarks(view, far_visibility=0.05)
    near_knee = L.RIGHT_KNEE if view is View.SIDE_RIGHT else L.LEFT_KNEE
    visibility = profile.visibility.copy()
    visibility[near_knee] = 0.1
    hidden = PoseLandmarks(profile.xy_px, visibility, profile.image_size)
    message = warnings(hidden, view)["body_cut_off"]
    assert f"hidden ({near_knee.key.replace('_', ' ')})" in message and "nothing covers" in message


@pytest.mark.parametrize("view", [View.FRONT, View.SIDE_RIGHT])
def test_feet_outside_the_frame_are_cut_off_whatever_the_view(view):
    pose = frontal_landmarks(view) if view.is_frontal else side_landmarks(view, far_visibility=0.05)
    above_the_ankles = round(FLOOR_Y - 0.06 * STATURE_PX)
    cropped = PoseLandmarks(pose.xy_px, pose.visibility, (pose.image_size[0], above_the_ankles))
    message = warnings(cropped, view)["body_cut_off"]
    assert "cut off by the edge of the photo" in message and "ankle" in message and "step back" in message


@pytest.mark.parametrize("photo", SIDE_SAMPLES, ids=lambda p: p.parent.name)
def test_the_side_samples_have_no_cut_off_warning(photo, replay):
    located = locate(str(photo), replay, Options())
    assert located.is_side
    assert "body_cut_off" not in {w.code.value for w in located.warnings}


def test_a_side_sample_with_its_feet_cropped_off_is_cut_off(estimator, tmp_path):
    photo = Image.open(SAMPLES / "neutral" / "side_right.jpg")
    cropped = tmp_path / "no_feet.jpg"
    photo.crop((0, 0, photo.width, int(photo.height * 0.85))).save(cropped)
    located = locate(str(cropped), estimator, Options())
    assert located.is_side
    message = {w.code.value: w.message for w in located.warnings}["body_cut_off"]
    assert "cut off by the edge of the photo (right ankle, right heel)" in message
