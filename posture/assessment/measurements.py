"""Measurements: pure functions of one photo's landmarks (and, for the pelvis, its body outline).

Every measurement is a row in a spec table: the landmarks it needs, its formula, unit and sign
convention. Lengths are in percent of the body's height ("% height") so they compare across photo
sizes; with the subject's height in cm they are also given in cm (`length_cm`).

Uncertainty (one standard deviation) combines: the spread of the value over the test-time
augmentation copies (its standard error), the landmarks' appearance error the copies cannot see
(propagated through the formula by finite differences, see measurement_model.json), and any known
systematic error of the method (e.g. the C7 proxy).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from posture import registry
from posture.assessment import geometry as geo
from posture.assessment.leveled import LevelFrame, level_frame
from posture.assessment.silhouette import SilhouetteProfile, silhouette_profile
from posture.assessment.views import View
from posture.data_files import constant
from posture.vision.landmarks import Landmark as L
from posture.vision.landmarks import PoseLandmarks, rotate_points

DEG = registry.Unit.DEG
PCT_HEIGHT = registry.Unit.PCT_HEIGHT


class Source(StrEnum):
    """What a value was read from: code that treats values differently switches on this, never on
    the method's wording."""

    LANDMARKS = "landmarks"  # the pose model's points
    OUTLINE = "outline"  # the body mask's outline
    MARKERS = "markers"  # points a person placed on palpated landmarks (exact)
    CALIBRATED = "calibrated"  # re-estimated by a model learned on renders


@dataclass(frozen=True)
class Measurement:
    id: str
    unit: str
    sign_convention: str
    value: float | None
    uncertainty: float | None
    landmarks: tuple[str, ...]
    method: str
    length_cm: float | None = None  # the same quantity as a length, when the height is known
    reason: str | None = None  # why there is no value
    raw_value: float | None = None  # before calibration (see calibration.py), if calibrated
    source: Source = Source.LANDMARKS
    # How far the value moves per degree of camera roll left in the photo (its unit per degree):
    # a roll nobody corrected is an error every angle and offset against the vertical shares.
    roll_slope: float = 0.0
    doubt: str | None = None  # why no finding may rest on this value (a bag on the shoulder, ...)

    @property
    def measured(self) -> bool:
        return self.value is not None

    def to_json(self) -> dict:
        data = {
            "value": _round(self.value, 2),
            "unit": self.unit,
            "uncertainty": _round(self.uncertainty, 2),
            "sign_convention": self.sign_convention,
            "landmarks": list(self.landmarks),
            "method": self.method,
            "status": "measured" if self.measured else "not_measurable",
        }
        if self.length_cm is not None:
            data["length_cm"] = _round(self.length_cm, 2)
        if self.reason:
            data["reason"] = self.reason
        if self.raw_value is not None:
            data["raw_value"] = _round(self.raw_value, 2)
        if self.doubt:
            data["doubt"] = self.doubt
        return data


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


@dataclass(frozen=True)
class Frame:
    """What a formula needs besides the points: image directions and the body's pixel height."""

    toward_x: int  # frontal views: the subject's left; side views: the direction they face
    stature_px: float

    def pct(self, pixels: float) -> float:
        return 100.0 * pixels / self.stature_px


Formula = Callable[[np.ndarray, Frame], float]


@dataclass(frozen=True)
class Spec:
    """How a registered measurement (posture.registry) is computed from the landmarks."""

    id: str
    landmarks: tuple[L, ...]
    formula: Formula
    method: str
    # How the value becomes a length in cm: "rise" (height difference of the first two points),
    # "pct" (a % height value), or None.
    as_length: str | None = None
    systematic_uncertainty: Callable[[], float] = field(default=lambda: 0.0)

    @property
    def unit(self) -> str:
        return registry.info(self.id).unit

    @property
    def sign_convention(self) -> str:
        return registry.info(self.id).sign_convention


def _mid(p: np.ndarray, a: L, b: L) -> np.ndarray:
    return geo.midpoint(p[a], p[b])


def _joint_angle_sd() -> float:
    """A joint angle from the model's joint centres carries the markerless error on real people."""
    return constant("markerless_joint_angle_sd_deg")


FRONTAL_SPECS: tuple[Spec, ...] = (
    Spec(
        "shoulder_tilt_deg",
        (L.LEFT_SHOULDER, L.RIGHT_SHOULDER),
        lambda p, f: geo.height_tilt_deg(p[L.LEFT_SHOULDER], p[L.RIGHT_SHOULDER]),
        "shoulder landmark line vs image horizontal", as_length="rise",
    ),
    Spec(
        "hip_tilt_deg",
        (L.LEFT_HIP, L.RIGHT_HIP),
        lambda p, f: geo.height_tilt_deg(p[L.LEFT_HIP], p[L.RIGHT_HIP]),
        "hip-joint landmark line vs image horizontal (lateral pelvic tilt)", as_length="rise",
    ),
    Spec(
        "head_tilt_deg",
        (L.LEFT_EAR, L.RIGHT_EAR),
        lambda p, f: geo.height_tilt_deg(p[L.LEFT_EAR], p[L.RIGHT_EAR]),
        "ear line vs image horizontal", as_length="rise",
    ),
    Spec(
        "knee_tilt_deg",
        (L.LEFT_KNEE, L.RIGHT_KNEE),
        lambda p, f: geo.height_tilt_deg(p[L.LEFT_KNEE], p[L.RIGHT_KNEE]),
        "knee landmark line vs horizontal (a longer leg raises its knee)", as_length="rise",
    ),
    Spec(
        "ankle_tilt_deg",
        (L.LEFT_ANKLE, L.RIGHT_ANKLE),
        lambda p, f: geo.height_tilt_deg(p[L.LEFT_ANKLE], p[L.RIGHT_ANKLE]),
        "ankle landmark line vs horizontal (a lift under one foot raises it)", as_length="rise",
    ),
    Spec(
        "lateral_trunk_lean_deg",
        (L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP),
        lambda p, f: geo.lean_from_vertical_deg(
            _mid(p, L.LEFT_HIP, L.RIGHT_HIP), _mid(p, L.LEFT_SHOULDER, L.RIGHT_SHOULDER), f.toward_x
        ),
        "mid-hip to mid-shoulder line vs vertical",
    ),
    Spec(
        "weight_shift_pct",
        (L.LEFT_HIP, L.RIGHT_HIP, L.LEFT_ANKLE, L.RIGHT_ANKLE),
        lambda p, f: f.pct(
            (_mid(p, L.LEFT_HIP, L.RIGHT_HIP)[0] - _mid(p, L.LEFT_ANKLE, L.RIGHT_ANKLE)[0])
            * f.toward_x
        ),
        "horizontal offset of mid-hip from mid-ankle", as_length="pct",
    ),
    Spec(
        "left_knee_valgus_deg",
        (L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE),
        lambda p, f: geo.bend_deg(p[L.LEFT_HIP], p[L.LEFT_KNEE], p[L.LEFT_ANKLE], -f.toward_x),
        "frontal-plane bend of hip-knee-ankle at the knee",
        systematic_uncertainty=_joint_angle_sd,
    ),
    Spec(
        "right_knee_valgus_deg",
        (L.RIGHT_HIP, L.RIGHT_KNEE, L.RIGHT_ANKLE),
        lambda p, f: geo.bend_deg(p[L.RIGHT_HIP], p[L.RIGHT_KNEE], p[L.RIGHT_ANKLE], f.toward_x),
        "frontal-plane bend of hip-knee-ankle at the knee",
        systematic_uncertainty=_joint_angle_sd,
    ),
)

# Head tilt falls back to the outer eye corners when an ear is hidden (hair, a turned head).
HEAD_TILT_FALLBACK = (L.LEFT_EYE_OUTER, L.RIGHT_EYE_OUTER)


def _c7_proxy(p: np.ndarray, f: Frame) -> np.ndarray:
    """BlazePose has no C7: take the shoulder point moved up and back by adult proportions."""
    up = constant("c7_proxy_above_shoulder_fraction_of_stature") * f.stature_px
    back = constant("c7_proxy_behind_shoulder_fraction_of_stature") * f.stature_px
    shoulder = p[L.LEFT_SHOULDER]
    return np.array([shoulder[0] - back * f.toward_x, shoulder[1] - up])


def _ahead_pct(p: np.ndarray, f: Frame, point: L, reference: L) -> float:
    return f.pct((p[point, 0] - p[reference, 0]) * f.toward_x)


# Side-view specs are written for the LEFT chain; `_near_side_specs` mirrors them to the chain the
# camera sees best.
SIDE_SPECS: tuple[Spec, ...] = (
    Spec(
        "craniovertebral_angle_deg",
        (L.LEFT_EAR, L.LEFT_SHOULDER),
        lambda p, f: geo.elevation_deg(_c7_proxy(p, f), p[L.LEFT_EAR], f.toward_x),
        "line from a C7 proxy (shoulder point + 0.04 H up, 0.055 H back) to the ear",
        systematic_uncertainty=lambda: constant("c7_proxy_uncertainty_deg"),
    ),
    Spec(
        "ear_shoulder_angle_deg",
        (L.LEFT_EAR, L.LEFT_SHOULDER),
        lambda p, f: geo.elevation_deg(p[L.LEFT_SHOULDER], p[L.LEFT_EAR], f.toward_x),
        "line from the shoulder landmark to the ear vs horizontal (no C7 proxy)",
    ),
    Spec(
        "head_pitch_deg",
        (L.LEFT_EAR, L.NOSE),
        lambda p, f: -geo.elevation_deg(p[L.LEFT_EAR], p[L.NOSE], f.toward_x),
        "ear -> nose line below horizontal",
    ),
    Spec(
        "ear_ahead_of_shoulder_pct",
        (L.LEFT_EAR, L.LEFT_SHOULDER),
        lambda p, f: _ahead_pct(p, f, L.LEFT_EAR, L.LEFT_SHOULDER),
        "horizontal ear-shoulder offset", as_length="pct",
    ),
    Spec(
        "shoulder_ahead_of_hip_pct",
        (L.LEFT_SHOULDER, L.LEFT_HIP),
        lambda p, f: _ahead_pct(p, f, L.LEFT_SHOULDER, L.LEFT_HIP),
        "horizontal shoulder-hip offset", as_length="pct",
    ),
    *(
        Spec(
            f"plumb_{name}_pct",
            (point, L.LEFT_ANKLE),
            (lambda pt: lambda p, f: _ahead_pct(p, f, pt, L.LEFT_ANKLE))(point),
            f"horizontal offset of the {name} from a vertical through the ankle", as_length="pct",
        )
        for name, point in (
            ("ear", L.LEFT_EAR), ("shoulder", L.LEFT_SHOULDER),
            ("hip", L.LEFT_HIP), ("knee", L.LEFT_KNEE),
        )
    ),
    Spec(
        "sagittal_trunk_lean_deg",
        (L.LEFT_HIP, L.LEFT_SHOULDER),
        lambda p, f: geo.lean_from_vertical_deg(p[L.LEFT_HIP], p[L.LEFT_SHOULDER], f.toward_x),
        "hip to shoulder line vs vertical",
    ),
    Spec(
        "knee_hyperextension_deg",
        (L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE),
        lambda p, f: geo.bend_deg(p[L.LEFT_HIP], p[L.LEFT_KNEE], p[L.LEFT_ANKLE], -f.toward_x),
        "sagittal bend of hip-knee-ankle at the knee",
        systematic_uncertainty=_joint_angle_sd,
    ),
)

SIDE_CHAIN = (L.LEFT_EAR, L.LEFT_SHOULDER, L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE)


@dataclass(frozen=True)
class PelvisMarkers:
    """User-placed ASIS and PSIS in upright-photo pixels (exact pelvic tilt)."""

    asis: tuple[float, float]
    psis: tuple[float, float]

    def named(self, near_side: str) -> dict[str, tuple[float, float]]:
        """As marker points of the side facing the camera ("left" or "right")."""
        return {f"asis_{near_side}": self.asis, f"psis_{near_side}": self.psis}


def _line_tilt(first: np.ndarray, second: np.ndarray, frame: Frame) -> float:
    """The line first-second against the horizontal, + when `first` is higher."""
    return geo.height_tilt_deg(first, second)


def _elevation(first: np.ndarray, second: np.ndarray, frame: Frame) -> float:
    return geo.elevation_deg(first, second, frame.toward_x)


def _ahead_of_plumb(plumb: np.ndarray, point: np.ndarray, frame: Frame) -> float:
    """How far `point` is in front of the vertical through `plumb`, % of the body height."""
    return frame.pct((point[0] - plumb[0]) * frame.toward_x)


@dataclass(frozen=True)
class MarkerLine:
    """A measurement read between two markers on palpated landmarks: `formula` on their centres.
    Names may hold "{near}", the side facing the camera."""

    first: str
    second: str
    formula: Callable[[np.ndarray, np.ndarray, Frame], float]
    method: str = "exact between the markers {0} and {1} (on palpated landmarks)"

    def names(self, near: str) -> tuple[str, str]:
        return self.first.format(near=near), self.second.format(near=near)


# The side view's plumb line runs through the outer ankle bone marker itself: Kendall puts the
# ideal line slightly in front of it, by no figure sourced here (docs/markers.md).
_PLUMB_METHOD = ("horizontal offset of the marker {1} from a vertical through the marker {0} (plumb line through "
                 "the outer ankle bone), in % of the body height from the pose model's eyes and feet")
_PLUMB_MARKERS = {"ear": "tragus", "shoulder": "acromion", "hip": "greater_trochanter", "knee": "knee_lateral"}

# Measurements read between markers, by view (the product's one list: the analyzer, the truth of
# renders with markers and the examiner's readings all read it).
MARKER_LINES: dict[str, dict[str, MarkerLine]] = {
    "front": {
        "shoulder_tilt_deg": MarkerLine("acromion_left", "acromion_right", _line_tilt),
        "hip_tilt_deg": MarkerLine("asis_left", "asis_right", _line_tilt),
    },
    "back": {
        "shoulder_tilt_deg": MarkerLine("acromion_left", "acromion_right", _line_tilt),
        "hip_tilt_deg": MarkerLine("psis_left", "psis_right", _line_tilt),
    },
    "side": {
        "craniovertebral_angle_deg": MarkerLine("c7", "tragus_{near}", _elevation),
        "pelvic_tilt_deg": MarkerLine("psis_{near}", "asis_{near}", _line_tilt),
        **{f"plumb_{part}_pct": MarkerLine("malleolus_lateral_{near}", f"{marker}_{{near}}", _ahead_of_plumb,
                                           _PLUMB_METHOD)
           for part, marker in _PLUMB_MARKERS.items()},
    },
}


def between_markers(
    centres: Mapping[str, np.ndarray], view: View, near: str, stature_px: float | None = None,
) -> dict[str, float]:
    """MARKER_LINES' values on named marker centres as they are (no leveling): the truth of a
    render with markers, and the detector's part of an error. `near`: the side facing the camera;
    `stature_px`: the body's height in pixels (without it, no value in % height)."""
    frame = Frame(view.subject_left_x if view.is_frontal else view.facing_x, stature_px or 1.0)
    values = {}
    for mid, line in MARKER_LINES[view.value.split("_")[0]].items():
        first, second = line.names(near)
        if first in centres and second in centres and (stature_px or registry.info(mid).unit != PCT_HEIGHT):
            values[mid] = float(line.formula(np.asarray(centres[first]), np.asarray(centres[second]), frame))
    return values


def measure(
    landmarks: PoseLandmarks,
    view: View,
    person_mask: np.ndarray | None = None,
    height_cm: float | None = None,
    markers: PelvisMarkers | None = None,
    camera_roll_deg: float = 0.0,
) -> dict[str, Measurement]:
    """`measure_leveled` for a photo's points and mask and its camera roll (counter-clockwise on
    screen), which is undone first."""
    near = "right" if not view.is_frontal and near_side_is_right(landmarks) else "left"
    points = markers.named(near) if markers is not None and not view.is_frontal else {}
    return measure_leveled(level_frame(landmarks, person_mask, camera_roll_deg), view, height_cm, points)


def measure_leveled(
    leveled: LevelFrame, view: View, height_cm: float | None = None,
    markers: Mapping[str, tuple[float, float]] | None = None,
) -> dict[str, Measurement]:
    """All measurements a photo of this view supports, measured or marked not measurable.

    Geometry is read in the leveled frame, so angles are against the true vertical; visibility is
    judged on the photo as taken. `markers`: named points on palpated landmarks (detected or
    placed by hand) in upright-photo pixels; a measurement whose markers are all there is read
    between them instead (MARKER_LINES).
    """
    threshold = constant("visibility_threshold")
    seen, level, swapped = leveled.photo, leveled.landmarks, False
    if view.is_frontal:
        specs = list(FRONTAL_SPECS)
        if not all(seen.is_visible(lm, threshold) for lm in (L.LEFT_EAR, L.RIGHT_EAR)):
            head = next(i for i, spec in enumerate(specs) if spec.id == "head_tilt_deg")
            specs[head] = _with_landmarks(specs[head], HEAD_TILT_FALLBACK, "outer eye-corner line")
    else:
        specs = list(SIDE_SPECS)
        swapped = near_side_is_right(seen)
        if swapped:
            seen, level = seen.with_sides_swapped(), level.with_sides_swapped()

    stature_px, stature_reason = body_height_px(seen, threshold, level.xy_px)
    toward_x = view.subject_left_x if view.is_frontal else view.facing_x
    frame = Frame(toward_x, stature_px)
    cm_per_px = height_cm / stature_px if height_cm and stature_reason is None else None
    results = {
        spec.id: _evaluate(spec, seen, level, swapped, frame, threshold, stature_reason, cm_per_px)
        for spec in specs
    }
    if not view.is_frontal:
        profile, why_not = _side_silhouette(seen, level, swapped, frame, leveled.mask, threshold)
        results["pelvic_tilt_deg"] = pelvic_tilt(swapped, frame, profile, why_not)
        results.update(_silhouette_offsets(profile, why_not, frame, _names(SILHOUETTE_LANDMARKS, swapped)))
    results.update(_from_markers(leveled, view, "right" if swapped else "left", frame, markers or {},
                                 stature_reason, cm_per_px))
    return results


def _from_markers(
    leveled: LevelFrame, view: View, near: str, frame: Frame, markers: Mapping[str, tuple[float, float]],
    stature_reason: str | None, cm_per_px: float | None,
) -> dict[str, Measurement]:
    """The measurements whose two markers are both there, read between them in the leveled frame
    (one in % height only with a true body-height scale). The camera roll moves them like any line."""
    found = {}
    for mid, line in MARKER_LINES[view.value.split("_")[0]].items():
        names = line.names(near)
        info = registry.info(mid)
        if not all(name in markers for name in names) or (info.unit == PCT_HEIGHT and stature_reason):
            continue
        a, b = (leveled.point(markers[name]) for name in names)
        value = line.formula(a, b, frame)
        turned = [line.formula(*rotate_points(np.array([a, b]), degrees, leveled.photo.image_size), frame)
                  for degrees in (0.5, -0.5)]
        length_cm = value / 100.0 * frame.stature_px * cm_per_px if cm_per_px and info.unit == PCT_HEIGHT else None
        found[mid] = Measurement(
            mid, info.unit, info.sign_convention, value, _marker_uncertainty(line, a, b, frame), names,
            line.method.format(*names), length_cm, source=Source.MARKERS, roll_slope=turned[0] - turned[1],
        )
    return found


def _marker_uncertainty(line: MarkerLine, a: np.ndarray, b: np.ndarray, frame: Frame) -> float:
    """Where each marker sits on its palpated landmark (measurement_model.json), through the formula
    by central differences, and, for a value scaled by the body's height, that height's own error."""
    sigma = constant("marker_placement_sigma_fraction_of_stature") * frame.stature_px
    step_px, variance = 0.5, 0.0
    for index in (0, 1):
        for axis in (0, 1):
            step = np.zeros((2, 2))
            step[index, axis] = step_px
            plus, minus = np.array([a, b]) + step, np.array([a, b]) - step
            variance += ((line.formula(*plus, frame) - line.formula(*minus, frame)) / (2 * step_px) * sigma) ** 2
    taller, shorter = (Frame(frame.toward_x, frame.stature_px * (1 + h)) for h in (0.01, -0.01))
    per_height = (line.formula(a, b, taller) - line.formula(a, b, shorter)) / 0.02  # per unit of relative height
    variance += (per_height * constant("body_height_sd_fraction")) ** 2
    return math.sqrt(variance)


def _with_landmarks(spec: Spec, pair: tuple[L, L], method: str) -> Spec:
    first, second = pair
    return Spec(
        spec.id, pair,
        lambda p, f: geo.height_tilt_deg(p[first], p[second]), method, spec.as_length,
    )


def near_side_is_right(landmarks: PoseLandmarks) -> bool:
    """Side views read the better-seen body side; the side specs are written for the LEFT slots,
    so a better-seen right side is swapped into them."""
    left = sum(landmarks.visibility[lm] for lm in SIDE_CHAIN)
    right = sum(landmarks.visibility[lm.mirror] for lm in SIDE_CHAIN)
    return right > left


def _names(landmarks: Sequence[L], swapped: bool) -> tuple[str, ...]:
    """Landmark names as the model labelled them."""
    return tuple((lm.mirror if swapped else lm).key for lm in landmarks)


def _evaluate(
    spec: Spec,
    seen: PoseLandmarks,
    level: PoseLandmarks,
    swapped: bool,
    frame: Frame,
    threshold: float,
    stature_reason: str | None,
    cm_per_px: float | None,
) -> Measurement:
    names = _names(spec.landmarks, swapped)
    unseen = [
        name for lm, name in zip(spec.landmarks, names, strict=True)
        if not seen.is_visible(lm, threshold)
    ]
    if unseen:
        return _not_measurable(spec, names, f"not visible: {', '.join(unseen)}")
    if spec.unit == PCT_HEIGHT and stature_reason:
        return _not_measurable(spec, names, stature_reason)

    points = level.xy_px
    value = spec.formula(points, frame)
    augmented = level.samples_px is not None and len(level.samples_px) > 1
    sigma_px = np.array(
        [_landmark_sigma_px(frame.stature_px, seen.visibility[lm], augmented) for lm in spec.landmarks]
    )
    uncertainty = math.sqrt(
        _propagate(spec, points, frame, sigma_px) ** 2
        + (_standard_error(spec, level.samples_px, frame) if augmented else 0.0) ** 2
        + spec.systematic_uncertainty() ** 2
    )
    turned = [spec.formula(rotate_points(points, degrees, level.image_size), frame) for degrees in (0.5, -0.5)]
    roll_slope = turned[0] - turned[1]  # per degree
    length_cm = None
    if cm_per_px is not None and spec.as_length == "rise":
        first, second = spec.landmarks[:2]
        length_cm = (points[second, 1] - points[first, 1]) * cm_per_px
    elif cm_per_px is not None and spec.as_length == "pct":
        length_cm = value / 100.0 * frame.stature_px * cm_per_px
    return Measurement(
        spec.id, spec.unit, spec.sign_convention, value, uncertainty, names, spec.method, length_cm,
        roll_slope=roll_slope,
    )


def _landmark_sigma_px(stature_px: float, visibility: float, augmented: bool) -> float:
    """Positional noise the formula inherits: with test-time augmentation only the appearance
    error the copies can't reveal; for a single model call, its whole jitter."""
    name = "landmark_sigma_appearance_fraction_of_stature" if augmented else "landmark_sigma_fraction_of_stature"
    return constant(name) * stature_px / max(visibility, 0.5)


def _standard_error(spec: Spec, samples_px: np.ndarray, frame: Frame) -> float:
    """How precisely the copies pin the combined value: their spread over the square root of
    their number."""
    values = np.array([spec.formula(sample, frame) for sample in samples_px])
    return float(np.std(values, ddof=1) / math.sqrt(len(values)))


def _propagate(spec: Spec, points: np.ndarray, frame: Frame, sigma_px: np.ndarray) -> float:
    """First-order error propagation through the formula, by central differences."""
    step = 0.5
    variance = 0.0
    for index, lm in enumerate(spec.landmarks):
        for axis in (0, 1):
            plus, minus = points.copy(), points.copy()
            plus[lm, axis] += step
            minus[lm, axis] -= step
            slope = (spec.formula(plus, frame) - spec.formula(minus, frame)) / (2 * step)
            variance += (slope * sigma_px[index]) ** 2
    return math.sqrt(variance)


def _not_measurable(spec: Spec, names: tuple[str, ...], reason: str) -> Measurement:
    return Measurement(
        spec.id, spec.unit, spec.sign_convention, None, None, names, spec.method, reason=reason
    )


def body_height_px(
    landmarks: PoseLandmarks, threshold: float, level_xy: np.ndarray | None = None
) -> tuple[float, str | None]:
    """The body's height in pixels from eye (or ear) level to the floor.

    Returns (height, None), or a rough height from the torso and the reason a true scale is
    missing (feet or eyes out of the photo); lengths in % height need the true scale.
    `level_xy`: the points with the camera roll undone (visibility is judged on `landmarks`).
    """
    pts = landmarks.xy_px if level_xy is None else level_xy
    feet = [
        lm for lm in (L.LEFT_HEEL, L.RIGHT_HEEL, L.LEFT_FOOT_INDEX, L.RIGHT_FOOT_INDEX)
        if landmarks.is_visible(lm, threshold)
    ]
    # Eyes (or the nose) on front and side views; the ears on back views, where the face is hidden.
    for head_points, fraction in (
        ((L.LEFT_EYE, L.RIGHT_EYE, L.NOSE), constant("eye_height_fraction_of_stature")),
        ((L.LEFT_EAR, L.RIGHT_EAR), constant("ear_height_fraction_of_stature")),
    ):
        seen = [lm for lm in head_points if landmarks.is_visible(lm, threshold)]
        if seen and feet:
            head_y = float(np.mean([pts[lm, 1] for lm in seen[:2]]))
            floor_y = max(float(pts[lm, 1]) for lm in feet)
            if floor_y > head_y:
                return (floor_y - head_y) / fraction, None
    torso = float(np.linalg.norm(
        _mid(pts, L.LEFT_SHOULDER, L.RIGHT_SHOULDER) - _mid(pts, L.LEFT_HIP, L.RIGHT_HIP)
    ))
    # Drillis & Contini: shoulder 0.818 H, hip joint 0.530 H, so the torso is ~0.29 H.
    return max(torso / 0.288, 1.0), "no body-height scale: eyes or feet are not in the photo"


SILHOUETTE_LANDMARKS = (L.LEFT_SHOULDER, L.LEFT_HIP)
SILHOUETTE_OFFSETS = (  # measurement id, SilhouetteProfile field
    ("buttock_behind_hip_pct", "buttock_behind_hip_px"),
    ("lumbar_hollow_behind_hip_pct", "hollow_behind_hip_px"),
    ("belly_ahead_of_hip_pct", "belly_ahead_of_hip_px"),
)


def _side_silhouette(
    seen: PoseLandmarks, level: PoseLandmarks, swapped: bool, frame: Frame, mask: np.ndarray | None,
    threshold: float,
) -> tuple[SilhouetteProfile | None, str | None]:
    """The leveled outline around the pelvis, or why it could not be traced."""
    if mask is None:
        return None, "no body outline from the model"
    names = _names(SILHOUETTE_LANDMARKS, swapped)
    unseen = [n for lm, n in zip(SILHOUETTE_LANDMARKS, names, strict=True) if not seen.is_visible(lm, threshold)]
    if unseen:
        return None, f"not visible: {', '.join(unseen)}"
    profile = silhouette_profile(
        mask, level.image_size, level.xy_px[L.LEFT_SHOULDER], level.xy_px[L.LEFT_HIP], frame.toward_x
    )
    return profile, None if profile else "the back outline around the pelvis could not be traced"


def _silhouette_offsets(
    profile: SilhouetteProfile | None, why_not: str | None, frame: Frame, names: tuple[str, ...]
) -> dict[str, Measurement]:
    """Where the outline sits relative to the hip joint: inputs for the pelvic-tilt calibration."""
    method = "segmentation outline, traced row by row around the hip (side view)"
    sigma = constant("silhouette_sigma_pct_height")
    return {
        mid: Measurement(
            mid, PCT_HEIGHT, registry.info(mid).sign_convention,
            frame.pct(getattr(profile, field)) if profile else None,
            sigma if profile else None, (*names, "segmentation_mask"), method, reason=why_not, source=Source.OUTLINE,
        )
        for mid, field in SILHOUETTE_OFFSETS
    }


def pelvic_tilt(swapped: bool, frame: Frame, profile: SilhouetteProfile | None, why_not: str | None) -> Measurement:
    """Sagittal pelvic tilt, + = anterior, from a side view, all in the leveled frame: a
    marker-free estimate from the back contour, because BlazePose's hip points do not move with
    pelvic tilt (with ASIS and PSIS markers, MARKER_LINES reads it exactly instead).
    """
    convention = registry.info("pelvic_tilt_deg").sign_convention
    method = "marker-free estimate: back-contour inclination, lumbar hollow to buttock (uncalibrated)"
    names = (*_names(SILHOUETTE_LANDMARKS, swapped), "segmentation_mask")
    if profile is None:
        return Measurement("pelvic_tilt_deg", DEG, convention, None, None, names, method, reason=why_not,
                           source=Source.OUTLINE)
    return Measurement(
        "pelvic_tilt_deg", DEG, convention, profile.inclination_deg - constant("pelvic_silhouette_offset_deg"),
        constant("pelvic_silhouette_uncertainty_deg"), names, method, source=Source.OUTLINE,
        roll_slope=-frame.toward_x,
    )
