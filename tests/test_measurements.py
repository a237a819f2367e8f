"""Measurements on made-up skeletons with known posture, in every view."""

import numpy as np
import pytest

from posture.assessment.measurements import PelvisMarkers, Source, measure
from posture.assessment.silhouette import silhouette_profile
from posture.assessment.views import View
from posture.vision.landmarks import Landmark as L
from posture.vision.landmarks import PoseLandmarks
from tests.conftest import STATURE_PX, frontal_landmarks, side_landmarks

FRONTAL_VIEWS = [View.FRONT, View.BACK]


@pytest.mark.parametrize("view", FRONTAL_VIEWS)
@pytest.mark.parametrize("tilt", [-4.0, -1.0, 0.0, 2.5, 6.0])
def test_tilts_read_the_subjects_left_higher_as_positive_in_both_views(view, tilt):
    m = measure(frontal_landmarks(view, shoulder_tilt_deg=tilt, hip_tilt_deg=-tilt, ear_tilt_deg=tilt / 2), view)
    assert m["shoulder_tilt_deg"].value == pytest.approx(tilt, abs=1e-6)
    assert m["hip_tilt_deg"].value == pytest.approx(-tilt, abs=1e-6)
    assert m["head_tilt_deg"].value == pytest.approx(tilt / 2, abs=1e-6)


@pytest.mark.parametrize("view", FRONTAL_VIEWS)
def test_straight_body_reads_zero_lean_shift_and_knee_angle(view):
    m = measure(frontal_landmarks(view), view)
    for mid in ("lateral_trunk_lean_deg", "weight_shift_pct", "left_knee_valgus_deg", "right_knee_valgus_deg"):
        assert m[mid].value == pytest.approx(0.0, abs=1e-6), mid


@pytest.mark.parametrize("view", FRONTAL_VIEWS)
def test_knees_toward_the_midline_read_as_valgus_on_the_right_leg(view):
    # Left knee 30 px toward the midline (valgus), right knee 30 px away from it (varus).
    m = measure(frontal_landmarks(view, knee_shift_px=(30.0, -30.0)), view)
    assert m["left_knee_valgus_deg"].value > 5
    assert m["right_knee_valgus_deg"].value < -5
    assert m["left_knee_valgus_deg"].value == pytest.approx(-m["right_knee_valgus_deg"].value)


def test_trunk_lean_toward_the_subjects_left_is_positive():
    pose = frontal_landmarks(View.FRONT)
    xy = pose.xy_px.copy()
    xy[[L.LEFT_SHOULDER, L.RIGHT_SHOULDER], 0] += 40  # front view: the subject's left is +x
    m = measure(PoseLandmarks(xy, pose.visibility, pose.image_size), View.FRONT)
    assert m["lateral_trunk_lean_deg"].value > 3


def test_height_in_cm_gives_the_rise_of_the_left_side():
    m = measure(frontal_landmarks(View.FRONT, shoulder_tilt_deg=3.0), View.FRONT, height_cm=170.0)
    half_width_cm = 0.10 * 170.0
    expected = 2 * half_width_cm * np.tan(np.radians(3.0))
    assert m["shoulder_tilt_deg"].length_cm == pytest.approx(expected, rel=1e-6)


def test_hidden_landmarks_make_measurements_not_measurable_with_the_reason():
    pose = frontal_landmarks(View.FRONT)
    vis = pose.visibility.copy()
    vis[L.LEFT_HIP] = 0.1
    m = measure(PoseLandmarks(pose.xy_px, vis, pose.image_size), View.FRONT)
    assert m["hip_tilt_deg"].value is None
    assert "left_hip" in m["hip_tilt_deg"].reason
    assert m["shoulder_tilt_deg"].value is not None


def test_feet_outside_the_photo_remove_lengths_but_keep_angles():
    pose = frontal_landmarks(View.FRONT)
    xy = pose.xy_px.copy()
    xy[[L.LEFT_HEEL, L.RIGHT_HEEL, L.LEFT_FOOT_INDEX, L.RIGHT_FOOT_INDEX, L.LEFT_ANKLE, L.RIGHT_ANKLE], 1] = 2100
    m = measure(PoseLandmarks(xy, pose.visibility, pose.image_size), View.FRONT)
    assert m["weight_shift_pct"].value is None
    assert m["shoulder_tilt_deg"].value is not None


def test_head_tilt_falls_back_to_the_eyes_when_an_ear_is_hidden():
    pose = frontal_landmarks(View.FRONT, ear_tilt_deg=5.0)
    vis = pose.visibility.copy()
    vis[L.RIGHT_EAR] = 0.2
    m = measure(PoseLandmarks(pose.xy_px, vis, pose.image_size), View.FRONT)
    assert m["head_tilt_deg"].landmarks == ("left_eye_outer", "right_eye_outer")
    assert m["head_tilt_deg"].value == pytest.approx(0.0, abs=1e-6)


def test_uncertainty_grows_when_the_model_is_less_sure():
    sure = measure(frontal_landmarks(View.FRONT, visibility=0.99), View.FRONT)
    unsure = measure(frontal_landmarks(View.FRONT, visibility=0.6), View.FRONT)
    assert unsure["hip_tilt_deg"].uncertainty > sure["hip_tilt_deg"].uncertainty > 0
    # Hip joints sit closer together than shoulders, so the same point noise tilts their line more.
    assert sure["hip_tilt_deg"].uncertainty > sure["shoulder_tilt_deg"].uncertainty


@pytest.mark.parametrize("view", [View.SIDE_LEFT, View.SIDE_RIGHT])
def test_side_offsets_are_positive_forward_whichever_way_the_subject_faces(view):
    m = measure(side_landmarks(view, ear_ahead_px=85.0, shoulder_ahead_px=51.0, knee_back_px=17.0), view)
    assert m["ear_ahead_of_shoulder_pct"].value == pytest.approx(100 * 34 / STATURE_PX)
    assert m["shoulder_ahead_of_hip_pct"].value == pytest.approx(100 * 51 / STATURE_PX)
    assert m["plumb_ear_pct"].value == pytest.approx(100 * 85 / STATURE_PX)
    assert m["plumb_knee_pct"].value == pytest.approx(-100 * 17 / STATURE_PX)
    assert m["knee_hyperextension_deg"].value > 0
    assert m["sagittal_trunk_lean_deg"].value > 0


@pytest.mark.parametrize("view", [View.SIDE_LEFT, View.SIDE_RIGHT])
def test_side_measurements_read_the_side_facing_the_camera(view):
    m = measure(side_landmarks(view), view)
    near = "right" if view is View.SIDE_RIGHT else "left"
    assert m["craniovertebral_angle_deg"].landmarks == (f"{near}_ear", f"{near}_shoulder")


@pytest.mark.parametrize("view", [View.SIDE_LEFT, View.SIDE_RIGHT])
def test_cva_falls_as_the_head_moves_forward(view):
    upright = measure(side_landmarks(view), view)["craniovertebral_angle_deg"].value
    forward = measure(side_landmarks(view, ear_ahead_px=120.0), view)["craniovertebral_angle_deg"].value
    # Ear above the shoulder: the proxy gives ~52 deg by construction (see measurement_model.json).
    assert 48 < upright < 56
    assert forward < upright - 10


def test_exact_pelvic_tilt_from_asis_and_psis():
    # Facing +x: ASIS ahead (+x) and 10 deg lower than PSIS = 10 deg anterior.
    psis = (400.0, 1000.0)
    asis = (400.0 + 200.0, 1000.0 + 200.0 * np.tan(np.radians(10.0)))
    markers = PelvisMarkers(asis=asis, psis=psis)
    m = measure(side_landmarks(View.SIDE_RIGHT), View.SIDE_RIGHT, markers=markers)["pelvic_tilt_deg"]
    assert m.value == pytest.approx(10.0)
    assert m.source is Source.MARKERS and "asis_right" in m.method
    # The same markers seen from the other side (mirrored x) give the same tilt.
    mirrored = PelvisMarkers(asis=(1000 - asis[0], asis[1]), psis=(1000 - psis[0], psis[1]))
    m2 = measure(side_landmarks(View.SIDE_LEFT), View.SIDE_LEFT, markers=mirrored)["pelvic_tilt_deg"]
    assert m2.value == pytest.approx(10.0)


def test_back_contour_inclination_follows_the_buttock_profile():
    """A drawn profile facing +x: a deeper lumbar hollow and a rounder buttock tilt the line more."""
    def profile(hollow_px: int, buttock_px: int) -> np.ndarray:
        mask = np.zeros((400, 300), dtype=np.float32)
        for row in range(400):
            back = 100
            if 120 <= row < 200:  # lumbar hollow above the hip (hip at row 200)
                back = 100 + hollow_px * (1 - abs(row - 160) / 40)
            if 200 <= row < 260:  # buttock around the hip level
                back = 100 - buttock_px * (1 - abs(row - 230) / 30)
            mask[row, int(back):220] = 1.0
        return mask

    shoulder, hip = np.array([160.0, 20.0]), np.array([160.0, 200.0])
    flat = silhouette_profile(profile(2, 2), (300, 400), shoulder, hip, 1).inclination_deg
    curved_profile = silhouette_profile(profile(20, 25), (300, 400), shoulder, hip, 1)
    curved = curved_profile.inclination_deg
    assert curved_profile.buttock_behind_hip_px == pytest.approx(85, abs=3)  # hip x 160, edge near x 75
    assert curved > flat + 10
    mirrored = silhouette_profile(profile(20, 25)[:, ::-1], (300, 400), np.array([139.0, 20.0]),
                                  np.array([139.0, 200.0]), -1).inclination_deg
    assert mirrored == pytest.approx(curved, abs=1.0)


def test_marker_free_pelvic_tilt_without_a_mask_is_not_measurable():
    m = measure(side_landmarks(View.SIDE_RIGHT), View.SIDE_RIGHT)["pelvic_tilt_deg"]
    assert m.value is None
    assert "outline" in m.reason


@pytest.mark.parametrize("view", list(View))
@pytest.mark.parametrize("roll", [-4.0, 2.5])
def test_a_known_camera_roll_is_undone_for_every_measurement(view, roll):
    pose = frontal_landmarks(view, shoulder_tilt_deg=2.0) if view.is_frontal else side_landmarks(view, 40.0, 20.0)
    level = measure(pose, view)
    rolled = measure(pose.rotated(roll), view, camera_roll_deg=roll)
    for mid, m in level.items():
        if m.measured:
            assert rolled[mid].value == pytest.approx(m.value, abs=1e-6), mid
    if view.is_frontal:  # without the correction the roll adds to every tilt
        unlevelled = measure(pose.rotated(roll), view)["shoulder_tilt_deg"].value
        assert unlevelled == pytest.approx(2.0 + roll * view.subject_left_x)


@pytest.mark.parametrize("view", [View.SIDE_LEFT, View.SIDE_RIGHT])
def test_a_camera_roll_is_undone_for_clicked_pelvis_markers(view):
    facing = view.facing_x
    psis = np.array([500.0 - facing * 100, 1000.0])
    asis = np.array([500.0 + facing * 100, 1000.0 + 200 * np.tan(np.radians(12.0))])
    angle = np.radians(3.0)  # the same points seen by a camera rolled 3 deg counter-clockwise
    turn = np.array([[np.cos(angle), np.sin(angle)], [-np.sin(angle), np.cos(angle)]])
    centre = np.array([500.0, 1000.0])
    rolled = [tuple((p - centre) @ turn.T + centre) for p in (asis, psis)]
    m = measure(side_landmarks(view), view, markers=PelvisMarkers(*rolled), camera_roll_deg=3.0)
    assert m["pelvic_tilt_deg"].value == pytest.approx(12.0, abs=1e-6)


def test_the_pelvis_outline_reads_a_raised_side_and_mirrors_exactly():
    from posture.assessment.silhouette import PELVIS_GRID, mirror_difference

    size = (400, 600)
    hips = (np.array([230.0, 350.0]), np.array([170.0, 350.0]))  # subject's left on the image's right
    torso = 200.0

    def body(left_waist_y: int, right_waist_y: int) -> np.ndarray:
        """A torso with a waist notch on each side at the given rows (subject's left = image right)."""
        mask = np.zeros(size[::-1], np.float32)
        mask[100:560, 150:250] = 1.0  # symmetric about the hips' midpoint, x = 200
        mask[left_waist_y - 15:left_waist_y + 15, 234:250] = 0.0
        mask[right_waist_y - 15:right_waist_y + 15, 150:166] = 0.0
        return mask

    level = mirror_difference(body(300, 300), size, PELVIS_GRID, *hips, torso)
    assert level is not None and len(level) == PELVIS_GRID.size
    assert np.allclose(level, 0.0)
    raised = mirror_difference(body(300, 340), size, PELVIS_GRID, *hips, torso)
    grid = raised.reshape(len(PELVIS_GRID.down), len(PELVIS_GRID.across))
    # Rows between the two notches: the left is cut away there (-1), the right still body.
    rows_between = (350 + PELVIS_GRID.down * torso > 287) & (350 + PELVIS_GRID.down * torso < 313)
    assert grid[rows_between].min() == pytest.approx(-1.0)
    # The mirrored photo shows a person whose left hip is the original's right one, mirrored.
    mirrored_left, mirrored_right = (np.array([size[0] - p[0], p[1]]) for p in hips[::-1])
    mirrored = mirror_difference(body(300, 340)[:, ::-1], size, PELVIS_GRID, mirrored_left, mirrored_right, torso)
    assert np.allclose(mirrored, -raised)
    # A mask at half the photo's resolution is sampled at the same body points.
    half = mirror_difference(body(300, 340)[::2, ::2], size, PELVIS_GRID, *hips, torso)
    assert np.mean(np.abs(half - raised)) < 0.05


def test_the_side_profile_faces_forward_whichever_way_the_person_faces():
    from posture.assessment.silhouette import NECK_GRID, side_profile

    size = (400, 600)
    mask = np.zeros(size[::-1], np.float32)
    mask[100:500, 180:230] = 1.0
    mask[60:140, 230:260] = 1.0  # the head, ahead of the neck toward +x
    anchor = np.array([205.0, 200.0])
    facing_right = side_profile(mask, size, NECK_GRID, anchor, 200.0, facing_x=1)
    facing_left = side_profile(mask[:, ::-1], size, NECK_GRID, np.array([size[0] - 205.0, 200.0]), 200.0, facing_x=-1)
    assert np.allclose(facing_right, facing_left)
    grid = facing_right.reshape(len(NECK_GRID.down), len(NECK_GRID.across))
    head_row = np.argmin(np.abs(200 + NECK_GRID.down * 200 - 100))
    assert grid[head_row, NECK_GRID.across > 0.15].max() == pytest.approx(1.0)  # ahead: the head
    assert grid[head_row, NECK_GRID.across < -0.15].max() == 0.0  # behind the head: background
