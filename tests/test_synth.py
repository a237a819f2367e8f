"""The synthetic generator's ground-truth maths. Camera and spec maths run everywhere; posing the
body needs the synth extra (torch, anny) and skips with a reason without it."""

import importlib.util
import json
import math
from pathlib import Path

import numpy as np
import pytest

from posture.synth.camera import make_camera
from posture.synth.spec import Camera, Posture, RenderSpec
from posture.vision.leveling import _lean_deg

SYNTH = Path(__file__).parent / "data" / "synth"


def test_a_point_on_the_optical_axis_projects_to_the_image_centre():
    camera = make_camera(Camera(distance_m=3.0, height_m=1.0), stature_m=1.75)
    assert camera.project(np.array([0.0, 2.0, 1.0])) == pytest.approx([360.0, 640.0])
    # The subject's left (+x) is on the image's right; up is up.
    assert camera.project(np.array([0.2, 0.0, 1.0]))[0] > 360
    assert camera.project(np.array([0.0, 0.0, 1.5]))[1] < 640


@pytest.mark.parametrize("roll", [-4.0, 2.5])
def test_a_rolled_camera_turns_verticals_counter_clockwise_by_the_roll(roll):
    camera = make_camera(Camera(roll_deg=roll), stature_m=1.75)
    top, bottom = camera.project(np.array([[0.5, 1.0, 1.8], [0.5, 1.0, 0.2]]))
    # The product's convention: + = the photo rotated counter-clockwise on screen.
    assert _lean_deg(np.array([[*top, *bottom]]))[0] == pytest.approx(roll, abs=1e-6)


def test_specs_survive_a_json_round_trip():
    spec = RenderSpec("x", Posture(pelvic_obliquity_deg=3.0), camera=Camera(view="side_left", roll_deg=1.5))
    assert RenderSpec.from_json(json.loads(json.dumps(spec.to_json()))) == spec


def test_the_committed_truth_matches_the_posture_it_was_rendered_with():
    """A pelvis rotated 6 deg about the front-back axis draws a 6 deg hip line in a front view."""
    truth = json.loads((SYNTH / "left_hip_high_6.front.truth.json").read_text())
    assert truth["measurements"]["hip_tilt_deg"] == pytest.approx(6.0, abs=0.3)
    neutral = json.loads((SYNTH / "neutral.front.truth.json").read_text())
    for mid in ("hip_tilt_deg", "shoulder_tilt_deg", "head_tilt_deg", "lateral_trunk_lean_deg"):
        assert neutral["measurements"][mid] == pytest.approx(0.0, abs=0.5), mid
    rolled = json.loads((SYNTH / "left_hip_high_6.front.roll-3.truth.json").read_text())
    assert rolled["measurements"]["hip_tilt_deg"] == pytest.approx(6.0, abs=0.3)  # against the true vertical


needs_anny = pytest.mark.skipif(
    importlib.util.find_spec("anny") is None or importlib.util.find_spec("torch") is None,
    reason="the synth extra (torch, anny) is not installed: scripts/setup-synth",
)


@pytest.fixture(scope="module")
def body_model():
    from posture.synth.body import BodyModel

    return BodyModel()


def pose(body_model, view="front", **posture):
    phenotype = {k: 0.5 for k in ("gender", "age", "muscle", "weight", "height", "proportions")}
    return body_model.pose(Posture(**posture), phenotype, view, 0.0)


def tilt_deg(first, second):
    """Height difference of first over second against their horizontal distance (3-D, z up)."""
    return math.degrees(math.atan2(first[2] - second[2], math.hypot(*(first[:2] - second[:2]))))


@needs_anny
@pytest.mark.parametrize("degrees", [-6.0, 3.0])
def test_pelvic_obliquity_tilts_the_hip_joints_by_exactly_its_angle(body_model, degrees):
    body = pose(body_model, pelvic_obliquity_deg=degrees)
    assert tilt_deg(body.joints["left_hip"], body.joints["right_hip"]) == pytest.approx(degrees, abs=0.05)
    assert body.blocks == []  # a longer leg on the high side: both feet on the floor, no block
    knee_drop = body.joints["left_knee"][2] - body.joints["right_knee"][2]
    # The long side's hip is higher by the whole difference, its knee by half (the shank adds the rest).
    assert (knee_drop > 0) == (degrees > 0)


@needs_anny
def test_a_leg_length_difference_stands_on_a_block(body_model):
    body = pose(body_model, leg_length_difference_mm=15.0)
    (block,) = body.blocks
    assert block[0] > 0 and block[2] == pytest.approx(0.015, abs=0.002)  # under the left foot
    assert tilt_deg(body.joints["left_hip"], body.joints["right_hip"]) > 3


@needs_anny
def test_shoulder_elevation_raises_that_shoulder_only(body_model):
    neutral, raised = pose(body_model), pose(body_model, shoulder_elevation_right_deg=12.0)
    assert raised.joints["right_shoulder"][2] - neutral.joints["right_shoulder"][2] > 0.015
    assert raised.joints["left_shoulder"][2] == pytest.approx(neutral.joints["left_shoulder"][2], abs=1e-4)


@needs_anny
def test_anterior_tilt_turns_the_asis_psis_line_by_about_its_angle(body_model):
    def asis_psis(body):
        return tilt_deg(body.surface["left_psis"], body.surface["left_asis"])

    change = asis_psis(pose(body_model, pelvic_tilt_deg=10.0)) - asis_psis(pose(body_model))
    assert 7.0 < change < 11.0  # skin points, partly bound to the compensating spine


@needs_anny
@pytest.mark.parametrize(("view", "toward_camera"), [("side_right", "right"), ("side_left", "left")])
def test_side_views_show_the_named_side(body_model, view, toward_camera):
    body = pose(body_model, view=view)
    other = "left" if toward_camera == "right" else "right"
    # The camera is at -y: the side toward it has the smaller y.
    assert body.joints[f"{toward_camera}_shoulder"][1] < body.joints[f"{other}_shoulder"][1]


def test_the_confounder_set_keeps_every_pelvis_level():
    from posture.synth.generate import confounder_specs

    specs = confounder_specs()
    assert len(specs) == 40 and all(s.camera.view == "front" for s in specs)
    assert all(s.posture.pelvic_obliquity_deg == 0 and s.posture.leg_length_difference_mm == 0 for s in specs)
    leaning = [s for s in specs if s.posture.trunk_lean_deg != 0]
    raised = [s for s in specs if s.posture.shoulder_elevation_left_deg or s.posture.shoulder_elevation_right_deg]
    assert len(leaning) == 20 and len(raised) == 20
    assert sum(s.posture.trunk_lean_deg > 0 for s in leaning) == 10  # both sides, equally
    arms = [s for s in specs if s.posture.arm_out_left_deg or s.posture.arm_out_right_deg]
    assert len(arms) == 10 and sum(s.posture.arm_out_left_deg > 0 for s in arms) == 5


@needs_anny
def test_markers_sit_one_radius_out_on_the_skin_and_the_leg_points_are_lateral(body_model):
    from posture.synth.markers import place, surface_key
    from posture.synth.spec import MARKER_POINTS, Markers

    body = pose(body_model)
    for name, marker in ((m.name, m) for m in place(body, Markers("red", (215, 25, 35), 16.0, "ball", MARKER_POINTS))):
        skin = body.surface[surface_key(name)]
        assert np.linalg.norm(marker.centre - skin) == pytest.approx(0.008, abs=1e-6), name
        assert np.linalg.norm(body.surface_normals[surface_key(name)]) == pytest.approx(1.0), name
    for side, sign in (("left", 1.0), ("right", -1.0)):
        for point, joint in (("greater_trochanter", "hip"), ("knee_lateral", "knee"), ("malleolus_lateral", "ankle")):
            outward = sign * (body.surface[f"{side}_{point}"][0] - body.joints[f"{side}_{joint}"][0])
            assert 0.02 < outward < 0.12, (side, point)  # on the outer side of the joint, not on an arm


def test_the_marker_set_follows_the_protocol_and_keeps_colours_off_the_clothes():
    from posture.synth.generate import marker_specs
    from posture.synth.markers import colour_class, protocol_points

    specs = marker_specs(40, 1)
    marked = [s for s in specs if s.markers]
    assert len(marked) == 40 and len(specs) == 50
    for spec in marked:
        garments = {colour_class(spec.appearance.top_rgb), colour_class(spec.appearance.bottom_rgb)}
        assert spec.markers.colour not in garments and 10 <= spec.markers.diameter_mm <= 20
        assert spec.markers.shape == "ball" or spec.camera.view in ("front", "back")
    full = [s for s in marked if set(s.markers.points) >= set(protocol_points(s.camera.view))]
    assert 0.6 < len(full) / len(marked) < 1.0  # some with points left off
    for spec in (s for s in specs if not s.markers):
        assert colour_class(spec.appearance.top_rgb) is not None  # a top of a marker colour
