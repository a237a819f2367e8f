"""Plane geometry on image points, with the sign conventions in one place.

Image pixels: x grows to the right, y grows DOWN. Every function below returns angles in degrees
computed with atan2 (no arccos clipping, sign included). All of them are 2-D: they are valid only
when the body plane being measured faces the camera (front/back for frontal-plane angles, a true
profile for sagittal ones).

`toward_x` arguments are +1 or -1: the image x direction that counts as positive (e.g. the
direction of the subject's left side, or the direction the subject faces).
"""

from __future__ import annotations

import math

import numpy as np


def height_tilt_deg(first: np.ndarray, second: np.ndarray) -> float:
    """Tilt of the line first-second against the horizontal; + when `first` is HIGHER on screen.

    The horizontal run is taken as a distance, so the result doesn't depend on which side of the
    image `first` is on: it reads the same on a front and a back view.
    """
    rise = second[1] - first[1]  # y down: first higher means its y is smaller
    run = abs(second[0] - first[0])
    return math.degrees(math.atan2(rise, run))


def lean_from_vertical_deg(bottom: np.ndarray, top: np.ndarray, toward_x: int) -> float:
    """Angle of bottom->top from the upward vertical; + when `top` lies toward `toward_x`."""
    return math.degrees(math.atan2((top[0] - bottom[0]) * toward_x, bottom[1] - top[1]))


def elevation_deg(origin: np.ndarray, target: np.ndarray, forward_x: int) -> float:
    """Angle of origin->target above the horizontal that points toward `forward_x`.

    90 means straight up; more than 90 means the target is behind the origin.
    """
    return math.degrees(math.atan2(origin[1] - target[1], (target[0] - origin[0]) * forward_x))


def bend_deg(top: np.ndarray, middle: np.ndarray, bottom: np.ndarray, toward_x: int) -> float:
    """How far the chain top-middle-bottom bends at `middle`, 0 when straight.

    + when `middle` sits on the `toward_x` side of the straight line top-bottom.
    """
    upper = middle - top
    lower = bottom - middle
    turn = math.degrees(math.atan2(upper[0] * lower[1] - upper[1] * lower[0], float(upper @ lower)))
    return abs(turn) * (1 if horizontal_offset_from_line(top, bottom, middle) * toward_x >= 0 else -1)


def horizontal_offset_from_line(a: np.ndarray, b: np.ndarray, point: np.ndarray) -> float:
    """x of `point` minus the x of line a-b at the point's height (in pixels)."""
    dy = b[1] - a[1]
    if abs(dy) < 1e-9:
        return float(point[0] - (a[0] + b[0]) / 2)
    t = (point[1] - a[1]) / dy
    return float(point[0] - (a[0] + t * (b[0] - a[0])))


def midpoint(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (np.asarray(a, dtype=np.float64) + np.asarray(b, dtype=np.float64)) / 2.0
