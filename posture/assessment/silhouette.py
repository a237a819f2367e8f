"""The body outline around the pelvis in a side view, from the pose model's segmentation mask.

Why: BlazePose's hip points do not move with a sagittal pelvic tilt; the outline of the lower back,
buttock and belly does. Pure geometry on the mask, in the photo's pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SilhouetteProfile:
    """The body outline around the pelvis in a side view, relative to the hip joint landmark.

    Offsets are in pixels of the photo, + = further back (behind the hip) or further forward
    (ahead of it), whichever way the subject faces.
    """

    inclination_deg: float  # hollow -> buttock line from vertical; + = buttock further back
    buttock_behind_hip_px: float
    hollow_behind_hip_px: float
    belly_ahead_of_hip_px: float


def silhouette_profile(
    mask: np.ndarray,
    image_size: tuple[int, int],
    shoulder_px: np.ndarray,
    hip_px: np.ndarray,
    facing_x: int,
) -> SilhouetteProfile | None:
    """Trace the back and front edges of the torso between the shoulder and below the hip.

    The lumbar hollow is the deepest point of the back edge above the hip, the buttock the most
    posterior point around it, the belly the most anterior point of the front edge above the hip.
    A deeper hollow and a more prominent buttock go with an anteriorly tilted pelvis.
    """
    body = mask > 0.5
    scale = mask.shape[1] / image_size[0]
    hip_y, hip_x = hip_px[1] * scale, hip_px[0] * scale
    torso = (hip_px[1] - shoulder_px[1]) * scale
    if torso <= 10:
        return None

    def edges(row: int) -> tuple[float, float] | None:
        """(back, front) of the run of body pixels containing the hip's x, as offsets from it."""
        if not 0 <= row < body.shape[0]:
            return None
        columns = np.flatnonzero(body[row])
        if len(columns) == 0:
            return None
        breaks = np.flatnonzero(np.diff(columns) > 1)
        starts = np.concatenate(([columns[0]], columns[breaks + 1]))
        ends = np.concatenate((columns[breaks], [columns[-1]]))
        inside = [(a, b) for a, b in zip(starts, ends, strict=True) if a <= hip_x <= b]
        if not inside:
            return None
        start, end = inside[0]
        if facing_x > 0:
            return float(hip_x - start), float(end - hip_x)
        return float(end - hip_x), float(hip_x - start)

    def extreme(top: float, bottom: float, side: int, pick) -> tuple[int, float] | None:
        rows = range(int(round(top)), int(round(bottom)) + 1)
        values = [(row, found[side]) for row in rows if (found := edges(row)) is not None]
        return pick(values, key=lambda item: item[1]) if values else None

    hollow = extreme(hip_y - 0.45 * torso, hip_y - 0.1 * torso, 0, min)
    buttock = extreme(hip_y - 0.1 * torso, hip_y + 0.15 * torso, 0, max)
    belly = extreme(hip_y - 0.45 * torso, hip_y - 0.05 * torso, 1, max)
    if hollow is None or buttock is None or belly is None or buttock[0] <= hollow[0]:
        return None
    inclination = math.degrees(math.atan2(buttock[1] - hollow[1], buttock[0] - hollow[0]))
    return SilhouetteProfile(inclination, buttock[1] / scale, hollow[1] / scale, belly[1] / scale)


# Heights of the frontal outline samples, as fractions of the torso (shoulder to hip) from the hip
# line: from the waist to the upper thigh.
OUTLINE_HEIGHTS = np.linspace(-0.45, 0.5, 24)
# Each sample averages the rows within this fraction of the torso around its height (pixel noise).
OUTLINE_BAND_FRACTION = 0.02


def frontal_outline(
    mask: np.ndarray,
    image_size: tuple[int, int],
    left_shoulder_px: np.ndarray,
    right_shoulder_px: np.ndarray,
    left_hip_px: np.ndarray,
    right_hip_px: np.ndarray,
) -> np.ndarray | None:
    """How far the body's outline reaches to the subject's left minus to the right of the mid-hip,
    at OUTLINE_HEIGHTS, in hip widths (front or back view, camera roll already undone).

    Why: a pelvic obliquity raises the whole hip contour on one side (waist crease, iliac crest,
    trochanter) while BlazePose's hip points follow it only in part; a learned weighting of these
    differences (posture bench calibrate) reads the tilt. Left minus right is antisymmetric, so a
    mirrored photo gives exactly the negated outline.
    """
    body = mask > 0.5
    scale = mask.shape[1] / image_size[0]
    hip_y = (left_hip_px[1] + right_hip_px[1]) / 2 * scale
    shoulder_y = (left_shoulder_px[1] + right_shoulder_px[1]) / 2 * scale
    centre_x = (left_hip_px[0] + right_hip_px[0]) / 2 * scale
    hip_width = abs(left_hip_px[0] - right_hip_px[0]) * scale
    torso = hip_y - shoulder_y
    if torso <= 20 or hip_width <= 5:
        return None
    left_is_image_right = left_hip_px[0] > right_hip_px[0]
    centre = int(math.floor(centre_x))  # the column holding x: its mirror holds the mirrored x
    if not 0 <= centre < body.shape[1]:
        return None
    half_band = max(1, int(round(OUTLINE_BAND_FRACTION * torso)))
    differences = []
    for fraction in OUTLINE_HEIGHTS:
        middle = int(round(hip_y + fraction * torso))
        per_row = []
        for row in range(middle - half_band, middle + half_band + 1):
            if not 0 <= row < body.shape[0] or not body[row, centre]:
                continue
            outside = np.flatnonzero(~body[row])
            image_left = centre - (outside[outside < centre].max(initial=-1) + 1)
            image_right = outside[outside > centre].min(initial=body.shape[1]) - 1 - centre
            subject_left, subject_right = (
                (image_right, image_left) if left_is_image_right else (image_left, image_right)
            )
            per_row.append(subject_left - subject_right)
        differences.append(np.mean(per_row) / hip_width if per_row else np.nan)
    values = np.array(differences, dtype=np.float64)
    missing = np.isnan(values)
    if missing.mean() > 0.6:
        return None
    # Rows where the centre line is not on the body (between the legs) carry no side: the median.
    values[missing] = np.median(values[~missing])
    return values
