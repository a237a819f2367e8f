"""Marker mode: coloured balls on the bony landmarks found and named, nothing found where there
are none, and the measurements read between them."""

import math
from dataclasses import replace

import numpy as np
import pytest

from benchmarks.markers import BALL_RGB, paste_ball, with_markers
from posture import cli
from posture.analysis import Options, locate, measure_photo
from posture.assessment.leveled import level_frame
from posture.assessment.measurements import Source, measure_leveled
from posture.assessment.views import View
from posture.errors import WarningCode
from posture.vision.landmarks import Landmark
from posture.vision.markers import MarkerColour, expected_positions, find_markers
from tests.conftest import FLOOR_Y, IMAGE_SIZE, STATURE_PX, frontal_landmarks, side_landmarks

BALL = 0.009 * STATURE_PX


def scene(pose, balls: dict, colour=(220, 20, 30)) -> tuple[np.ndarray, np.ndarray]:
    """A grey backdrop, a beige body box as the person (and its mask), balls at the given points."""
    rgb = np.full((IMAGE_SIZE[1], IMAGE_SIZE[0], 3), 90, np.uint8)
    mask = np.zeros(rgb.shape[:2], np.float32)
    x0, x1 = int(pose.xy_px[:, 0].min()) - 40, int(pose.xy_px[:, 0].max()) + 40
    y0, y1 = int(pose.xy_px[:, 1].min()) - 40, int(pose.xy_px[:, 1].max()) + 10
    rgb[y0:y1, x0:x1] = (200, 170, 140)
    mask[y0:y1, x0:x1] = 1.0
    for xy in balls.values():
        rgb = paste_ball(rgb, np.asarray(xy, float), BALL, colour)
    return rgb, mask


def protocol_points(pose, view=View.FRONT) -> dict:
    return {name: prior.xy_px + np.array([3.0, -2.0]) for name, prior in expected_positions(pose, view).items()}


def test_markers_on_the_protocol_points_are_found_named_and_centred():
    pose = frontal_landmarks()
    truth = protocol_points(pose)
    found = find_markers(*scene(pose, truth)[:1], pose, scene(pose, truth)[1], View.FRONT)
    assert found.colour is MarkerColour.RED
    assert set(found.markers) == {"acromion_left", "acromion_right", "asis_left", "asis_right"}
    for name, marker in found.markers.items():
        assert np.linalg.norm(np.array(marker.xy_px) - truth[name]) < 0.5
        assert 0.5 < marker.confidence <= 1.0


def test_in_a_mirror_image_left_and_right_markers_swap():
    pose = frontal_landmarks()
    truth = {"acromion_left": protocol_points(pose)["acromion_left"], "asis_left": protocol_points(pose)["asis_left"]}
    rgb, mask = scene(pose, truth)
    xy = pose.xy_px.copy()
    xy[:, 0] = IMAGE_SIZE[0] - 1 - xy[:, 0]
    mirrored_pose = type(pose)(xy, pose.visibility, pose.image_size).with_sides_swapped()
    found = find_markers(rgb[:, ::-1].copy(), mirrored_pose, mask[:, ::-1].copy(), View.FRONT)
    assert set(found.markers) == {"acromion_right", "asis_right"}


@pytest.mark.parametrize("colour", list(BALL_RGB))
def test_every_colour_is_found_without_being_named(colour):
    pose = frontal_landmarks()
    rgb, mask = scene(pose, protocol_points(pose), BALL_RGB[colour])
    assert find_markers(rgb, pose, mask, View.FRONT).colour is MarkerColour(colour)


def test_a_garment_of_the_markers_colour_a_lone_spot_and_missing_markers():
    pose = frontal_landmarks()
    truth = protocol_points(pose)
    rgb, mask = scene(pose, {"acromion_left": truth["acromion_left"]})  # one red spot: a logo?
    assert find_markers(rgb, pose, mask, View.FRONT).markers == {}
    assert set(find_markers(rgb, pose, mask, View.FRONT, MarkerColour.RED).markers) == {"acromion_left"}
    shirt = rgb.copy()
    shirt[700:1100, 380:620] = (210, 25, 35)  # a red shirt with its own marker-sized texture
    shirt[700:1100:30, 380:620:30] = (90, 10, 10)
    assert find_markers(shirt, pose, mask, View.FRONT, MarkerColour.RED).markers.keys() <= {"acromion_left"}
    two = {name: truth[name] for name in ("acromion_left", "acromion_right")}
    found = find_markers(*scene(pose, two)[:1], pose, scene(pose, two)[1], View.FRONT)
    assert set(found.markers) == set(two)
    assert "asis_left" in found.warnings[0].message and "front of the hip" in found.warnings[0].message


def test_orange_balls_on_tanned_skin_are_found_by_their_hue_though_close_to_it_in_overall_colour():
    """Orange balls on tanned skin differ from it by under the 40-unit overall contrast (with that
    limit alone none is found), but are far more saturated in their own hue; a dull spot of that
    hue (a mole, a freckle) is not a marker."""
    pose = frontal_landmarks()
    truth = protocol_points(pose)
    skin = (190, 120, 90)
    rgb, mask = scene(pose, truth, (250, 120, 10))
    rgb[(rgb == (200, 170, 140)).all(axis=2)] = skin
    found = find_markers(rgb, pose, mask, View.FRONT)
    assert found.colour is MarkerColour.ORANGE and set(found.markers) == set(truth)
    dull, _ = scene(pose, truth, (200, 110, 50))
    dull[(dull == (200, 170, 140)).all(axis=2)] = skin
    assert find_markers(dull, pose, mask, View.FRONT, MarkerColour.ORANGE).markers == {}


def test_blue_balls_on_a_mauve_top_stand_out_by_an_even_surface_and_not_on_a_printed_one():
    """Muted blue balls on a mauve top (colours read off a render) have too little of their own
    hue for the own-hue limit and for the overall-contrast path (under 20), but the top around
    them is even; on a print of the same colours, whose hue varies around each ball, the same
    balls are not taken."""
    pose = frontal_landmarks()
    truth = protocol_points(pose)
    plain, mask = scene(pose, {})
    plain[(plain == (200, 170, 140)).all(axis=2)] = (162, 118, 162)
    noise = np.random.default_rng(0).integers(-25, 26, size=mask.shape) * (mask > 0.5)
    printed = np.clip(plain.astype(int) + np.stack([noise, noise // 2, 0 * noise], axis=2), 0, 255).astype(np.uint8)
    for name, top in (("plain", plain), ("printed", printed)):
        for xy in truth.values():
            top = paste_ball(top, np.asarray(xy, float), BALL, (90, 117, 195))
        found = find_markers(top, pose, mask, View.FRONT)
        assert set(found.markers) == (set(truth) if name == "plain" else set()), name


def test_one_ball_between_two_points_priors_is_named_neither():
    """In a profile the acromion's and C7's priors are close: with only one ball there, halfway,
    it could be either, so it is not used (called C7, an acromion ball moved a CVA by 10 degrees);
    at the acromion's own place it is the acromion."""
    pose = side_landmarks(View.SIDE_RIGHT)
    priors = {name: prior.xy_px for name, prior in expected_positions(pose, View.SIDE_RIGHT).items()}
    others = {name: priors[name] for name in ("tragus_right", "greater_trochanter_right")}
    halfway = (priors["acromion_right"] + priors["c7"]) / 2
    rgb, mask = scene(pose, {**others, "ball": halfway})
    found = find_markers(rgb, pose, mask, View.SIDE_RIGHT)
    assert set(found.markers) == set(others)
    assert any(w.code is WarningCode.MARKER_AMBIGUOUS and "acromion_right" in w.message and "c7" in w.message
               for w in found.warnings)
    rgb, mask = scene(pose, {**others, "ball": priors["acromion_right"] + 2.0})
    at_acromion = find_markers(rgb, pose, mask, View.SIDE_RIGHT)
    assert set(at_acromion.markers) == {*others, "acromion_right"}


def test_dark_folds_on_a_dull_top_of_the_markers_hue_are_not_markers():
    """Dark specks on a dusky-red top are red by the colour limits and far from the top in
    lightness, but have no more red than it: shading, not markers (a sample render gave a C7 and
    an ASIS so)."""
    pose = frontal_landmarks()
    rgb, mask = scene(pose, protocol_points(pose), (95, 20, 25))  # dark red, flat: a fold's shadow
    rgb[(rgb == (200, 170, 140)).all(axis=2)] = (170, 95, 100)
    assert find_markers(rgb, pose, mask, View.FRONT, MarkerColour.RED).markers == {}


def test_measurements_between_markers_follow_a_known_tilt_and_say_so():
    pose = frontal_landmarks()
    left, right = np.array([330.0, 500.0]), np.array([670.0, 500.0])  # 0.2 of the height apart
    tilt = 4.0
    rise = 170.0 * math.tan(math.radians(tilt))
    markers = {"acromion_left": (right[0], right[1] - rise), "acromion_right": (left[0], left[1] + rise)}
    measured = measure_leveled(level_frame(pose, None, 0.0), View.FRONT, markers=markers)["shoulder_tilt_deg"]
    assert measured.value == pytest.approx(tilt, abs=1e-6)  # + = the subject's left higher
    assert measured.source is Source.MARKERS and "acromion_left" in measured.method
    assert 0.5 < measured.uncertainty < 2.0
    landmark_only = measure_leveled(level_frame(pose, None, 0.0), View.FRONT)["shoulder_tilt_deg"]
    assert landmark_only.source is Source.LANDMARKS


def test_the_cli_offers_exactly_the_detectors_colours():
    assert tuple(c.value for c in MarkerColour) == cli.MARKER_COLOURS


def test_street_photos_give_no_marker_and_pasted_balls_are_found(shared_front_photos, estimator):
    rng = np.random.default_rng(1)
    for path in shared_front_photos[:4]:
        located = locate(str(path), estimator, Options(level=False))
        assert located.markers == {}, path.name
        image, truth = with_markers(located, "green", rng)
        found = find_markers(image, located.landmarks, located.person_mask, located.view).markers
        assert len(set(found) & set(truth)) >= 3 and set(found) <= set(truth), path.name
        if {"acromion_left", "acromion_right"} <= set(found):
            shoulders = measure_photo(replace(located, markers=found), Options()).measurements["shoulder_tilt_deg"]
            assert shoulders.source is Source.MARKERS


def test_forward_head_from_c7_and_tragus_markers_is_a_finding_not_capped():
    from posture.assessment.classifier import CombinedMeasurement, Status, classify
    from posture.assessment.measurements import Measurement

    cva = Measurement("craniovertebral_angle_deg", "deg", "", 38.0, 1.0, ("c7", "tragus_right"), "markers",
                      source=Source.MARKERS)
    found = {f.id: f for f in classify({cva.id: CombinedMeasurement(cva, ("side.jpg",))})}
    assert found["forward_head"].status is Status.PRESENT and found["forward_head"].confidence > 0.9
    proxy = replace(cva, source=Source.CALIBRATED)
    capped = {f.id: f for f in classify({cva.id: CombinedMeasurement(proxy, ("side.jpg",))})}
    assert capped["forward_head"].status is Status.CANT_TELL


PLUMB_AHEAD = {"tragus": 34.0, "acromion": -17.0, "greater_trochanter": 8.5, "knee_lateral": -25.5}  # px, 1700 px tall
PLUMB_IDS = {"tragus": "plumb_ear_pct", "acromion": "plumb_shoulder_pct", "greater_trochanter": "plumb_hip_pct",
             "knee_lateral": "plumb_knee_pct"}


def _side_markers(view: View, skip: tuple[str, ...] = ()) -> dict[str, tuple[float, float]]:
    """The outer ankle bone marker and, above it, the markers the plumb offsets read, each the
    given pixels in front of it (toward where the person faces)."""
    side = "right" if view is View.SIDE_RIGHT else "left"
    heights = {"tragus": 0.925, "acromion": 0.818, "greater_trochanter": 0.52, "knee_lateral": 0.285}
    malleolus = (480.0, FLOOR_Y - 0.04 * STATURE_PX)
    markers = {f"malleolus_lateral_{side}": malleolus}
    markers.update({f"{name}_{side}": (malleolus[0] + view.facing_x * ahead, FLOOR_Y - heights[name] * STATURE_PX)
                    for name, ahead in PLUMB_AHEAD.items() if name not in skip})
    return markers


@pytest.mark.parametrize("view", [View.SIDE_RIGHT, View.SIDE_LEFT])
def test_plumb_offsets_between_markers_are_the_known_offsets_in_percent_of_the_height(view):
    pose = side_landmarks(view)
    markers = _side_markers(view)
    measured = measure_leveled(level_frame(pose, None, 0.0), view, height_cm=170.0, markers=markers)
    for name, ahead in PLUMB_AHEAD.items():
        m = measured[PLUMB_IDS[name]]
        assert m.value == pytest.approx(100.0 * ahead / STATURE_PX, abs=1e-9)  # + = in front of the plumb line
        assert m.length_cm == pytest.approx(ahead / STATURE_PX * 170.0, abs=1e-9)
        assert m.source is Source.MARKERS and m.landmarks == (next(iter(markers)), f"{name}_{view.value[5:]}")
        assert "malleolus_lateral" in m.method and name in m.method
        # Two markers placed within 0.3% of the height each, and 1% of the height's estimate of the offset.
        assert m.uncertainty == pytest.approx(math.hypot(math.sqrt(2) * 0.3, 0.01 * m.value), rel=1e-3)
        rise = markers[m.landmarks[0]][1] - markers[m.landmarks[1]][1]
        assert abs(m.roll_slope) == pytest.approx(100.0 * rise * math.radians(1.0) / STATURE_PX, rel=0.01)


def test_a_missing_marker_leaves_the_pose_models_plumb_offset_and_no_height_scale_no_marker_offset():
    pose, view = side_landmarks(View.SIDE_RIGHT, ear_ahead_px=20.0), View.SIDE_RIGHT
    bare = measure_leveled(level_frame(pose, None, 0.0), view)
    measured = measure_leveled(level_frame(pose, None, 0.0), view, markers=_side_markers(view, skip=("acromion",)))
    assert measured["plumb_shoulder_pct"] == bare["plumb_shoulder_pct"]
    assert measured["plumb_shoulder_pct"].source is Source.LANDMARKS
    assert {mid for mid in PLUMB_IDS.values() if measured[mid].source is Source.MARKERS} == {
        "plumb_ear_pct", "plumb_hip_pct", "plumb_knee_pct"}
    without_malleolus = {k: v for k, v in _side_markers(view).items() if not k.startswith("malleolus")}
    assert measure_leveled(level_frame(pose, None, 0.0), view, markers=without_malleolus) == bare
    feet = [lm for lm in Landmark if lm.name.endswith(("HEEL", "FOOT_INDEX"))]
    feet_out = type(pose)(pose.xy_px, np.where(np.isin(np.arange(len(Landmark)), feet), 0.1, pose.visibility),
                          pose.image_size)  # heels and toes unseen: no true height scale
    no_scale = measure_leveled(level_frame(feet_out, None, 0.0), view, markers=_side_markers(view))
    assert all(no_scale[mid].value is None and no_scale[mid].source is Source.LANDMARKS for mid in PLUMB_IDS.values())
