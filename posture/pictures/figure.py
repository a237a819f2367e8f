"""An exercise's key position as a jointed figure: the pose description in
posture/data/exercise_poses.json turned into joint positions of one body.

Why angles, not drawn points: every limb keeps the length of one body (proportions of stature), so
no picture can stretch an arm to reach a wall; a pose only says which way each segment points.

Conventions: units are fractions of stature; x to the right, y **up** (the floor is y = 0; the
drawing flips it); a segment's angle is in degrees counter-clockwise from +x (0 = pointing right,
90 = up, -90 = down); an optional `pelvis` angle tilts the hip line (far hip to near hip) in a
front or back view. "near" limbs are drawn in front: in a side view those of the side facing the
camera; in a front or back view those on the right of the trunk's direction (the image's right
for an upright figure, the upper side for a figure lying on its side). A `scale` below 1
foreshortens a segment that points toward or away from the camera.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from math import cos, radians, sin

from posture.data_files import load

Point = tuple[float, float]

# Segment lengths and thicknesses, fractions of stature (Drillis & Contini 1966, as tabled by
# Winter, Biomechanics and Motor Control of Human Movement; thicknesses are a drawing choice).
LENGTH = {
    "trunk": 0.288, "neck": 0.10, "upper_arm": 0.186, "forearm": 0.146, "hand": 0.06,
    "thigh": 0.245, "shin": 0.246, "foot": 0.11,
}
THICKNESS = {
    "neck": 0.05, "upper_arm": 0.05, "forearm": 0.04, "hand": 0.032,
    "thigh": 0.08, "shin": 0.058, "foot": 0.036,
}
HEAD_RADIUS = 0.062
SHOULDER_HALF_WIDTH = 0.112  # joint centres, front or back view
HIP_HALF_WIDTH = 0.055
TRUNK_WIDTH = {"front": (0.22, 0.18), "side": (0.13, 0.13)}  # (at the shoulders, at the hips)
ARM = ("upper_arm", "forearm", "hand")
LEG = ("thigh", "shin", "foot")
LIMBS = {"near_arm": ARM, "far_arm": ARM, "near_leg": LEG, "far_leg": LEG}
JOINTS = {"arm": ("shoulder", "elbow", "wrist", "hand"), "leg": ("hip", "knee", "ankle", "toe")}


class View(StrEnum):
    SIDE = "side"
    FRONT = "front"
    BACK = "back"


class Position(StrEnum):
    """How the body rests; the instructions must say the same (tests/test_exercise_pictures.py)."""

    STANDING = "standing"
    SITTING = "sitting"
    LYING = "lying"
    KNEELING = "kneeling"
    HANDS_AND_KNEES = "hands_and_knees"


@dataclass(frozen=True)
class Segment:
    """One drawn limb part: from joint `start` to joint `end`."""

    name: str  # 'near_arm.forearm'
    start: str
    end: str
    thickness: float


@dataclass(frozen=True)
class Figure:
    """Joint positions of one posed body (fractions of stature, y up), before placing it."""

    view: View
    joints: Mapping[str, Point]
    segments: tuple[Segment, ...]

    def point(self, name: str) -> Point:
        return self.joints[name]


def direction(angle_deg: float) -> Point:
    return cos(radians(angle_deg)), sin(radians(angle_deg))


def _add(p: Point, q: Point, k: float = 1.0) -> Point:
    return p[0] + k * q[0], p[1] + k * q[1]


def pose_figure(view: View, angles: Mapping[str, object], scale: Mapping[str, float] | None = None) -> Figure:
    """The joints of a body whose pelvis (midway between the hip joints) is at the origin."""
    scale = scale or {}
    trunk = direction(float(angles["trunk"]))
    right = (trunk[1], -trunk[0])  # the trunk's direction turned clockwise: the near side
    neck = _add((0.0, 0.0), trunk, LENGTH["trunk"] * scale.get("trunk", 1.0))
    joints: dict[str, Point] = {"pelvis": (0.0, 0.0), "neck": neck}
    joints["head"] = _add(neck, direction(float(angles["head"])), LENGTH["neck"])
    segments = [Segment("neck", "neck", "head", THICKNESS["neck"])]
    frontal = view is not View.SIDE
    # The hip line may tilt on its own (a pelvis dropped on one side); square to the trunk otherwise.
    hip_line = direction(float(angles["pelvis"])) if "pelvis" in angles else right
    for limb, parts in LIMBS.items():
        side, kind = limb.split("_")
        sign = 1.0 if side == "near" else -1.0
        anchor, across, half = ((neck, right, SHOULDER_HALF_WIDTH) if kind == "arm"
                                else ((0.0, 0.0), hip_line, HIP_HALF_WIDTH))
        previous = f"{side}_{JOINTS[kind][0]}"
        joints[previous] = _add(anchor, across, sign * half) if frontal else anchor
        limb_angles = angles[limb]
        if len(limb_angles) != len(parts):
            raise ValueError(f"{limb}: {len(parts)} angles expected, got {len(limb_angles)}")
        for part, joint, angle in zip(parts, JOINTS[kind][1:], limb_angles, strict=True):
            name = f"{side}_{joint}"
            length = LENGTH[part] * scale.get(f"{limb}.{part}", 1.0)
            joints[name] = _add(joints[previous], direction(float(angle)), length)
            segments.append(Segment(f"{limb}.{part}", previous, name, THICKNESS[part]))
            previous = name
    return Figure(view, joints, tuple(segments))


@dataclass(frozen=True)
class ExercisePose:
    """One exercise's picture as data: the key position, what moves, what is felt, and the props."""

    exercise_id: str
    view: View
    position: Position
    figure: Figure
    ghost: Figure | None  # where the moving part starts, drawn faint
    face: tuple[float, float]  # front view: the eyes' offset (head radii); side view: the nose's angle
    props: tuple[Mapping, ...]
    highlight: tuple[Mapping, ...]
    arrows: tuple[Mapping, ...]
    in_front: tuple[str, ...]  # limbs drawn in front of the trunk besides the near ones
    behind: tuple[str, ...]  # near limbs drawn behind the trunk
    rest_height: float  # where the figure's lowest point rests (a step's top; 0 = the floor)
    rest_on: tuple[str, ...]  # the limbs that rest there (none named: the whole figure's lowest point)
    mat_depth: float  # how far the mat reaches up the picture (a floor seen from a little above)


@cache
def exercise_poses() -> dict[str, ExercisePose]:
    """Every pose in exercise_poses.json, by exercise id."""
    return {exercise_id: _exercise_pose(exercise_id, spec)
            for exercise_id, spec in load("exercise_poses.json")["poses"].items()}


def _exercise_pose(exercise_id: str, spec: Mapping) -> ExercisePose:
    view = View(spec["view"])
    figure = pose_figure(view, spec["angles"], spec.get("scale"))
    ghost = None
    if "ghost" in spec:
        ghost_spec = spec["ghost"]
        ghost = pose_figure(view, {**spec["angles"], **ghost_spec.get("angles", {})},
                            {**spec.get("scale", {}), **ghost_spec.get("scale", {})})
        # The start position shares one joint with the key position (the shoulders stay on the
        # floor in a bridge, the feet in a squat); the pelvis by default.
        anchor = ghost_spec.get("anchor", "pelvis")
        shift = (figure.point(anchor)[0] - ghost.point(anchor)[0], figure.point(anchor)[1] - ghost.point(anchor)[1])
        ghost = Figure(view, {k: _add(p, shift) for k, p in ghost.joints.items()}, ghost.segments)
    face = spec.get("face", [0.0, 0.0] if view is View.FRONT else 0.0)
    return ExercisePose(
        exercise_id=exercise_id, view=view, position=Position(spec["position"]), figure=figure, ghost=ghost,
        face=(float(face), 0.0) if view is View.SIDE else (float(face[0]), float(face[1])) if view is View.FRONT
        else (0.0, 0.0),
        props=tuple(spec.get("props", ())), highlight=tuple(spec.get("highlight", ())),
        arrows=tuple(spec.get("arrows", ())), in_front=tuple(spec.get("in_front", ())),
        behind=tuple(spec.get("behind", ())), rest_height=float(spec.get("rest_height", 0.0)),
        rest_on=tuple(spec.get("rest_on", ())), mat_depth=float(spec.get("mat_depth", 0.016)),
    )
