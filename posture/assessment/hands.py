"""Is something held in a hand? A bag, a clutch or a phone in one hand pulls that shoulder down and
leans the trunk away from the load, which a photo would read as posture.

The pose model has no point for what a hand holds, but its person mask shows the held object in
one of two ways: taken in with the hand (an empty hand's outline ends a hand's half-width beside
it, a held bag's well beyond), or as a blob the segmenter is only half sure of (mask 0.1-0.5) at
and below the hand, where an empty hand has only the thin soft rim every outline has. A bag
hanging clear of the hand on long handles is often left out of the mask entirely; it is seen in
the photo itself: straight below the hand, for a long stretch, something unlike the background
beside it at the same height (docs/limits.md says what this misses).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from posture.assessment.measurements import body_height_px
from posture.assessment.views import View
from posture.data_files import constant, load
from posture.errors import PhotoWarning, WarningCode
from posture.vision.landmarks import Landmark as L
from posture.vision.landmarks import PoseLandmarks

HANDS = {
    "left": (L.LEFT_WRIST, L.LEFT_INDEX, L.LEFT_PINKY),
    "right": (L.RIGHT_WRIST, L.RIGHT_INDEX, L.RIGHT_PINKY),
}
ROWS_ABOVE, ROWS_BELOW = 0.03, 0.12  # of the body's height: the hand and what hangs from it
GAP = 0.01  # of the body's height: background this wide ends the outline
HALF_SURE = (0.1, 0.5)  # mask values the segmenter is unsure of
RIM = 0.012  # of the body's height: an opening this wide removes the soft rim of any outline
HALF_WIDTH = 0.06  # of the body's height: the columns either side of the hand searched
HANGING_BAND = 0.03  # of the body's height, either side of the hand: where a hanging load is
BACKGROUND_BAND = (0.08, 0.15)  # of the body's height, outward from the hand: the background beside it
HANGING_ROWS = (0.03, 0.30, 0.01)  # of the body's height below the hand: first, last, step
HANGING_START = 0.08  # of the body's height: the load's run starts this close below the hand


@dataclass(frozen=True)
class HandReading:
    """What the mask shows at one hand, both in body heights (squared for the area)."""

    outward_reach: float  # how far the outline runs outward from the hand
    half_sure_area: float  # what the segmenter is half sure of at and below the hand
    hanging_length: float  # how far something unlike the background runs down from the hand

    def holds_something(self) -> bool:
        stance = load("thresholds.json")["stance"]
        return (self.outward_reach > stance["max_hand_outline_reach_of_height"]["value"]
                or self.half_sure_area > stance["max_half_sure_area_at_hand_of_height_squared"]["value"]
                or self.hanging_length > stance["max_hanging_below_hand_of_height"]["value"])


def held_object(
    landmarks: PoseLandmarks, person_mask: np.ndarray | None, rgb: np.ndarray, view: View
) -> PhotoWarning | None:
    """A warning naming the hand(s) whose mask or photo shows more than an empty hand's. `rgb` is
    the working copy the mask belongs to."""
    if person_mask is None or not view.is_frontal:
        return None
    readings = hand_readings(landmarks, person_mask, rgb)
    holding = [side for side, reading in readings.items() if reading.holds_something()]
    if not holding:
        return None
    return PhotoWarning(
        WarningCode.OBJECT_IN_HAND,
        f"Something seems to be held in {'both hands' if len(holding) == 2 else 'the ' + holding[0] + ' hand'} "
        "(a bag, a clutch, a phone?). A load in "
        "one hand pulls that shoulder down and leans the trunk away: put everything down and let the arms "
        "hang empty.",
    )


def hand_readings(landmarks: PoseLandmarks, person_mask: np.ndarray, rgb: np.ndarray) -> dict[str, HandReading]:
    """The reading of each hand whose points are seen, by the subject's side."""
    threshold = constant("visibility_threshold")
    scale = person_mask.shape[1] / landmarks.image_size[0]
    stature = body_height_px(landmarks, threshold)[0] * scale
    mid_x = (landmarks.xy_px[L.LEFT_HIP, 0] + landmarks.xy_px[L.RIGHT_HIP, 0]) / 2 * scale
    half_sure = _half_sure(person_mask, stature)
    hands = {side: landmarks.xy_px[list(points)].mean(axis=0) * scale for side, points in HANDS.items()
             if all(landmarks.is_visible(lm, threshold) for lm in points)}
    not_person = cv2.dilate((person_mask > HALF_SURE[0]).astype(np.uint8), np.ones((5, 5), np.uint8)) == 0
    return {side: HandReading(_outward_reach(person_mask > 0.5, hand, mid_x, stature),
                              _area_at_hand(half_sure, hand, stature),
                              _hanging_length(rgb, not_person, hand, 1 if hand[0] >= mid_x else -1, stature))
            for side, hand in hands.items()}


def _outward_reach(body: np.ndarray, hand: np.ndarray, mid_x: float, stature: float) -> float:
    """How far the outline runs outward from the hand's centre, in body heights: the 90th
    percentile over the rows of the hand and below it (the object is the widest part)."""
    outward = 1 if hand[0] >= mid_x else -1
    columns = np.round(hand[0] + outward * np.arange(0, 0.25 * stature)).astype(int)
    columns = columns[(columns >= 0) & (columns < body.shape[1])]
    rows = np.arange(round(hand[1] - ROWS_ABOVE * stature), round(hand[1] + ROWS_BELOW * stature))
    rows = rows[(rows >= 0) & (rows < body.shape[0])]
    if not len(columns) or not len(rows):
        return 0.0
    gap = max(1, round(GAP * stature))
    return float(np.percentile(_run_lengths(body[np.ix_(rows, columns)], gap), 90)) / stature


def _run_lengths(lines: np.ndarray, gap: int) -> np.ndarray:
    """Per row: the index of the last body pixel before the first `gap` background pixels (from
    the row's start, the hand's centre; the row's end counts as background), 0 at least. All rows
    at once: this runs on every frame of the live preview."""
    padded = np.concatenate([lines, np.zeros((len(lines), gap), bool)], axis=1)
    background = np.concatenate([np.zeros((len(lines), 1), int), np.cumsum(~padded, axis=1)], axis=1)
    all_background = (background[:, gap:] - background[:, :-gap]) == gap  # [j, j + gap) is background
    return np.maximum(np.argmax(all_background, axis=1) - 1, 0)


def _half_sure(person_mask: np.ndarray, stature: float) -> np.ndarray:
    """Where the segmenter is unsure, without the thin soft rim along every outline."""
    low, high = HALF_SURE
    unsure = ((person_mask > low) & (person_mask < high)).astype(np.uint8)
    width = max(3, round(RIM * stature))
    return cv2.morphologyEx(unsure, cv2.MORPH_OPEN, np.ones((width, width), np.uint8)) > 0


def _area_at_hand(half_sure: np.ndarray, hand: np.ndarray, stature: float) -> float:
    """The half-sure area at the hand and below it (what hangs from it), in body heights squared."""
    x0, x1 = (max(0, round(hand[0] + d * stature)) for d in (-HALF_WIDTH, HALF_WIDTH))
    y0, y1 = (max(0, round(hand[1] + d * stature)) for d in (-ROWS_ABOVE, ROWS_BELOW))
    return float(half_sure[y0:y1, x0:x1].sum()) / stature**2


def _hanging_length(rgb: np.ndarray, not_person: np.ndarray, hand: np.ndarray, outward: int, stature: float) -> float:
    """The longest run of rows, starting just below the hand, where the background straight below
    it differs in colour from the background beside it (a median, so a thin pole or door-frame edge
    does not count), in body heights. Rows where the person covers the band are skipped."""
    limit = load("thresholds.json")["stance"]["hanging_colour_difference_lab"]["value"]
    first, last, step = HANGING_ROWS
    below = _columns(hand[0], -HANGING_BAND, HANGING_BAND, stature, rgb.shape[1])
    beside = _columns(hand[0], *(outward * d for d in BACKGROUND_BAND), stature, rgb.shape[1])
    run, longest = 0, 0
    for offset in np.arange(first, last, step):
        row = round(hand[1] + offset * stature)
        if row >= rgb.shape[0] or not len(below) or not len(beside):
            break
        under, side = below[not_person[row, below]], beside[not_person[row, beside]]
        if len(under) < 0.3 * len(below) or len(side) < 3:
            continue  # the leg or the other arm covers the band: no evidence either way
        lab = cv2.cvtColor(rgb[row:row + 1, np.concatenate([under, side])], cv2.COLOR_RGB2LAB)[0].astype(float)
        differs = np.linalg.norm(np.median(lab[:len(under)], 0) - np.median(lab[len(under):], 0)) > limit
        if differs:
            run += 1
            longest = max(longest, run)
        elif run or offset > HANGING_START:
            break  # a load hangs from the hand: its run starts at the hand and does not resume
    return longest * step


def _columns(x: float, start: float, end: float, stature: float, width: int) -> np.ndarray:
    low, high = sorted((round(x + start * stature), round(x + end * stature)))
    return np.arange(max(low, 0), min(high + 1, width))
