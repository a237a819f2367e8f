"""The pipeline: photo -> landmarks -> measurements (per photo) -> findings -> corrections.

The CLI and the app both call these functions; neither computes anything itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from posture.assessment.calibration import OUTLINE_READS, calibrate, outline_trust
from posture.assessment.capture_checks import check_capture
from posture.assessment.classifier import Finding, classify, combine
from posture.assessment.corrections import Recommendation, recommend, safety
from posture.assessment.measurements import Measurement, PelvisMarkers, measure
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
from posture.assessment.views import View, detect_view, orient_sides
from posture.data_files import constant
from posture.errors import PhotoError, PhotoWarning, WarningCode
from posture.vision.augment import DEFAULT_COPIES
from posture.vision.face import face_toward_camera
from posture.vision.image_io import Photo, PhotoBytes, load_photo
from posture.vision.landmarks import Landmark, PoseLandmarks
from posture.vision.leveling import estimate_camera_roll
from posture.vision.person import find_person
from posture.vision.pose_model import PoseEstimator


@dataclass(frozen=True)
class Options:
    view: View | None = None
    height_cm: float | None = None
    level: bool = True
    markers: PelvisMarkers | None = None
    augment: bool = True  # False: the bare model's single answer (benchmarks compare the two)
    calibrate: bool = True  # False: raw landmark measurements (to train the calibration on)
    pain: Pain | None = None  # orders the corrections; never changes a finding


@dataclass(eq=False)  # one photo's result is itself, not its field values (arrays inside)
class PhotoResult:
    path: str
    view: View | None = None
    view_confidence: float | None = None
    view_given: bool = False
    image_size: tuple[int, int] | None = None
    camera_roll_deg: float | None = None
    leveled: bool = False
    landmarks: PoseLandmarks | None = None
    measurements: dict[str, Measurement] = field(default_factory=dict)
    warnings: list[PhotoWarning] = field(default_factory=list)
    error: PhotoError | None = None
    image: np.ndarray | None = None  # upright RGB working copy, for drawing only
    person_mask: np.ndarray | None = None
    edited_landmarks: list[str] = field(default_factory=list)
    outlines: dict[str, np.ndarray] = field(default_factory=dict)  # body outline grids (calibration inputs)

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class Assessment:
    findings: list[Finding]
    recommendations: list[Recommendation]
    safety: dict
    pain: Pain | None = None


PhotoSource = str | PhotoBytes


def locate(source: PhotoSource, estimator: PoseEstimator, options: Options) -> PhotoResult:
    """Load a photo, find the person and decide the view. Errors land in the result."""
    result = PhotoResult(path=str(source))
    try:
        photo = load_photo(source)
    except PhotoError as error:
        result.error = error
        return result
    return locate_in(photo, result, estimator, options)


def locate_in(photo: Photo, result: PhotoResult, estimator: PoseEstimator, options: Options) -> PhotoResult:
    """`locate` for a photo already in memory (a video frame)."""
    result.image_size = photo.original_size
    result.image = photo.rgb
    try:
        person = find_person(photo, estimator, DEFAULT_COPIES if options.augment else ())
    except PhotoError as error:
        result.error = error
        return result
    detected = detect_view(person.landmarks, face_toward_camera(photo.rgb, person.landmarks))
    view = options.view or detected.view
    landmarks, relabel_warnings = orient_sides(person.landmarks, view)
    result.view, result.view_given = view, options.view is not None
    result.view_confidence = 1.0 if options.view else detected.confidence
    result.landmarks, result.person_mask = landmarks, person.person_mask
    result.warnings.extend(person.warnings)
    result.warnings.extend(relabel_warnings)
    result.warnings.extend(
        check_capture(landmarks, view, detected, options.view, constant("visibility_threshold"))
    )
    if options.level:
        _level(result, photo.rgb, person.people_mask)
    return result


def _level(result: PhotoResult, rgb: np.ndarray, people_mask: np.ndarray | None) -> None:
    """Estimate the camera roll; use it only when the background agrees on the vertical."""
    roll = estimate_camera_roll(rgb, people_mask)
    if roll.confident:
        result.camera_roll_deg, result.leveled = round(roll.roll_deg, 2), True
        return
    rough = f" (a rough guess: {roll.roll_deg:+.1f} deg, not used)" if roll.roll_deg is not None else ""
    result.warnings.append(PhotoWarning(
        WarningCode.NOT_LEVELED,
        f"Could not level the photo: {roll.reason}{rough}. Tilts are measured against the photo's "
        "edges, so a phone held 2 degrees off level adds 2 degrees to every tilt. Retake with a "
        "door frame, wall corner or window edge in view, or hold the phone upright with its level.",
    ))


def measure_located(result: PhotoResult, options: Options, markers: PelvisMarkers | None) -> None:
    if not (result.ok and result.landmarks is not None and result.view is not None):
        return
    roll = result.camera_roll_deg if result.leveled else 0.0
    result.measurements = measure(
        result.landmarks, result.view, result.person_mask, options.height_cm, markers, camera_roll_deg=roll,
    )
    result.outlines = _outlines(result, roll)
    result.warnings = [w for w in result.warnings if w.code is not WarningCode.UNUSUAL_OUTLINE]
    if options.calibrate:
        trust = outline_trust(result.outlines)
        result.measurements = calibrate(result.measurements, result.outlines, trust)
        result.warnings.extend(_unusual_outline_warning(name) for name in result.outlines if trust[name] < 0.5)
    if markers is not None and (markers.asis[0] - markers.psis[0]) * result.view.facing_x <= 0:
        result.warnings.append(PhotoWarning(
            WarningCode.MARKERS_SUSPECT,
            f"The ASIS should be in front of the PSIS, but this person faces the image's "
            f"{'right' if result.view.facing_x > 0 else 'left'} and the ASIS was placed behind. "
            "Were the two points swapped?",
        ))


def _unusual_outline_warning(name: str) -> PhotoWarning:
    place, reading = OUTLINE_READS[name]
    return PhotoWarning(WarningCode.UNUSUAL_OUTLINE, (
        f"The body outline {place} does not look like those the measurements were trained on (loose "
        f"or long clothes, a bag or strap, a hand on the hip or in a pocket, hair over the neck?), so "
        f"{reading} is read mostly or only from the body points, less surely. For the best reading: "
        "fitted clothes, arms hanging loosely, nothing in the hands, long hair tied up."
    ))


def _outlines(result: PhotoResult, roll_deg: float) -> dict[str, np.ndarray]:
    """The body outline around the pelvis and the shoulders (front/back) or the neck and the
    pelvis (side), from the smoothed mask with the camera roll undone; the calibration's inputs
    besides the measurements."""
    if result.person_mask is None:
        return {}
    threshold = constant("visibility_threshold")
    pairs = ((Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER), (Landmark.LEFT_HIP, Landmark.RIGHT_HIP))
    seen = [[result.landmarks.is_visible(lm, threshold) for lm in pair] for pair in pairs]
    # Front/back: all four points; side: the near shoulder and hip (the far ones are hidden).
    if not all(all(pair) if result.view.is_frontal else any(pair) for pair in seen):
        return {}
    mask = result.person_mask
    mask = smoothed(mask, _torso_px(result.landmarks) * mask.shape[1] / result.landmarks.image_size[0])
    level = result.landmarks.rotated(-roll_deg) if roll_deg else result.landmarks
    if roll_deg:
        height, width = mask.shape
        turn = cv2.getRotationMatrix2D((width / 2, height / 2), -roll_deg, 1.0)
        mask = cv2.warpAffine(mask, turn, (width, height), flags=cv2.INTER_LINEAR)
    (ls, rs), (lh, rh) = ((level.point(a), level.point(b)) for a, b in pairs)
    torso = _torso_px(level)
    if result.view.is_frontal:
        outlines = {
            "pelvis_outline": mirror_difference(mask, level.image_size, PELVIS_GRID, lh, rh, torso),
            "shoulder_outline": mirror_difference(mask, level.image_size, SHOULDER_GRID, ls, rs, torso),
        }
    else:
        facing = result.view.facing_x
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
) -> tuple[list[PhotoResult], Assessment]:
    """Photos of one person at one time -> per-photo results and one combined assessment."""
    results = []
    for path in paths:
        results.append(locate(path, estimator, options))
        if progress:
            progress(str(path))
    side_photos = [r for r in results if r.ok and r.view and not r.view.is_frontal]
    markers = options.markers if len(side_photos) == 1 else None
    if options.markers is not None and markers is None:
        for r in results:
            r.warnings.append(PhotoWarning(
                WarningCode.MARKERS_IGNORED,
                f"--asis/--psis need exactly one side-view photo; found {len(side_photos)}. "
                "The markers were not used.",
            ))
    for r in results:
        measure_located(r, options, markers if r in side_photos else None)
    return results, assess(results, options.pain)


def analyze_single(path: PhotoSource, estimator: PoseEstimator, options: Options) -> tuple[PhotoResult, Assessment]:
    """One unrelated photo (batch mode): its own findings."""
    result = locate(path, estimator, options)
    markers = options.markers if result.ok and result.view and not result.view.is_frontal else None
    measure_located(result, options, markers)
    return result, assess([result], options.pain)


def move_landmark(result: PhotoResult, landmark: Landmark, xy_px: tuple[float, float]) -> None:
    """A person's correction of a visibly wrong point; `remeasure` afterwards. The report says
    which points were placed by hand."""
    result.landmarks = result.landmarks.with_point_moved(landmark, xy_px)
    result.edited_landmarks = sorted({*result.edited_landmarks, landmark.key})
    result.warnings = [w for w in result.warnings if w.code is not WarningCode.LANDMARKS_EDITED]
    result.warnings.append(PhotoWarning(
        WarningCode.LANDMARKS_EDITED, f"Placed by hand: {', '.join(result.edited_landmarks)}."
    ))


def remeasure(
    results: Sequence[PhotoResult], options: Options, markers: dict[str, PelvisMarkers] | None = None
) -> Assessment:
    """Measure again after landmarks were corrected by hand or ASIS/PSIS placed on a side photo
    (`markers` by photo path), without running the model again."""
    markers = markers or {}
    for r in results:
        r.warnings = [w for w in r.warnings if w.code is not WarningCode.MARKERS_SUSPECT]
        measure_located(r, options, markers.get(r.path))
    return assess(results, options.pain)


def assess(results: Sequence[PhotoResult], pain: Pain | None = None) -> Assessment:
    combined = combine((r.path, r.measurements) for r in results if r.ok)
    findings = classify(combined)
    return Assessment(findings, recommend(findings, pain), safety(pain), pain)
