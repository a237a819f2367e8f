"""A plumb line (a weighted string) hung in view: the classic posture-screen reference, vertical by
physics, so it levels a photo on its own where any other single object could be slanted.

What tells it from a pole or a door edge: it is long, thin (a narrow ridge with the same background
on both sides, where an edge has different sides), hangs from above (its top in the top of the
photo, above a standing person's head, where a broom leaning on the wall never reaches) and ends in
a bob (the ridge widens, then stops). Its lean is the roll, within how still it hangs, how precisely a long
thin line is placed, and the convergence a phone pitched up or down gives a vertical away from the
photo's centre (horizon.plumb_line_roll takes that out as far as the wall's horizon tells the
pitch). It is still one object: the leveling leaves the photo unleveled when other cues
disagree with it.
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
BOB_MIN_WIDTH_PX = 4  # at the working size: a 2.5 cm bob at 2.5 m is 4.6 px wide ...
BOB_WIDTH_RATIO = 2.5  # ... and it is this much wider than the string (a line's rounded end is not a bob)
CORE_PX = 2  # the string's centre is looked for this far either side of the detected edge
HUNG_FROM_ABOVE_FRACTION = 0.15  # of the height: the top this high (a whole body framed: above the head)
HANGING_SD_DEG = 0.2  # a string still swinging a little (1 cm over 3 m)


@dataclass(frozen=True)
class PlumbLine:
    lean_deg: float  # from vertical, + top to the left (counter-clockwise on screen, as the roll)
    sd_deg: float  # how still it hangs and how precisely it is placed; the pitch's term comes on top
    x: float  # its middle, from the photo's centre in fractions of the long side
    y: float  # (+ down)


def find_plumb_line(gray: np.ndarray, verticals: np.ndarray, vertical_lean_deg: np.ndarray) -> PlumbLine | None:
    """The best plumb line among near-vertical segments (working-size pixels; leans as the
    verticals'), or None. Of several candidates the longest wins."""
    height, width = gray.shape
    lengths = np.hypot(verticals[:, 2] - verticals[:, 0], verticals[:, 3] - verticals[:, 1])
    image = gray.astype(np.float32)
    for index in np.argsort(-lengths):
        if lengths[index] < MIN_LENGTH_FRACTION * height:
            break
        top, bottom = _ends(verticals[index])
        if top[1] > HUNG_FROM_ABOVE_FRACTION * height:
            continue
        string = _ridge(image, top, bottom)
        if string is not None and _has_bob(image, top, bottom, string):
            middle = ((top + bottom) / 2 - np.array([width, height]) / 2) / max(height, width)
            sd = math.hypot(HANGING_SD_DEG, math.degrees(1.0 / lengths[index]))
            return PlumbLine(float(vertical_lean_deg[index]), sd, float(middle[0]), float(middle[1]))
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


@dataclass(frozen=True)
class _String:
    polarity: int  # +1 light, -1 dark
    contrast: float  # grey levels from its background (median along it)
    width_px: float  # at half that contrast (median along it)


def _ridge(image: np.ndarray, top: np.ndarray, bottom: np.ndarray) -> _String | None:
    """The thin string along this segment, or None when this is an edge or a wide object."""
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
        contrast = signed[:, centre - CORE_PX:centre + CORE_PX + 1].max(axis=1)
        alike = np.abs(left - right) <= SIDES_ALIKE * contrast
        width = (signed > contrast[:, None] / 2).sum(axis=1)
        if np.mean((contrast >= MIN_CONTRAST) & alike & (width <= MAX_WIDTH_PX)) >= MIN_RIDGE_SHARE:
            return _String(polarity, float(np.median(contrast)), float(np.median(width)))
    return None


def _has_bob(image: np.ndarray, top: np.ndarray, bottom: np.ndarray, string: _String) -> bool:
    """Past the string's lower end something of its colour at least BOB_WIDTH_RATIO times as wide
    (measured the same way, at half the string's contrast), then background."""
    direction = (bottom - top) / np.linalg.norm(bottom - top)
    reach = BOB_SEARCH_FRACTION * image.shape[0]
    points = bottom + np.arange(0.0, reach)[:, None] * direction
    across = _profiles(image, points, direction, 4 * SIDE_PX[1])  # wide enough for a bob
    background = np.median(np.c_[across[:, :SIDE_PX[1]], across[:, -SIDE_PX[1]:]], axis=1)
    widths = (string.polarity * (across - background[:, None]) > string.contrast / 2).sum(axis=1)
    widest = int(np.argmax(widths))
    wide_enough = widths[widest] >= max(BOB_MIN_WIDTH_PX, BOB_WIDTH_RATIO * string.width_px)
    stops = widest < len(widths) - 1 and widths[widest:].min() <= 1  # background below the bob
    return bool(wide_enough and stops)
