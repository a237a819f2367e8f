"""Annotated images: skeleton, the measured lines with their values, plumb line, findings.

Drawing receives landmarks and measurements already computed; it never measures. Sizes scale with
the image so a 12 MP photo and a thumbnail are both readable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from posture.registry import drawn_lines
from posture.vision.landmarks import Landmark as L
from posture.vision.landmarks import PoseLandmarks

LEFT_RGB = (40, 120, 255)
RIGHT_RGB = (255, 140, 0)
MIDDLE_RGB = (220, 220, 220)
NORMAL_RGB = (60, 200, 90)  # a measured line with no finding
RGB = tuple[int, int, int]

BONES = (
    (L.LEFT_SHOULDER, L.RIGHT_SHOULDER), (L.LEFT_HIP, L.RIGHT_HIP),
    (L.LEFT_SHOULDER, L.LEFT_ELBOW), (L.LEFT_ELBOW, L.LEFT_WRIST),
    (L.RIGHT_SHOULDER, L.RIGHT_ELBOW), (L.RIGHT_ELBOW, L.RIGHT_WRIST),
    (L.LEFT_SHOULDER, L.LEFT_HIP), (L.RIGHT_SHOULDER, L.RIGHT_HIP),
    (L.LEFT_HIP, L.LEFT_KNEE), (L.LEFT_KNEE, L.LEFT_ANKLE), (L.LEFT_ANKLE, L.LEFT_HEEL),
    (L.LEFT_HEEL, L.LEFT_FOOT_INDEX), (L.LEFT_ANKLE, L.LEFT_FOOT_INDEX),
    (L.RIGHT_HIP, L.RIGHT_KNEE), (L.RIGHT_KNEE, L.RIGHT_ANKLE), (L.RIGHT_ANKLE, L.RIGHT_HEEL),
    (L.RIGHT_HEEL, L.RIGHT_FOOT_INDEX), (L.RIGHT_ANKLE, L.RIGHT_FOOT_INDEX),
    (L.LEFT_EAR, L.LEFT_EYE), (L.RIGHT_EAR, L.RIGHT_EYE), (L.LEFT_EYE, L.NOSE), (L.RIGHT_EYE, L.NOSE),
)

@dataclass(frozen=True)
class Annotation:
    """What to draw besides the skeleton, all decided elsewhere (posture.presentation)."""

    view: str  # a View value
    measurements: Mapping[str, tuple[float | None, str]]  # id -> (value, unit)
    line_colours: Mapping[str, RGB]  # measurement id -> colour of its line (NORMAL_RGB otherwise)
    legend: Sequence[tuple[str, RGB]]  # lines of text for the legend; empty: "no findings"
    visibility_threshold: float = 0.5
    near_side: str = "left"  # side views: which body side the measurements read
    show_legend: bool = True  # False for the live preview, which has no findings to list
    camera_roll_deg: float = 0.0  # undone in the measurements; a level line shows turned by it


def annotate(image_rgb: np.ndarray, landmarks: PoseLandmarks, note: Annotation) -> np.ndarray:
    """A copy of `image_rgb` (any size; landmarks are scaled from the original photo's pixels)."""
    canvas = np.ascontiguousarray(image_rgb.copy())
    height, width = canvas.shape[:2]
    scale = width / landmarks.image_size[0]
    points = landmarks.xy_px * scale
    unit = max(1, round(max(width, height) / 700))  # line width 1 up to a ~1000 px preview
    seen = {lm: landmarks.visibility[lm] >= note.visibility_threshold for lm in L}

    def px(lm: L) -> tuple[int, int]:
        return int(round(points[lm, 0])), int(round(points[lm, 1]))

    for a, b in BONES:
        if seen[a] and seen[b]:
            cv2.line(canvas, px(a), px(b), _side_colour(a, b), unit, cv2.LINE_AA)
    for lm in L:
        if seen[lm]:
            cv2.circle(canvas, px(lm), unit + 1, _side_colour(lm), -1, cv2.LINE_AA)

    if note.view in ("front", "back"):
        _frontal_lines(canvas, points, seen, note, unit, px)
    else:
        _side_lines(canvas, points, seen, note, unit, px)
    if note.show_legend:
        _legend(canvas, note.legend, unit)
    return canvas


def draw_banner(image_rgb: np.ndarray, text: str) -> np.ndarray:
    """Large centred text on a dark band (the live capture's countdown), drawn in place."""
    height, width = image_rgb.shape[:2]
    unit = max(1, round(max(width, height) / 320))
    band = image_rgb.copy()
    cv2.rectangle(band, (0, height // 2 - 30 * unit), (width, height // 2 + 15 * unit), (0, 0, 0), -1)
    cv2.addWeighted(band, 0.6, image_rgb, 0.4, 0, dst=image_rgb)
    font, scale = cv2.FONT_HERSHEY_SIMPLEX, 1.0 * unit
    (text_w, _), _ = cv2.getTextSize(text, font, scale, 2 * unit)
    cv2.putText(image_rgb, text, (max(0, (width - text_w) // 2), height // 2), font, scale,
                (255, 255, 255), 2 * unit, cv2.LINE_AA)
    return image_rgb


def _frontal_lines(canvas, points, seen, note, unit, px) -> None:
    for mid, line in drawn_lines(frontal=True):
        a, b, label = L[line.start.upper()], L[line.end.upper()], line.label
        value, _ = note.measurements.get(mid, (None, ""))
        if value is None or not (seen[a] and seen[b]):
            continue
        colour = note.line_colours.get(mid, NORMAL_RGB)
        start, end = _at_angle(points[a], points[b], value + _screen_sign(points[a], points[b]) * note.camera_roll_deg)
        cv2.line(canvas, start, end, colour, 2 * unit, cv2.LINE_AA)
        right, left = max(start, end), min(start, end)
        _text(canvas, f"{label} {value:+.1f}", (right[0] + 4 * unit, right[1]), colour, unit,
              left_of=left[0] - 4 * unit)
    if all(seen[lm] for lm in (L.LEFT_ANKLE, L.RIGHT_ANKLE)):
        x = int(round((points[L.LEFT_ANKLE, 0] + points[L.RIGHT_ANKLE, 0]) / 2))
        _dashed_vertical(canvas, x, unit)


def _side_lines(canvas, points, seen, note, unit, px) -> None:
    near = {
        "ear": L[f"{note.near_side.upper()}_EAR"],
        "shoulder": L[f"{note.near_side.upper()}_SHOULDER"],
        "hip": L[f"{note.near_side.upper()}_HIP"],
        "ankle": L[f"{note.near_side.upper()}_ANKLE"],
    }
    for mid, line in drawn_lines(frontal=False):
        a, b, label = line.start, line.end, line.label
        value, unit_name = note.measurements.get(mid, (None, ""))
        if value is None or not (seen[near[a]] and seen[near[b]]):
            continue
        colour = note.line_colours.get(mid, NORMAL_RGB)
        cv2.line(canvas, px(near[a]), px(near[b]), colour, 2 * unit, cv2.LINE_AA)
        where = px(near[a])
        _text(canvas, f"{label} {value:.1f}{' deg' if unit_name == 'deg' else ''}",
              (where[0] + 6 * unit, where[1]), colour, unit, left_of=where[0] - 6 * unit)
    if seen[near["ankle"]]:
        _dashed_vertical(canvas, px(near["ankle"])[0], unit)


def _screen_sign(left: np.ndarray, right: np.ndarray) -> int:
    """+1 when the subject's left point is on the image's right (front view), -1 otherwise."""
    return 1 if left[0] > right[0] else -1


def _at_angle(left: np.ndarray, right: np.ndarray, rise_deg: float) -> tuple[tuple[int, int], tuple[int, int]]:
    """A line through the midpoint of a left/right pair, a quarter longer on each side, rising
    toward the subject's left by `rise_deg` on screen: the measured (calibrated) value, which the
    two points themselves may show only in part."""
    half = abs(left[0] - right[0]) / 2 * 1.5
    towards_left = np.array([_screen_sign(left, right) * half, -half * np.tan(np.radians(rise_deg))])
    middle = (left + right) / 2
    start, end = middle - towards_left, middle + towards_left
    return (int(round(start[0])), int(round(start[1]))), (int(round(end[0])), int(round(end[1])))


def _dashed_vertical(canvas: np.ndarray, x: int, unit: int) -> None:
    height = canvas.shape[0]
    dash = 12 * unit
    for y in range(0, height, 2 * dash):
        cv2.line(canvas, (x, y), (x, min(height - 1, y + dash)), (0, 200, 255), unit, cv2.LINE_AA)


def _text(
    canvas: np.ndarray, text: str, origin: tuple[int, int], colour, unit: int, left_of: int | None = None
) -> None:
    """Outlined text with its baseline at `origin`, shrunk to fit the image's width.

    If it doesn't fit to the right of `origin`, it is placed to end at `left_of` instead.
    """
    font = cv2.FONT_HERSHEY_SIMPLEX
    width = canvas.shape[1]
    scale = 0.45 * unit
    (text_w, text_h), _ = cv2.getTextSize(text, font, scale, unit)
    x = origin[0]
    if x + text_w > width and left_of is not None and left_of - text_w >= 0:
        x = left_of - text_w
    if x + text_w > width:
        scale *= max(0.3, (width - x - 2) / text_w)
        (text_w, text_h), _ = cv2.getTextSize(text, font, scale, unit)
    x = min(max(0, x), max(0, width - text_w - 1))
    y = min(max(text_h + 2, origin[1]), canvas.shape[0] - 2)
    cv2.putText(canvas, text, (x, y), font, scale, (0, 0, 0), 3 * unit, cv2.LINE_AA)
    cv2.putText(canvas, text, (x, y), font, scale, colour, unit, cv2.LINE_AA)


def _legend(canvas: np.ndarray, legend: Sequence[tuple[str, RGB]], unit: int) -> None:
    lines = list(legend) or [("no findings", NORMAL_RGB)]
    row = int(22 * 0.45 * unit) + 4 * unit
    overlay = canvas.copy()
    cv2.rectangle(overlay, (0, 0), (canvas.shape[1] - 1, row * len(lines) + 4 * unit), (0, 0, 0), -1)
    cv2.addWeighted(overlay, 0.5, canvas, 0.5, 0, dst=canvas)
    for index, (text, colour) in enumerate(lines):
        _text(canvas, text, (3 * unit, row * (index + 1)), colour, unit)


def _side_colour(*points: L) -> tuple[int, int, int]:
    """Blue when every point is on the subject's left, orange when all on the right."""
    if all("LEFT" in p.name for p in points):
        return LEFT_RGB
    if all("RIGHT" in p.name for p in points):
        return RIGHT_RGB
    return MIDDLE_RGB
