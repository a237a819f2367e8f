"""A plumb line (a weighted string) hung in view: the classic posture-screen reference, vertical by
physics, so it levels a photo on its own where any other single object could be slanted.

What tells it from a pole or a door edge: it is long, thin (a narrow ridge with the same background
on both sides, where an edge has different sides) and ends in a bob (the ridge widens, then stops).
Its lean is the roll, within how still it hangs, how precisely a long thin line is placed, and the
convergence a phone pitched up or down gives a vertical away from the photo's centre.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

MIN_LENGTH_FRACTION = 0.25  # of the image height: a string hung from above the frame
SAMPLES = 24  # cross-sections along the line
SIDE_PX = (4, 7)  # at the working size: where the background beside a string is read
MIN_CONTRAST = 10.0  # grey levels between the string and its background
SIDES_ALIKE = 0.5  # the two sides differ by at most this share of the string's contrast
MIN_RIDGE_SHARE = 0.8  # of the cross-sections
MAX_WIDTH_PX = 3  # at the working size: a string, not a pole
BOB_SEARCH_FRACTION = 0.06  # of the height, below the line's lower end
BOB_WIDTH_RATIO = 2.5  # the bob is this much wider than the string (at least MAX_WIDTH_PX)
HANGING_SD_DEG = 0.2  # a string still swinging a little (1 cm over 3 m)
PITCH_GRADIENT_DEG = 1.0  # lean change across the width from a pitched phone (as the verticals' constant)


@dataclass(frozen=True)
class PlumbLine:
    roll_deg: float  # counter-clockwise on screen, as the string leans
    sd_deg: float
    x_fraction: float  # position from the centre, fraction of the width


def find_plumb_line(gray: np.ndarray, segments: np.ndarray, lean_deg: np.ndarray) -> PlumbLine | None:
    """The best plumb line among near-vertical segments (working-size pixels; `lean_deg` as the
    verticals'), or None. Of several candidates the longest wins."""
    height, width = gray.shape
    lengths = np.hypot(segments[:, 2] - segments[:, 0], segments[:, 3] - segments[:, 1])
    image = gray.astype(np.float32)
    for index in np.argsort(-lengths):
        if lengths[index] < MIN_LENGTH_FRACTION * height:
            break
        top, bottom = _ends(segments[index])
        polarity = _ridge(image, top, bottom)
        if polarity and _has_bob(image, top, bottom, polarity):
            x = (top[0] + bottom[0]) / 2 / width - 0.5
            sd = math.sqrt(HANGING_SD_DEG**2 + math.degrees(1.0 / lengths[index]) ** 2 + (PITCH_GRADIENT_DEG * x) ** 2)
            return PlumbLine(float(lean_deg[index]), sd, x)
    return None


def _ends(segment: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a, b = segment[:2], segment[2:]
    return (a, b) if a[1] < b[1] else (b, a)


def _profiles(image: np.ndarray, points: np.ndarray, direction: np.ndarray, reach: int) -> np.ndarray:
    """Grey values across the line at each point, from -reach to +reach px (bilinear)."""
    normal = np.array([direction[1], -direction[0]])
    offsets = np.arange(-reach, reach + 1)
    where = points[:, None, :] + offsets[None, :, None] * normal
    map_x, map_y = where[..., 0].astype(np.float32), where[..., 1].astype(np.float32)
    return cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def _ridge(image: np.ndarray, top: np.ndarray, bottom: np.ndarray) -> int:
    """+1 for a thin light string, -1 for a dark one, 0 when this is an edge or a wide object."""
    direction = (bottom - top) / np.linalg.norm(bottom - top)
    points = top + np.linspace(0.05, 0.95, SAMPLES)[:, None] * (bottom - top)
    across = _profiles(image, points, direction, SIDE_PX[1])
    centre = SIDE_PX[1]
    sides = np.r_[0:SIDE_PX[1] - SIDE_PX[0] + 1, centre + SIDE_PX[0]:2 * centre + 1]
    left = across[:, :SIDE_PX[1] - SIDE_PX[0] + 1].mean(axis=1)
    right = across[:, centre + SIDE_PX[0]:].mean(axis=1)
    background = across[:, sides].mean(axis=1)
    for polarity in (-1, 1):
        signed = polarity * (across - background[:, None])  # the string positive
        contrast = signed[:, centre - 2:centre + 3].max(axis=1)
        alike = np.abs(left - right) <= SIDES_ALIKE * contrast
        narrow = (signed > contrast[:, None] / 2).sum(axis=1) <= MAX_WIDTH_PX
        if np.mean((contrast >= MIN_CONTRAST) & alike & narrow) >= MIN_RIDGE_SHARE:
            return polarity
    return 0


def _has_bob(image: np.ndarray, top: np.ndarray, bottom: np.ndarray, polarity: int) -> bool:
    """Below the string's lower end the ridge widens into a bob and then stops."""
    direction = (bottom - top) / np.linalg.norm(bottom - top)
    reach = BOB_SEARCH_FRACTION * image.shape[0]
    points = bottom + np.arange(-2.0, reach)[:, None] * direction
    across = _profiles(image, points, direction, 4 * SIDE_PX[1])
    background = np.median(np.c_[across[:, :SIDE_PX[1]], across[:, -SIDE_PX[1]:]], axis=1)
    string = polarity * (across - background[:, None]) > MIN_CONTRAST
    widths = string.sum(axis=1)
    widest = int(np.argmax(widths))
    wide_enough = widths[widest] >= BOB_WIDTH_RATIO * MAX_WIDTH_PX
    stops = widest < len(widths) - 1 and widths[widest:].min() <= 1
    return bool(wide_enough and stops)
