"""View detection, the body's turn and the left/right relabelling of frontal views: known geometry,
mirror images, and the real models on real photos and renders."""

import json
from dataclasses import replace

import numpy as np
import pytest

from posture.analysis import LocatedPhoto, Options, locate_in
from posture.assessment.measurements import measure
from posture.assessment.views import View, body_yaw, detect_view, orient_sides
from posture.vision.image_io import Photo, load_photo
from posture.vision.landmarks import PoseLandmarks
from tests.conftest import REPO, frontal_landmarks, side_landmarks, turned_landmarks

SYNTH = REPO / "tests" / "data" / "synth"


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


@pytest.mark.parametrize("view", [View.FRONT, View.BACK])
@pytest.mark.parametrize("turn", [-40.0, -25.0, -10.0, 0.0, 5.0, 20.0, 35.0])
def test_the_turn_is_read_back_at_known_angles(view, turn):
    # A body turned by a known angle, seen by a pitched camera, depth in BlazePose's own scale.
    yaw = body_yaw(turned_landmarks(turn, view))
    assert yaw.deg == pytest.approx(turn, abs=0.5)
    assert 2.0 < yaw.sd_deg < 5.0


def test_a_mirror_image_turns_the_other_way_by_as_much():
    pose = turned_landmarks(25.0)
    mirrored = PoseLandmarks(np.column_stack([pose.image_size[0] - pose.xy_px[:, 0], pose.xy_px[:, 1]]),
                             pose.visibility, pose.image_size, depth_px=pose.depth_px)
    # The mirror shows the subject's left where the right was: BlazePose would label it so.
    relabelled = mirrored.with_sides_swapped()
    assert body_yaw(relabelled).deg == pytest.approx(-body_yaw(pose).deg, abs=1e-6)
    assert detect_view(relabelled, 0.9) == detect_view(pose, 0.9)


@pytest.mark.parametrize("turn, view", [(0.0, View.FRONT), (30.0, View.FRONT), (60.0, View.SIDE_RIGHT),
                                        (-60.0, View.SIDE_LEFT), (85.0, View.SIDE_RIGHT)])
def test_a_turn_past_45_degrees_is_a_profile(turn, view):
    assert detect_view(turned_landmarks(turn), 0.9).view is view


def test_the_confidence_is_high_when_the_cues_agree_and_low_when_they_do_not():
    square = turned_landmarks(0.0)
    assert detect_view(square, 0.95).confidence > 0.99  # a face, BlazePose facing the camera, square
    assert detect_view(turned_landmarks(0.0, View.BACK), 0.0).view is View.BACK
    assert detect_view(turned_landmarks(0.0, View.BACK), 0.0).confidence > 0.99
    # No face where BlazePose sees one toward the camera: a coin toss, not a confident back view.
    assert detect_view(square, 0.0).confidence < 0.6
    # Turned half-way to a profile: frontal or profile is a coin toss.
    assert detect_view(turned_landmarks(45.0), 0.95).confidence < 0.7
    # No face check (the live preview): BlazePose's own facing only, below two agreeing models.
    assert 0.9 < detect_view(square).confidence < detect_view(square, 0.95).confidence
    # A turn of 30 degrees is still clearly frontal and clearly a front.
    assert detect_view(turned_landmarks(30.0), 0.95).confidence > 0.95


# The real models on real photos and renders.
LABELS = json.loads((REPO / "tests" / "data" / "views" / "front_labels.json").read_text())


def locate_photo(photo: Photo, name: str, estimator) -> LocatedPhoto:
    return locate_in(photo, name, estimator, Options(level=False))


def mirrored(photo: Photo) -> Photo:
    return replace(photo, rgb=np.ascontiguousarray(photo.rgb[:, ::-1]))


def test_real_people_facing_the_camera_are_fronts_and_none_is_turned(shared_front_photos, estimator):
    # By-eye labels (tests/data/views/front_labels.json): all face the camera, none turned 20 deg.
    assert {p.stem for p in shared_front_photos} == {k for k in LABELS if not k.startswith("_")}
    for path in shared_front_photos:
        located = locate_photo(load_photo(path), path.name, estimator)
        codes = {w.code.value for w in located.warnings}
        assert located.view is View(LABELS[path.stem]["view"]) and located.view_confidence > 0.9, path.name
        assert not codes & {"turned_from_camera", "view_uncertain"}, path.name
        assert abs(body_yaw(located.landmarks).deg) < 15.0, path.name


@pytest.mark.parametrize("render", ["left_hip_high_6.back", "right_shoulder_high.back",
                                    "knee_valgus.side_left", "neutral.side_right"])
def test_renders_seen_from_the_back_and_in_profile_are_told_apart(render, estimator):
    path = SYNTH / f"{render}.jpg"
    truth = json.loads((SYNTH / f"{render}.truth.json").read_text())["spec"]["camera"]
    located = locate_photo(load_photo(path), path.name, estimator)
    assert located.view is View(truth["view"]) and located.view_confidence > 0.9
    if located.view.is_frontal:
        assert body_yaw(located.landmarks).deg == pytest.approx(truth["subject_yaw_deg"], abs=4.0)


def _mirror_check(photo: Photo, estimator) -> None:
    plain, flipped = locate_photo(photo, "plain", estimator), locate_photo(mirrored(photo), "mirrored", estimator)
    assert flipped.view is plain.view
    assert flipped.view_confidence == pytest.approx(plain.view_confidence, abs=0.02)
    assert body_yaw(flipped.landmarks).deg == pytest.approx(-body_yaw(plain.landmarks).deg, abs=2.0)


def test_a_mirrored_render_gives_the_same_view_and_the_opposite_turn(estimator):
    _mirror_check(load_photo(REPO / "samples" / "high_left_hip" / "front.jpg"), estimator)


def test_a_mirrored_street_photo_gives_the_same_view_and_the_opposite_turn(shared_front_photos, estimator):
    by_name = {p.stem: p for p in shared_front_photos}
    _mirror_check(load_photo(by_name["ccp_0128"]), estimator)  # the most turned of the twelve by depth
