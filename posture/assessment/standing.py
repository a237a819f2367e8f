"""Is this a standing posture photo at all? A photo of someone sitting, lying, walking, kicking or
cut off by the frame gives no finding: every measurement of it would describe the pose, not the
posture, and a confident finding from it would mean a wrong exercise.

The checks read the landmarks as the camera saw them (limits in thresholds.json,
"standing_posture", and each measurement's "plausible_ranges").
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from posture.assessment import geometry as geo
from posture.assessment.measurements import Measurement, near_side_is_right
from posture.assessment.views import View
from posture.data_files import constant, load
from posture.errors import PhotoWarning, WarningCode
from posture.vision.landmarks import Landmark as L
from posture.vision.landmarks import PoseLandmarks

LEGS = ((L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE), (L.RIGHT_HIP, L.RIGHT_KNEE, L.RIGHT_ANKLE))
CORE = (L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_KNEE, L.RIGHT_KNEE,
        L.LEFT_ANKLE, L.RIGHT_ANKLE)
# Warnings that already say the photo is no standing posture photo.
NOT_STANDING = {WarningCode.SITTING: "the person seems to sit or crouch"}


def standing_problems(
    landmarks: PoseLandmarks, view: View, warnings: Sequence[PhotoWarning], measurements: Mapping[str, Measurement]
) -> list[str]:
    """Why this is not a standing posture photo, in plain words; empty when it is one."""
    limits = load("thresholds.json")["standing_posture"]
    threshold = constant("visibility_threshold")
    problems = [NOT_STANDING[w.code] for w in warnings if w.code in NOT_STANDING]
    core = CORE if view.is_frontal else _near_side(landmarks)
    hidden = [lm.words for lm in core if not landmarks.is_visible(lm, threshold)]
    if hidden:
        return [*problems, f"the body is cut off or hidden ({', '.join(hidden)})"]
    pts = landmarks.xy_px
    stature = _height_px(landmarks)
    shoulders = geo.midpoint(pts[L.LEFT_SHOULDER], pts[L.RIGHT_SHOULDER])
    hips = geo.midpoint(pts[L.LEFT_HIP], pts[L.RIGHT_HIP])
    if _from_vertical_deg(hips, shoulders) > limits["max_trunk_from_vertical_deg"]["value"] or shoulders[1] >= hips[1]:
        problems.append("the trunk is not upright")
    legs = LEGS if view.is_frontal else [leg for leg in LEGS if leg[0] in core]
    if any(abs(geo.bend_deg(pts[h], pts[k], pts[a], 1)) > limits["max_knee_bend_deg"]["value"] for h, k, a in legs):
        problems.append("a knee is bent (walking, kicking, sitting?)")
    if any(_from_vertical_deg(pts[a], pts[h]) > limits["max_leg_from_vertical_deg"]["value"] for h, _, a in legs):
        problems.append("a leg is not under the body (a step or a wide stance?)")
    if view.is_frontal:
        ankles = pts[L.LEFT_ANKLE] - pts[L.RIGHT_ANKLE]
        if abs(ankles[1]) > limits["max_ankle_height_difference_fraction"]["value"] * stature:
            problems.append("one foot is off the floor or ahead of the other")
        if abs(ankles[0]) > limits["max_stance_width_fraction"]["value"] * stature:
            problems.append("the feet are far apart")
    return problems + _implausible(measurements)


def _implausible(measurements: Mapping[str, Measurement]) -> list[str]:
    ranges = {mid: r for mid, r in load("thresholds.json")["plausible_ranges"].items() if not mid.startswith("_")}
    return [
        f"{mid} = {m.value:+.0f} {m.unit} is not a standing posture value (the skeleton may be wrong)"
        for mid, m in measurements.items()
        if mid in ranges and m.measured and not ranges[mid]["min"] <= m.value <= ranges[mid]["max"]
    ]


def _near_side(landmarks: PoseLandmarks) -> tuple[L, ...]:
    side = "RIGHT" if near_side_is_right(landmarks) else "LEFT"
    return tuple(L[f"{side}_{part}"] for part in ("SHOULDER", "HIP", "KNEE", "ANKLE"))


def _from_vertical_deg(bottom, top) -> float:
    dx, dy = top[0] - bottom[0], bottom[1] - top[1]
    return math.degrees(math.atan2(abs(dx), max(dy, 1e-9))) if dy > 0 else 180.0


def _height_px(landmarks: PoseLandmarks) -> float:
    ys = landmarks.xy_px[:, 1]
    return max(float(ys.max() - ys.min()), 1.0)


def not_standing_warning(problems: Sequence[str]) -> PhotoWarning:
    return PhotoWarning(
        WarningCode.NOT_STANDING_POSTURE,
        f"This does not look like a standing posture photo: {'; '.join(problems)}. No finding is made from it. "
        "Retake it standing relaxed, feet hip-width apart and both on the floor, arms by the sides, the whole "
        "body from head to feet in the frame, alone in the photo.",
    )
