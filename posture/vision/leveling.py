"""Camera roll from the background's vertical edges (door frames, wall corners, buildings).

Why: a phone held 2 deg off level adds 2 deg to every tilt, and 1-3 deg asymmetries are what
matter. Vertical structures lean by the camera roll in the photo: the roll is the length-weighted
mean lean of the edges that agree with the most supported lean.

Measured on the real photos of ../shared (python -m benchmarks.consistency): a model that also fits the
convergence of verticals under camera pitch (lean growing with the distance from the centre)
tracked a known 4 deg rotation 6x worse than this one, so pitch is not modelled; a strongly
pitched phone with edges on one side only biases the estimate (see docs/limits.md).

Conservative by design: an uncertain estimate is reported but not used, and the user is told how
to retake the photo.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

ANALYSIS_LONG_SIDE_PX = 1000
NEAR_VERTICAL_DEG = 10.0  # candidate segments; a roll beyond this is not a leveling problem
MIN_SEGMENT_FRACTION = 0.06  # of the image height
INLIER_DEG = 0.75
MIN_INLIERS = 4
MIN_SUPPORT = 0.6  # total inlier length, in image heights
MIN_AGREEMENT = 0.4  # inlier length / all candidate length
MIN_SPREAD = 0.1  # horizontal spread of inlier midpoints, in image widths (not one object's texture)
MAX_RESIDUAL_DEG = 0.45
PERSON_MARGIN_FRACTION = 0.02  # of the image height, around each person's outline
MAX_ON_PERSON_FRACTION = 0.3  # of a segment's length


@dataclass(frozen=True)
class RollEstimate:
    roll_deg: float | None  # counter-clockwise on screen; None when there was nothing to measure
    confident: bool
    inliers: int
    support: float  # total length of agreeing segments, in image heights
    residual_deg: float | None
    reason: str


def estimate_camera_roll(rgb: np.ndarray, people_mask: np.ndarray | None) -> RollEstimate:
    """Roll of the camera from vertical edges outside the people (mask in `rgb`'s pixels)."""
    gray = _analysis_image(rgb)
    height, width = gray.shape
    segments = cv2.createLineSegmentDetector(cv2.LSD_REFINE_STD).detect(gray)[0]
    if segments is None:
        return _unsure(None, 0, 0.0, None, "no straight edges in the background")
    segments = _near_vertical(segments.reshape(-1, 4).astype(np.float64), height)
    if people_mask is not None and len(segments):
        segments = _outside_people(segments, people_mask, gray.shape)
    if len(segments) < MIN_INLIERS:
        return _unsure(None, len(segments), 0.0, None, "too few vertical edges in the background (plain wall?)")

    leans, lengths = _lean_deg(segments), _lengths(segments)
    position = ((segments[:, 0] + segments[:, 2]) / 2) / width
    inliers = np.abs(leans - _weighted_mode(leans, lengths)) <= 2 * INLIER_DEG
    roll = 0.0
    for _ in range(3):
        if inliers.sum() < MIN_INLIERS:
            return _unsure(None, int(inliers.sum()), 0.0, None, "background edges do not agree on a vertical")
        roll = float(np.average(leans[inliers], weights=lengths[inliers]))
        inliers = np.abs(leans - roll) <= INLIER_DEG

    count = int(inliers.sum())
    if count < MIN_INLIERS:
        return _unsure(roll, count, 0.0, None, "background edges do not agree on a vertical")
    residuals = leans[inliers] - roll
    residual = float(np.sqrt(np.average(residuals**2, weights=lengths[inliers])))
    support = float(lengths[inliers].sum() / height)
    agreement = float(lengths[inliers].sum() / lengths.sum())
    spread = float(np.ptp(position[inliers]))
    checks = (
        (support >= MIN_SUPPORT, "too little vertical structure in the background"),
        (agreement >= MIN_AGREEMENT, "background edges point in many directions"),
        (spread >= MIN_SPREAD, "the vertical edges come from a single object"),
        (residual <= MAX_RESIDUAL_DEG, "background edges disagree on the vertical"),
    )
    for passed, reason in checks:
        if not passed:
            return _unsure(roll, count, support, residual, reason)
    return RollEstimate(roll, True, count, support, residual, "leveled from background verticals")


def _unsure(roll, inliers, support, residual, reason) -> RollEstimate:
    return RollEstimate(roll, False, inliers, support, residual, reason)


def _analysis_image(rgb: np.ndarray) -> np.ndarray:
    height, width = rgb.shape[:2]
    scale = min(1.0, ANALYSIS_LONG_SIDE_PX / max(width, height))
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    if scale < 1.0:
        gray = cv2.resize(gray, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
    return gray


def _lengths(segments: np.ndarray) -> np.ndarray:
    return np.hypot(segments[:, 2] - segments[:, 0], segments[:, 3] - segments[:, 1])


def _lean_deg(segments: np.ndarray) -> np.ndarray:
    """Each segment's angle from vertical, + when its top is further left (a counter-clockwise
    roll on screen moves the top of a vertical to the left)."""
    top_is_first = segments[:, 1] < segments[:, 3]
    x_top = np.where(top_is_first, segments[:, 0], segments[:, 2])
    y_top = np.where(top_is_first, segments[:, 1], segments[:, 3])
    x_bottom = np.where(top_is_first, segments[:, 2], segments[:, 0])
    y_bottom = np.where(top_is_first, segments[:, 3], segments[:, 1])
    return np.degrees(np.arctan2(x_bottom - x_top, y_bottom - y_top))


def _near_vertical(segments: np.ndarray, height: int) -> np.ndarray:
    keep = (np.abs(_lean_deg(segments)) <= NEAR_VERTICAL_DEG) & (_lengths(segments) >= MIN_SEGMENT_FRACTION * height)
    return segments[keep]


def _outside_people(segments: np.ndarray, mask: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Drop segments that run along a person: their outline is not a vertical of the room. A long
    edge that only passes near them (a door jamb behind an arm) is kept."""
    height, width = shape
    body = cv2.resize((mask > 0.3).astype(np.uint8), (width, height), interpolation=cv2.INTER_NEAREST)
    margin = max(1, round(PERSON_MARGIN_FRACTION * height))
    body = cv2.dilate(body, np.ones((2 * margin + 1, 2 * margin + 1), np.uint8))
    steps = np.linspace(0.0, 1.0, 17)
    xs = np.clip(np.round(segments[:, [0]] + steps * (segments[:, [2]] - segments[:, [0]])).astype(int), 0, width - 1)
    ys = np.clip(np.round(segments[:, [1]] + steps * (segments[:, [3]] - segments[:, [1]])).astype(int), 0, height - 1)
    return segments[body[ys, xs].mean(axis=1) <= MAX_ON_PERSON_FRACTION]


def _weighted_mode(values: np.ndarray, weights: np.ndarray) -> float:
    """The most supported value: a length-weighted histogram smoothed over about a degree."""
    bins = np.arange(-NEAR_VERTICAL_DEG, NEAR_VERTICAL_DEG + 0.25, 0.25)
    counts, _ = np.histogram(values, bins=bins, weights=weights)
    smooth = np.convolve(counts, np.ones(5), mode="same")
    peak = int(np.argmax(smooth))
    return float((bins[peak] + bins[peak + 1]) / 2)
