"""Coloured markers on palpated bony landmarks (photogrammetry's way to see bones through skin):
found automatically, named by where the pose model says each landmark should be.

A marker is a small blob of one saturated colour (or white on dark clothes), 10-20 mm across, on
the body. Candidates are the colour's connected blobs of a marker's size and roundness whose
surroundings are not the same colour (a red shirt is not a marker); each expected landmark takes
the candidate nearest its prior position within a tolerance. A colour counts only when it names
two markers or more (or when the user named the colour), so a single red logo near a shoulder
does not become an acromion. The protocol and the priors: docs/markers.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np
from scipy.optimize import linear_sum_assignment

from posture.assessment.measurements import body_height_px, near_side_is_right
from posture.assessment.views import View
from posture.data_files import constant, load
from posture.errors import PhotoWarning, WarningCode
from posture.vision.landmarks import Landmark as L
from posture.vision.landmarks import PoseLandmarks


class MarkerColour(StrEnum):
    RED = "red"
    ORANGE = "orange"
    YELLOW = "yellow"
    GREEN = "green"
    BLUE = "blue"
    MAGENTA = "magenta"
    WHITE = "white"


# White is looked for only when named: white shirts, shoes, sky and highlights make white specks
# everywhere.
AUTO_COLOURS = tuple(c for c in MarkerColour if c is not MarkerColour.WHITE)


class PointOrigin(StrEnum):
    """Where a protocol point's position came from: the report says it for each point."""

    DETECTED = "detected"  # a coloured marker found on the photo
    BY_HAND = "placed_by_hand"  # an examiner placed it (it replaces a detected one of that name)
    ESTIMATED = "estimated"  # neither: where the pose model's points put it; measurements use the pose model


@dataclass(frozen=True)
class Marker:
    name: str  # e.g. "asis_left", "c7" (the subject's sides)
    xy_px: tuple[float, float]  # centre, upright-photo pixels
    confidence: float  # 0..1: how round, how marker-sized, how close to where the landmark should be
    origin: PointOrigin = PointOrigin.DETECTED

    def to_json(self) -> dict:
        return {"x": round(self.xy_px[0], 1), "y": round(self.xy_px[1], 1), "confidence": round(self.confidence, 2),
                "origin": self.origin.value}


@dataclass(frozen=True)
class MarkerSet:
    colour: MarkerColour | None
    markers: Mapping[str, Marker]
    warnings: tuple[PhotoWarning, ...] = ()


@dataclass(frozen=True)
class Expected:
    """Where a protocol landmark should be, and how far from there a marker may still be it."""

    xy_px: np.ndarray
    tolerance: float  # fraction of the body's height
    optional: bool = False


@dataclass(frozen=True)
class _Blob:
    xy: np.ndarray  # working-image pixels
    diameter: float
    roundness: float
    area: float  # pixels


def find_markers(
    rgb: np.ndarray, landmarks: PoseLandmarks, person_mask: np.ndarray | None, view: View,
    colour: MarkerColour | None = None,
) -> MarkerSet:
    """The markers of the protocol for this view, in upright-photo pixels. `rgb` is the working
    copy the mask belongs to; `landmarks` are in upright-photo pixels."""
    scale = rgb.shape[1] / landmarks.image_size[0]
    stature = body_height_px(landmarks, constant("visibility_threshold"))[0] * scale
    priors = expected_positions(landmarks, view)
    expected = {name: (prior.xy_px * scale, prior.tolerance * stature) for name, prior in priors.items()}
    person = _person(person_mask, rgb.shape[:2])
    body = _near_body(person, stature)
    best = MarkerSet(None, {})
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    for candidate in (colour,) if colour else AUTO_COLOURS:
        core = colour_mask(hsv, candidate)  # its clear colour: read once, for the worn test and the blobs
        if colour is None and _worn(core, person):
            continue
        blobs = _blobs(hsv, lab, candidate, core, body, stature)
        found, ambiguous = _assigned(blobs, expected)
        found = _whole(found)
        needed = 1 if colour else 2
        if len(found) >= needed and len(found) > len(best.markers):
            best = MarkerSet(candidate, {name: Marker(name, tuple(map(float, xy / scale)), conf)
                                         for name, (xy, conf) in found.items()},
                             _warnings(candidate, priors, found, ambiguous))
    return best


def expected_positions(landmarks: PoseLandmarks, view: View) -> dict[str, Expected]:
    """Each protocol landmark's prior position (upright-photo pixels) and tolerance (fraction of
    the body's height), from the pose model's points and adult proportions (markers.json)."""
    priors = load("markers.json")["priors"][view.value.split("_")[0]]
    stature = body_height_px(landmarks, constant("visibility_threshold"))[0]
    pts = landmarks.xy_px
    mid_hip_x = (pts[L.LEFT_HIP, 0] + pts[L.RIGHT_HIP, 0]) / 2
    near = "right" if near_side_is_right(landmarks) else "left"  # the side the side measurements read
    expected = {}
    for name, prior in priors.items():
        side = name.rsplit("_", 1)[-1] if name.endswith(("_left", "_right")) else near
        anchor = np.mean([pts[L[point.replace("SIDE", side.upper())]] for point in prior["anchor"]], axis=0)
        if view.is_frontal:
            outward = 1.0 if pts[L[f"{side.upper()}_HIP"], 0] >= mid_hip_x else -1.0
            offset = np.array([outward * prior["out"], -prior["up"]])
        else:
            offset = np.array([view.facing_x * prior["forward"], -prior["up"]])
        optional = prior.get("optional", False)
        expected[_sided(name, side)] = Expected(anchor + offset * stature, prior["tolerance"], optional)
    return expected


NEAR_BODY_FRACTION = 0.02  # of the body's height: a marker ball on the outline sticks out of the mask this far


def protocol_names(view: View, near: str = "left") -> tuple[str, ...]:
    """The markers the protocol puts on for this view (markers.json priors); `near`: the side a
    profile shows."""
    names = load("markers.json")["priors"][view.value.split("_")[0]]
    return tuple(_sided(n, near) for n in names)


def _sided(name: str, near: str) -> str:
    """A protocol point's full name: a profile's points are on its near side; C7 has no side."""
    return name if name.endswith(("_left", "_right")) or name == "c7" else f"{name}_{near}"


def _person(mask: np.ndarray | None, shape: tuple[int, int]) -> np.ndarray | None:
    """The person mask at the photo's size, as booleans."""
    if mask is None:
        return None
    return cv2.resize((mask > 0.5).astype(np.uint8), (shape[1], shape[0]), interpolation=cv2.INTER_NEAREST) > 0


def _worn(core: np.ndarray, person: np.ndarray | None) -> bool:
    """The person wears the colour (`core`: its pixels; it covers more of them than a set of
    markers could): the protocol keeps markers off a garment of their own colour, so an unnamed
    colour that is worn is a garment's, and its spots are a print, a seam or a fold, not markers."""
    if person is None:
        return False
    return bool(person.any()) and float(core[person].mean()) > load("markers.json")["blob"]["max_worn_share"]


def _near_body(person: np.ndarray | None, stature: float) -> np.ndarray | None:
    """The person's mask grown by a marker's size: a ball on the outline sticks out of it."""
    if person is None:
        return None
    body = person.astype(np.uint8)
    grow = max(3, round(NEAR_BODY_FRACTION * stature))
    return cv2.dilate(body, np.ones((grow, grow), np.uint8)).astype(bool)


def colour_mask(hsv: np.ndarray, colour: MarkerColour, relax: float = 1.0) -> np.ndarray:
    """Pixels of the colour (markers.json); `relax` < 1 lowers the saturation and value limits by
    that factor: a ball's shaded rim (white's rim is only darker: a paler colour would be skin)."""
    spec = load("markers.json")["colours"][colour.value]
    hue, sat, val = hsv[..., 0].astype(int), hsv[..., 1], hsv[..., 2]
    low, high = spec["hue"]
    in_hue = (hue >= low) & (hue <= high) if low <= high else (hue >= low) | (hue <= high)
    return in_hue & (sat >= relax * spec["min_saturation"]) & (sat <= spec.get("max_saturation", 255)) & (
        val >= relax * spec["min_value"])


def _with_rims(hsv: np.ndarray, colour: MarkerColour, core: np.ndarray) -> np.ndarray:
    """The colour's pixels grown into their rims: a ball is darker and less saturated toward its
    edge (shading, and the edge pixels blend with what is behind), so its clear colour is a core
    smaller than the ball, its centre pulled toward the light. The core grows by up to RIM_PX into
    pixels of the same hue at relaxed limits (`core`: the clear colour's pixels). Returns the grown mask."""
    rule = load("markers.json")["blob"]
    clear = core.astype(np.uint8)
    rim = colour_mask(hsv, colour, rule["rim_relax"]).astype(np.uint8)
    grown = clear
    for _ in range(rule["rim_px"]):
        grown = cv2.dilate(grown, np.ones((3, 3), np.uint8)) & rim | clear
    return grown.astype(bool)


def _blobs(hsv: np.ndarray, lab: np.ndarray, colour: MarkerColour, core: np.ndarray, body: np.ndarray | None,
           stature: float) -> list[_Blob]:
    """Connected blobs of the colour that are marker-sized, round, on the body and set apart
    from their surroundings (`hsv` and `lab`: the photo in those colour spaces)."""
    size = load("markers.json")["blob"]
    member = _with_rims(hsv, colour, core)
    count, labels, stats, centroids = cv2.connectedComponentsWithStats(member.astype(np.uint8), connectivity=8)
    blobs = []
    for index in range(1, count):
        x, y, w, h, area = stats[index]
        diameter = max(w, h)
        if not max(size["min_pixels"], size["min_diameter"] * stature) <= diameter <= size["max_diameter"] * stature:
            continue
        roundness = area / (np.pi * w * h / 4)  # how well it fills the ellipse of its box: a disc at any angle
        if roundness < size["min_roundness"] or max(w, h) > size["max_aspect"] * min(w, h):
            continue
        centre = centroids[index] + 0.5  # pixel indices to the photo's continuous coordinates (the pose model's)
        if body is not None and not body[int(centre[1]), int(centre[0])]:
            continue
        box = (slice(max(0, y - h), y + 2 * h), slice(max(0, x - w), x + 2 * w))  # the blob and a ring of its size
        if not _stands_out(lab[box], member[box], core[box] & (labels[box] == index), labels[box] == index, size,
                           colour is MarkerColour.WHITE):
            continue
        blobs.append(_Blob(centre, float(diameter), float(min(roundness, 1.0)), float(area)))
    return blobs


def _stands_out(lab: np.ndarray, member: np.ndarray, core: np.ndarray, blob: np.ndarray, size: dict,
                white: bool) -> bool:
    """A marker is set apart from what it sits on: the ring around it is mostly another colour,
    and its clear colour (`core`, without the shaded rim) differs from the ring's by a clear margin
    (CIELAB distance); a speck of a patterned or coloured garment is neither. The ring starts a gap
    away from the blob: a JPEG keeps colour at half resolution, so a small ball's colour bleeds
    about 2 px into what surrounds it. A coloured marker also has more of its own hue than the ring
    (a dark fold or shadow on a dull garment of that hue differs in lightness only). A marker on a
    surface of a near hue (orange on skin, blue on navy) differs less, but it sits on an even
    surface: its own-hue contrast is many times the ring's spread in that hue, where a speck of a
    print, seam or fold sits among pixels that vary."""
    rows, cols = np.nonzero(blob)
    width, gap = max(2, round((max(rows.ptp(), cols.ptp()) + 1) / 2)), size["ring_gap_px"]
    grown = cv2.dilate(blob.astype(np.uint8), np.ones((2 * (width + gap) + 1,) * 2, np.uint8)).astype(bool)
    ring = grown & ~cv2.dilate(blob.astype(np.uint8), np.ones((2 * gap + 1,) * 2, np.uint8)).astype(bool)
    if not ring.any() or member[ring].mean() > size["max_ring_share"]:
        return False
    marker, around = lab[core].mean(axis=0), lab[ring].mean(axis=0)
    if white:  # no hue of its own: lighter than what it sits on
        return float(np.linalg.norm(marker - around)) >= size["min_contrast_lab"]
    hue, ring_spread = _own_hue(marker, lab[ring])
    return hue >= size["min_hue_contrast_lab"] or (
        hue >= size["min_hue_share_lab"] and float(np.linalg.norm(marker - around)) >= size["min_contrast_lab"]) or (
        hue >= size["min_hue_even_lab"]
        and hue >= size["min_hue_over_ring_spread"] * max(ring_spread, size["ring_spread_floor_lab"]))


def _own_hue(marker: np.ndarray, ring: np.ndarray) -> tuple[float, float]:
    """How much more of its own hue the marker (its mean CIELAB colour) has than the ring's pixels
    on average, and the ring pixels' standard deviation in that hue (CIELAB units along the
    marker's a*b* direction): an orange ball on skin or a blue one on dark skin is close to them in
    lightness and overall colour, but far more saturated in its hue than they are."""
    chroma = marker[1:] - 128.0  # 8-bit OpenCV Lab: a* and b* offset by 128
    norm = float(np.linalg.norm(chroma))
    if norm == 0:
        return 0.0, 0.0
    along = (ring[:, 1:] - 128.0) @ (chroma / norm)
    return float(norm - along.mean()), float(along.std())


def _whole(found: dict[str, tuple[_Blob, float]]) -> dict[str, tuple[np.ndarray, float]]:
    """The found markers' centres, without those mostly hidden (behind the neck, hair or an arm):
    markers of one set are alike, so one under min_area_share of the set's median area shows less
    than half of itself, and the centre of the part in view is off by up to a radius. Those are
    left out (and said as not found)."""
    share = load("markers.json")["blob"]["min_area_share"]
    median = float(np.median([blob.area for blob, _ in found.values()])) if len(found) >= 3 else 0.0
    return {name: (blob.xy, confidence) for name, (blob, confidence) in found.items() if blob.area >= share * median}


def _assigned(blobs: list[_Blob], expected: dict[str, tuple[np.ndarray, float]]):
    """Blobs matched to names by distance to the prior over its tolerance (at most 1). A name
    with a second blob within its tolerance is ambiguous and left out; so is a blob about as near
    the prior of a name no blob took: one acromion ball with C7 hidden lies between the two
    priors, and calling it C7 moved a CVA by 10 degrees."""
    if not blobs:
        return {}, []
    names = list(expected)
    cost = np.array([[np.linalg.norm(b.xy - expected[n][0]) / expected[n][1] for n in names] for b in blobs])
    rows, cols = linear_sum_assignment(np.where(cost <= 1.0, cost, 1e6))
    named = {row: col for row, col in zip(rows, cols, strict=True) if cost[row, col] <= 1.0}  # blob -> name
    taken, margin = set(named.values()), load("markers.json")["blob"]["min_name_margin"]
    found, ambiguous = {}, []
    for row, col in named.items():
        rivals = [r for r in range(len(blobs)) if r != row and r not in named and cost[r, col] <= 1.0]
        other_names = [c for c in range(len(names)) if c not in taken and cost[row, c] <= 1.0
                       and cost[row, c] < cost[row, col] + margin]
        if rivals or other_names:
            ambiguous.extend(names[c] for c in (col, *other_names))
            continue
        confidence = blobs[row].roundness * (1.0 - 0.5 * cost[row, col] ** 2)
        if confidence >= load("markers.json")["blob"]["min_confidence"]:
            found[names[col]] = (blobs[row], float(confidence))
    return found, ambiguous


def _warnings(colour: MarkerColour, expected: dict[str, Expected], found: dict, ambiguous: list[str]
              ) -> tuple[PhotoWarning, ...]:
    missing = [n for n, prior in expected.items() if n not in found and n not in ambiguous and not prior.optional]
    warnings = []
    if missing:
        warnings.append(PhotoWarning(
            WarningCode.MARKER_NOT_FOUND,
            f"{colour.value.capitalize()} markers found, but not on: "
            + "; ".join(f"{point_words(n)['plain']} ({n})" for n in missing)
            + ". Hidden by clothing or an arm? The measurements that need them use the pose model instead.",
        ))
    if ambiguous:
        warnings.append(PhotoWarning(
            WarningCode.MARKER_AMBIGUOUS,
            "Which point a marker-like spot is can't be told (two spots where one point should be, or one spot"
            " between two points), so it is not used: " + ", ".join(dict.fromkeys(ambiguous))
            + ". Remove any other spot of that colour (a logo, a button?) and check the markers' places.",
        ))
    return tuple(warnings)


def split_name(name: str) -> tuple[str, str]:
    """A protocol point's name as its markers.json `names` key and its side: "asis_left" ->
    ("asis", "left"), "c7" -> ("c7", "")."""
    base = name.removesuffix("_left").removesuffix("_right")
    return base, name[len(base) + 1:]


def point_words(name: str) -> dict:
    """A protocol point's words in markers.json (`short`, `plain`, `find`, `on_photo`), any side."""
    return load("markers.json")["names"][split_name(name)[0]]


def off_body(points: Mapping[str, tuple[float, float]], landmarks: PoseLandmarks,
             mask: np.ndarray | None) -> tuple[str, ...]:
    """The points (upright-photo pixels) farther from the person's mask (working-copy pixels) than
    a marker sticks out of it: a tap on the background, not on a bony point. None without a mask."""
    if mask is None:
        return ()
    scale = mask.shape[1] / landmarks.image_size[0]
    reach = max(1, round(NEAR_BODY_FRACTION * body_height_px(landmarks, constant("visibility_threshold"))[0] * scale))
    found = []
    for name, (x, y) in points.items():
        col, row = round(x * scale), round(y * scale)
        around = mask[max(0, row - reach):row + reach + 1, max(0, col - reach):col + reach + 1]
        if around.size == 0 or not (around > 0.5).any():
            found.append(name)
    return tuple(found)
