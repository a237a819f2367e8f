"""Checks on how the photo was taken. Each is a warning with the retake; the ones that bear on a
measurement make its finding "can't tell" (posture/assessment/doubts.py)."""

from __future__ import annotations

import math

from posture.assessment import geometry as geo
from posture.assessment.measurements import near_side_is_right
from posture.assessment.views import View, ViewEstimate, body_yaw
from posture.data_files import constant, load
from posture.errors import PhotoWarning, WarningCode
from posture.vision.landmarks import Landmark as L
from posture.vision.landmarks import PoseLandmarks

LEFT_BODY_POINTS = (L.LEFT_SHOULDER, L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE, L.LEFT_HEEL)
RIGHT_BODY_POINTS = tuple(lm.mirror for lm in LEFT_BODY_POINTS)
SITTING_BEND_DEG = 40.0  # a standing knee bends a few degrees; sitting bends ~90
SITTING_THIGH_DROP = 0.5  # a standing thigh drops about as far as the shank
UNCERTAIN_VIEW = 0.6


def check_capture(
    landmarks: PoseLandmarks, view: View, detected: ViewEstimate, given: View | None, threshold: float
) -> list[PhotoWarning]:
    warnings = []
    unseen = _unseen_body_points(landmarks, view, threshold)
    if unseen:
        warnings.append(_cut_off_warning(landmarks, unseen))
    if _looks_seated(landmarks, view, threshold):
        warnings.append(PhotoWarning(
            WarningCode.SITTING,
            "The person seems to be sitting or crouching. Posture is assessed standing: stand "
            "upright, feet hip-width apart, arms relaxed by the sides.",
        ))
    yaw = body_yaw(landmarks) if view.is_frontal else None
    if yaw is not None and abs(yaw.deg) >= constant("yaw_warning_deg"):
        warnings.append(PhotoWarning(
            WarningCode.TURNED_FROM_CAMERA,
            f"The body seems turned about {abs(yaw.deg):.0f} ± {yaw.sd_deg:.0f} degrees from the camera "
            f"(read from {yaw.cues}). Turning shows up as false lateral lean and asymmetry: stand square to the "
            "camera, feet and shoulders facing it.",
        ))
    if view.is_frontal and (arm := _arm_not_hanging(landmarks, threshold)):
        warnings.append(PhotoWarning(
            WarningCode.ARMS_NOT_HANGING,
            f"The {arm} (arms crossed, a hand on the hip or at the face, a strap or a bag held?). Let both "
            "arms hang relaxed by the sides, hands empty: a held or raised arm lifts or pulls its shoulder.",
        ))
    if given is not None and given is not detected.view:
        warnings.append(PhotoWarning(
            WarningCode.VIEW_MISMATCH,
            f"The photo was given as {given.value} but looks like {detected.view.value} "
            f"({detected.evidence}); measured as {given.value}.",
        ))
    elif given is None and detected.confidence < UNCERTAIN_VIEW:
        warnings.append(PhotoWarning(
            WarningCode.VIEW_UNCERTAIN,
            f"Could not tell the view reliably ({detected.evidence}); measured as "
            f"{detected.view.value}. Pass --view if that is wrong, and stand square to the camera.",
        ))
    return warnings


def _unseen_body_points(landmarks: PoseLandmarks, view: View, threshold: float) -> list[L]:
    """Body points that should be seen and are not. In a profile the far leg and shoulder are
    hidden behind the near ones by nature: only the side facing the camera, which the side
    measurements read, must be seen."""
    if view.is_frontal:
        points = sorted((*LEFT_BODY_POINTS, *RIGHT_BODY_POINTS))
    else:
        points = RIGHT_BODY_POINTS if near_side_is_right(landmarks) else LEFT_BODY_POINTS
    return [lm for lm in points if not landmarks.is_visible(lm, threshold)]


def _cut_off_warning(landmarks: PoseLandmarks, unseen: list[L]) -> PhotoWarning:
    """Outside the frame and covered are retaken differently: say which, and how."""
    width, height = landmarks.image_size
    off_frame = [not (0.0 <= landmarks.xy_px[lm, 0] < width and 0.0 <= landmarks.xy_px[lm, 1] < height)
                 for lm in unseen]
    outside = [lm.words for lm, off in zip(unseen, off_frame, strict=True) if off]
    covered = [lm.words for lm, off in zip(unseen, off_frame, strict=True) if not off]
    parts = []
    if outside:
        parts.append(f"cut off by the edge of the photo ({', '.join(outside)}): step back or hold the phone "
                     "further away, so the whole body from head to feet is in the frame")
    if covered:
        parts.append(f"hidden ({', '.join(covered)}): make sure nothing covers them (long or loose clothes, "
                     "a bag, an arm, something in front) and the light is good")
    return PhotoWarning(
        WarningCode.BODY_CUT_OFF,
        f"Part of the body is {'; and part is '.join(parts)}. Measurements that need it are marked not "
        "measurable until you retake the photo.",
    )


def _looks_seated(landmarks: PoseLandmarks, view: View, threshold: float) -> bool:
    pts = landmarks.xy_px
    for hip, knee, ankle in ((L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE),
                             (L.RIGHT_HIP, L.RIGHT_KNEE, L.RIGHT_ANKLE)):
        if not all(landmarks.is_visible(lm, threshold) for lm in (hip, knee, ankle)):
            continue
        thigh_drop = pts[knee, 1] - pts[hip, 1]
        shank_drop = pts[ankle, 1] - pts[knee, 1]
        bend = abs(geo.bend_deg(pts[hip], pts[knee], pts[ankle], 1))
        if bend > SITTING_BEND_DEG or (shank_drop > 0 and thigh_drop < SITTING_THIGH_DROP * shank_drop):
            return True
    return False


def _arm_not_hanging(landmarks: PoseLandmarks, threshold: float) -> str | None:
    """Which arm does not hang by the side, and how, from the elbow's bend and the upper arm's
    angle from vertical (limits in thresholds.json "stance"); None when both hang."""
    pts = landmarks.xy_px
    stance = load("thresholds.json")["stance"]
    for side, (shoulder, elbow, wrist) in (("left", (L.LEFT_SHOULDER, L.LEFT_ELBOW, L.LEFT_WRIST)),
                                           ("right", (L.RIGHT_SHOULDER, L.RIGHT_ELBOW, L.RIGHT_WRIST))):
        if not all(landmarks.is_visible(lm, threshold) for lm in (shoulder, elbow, wrist)):
            continue
        upper, fore = pts[elbow] - pts[shoulder], pts[wrist] - pts[elbow]
        from_vertical = math.degrees(math.atan2(abs(upper[0]), upper[1]))
        bend = math.degrees(math.atan2(abs(upper[0] * fore[1] - upper[1] * fore[0]), float(upper @ fore)))
        if from_vertical > stance["max_upper_arm_from_vertical_deg"]["value"]:
            return f"subject's {side} arm is held away from the body ({from_vertical:.0f}° from hanging)"
        if bend > stance["max_elbow_bend_deg"]["value"]:
            return f"subject's {side} elbow is bent {bend:.0f}°"
    return None
