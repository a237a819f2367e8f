"""The pipeline: photo -> landmarks -> measurements (per photo) -> findings -> corrections.

The CLI and the app both call these functions; neither computes anything itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import numpy as np

from posture.assessment.calibration import OUTLINE_USES, calibrate, outline_trust
from posture.assessment.capture_checks import check_capture
from posture.assessment.classifier import Finding, classify, combine
from posture.assessment.corrections import Recommendation, Safety, recommend, safety, without_exercises
from posture.assessment.doubts import (
    camera_roll_sd_deg,
    doubts,
    mixed_skeleton_doubts,
    one_leg_doubts,
    shared_tilt,
    with_camera_roll,
    with_doubts,
)
from posture.assessment.hands import held_object
from posture.assessment.leveled import LevelFrame, level_frame
from posture.assessment.measurements import Measurement, PelvisMarkers, Source, measure_leveled, near_side_is_right
from posture.assessment.pain import Pain
from posture.assessment.silhouette import (
    NECK_GRID,
    PELVIS_GRID,
    SHOULDER_GRID,
    SIDE_PELVIS_GRID,
    mirror_difference,
    side_profile,
    smoothed,
)
from posture.assessment.standing import not_standing_warning, standing_problems
from posture.assessment.views import View, detect_view, orient_sides
from posture.data_files import constant, load
from posture.errors import PhotoError, PhotoWarning, WarningCode
from posture.vision.augment import DEFAULT_COPIES
from posture.vision.face import face_score
from posture.vision.image_io import Photo, PhotoBytes, load_photo
from posture.vision.landmarks import Landmark, PoseLandmarks
from posture.vision.leveling import estimate_camera_roll
from posture.vision.markers import (
    Marker,
    MarkerColour,
    MarkerSet,
    PointOrigin,
    expected_positions,
    find_markers,
    off_body,
    point_words,
)
from posture.vision.person import find_person, mixed_skeleton_warning, points_off_outline
from posture.vision.pose_model import PoseEstimator

# The body heights a length in cm may be scaled from (a small child to the tallest adults); a value
# outside is a typo or a unit mix-up (feet, metres), and a wrong scale would mislabel every length.
BODY_HEIGHT_RANGE_CM = (50.0, 250.0)


@dataclass(frozen=True)
class Options:
    view: View | None = None
    height_cm: float | None = None
    level: bool = True
    markers: PelvisMarkers | None = None  # for the one side photo of a person (`--asis/--psis`)
    find_markers: bool = True  # look for coloured markers on the bony landmarks (docs/markers.md)
    marker_colour: MarkerColour | None = None  # None: any colour but white
    augment: bool = True  # False: the bare model's single answer (benchmarks compare the two)
    calibrate: bool = True  # False: raw landmark measurements (to train the calibration on)
    pain: Pain | None = None  # orders the corrections; never changes a finding
    red_flags: tuple[str, ...] = ()  # the red flags the person ticked: no exercise, see a clinician first


@dataclass(frozen=True)
class PhotoEdits:
    """What a person placed by hand on one photo, in the order placed (undo takes back the last):
    pose-model points moved (a Landmark) and protocol points (a markers.json name such as "c7" or
    "asis_left"), in upright-photo pixels. A point placed again counts where it was placed last."""

    placed: tuple[tuple[Landmark | str, tuple[float, float]], ...] = ()

    def with_point(self, point: Landmark | str, xy_px: tuple[float, float]) -> PhotoEdits:
        return replace(self, placed=(*self.placed, (point, (float(xy_px[0]), float(xy_px[1])))))

    def undone(self) -> PhotoEdits:
        """Without the last placement."""
        return replace(self, placed=self.placed[:-1])

    @property
    def moved(self) -> tuple[tuple[Landmark, tuple[float, float]], ...]:
        return tuple((point, xy) for point, xy in self.placed if isinstance(point, Landmark))

    @property
    def markers(self) -> dict[str, tuple[float, float]]:
        return {point: xy for point, xy in self.placed if not isinstance(point, Landmark)}


@dataclass(frozen=True, eq=False)  # one photo is itself, not its field values (arrays inside)
class LocatedPhoto:
    """The expensive stage of one photo, computed once and never changed: the model's landmarks
    and mask, the view, the camera roll and the warnings about how the photo was taken."""

    path: str
    image_size: tuple[int, int] | None = None
    image: np.ndarray | None = None  # upright RGB working copy (read-only), for drawing only
    view: View | None = None
    view_confidence: float | None = None
    view_given: bool = False
    landmarks: PoseLandmarks | None = None  # upright-photo pixels, sides as the subject's
    person_mask: np.ndarray | None = None  # working-copy pixels (read-only)
    camera_roll_deg: float | None = None  # None: not estimated confidently (or not asked)
    warnings: tuple[PhotoWarning, ...] = ()
    error: PhotoError | None = None
    markers: Mapping[str, Marker] = field(default_factory=lambda: MappingProxyType({}))  # found on the photo
    camera_roll_sd_deg: float | None = None  # the roll's own SD when it was used (last: keeps positional order)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def leveled(self) -> bool:
        return self.camera_roll_deg is not None

    @property
    def is_side(self) -> bool:
        return self.ok and self.view is not None and not self.view.is_frontal


@dataclass(frozen=True, eq=False)
class PhotoResult:
    """One photo measured: a pure function of its LocatedPhoto and the person's inputs."""

    located: LocatedPhoto
    landmarks: PoseLandmarks | None  # the located ones with the hand-moved points
    measurements: Mapping[str, Measurement]
    warnings: tuple[PhotoWarning, ...]
    edited_landmarks: tuple[str, ...] = ()
    outlines: Mapping[str, np.ndarray] = field(default_factory=dict)  # body outline grids (calibration inputs)
    near_side: str = "left"  # side views: the body side facing the camera, which the measurements read
    off_outline: tuple[Landmark, ...] = ()  # seen points off the person's outline: maybe someone else's
    # Every protocol point of the view (markers.json): detected, placed by hand or estimated.
    points: Mapping[str, Marker] = field(default_factory=lambda: MappingProxyType({}))

    path = property(lambda self: self.located.path)
    view = property(lambda self: self.located.view)
    view_confidence = property(lambda self: self.located.view_confidence)
    view_given = property(lambda self: self.located.view_given)
    image_size = property(lambda self: self.located.image_size)
    image = property(lambda self: self.located.image)
    camera_roll_deg = property(lambda self: self.located.camera_roll_deg)
    camera_roll_sd_deg = property(lambda self: self.located.camera_roll_sd_deg)

    @property
    def markers(self) -> dict[str, Marker]:
        """The protocol points detected or placed by hand (what the measurements read)."""
        return {name: point for name, point in self.points.items() if point.origin is not PointOrigin.ESTIMATED}

    @property
    def estimated(self) -> tuple[str, ...]:
        """The protocol points neither detected nor placed: their measurements read the pose model."""
        return tuple(name for name, point in self.points.items() if point.origin is PointOrigin.ESTIMATED)

    leveled = property(lambda self: self.located.leveled)
    error = property(lambda self: self.located.error)
    ok = property(lambda self: self.located.ok)


@dataclass(frozen=True)
class Assessment:
    findings: tuple[Finding, ...]
    recommendations: tuple[Recommendation, ...]
    safety: Safety
    pain: Pain | None = None


@dataclass(frozen=True)
class Analysis:
    """Photos of one person and what they add up to."""

    photos: tuple[PhotoResult, ...]
    assessment: Assessment


PhotoSource = str | PhotoBytes


def locate(source: PhotoSource, estimator: PoseEstimator, options: Options) -> LocatedPhoto:
    """Load a photo, find the person, decide the view and the camera roll. Errors land in the result."""
    try:
        photo = load_photo(source)
    except PhotoError as error:
        return LocatedPhoto(path=str(source), error=error)
    return locate_in(photo, str(source), estimator, options)


def locate_in(
    photo: Photo, name: str, estimator: PoseEstimator, options: Options, second_look: bool = True
) -> LocatedPhoto:
    """`locate` for a photo already in memory (a video frame). `second_look=False` (the live
    preview) skips looking for a second person, the face check and the camera roll: one pose model
    call a frame (front and back are then told by BlazePose's face points alone)."""
    try:
        person = find_person(photo, estimator, DEFAULT_COPIES if options.augment else (), second_look)
    except PhotoError as error:
        return LocatedPhoto(path=name, image_size=photo.original_size, image=_frozen(photo.rgb), error=error)
    face = face_score(photo.rgb, person.landmarks) if second_look else None
    detected = detect_view(person.landmarks, face)
    view = options.view or detected.view
    landmarks, relabel_warnings = orient_sides(person.landmarks, view)
    warnings = [*person.warnings, *relabel_warnings,
                *check_capture(landmarks, view, detected, options.view, constant("visibility_threshold")),
                *filter(None, [held_object(landmarks, person.person_mask, photo.rgb, view)])]
    roll = roll_sd = None
    if options.level and second_look:
        roll, roll_sd, not_leveled = _camera_roll(photo.rgb, person.people_mask)
        warnings += not_leveled
    markers = MarkerSet(None, {})
    if options.find_markers and second_look:
        markers = find_markers(photo.rgb, landmarks, person.person_mask, view, options.marker_colour)
        warnings += markers.warnings
    return LocatedPhoto(
        path=name, image_size=photo.original_size, image=_frozen(photo.rgb), view=view,
        view_confidence=1.0 if options.view else detected.confidence, view_given=options.view is not None,
        landmarks=frozen_landmarks(landmarks), person_mask=_frozen(person.person_mask), camera_roll_deg=roll,
        markers=MappingProxyType(dict(markers.markers)), warnings=tuple(warnings),
        camera_roll_sd_deg=roll_sd,
    )


def frozen_landmarks(landmarks: PoseLandmarks) -> PoseLandmarks:
    """The landmarks with read-only arrays (a stage result; every change makes a new object)."""
    return PoseLandmarks(_frozen(landmarks.xy_px), _frozen(landmarks.visibility), landmarks.image_size,
                         _frozen(landmarks.samples_px), _frozen(landmarks.depth_px))


def _frozen(array: np.ndarray | None) -> np.ndarray | None:
    """A read-only view: a stage result that someone writes into fails loudly instead of
    changing every result derived from it."""
    if array is None:
        return None
    view = array.view()
    view.flags.writeable = False
    return view


def _camera_roll(
    rgb: np.ndarray, people_mask: np.ndarray | None
) -> tuple[float | None, float | None, list[PhotoWarning]]:
    """The camera roll and its SD when enough independent background structures agree, combined
    with the rolls real photos have (RollEstimate.with_prior); otherwise a warning that says why
    and what would have leveled the photo."""
    roll = estimate_camera_roll(rgb, people_mask)
    if roll.usable:
        degrees, sd = roll.with_prior(camera_roll_sd_deg(None))
        return round(degrees, 2), round(sd, 2), []
    return None, None, [PhotoWarning(
        WarningCode.NOT_LEVELED,
        f"Could not level the photo. To level it, {roll.advice}. Why: {roll.reason}. Until then the "
        "findings allow for a phone held up to about 2 degrees off level, so small tilts read as \"can't tell\".",
    )]


def measure_photo(located: LocatedPhoto, options: Options, edits: PhotoEdits | None = None) -> PhotoResult:
    """A located photo measured, with the person's hand-placed points: a pure function, so
    measuring again with the same inputs gives the same result."""
    edits = edits or PhotoEdits()
    if not located.ok or located.landmarks is None or located.view is None:
        return PhotoResult(located, located.landmarks, {}, located.warnings)
    landmarks = located.landmarks
    for landmark, xy in edits.moved:
        landmarks = landmarks.with_point_moved(landmark, xy)
    edited = tuple(sorted({landmark.key for landmark, _ in edits.moved}))
    near = "right" if not located.view.is_frontal and near_side_is_right(landmarks) else "left"
    points = _protocol_points(located, landmarks, edits.markers)
    marked = {name: point.xy_px for name, point in points.items() if point.origin is not PointOrigin.ESTIMATED}
    leveled = level_frame(landmarks, located.person_mask, located.camera_roll_deg or 0.0)
    measurements = measure_leveled(leveled, located.view, options.height_cm, marked)
    outlines = _outlines(leveled, located.view)
    off_outline = _off_outline(landmarks, located.person_mask, edited)
    stray = off_body({name: point.xy_px for name, point in points.items() if point.origin is PointOrigin.BY_HAND},
                     landmarks, located.person_mask)
    warnings = [*located.warnings, *_edit_warnings(edited, points, near, located.view, stray),
                *mixed_skeleton_warning(off_outline)]
    unread = []  # outlines so unlike the renders' that the calibration could not use them at all
    if options.calibrate:
        trust = outline_trust(outlines)
        measurements = calibrate(measurements, outlines, trust)
        unread = [name for name in outlines if trust[name] == 0.0]
        warnings += [_unusual_outline_warning(name, trust[name]) for name in outlines
                     if trust[name] < 0.5 and not _read_between_markers(measurements, name)]
    measurements = _judged(measurements, warnings, unread, landmarks, located, off_outline)
    measurements = with_doubts(measurements, _off_body_doubts(measurements, stray))
    return PhotoResult(
        located, landmarks, MappingProxyType(measurements), tuple(warnings), edited, MappingProxyType(outlines), near,
        off_outline, MappingProxyType(points),
    )


def _protocol_points(
    located: LocatedPhoto, landmarks: PoseLandmarks, placed: Mapping[str, tuple[float, float]]
) -> dict[str, Marker]:
    """Every protocol point of the photo's view (markers.json): placed by hand (it replaces a
    detected one), else detected, else estimated where the pose model's points put it (optional
    points only when marked). A name the view does not have is ignored."""
    points = {}
    for name, prior in expected_positions(landmarks, located.view).items():
        if name in placed:
            points[name] = Marker(name, placed[name], 1.0, PointOrigin.BY_HAND)
        elif name in located.markers:
            points[name] = located.markers[name]
        elif not prior.optional:
            points[name] = Marker(name, (float(prior.xy_px[0]), float(prior.xy_px[1])), 0.0, PointOrigin.ESTIMATED)
    # A detection whose name a moved point re-sided stays, after the view's points.
    return {**points, **{name: marker for name, marker in located.markers.items() if name not in points}}


def _off_outline(landmarks: PoseLandmarks, mask: np.ndarray | None, edited: tuple[str, ...]) -> tuple[Landmark, ...]:
    """Seen points off the person's outline, but for those a person placed by hand."""
    limit = load("thresholds.json")["one_person"]["max_point_off_outline_of_torso"]["value"]
    found = points_off_outline(landmarks, mask, constant("visibility_threshold"), limit)
    return tuple(lm for lm in found if lm.key not in edited)


def _point_label(name: str) -> str:
    """'C7 (c7)', 'ASIS (asis_left)': its short name and the name the JSON gives it."""
    return f"{point_words(name)['short']} ({name})"


def _off_body_doubts(measurements: Mapping[str, Measurement], stray: tuple[str, ...]) -> dict[str, str]:
    """Each measurement read between marked points one of which was placed off the person."""
    why = f"{', '.join(map(_point_label, stray))} placed off the person: place it again on the body"
    return {mid: why for mid, m in measurements.items() if m.source is Source.MARKERS and set(stray) & set(m.landmarks)}


def _edit_warnings(
    edited: tuple[str, ...], points: Mapping[str, Marker], near: str, view: View, stray: tuple[str, ...] = ()
) -> list[PhotoWarning]:
    warnings = []
    if edited:
        warnings.append(PhotoWarning(WarningCode.LANDMARKS_EDITED,
                                     f"Placed by hand: {', '.join(Landmark[name.upper()].words for name in edited)}."))
    if stray:
        warnings.append(PhotoWarning(WarningCode.POINT_OFF_BODY, (
            f"Placed off the person (on the background?): {', '.join(_point_label(name) for name in stray)}. "
            "No finding rests on it: place it again on the body."),
        ))
    asis, psis = points.get(f"asis_{near}"), points.get(f"psis_{near}")
    marked = asis is not None and psis is not None and PointOrigin.ESTIMATED not in (asis.origin, psis.origin)
    if not view.is_frontal and marked and (asis.xy_px[0] - psis.xy_px[0]) * view.facing_x <= 0:
        warnings.append(PhotoWarning(
            WarningCode.MARKERS_SUSPECT,
            f"The ASIS should be in front of the PSIS, but this person faces the image's "
            f"{'right' if view.facing_x > 0 else 'left'} and the ASIS is behind. "
            "Were the two points swapped? Place them again: the ASIS on the bony point at the front of the "
            "hip, the PSIS on the dimple at the back of the pelvis.",
        ))
    return warnings


def _judged(
    measurements: dict[str, Measurement], warnings: list[PhotoWarning], unread: list[str],
    landmarks: PoseLandmarks, located: LocatedPhoto, off_outline: tuple[Landmark, ...],
) -> dict[str, Measurement]:
    """What each value may say: nothing on a photo that is no standing posture photo (its warning
    is added to `warnings`); else the doubts of the warnings and of points that may be someone
    else's, one rotation shared by the frontal tilts (reported once) or the weight on one leg;
    then the camera roll in every uncertainty."""
    roll_sd = camera_roll_sd_deg(located.camera_roll_sd_deg)
    problems = standing_problems(landmarks, located.view, warnings, measurements)
    if problems:
        warnings.append(not_standing_warning(problems))
        doubt = "not a standing posture photo (see its warning)"
        return with_camera_roll(with_doubts(measurements, dict.fromkeys(measurements, doubt)), roll_sd)
    measurements = with_doubts(measurements, {**doubts(warnings, unread, landmarks, located.view, measurements),
                                              **mixed_skeleton_doubts(measurements, off_outline)})
    if located.view.is_frontal:
        tilt, explained = shared_tilt(measurements, located.leveled)
        found = explained if tilt.measured else one_leg_doubts(measurements, roll_sd)
        measurements = {**with_doubts(measurements, found), tilt.id: tilt}
    return with_camera_roll(measurements, roll_sd)


def _read_between_markers(measurements: Mapping[str, Measurement], outline: str) -> bool:
    """Whether the measurement an outline would inform is read between markers (detected or placed
    by hand): the outline is then not used, and a warning that it was would ask for a needless retake."""
    measurement = measurements.get(OUTLINE_USES[outline].measurement)
    return measurement is not None and measurement.source is Source.MARKERS


def _unusual_outline_warning(name: str, trust: float) -> PhotoWarning:
    place, reading = OUTLINE_USES[name].place, OUTLINE_USES[name].reading
    consequence = (f"no finding on {reading} is made from this photo" if trust == 0.0 else
                   f"{reading} is read mostly from the body points, with a wider ±")
    return PhotoWarning(WarningCode.UNUSUAL_OUTLINE, (
        f"The body outline {place} does not look like those the measurements were trained on (loose "
        f"or long clothes, a bag or strap, a hand on the hip or in a pocket, hair over the neck?), so "
        f"{consequence}. For the best reading: fitted clothes, arms hanging loosely, nothing in the hands, "
        "long hair tied up."
    ))


def _outlines(leveled: LevelFrame, view: View) -> dict[str, np.ndarray]:
    """The body outline around the pelvis and the shoulders (front/back) or the neck and the
    pelvis (side), from the smoothed leveled mask; the calibration's inputs besides the
    measurements."""
    if leveled.mask is None:
        return {}
    threshold = constant("visibility_threshold")
    pairs = ((Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER), (Landmark.LEFT_HIP, Landmark.RIGHT_HIP))
    seen = [[leveled.photo.is_visible(lm, threshold) for lm in pair] for pair in pairs]
    # Front/back: all four points; side: the near shoulder and hip (the far ones are hidden).
    if not all(all(pair) if view.is_frontal else any(pair) for pair in seen):
        return {}
    level = leveled.landmarks
    mask = smoothed(leveled.mask, _torso_px(level) * leveled.mask.shape[1] / level.image_size[0])
    (ls, rs), (lh, rh) = ((level.point(a), level.point(b)) for a, b in pairs)
    torso = _torso_px(level)
    if view.is_frontal:
        outlines = {
            "pelvis_outline": mirror_difference(mask, level.image_size, PELVIS_GRID, lh, rh, torso),
            "shoulder_outline": mirror_difference(mask, level.image_size, SHOULDER_GRID, ls, rs, torso),
        }
    else:
        facing = view.facing_x
        outlines = {
            "neck_outline": side_profile(mask, level.image_size, NECK_GRID, (ls + rs) / 2, torso, facing),
            "side_pelvis_outline": side_profile(mask, level.image_size, SIDE_PELVIS_GRID, (lh + rh) / 2, torso, facing),
        }
    return {name: values for name, values in outlines.items() if values is not None}


def _torso_px(landmarks: PoseLandmarks) -> float:
    """Shoulder line to hip line, vertically, in the landmarks' pixels."""
    ls, rs, lh, rh = (landmarks.point(lm) for lm in (
        Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER, Landmark.LEFT_HIP, Landmark.RIGHT_HIP))
    return float((lh[1] + rh[1]) / 2 - (ls[1] + rs[1]) / 2)


def analyze_person(
    paths: Sequence[PhotoSource],
    estimator: PoseEstimator,
    options: Options,
    progress: Callable[[str], None] | None = None,
) -> Analysis:
    """Photos of one person at one time -> per-photo results and one combined assessment."""
    located = []
    for path in paths:
        located.append(locate(path, estimator, options))
        if progress:
            progress(str(path))
    return analyze_located(located, options)


def analyze_located(
    located: Sequence[LocatedPhoto], options: Options, edits: Mapping[str, PhotoEdits] | None = None
) -> Analysis:
    """Located photos of one person -> measurements, findings and corrections: a pure function of
    the located photos, the options and the hand edits (by photo path). The app calls it on every
    rerun; nothing it returns is ever changed afterwards."""
    edits = dict(edits or {})
    side_photos = [photo for photo in located if photo.is_side]
    ignored = []
    if options.markers is not None:
        if len(side_photos) == 1:
            only = side_photos[0]
            edits[only.path] = _with_pelvis(only, options.markers, edits.get(only.path, PhotoEdits()))
        else:
            ignored = [PhotoWarning(
                WarningCode.MARKERS_IGNORED,
                f"--asis/--psis need exactly one side-view photo; found {len(side_photos)}. "
                "The markers were not used: give them with only the side photo they were placed on.",
            )]
    results = [
        measure_photo(replace(photo, warnings=(*photo.warnings, *ignored)), options, edits.get(photo.path))
        for photo in located
    ]
    return Analysis(tuple(results), assess(results, options.pain, options.red_flags))


def _with_pelvis(located: LocatedPhoto, markers: PelvisMarkers, edits: PhotoEdits) -> PhotoEdits:
    """`--asis/--psis` as the two points placed by hand first on the side facing the camera."""
    near = "right" if near_side_is_right(located.landmarks) else "left"
    return PhotoEdits((*markers.named(near).items(), *edits.placed))


def analyze_single(path: PhotoSource, estimator: PoseEstimator, options: Options) -> Analysis:
    """One unrelated photo (batch mode): its own findings."""
    located = locate(path, estimator, options)
    edits = _with_pelvis(located, options.markers, PhotoEdits()) if located.is_side and options.markers else None
    result = measure_photo(located, options, edits)
    return Analysis((result,), assess([result], options.pain, options.red_flags))


def assess(results: Sequence[PhotoResult], pain: Pain | None = None, red_flags: Sequence[str] = ()) -> Assessment:
    """Findings, corrections and safety notes; a red flag ticked leaves every exercise out here, so
    no report, download or stored visit can show one."""
    combined = combine((r.path, r.measurements) for r in results if r.ok)
    findings = tuple(classify(combined))
    corrections = tuple(recommend(findings, pain))
    return Assessment(findings, without_exercises(corrections) if red_flags else corrections,
                      safety(pain, red_flags), pain)
