"""Test-time augmentation: ask the model about transformed copies of the photo, map the answers
back, and combine them. Why: one BlazePose call on a photo and on its mirror image disagree by a
median 2.2 deg on the shoulder/hip lines, more than the 1-3 deg asymmetries that matter.

The set of copies is closed under mirroring: with a flipped copy of every rotation and scale
(a rotation by +a flipped is the flip of a rotation by -a), a mirrored photo produces exactly the
same set of images, so its result is exactly the mirrored result. Left and right swap in a flipped
copy and are swapped back here.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from posture.vision.landmarks import MIRROR_ORDER
from posture.vision.pose_model import PoseEstimator, RawPose

# A copy whose landmarks sit further than this (median, in fractions of the body's height) from the
# original's found someone else (another person in the photo) and is left out.
SAME_PERSON_TOLERANCE = 0.08


@dataclass(frozen=True)
class Copy:
    flip: bool = False
    rotate_deg: float = 0.0  # counter-clockwise on screen
    scale: float = 1.0


PLAIN_FLIP = Copy(flip=True)
# With the original: {I, F I, R+ I, F R- I, S I, F S I} - six model calls, closed under flipping.
DEFAULT_COPIES = (
    PLAIN_FLIP,
    Copy(rotate_deg=3.0),
    Copy(flip=True, rotate_deg=-3.0),
    Copy(scale=0.6),
    Copy(flip=True, scale=0.6),
)


def detect_augmented(
    estimator: PoseEstimator, rgb: np.ndarray, original: RawPose, copies: tuple[Copy, ...] = DEFAULT_COPIES
) -> RawPose:
    """Combine `original` (the model's answer for `rgb`) with its answers for `copies`.

    Landmarks and depth: per-coordinate mean after dropping the most extreme answer on each side
    (robust to one bad copy). Visibility: the mean. The per-copy landmarks are kept as `samples` so each
    measurement can take its own spread. The person mask: the mean of the original's and the plain
    flipped copy's (flipped back), so a mirrored photo gives exactly the mirrored mask.
    """
    mirrored_mask = None
    answers = [original.xy_fraction]
    visibilities = [original.visibility]
    depths = [original.depth]
    height = _body_height_fraction(original)
    for copy in copies:
        image, back = _transformed(rgb, copy)
        raw = estimator.detect(image)
        if raw is None:
            continue
        xy = back(raw.xy_fraction)
        visibility, depth = raw.visibility, raw.depth  # depth is unchanged by flips and turns
        if copy.flip:
            xy, visibility, depth = xy[MIRROR_ORDER], visibility[MIRROR_ORDER], depth[MIRROR_ORDER]
        if np.median(np.linalg.norm(xy - original.xy_fraction, axis=1)) > SAME_PERSON_TOLERANCE * height:
            continue
        answers.append(xy)
        visibilities.append(visibility)
        depths.append(depth)
        if copy == PLAIN_FLIP and raw.person_mask is not None:
            mirrored_mask = raw.person_mask[:, ::-1]
    samples = np.stack(answers)
    mask = original.person_mask
    if mask is not None and mirrored_mask is not None and mirrored_mask.shape == mask.shape:
        mask = (mask + mirrored_mask) / 2
    return RawPose(
        xy_fraction=_trimmed_mean(samples),
        visibility=np.mean(visibilities, axis=0),
        depth=_trimmed_mean(np.stack(depths)),
        person_mask=mask,
        samples=samples,
    )


def _trimmed_mean(samples: np.ndarray) -> np.ndarray:
    if len(samples) < 4:
        return np.median(samples, axis=0)
    ordered = np.sort(samples, axis=0)
    return ordered[1:-1].mean(axis=0)


def _body_height_fraction(raw: RawPose) -> float:
    ys = raw.xy_fraction[:, 1]
    return max(float(ys.max() - ys.min()), 1e-3)


def _transformed(rgb: np.ndarray, copy: Copy):
    """The copy's image, and a function mapping its landmark fractions back to the original's."""
    height, width = rgb.shape[:2]
    image = rgb
    if copy.scale != 1.0:
        size = (max(1, round(width * copy.scale)), max(1, round(height * copy.scale)))
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    out_h, out_w = image.shape[:2]
    inverse = None
    if copy.rotate_deg:
        # OpenCV's pixel centres are integers: rotate about the exact centre so that rotating a
        # flipped image by -a is the flipped image of a rotation by +a.
        centre = ((out_w - 1) / 2.0, (out_h - 1) / 2.0)
        matrix = cv2.getRotationMatrix2D(centre, copy.rotate_deg, 1.0)
        image = cv2.warpAffine(image, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REPLICATE)
        inverse = cv2.invertAffineTransform(matrix)
    if copy.flip:
        image = image[:, ::-1]
    image = np.ascontiguousarray(image)

    def back(xy_fraction: np.ndarray) -> np.ndarray:
        xy = xy_fraction.copy()
        if copy.flip:
            xy[:, 0] = 1.0 - xy[:, 0]
        if inverse is not None:
            # Fractions -> OpenCV pixel coordinates (centres on integers) and back.
            px = xy * np.array([out_w, out_h]) - 0.5
            px = px @ inverse[:, :2].T + inverse[:, 2]
            xy = (px + 0.5) / np.array([out_w, out_h])
        return xy  # scaling maps the whole image onto the whole image: fractions are unchanged

    return image, back
