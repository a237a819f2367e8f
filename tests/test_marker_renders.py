"""Marker mode on renders with markers of geometry on the body model's skin points
(tests/data/markers, from `python -m posture.synth.generate markers --count 160 --seed 1`): the
visible protocol markers are found at their true centres and named right, the measurements between
them match the truth between the true centres, a marker left off is said by name, and a top of a
marker colour gives no marker. The fast lane places the pose model's points where the truth puts
them; the model lane runs the whole analyzer."""

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from posture import registry
from posture.analysis import Options, locate, measure_photo
from posture.assessment.leveled import level_frame
from posture.assessment.measurements import Source, body_height_px, measure_leveled
from posture.assessment.views import View
from posture.bench.markers import MATCH_PX, VISIBLE_SHARE
from posture.synth.markers import level_stature_px, marker_measurements
from posture.synth.spec import RenderSpec
from posture.synth.truth import true_landmarks
from posture.vision.markers import MarkerColour, expected_positions, find_markers, protocol_names

RENDERS = Path(__file__).parent / "data" / "markers"
MARKED = sorted(p.name.removesuffix(".truth.json") for p in RENDERS.glob("marked*.truth.json"))
MEASURE_DEG = 0.5  # the goal for the mean error; each of these renders is within it
# Plumb offsets, % of the height: the analyzer's body height (eyes to feet, at the body's middle) is
# ~2% short of the true one at the near-side markers' depth, a few hundredths of a % on these offsets.
MEASURE_PCT = 0.15


def render(name: str):
    truth = json.loads((RENDERS / f"{name}.truth.json").read_text())
    view = View(truth["spec"]["camera"]["view"])
    landmarks = true_landmarks({k: np.array(v) for k, v in truth["landmarks_2d"].items()}, view,
                               tuple(truth["image_size"]))
    return truth, view, landmarks, np.array(Image.open(RENDERS / f"{name}.jpg").convert("RGB"))


def to_find(truth: dict, view: View) -> dict[str, np.ndarray]:
    """The view's protocol markers that are placed and in view."""
    protocol = protocol_names(view, "right" if view is View.SIDE_RIGHT else "left")
    return {n: np.array(m["xy"]) for n, m in truth["markers"].items()
            if n in protocol and m["visible"] >= VISIBLE_SHARE}


@pytest.mark.parametrize("name", MARKED)
def test_visible_markers_are_found_at_their_centres_and_named_right(name):
    truth, view, landmarks, rgb = render(name)
    found = find_markers(rgb, landmarks, None, view)
    assert found.colour is MarkerColour(truth["spec"]["markers"]["colour"])
    expected = to_find(truth, view)
    assert set(found.markers) == set(expected)  # the markers of other views' points take no name
    for marker_name, marker in found.markers.items():
        assert np.linalg.norm(np.array(marker.xy_px) - expected[marker_name]) < MATCH_PX / 4, marker_name


@pytest.mark.parametrize("name", MARKED)
def test_measurements_between_found_markers_match_the_truth_between_the_true_centres(name):
    truth, view, landmarks, rgb = render(name)
    points = {n: m.xy_px for n, m in find_markers(rgb, landmarks, None, view).markers.items()}
    measured = measure_leveled(level_frame(landmarks, None, 0.0), view, markers=points)
    assert truth["marker_measurements"]
    # The truth from the record as the bench reads it: the plumb offsets too (the renders predate them).
    level = {n: np.array(m["xy_level"]) for n, m in truth["markers"].items()}
    for mid, true_value in marker_measurements(level, view, level_stature_px(truth)).items():
        assert measured[mid].source is Source.MARKERS, mid
        close = MEASURE_DEG if registry.info(mid).unit is registry.Unit.DEG else MEASURE_PCT
        assert measured[mid].value == pytest.approx(true_value, abs=close), mid


def test_markers_left_off_are_said_by_name_and_their_measurement_falls_back():
    truth, view, landmarks, rgb = render("marked0004.clothes_long.front")
    assert set(truth["spec"]["markers"]["points"]) == {"asis_left", "asis_right"}  # acromions left off
    found = find_markers(rgb, landmarks, None, view)
    assert set(found.markers) == {"asis_left", "asis_right"}
    said = " ".join(w.message for w in found.warnings)
    assert "acromion_left" in said and "acromion_right" in said
    points = {n: m.xy_px for n, m in found.markers.items()}
    measured = measure_leveled(level_frame(landmarks, None, 0.0), view, markers=points)
    assert measured["shoulder_tilt_deg"].source is not Source.MARKERS
    assert measured["hip_tilt_deg"].source is Source.MARKERS


def test_a_mirrored_front_render_swaps_left_and_right_markers():
    truth, view, landmarks, rgb = render("marked0012.obliquity_block.front")
    xy = landmarks.xy_px.copy()
    xy[:, 0] = rgb.shape[1] - xy[:, 0]
    mirrored = type(landmarks)(xy, landmarks.visibility, landmarks.image_size).with_sides_swapped()
    found = find_markers(rgb[:, ::-1].copy(), mirrored, None, view).markers
    for name, centre in to_find(truth, view).items():
        twin = name.replace("_left", "_x").replace("_right", "_left").replace("_x", "_right")
        assert np.linalg.norm(np.array(found[twin].xy_px) - [rgb.shape[1] - centre[0], centre[1]]) < MATCH_PX / 4


def test_render_specs_with_markers_survive_a_json_round_trip():
    truth = json.loads((RENDERS / f"{MARKED[0]}.truth.json").read_text())
    spec = RenderSpec.from_json(truth["spec"])
    assert spec.markers is not None and json.loads(json.dumps(spec.to_json())) == truth["spec"]
    unmarked = json.loads(next(RENDERS.glob("unmarked*.truth.json")).read_text())
    assert RenderSpec.from_json(unmarked["spec"]).markers is None


@pytest.mark.model
@pytest.mark.parametrize("name", [*MARKED, "unmarked0006.red_top.back"])
def test_the_analyzer_finds_the_markers_and_none_on_a_top_of_their_colour(name, estimator):
    truth, view, _, _ = render(name)
    located = locate(str(RENDERS / f"{name}.jpg"), estimator, Options())
    expected = to_find(truth, view) if truth.get("markers") else {}
    assert set(located.markers) == set(expected)
    for marker_name, marker in located.markers.items():
        assert np.linalg.norm(np.array(marker.xy_px) - expected[marker_name]) < MATCH_PX, marker_name
    measured = measure_photo(located, Options()).measurements
    for mid, true_value in truth.get("marker_measurements", {}).items():
        assert measured[mid].source is Source.MARKERS and measured[mid].value == pytest.approx(true_value, abs=1.0)


@pytest.mark.model
def test_the_profile_priors_from_the_pose_model_sit_on_the_skin_markers(estimator):
    """The side view's priors are moved by the pose model's measured offsets from the skin points
    (markers.json): on a profile render each placed marker lies well inside its tolerance, where
    the ear point alone sat 2-3% of the height ahead of the tragus (over half the tolerance)."""
    name = "marked0001.obliquity_pelvis_rotation.side_right"
    truth, view, _, _ = render(name)
    located = locate(str(RENDERS / f"{name}.jpg"), estimator, Options())
    stature = body_height_px(located.landmarks, 0.5)[0]
    for marker_name, prior in expected_positions(located.landmarks, view).items():
        offset = np.linalg.norm(np.array(truth["markers"][marker_name]["xy"]) - prior.xy_px) / stature
        assert offset < 0.6 * prior.tolerance, marker_name
