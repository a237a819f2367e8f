"""The exercise pictures: one for every catalog exercise, small, drawn again from the pose data
pixel for pixel, and the pose resting the way its instructions say (standing on the feet, kneeling
on a knee, lying down); the names in plain words first, the anatomy after."""

from __future__ import annotations

import io
import re
from datetime import date
from math import atan2, degrees

import numpy as np
import pytest
from PIL import Image

from posture.assessment.classifier import Evidence, Finding, Severity, Status
from posture.assessment.corrections import Exercise, recommend, safety
from posture.data_files import exercise_picture, load
from posture.pictures.draw import FLOOR_PX, HEIGHT_PX, MARGIN_PX, WIDTH_PX, placed, render
from posture.pictures.figure import LENGTH, THICKNESS, ExercisePose, Figure, Position, exercise_poses
from posture.presentation import ReportHeader, ReportView, summarize
from posture.report_html import report_html

CATALOG = load("corrections.json")["exercises"]
POSES = exercise_poses()
LARGEST_PICTURE_BYTES = 40_000
CONTACT = 0.02  # fraction of stature (about 3.5 cm): "touches"
# The word the instructions' first sentence uses for each position.
POSITION_WORDS = {
    Position.STANDING: "stand", Position.SITTING: "sit", Position.LYING: "lie",
    Position.KNEELING: "kneel", Position.HANDS_AND_KNEES: "hands and knees",
}
JARGON = ("adduct", "abduct", "quadratus", "lumborum", "trapezius", "scapula", "prone", "supine", "lumbar",
          "gluteus", "glute", "flexor", "extensor", "pectoral", "levator", "scalene", "rhomboid", "serratus",
          "iliopsoas", "femoris", "suboccipital", "hamstring", "quadriceps", "lateral", "depression")


def test_every_catalog_exercise_has_a_pose_and_a_picture():
    assert set(POSES) == set(CATALOG)
    for exercise_id in CATALOG:
        path = exercise_picture(exercise_id)
        assert path is not None and path.name == f"{exercise_id}.png", exercise_id
    assert exercise_picture("no_such_exercise") is None


@pytest.mark.parametrize("exercise_id", sorted(CATALOG))
def test_a_picture_is_small_and_drawn_again_pixel_for_pixel(exercise_id):
    path = exercise_picture(exercise_id)
    assert path.stat().st_size <= LARGEST_PICTURE_BYTES
    stored = Image.open(path)
    assert stored.size == (WIDTH_PX, HEIGHT_PX)
    drawn = render(POSES[exercise_id])
    assert np.array_equal(np.asarray(stored.convert("RGB")), np.asarray(drawn.convert("RGB"))), (
        f"{path.name} is not what the pose data draws: python -m posture.pictures")


@pytest.mark.parametrize("exercise_id", sorted(CATALOG))
def test_the_whole_figure_its_arrows_and_props_are_inside_the_frame(exercise_id):
    pixels = np.asarray(render(POSES[exercise_id]).convert("RGB")).astype(int)
    drawn = (np.abs(pixels - 255).sum(axis=2) > 30)[:FLOOR_PX - 2]  # above the floor, which runs across
    edge = MARGIN_PX - 1
    assert not drawn[:, :edge].any() and not drawn[:, -edge:].any()  # left and right
    if not any(prop["kind"] in ("wall", "door_frame") for prop in POSES[exercise_id].props):
        assert not drawn[:edge].any()  # the top (a wall runs off it)


def _trunk_tilt_from_horizontal(figure: Figure) -> float:
    """0 = lying flat, 90 = upright."""
    (nx, ny), (px, py) = figure.point("neck"), figure.point("pelvis")
    return abs(degrees(atan2(abs(ny - py), abs(nx - px))))


def _lowest(figure: Figure, names: tuple[str, ...]) -> float:
    """The lowest edge of the named segments ('near_leg.foot', or a limb 'near_leg')."""
    segments = [s for s in figure.segments if s.name in names or s.name.split(".")[0] in names]
    return min(min(figure.point(s.start)[1], figure.point(s.end)[1]) - s.thickness / 2 for s in segments)


def _on_the_ground(pose: ExercisePose, figure: Figure, parts: tuple[str, ...]) -> bool:
    return any(abs(_lowest(figure, (part,)) - pose.rest_height) <= CONTACT for part in parts)


FEET = ("near_leg.foot", "near_leg.shin", "far_leg.foot", "far_leg.shin")
KNEES = ("near_leg.thigh", "far_leg.thigh")
HANDS = ("near_arm.hand", "near_arm.forearm", "far_arm.hand", "far_arm.forearm")


@pytest.mark.parametrize("exercise_id", sorted(CATALOG))
def test_the_body_rests_the_way_the_instructions_say(exercise_id):
    pose = POSES[exercise_id]
    figure, _ = placed(pose)
    first_sentence = re.split(r"[.;:]", CATALOG[exercise_id]["instructions"])[0].lower()
    assert POSITION_WORDS[pose.position] in first_sentence, (pose.position, first_sentence)
    tilt = _trunk_tilt_from_horizontal(figure)
    if pose.position in (Position.STANDING, Position.SITTING, Position.KNEELING):
        assert tilt >= 60  # the trunk upright, within 30 degrees
        assert _on_the_ground(pose, figure, FEET)
    if pose.position is Position.STANDING:
        assert _lowest(figure, KNEES) > pose.rest_height + 0.15  # no knee near the ground
    if pose.position is Position.SITTING:
        assert any(prop["kind"] == "chair" for prop in pose.props)
    if pose.position is Position.KNEELING:
        assert _on_the_ground(pose, figure, KNEES)
    if pose.position is Position.HANDS_AND_KNEES:
        assert tilt <= 30 and _on_the_ground(pose, figure, KNEES) and _on_the_ground(pose, figure, HANDS)
    if pose.position is Position.LYING:
        assert tilt <= 35  # the trunk along the floor (a bridge or a side plank lifts it a little)
        trunk_low = min(figure.point("neck")[1], figure.point("pelvis")[1])
        assert trunk_low <= max(pose.mat_depth, 0.06) + 0.16


@pytest.mark.parametrize("exercise_id", sorted(CATALOG))
def test_every_segment_has_one_body_length_or_is_foreshortened(exercise_id):
    """A limb may look shorter (pointing at the camera), never longer: one body in every picture."""
    pose = POSES[exercise_id]
    for figure in filter(None, (pose.figure, pose.ghost)):
        for segment in figure.segments:
            (ax, ay), (bx, by) = figure.point(segment.start), figure.point(segment.end)
            part = segment.name.split(".")[-1]
            full = LENGTH[part] if part in LENGTH else LENGTH["neck"]
            assert 0.25 * full <= np.hypot(bx - ax, by - ay) <= full + 1e-9, segment.name
            assert segment.thickness == THICKNESS[part], segment.name


@pytest.mark.parametrize("exercise_id", sorted(CATALOG))
def test_names_and_instructions_say_it_in_plain_words_and_the_anatomy_after(exercise_id):
    entry = CATALOG[exercise_id]
    plain = f"{entry['name']} {entry['instructions']}".lower()
    assert not [word for word in JARGON if word in plain], exercise_id
    assert entry["anatomy"] and "(" not in entry["name"]
    exercise = Exercise("m", "left", exercise_id, entry["name"], entry["instructions"], entry["dosage"],
                        anatomy=entry["anatomy"])
    assert exercise.title == f"{entry['name']} ({entry['anatomy']})"


def _present(rule: dict) -> Finding:
    evidence = Evidence(rule["measurement"], rule["moderate"], "deg", 1.0, {"mild": rule["mild"]}, rule["direction"],
                        ("a.jpg",))
    return Finding(rule["id"], rule["label"], rule["family"], rule["side"], Status.PRESENT, Severity.MODERATE,
                   0.95, (evidence,), rule["source"])


def test_the_html_report_embeds_each_exercise_picture_beside_it():
    rules = {rule["id"]: rule for rule in load("thresholds.json")["findings"]}
    findings = [_present(rules["high_left_hip"]), _present(rules["forward_head"])]
    summary = summarize(findings, recommend(findings), safety())
    html = report_html(ReportView((), summary, ReportHeader(date(2026, 11, 29))))
    in_short = html.split("<h2>In short</h2>")[1].split("</div>\n")[0]
    for item in summary.plan.items:
        title = item.exercise.title
        image = rf"<img class='pose' alt='{re.escape(title)}' src='data:image/png;base64,[A-Za-z0-9+/=]{{2000,}}'>"
        assert re.search(image, in_short), title
    assert in_short.count("<img class='pose'") == len(summary.plan.items)
    details = html.split("<h2>Corrections</h2>")[1]
    shown = sum(len(rec.stretch) + len(rec.strengthen) for rec in summary.corrections)
    assert details.count("<img class='pose'") == shown > 0


def _sided_exercises() -> set[str]:
    """Exercises some correction prescribes for one side (side 'same' or 'other' of the finding)."""
    found = set()

    def walk(node):
        if isinstance(node, dict):
            if "exercise" in node and node.get("side", "both") != "both":
                found.add(node["exercise"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk({key: value for key, value in load("corrections.json").items() if key != "exercises"})
    return found


def test_an_exercise_for_one_side_is_pictured_on_that_side():
    """Every exercise done on one side says which side its picture shows (`works`), and a plan for
    the other side gets the exact mirror image: a stretch drawn on the left for a right-sided
    finding would have the person stretch the wrong side. Done on both sides: the picture as drawn."""
    from posture.data_files import drawn_side

    poses = load("exercise_poses.json")["poses"]
    sided = _sided_exercises()
    assert sided and {e for e, pose in poses.items() if "works" in pose} == sided
    # The side worked is where the picture says it is felt or stood on: the highlight's and the
    # resting limbs' near/far side (where they name one) is the pose's `works`.
    for exercise_id in sorted(sided):
        pose = poses[exercise_id]
        named = {joint.split("_")[0] for h in pose.get("highlight", []) for joint in h.get("along", [])
                 if joint.startswith(("near_", "far_"))} | {limb.split("_")[0] for limb in pose.get("rest_on", [])}
        assert named <= {pose["works"]}, (exercise_id, named)
        assert pose["view"] in ("front", "back"), exercise_id  # a side view's near side is not fixed: no mirror rule
    # Looked at on the drawings: the waist stretch raises the figure's left arm (front view, image
    # right); the hip hitch stands on its right leg (the step under the image's left); a back view's
    # near limbs are the right ones.
    assert drawn_side("ql_stretch") == "left" and drawn_side("hip_hitch") == "right"
    assert drawn_side("shoulder_depression") == "right"
    for exercise_id in sorted(sided):
        shown = drawn_side(exercise_id)
        stored = np.asarray(Image.open(exercise_picture(exercise_id)).convert("RGB"))
        for side in ("left", "right"):
            picture = Exercise("m", side, exercise_id, "n", "i", "d").picture
            pixels = np.asarray(Image.open(io.BytesIO(picture)).convert("RGB"))
            assert np.array_equal(pixels, stored if side == shown else stored[:, ::-1]), (exercise_id, side)
    plain = Exercise("m", "both", "chin_tuck", "n", "i", "d").picture
    assert plain == exercise_picture("chin_tuck").read_bytes()
