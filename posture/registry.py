"""What each measurement is, in one place: id, plain name, unit, sign convention, which views
measure it, how the annotated image draws it, and where it is featured (live preview, history,
calibration). Every consumer reads this table; the formulas are in
posture/assessment/measurements.py, keyed by the same ids, and the README's measurement tables are
tested against it.

To add a measurement: a row here, its formula in measurements.py (FRONTAL_SPECS or SIDE_SPECS),
a row in the README's table; a finding on it is an entry in posture/data/thresholds.json.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Unit(StrEnum):
    DEG = "deg"
    PCT_HEIGHT = "% height"  # percent of the body's height, so it compares across photo sizes


class Views(StrEnum):
    FRONTAL = "frontal"  # front and back photos
    SIDE = "side"


# How the annotated image draws a measurement, labelled with its value. Frontal views name
# landmarks ('left_hip'); side views name body parts of the side facing the camera ('ear',
# 'shoulder', 'hip', 'knee', 'ankle').


@dataclass(frozen=True)
class Line:
    """Frontal: a left/right pair, drawn through its midpoint at the measured tilt (which a
    calibrated value may show more than the points do). Side: the segment between two parts."""

    start: str
    end: str
    label: str
    words: tuple[str, str] = ()  # after the value on the image, + and -: which side ("L up"), not only a sign

    @property
    def points(self) -> tuple[str, ...]:
        return self.start, self.end


@dataclass(frozen=True)
class Lean:
    """The line from the middle of the `base` pair to the middle of the `top` pair, beside the
    true vertical through its foot: the angle between the two is the value."""

    base: tuple[str, str]
    top: tuple[str, str]
    label: str
    words: tuple[str, str] = ()  # as Line's

    @property
    def points(self) -> tuple[str, ...]:
        return *self.base, *self.top


@dataclass(frozen=True)
class Bend:
    """The chain through three points, labelled at the middle one: an angle at a joint."""

    points: tuple[str, str, str]
    label: str
    words: tuple[str, str] = ()  # as Line's


Drawing = Line | Lean | Bend


@dataclass(frozen=True)
class MeasurementInfo:
    id: str
    name: str
    unit: Unit
    sign_convention: str
    views: Views
    drawing: Drawing | None = None  # on the annotated image
    live: bool = False  # shown on the live preview
    key: bool = False  # featured first in the history (in this table's order)
    calibrated: bool = False  # re-estimated by a model learned on renders (posture/data/calibration.json)
    only_when_found: bool = False  # reports name it only when it was measured (a shared tilt that is there)


def _tilt(part: str, name: str, drawing: Line | None = None, live: bool = False, key: bool = False,
          calibrated: bool = False) -> MeasurementInfo:
    return MeasurementInfo(f"{part}_tilt_deg", name, Unit.DEG, f"+ = subject's LEFT {part} higher", Views.FRONTAL,
                           drawing, live, key, calibrated)


def _plumb(part: str) -> MeasurementInfo:
    return MeasurementInfo(f"plumb_{part}_pct", f"{part.capitalize()} ahead of the plumb line", Unit.PCT_HEIGHT,
                           f"+ = {part} in front of the plumb line", Views.SIDE)


_VALGUS = "+ = valgus (knee toward the midline), - = varus"
LEFT_RIGHT_UP = ("L up", "R up")  # the subject's left or right side higher

MEASUREMENTS: tuple[MeasurementInfo, ...] = (
    MeasurementInfo("hip_tilt_deg", "Hip line tilt (lateral pelvic tilt)", Unit.DEG, "+ = subject's LEFT hip higher",
                    Views.FRONTAL, Line("left_hip", "right_hip", "hips", LEFT_RIGHT_UP), live=True, key=True,
                    calibrated=True),
    _tilt("shoulder", "Shoulder line tilt", Line("left_shoulder", "right_shoulder", "shoulders", LEFT_RIGHT_UP),
          live=True, key=True, calibrated=True),
    MeasurementInfo("pelvic_tilt_deg", "Pelvic tilt (front to back)", Unit.DEG,
                    "+ = anterior (front of the pelvis lower)", Views.SIDE, key=True, calibrated=True),
    MeasurementInfo("craniovertebral_angle_deg", "Craniovertebral angle (head over the neck)", Unit.DEG,
                    "angle above horizontal; smaller = head more forward", Views.SIDE,
                    Line("ear", "shoulder", "CVA"), live=True, key=True, calibrated=True),
    MeasurementInfo("head_tilt_deg", "Head tilt", Unit.DEG, "+ = subject's LEFT ear higher", Views.FRONTAL,
                    Line("left_ear", "right_ear", "head", ("L ear up", "R ear up")), live=True, key=True),
    MeasurementInfo("lateral_trunk_lean_deg", "Trunk lean to the side", Unit.DEG,
                    "+ = trunk leans toward the subject's LEFT", Views.FRONTAL,
                    Lean(("left_hip", "right_hip"), ("left_shoulder", "right_shoulder"), "lean", ("to L", "to R")),
                    key=True),
    MeasurementInfo("sagittal_trunk_lean_deg", "Trunk lean forward/back", Unit.DEG, "+ = trunk leans forward",
                    Views.SIDE, Line("shoulder", "hip", "trunk", ("fwd", "back")), live=True, key=True),
    MeasurementInfo("shoulder_ahead_of_hip_pct", "Shoulder ahead of the hip", Unit.PCT_HEIGHT,
                    "+ = shoulder in front of the hip (rounded/forward)", Views.SIDE, key=True),
    MeasurementInfo("body_tilt_deg", "Whole body (or camera) tilt", Unit.DEG,
                    "+ = the whole body, or the camera, tilted with the subject's LEFT side higher", Views.FRONTAL,
                    only_when_found=True),
    _tilt("knee", "Knee line tilt"),
    _tilt("ankle", "Ankle line tilt"),
    MeasurementInfo("weight_shift_pct", "Weight shift", Unit.PCT_HEIGHT,
                    "+ = pelvis shifted toward the subject's LEFT of mid-ankle", Views.FRONTAL),
    MeasurementInfo("left_knee_valgus_deg", "Left knee valgus", Unit.DEG, _VALGUS, Views.FRONTAL,
                    Bend(("left_hip", "left_knee", "left_ankle"), "L knee", ("valgus", "varus"))),
    MeasurementInfo("right_knee_valgus_deg", "Right knee valgus", Unit.DEG, _VALGUS, Views.FRONTAL,
                    Bend(("right_hip", "right_knee", "right_ankle"), "R knee", ("valgus", "varus"))),
    MeasurementInfo("ear_shoulder_angle_deg", "Ear-shoulder angle", Unit.DEG,
                    "angle above horizontal of shoulder -> ear; smaller = head more forward", Views.SIDE),
    MeasurementInfo("head_pitch_deg", "Head pitch", Unit.DEG, "+ = face turned down (nose below the ear)", Views.SIDE),
    MeasurementInfo("ear_ahead_of_shoulder_pct", "Ear ahead of the shoulder", Unit.PCT_HEIGHT,
                    "+ = ear in front of the shoulder", Views.SIDE),
    _plumb("ear"), _plumb("shoulder"), _plumb("hip"), _plumb("knee"),
    MeasurementInfo("knee_hyperextension_deg", "Knee hyperextension", Unit.DEG,
                    "+ = knee behind the hip-ankle line (hyperextended), - = bent", Views.SIDE,
                    Bend(("hip", "knee", "ankle"), "knee", ("back", "bent"))),
    MeasurementInfo("buttock_behind_hip_pct", "Buttock behind the hip", Unit.PCT_HEIGHT,
                    "+ = the buttock's most posterior point behind the hip joint", Views.SIDE),
    MeasurementInfo("lumbar_hollow_behind_hip_pct", "Lower-back hollow behind the hip", Unit.PCT_HEIGHT,
                    "+ = the lower-back hollow behind the hip", Views.SIDE),
    MeasurementInfo("belly_ahead_of_hip_pct", "Belly ahead of the hip", Unit.PCT_HEIGHT,
                    "+ = the belly's most anterior point ahead of the hip joint", Views.SIDE),
)

BY_ID = {m.id: m for m in MEASUREMENTS}
KEY_MEASUREMENTS = tuple(m.id for m in MEASUREMENTS if m.key)


def info(measurement_id: str) -> MeasurementInfo:
    return BY_ID[measurement_id]


def display_name(measurement_id: str) -> str:
    """A plain name for a measurement id (the id itself stays in JSON and tables)."""
    return BY_ID[measurement_id].name if measurement_id in BY_ID else measurement_id


def live_measurements(frontal: bool) -> tuple[str, ...]:
    views = Views.FRONTAL if frontal else Views.SIDE
    return tuple(m.id for m in MEASUREMENTS if m.live and m.views is views)


def drawings(frontal: bool) -> tuple[tuple[str, Drawing], ...]:
    """(measurement id, drawing) for every measurement drawn on a photo of this kind of view."""
    views = Views.FRONTAL if frontal else Views.SIDE
    return tuple((m.id, m.drawing) for m in MEASUREMENTS if m.drawing is not None and m.views is views)
