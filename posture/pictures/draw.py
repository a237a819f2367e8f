"""Draw an exercise's key position: a rounded-limb figure, the props it uses, the moving part's
start drawn faint, an arrow for the movement and the area where it is felt in red.

Deterministic: the same pose data and Pillow give the same pixels (drawn at SUPERSAMPLE times the
size, then reduced, for smooth edges without anti-aliasing primitives), quantized to a palette so
a picture is a few kilobytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from math import hypot

from PIL import Image, ImageDraw

from posture.pictures.figure import (
    HEAD_RADIUS,
    TRUNK_WIDTH,
    ExercisePose,
    Figure,
    Point,
    Position,
    Segment,
    View,
    direction,
)

WIDTH_PX, HEIGHT_PX = 480, 340
LARGEST_STATURE_PX = 420  # one body height at most: a picture fills its frame up to this scale
FLOOR_PX = HEIGHT_PX - 22  # the floor's row
MARGIN_PX = 4  # nothing drawn closer to the edge (a wall excepted: it runs off the top)
SUPERSAMPLE = 3
ARROW_HEAD_PX = 11
PALETTE_COLOURS = 64  # octree keeps the few pixels of an arrow their colour; ~7 KB a picture

BACKGROUND = (255, 255, 255)
NEAR = (74, 110, 160)
FAR = (150, 172, 204)
OUTLINE = (40, 62, 98)
TRUNK = (92, 128, 178)
TRUNK_SHADE = (66, 98, 146)
SKIN = (235, 200, 170)
HAIR = (90, 70, 55)
GHOST = (208, 216, 228)
TARGET = (232, 56, 40, 150)  # where it is felt (translucent)
ARROW = (0, 140, 100)
FLOOR = (120, 120, 120)
MAT = (226, 232, 214)
WOOD = (170, 128, 86)
WALL = (212, 212, 212)
BAND = (240, 150, 30)
TOWEL = (120, 170, 200)
TRUNK_ROUNDING = 0.035  # the trunk's corners, fraction of stature
ON_MAT = {Position.LYING, Position.KNEELING, Position.HANDS_AND_KNEES}


@dataclass(frozen=True)
class Canvas:
    """Placed coordinates (fractions of stature, y up, the floor at 0) to supersampled pixels."""

    centre_x: float
    stature_px: float  # one body height, in output pixels
    draw: ImageDraw.ImageDraw

    def px(self, point: Point) -> tuple[float, float]:
        x, y = point
        return (((x - self.centre_x) * self.stature_px + WIDTH_PX / 2) * SUPERSAMPLE,
                (FLOOR_PX - y * self.stature_px) * SUPERSAMPLE)

    def size(self, length: float) -> float:
        return length * self.stature_px * SUPERSAMPLE

    def capsule(self, a: Point, b: Point, thickness: float, fill, outline=None) -> None:
        """A limb: a thick line with round ends, an outline one pixel wide around it."""
        if outline is not None:
            self.band(a, b, self.size(thickness) + 2 * SUPERSAMPLE, outline)
        self.band(a, b, self.size(thickness), fill)

    def band(self, a: Point, b: Point, width_px: float, fill) -> None:
        """A thick line with round ends, `width_px` supersampled pixels wide."""
        (ax, ay), (bx, by), r = self.px(a), self.px(b), width_px / 2
        self.draw.line([(ax, ay), (bx, by)], fill=fill, width=round(width_px))
        for x, y in ((ax, ay), (bx, by)):
            self.draw.ellipse([x - r, y - r, x + r, y + r], fill=fill)

    def disc(self, centre: Point, radius: float, fill, outline=None) -> None:
        x, y = self.px(centre)
        r = self.size(radius)
        if outline is not None:
            self.draw.ellipse([x - r - SUPERSAMPLE, y - r - SUPERSAMPLE, x + r + SUPERSAMPLE, y + r + SUPERSAMPLE],
                              fill=outline)
        self.draw.ellipse([x - r, y - r, x + r, y + r], fill=fill)

    def box(self, x0: float, y0: float, x1: float, y1: float, fill) -> None:
        (ax, ay), (bx, by) = self.px((x0, y0)), self.px((x1, y1))
        self.draw.rectangle([min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)], fill=fill)


def render(pose: ExercisePose) -> Image.Image:
    """The picture of one exercise (palette image)."""
    figure, ghost = placed(pose)
    extent = _extent(pose, figure, ghost)
    canvas_image = Image.new("RGB", (WIDTH_PX * SUPERSAMPLE, HEIGHT_PX * SUPERSAMPLE), BACKGROUND)
    canvas = Canvas((extent[0] + extent[2]) / 2, _fitting_scale(extent), ImageDraw.Draw(canvas_image))
    _ground(canvas, pose, extent)
    _props(canvas, pose, figure, front=False)
    if ghost is not None:
        _ghost(canvas, figure, ghost)
    _body(canvas, pose, figure)
    _props(canvas, pose, figure, front=True)
    canvas_image = _highlight(canvas_image, canvas, pose, figure)
    _arrows(replace(canvas, draw=ImageDraw.Draw(canvas_image)), pose, figure)
    small = canvas_image.resize((WIDTH_PX, HEIGHT_PX), Image.Resampling.LANCZOS)
    return _white_kept(small.quantize(PALETTE_COLOURS, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE))


def _white_kept(image: Image.Image) -> Image.Image:
    """The palette entry nearest white made white again (octree averages it to a light grey)."""
    palette = image.getpalette()[:3 * PALETTE_COLOURS]
    entries = [palette[i:i + 3] for i in range(0, len(palette), 3)]
    nearest = min(range(len(entries)), key=lambda i: sum(255 - c for c in entries[i]))
    palette[3 * nearest:3 * nearest + 3] = BACKGROUND
    image.putpalette(palette)
    return image


def placed(pose: ExercisePose) -> tuple[Figure, Figure | None]:
    """The figure (and its faint start) moved so its lowest point rests on the floor or the step."""
    resting = pose.figure
    if pose.rest_on:
        on = tuple(s for s in pose.figure.segments if s.name.split(".")[0] in pose.rest_on)
        resting = Figure(pose.figure.view, pose.figure.joints, on)
    lowest = min(y for _, y in _outline_points(resting, whole=not pose.rest_on))
    shift = (0.0, pose.rest_height - lowest)

    def moved(figure: Figure) -> Figure:
        return Figure(figure.view, {k: (x + shift[0], y + shift[1]) for k, (x, y) in figure.joints.items()},
                      figure.segments)

    return moved(pose.figure), None if pose.ghost is None else moved(pose.ghost)


def _outline_points(figure: Figure, whole: bool = True) -> Iterable[Point]:
    """Points on the figure's edge, enough to bound it: each limb's ends widened by its thickness,
    and (`whole`) the head and the trunk's corners."""
    for segment in figure.segments:
        for joint in (segment.start, segment.end):
            x, y = figure.point(joint)
            r = segment.thickness / 2
            yield from ((x - r, y), (x + r, y), (x, y - r), (x, y + r))
    if not whole:
        return
    x, y = figure.point("head")
    yield from ((x - HEAD_RADIUS, y), (x + HEAD_RADIUS, y), (x, y - HEAD_RADIUS), (x, y + HEAD_RADIUS))
    yield from _trunk_corners(figure, rounding=True)


def _trunk_corners(figure: Figure, rounding: bool = False) -> list[Point]:
    """The trunk as four corners (shoulders, hips); with `rounding`, widened by its rounded edge."""
    neck, pelvis = figure.point("neck"), figure.point("pelvis")
    length = hypot(neck[0] - pelvis[0], neck[1] - pelvis[1])
    up = ((neck[0] - pelvis[0]) / length, (neck[1] - pelvis[1]) / length)
    right = (up[1], -up[0])
    top, bottom = TRUNK_WIDTH["side" if figure.view is View.SIDE else "front"]
    grow = TRUNK_ROUNDING if rounding else 0.0
    low = (pelvis[0] - up[0] * 0.03, pelvis[1] - up[1] * 0.03)
    corners = []
    for centre, half, along in ((neck, top / 2, 1), (low, bottom / 2, -1)):
        for sign in (1, -1):
            corners.append((centre[0] + right[0] * sign * (half - TRUNK_ROUNDING + grow) + up[0] * along * grow,
                            centre[1] + right[1] * sign * (half - TRUNK_ROUNDING + grow) + up[1] * along * grow))
    return [corners[0], corners[1], corners[3], corners[2]]


def _extent(pose: ExercisePose, figure: Figure, ghost: Figure | None) -> tuple[float, float, float, float]:
    """x0, y0, x1, y1 of the figure, its start, the arrows and the props (a wall runs off the top)."""
    points = list(_outline_points(figure)) + list(_outline_points(ghost) if ghost else [])
    for prop in pose.props:
        points += _prop_points(prop, figure)
    for arrow in pose.arrows:
        joint = figure.point(arrow["at"])
        points += [(joint[0] + dx, joint[1] + dy) for dx, dy in (arrow["from"], arrow["to"])]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _fitting_scale(extent: tuple[float, float, float, float]) -> float:
    """Stature in pixels: the largest that fits the figure and its props in the frame."""
    width, height = extent[2] - extent[0], extent[3]
    room = MARGIN_PX + ARROW_HEAD_PX  # an arrow's head may reach past its end point
    return min(LARGEST_STATURE_PX, (WIDTH_PX - 2 * room) / width, (FLOOR_PX - room) / height)


def _ground(canvas: Canvas, pose: ExercisePose, extent: tuple[float, float, float, float]) -> None:
    canvas.box(-5.0, -0.2, 5.0, 0.0, (244, 244, 244))
    if pose.position in ON_MAT:
        canvas.box(extent[0], 0.0, extent[2], pose.mat_depth, MAT)
    canvas.draw.line([canvas.px((-5.0, 0.0)), canvas.px((5.0, 0.0))], fill=FLOOR, width=2 * SUPERSAMPLE)


def _ghost(canvas: Canvas, figure: Figure, ghost: Figure) -> None:
    """The segments that move, where they start: faint, behind the figure."""
    for segment in ghost.segments:
        if _moved(figure, ghost, segment.start) or _moved(figure, ghost, segment.end):
            canvas.capsule(ghost.point(segment.start), ghost.point(segment.end), segment.thickness, GHOST)
    if any(_moved(figure, ghost, j) for j in ("neck", "pelvis")):
        canvas.draw.polygon([canvas.px(p) for p in _trunk_corners(ghost)], fill=GHOST)
    if _moved(figure, ghost, "head"):
        canvas.disc(ghost.point("head"), HEAD_RADIUS, GHOST)


def _moved(figure: Figure, ghost: Figure, joint: str) -> bool:
    return hypot(ghost.point(joint)[0] - figure.point(joint)[0], ghost.point(joint)[1] - figure.point(joint)[1]) > 0.01


def _limbs(figure: Figure, limbs: Iterable[str]) -> list[Segment]:
    return [s for s in figure.segments if s.name.split(".")[0] in limbs]


def _body(canvas: Canvas, pose: ExercisePose, figure: Figure) -> None:
    near = {"near_arm", "near_leg"} - set(pose.behind)
    far = {"far_arm", "far_leg"} - set(pose.in_front)
    in_front = near | (set(pose.in_front) & {"far_arm", "far_leg"})
    behind = far | (set(pose.behind) & {"near_arm", "near_leg"})
    for segment in _limbs(figure, sorted(behind)):
        colour = FAR if segment.name.startswith("far") or pose.view is View.SIDE else NEAR
        canvas.capsule(figure.point(segment.start), figure.point(segment.end), segment.thickness,
                       colour if pose.view is View.SIDE else NEAR, OUTLINE)
    _trunk(canvas, figure)
    neck = next(s for s in figure.segments if s.name == "neck")
    canvas.capsule(figure.point("neck"), figure.point("head"), neck.thickness, SKIN, OUTLINE)
    _head(canvas, pose, figure)
    for segment in _limbs(figure, sorted(in_front, key=lambda limb: limb.endswith("arm"))):
        canvas.capsule(figure.point(segment.start), figure.point(segment.end), segment.thickness, NEAR, OUTLINE)


def _trunk(canvas: Canvas, figure: Figure) -> None:
    corners = [canvas.px(p) for p in _trunk_corners(figure)]
    rounding = canvas.size(TRUNK_ROUNDING)
    for fill, grow in ((OUTLINE, SUPERSAMPLE), (TRUNK, 0)):
        radius = rounding + grow
        canvas.draw.polygon(corners, fill=fill)
        for (ax, ay), (bx, by) in zip(corners, corners[1:] + corners[:1], strict=True):
            canvas.draw.line([(ax, ay), (bx, by)], fill=fill, width=round(2 * radius))
            canvas.draw.ellipse([ax - radius, ay - radius, ax + radius, ay + radius], fill=fill)
    # A shaded strip down one side gives the trunk some depth.
    a, b, c, d = corners
    shade = [a, (a[0] * 0.72 + b[0] * 0.28, a[1] * 0.72 + b[1] * 0.28),
             (d[0] * 0.72 + c[0] * 0.28, d[1] * 0.72 + c[1] * 0.28), d]
    canvas.draw.polygon(shade, fill=TRUNK_SHADE)


def _head(canvas: Canvas, pose: ExercisePose, figure: Figure) -> None:
    """The head; its face shows which way it is turned (none from behind)."""
    centre = figure.point("head")
    canvas.disc(centre, HEAD_RADIUS, SKIN, OUTLINE)
    neck = figure.point("neck")
    up = ((centre[0] - neck[0]) / 0.10, (centre[1] - neck[1]) / 0.10)
    if pose.view is View.BACK:
        canvas.disc((centre[0] + up[0] * 0.008, centre[1] + up[1] * 0.008), HEAD_RADIUS * 0.9, HAIR)
        return
    if pose.view is View.SIDE:
        nose = direction(pose.face[0])
        tip = (centre[0] + nose[0] * HEAD_RADIUS * 1.22, centre[1] + nose[1] * HEAD_RADIUS * 1.22)
        base = [(centre[0] + nose[0] * HEAD_RADIUS * 0.8 + up[0] * s * 0.022,
                 centre[1] + nose[1] * HEAD_RADIUS * 0.8 + up[1] * s * 0.022) for s in (1, -1)]
        canvas.draw.polygon([canvas.px(p) for p in (base[0], tip, base[1])], fill=SKIN, outline=OUTLINE)
        back = (centre[0] - nose[0] * HEAD_RADIUS * 0.35 + up[0] * 0.028,
                centre[1] - nose[1] * HEAD_RADIUS * 0.35 + up[1] * 0.028)
        canvas.disc(back, HEAD_RADIUS * 0.68, HAIR)
        eye = (centre[0] + nose[0] * HEAD_RADIUS * 0.55 + up[0] * 0.012,
               centre[1] + nose[1] * HEAD_RADIUS * 0.55 + up[1] * 0.012)
        canvas.disc(eye, 0.007, OUTLINE)
        return
    right = (up[1], -up[0])
    dx, dy = pose.face
    look = (centre[0] + (right[0] * dx + up[0] * dy) * HEAD_RADIUS,
            centre[1] + (right[1] * dx + up[1] * dy) * HEAD_RADIUS)
    hair = (centre[0] + up[0] * 0.035, centre[1] + up[1] * 0.035)
    canvas.disc(hair, HEAD_RADIUS * 0.75, HAIR)
    canvas.disc((centre[0] - up[0] * 0.008, centre[1] - up[1] * 0.008), HEAD_RADIUS * 0.86, SKIN)
    for sign in (1, -1):
        eye = (look[0] + right[0] * sign * 0.022 + up[0] * 0.008, look[1] + right[1] * sign * 0.022 + up[1] * 0.008)
        canvas.disc(eye, 0.007, OUTLINE)
    nose = (look[0] - up[0] * 0.014, look[1] - up[1] * 0.014)
    canvas.disc(nose, 0.006, (200, 150, 120))


def _prop_points(prop: Mapping, figure: Figure) -> list[Point]:
    """Points bounding a prop across (a wall runs off the top of the picture)."""
    kind = prop["kind"]
    if kind == "chair":
        chair = _chair(prop, figure)
        return [(chair.x0, 0.0), (chair.x1, 0.0), (chair.back_x, chair.back_top)]
    if kind == "step":
        x0, x1, top = _step(prop, figure)
        return [(x0, 0.0), (x1, top)]
    if kind in ("wall", "door_frame"):
        face = _wall_face(prop, figure)
        return [(face, 0.0), (face + prop["side"] * (0.08 if kind == "door_frame" else 0.14), 0.0)]
    return []


@dataclass(frozen=True)
class Chair:
    x0: float  # the seat's ends
    x1: float
    seat: float  # the seat's height
    back_x: float  # the back rest's post
    back_top: float


SEAT_HEIGHT = 0.26


def _chair(prop: Mapping, figure: Figure) -> Chair:
    """A chair under the pelvis (sitting) or with its back rest under a hand (holding on)."""
    toward = float(prop.get("toward", 1))  # the seat's front, from the back rest
    if "back_under" in prop:
        hand = figure.point(prop["back_under"])
        back_x, back_top = hand[0], hand[1] - 0.03
        return Chair(min(back_x, back_x + toward * 0.22), max(back_x, back_x + toward * 0.22), SEAT_HEIGHT,
                     back_x, back_top)
    pelvis = figure.point("pelvis")
    seat = pelvis[1] - 0.055  # the hip joints sit this far above the seat
    if figure.view is View.SIDE:
        back_x = pelvis[0] - toward * 0.09
        x0, x1 = sorted((back_x, pelvis[0] + toward * 0.16))
    else:
        back_x, x0, x1 = pelvis[0], pelvis[0] - 0.15, pelvis[0] + 0.15
    return Chair(x0, x1, seat, back_x, seat + 0.26)


def _step(prop: Mapping, figure: Figure) -> tuple[float, float, float]:
    x = figure.point(prop["under"])[0]
    return x + prop["x"][0], x + prop["x"][1], float(prop["height"])


def _wall_face(prop: Mapping, figure: Figure) -> float:
    x = figure.point(prop["at"])[0]
    return x + prop["side"] * float(prop.get("gap", 0.02))


def _props(canvas: Canvas, pose: ExercisePose, figure: Figure, front: bool) -> None:
    for prop in pose.props:
        in_front = prop["kind"] in ("band", "towel") and not prop.get("behind", False)
        if in_front != front:
            continue
        kind = prop["kind"]
        if kind == "chair":
            _draw_chair(canvas, _chair(prop, figure), figure.view, prop.get("back", True))
        elif kind == "step":
            x0, x1, top = _step(prop, figure)
            canvas.box(x0, 0.0, x1, top, WOOD)
        elif kind in ("wall", "door_frame"):
            face, side = _wall_face(prop, figure), prop["side"]
            far = face + side * (0.08 if kind == "door_frame" else 0.14)
            top = 1.25 if kind == "door_frame" else 5.0
            canvas.box(min(face, far), 0.0, max(face, far), top, WALL)
            canvas.draw.line([canvas.px((face, 0.0)), canvas.px((face, top))], fill=(160, 160, 160),
                             width=2 * SUPERSAMPLE)
        elif kind in ("band", "towel"):
            a, b = (figure.point(j) for j in prop["between"])
            canvas.capsule(a, b, 0.014, BAND if kind == "band" else TOWEL)


def _draw_chair(canvas: Canvas, chair: Chair, view: View, back: bool) -> None:
    """Seat, legs and, unless it would hide the person (seen from behind), the back rest."""
    leg = 0.022
    canvas.box(chair.x0, chair.seat - 0.03, chair.x1, chair.seat, WOOD)
    for x in (chair.x0, chair.x1 - leg):
        canvas.box(x, 0.0, x + leg, chair.seat, WOOD)
    if not back:
        return
    if view is View.SIDE or chair.back_top > chair.seat + 0.3:
        canvas.box(chair.back_x - leg / 2, chair.seat, chair.back_x + leg / 2, chair.back_top, WOOD)
    else:  # seen from the front or back: the back rest behind the person
        canvas.box(chair.x0 + 0.02, chair.back_top - 0.1, chair.x1 - 0.02, chair.back_top, WOOD)
        for x in (chair.x0 + 0.02, chair.x1 - 0.02 - leg):
            canvas.box(x, chair.seat, x + leg, chair.back_top, WOOD)


def _highlight(image: Image.Image, on: Canvas, pose: ExercisePose, figure: Figure) -> Image.Image:
    """Where the exercise is felt: translucent red over the body."""
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    canvas = replace(on, draw=ImageDraw.Draw(layer))
    for spot in pose.highlight:
        a, b = (figure.point(j) for j in spot["along"])
        length = hypot(b[0] - a[0], b[1] - a[1]) or 1.0
        normal = (-(b[1] - a[1]) / length, (b[0] - a[0]) / length)  # left of a → b
        offset = float(spot.get("offset", 0.0))
        t0, t1 = spot.get("span", (0.25, 0.75))
        ends = [(a[0] + (b[0] - a[0]) * t + normal[0] * offset, a[1] + (b[1] - a[1]) * t + normal[1] * offset)
                for t in (t0, t1)]
        canvas.band(ends[0], ends[1], canvas.size(float(spot.get("width", 0.05))), TARGET)
    return Image.alpha_composite(image.convert("RGBA"), layer).convert("RGB")


def _arrows(canvas: Canvas, pose: ExercisePose, figure: Figure) -> None:
    """The movement: a curved or straight arrow from `from` to `to` (offsets from a joint)."""
    draw = canvas.draw
    for arrow in pose.arrows:
        joint = figure.point(arrow["at"])
        start = canvas.px((joint[0] + arrow["from"][0], joint[1] + arrow["from"][1]))
        end = canvas.px((joint[0] + arrow["to"][0], joint[1] + arrow["to"][1]))
        bend = float(arrow.get("bend", 0.0))
        mid = ((start[0] + end[0]) / 2 - (end[1] - start[1]) * bend,
               (start[1] + end[1]) / 2 + (end[0] - start[0]) * bend)
        points = [_bezier(start, mid, end, i / 24) for i in range(25)]
        width = round(3.2 * SUPERSAMPLE)
        draw.line(points[:-3], fill=ARROW, width=width, joint="curve")
        _arrow_head(draw, points[-4], end)


def _bezier(a: tuple[float, float], c: tuple[float, float], b: tuple[float, float], t: float) -> tuple[float, float]:
    return ((1 - t) ** 2 * a[0] + 2 * (1 - t) * t * c[0] + t * t * b[0],
            (1 - t) ** 2 * a[1] + 2 * (1 - t) * t * c[1] + t * t * b[1])


def _arrow_head(draw: ImageDraw.ImageDraw, before: tuple[float, float], tip: tuple[float, float]) -> None:
    dx, dy = tip[0] - before[0], tip[1] - before[1]
    length = hypot(dx, dy) or 1.0
    ux, uy = dx / length, dy / length
    size = ARROW_HEAD_PX * SUPERSAMPLE
    back = (tip[0] - ux * size, tip[1] - uy * size)
    left = (back[0] - uy * size * 0.6, back[1] + ux * size * 0.6)
    right = (back[0] + uy * size * 0.6, back[1] - ux * size * 0.6)
    draw.polygon([tip, left, right], fill=ARROW)
