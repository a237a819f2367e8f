"""Find the person to analyse in a photo, and notice when there is more than one."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posture.errors import ErrorCode, PhotoError, PhotoWarning, WarningCode
from posture.vision.augment import DEFAULT_COPIES, Copy, detect_augmented
from posture.vision.image_io import Photo
from posture.vision.landmarks import Landmark as L
from posture.vision.landmarks import PoseLandmarks
from posture.vision.pose_model import PoseEstimator, RawPose

SECOND_PERSON_MIN_VISIBILITY = 0.7
BOX_MARGIN = 0.15


@dataclass(frozen=True)
class Person:
    landmarks: PoseLandmarks  # upright-original pixels
    person_mask: np.ndarray | None  # working-copy pixels, 0..1
    people_mask: np.ndarray | None  # every person the model found (leveling ignores their edges)
    warnings: tuple[PhotoWarning, ...]


def find_person(
    photo: Photo, estimator: PoseEstimator, copies: tuple[Copy, ...] = DEFAULT_COPIES, second_look: bool = True
) -> Person:
    """The most prominent person (largest body box) in the photo, refined by test-time augmentation.

    BlazePose reports one person per call, not necessarily the biggest, so the first person is
    greyed out and the model asked once more; a second confident person means a warning, and the
    larger of the two is analysed (on the image where the other one is greyed out).
    `copies=()` gives the bare model's answer; `second_look=False` (the live preview, one call per
    frame) takes the first person.
    """
    first = estimator.detect(photo.rgb)
    if first is None:
        raise PhotoError(
            ErrorCode.NO_PERSON,
            "No person was found. Retake the photo with the whole body in the frame and filling most "
            "of its height, standing, with good light and a plain background.",
        )
    chosen, image, warnings = first, photo.rgb, []
    people_mask = first.person_mask
    seen_by_model = _grey_out(photo.rgb, first) if second_look else None
    second = estimator.detect(seen_by_model) if second_look else None
    if second is not None and np.mean(second.visibility) >= SECOND_PERSON_MIN_VISIBILITY:
        if people_mask is not None and second.person_mask is not None:
            people_mask = np.maximum(people_mask, second.person_mask)
        if _box_area(second) > _box_area(first):
            chosen, image = second, seen_by_model
        warnings.append(
            PhotoWarning(
                WarningCode.SEVERAL_PEOPLE,
                "More than one person is in the photo; the most prominent one was analysed. "
                "Crop the photo to one person or retake it alone for a reliable result.",
            )
        )
    if copies:
        chosen = detect_augmented(estimator, image, chosen, copies)
    width, height = photo.original_size
    to_pixels = np.array([width, height], dtype=np.float64)
    landmarks = PoseLandmarks(
        xy_px=chosen.xy_fraction * to_pixels,
        visibility=np.clip(chosen.visibility, 0.0, 1.0),
        image_size=(width, height),
        samples_px=None if chosen.samples is None else chosen.samples * to_pixels,
        depth_px=chosen.depth * width,
    )
    return Person(landmarks, chosen.person_mask, people_mask, tuple(warnings))


def _box(raw: RawPose) -> tuple[float, float, float, float]:
    seen = raw.xy_fraction[raw.visibility >= 0.5]
    if len(seen) == 0:
        seen = raw.xy_fraction
    (x0, y0), (x1, y1) = seen.min(axis=0), seen.max(axis=0)
    return float(x0), float(y0), float(x1), float(y1)


def _box_area(raw: RawPose) -> float:
    x0, y0, x1, y1 = _box(raw)
    return max(0.0, x1 - x0) * max(0.0, y1 - y0)


def _grey_out(rgb: np.ndarray, raw: RawPose) -> np.ndarray:
    height, width = rgb.shape[:2]
    x0, y0, x1, y1 = _box(raw)
    margin_x, margin_y = (x1 - x0) * BOX_MARGIN, (y1 - y0) * BOX_MARGIN
    left, right = int(max(0, (x0 - margin_x) * width)), int(min(width, (x1 + margin_x) * width))
    top, bottom = int(max(0, (y0 - margin_y * 2) * height)), int(min(height, (y1 + margin_y) * height))
    hidden = rgb.copy()
    hidden[top:bottom, left:right] = 128
    return hidden


def points_off_outline(
    landmarks: PoseLandmarks, person_mask: np.ndarray | None, visibility_threshold: float, max_off_torso: float,
) -> tuple[L, ...]:
    """The seen points farther than `max_off_torso` torso lengths from this person's outline (the
    segmentation mask, which follows the body the model found): BlazePose joined a limb of someone
    nearby (or of the background) to this person. Points outside the photo are not seen (the
    cut-off check speaks for them); no mask, no point."""
    if person_mask is None:
        return ()
    scale = person_mask.shape[1] / landmarks.image_size[0]
    shoulders = (landmarks.point(L.LEFT_SHOULDER) + landmarks.point(L.RIGHT_SHOULDER)) / 2
    hips = (landmarks.point(L.LEFT_HIP) + landmarks.point(L.RIGHT_HIP)) / 2
    reach = max(1, int(round(max_off_torso * float(np.linalg.norm(shoulders - hips)) * scale)))
    body = person_mask >= 0.5
    height, width = body.shape
    off = []
    for lm in L:
        if not landmarks.is_visible(lm, visibility_threshold):
            continue
        x = min(int(round(landmarks.point(lm)[0] * scale)), width - 1)
        y = min(int(round(landmarks.point(lm)[1] * scale)), height - 1)
        top, left = max(0, y - reach), max(0, x - reach)
        rows, cols = np.nonzero(body[top:y + reach + 1, left:x + reach + 1])
        if not np.any(np.hypot(rows + top - y, cols + left - x) <= reach):
            off.append(lm)
    return tuple(off)


def mixed_skeleton_warning(off_outline: tuple[L, ...]) -> list[PhotoWarning]:
    """The warning for points off the person's outline (none when there are none)."""
    if not off_outline:
        return []
    names = ", ".join(lm.words for lm in off_outline)
    return [PhotoWarning(
        WarningCode.MIXED_SKELETON,
        f"Some body points ({names}) lie off this person's outline: the skeleton may join limbs of "
        "another person nearby (they are circled in grey on the image). The measurements that use them "
        "give no finding. Retake standing alone in the frame, clear of other people.",
    )]
