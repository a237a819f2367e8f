"""Checks on how the photo was taken: they warn, they never change a measurement."""

from __future__ import annotations

from posture.assessment import geometry as geo
from posture.assessment.views import View, ViewEstimate, body_yaw
from posture.data_files import constant
from posture.errors import PhotoWarning, WarningCode
from posture.vision.landmarks import Landmark as L
from posture.vision.landmarks import PoseLandmarks

BODY_POINTS = (
    L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_KNEE, L.RIGHT_KNEE,
    L.LEFT_ANKLE, L.RIGHT_ANKLE, L.LEFT_HEEL, L.RIGHT_HEEL,
)
SITTING_BEND_DEG = 40.0  # a standing knee bends a few degrees; sitting bends ~90
SITTING_THIGH_DROP = 0.5  # a standing thigh drops about as far as the shank
UNCERTAIN_VIEW = 0.6


def check_capture(
    landmarks: PoseLandmarks, view: View, detected: ViewEstimate, given: View | None, threshold: float
) -> list[PhotoWarning]:
    warnings = []
    hidden = [lm.key for lm in BODY_POINTS if not landmarks.is_visible(lm, threshold)]
    if hidden:
        warnings.append(PhotoWarning(
            WarningCode.BODY_CUT_OFF,
            f"Part of the body is cut off or hidden ({', '.join(hidden)}); measurements that need "
            "it are marked not measurable. Retake with the whole body, head to feet, in the frame.",
        ))
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
            f"({yaw.cues}). Turning shows up as false lateral lean and asymmetry: stand square to the "
            "camera, feet and shoulders facing it.",
        ))
    if view.is_frontal and _arms_across_body(landmarks, threshold):
        warnings.append(PhotoWarning(
            WarningCode.ARMS_CROSSED,
            "The arms seem crossed or held in front of the body; let them hang relaxed by the "
            "sides so shoulders and hips are not pulled or hidden.",
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


def _arms_across_body(landmarks: PoseLandmarks, threshold: float) -> bool:
    """Both wrists inside the shoulder span and above the hips."""
    pts = landmarks.xy_px
    if not all(landmarks.is_visible(lm, threshold) for lm in (L.LEFT_WRIST, L.RIGHT_WRIST)):
        return False
    lo, hi = sorted((pts[L.LEFT_SHOULDER, 0], pts[L.RIGHT_SHOULDER, 0]))
    hip_y = (pts[L.LEFT_HIP, 1] + pts[L.RIGHT_HIP, 1]) / 2
    return all(
        lo < pts[w, 0] < hi and pts[w, 1] < hip_y for w in (L.LEFT_WRIST, L.RIGHT_WRIST)
    )
