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
proportion to how far the camera is turned from the wall. In a room corner the side wall's lines meet
at a second vanishing point on the horizon, and the line through both is the roll whatever the pitch
(`corner`); the horizon's height is also what takes the pitch out of a plumb line's lean
(`plumb_line_roll`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.sparse.csgraph import connected_components

NEAR_HORIZONTAL_DEG = 12.0  # candidate edges, as the verticals' limit
NEAR_VERTICAL_DEG = 12.0  # a side wall's steep lines stop short of the verticals' candidates
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
STEEP_RANGE_DEG = 2 * (90.0 - NEAR_VERTICAL_DEG - NEAR_HORIZONTAL_DEG)  # leans a steep line may have
MIN_SIDE_LINES = 2.0  # a side wall's agreeing lines: two place its vanishing point
MIN_CORNER_LINES = 4.5  # both walls' agreeing lines: about five, one more than a corner's unknowns (the roll,
# the side wall's vanishing point, the facing wall's one's distance), as three are for one wall's two
MIN_HEIGHT_SPREAD = 0.15  # of the long side: horizontals closer than this in height cannot tell the turn
MIN_CROSSING_DEG = 5.0  # side-wall lines more nearly parallel than this place no point
MAX_VANISHING_SD = 0.15  # of the long side (3 SDs): a side wall's vanishing point placed no better says nothing
PITCH_LIMIT_DEG, PITCH_STEP_DEG = 9.0, 0.5  # 3 pitch SDs
VP_STEPS, COARSE_VP_STEPS = 7, 5  # per axis of the side wall's vanishing point (finely, coarsely)
CORNER_MAX_LINES = 12  # per direction, the longest: a corner's walls show a few long lines
MAX_INVERSE_VP = math.tan(math.radians(MAX_TURN_DEG)) / 0.6  # 1 / the facing wall's vanishing point's distance
# (long sides): turned up to MAX_TURN_DEG with a focal length down to 0.6 of the long side (22 mm equivalent) ...
CORNER_TURN_STEPS = 145  # ... on this grid (its lean steps at most 0.25 deg half a long side from the horizon),
COARSE_TURN_STEPS = 37  # first on this one,
FINE_TURN_REACH_STEPS = 4  # then finely this many coarse steps either way of its peak
COARSE_ROLL_STEP_DEG = 0.5  # a room corner's roll: first on this grid, ...
FINE_ROLL_REACH_DEG = 1.5  # ... then in ROLL_STEP_DEG steps this far around its peak ...
OUTSIDE_SHARE = 0.01  # ... when no more than this of it lies further away


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


def steep(segments: np.ndarray, long_side: int) -> np.ndarray:
    """Candidates for a side wall's horizontals (a room corner): they converge toward a vanishing
    point near the photo's centre, so they run steeply, neither near horizontal nor near vertical."""
    lengths = np.hypot(segments[:, 2] - segments[:, 0], segments[:, 3] - segments[:, 1])
    lean = np.abs(lean_deg(segments))
    return segments[(lean > NEAR_HORIZONTAL_DEG) & (lean < 90.0 - NEAR_VERTICAL_DEG)
                    & (lengths >= MIN_SEGMENT_FRACTION * long_side)]


def structures(segments: np.ndarray, shape: tuple[int, int], endpoint_error_px: float,
               side_wall: bool = False) -> dict[str, np.ndarray]:
    """Edges grouped into structures (pieces of one line, a board's two edges): each one's lean,
    weight (up to one), position from the centre in fractions of the long side, and error. Near-
    horizontal lines are grouped by their height at the centre, a side wall's steep ones by their
    distance from the centre."""
    height, width = shape
    long_side = max(shape)
    lean = lean_deg(segments)
    length = np.hypot(segments[:, 2] - segments[:, 0], segments[:, 3] - segments[:, 1])
    dx = segments[:, 2] - segments[:, 0]
    if side_wall:
        angle = np.radians(lean)
        y_centre = (segments[:, 0] - width / 2) * np.sin(angle) + (segments[:, 1] - height / 2) * np.cos(angle)
    else:
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


@dataclass(frozen=True)
class RoomReading:
    """The roll the room's horizontals agree on, with what it rests on."""
    roll_deg: float
    sd_deg: float
    count: float  # agreeing structures, weighted (both walls)
    spread: float  # heights of the agreeing facing wall's lines (fraction of the long side)
    side_wall: float  # of `count`, the agreeing side wall's structures (0: one wall)


def consensus(found: dict[str, np.ndarray], sides: dict[str, np.ndarray] | None = None,
              uprights: dict[str, np.ndarray] | None = None) -> RoomReading:
    """The roll the facing wall's structures agree on (two lines always fit the roll and the turn
    exactly, so about three are needed, as for the verticals); or the roll both walls agree on
    (`corner`) when enough of their lines do: two or more of the side wall's, about five in all,
    the facing wall's at two heights; vertical structures (`uprights`: the corner's edge, a door
    frame) count as a third direction."""
    if sides is not None and len(sides["lean_deg"]):
        two_walls = corner(found, sides, uprights)
        if (two_walls is not None and two_walls.side_wall >= MIN_SIDE_LINES and two_walls.count >= MIN_CORNER_LINES
                and two_walls.spread >= MIN_HEIGHT_SPREAD):
            return two_walls
    return _one_wall(found)


def _one_wall(found: dict[str, np.ndarray]) -> RoomReading:
    rolls, inverse_vp, expected, posterior = _posterior(found)
    roll = float(np.sum(rolls[:, None] * posterior))
    horizon_sd = FOCAL_FRACTION * math.tan(math.radians(PITCH_SD_DEG))
    horizon_error = np.degrees(inverse_vp[None, :] * horizon_sd)  # the horizon off the centre, as a roll
    variance = float(np.sum(((rolls[:, None] - roll) ** 2 + horizon_error**2) * posterior))
    best_roll, best_v = np.unravel_index(np.argmax(posterior), posterior.shape)
    count, spread = _agreement(found, expected[best_roll, best_v])
    return RoomReading(roll, math.sqrt(variance + FLOOR_SD_DEG**2), count, spread, 0.0)


def _agreement(found: dict[str, np.ndarray], expected: np.ndarray) -> tuple[float, float]:
    """How many structures agree with the expected leans (weighted), and the spread of their heights."""
    agree = np.exp(-0.5 * (_wrapped(found["lean_deg"] - expected) / found["sd_deg"]) ** 2)
    heights = found["y"][agree > 0.5]
    return float(np.sum(found["weight"] * agree)), float(heights.max() - heights.min()) if len(heights) else 0.0


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
    log_likelihood = _log_likelihood(found, expected, _clutter(found), 2 * NEAR_HORIZONTAL_DEG).sum(axis=2)
    posterior = np.exp(log_likelihood - log_likelihood.max())
    return rolls, inverse_vp, expected, posterior / posterior.sum()


def _clutter(found: dict[str, np.ndarray]) -> np.ndarray:
    return np.where(found["room_line"], ROOM_LINE_CLUTTER, CLUTTER_SHARE)


def _log_likelihood(found: dict[str, np.ndarray], expected: np.ndarray, clutter: np.ndarray,
                    lean_range_deg: float) -> np.ndarray:
    """Each structure's weighted log likelihood (last axis): on the wall's direction within its
    error, or clutter at any lean of its candidates' range."""
    sd = found["sd_deg"]
    on_wall = np.exp(-0.5 * (_wrapped(found["lean_deg"] - expected) / sd) ** 2) / (sd * math.sqrt(2 * math.pi))
    return found["weight"] * np.log(on_wall * (1 - clutter) + clutter / lean_range_deg)


def _wrapped(degrees: np.ndarray) -> np.ndarray:
    """Lean differences of lines (directions modulo 180 deg) in -90..90."""
    return (degrees + 90.0) % 180.0 - 90.0


def corner(found: dict[str, np.ndarray], sides: dict[str, np.ndarray],
           uprights: dict[str, np.ndarray] | None = None) -> RoomReading | None:
    """The roll of a room corner: the facing wall's horizontals converge to one vanishing point on
    the horizon, the side wall's (steep) ones to another, and the horizon is the line through both:
    its slope is the roll, with no pitch prior. The side wall's lines place their vanishing point
    (where they cross, within their errors); the facing wall's lines the other one's distance along
    the horizon. The focal length is not assumed (with it the two directions' right angle would
    place that distance, but a zoomed or cropped photo made a street photo's roll off by 3 deg), so
    the unknowns are four and about five lines must agree. The three directions' vanishing points
    also place the vertical one (the principal point is where their altitudes meet), so vertical
    structures count too, leaning by the roll and the pitch's convergence. None when the side
    wall's lines meet nowhere a side wall's vanishing point can be. Computed on a coarse roll grid,
    then finely around its peak when nearly all of it lies there."""
    found, sides = _heaviest(found), _heaviest(sides)
    window = _vanishing_window(sides)
    if window is None:
        return None
    uprights = _heaviest(uprights) if uprights is not None and len(uprights["lean_deg"]) else None
    coarse = (np.arange(-ROLL_LIMIT_DEG, ROLL_LIMIT_DEG + COARSE_ROLL_STEP_DEG / 2, COARSE_ROLL_STEP_DEG),
              np.linspace(-MAX_INVERSE_VP, MAX_INVERSE_VP, COARSE_TURN_STEPS))
    rolls, inverse_vp, posterior, expected = _corner_posterior(found, sides, uprights, window, COARSE_VP_STEPS, *coarse)
    if posterior is None:
        return None
    peak_roll, _, peak_turn = np.unravel_index(np.argmax(posterior), posterior.shape)
    turn_reach = FINE_TURN_REACH_STEPS * (inverse_vp[1] - inverse_vp[0])
    near = ((np.abs(rolls - rolls[peak_roll]) <= FINE_ROLL_REACH_DEG)[:, None, None]
            & (np.abs(inverse_vp - inverse_vp[peak_turn]) <= turn_reach)[None, None, :])
    if posterior[np.broadcast_to(near, posterior.shape)].sum() >= 1 - OUTSIDE_SHARE:
        fine_turn = np.linspace(-MAX_INVERSE_VP, MAX_INVERSE_VP, CORNER_TURN_STEPS)
        fine = (np.arange(rolls[peak_roll] - FINE_ROLL_REACH_DEG, rolls[peak_roll] + FINE_ROLL_REACH_DEG
                          + ROLL_STEP_DEG / 2, ROLL_STEP_DEG),
                fine_turn[np.abs(fine_turn - inverse_vp[peak_turn]) <= turn_reach])
        finer = _corner_posterior(found, sides, uprights, window, VP_STEPS, *fine)
        if finer[2] is not None:
            rolls, inverse_vp, posterior, expected = finer
    roll = float(np.sum(rolls[:, None, None] * posterior))
    best = np.unravel_index(np.argmax(posterior), posterior.shape)
    count, spread = _agreement(found, expected["facing"][best])
    side_count, _ = _agreement(sides, expected["side"][best[1]])
    upright_count = _agreement(uprights, expected["upright"][best])[0] if uprights is not None else 0.0
    variance = float(np.sum((rolls[:, None, None] - roll) ** 2 * posterior))
    return RoomReading(roll, math.sqrt(variance + FLOOR_SD_DEG**2), count + side_count + upright_count, spread,
                       side_count)


def _heaviest(lines: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The CORNER_MAX_LINES heaviest (longest) structures: a street's hundreds of short edges would
    make the corner's grid take seconds."""
    keep = np.argsort(-lines["weight"], kind="stable")[:CORNER_MAX_LINES]
    return {key: value[keep] for key, value in lines.items()}


def _corner_posterior(found: dict[str, np.ndarray], sides: dict[str, np.ndarray],
                      uprights: dict[str, np.ndarray] | None, window: tuple[np.ndarray, np.ndarray],
                      vp_steps: int, rolls: np.ndarray, inverse_vp: np.ndarray) -> tuple:
    """The distribution of (roll, the side wall's vanishing point, 1 / the facing wall's vanishing
    point's distance along the horizon, on the other side of the centre) given both walls'
    structures and the verticals (each on its direction or clutter), with the expected leans."""
    u, v = _window_points(window, vp_steps)  # the side wall's vanishing point (rolled image)
    angle = np.radians(rolls)[:, None, None]
    u_level = u[None, :, None] * np.cos(angle) - v[None, :, None] * np.sin(angle)  # with the roll undone
    horizon = u[None, :, None] * np.sin(angle) + v[None, :, None] * np.cos(angle)
    grid_inverse_vp, inverse_vp = inverse_vp, inverse_vp[None, None, :]
    with np.errstate(divide="ignore", invalid="ignore"):  # 1 / the focal length squared the right angles give
        inverse_focal_squared = np.nan_to_num(inverse_vp / (-u_level - horizon**2 * inverse_vp), nan=-1.0)
    log_prior = np.where((inverse_vp * u_level <= 0) & (inverse_focal_squared >= 0), 0.0, -np.inf)

    def leaning(lines, lean_of):  # each line's expected lean at each grid point, with the roll undone
        expected = np.empty((*log_prior.shape, len(lines["lean_deg"])))
        for index, (x, y) in enumerate(zip(lines["x"], lines["y"], strict=True)):
            x_level, y_level = x * np.cos(angle) - y * np.sin(angle), x * np.sin(angle) + y * np.cos(angle)
            expected[..., index] = rolls[:, None, None] + np.degrees(lean_of(x_level, y_level))
        return expected

    expected = {"facing": leaning(found, lambda x, y: np.arctan((y - horizon) * inverse_vp / (1 - inverse_vp * x))),
                "side": -np.degrees(np.arctan((v[:, None] - sides["y"]) / (u[:, None] - sides["x"])))}
    log_posterior = (log_prior
                     + _log_likelihood(found, expected["facing"], _clutter(found), 2 * NEAR_HORIZONTAL_DEG).sum(-1)
                     + _log_likelihood(sides, expected["side"], CLUTTER_SHARE, STEEP_RANGE_DEG).sum(-1)[None, :, None])
    if uprights is not None:  # toward the vertical vanishing point, f**2 / the horizon's height above the centre
        expected["upright"] = leaning(uprights, lambda x, y: np.arctan(
            x * horizon * inverse_focal_squared / (1 + y * horizon * inverse_focal_squared)))
        log_posterior = log_posterior + _log_likelihood(uprights, expected["upright"], CLUTTER_SHARE,
                                                        2 * NEAR_VERTICAL_DEG).sum(-1)
    if not np.isfinite(log_posterior.max()):  # no grid point where the three directions can be at right angles
        return rolls, grid_inverse_vp, None, expected
    posterior = np.exp(log_posterior - log_posterior.max())
    return rolls, grid_inverse_vp, posterior / posterior.sum(), expected


def _vanishing_window(sides: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray] | None:
    """Where the most side-wall lines meet (their crossing that the most of them pass through
    within their errors) and its SD along its axes; None when fewer than MIN_SIDE_LINES do."""
    angle = np.radians(sides["lean_deg"])
    normal = np.column_stack([np.sin(angle), np.cos(angle)])  # y down
    offset = normal[:, 0] * sides["x"] + normal[:, 1] * sides["y"]
    first, second = np.triu_indices(len(angle), 1)
    determinant = normal[first, 0] * normal[second, 1] - normal[first, 1] * normal[second, 0]
    crossing = np.abs(determinant) > math.sin(math.radians(MIN_CROSSING_DEG))
    first, second, determinant = first[crossing], second[crossing], determinant[crossing]
    u = (offset[first] * normal[second, 1] - offset[second] * normal[first, 1]) / determinant
    v = (normal[first, 0] * offset[second] - normal[second, 0] * offset[first]) / determinant
    # within a 26 mm lens's reach turned MAX_TURN_DEG and pitched PITCH_LIMIT_DEG (longer lenses reach further)
    reach = np.abs(u) <= FOCAL_FRACTION * math.tan(math.radians(MAX_TURN_DEG)) / math.cos(math.radians(PITCH_LIMIT_DEG))
    reach &= np.abs(v) <= FOCAL_FRACTION * math.tan(math.radians(PITCH_LIMIT_DEG))
    if not reach.any():
        return None
    u, v = u[reach], v[reach]
    distance = np.hypot(u[:, None] - sides["x"], v[:, None] - sides["y"])  # crossings x lines
    error = np.radians(sides["sd_deg"]) * distance  # how far a line may pass from the point
    residual = np.abs(u[:, None] * normal[:, 0] + v[:, None] * normal[:, 1] - offset)
    support = (sides["weight"] * (residual <= 2 * error)).sum(axis=1)
    best = int(np.argmax(support))
    through = residual[best] <= 2 * error[best]
    information = np.einsum("i,ij,ik->jk", sides["weight"][through] / error[best, through] ** 2,
                            normal[through], normal[through])
    variances, axes = np.linalg.eigh(information)
    if support[best] < MIN_SIDE_LINES or variances.min() <= 0 or 3 / math.sqrt(variances.min()) > MAX_VANISHING_SD:
        return None
    return np.array([u[best], v[best]]), axes / np.sqrt(variances)  # the point, and its SD along each axis


def _window_points(window: tuple[np.ndarray, np.ndarray], steps: int) -> tuple[np.ndarray, np.ndarray]:
    """A steps x steps grid over 3 SDs either way of the side wall's vanishing point."""
    centre, axes = window
    a, b = np.meshgrid(*[np.linspace(-3.0, 3.0, steps)] * 2, indexing="ij")
    points = centre[:, None] + axes @ np.stack([a.ravel(), b.ravel()])
    return points[0], points[1]


def plumb_line_roll(found: dict[str, np.ndarray] | None, x: float, y: float, lean_deg: float,
                    sd_deg: float) -> tuple[float, float]:
    """The roll a plumb line says (at x, y from the centre, fractions of the long side; leaning
    `lean_deg` from vertical, + top to the left, within `sd_deg`), with the camera's pitch taken
    out as far as the facing wall's horizontals tell it: a pitched phone makes a vertical away from
    the centre lean (0.15 of the long side off the centre: 0.6 deg at a pitch of 3 deg), and the
    wall's lines meet on the horizon, whose height is the pitch. Lines seen nearly square on meet
    far away, or lines at one height nowhere in particular: then the pitch prior (PITCH_SD_DEG)
    stays, and its term with it."""
    rolls = np.arange(-ROLL_LIMIT_DEG, ROLL_LIMIT_DEG + ROLL_STEP_DEG / 2, ROLL_STEP_DEG)
    pitch = np.radians(np.arange(-PITCH_LIMIT_DEG, PITCH_LIMIT_DEG + PITCH_STEP_DEG / 2, PITCH_STEP_DEG))
    angle = np.radians(rolls)[:, None, None]
    x_level, y_level = x * np.cos(angle) - y * np.sin(angle), x * np.sin(angle) + y * np.cos(angle)
    tilt = pitch[None, None, :]
    expected = rolls[:, None, None] + np.degrees(np.arctan(x_level * np.sin(tilt) / (
        FOCAL_FRACTION * np.cos(tilt) + y_level * np.sin(tilt))))
    log_posterior = -0.5 * ((lean_deg - expected) / sd_deg) ** 2 - 0.5 * (np.degrees(tilt) / PITCH_SD_DEG) ** 2
    if found is not None and len(found["lean_deg"]):
        turn = math.tan(math.radians(MAX_TURN_DEG)) / FOCAL_FRACTION
        inverse_vp = np.linspace(-turn, turn, TURN_STEPS)[None, :, None, None]
        horizon = FOCAL_FRACTION * np.tan(tilt)[..., None]  # the horizon's height at the vanishing point
        x_lines = found["x"] * np.cos(angle[..., None]) - found["y"] * np.sin(angle[..., None])
        y_lines = found["x"] * np.sin(angle[..., None]) + found["y"] * np.cos(angle[..., None])
        line_expected = rolls[:, None, None, None] + np.degrees(np.arctan(
            (y_lines - horizon) * inverse_vp / (1 - inverse_vp * x_lines)))
        log_posterior = log_posterior + _log_likelihood(found, line_expected, _clutter(found),
                                                        2 * NEAR_HORIZONTAL_DEG).sum(-1)
    posterior = np.exp(log_posterior - log_posterior.max())
    posterior /= posterior.sum()
    roll = float(np.sum(rolls[:, None, None] * posterior))
    return roll, math.sqrt(float(np.sum((rolls[:, None, None] - roll) ** 2 * posterior)))
