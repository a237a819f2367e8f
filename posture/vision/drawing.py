"""Annotated images: skeleton, the measured lines with their values, plumb line, findings.

Drawing receives landmarks and measurements already computed; it never measures. Sizes scale with
the image so a 12 MP photo and a thumbnail are both readable.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from posture.registry import Drawing, Lean, Line, drawings, info
from posture.vision.landmarks import Landmark as L
from posture.vision.landmarks import PoseLandmarks

LEFT_RGB = (40, 120, 255)
LEVEL_DEG = 0.5  # the live guide calls the camera level within this roll
LEVEL_RGB, TILTED_RGB = (60, 200, 80), (250, 200, 40)
RIGHT_RGB = (255, 140, 0)
MIDDLE_RGB = (220, 220, 220)
NORMAL_RGB = (60, 200, 90)  # a measured line with no finding
CANT_TELL_RGB = (170, 170, 170)  # measured, but its finding could not be decided; points that may be someone else's
DETECTED_RGB = (255, 255, 255)  # a coloured marker found on the photo
PLACED_RGB = (40, 220, 255)  # a protocol point an examiner placed by hand
# Font scale per pixel of width: an image is shown as wide as a phone's screen (~330-360 px), so
# text sized to the width reads there whatever the photo's pixel count (sized to the long side, a
# landscape webcam frame's labels showed ~6 px tall). Line labels ~12 px; the legend's longer lines
# a little smaller (~10 px), or it no longer fits beside a person who fills half the width.
LABEL_TEXT_OF_WIDTH = 1 / 600
LEGEND_TEXT_OF_WIDTH = 1 / 700
RGB = tuple[int, int, int]
Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in canvas pixels

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
    person_mask: np.ndarray | None = None  # working-copy pixels: where the legend must not go
    suspect_points: tuple[str, ...] = ()  # landmark keys that may belong to someone else: circled
    markers: Mapping[str, tuple[float, float]] = field(default_factory=dict)  # label -> upright-photo px
    placed_by_hand: tuple[str, ...] = ()  # labels of `markers` an examiner placed: ringed in PLACED_RGB


@dataclass(frozen=True)
class _Pen:
    """Where the landmarks are on the canvas and how thick to draw."""

    canvas: np.ndarray
    points: np.ndarray  # canvas pixels
    seen: Mapping[L, bool]
    unit: int
    note: Annotation
    labels: list = field(default_factory=list)  # (x, y, w, h) of each label laid out so far: later ones avoid them
    rings: dict = field(default_factory=dict)  # marker label -> (x, y, w, h) of its ring: no label covers one

    def text(self, text: str, origin: tuple[int, int], colour: RGB, left_of: int | None = None,
             prefer_left: bool = False) -> None:
        """A label (`_text`) moved off the labels laid out before it and off the markers' rings."""
        self.labels.append(_text(self.canvas, text, origin, colour, self.unit, left_of, prefer_left,
                                 [*self.labels, *self.rings.values()]))

    def text_within(self, text: str, origin: tuple[int, int], colour: RGB, within: tuple[int, int],
                    prefer_left: bool = False) -> None:
        """A label that stays between the x of `within` (one leg's side of the body), shrunk to fit
        rather than moved out of it: laid out as if the image were only that wide."""
        low, high = within
        avoid = [(x - low, y, w, h) for x, y, w, h in [*self.labels, *self.rings.values()]]
        edge = origin[0] - low if prefer_left else None
        label = _layout((self.canvas.shape[0], high - low), text, (origin[0] - low, origin[1]), self.unit, edge,
                        prefer_left, avoid, image_width=self.canvas.shape[1])
        label = replace(label, x=label.x + low, box=(label.box[0] + low, *label.box[1:]))
        _put(self.canvas, label, colour)
        self.labels.append(label.box)

    @property
    def frontal(self) -> bool:
        return self.note.view in ("front", "back")

    def landmark(self, name: str) -> L:
        """A landmark name (frontal) or a body part of the side facing the camera (side views)."""
        return L[name.upper()] if self.frontal else L[f"{self.note.near_side}_{name}".upper()]

    def px(self, lm: L) -> tuple[int, int]:
        return int(round(self.points[lm, 0])), int(round(self.points[lm, 1]))


def annotate(image_rgb: np.ndarray, landmarks: PoseLandmarks, note: Annotation) -> np.ndarray:
    """A copy of `image_rgb` (any size; landmarks are scaled from the original photo's pixels).
    With the legend it may be taller: a strip below the photo when no corner beside the person is
    free, so the photo keeps its pixels where they were (a click on it maps back unchanged)."""
    canvas = np.ascontiguousarray(image_rgb.copy())
    height, width = canvas.shape[:2]
    scale = width / landmarks.image_size[0]  # the original photo's pixels to the canvas's
    points = landmarks.xy_px * scale
    unit = max(1, round(max(width, height) / 700))  # line width 1 up to a ~1000 px preview
    seen = {lm: bool(landmarks.visibility[lm] >= note.visibility_threshold) for lm in L}
    pen = _Pen(canvas, points, seen, unit, note, rings=_marker_rings(note, scale, width, unit))
    marker_labels = _marker_labels(pen, scale)  # first: they stay on one side, the others can move
    for a, b in BONES:
        if seen[a] and seen[b]:
            cv2.line(canvas, pen.px(a), pen.px(b), _side_colour(a, b), unit, cv2.LINE_AA)
    for lm in L:
        if seen[lm]:
            cv2.circle(canvas, pen.px(lm), unit + 1, _side_colour(lm), -1, cv2.LINE_AA)
    _plumb_line(pen)
    for mid, drawing in drawings(frontal=pen.frontal):
        value, unit_name = note.measurements.get(mid, (None, ""))
        if value is not None:
            _draw(pen, mid, drawing, value, unit_name, note.line_colours.get(mid, NORMAL_RGB))
    _suspects(pen)
    _markers(pen, scale, marker_labels)
    if not note.show_legend:
        return canvas
    box = person_box((width, height), points, seen, note.person_mask)
    return _with_legend(canvas, legend_layout((width, height), box, note.legend, unit))


STATUS_BAND_OF_HEIGHT = 0.14  # the live status band's height, as a share of the frame's


def with_status_band(image_rgb: np.ndarray, text: str, colour: RGB = (255, 255, 255)) -> np.ndarray:
    """The frame with a dark band added below it and `text` centred in it, as large as fits (the
    live capture's countdown): outside the picture, so it never covers a line or the person; always
    added, so the video's size never changes."""
    height, width = image_rgb.shape[:2]
    band_h = 2 * max(12, round(height * STATUS_BAND_OF_HEIGHT / 2))  # even: video encoders halve colour rows
    band = np.full((band_h, width, 3), 30, np.uint8)
    font = cv2.FONT_HERSHEY_SIMPLEX
    if text:
        (text_w, text_h), _ = cv2.getTextSize(text, font, 1.0, 2)
        scale = min(0.95 * width / text_w, 0.6 * band_h / text_h)
        thickness = max(1, round(scale * 2))
        (text_w, text_h), _ = cv2.getTextSize(text, font, scale, thickness)
        cv2.putText(band, text, ((width - text_w) // 2, (band_h + text_h) // 2), font, scale,
                    colour, thickness, cv2.LINE_AA)
    return np.ascontiguousarray(np.vstack([image_rgb, band]))


def draw_level(image_rgb: np.ndarray, roll_deg: float) -> np.ndarray:
    """The live page's level guide, drawn in place along the top edge: the true horizontal as the
    background shows it (tilted by the camera roll: turn the camera until it lies flat), green within
    LEVEL_DEG. Its words go in the status band under the picture (`level_status`)."""
    height, width = image_rgb.shape[:2]
    unit = max(1, round(max(width, height) / 320))
    angle = math.radians(roll_deg)  # the true horizontal, turned counter-clockwise on screen by the roll
    half = 0.3 * width * np.array([math.cos(angle), -math.sin(angle)])
    centre = np.array([width / 2, abs(half[1]) + 4 * unit])  # as high as the tilted line allows
    ends = [tuple(np.round(centre + sign * half).astype(int)) for sign in (-1, 1)]
    colour = LEVEL_RGB if abs(roll_deg) <= LEVEL_DEG else TILTED_RGB
    cv2.line(image_rgb, ends[0], ends[1], (0, 0, 0), 4 * unit, cv2.LINE_AA)
    cv2.line(image_rgb, ends[0], ends[1], colour, 2 * unit, cv2.LINE_AA)
    return image_rgb


def level_status(roll_deg: float | None, hint: str) -> tuple[str, RGB]:
    """What the status band says about the level, in the guide line's colour."""
    if roll_deg is None:
        return f"level: can't tell - {hint}", (200, 200, 200)
    if abs(roll_deg) <= LEVEL_DEG:
        return "camera level", LEVEL_RGB
    return f"camera tilted {abs(roll_deg):.1f} deg: make the top line flat", TILTED_RGB


def _draw(pen: _Pen, mid: str, drawing: Drawing, value: float, unit_name: str, colour: RGB) -> None:
    """One measurement's drawing, if every point it needs is seen."""
    needed = [pen.landmark(name) for name in drawing.points]
    if not all(pen.seen[lm] for lm in needed):
        return
    text = label_text(mid, drawing, value, unit_name, pen.frontal)
    if isinstance(drawing, Line):
        _line(pen, needed, value, text, colour)
    elif isinstance(drawing, Lean):
        _lean(pen, needed, text, colour)
    else:
        _bend(pen, needed, text, colour)


def label_text(mid: str, drawing: Drawing, value: float, unit_name: str, frontal: bool) -> str:
    """'hips +7.6 L up': the value with its sign and, where a sign alone leaves it to the reader to
    know which side is whose, the side in words (the subject's left is on the image's right in a
    front view)."""
    sign = "+" if info(mid).sign_convention.startswith("+") else ""  # an angle above the horizontal has none
    suffix = " deg" if unit_name == "deg" and not frontal else ""  # every frontal value is an angle
    shown = f"{value:{sign}.1f}"
    side = drawing.words[0 if value > 0 else 1] if drawing.words and float(shown) != 0 else ""
    return f"{drawing.label} {shown}{suffix}" + (f" {side}" if side else "")


def _line(pen: _Pen, ends: Sequence[L], value: float, text: str, colour: RGB) -> None:
    """Frontal: through the pair's midpoint at the measured tilt, turned by the camera roll the
    measurement undid; side: between the two points."""
    a, b = (pen.points[lm] for lm in ends)
    if pen.frontal:
        start, end = _at_angle(a, b, value + _screen_sign(a, b) * pen.note.camera_roll_deg)
        right, left = max(start, end), min(start, end)
        where, left_of = (right[0] + 4 * pen.unit, right[1]), left[0] - 4 * pen.unit
    else:
        start, end = pen.px(ends[0]), pen.px(ends[1])
        where, left_of = (start[0] + 6 * pen.unit, start[1]), start[0] - 6 * pen.unit
    cv2.line(pen.canvas, start, end, colour, 2 * pen.unit, cv2.LINE_AA)
    pen.text(text, where, colour, left_of=left_of)


def _lean(pen: _Pen, four: Sequence[L], text: str, colour: RGB) -> None:
    """Mid-base to mid-top, and the true vertical through mid-base (turned by the camera roll the
    measurement undid) as a thin reference of the same length."""
    base = (pen.points[four[0]] + pen.points[four[1]]) / 2
    top = (pen.points[four[2]] + pen.points[four[3]]) / 2
    length = float(np.linalg.norm(top - base))
    roll = np.radians(pen.note.camera_roll_deg)  # counter-clockwise on screen
    upright = base + length * np.array([-np.sin(roll), -np.cos(roll)])
    cv2.line(pen.canvas, _int(base), _int(upright), colour, pen.unit, cv2.LINE_AA)
    cv2.line(pen.canvas, _int(base), _int(top), colour, 2 * pen.unit, cv2.LINE_AA)
    label = base + (top - base) * 0.4
    pen.text(text, (int(label[0]) + 6 * pen.unit, int(label[1])), colour, left_of=int(label[0]) - 6 * pen.unit)


def _bend(pen: _Pen, chain: Sequence[L], text: str, colour: RGB) -> None:
    """The chain through the three points, labelled beside the middle one, away from the body. In
    a front or back view the label never reaches the other knee, shrunk rather than moved across
    to the other leg (where "L knee" was read as the knee it sat on)."""
    polyline = np.array([pen.px(lm) for lm in chain], np.int32)
    cv2.polylines(pen.canvas, [polyline], False, colour, 2 * pen.unit, cv2.LINE_AA)
    x, y = pen.px(chain[1])
    if not pen.frontal:
        pen.text(text, (x + 6 * pen.unit, y), colour, left_of=x - 6 * pen.unit)
        return
    other = int(round(pen.points[chain[1].mirror, 0]))
    if x >= other:
        pen.text_within(text, (x + 6 * pen.unit, y), colour, (other + 6 * pen.unit, pen.canvas.shape[1]))
    else:
        pen.text_within(text, (x - 6 * pen.unit, y), colour, (0, other - 6 * pen.unit), prefer_left=True)


def _plumb_line(pen: _Pen) -> None:
    """Front/back: through the middle of the ankles; side: through the near ankle."""
    if pen.frontal:
        ankles = (L.LEFT_ANKLE, L.RIGHT_ANKLE)
        if all(pen.seen[lm] for lm in ankles):
            _dashed_vertical(pen.canvas, int(round(pen.points[list(ankles), 0].mean())), pen.unit)
    elif pen.seen[pen.landmark("ankle")]:
        _dashed_vertical(pen.canvas, pen.px(pen.landmark("ankle"))[0], pen.unit)


def _suspects(pen: _Pen) -> None:
    """A grey ring around each point that may belong to someone else, and one label."""
    shown = [L[key.upper()] for key in pen.note.suspect_points]
    radius = max(10 * pen.unit, pen.canvas.shape[1] // 60)
    for lm in shown:
        cv2.circle(pen.canvas, pen.px(lm), radius, (0, 0, 0), 4 * pen.unit, cv2.LINE_AA)
        cv2.circle(pen.canvas, pen.px(lm), radius, CANT_TELL_RGB, 2 * pen.unit, cv2.LINE_AA)
    if shown:  # one label: the legend says the rest
        x, y = pen.px(shown[0])
        pen.text("another person?", (x + radius + 3 * pen.unit, y), CANT_TELL_RGB, left_of=x - radius - 3 * pen.unit)


def _marker_radius(width: int, unit: int) -> int:
    return max(6 * unit, width // 90)


def _marker_rings(note: Annotation, scale: float, width: int, unit: int) -> dict[str, tuple[int, int, int, int]]:
    """Each marker's ring as a box (x, y, w, h) on the canvas, known before any label is drawn."""
    radius = _marker_radius(width, unit) + 2 * unit  # and half its black edge (3 units), antialiased
    return {name: (*(v - radius for v in _int(np.asarray(xy) * scale)), 2 * radius, 2 * radius)
            for name, xy in note.markers.items()}


def _marker_labels(pen: _Pen, scale: float) -> dict[str, _Label]:
    """Each marker's name laid out beside its ring, outward only (shrunk to fit rather than moved
    across the body onto the other side's labels), off the other rings; the measurement labels,
    which may change sides, are laid out after them and move off them."""
    radius = _marker_radius(pen.canvas.shape[1], pen.unit)
    middle = float(np.mean(pen.points[[L.LEFT_HIP, L.RIGHT_HIP], 0]))
    laid_out = {}
    for name, xy in pen.note.markers.items():
        centre = _int(np.asarray(xy) * scale)
        outward_left = not pen.frontal or centre[0] < middle  # away from the body (a profile's values are right)
        others = [box for other, box in pen.rings.items() if other != name]
        laid_out[name] = _layout(pen.canvas.shape, name, (centre[0] + radius + 2 * pen.unit, centre[1] + radius),
                                 pen.unit, left_of=centre[0] - radius - 2 * pen.unit, prefer_left=outward_left,
                                 avoid=[*pen.labels, *others], one_side=True)
        pen.labels.append(laid_out[name].box)
    return laid_out


def _markers(pen: _Pen, scale: float, labels: Mapping[str, _Label]) -> None:
    """Each marker found on the body: a white ring with its name, so a wrong one is seen at once;
    a point placed by hand in cyan."""
    radius = _marker_radius(pen.canvas.shape[1], pen.unit)
    for name, xy in pen.note.markers.items():
        centre = _int(np.asarray(xy) * scale)
        colour = PLACED_RGB if name in pen.note.placed_by_hand else DETECTED_RGB
        cv2.circle(pen.canvas, centre, radius, (0, 0, 0), 3 * pen.unit, cv2.LINE_AA)
        cv2.circle(pen.canvas, centre, radius, colour, pen.unit, cv2.LINE_AA)
        _put(pen.canvas, labels[name], colour)


def _int(point: np.ndarray) -> tuple[int, int]:
    return int(round(point[0])), int(round(point[1]))


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


@dataclass(frozen=True)
class _Label:
    """A label laid out: its text, baseline origin, font scale, stroke width and box (x, top, w, h)."""

    text: str
    x: int
    y: int
    scale: float
    unit: int
    box: tuple[int, int, int, int]


def _text(
    canvas: np.ndarray, text: str, origin: tuple[int, int], colour, unit: int, left_of: int | None = None,
    prefer_left: bool = False, avoid: Sequence[tuple[int, int, int, int]] = (),
) -> tuple[int, int, int, int]:
    """Outlined text laid out by `_layout` and drawn; returns its box (x, top, width, height)."""
    label = _layout(canvas.shape, text, origin, unit, left_of, prefer_left, avoid)
    _put(canvas, label, colour)
    return label.box


def _layout(
    shape: tuple[int, ...], text: str, origin: tuple[int, int], unit: int, left_of: int | None = None,
    prefer_left: bool = False, avoid: Sequence[tuple[int, int, int, int]] = (), one_side: bool = False,
    image_width: int | None = None,
) -> _Label:
    """Text with its baseline at `origin`, shrunk to fit the image's width.

    If it doesn't fit to the right of `origin`, it is placed to end at `left_of` instead, or else
    slid back left by up to a third of its width and then shrunk to fit; `prefer_left` places it at
    `left_of` first (slid right by up to a third, then shrunk, rather than moved to the right).
    While it would cover a box of `avoid`, it moves down or up just clear of what it covers (at most
    one and a half rows), then to the other side (when `left_of` is given and it fits there);
    farther, it would no longer label its point.
    `one_side`: never on the other side, for either reason (shrunk to fit instead).
    `image_width`: the whole image's, which sizes the text, when `shape` is only a part of it.
    """
    font = cv2.FONT_HERSHEY_SIMPLEX
    width = shape[1]
    scale = text_scale(image_width or width, unit, LABEL_TEXT_OF_WIDTH)
    unit = max(1, round(scale / 0.45))  # stroke width follows the text's size
    (text_w, text_h), _ = cv2.getTextSize(text, font, scale, unit)
    x = origin[0]
    if prefer_left and left_of is not None and left_of > 0:
        room = left_of - 2 + text_w // 3  # it may slide right over its own point's side by a third
        scale *= min(1.0, max(0.3, room / text_w))
        (text_w, text_h), _ = cv2.getTextSize(text, font, scale, unit)
        x = max(0, left_of - text_w)
    elif x + text_w > width and left_of is not None and left_of - text_w >= 0 and not one_side:
        x = left_of - text_w
    if x + text_w > width and not prefer_left and not one_side:  # slid back over its own side a little
        x = max(0, x - min(x + text_w - width, text_w // 3))  # never off the left edge: shrunk instead
    if x + text_w > width:
        scale *= max(0.3, (width - x - 2) / text_w)
        (text_w, text_h), _ = cv2.getTextSize(text, font, scale, unit)
    x = min(max(0, x), max(0, width - text_w - 1))
    other_side = None if left_of is None or one_side else (origin[0] if x < origin[0] else left_of - text_w)
    sides = [x] + ([other_side] if other_side is not None and 0 <= other_side <= width - text_w else [])
    descent, outline = cv2.getTextSize(text, font, scale, unit)[1], 2 * unit  # below the baseline; the black edge
    height = text_h + descent + 2 * outline

    def box_at(x: int, baseline: int) -> tuple[tuple[int, int, int, int], int]:
        y = min(max(text_h + 2, baseline), shape[0] - 2)  # inside the image
        return (x - outline, y - text_h - outline, text_w + 2 * outline, height), y

    for x in sides:
        box, y = box_at(x, origin[1])
        covered = [other for other in avoid if _overlap(box, other)]
        if not covered:
            return _Label(text, x, y, scale, unit, box)
        below = max(o[1] + o[3] for o in covered) - box[1]  # just clear of what it covers
        above = min(o[1] for o in covered) - (box[1] + height)
        for shift in (below, above):
            moved, moved_y = box_at(x, y + shift)
            if abs(shift) <= 1.5 * height and not any(_overlap(moved, other) for other in avoid):
                return _Label(text, x, moved_y, scale, unit, moved)
    box, y = box_at(sides[0], origin[1])
    return _Label(text, sides[0], y, scale, unit, box)


def _put(canvas: np.ndarray, label: _Label, colour) -> None:
    font = cv2.FONT_HERSHEY_SIMPLEX
    cv2.putText(canvas, label.text, (label.x, label.y), font, label.scale, (0, 0, 0), 3 * label.unit, cv2.LINE_AA)
    cv2.putText(canvas, label.text, (label.x, label.y), font, label.scale, colour, label.unit, cv2.LINE_AA)


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


@dataclass(frozen=True)
class LegendLayout:
    """Where the legend goes: a box clear of the person, its text wrapped to fit."""

    box: Box  # on the output canvas (below the photo when `strip_px` > 0)
    lines: tuple[tuple[str, RGB], ...]  # wrapped
    scale: float  # font scale
    row_px: int
    strip_px: int  # rows added below the photo: no corner beside the person was free


def person_box(size: tuple[int, int], points: np.ndarray, seen: Mapping[L, bool], mask: np.ndarray | None) -> Box:
    """The person's extent on a canvas of `size`: the seen points, with the top of the head above
    the face (the crown is ~0.6 of the nose-to-shoulders drop above the nose; 0.75 leaves room
    for hair), joined with the person mask's extent."""
    xy = np.array([points[lm] for lm in L if seen[lm]]).reshape(-1, 2)
    if len(xy) == 0:
        return (0, 0, 0, 0)
    (x0, y0), (x1, y1) = xy.min(axis=0), xy.max(axis=0)
    margin = 0.04 * (y1 - y0)
    shoulders = (L.LEFT_SHOULDER, L.RIGHT_SHOULDER)
    if seen[L.NOSE] and all(seen[lm] for lm in shoulders):
        margin = max(margin, 0.75 * (points[list(shoulders), 1].mean() - points[L.NOSE, 1]))
    box = [x0 - margin / 3, y0 - margin, x1 + margin / 3, y1 + margin / 3]
    if mask is not None and np.any(mask >= 0.5):
        rows, cols = np.nonzero(mask >= 0.5)
        sx, sy = size[0] / mask.shape[1], size[1] / mask.shape[0]
        box = [min(box[0], cols.min() * sx), min(box[1], rows.min() * sy),
               max(box[2], (cols.max() + 1) * sx), max(box[3], (rows.max() + 1) * sy)]
    (width, height), (left, top, right, bottom) = size, box
    return max(0, int(left)), max(0, int(top)), min(width, int(np.ceil(right))), min(height, int(np.ceil(bottom)))


def legend_layout(size: tuple[int, int], person: Box, legend: Sequence[tuple[str, RGB]], unit: int) -> LegendLayout:
    """The first free place, in this order: above the person, in the column left of them, right of
    them, below them; else a strip below the photo. Labels of the lines sit right of the body, so
    the left column comes first. The text is never shrunk below a phone's reading size, and a
    place where a line would break into more than two is not free."""
    width, height = size
    scale = text_scale(width, unit, LEGEND_TEXT_OF_WIDTH)
    thickness = max(1, round(scale / 0.45))
    row, pad = int(22 * scale) + 6 * thickness, 4 * thickness
    x0, y0, x1, y1 = person
    # (left, top, right, bottom) of each free place, and the corner the legend takes in it.
    free = (((0, 0, width, y0 - pad), "top left"), ((0, 0, x0 - pad, height), "top left"),
            ((x1 + pad, 0, width, height), "top right"), ((0, y1 + pad, width, height), "bottom left"))
    text = list(legend) or [("no findings", NORMAL_RGB)]
    for (left, top, right, bottom), corner in free:
        lines = _wrapped(text, right - left - 2 * pad, scale, thickness)
        if lines is None or len(lines) > 2 * len(text) or row * len(lines) + 2 * pad > bottom - top:
            continue
        box_w = max(_text_width(t, scale, thickness) for t, _ in lines) + 2 * pad
        box_h = row * len(lines) + 2 * pad
        box_x = right - box_w if corner.endswith("right") else left
        box_y = bottom - box_h if corner.startswith("bottom") else top
        return LegendLayout((box_x, box_y, box_x + box_w, box_y + box_h), tuple(lines), scale, row, 0)
    lines = _wrapped(text, width - 2 * pad, scale, thickness, force=True)
    strip = row * len(lines) + 2 * pad
    return LegendLayout((0, height, width, height + strip), tuple(lines), scale, row, strip)


def text_scale(width: int, unit: int, of_width: float) -> float:
    """The font scale of text on an image `width` pixels wide: readable when it is shown a phone's
    width, never smaller than the lines' `unit` asks."""
    return max(0.45 * unit, width * of_width)


def _text_width(text: str, scale: float, thickness: int) -> int:
    return cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)[0][0]


def _wrapped(text: Sequence[tuple[str, RGB]], width: int, scale: float, thickness: int,
             force: bool = False) -> list[tuple[str, RGB]] | None:
    """Each line broken at spaces to fit `width`; None when a word does not fit (unless `force`)."""
    def fits(words: str) -> bool:
        return _text_width(words, scale, thickness) <= width

    lines = []
    for line, colour in text:
        current = ""
        for word in line.split():
            joined = f"{current} {word}".strip()
            if current and not fits(joined):
                lines.append((current, colour))
                joined = word
            if not fits(joined) and not force:
                return None
            current = joined
        lines.append((current, colour))
    return lines


def _with_legend(canvas: np.ndarray, layout: LegendLayout) -> np.ndarray:
    """The canvas with the legend drawn in its box (on a dark strip added below when needed)."""
    if layout.strip_px:
        strip = np.full((layout.strip_px, canvas.shape[1], 3), 30, np.uint8)
        canvas = np.ascontiguousarray(np.vstack([canvas, strip]))
    x0, y0, x1, y1 = layout.box
    overlay = canvas.copy()
    cv2.rectangle(overlay, (x0, y0), (x1 - 1, y1 - 1), (0, 0, 0), -1)
    cv2.addWeighted(overlay, 0.55, canvas, 0.45, 0, dst=canvas)
    thickness = max(1, round(layout.scale / 0.45))
    pad = 4 * thickness
    for index, (text, colour) in enumerate(layout.lines):
        origin = (x0 + pad, y0 + pad + layout.row_px * (index + 1) - 3 * thickness)
        cv2.putText(canvas, text, origin, cv2.FONT_HERSHEY_SIMPLEX, layout.scale, (0, 0, 0), 3 * thickness, cv2.LINE_AA)
        cv2.putText(canvas, text, origin, cv2.FONT_HERSHEY_SIMPLEX, layout.scale, colour, thickness, cv2.LINE_AA)
    return canvas


def _side_colour(*points: L) -> tuple[int, int, int]:
    """Blue when every point is on the subject's left, orange when all on the right."""
    if all("LEFT" in p.name for p in points):
        return LEFT_RGB
    if all("RIGHT" in p.name for p in points):
        return RIGHT_RGB
    return MIDDLE_RGB
