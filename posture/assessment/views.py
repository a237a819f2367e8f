"""Which way the subject faces the camera, and the image directions that follow from it.

Views name the side of the subject that faces the camera: `front`, `back`, `side_left` (the
subject's left side toward the camera, so they face the image's LEFT edge) and `side_right`
(facing the image's right edge). A person turning left from a front view by 90 degrees faces the
image's right edge and shows their right side: hence `side_right` faces +x.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from posture.errors import PhotoWarning, WarningCode
from posture.vision.landmarks import Landmark as L
from posture.vision.landmarks import PoseLandmarks

FRONTAL_WIDTH_RATIO = 0.28  # (shoulder + hip width) / (2 x torso length): ~0.5 frontal, ~0.1 profile
FACE_VISIBLE = 0.5
FACE_POINTS = (L.NOSE, L.LEFT_EYE, L.RIGHT_EYE, L.MOUTH_LEFT, L.MOUTH_RIGHT)


class View(StrEnum):
    FRONT = "front"
    BACK = "back"
    SIDE_LEFT = "side_left"
    SIDE_RIGHT = "side_right"

    @property
    def is_frontal(self) -> bool:
        return self in (View.FRONT, View.BACK)

    @property
    def subject_left_x(self) -> int:
        """Image x direction of the subject's left side (front/back views)."""
        return 1 if self is View.FRONT else -1

    @property
    def facing_x(self) -> int:
        """Image x direction the subject faces (side views)."""
        return 1 if self is View.SIDE_RIGHT else -1


@dataclass(frozen=True)
class ViewEstimate:
    view: View
    confidence: float  # 0.5 = a coin toss, 1 = unambiguous
    evidence: str


def detect_view(landmarks: PoseLandmarks, face_toward_camera: bool | None = None) -> ViewEstimate:
    """The view, from the body's width (frontal vs profile), the way it faces (which profile),
    and for frontal views whether a face is toward the camera (front vs back; BlazePose's own face
    visibility is the fallback, unreliable on backs of heads)."""
    pts = landmarks.xy_px
    shoulder_width = abs(pts[L.LEFT_SHOULDER, 0] - pts[L.RIGHT_SHOULDER, 0])
    hip_width = abs(pts[L.LEFT_HIP, 0] - pts[L.RIGHT_HIP, 0])
    mid_shoulder = (pts[L.LEFT_SHOULDER] + pts[L.RIGHT_SHOULDER]) / 2
    mid_hip = (pts[L.LEFT_HIP] + pts[L.RIGHT_HIP]) / 2
    torso = max(float(np.linalg.norm(mid_shoulder - mid_hip)), 1e-6)
    width_ratio = (shoulder_width + hip_width) / (2 * torso)
    frontal_margin = abs(width_ratio - FRONTAL_WIDTH_RATIO) / FRONTAL_WIDTH_RATIO
    frontal_confidence = min(1.0, 0.5 + frontal_margin)

    if width_ratio >= FRONTAL_WIDTH_RATIO and face_toward_camera is not None:
        view = View.FRONT if face_toward_camera else View.BACK
        return ViewEstimate(
            view, min(frontal_confidence, 0.9),
            f"body width/torso {width_ratio:.2f} (frontal), face {'seen' if face_toward_camera else 'not seen'}",
        )
    if width_ratio >= FRONTAL_WIDTH_RATIO:
        face = float(np.mean(landmarks.visibility[list(FACE_POINTS)]))
        view = View.FRONT if face >= FACE_VISIBLE else View.BACK
        face_confidence = min(1.0, 0.5 + abs(face - FACE_VISIBLE))
        return ViewEstimate(
            view,
            min(frontal_confidence, face_confidence),
            f"body width/torso {width_ratio:.2f} (frontal), face visibility {face:.2f}",
        )

    facing = _facing_x_votes(pts, torso)
    view = View.SIDE_RIGHT if facing >= 0 else View.SIDE_LEFT
    return ViewEstimate(
        view,
        min(frontal_confidence, min(1.0, 0.5 + abs(facing))),
        f"body width/torso {width_ratio:.2f} (profile), facing score {facing:+.2f}",
    )


def _facing_x_votes(pts: np.ndarray, torso: float) -> float:
    """Positive when the nose and toes point toward +x; in torso lengths."""
    ears = (pts[L.LEFT_EAR, 0] + pts[L.RIGHT_EAR, 0]) / 2
    heels = (pts[L.LEFT_HEEL, 0] + pts[L.RIGHT_HEEL, 0]) / 2
    toes = (pts[L.LEFT_FOOT_INDEX, 0] + pts[L.RIGHT_FOOT_INDEX, 0]) / 2
    return float((pts[L.NOSE, 0] - ears) + (toes - heels)) / torso


def orient_sides(
    landmarks: PoseLandmarks, view: View
) -> tuple[PoseLandmarks, tuple[PhotoWarning, ...]]:
    """Make left/right labels agree with a frontal view: on a front view the subject's left
    shoulder and hip are on the image's right, on a back view on its left.

    BlazePose tends to label a back view as if the person faced the camera; left uncorrected, every
    asymmetry would be reported on the wrong side.
    """
    if not view.is_frontal:
        return landmarks, ()
    pts = landmarks.xy_px
    left_minus_right = (pts[L.LEFT_SHOULDER, 0] - pts[L.RIGHT_SHOULDER, 0]) + (
        pts[L.LEFT_HIP, 0] - pts[L.RIGHT_HIP, 0]
    )
    if left_minus_right * view.subject_left_x >= 0:
        return landmarks, ()
    warning = PhotoWarning(
        WarningCode.SIDES_RELABELLED,
        f"The pose model's left/right labels contradicted the {view.value} view and were swapped; "
        "check the annotated image (the subject's left is drawn in blue).",
    )
    return landmarks.with_sides_swapped(), (warning,)
