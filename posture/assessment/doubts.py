"""Warnings that bear on a measurement change what it may say: a value read through a bag strap, a
turned body or an unknown camera roll is not a finding.

Two kinds: an error the photo shares across its measurements (the camera roll nobody could
correct) widens each value's uncertainty by how far that value moves with the roll; a condition that
makes a value meaningless for posture (arms crossed, body turned, feet not as the protocol asks, an
unusual outline around the part measured) makes its finding "can't tell", with the retake that
would fix it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace

from posture import registry
from posture.assessment.calibration import OUTLINE_USES
from posture.assessment.measurements import DEG, Measurement, Source
from posture.assessment.views import View
from posture.data_files import constant, load
from posture.errors import PhotoWarning, WarningCode
from posture.registry import MEASUREMENTS, Views
from posture.vision.landmarks import Landmark as L
from posture.vision.landmarks import PoseLandmarks

FRONTAL = tuple(m.id for m in MEASUREMENTS if m.views is Views.FRONTAL)
KNEES = ("left_knee_valgus_deg", "right_knee_valgus_deg")
# What a rolled camera, or a body standing tilted as a whole, turns together (the ankle line is left
# out: on a level floor it stays level when the body tilts); the shoulder line, the hip line and the
# trunk must each tilt the same way before the tilt counts as shared.
SHARED_TILT = ("shoulder_tilt_deg", "hip_tilt_deg", "head_tilt_deg", "lateral_trunk_lean_deg", "knee_tilt_deg")
TILTED_TOGETHER = ("shoulder_tilt_deg", "hip_tilt_deg", "lateral_trunk_lean_deg")
BY_WARNING: dict[WarningCode, tuple[tuple[str, ...], str]] = {
    WarningCode.ARMS_NOT_HANGING: (
        ("shoulder_tilt_deg",),
        "an arm does not hang by the side (arms crossed, a hand on the hip or at the face, a strap or a bag held), "
        "which lifts or pulls that shoulder: let both arms hang relaxed by the sides, hands empty",
    ),
    WarningCode.OBJECT_IN_HAND: (
        ("shoulder_tilt_deg", "lateral_trunk_lean_deg"),
        "something is held in a hand, and a load in one hand drops that shoulder and leans the trunk away: put "
        "everything down and let the arms hang empty",
    ),
    WarningCode.TURNED_FROM_CAMERA: (
        FRONTAL,
        "the body is turned from the camera, and front and back measurements hold only for a body facing it "
        "(a turn reads as a sideways lean, moves the hip and shoulder points and changes the knee angles): "
        "stand square to the camera",
    ),
    WarningCode.VIEW_UNCERTAIN: (
        tuple(m.id for m in MEASUREMENTS),
        "the view could not be told reliably, so left and right (or front and back) may be swapped: face the "
        "camera squarely with the face visible, or turn a full 90° for a profile (or give the view)",
    ),
    WarningCode.MARKERS_SUSPECT: (
        ("pelvic_tilt_deg",),
        "the ASIS and PSIS look swapped, which turns the tilt around: place them again",
    ),
}


def camera_roll_sd_deg(estimate_sd_deg: float | None) -> float:
    """How far the photo may still be rolled: the roll estimate's own SD when the photo was
    leveled, the spread of camera rolls on real photos when not (`None`)."""
    return constant("camera_roll_sd_unleveled_deg") if estimate_sd_deg is None else estimate_sd_deg


def with_camera_roll(measurements: Mapping[str, Measurement], roll_sd_deg: float) -> dict[str, Measurement]:
    """Each value's uncertainty with the camera roll it shares with the others."""
    return {
        mid: replace(m, uncertainty=math.hypot(m.uncertainty, m.roll_slope * roll_sd_deg))
        if m.measured and m.roll_slope else m
        for mid, m in measurements.items()
    }


def shared_tilt(measurements: Mapping[str, Measurement], leveled: bool) -> tuple[Measurement, dict[str, str]]:
    """When the shoulder line, the hip line and the trunk (and the head and knee lines, when
    measured) tilt as one rotation (a rolled camera, or a whole body standing tilted), that rotation
    as one measurement, and the values it explains, so one tilt is not four findings.

    The rotation is fitted to the landmark values (`raw_value` where a value was calibrated: the
    points turn exactly with a rotation, the learned hip model only in part), in the leveled frame,
    before the camera roll's error is added. It counts when it is clear (beyond twice its own
    error), every value agrees with it within twice its error, and the shoulder line and the trunk
    are each clearly tilted its way (the hip line at least its way): a level shoulder line over a
    tilted pelvis is a finding of the pelvis, not a shared tilt. Unleveled, the value is the body's
    and the camera's tilt together, which the photo measures without the roll's error; leveled,
    the roll left after leveling is its error. Not shared: not measurable, with the reason.
    """
    used = [m for mid in SHARED_TILT if (m := measurements.get(mid)) is not None
            and m.measured and m.roll_slope and not m.doubt]
    if not set(TILTED_TOGETHER) <= {m.id for m in used}:
        return _not_shared("the shoulder line, the hip line and the trunk were not all measured without doubt"), {}
    values = [m.value if m.raw_value is None else m.raw_value for m in used]
    weights = [1.0 / m.uncertainty ** 2 for m in used]
    turn = sum(w * v * m.roll_slope for w, v, m in zip(weights, values, used, strict=True)) / sum(
        w * m.roll_slope ** 2 for w, m in zip(weights, used, strict=True))
    sd = 1.0 / math.sqrt(sum(w * m.roll_slope ** 2 for w, m in zip(weights, used, strict=True)))
    agree = all(abs(v - m.roll_slope * turn) <= 2 * m.uncertainty for v, m in zip(values, used, strict=True))
    its_way = all(v * m.roll_slope * turn > 0 and (m.id == "hip_tilt_deg" or abs(v) >= 2 * m.uncertainty)
                  for v, m in zip(values, used, strict=True) if m.id in TILTED_TOGETHER)
    if abs(turn) < 2 * sd or not agree or not its_way:
        return _not_shared("the shoulder line, the hip line and the trunk do not tilt together"), {}
    left_up = measurements["shoulder_tilt_deg"].roll_slope  # in the shoulder line's sign: + = left higher
    tilt = Measurement(
        "body_tilt_deg", DEG, registry.info("body_tilt_deg").sign_convention, turn * left_up, sd,
        tuple(dict.fromkeys(name for m in used for name in m.landmarks)),
        f"one rotation shared by {', '.join(m.id for m in used)}", roll_slope=1.0 if leveled else 0.0,
    )
    why = (f"it moves with the whole body or the camera (tilted {turn * left_up:+.1f}°), which is reported "
           "once; a level camera (a door frame or wall corner in view) tells the two apart")
    return tilt, {m.id: why for m in used}


def _not_shared(reason: str) -> Measurement:
    info = registry.info("body_tilt_deg")
    return Measurement(info.id, info.unit, info.sign_convention, None, None, (), "one rotation shared by the "
                       "frontal tilts", reason=reason)


def doubts(
    warnings: Sequence[PhotoWarning], unread_outlines: Sequence[str], landmarks: PoseLandmarks, view: View,
    measurements: Mapping[str, Measurement],
) -> dict[str, str]:
    """Measurement id -> why no finding may rest on it in this photo (the first reason found). An
    outline the calibration could not use at all doubts the calibrated value it was meant to
    inform (not a pelvic tilt from placed markers)."""
    found: dict[str, str] = {}
    for warning in warnings:
        ids, why = BY_WARNING.get(warning.code, ((), ""))
        for mid in ids:
            found.setdefault(mid, why)
    for outline in unread_outlines:
        use = OUTLINE_USES[outline]
        if use.measurement in measurements and measurements[use.measurement].source is Source.CALIBRATED:
            found.setdefault(use.measurement, use.unusual)
            for mid in use.points_within:
                found.setdefault(mid, use.unusual)
    if view.is_frontal and not _feet_as_asked(landmarks, view):
        for mid in KNEES:
            found.setdefault(mid, "the feet are not hip-width apart with the toes forward, and foot position "
                                  "alone moves the knee angle by 7-16°: stand that way for the knees")
    return found


def mixed_skeleton_doubts(measurements: Mapping[str, Measurement], off_outline: Sequence[L]) -> dict[str, str]:
    """Every measurement that uses a point off the person's outline (posture.vision.person): it may
    be another person's."""
    keys = {lm.key for lm in off_outline}
    why = ("the skeleton may join limbs of another person (" + ", ".join(sorted({lm.words for lm in off_outline}))
           + " off this person's outline): stand alone in the frame")
    return {mid: why for mid, m in measurements.items() if keys & set(m.landmarks)}


def one_leg_doubts(measurements: Mapping[str, Measurement], roll_sd_deg: float) -> dict[str, str]:
    """The weight on one leg (the pelvis beyond the limit from over the middle of the feet, by more
    than its own error with the camera roll, which shifts it too) leaves the hip line and the
    trunk lean unread: they show the stance, not the posture."""
    shift = measurements.get("weight_shift_pct")
    limit = load("thresholds.json")["stance"]["max_weight_shift_pct"]["value"]
    if shift is None or not shift.measured or shift.doubt or abs(shift.value) - math.hypot(
            shift.uncertainty, shift.roll_slope * roll_sd_deg) <= limit:
        return {}
    return dict.fromkeys(("hip_tilt_deg", "lateral_trunk_lean_deg"), "the weight rests on one leg, which drops "
                         "the other hip and leans the trunk: stand with the weight on both feet")


def with_doubts(measurements: Mapping[str, Measurement], found: Mapping[str, str]) -> dict[str, Measurement]:
    """The measurements with these doubts added (a doubt already there stays)."""
    return {mid: replace(m, doubt=found[mid]) if mid in found and m.measured and not m.doubt else m
            for mid, m in measurements.items()}


def _feet_as_asked(landmarks: PoseLandmarks, view: View) -> bool:
    """Feet hip-width apart with the toes forward (the capture protocol), seen from the front or back."""
    threshold = constant("visibility_threshold")
    stance = load("thresholds.json")["stance"]
    feet = (L.LEFT_HEEL, L.LEFT_FOOT_INDEX, L.RIGHT_HEEL, L.RIGHT_FOOT_INDEX, L.LEFT_ANKLE, L.RIGHT_ANKLE)
    if not all(landmarks.is_visible(lm, threshold) for lm in feet):
        return False
    pts = landmarks.xy_px
    toward_camera = 1 if view is View.FRONT else -1  # toes point down the image from the front
    for heel, toe in ((L.LEFT_HEEL, L.LEFT_FOOT_INDEX), (L.RIGHT_HEEL, L.RIGHT_FOOT_INDEX)):
        dx, dy = pts[toe] - pts[heel]
        if math.degrees(math.atan2(abs(dx), dy * toward_camera)) > stance["max_toe_turn_deg"]["value"]:
            return False
    hips = abs(pts[L.LEFT_HIP, 0] - pts[L.RIGHT_HIP, 0])
    ankles = abs(pts[L.LEFT_ANKLE, 0] - pts[L.RIGHT_ANKLE, 0])
    apart = stance["feet_apart_of_hip_width"]
    return hips > 0 and apart["min"] <= ankles / hips <= apart["max"]
