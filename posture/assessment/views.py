"""Which way the subject faces the camera, how far the body is turned, and how sure that is.

Views name the side of the subject that faces the camera: `front`, `back`, `side_left` (the
subject's left side toward the camera, so they face the image's LEFT edge) and `side_right`
(facing the image's right edge). A person turning left from a front view by 90 degrees faces the
image's right edge and shows their right side: hence `side_right` faces +x.

**View confidence** is the probability that the view is right if its cues erred independently.
Each cue (a reading and how widely it spreads on photos where the answer is known, measured in
posture/data/measurement_model.json) says how likely its side is; no single cue is taken as more
than `view_cue_max_probability` sure. Independent cues add up (log-odds): the face detector and
BlazePose are two models; the body's width (where BlazePose puts the joints in the image) and its
turn read from BlazePose's depth are taken as two cues. BlazePose's facing cues (its nose ahead
of the ears in depth, the toes below the heels) are one model's belief about one thing, so they are
averaged into one vote. The confidence is the product of two parts: frontal or profile (width,
depth) and then which way (the face and BlazePose's facing for front/back, the nose and toes for a
profile).
Clear cases, where every cue agrees, are near 1; a body turned near 45 degrees, a face not found
on what BlazePose thinks is a front, or a hidden head give less, and below 0.6 `view_uncertain`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from posture.data_files import constant
from posture.errors import PhotoWarning, WarningCode
from posture.vision.landmarks import Landmark as L
from posture.vision.landmarks import PoseLandmarks

FACE_POINTS = (L.NOSE, L.LEFT_EYE, L.RIGHT_EYE, L.MOUTH_LEFT, L.MOUTH_RIGHT)
PAIRS = ((L.LEFT_SHOULDER, L.RIGHT_SHOULDER, "blazepose_depth_scale_shoulders"),
         (L.LEFT_HIP, L.RIGHT_HIP, "blazepose_depth_scale_hips"))
FEET = ((L.LEFT_HEEL, L.LEFT_FOOT_INDEX), (L.RIGHT_HEEL, L.RIGHT_FOOT_INDEX))
PROFILE_DEG = 45.0  # turned further than this from the camera, a body is seen in profile


class View(StrEnum):
    FRONT = "front"
    BACK = "back"
    SIDE_LEFT = "side_left"
    SIDE_RIGHT = "side_right"

    @property
    def is_frontal(self) -> bool:
        return self in (View.FRONT, View.BACK)

    @property
    def words(self) -> str:
        """The view as a person reads it: "side right"."""
        return self.value.replace("_", " ")

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
    confidence: float  # the probability that `view` is right (see the module's docstring)
    evidence: str


@dataclass(frozen=True)
class BodyYaw:
    """How far the body is turned from square to the camera, in degrees: + = the subject's left
    side further from the camera; `sd_deg` is one standard deviation."""

    deg: float
    sd_deg: float
    cues: str  # what it was read from, in words


@dataclass(frozen=True)
class Cue:
    """One reading and the probability it gives the first alternative (frontal; front; facing +x)."""

    probability: float
    reading: str


def detect_view(landmarks: PoseLandmarks, face_score: float | None = None) -> ViewEstimate:
    """The view and the probability that it is right (see the module's docstring).
    `face_score`: the face detector's best score around the head (0: no face), None if not asked."""
    torso = _torso_px(landmarks.xy_px)
    sector = _frontal_cues(landmarks, torso)
    frontal = _combined(sector)
    if frontal >= 0.5:
        way = _front_cues(landmarks, torso, face_score)
        front = _combined(way)
        view, confidence = (View.FRONT if front >= 0.5 else View.BACK), frontal * max(front, 1.0 - front)
    else:
        facing = _facing_x_votes(landmarks.xy_px, torso)
        way = [_cue(facing / constant("facing_sd_torso"), f"nose and toes {facing:+.2f} torso toward +x")]
        right = _combined(way)
        view = View.SIDE_RIGHT if right >= 0.5 else View.SIDE_LEFT
        confidence = (1.0 - frontal) * max(right, 1.0 - right)
    return ViewEstimate(view, confidence, "; ".join(c.reading for c in (*sector, *way)))


def body_yaw(landmarks: PoseLandmarks) -> BodyYaw | None:
    """The body's turn from BlazePose's depth of the shoulders and the hips and from the feet's
    direction, weighted by their errors; None when neither is there.

    BlazePose's depth is several times the image's x scale (measured on renders seen from the front
    and in profile), so it is rescaled before the angle is taken: atan2(depth / scale, width).
    The feet turn with the body: sin(yaw) = their mean sideways reach / the foot's length. The
    head is left out: it turns on its own.
    """
    found = [e for e in (_depth_yaw(landmarks), _feet_yaw(landmarks)) if e is not None]
    if not found:
        return None
    weights = [1.0 / sd**2 for _, sd, _ in found]
    deg = sum(w * value for w, (value, _, _) in zip(weights, found, strict=True)) / sum(weights)
    return BodyYaw(deg, 1.0 / math.sqrt(sum(weights)), " and from ".join(text for _, _, text in found))


def _combined(cues: Sequence[Cue]) -> float:
    """Independent cues together: their log-odds add."""
    return _probability(sum(_logit(c.probability) for c in cues))


def _pooled(cues: Sequence[Cue], reading: str) -> Cue:
    """Cues of one model, which share its errors, as one vote: their log-odds averaged."""
    return Cue(_probability(sum(_logit(c.probability) for c in cues) / len(cues)), reading)


def _cue(margin_sd: float, reading: str) -> Cue:
    """A reading `margin_sd` of its own spread on the first alternative's side, capped."""
    cap = constant("view_cue_max_probability")
    return Cue(min(max(0.5 * (1.0 + math.erf(margin_sd / math.sqrt(2.0))), 1.0 - cap), cap), reading)


def _frontal_cues(landmarks: PoseLandmarks, torso: float) -> list[Cue]:
    """Frontal (turned less than 45 degrees) or profile: the body's width against a square body's
    narrowed by cos 45, and the turn read from the depth."""
    pts = landmarks.xy_px
    width = sum(abs(pts[left, 0] - pts[right, 0]) for left, right, _ in PAIRS) / (2 * torso)
    square = constant("frontal_width_ratio")
    cues = [_cue((width - square * math.cos(math.radians(PROFILE_DEG))) / constant("frontal_width_ratio_sd"),
                f"body width/torso {width:.2f}")]
    depth = _depth_yaw(landmarks)
    if depth is not None:
        yaw, sd, _ = depth
        cues.append(_cue((PROFILE_DEG - abs(yaw)) / sd, f"turned {abs(yaw):.0f}±{sd:.0f}° by depth"))
    return cues


def _front_cues(landmarks: PoseLandmarks, torso: float, face_score: float | None) -> list[Cue]:
    """Front or back: the face detector, and BlazePose's facing (its nose ahead of the ears in
    depth, or without depth its face points' visibility; the toes below the heels) as one vote."""
    cues = []
    if face_score is not None:
        cues.append(_cue((face_score - constant("face_score_mid")) / constant("face_score_sd"),
                        f"face detector {face_score:.2f}"))
    pose = []
    if landmarks.depth_px is not None:
        depth = landmarks.depth_px
        ahead = ((depth[L.LEFT_EAR] + depth[L.RIGHT_EAR]) / 2 - depth[L.NOSE]) / torso
        pose.append(_cue(ahead / constant("nose_depth_sd_torso"), f"nose {ahead:+.2f} torso ahead of the ears"))
    else:
        seen = float(np.mean(landmarks.visibility[list(FACE_POINTS)]))
        pose.append(_cue((seen - 0.5) / constant("face_visibility_sd"), f"face visibility {seen:.2f}"))
    if _feet_seen(landmarks):
        pts = landmarks.xy_px
        drop = float(np.mean([pts[toe, 1] - pts[heel, 1] for heel, toe in FEET])) / torso
        pose.append(_cue(drop / constant("toes_drop_sd_torso"), f"toes {drop:+.2f} torso below the heels"))
    cues.append(_pooled(pose, "BlazePose: " + ", ".join(c.reading for c in pose)))
    return cues


def _depth_yaw(landmarks: PoseLandmarks) -> tuple[float, float, str] | None:
    """(yaw, sd, what it is read from) from the rescaled depth of the shoulders and the hips; their
    disagreement widens the error."""
    if landmarks.depth_px is None:
        return None
    pts, depth = landmarks.xy_px, landmarks.depth_px
    angles = [math.degrees(math.atan2((depth[left] - depth[right]) / constant(scale),
                                      abs(pts[left, 0] - pts[right, 0]))) for left, right, scale in PAIRS]
    yaw = sum(angles) / len(angles)
    sd = math.hypot(constant("yaw_depth_sd_deg"), (angles[0] - angles[1]) / 2)
    return yaw, sd, "the depth of the shoulders and hips"


def _feet_yaw(landmarks: PoseLandmarks) -> tuple[float, float, str] | None:
    """(yaw, sd, what it is read from) from the feet's mean sideways reach, in foot lengths."""
    if not _feet_seen(landmarks):
        return None
    pts = landmarks.xy_px
    reach = float(np.mean([pts[toe, 0] - pts[heel, 0] for heel, toe in FEET]))
    foot = constant("foot_length_of_torso") * _torso_px(pts)
    yaw = math.degrees(math.asin(max(-1.0, min(1.0, reach / foot))))
    sd = constant("yaw_feet_sd_deg")
    return yaw, sd, "the direction of the feet"


def _feet_seen(landmarks: PoseLandmarks) -> bool:
    threshold = constant("visibility_threshold")
    return all(landmarks.is_visible(point, threshold) for pair in FEET for point in pair)


def _torso_px(pts: np.ndarray) -> float:
    mid_shoulder = (pts[L.LEFT_SHOULDER] + pts[L.RIGHT_SHOULDER]) / 2
    mid_hip = (pts[L.LEFT_HIP] + pts[L.RIGHT_HIP]) / 2
    return max(float(np.linalg.norm(mid_shoulder - mid_hip)), 1e-6)


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def _probability(logit: float) -> float:
    return 1.0 / (1.0 + math.exp(-logit))


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
