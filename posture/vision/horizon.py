"""Camera roll from a room's horizontal edges (the floor line, a skirting board, the ceiling line,
window sills, shelves), with the check that tells when perspective makes them unusable.

Why: at home people stand in front of a plain wall, where no vertical edge is in view, but the floor
line and often the ceiling line are. A wall's horizontal lines stay horizontal in a photo only when
the camera faces the wall squarely; turned by a few degrees they converge toward a vanishing point on
the horizon and lean in proportion to their height above or below it (turned 15 deg, the floor line
of a wall 3 m away leans about 6 deg). So each structure's lean is modelled as the roll plus the
slope toward a vanishing point whose distance is unknown: lines at clearly different heights (the
floor and the ceiling, the floor and a window sill) fix it, lines at one height (the floor line and
the skirting board) cannot, and the roll's distribution stays wide. The horizon passes through the
photo's centre when the phone is held upright; an unknown pitch moves it, which adds to the SD in
proportion to how far the camera is turned from the wall.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.sparse.csgraph import connected_components

NEAR_HORIZONTAL_DEG = 12.0  # candidate edges, as the verticals' limit
MIN_SEGMENT_FRACTION = 0.04  # of the long side (rooms' horizontals are long; shelves' clutter is short)
SAME_STRUCTURE_FRACTION = 0.02  # of the long side: lines this close at the centre line ...
SAME_STRUCTURE_DEG = 1.5  # ... and this parallel are one structure (a board's two edges)
FULL_STRUCTURE_FRACTION = 0.1  # of the long side: a structure this long counts as one; shorter ones less
STRUCTURE_SD_DEG = 0.4  # a built horizontal's lean from level (floors and sills: a few mm over metres)
CLUTTER_SHARE = 0.5  # of the structures, not on the wall's direction: furniture, a side wall
ROOM_LINE_SPAN = 0.6  # of the width: a line this wide is the floor, ceiling or skirting line of the wall ...
ROOM_LINE_CLUTTER = 0.01  # ... and is rarely anything else (assumed: 1 in 100 is a side wall's or furniture's)
FOCAL_FRACTION = 0.75  # a phone's focal length as a fraction of the long side (26 mm equivalent: 0.72)
MAX_TURN_DEG = 20.0  # camera turned from facing the wall at most this much (prior: uniform)
PITCH_SD_DEG = 3.0  # a phone held "upright" by hand: about twice the largest pitch the street photos' verticals show
# (1.4 deg); it moves the horizon off the centre and makes verticals away from the centre lean
ROLL_LIMIT_DEG, ROLL_STEP_DEG = 12.0, 0.1
TURN_STEPS = 61
FLOOR_SD_DEG = 0.15  # never surer than this: straight edges in a 640 px image


def lean_deg(segments: np.ndarray) -> np.ndarray:
    """Each segment's angle from horizontal, + when its right end is higher (a counter-clockwise
    roll on screen raises the right end of a horizontal)."""
    right_is_second = segments[:, 2] >= segments[:, 0]
    x_left = np.where(right_is_second, segments[:, 0], segments[:, 2])
    y_left = np.where(right_is_second, segments[:, 1], segments[:, 3])
    x_right = np.where(right_is_second, segments[:, 2], segments[:, 0])
    y_right = np.where(right_is_second, segments[:, 3], segments[:, 1])
    return np.degrees(np.arctan2(y_left - y_right, x_right - x_left))


def near_horizontal(segments: np.ndarray, long_side: int) -> np.ndarray:
    lengths = np.hypot(segments[:, 2] - segments[:, 0], segments[:, 3] - segments[:, 1])
    return segments[(np.abs(lean_deg(segments)) <= NEAR_HORIZONTAL_DEG) & (lengths >= MIN_SEGMENT_FRACTION * long_side)]


def structures(segments: np.ndarray, shape: tuple[int, int], endpoint_error_px: float) -> dict[str, np.ndarray]:
    """Edges grouped into structures (pieces of one line, a board's two edges): each one's lean,
    weight (up to one), position from the centre in fractions of the long side, and error."""
    height, width = shape
    long_side = max(shape)
    lean = lean_deg(segments)
    length = np.hypot(segments[:, 2] - segments[:, 0], segments[:, 3] - segments[:, 1])
    dx = segments[:, 2] - segments[:, 0]
    y_centre = segments[:, 1] + (width / 2 - segments[:, 0]) * (segments[:, 3] - segments[:, 1]) / dx
    linked = ((np.abs(y_centre[:, None] - y_centre[None, :]) <= SAME_STRUCTURE_FRACTION * long_side)
              & (np.abs(lean[:, None] - lean[None, :]) <= SAME_STRUCTURE_DEG))
    label = connected_components(linked, directed=False)[1]
    groups = np.unique(label)
    mid_x = ((segments[:, 0] + segments[:, 2]) / 2 - width / 2) / long_side
    mid_y = ((segments[:, 1] + segments[:, 3]) / 2 - height / 2) / long_side
    total = np.array([length[label == g].sum() for g in groups])
    x_ends = segments[:, [0, 2]]
    span = np.array([np.ptp(x_ends[label == g]) for g in groups]) / width

    def mean(values):
        return np.array([np.average(values[label == g], weights=length[label == g]) for g in groups])

    return {"lean_deg": mean(lean), "x": mean(mid_x), "y": mean(mid_y),
            "weight": np.minimum(1.0, total / (FULL_STRUCTURE_FRACTION * long_side)),
            "room_line": span >= ROOM_LINE_SPAN,
            "sd_deg": np.hypot(STRUCTURE_SD_DEG, np.degrees(endpoint_error_px / total))}


def consensus(found: dict[str, np.ndarray]) -> tuple[float, float, float, float]:
    """The roll the structures agree on, its SD, how many agree (weighted: two lines always fit the
    roll and the turn exactly, so about three are needed, as for the verticals), and the spread of
    their heights (fraction of the long side)."""
    rolls, inverse_vp, expected, posterior = _posterior(found)
    roll = float(np.sum(rolls[:, None] * posterior))
    horizon_sd = FOCAL_FRACTION * math.tan(math.radians(PITCH_SD_DEG))
    horizon_error = np.degrees(inverse_vp[None, :] * horizon_sd)  # the horizon off the centre, as a roll
    variance = float(np.sum(((rolls[:, None] - roll) ** 2 + horizon_error**2) * posterior))
    best_roll, best_v = np.unravel_index(np.argmax(posterior), posterior.shape)
    agree = np.exp(-0.5 * ((found["lean_deg"] - expected[best_roll, best_v]) / found["sd_deg"]) ** 2)
    count = float(np.sum(found["weight"] * agree))
    heights = found["y"][agree > 0.5]
    spread = float(heights.max() - heights.min()) if len(heights) else 0.0
    return roll, math.sqrt(variance + FLOOR_SD_DEG**2), count, spread


def _posterior(found: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The distribution of (roll, 1 / the vanishing point's distance from the centre) given the
    structures, each on the wall's direction (leaning by the roll plus its slope toward the
    vanishing point) or clutter; with each grid point's expected leans."""
    rolls = np.arange(-ROLL_LIMIT_DEG, ROLL_LIMIT_DEG + ROLL_STEP_DEG / 2, ROLL_STEP_DEG)
    turn = math.tan(math.radians(MAX_TURN_DEG)) / FOCAL_FRACTION
    inverse_vp = np.linspace(-turn, turn, TURN_STEPS)
    angle = np.radians(rolls)[:, None, None]
    x = found["x"] * np.cos(angle) - found["y"] * np.sin(angle)  # positions with the roll undone
    y = found["x"] * np.sin(angle) + found["y"] * np.cos(angle)
    v = inverse_vp[None, :, None]
    expected = rolls[:, None, None] + np.degrees(np.arctan(y * v / (1 - v * x)))
    sd = found["sd_deg"]
    on_wall = np.exp(-0.5 * ((found["lean_deg"] - expected) / sd) ** 2) / (sd * math.sqrt(2 * math.pi))
    clutter = np.where(found["room_line"], ROOM_LINE_CLUTTER, CLUTTER_SHARE)
    likelihood = on_wall * (1 - clutter) + clutter / (2 * NEAR_HORIZONTAL_DEG)
    log_likelihood = (found["weight"] * np.log(likelihood)).sum(axis=2)
    posterior = np.exp(log_likelihood - log_likelihood.max())
    return rolls, inverse_vp, expected, posterior / posterior.sum()
