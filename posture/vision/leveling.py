"""Camera roll from the background's vertical structures (door frames, wall corners, buildings),
with its own uncertainty.

Why: a phone held 2 deg off level adds 2 deg to every tilt, and 1-3 deg asymmetries are what
matter. Vertical structures lean by the camera roll in the photo. A wrong roll is worse than none,
so no single object decides: the straight edges are grouped into structures (pieces of one line and
the close edges of one object count once, and a long structure counts no more than a shorter one),
and the roll is the consensus of several independent structures. Its SD comes from how well they
agree, how many they are, whether they sit on both sides of the photo (a phone pitched up or down
makes verticals converge, leaning opposite ways on the two sides) and whether another group of
structures agrees on another roll. The pipeline combines a usable estimate (about three structures
agree) with the rolls real photos have, by their precisions (`with_prior`); one with an SD within
MAX_SD_DEG is `confident` on its own.

The photo is analysed at one working size whatever its resolution (lengths and distances are
fractions of the image), so a half-size or recompressed copy gives the same decision.

A model that fitted the convergence of verticals under camera pitch tracked a known 4 deg rotation
6x worse than the plain mean on the shared street photos (python -m benchmarks.consistency), so
pitch is not modelled; it is in the SD instead. The constants below marked "tuned" were chosen on
the even-numbered half of those photos only; python -m benchmarks.leveling reports both halves.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from scipy.sparse.csgraph import connected_components

from posture.vision import horizon
from posture.vision.plumb_line import find_plumb_line

WORKING_LONG_SIDE_PX = 640  # every photo is analysed at this size, up or down
SMOOTHING_SIGMA_PX = 0.5  # at the working size: JPEG blocks and noise make no edges of their own (tuned)
NEAR_VERTICAL_DEG = 12.0  # candidate edges; a roll beyond this is not a leveling problem
MIN_SEGMENT_FRACTION = 0.03  # of the image height (tuned)
SAME_STRUCTURE_FRACTION = 0.02  # of the width: lines this close at mid-height (tuned) ...
SAME_STRUCTURE_DEG = 1.5  # ... and this parallel are one structure (pieces of a line, a pole's two sides)
FULL_STRUCTURE_FRACTION = 0.1  # of the height: a structure this long counts as one; shorter ones less (tuned)
STRUCTURE_SD_DEG = 0.7  # a true vertical's lean from the roll: not quite plumb, a pitched phone's convergence
ENDPOINT_ERROR_PX = 1.0  # in the photo's own pixels, more when enlarged: short edges lean less surely
CLUTTER_SHARE = 0.5  # of the structures, not vertical in the world: cars, trees, slanted objects (tuned)
ROLL_STEP_DEG = 0.02
MIN_STRUCTURES = 2.5  # agreeing structures, each weighted by length (up to one) and by how closely it agrees:
# about three that agree well; two, however long, never
PITCH_GRADIENT_DEG = 1.0  # lean change across the width from a pitched phone (leveled street photos: median
# 0.2, largest 1.35 deg per width)
FLOOR_SD_DEG = 0.15  # never surer than this: straight edges in a 640 px image
MAX_SD_DEG = 1.0  # a roll this sure is confident on its own
PERSON_MARGIN_FRACTION = 0.02  # of the image height, around each person's outline
MAX_ON_PERSON_FRACTION = 0.3  # of a segment's length

PLUMB_LINE_ADVICE = "or hang a plumb line (a weighted string) beside you: it is exactly vertical"
PLAIN_WALL_ADVICE = ("include the floor line and the ceiling line (or a window sill, a shelf) behind you, or stand "
                     "where a door frame or a wall corner is in view beside you, " + PLUMB_LINE_ADVICE)
MORE_STRUCTURES_ADVICE = ("include more vertical structures beside you (both sides of a door frame, a wall corner, "
                          "a bookcase), so that at least three agree, " + PLUMB_LINE_ADVICE)
BOTH_SIDES_ADVICE = "include vertical edges on both sides of you (a door frame, a wall corner), " + PLUMB_LINE_ADVICE
UPRIGHT_ADVICE = ("hold the phone upright at hip height, not tilted up or down (that makes vertical edges "
                  "converge), with a door frame or wall corner beside you, " + PLUMB_LINE_ADVICE)
ONE_HEIGHT_ADVICE = ("face the wall squarely and include a horizontal edge at another height (the ceiling line, a "
                     "window sill, a shelf) or a door frame beside you, " + PLUMB_LINE_ADVICE)
PLUMB_LINE_VOTES = 3.0  # vertical by physics: it counts as the three agreeing structures no other single object can
CORNER_UNKNOWNS = horizon.MIN_CORNER_LINES - MIN_STRUCTURES


@dataclass(frozen=True)
class RollEstimate:
    roll_deg: float | None  # counter-clockwise on screen; None when there was nothing to measure
    sd_deg: float | None  # the roll's own uncertainty (1 SD); None with no roll
    structures: float  # independent structures that agree (weighted by length, up to one each)
    reason: str  # what the estimate rests on, or why it is not used
    advice: str = ""  # what would have leveled the photo, when it is not used

    @property
    def confident(self) -> bool:
        """Sure on its own (SD within MAX_SD_DEG): the photo can be called leveled."""
        return self.usable and self.sd_deg <= MAX_SD_DEG

    @property
    def usable(self) -> bool:
        """Enough independent structures agree for the estimate to weigh in at all."""
        return self.sd_deg is not None and self.structures >= MIN_STRUCTURES

    def with_prior(self, prior_sd_deg: float) -> tuple[float, float]:
        """The roll and its SD combined with the rolls real photos have (centred on level, SD
        `prior_sd_deg`) by their precisions: a sure estimate counts nearly whole, a loose one in
        part, so a copy whose estimate is a little looser gives nearly the same roll, not none."""
        weight = prior_sd_deg**2 / (prior_sd_deg**2 + self.sd_deg**2)
        return weight * self.roll_deg, float(np.sqrt(weight)) * self.sd_deg


@dataclass(frozen=True)
class _Structures:
    lean_deg: np.ndarray
    weight: np.ndarray  # up to 1 each
    x: np.ndarray  # mean position, fraction of the width from the centre (-0.5 .. 0.5)
    y: np.ndarray  # mean position, fraction of the height from the centre (+ down)
    sd_deg: np.ndarray  # how far a true vertical's lean may be from the roll


def estimate_camera_roll(rgb: np.ndarray, people_mask: np.ndarray | None) -> RollEstimate:
    """Roll of the camera from vertical structures and horizontal edges outside the people (mask
    in `rgb`'s pixels), read on the photo and on its mirror image and combined, so a mirrored photo
    gives exactly the opposite roll: the line detector finds slightly different edges in the two,
    and where a background is ambiguous that alone moved the roll by degrees (ccp_0008: -2.9 and
    +5.6 deg mirrored). Their disagreement joins the SD."""
    direct = _estimate(rgb, people_mask)
    mirrored = _estimate(np.ascontiguousarray(rgb[:, ::-1]),
                         None if people_mask is None else np.ascontiguousarray(people_mask[:, ::-1]))
    if direct.roll_deg is None or mirrored.roll_deg is None:
        return direct if direct.roll_deg is None else mirrored
    roll = (direct.roll_deg - mirrored.roll_deg) / 2
    disagreement = (direct.roll_deg + mirrored.roll_deg) / 2
    sd = float(np.sqrt((direct.sd_deg**2 + mirrored.sd_deg**2) / 2 + disagreement**2))
    weaker = min(direct, mirrored, key=lambda e: (e.structures, -e.sd_deg))
    stronger = mirrored if weaker is direct else direct
    combined = RollEstimate(roll, sd, weaker.structures, weaker.reason, weaker.advice)
    if combined.confident and not weaker.confident:
        return RollEstimate(roll, sd, weaker.structures, stronger.reason if stronger.confident else
                            "leveled from the background's edges (the photo and its mirror image agree)")
    if not combined.confident and weaker.confident:
        return RollEstimate(roll, sd, weaker.structures, "the photo and its mirror image give different rolls",
                            UPRIGHT_ADVICE)
    return combined


def _estimate(rgb: np.ndarray, people_mask: np.ndarray | None) -> RollEstimate:
    gray = _analysis_image(rgb)
    segments = cv2.createLineSegmentDetector(cv2.LSD_REFINE_STD).detect(gray)[0]
    segments = np.zeros((0, 4)) if segments is None else segments.reshape(-1, 4).astype(np.float64)
    endpoint_error_px = ENDPOINT_ERROR_PX * max(1.0, WORKING_LONG_SIDE_PX / max(rgb.shape[:2]))
    verticals = _near_vertical(segments, gray.shape[0])
    horizontals = horizon.near_horizontal(segments, max(gray.shape))
    steep = horizon.steep(segments, max(gray.shape))
    if people_mask is not None:  # only the candidates are tested against the people (per segment)
        verticals, horizontals, steep = (_outside_people(found, people_mask, gray.shape) if len(found) else found
                                         for found in (verticals, horizontals, steep))
    cues = []
    walls = horizon.structures(horizontals, gray.shape, endpoint_error_px) if len(horizontals) else None
    plumb = find_plumb_line(gray, verticals, _lean_deg(verticals)) if len(verticals) else None
    if plumb is not None:
        roll, sd = horizon.plumb_line_roll(walls, plumb.x, plumb.y, plumb.lean_deg, plumb.sd_deg)
        cues.append(RollEstimate(roll, sd, PLUMB_LINE_VOTES, "leveled from a plumb line"))
    uprights = _structures(verticals, gray.shape, endpoint_error_px) if len(verticals) else None
    if uprights is not None:
        cues.append(_consensus(uprights))
    if walls is not None:
        sides = horizon.structures(steep, gray.shape, endpoint_error_px, side_wall=True) if len(steep) else None
        cues.append(_horizontal(horizon.consensus(walls, sides, _as_room_lines(uprights, gray.shape))))
    if not cues:
        return RollEstimate(None, None, 0.0, "no straight edges in the background (a plain wall without its floor "
                            "line in view?)", PLAIN_WALL_ADVICE)
    return _fused(cues)


def _fused(cues: list[RollEstimate]) -> RollEstimate:
    """The usable cues combined (weighted by their precisions); cues that disagree beyond their SDs
    make the roll unusable (one of them reads a slanted object or perspective as the roll), a plumb
    line too: a broom leaning on the wall looks like one."""
    usable = [c for c in cues if c.usable]
    if not usable:
        return max(cues, key=lambda c: c.structures)
    if len(usable) == 1:
        return usable[0]
    precision = np.array([1 / c.sd_deg**2 for c in usable])
    rolls = np.array([c.roll_deg for c in usable])
    roll, spread = float(np.sum(precision * rolls) / precision.sum()), float(np.ptp(rolls))
    structures = sum(c.structures for c in usable)
    if spread > 2 * np.sqrt(np.sum(1 / precision)):
        return RollEstimate(roll, max(c.sd_deg for c in usable) + spread, structures,
                            "the background's cues (vertical edges, horizontal edges, a plumb line) disagree on "
                            "the roll", UPRIGHT_ADVICE)
    # Not surer than the surest cue (in one scene their errors share causes: pitch, perspective; two
    # loose cues combined by their precisions made confident rolls off by 1.4 deg), nor than they agree
    # (their spread weighted by precision: a loose cue within its own SD of a sure one adds little).
    scatter = float(np.sqrt(np.sum(precision * (rolls - roll) ** 2) / precision.sum()))
    sd = float(np.hypot(min(c.sd_deg for c in usable), scatter))
    sure = [c.reason.removeprefix("leveled from ") for c in usable if c.confident]
    if sd > MAX_SD_DEG or not sure:
        surest = min(usable, key=lambda c: c.sd_deg)  # its advice comes closest to leveling the photo
        if surest.confident:
            return RollEstimate(roll, sd, structures, "the background's cues agree on the roll only roughly",
                                UPRIGHT_ADVICE)
        return RollEstimate(roll, sd, structures, surest.reason, surest.advice)
    return RollEstimate(roll, sd, structures, "leveled from " + " and ".join(sure))


def _horizontal(reading: horizon.RoomReading) -> RollEstimate:
    """The horizontal edges' roll, and why it is not usable alone. A room corner's count is told on
    one wall's scale: it has two more unknowns (horizon.MIN_CORNER_LINES)."""
    roll, sd, count, spread = reading.roll_deg, reading.sd_deg, reading.count, reading.spread
    if reading.side_wall and sd > MAX_SD_DEG:
        return RollEstimate(roll, sd, count - CORNER_UNKNOWNS, "a room corner's lines fit the horizon only loosely "
                            "(with one of them taken for something else, another roll fits)", ONE_HEIGHT_ADVICE)
    if reading.side_wall:
        return RollEstimate(roll, sd, count - CORNER_UNKNOWNS,
                            f"leveled from {count:.0f} edges of a room corner (two walls' horizontals, verticals)")
    if count < MIN_STRUCTURES:
        return RollEstimate(roll, sd, count, "fewer than 3 independent horizontal edges in the background agree, "
                            "and about 3 are needed because one object alone may be slanted",
                            ONE_HEIGHT_ADVICE)
    if sd > MAX_SD_DEG and spread < horizon.MIN_HEIGHT_SPREAD:
        return RollEstimate(roll, sd, count, "the horizontal edges are all at about one height, so the camera's "
                            "turn from the wall cannot be told from them", ONE_HEIGHT_ADVICE)
    if sd > MAX_SD_DEG:
        return RollEstimate(roll, sd, count, "the horizontal edges converge (the camera is turned from the wall)",
                            ONE_HEIGHT_ADVICE)
    return RollEstimate(roll, sd, count, f"leveled from {count:.0f} horizontal edges in the background")


def _consensus(found: _Structures) -> RollEstimate:
    """The roll the structures agree on, its SD and whether it may be used: each structure is a
    true vertical (leaning by the roll, within its own error) or clutter (any lean), and the roll's
    distribution given all of them is computed on a grid; two groups that agree on different rolls
    make it wide, and so does a group that sits on one side of the photo (camera pitch)."""
    grid = np.arange(-NEAR_VERTICAL_DEG, NEAR_VERTICAL_DEG + ROLL_STEP_DEG / 2, ROLL_STEP_DEG)
    vertical = _normal(found.lean_deg[None, :], grid[:, None], found.sd_deg[None, :]) * (1 - CLUTTER_SHARE)
    clutter = CLUTTER_SHARE / (2 * NEAR_VERTICAL_DEG)
    log_likelihood = (found.weight[None, :] * np.log(vertical + clutter)).sum(axis=1)
    posterior = np.exp(log_likelihood - log_likelihood.max())
    posterior /= posterior.sum()
    roll = float(np.sum(grid * posterior))
    spread = float(np.sqrt(np.sum((grid - roll) ** 2 * posterior)))
    inlier = np.exp(-0.5 * ((found.lean_deg - roll) / found.sd_deg) ** 2)  # 1 when it agrees exactly
    count = float(np.sum(found.weight * inlier))
    one_sided = PITCH_GRADIENT_DEG * abs(float(np.sum(found.weight * inlier * found.x)) / max(count, 1e-9))
    sd = float(np.sqrt(spread**2 + one_sided**2 + FLOOR_SD_DEG**2))
    return _verdict(roll, sd, count, one_sided > spread)


def _verdict(roll: float, sd: float, count: float, mostly_one_sided: bool) -> RollEstimate:
    """Whether the verticals' roll may be used, why not, and what would have leveled the photo."""
    if count < MIN_STRUCTURES:
        return RollEstimate(roll, sd, count, (
            "fewer than 3 independent vertical structures in the background agree, and about 3 are needed "
            "because one object alone may be slanted"), MORE_STRUCTURES_ADVICE)
    if sd > MAX_SD_DEG:
        if mostly_one_sided:
            return RollEstimate(roll, sd, count, "the vertical edges that agree are all on one side of the photo",
                                BOTH_SIDES_ADVICE)
        return RollEstimate(roll, sd, count, "the background edges disagree on the vertical", UPRIGHT_ADVICE)
    return RollEstimate(roll, sd, count, f"leveled from {count:.0f} vertical structures in the background")


def _normal(x, mean, sd):
    return np.exp(-0.5 * ((x - mean) / sd) ** 2) / (sd * np.sqrt(2 * np.pi))


def _analysis_image(rgb: np.ndarray) -> np.ndarray:
    height, width = rgb.shape[:2]
    scale = WORKING_LONG_SIDE_PX / max(width, height)
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    gray = cv2.resize(gray, size, interpolation=cv2.INTER_AREA if scale < 1.0 else cv2.INTER_CUBIC)
    return cv2.GaussianBlur(gray, (0, 0), SMOOTHING_SIGMA_PX)


def _structures(segments: np.ndarray, shape: tuple[int, int], endpoint_error_px: float) -> _Structures:
    """Edges grouped into structures: lines that pass close at mid-height with nearly the same
    lean (single linkage), each structure's length-weighted lean, position and error (an edge of
    a small photo, enlarged to the working size, is placed less precisely)."""
    height, width = shape
    lean, length = _lean_deg(segments), _lengths(segments)
    dy = segments[:, 3] - segments[:, 1]
    x_mid = segments[:, 0] + (height / 2 - segments[:, 1]) * (segments[:, 2] - segments[:, 0]) / dy
    linked = ((np.abs(x_mid[:, None] - x_mid[None, :]) <= SAME_STRUCTURE_FRACTION * width)
              & (np.abs(lean[:, None] - lean[None, :]) <= SAME_STRUCTURE_DEG))
    label = connected_components(linked, directed=False)[1]  # one label per structure
    groups = np.unique(label)
    centre_x = (segments[:, 0] + segments[:, 2]) / 2 / width - 0.5
    centre_y = (segments[:, 1] + segments[:, 3]) / 2 / height - 0.5
    total = np.array([length[label == g].sum() for g in groups])
    return _Structures(
        lean_deg=np.array([np.average(lean[label == g], weights=length[label == g]) for g in groups]),
        weight=np.minimum(1.0, total / (FULL_STRUCTURE_FRACTION * height)),
        x=np.array([np.average(centre_x[label == g], weights=length[label == g]) for g in groups]),
        y=np.array([np.average(centre_y[label == g], weights=length[label == g]) for g in groups]),
        sd_deg=np.hypot(STRUCTURE_SD_DEG, np.degrees(endpoint_error_px / total)),
    )


def _as_room_lines(found: _Structures | None, shape: tuple[int, int]) -> dict[str, np.ndarray] | None:
    """The vertical structures as a room corner's third direction (horizon.corner): positions in
    fractions of the long side."""
    if found is None:
        return None
    height, width = shape
    return {"lean_deg": found.lean_deg, "x": found.x * width / max(shape), "y": found.y * height / max(shape),
            "weight": found.weight, "sd_deg": found.sd_deg}


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

