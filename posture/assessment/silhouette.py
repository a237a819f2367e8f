"""The body outline from the pose model's segmentation mask: the side view's back and front edges
around the pelvis, and the mask sampled on grids around the hips, shoulders and neck.

Why: BlazePose's points follow a pelvic obliquity only in part, do not move with a sagittal pelvic
tilt, and have no C7; the outline of the body does move with all three. Pure geometry on the mask,
in the photo's pixels; the calibration (posture train-calibration) learns how to read the grids.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
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


@dataclass(frozen=True)
class OutlineGrid:
    """Where to sample the mask around a landmark pair's midpoint: `across` in widths of the pair
    (front/back) or torso lengths (side: + = the way the person faces), `down` in torso lengths
    (shoulder to hip line), + = downward."""

    across: np.ndarray
    down: np.ndarray

    @property
    def size(self) -> int:
        return len(self.across) * len(self.down)


# Waist to mid-thigh, out to the arms: the pelvis's contour (waist crease, iliac crest,
# trochanter), the crotch and the thighs' angles all tilt with a pelvic obliquity.
PELVIS_GRID = OutlineGrid(across=np.linspace(0.1, 1.8, 12), down=np.linspace(-0.3, 0.9, 25))
# Neck base to armpit: the top contour of the shoulders, which a raised shoulder lifts.
SHOULDER_GRID = OutlineGrid(across=np.linspace(0.1, 0.9, 9), down=np.linspace(-0.45, 0.35, 17))
# Side views. Ear to upper back: the neck's front and back contour and the head's position over it.
NECK_GRID = OutlineGrid(across=np.linspace(-0.5, 0.5, 11), down=np.linspace(-0.7, 0.2, 19))
# Waist to upper thigh: lower-back hollow, buttock and belly, which change with sagittal tilt.
SIDE_PELVIS_GRID = OutlineGrid(across=np.linspace(-0.6, 0.6, 13), down=np.linspace(-0.5, 0.4, 19))


# The mask is averaged over a square of this fraction of the torso before the grids sample it:
# about two grid steps, so each sample stands for its cell rather than one pixel of a jagged edge
# (on held-out renders: hip model MAE 0.87 deg unsmoothed, 0.60 smoothed; an edge-aware guided
# filter on the photo did no better than the plain average).
SMOOTHING_TORSO_FRACTION = 0.1


def smoothed(mask: np.ndarray, torso_px: float) -> np.ndarray:
    """The mask averaged over squares of SMOOTHING_TORSO_FRACTION of the torso (`torso_px` in the
    mask's pixels). Odd, centred squares: a mirrored mask gives the mirrored result."""
    side = 2 * max(1, round(SMOOTHING_TORSO_FRACTION * torso_px / 2)) + 1
    return cv2.blur(mask.astype(np.float32), (side, side))


def mirror_difference(
    mask: np.ndarray,
    image_size: tuple[int, int],
    grid: OutlineGrid,
    left_px: np.ndarray,
    right_px: np.ndarray,
    torso_px: float,
) -> np.ndarray | None:
    """The mask on the subject's left minus the mask at the mirrored point on their right, sampled
    on `grid` around the midpoint of a left/right landmark pair (front or back view, camera roll
    already undone; landmarks in `image_size` pixels, the mask may be smaller).

    Why: a pelvic obliquity or a raised shoulder moves one side's outline up and the other's down,
    while BlazePose's points follow only in part; a learned weighting of these differences
    (posture train-calibration) reads the tilt. Left minus right is antisymmetric, so a mirrored photo
    gives exactly the negated values, and a symmetric body gives zeros wherever it stands.
    """
    scale = mask.shape[1] / image_size[0]
    width = abs(left_px[0] - right_px[0]) * scale
    if torso_px * scale <= 20 or width <= 5:
        return None
    centre = (left_px + right_px) / 2 * scale
    toward_left = 1.0 if left_px[0] > right_px[0] else -1.0
    left = _sample(mask, grid, centre, toward_left * width, torso_px * scale)
    right = _sample(mask, grid, centre, -toward_left * width, torso_px * scale)
    return left - right


def side_profile(
    mask: np.ndarray, image_size: tuple[int, int], grid: OutlineGrid, anchor_px: np.ndarray, torso_px: float,
    facing_x: int,
) -> np.ndarray | None:
    """The mask sampled on `grid` around `anchor_px` in a side view, mirrored so that + across is
    the way the person faces (a photo of either side gives the same values).

    Why: the neck and pelvis outlines change with a forward head and a sagittal pelvic tilt, which
    the landmarks follow only in part; a learned weighting of them (posture train-calibration)
    reads the angles.
    """
    scale = mask.shape[1] / image_size[0]
    if torso_px * scale <= 20:
        return None
    return _sample(mask, grid, anchor_px * scale, facing_x * torso_px * scale, torso_px * scale)


def _sample(mask: np.ndarray, grid: OutlineGrid, origin: np.ndarray, across_px: float, down_px: float) -> np.ndarray:
    """The mask at origin + (across * across_px, down * down_px) for every grid point, in the mask's
    pixels (whose centres sit at +0.5 in landmark coordinates), row by row."""
    rows = np.broadcast_to((origin[1] + grid.down * down_px)[:, None], (len(grid.down), len(grid.across)))
    columns = np.broadcast_to(origin[0] + grid.across[None, :] * across_px, rows.shape)
    return _bilinear(mask, columns - 0.5, rows - 0.5).ravel().astype(np.float64)


def _bilinear(image: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """`image` at fractional pixel positions, 0 outside. In floating point (OpenCV's remap rounds
    positions to 1/32 px, which breaks the exact mirror symmetry)."""
    x0, y0 = np.floor(x).astype(int), np.floor(y).astype(int)
    tx, ty = x - x0, y - y0
    height, width = image.shape

    def at(col: np.ndarray, row: np.ndarray) -> np.ndarray:
        inside = (col >= 0) & (col < width) & (row >= 0) & (row < height)
        return np.where(inside, image[np.clip(row, 0, height - 1), np.clip(col, 0, width - 1)], 0.0)

    top = (1 - tx) * at(x0, y0) + tx * at(x0 + 1, y0)
    bottom = (1 - tx) * at(x0, y0 + 1) + tx * at(x0 + 1, y0 + 1)
    return (1 - ty) * top + ty * bottom
