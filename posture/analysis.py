"""The pipeline: photo -> landmarks -> measurements (per photo) -> findings -> corrections.

The CLI and the app both call these functions; neither computes anything itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from posture.assessment.calibration import calibrate
from posture.assessment.capture_checks import check_capture
from posture.assessment.classifier import Finding, classify, combine
from posture.assessment.corrections import Recommendation, recommend, safety
from posture.assessment.measurements import Measurement, PelvisMarkers, measure
from posture.assessment.pain import Pain
from posture.assessment.silhouette import frontal_outline
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
    frontal_outline: np.ndarray | None = None  # pelvis outline differences (calibration input)

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
    result.frontal_outline = _frontal_outline(result, roll)
    if options.calibrate:
        result.measurements = calibrate(result.measurements, result.frontal_outline)
    if markers is not None and (markers.asis[0] - markers.psis[0]) * result.view.facing_x <= 0:
        result.warnings.append(PhotoWarning(
            WarningCode.MARKERS_SUSPECT,
            f"The ASIS should be in front of the PSIS, but this person faces the image's "
            f"{'right' if result.view.facing_x > 0 else 'left'} and the ASIS was placed behind. "
            "Were the two points swapped?",
        ))


def _frontal_outline(result: PhotoResult, roll_deg: float) -> np.ndarray | None:
    """The pelvis outline of a front or back photo, measured with the camera roll undone."""
    if not result.view.is_frontal or result.person_mask is None:
        return None
    threshold = constant("visibility_threshold")
    points = (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER, Landmark.LEFT_HIP, Landmark.RIGHT_HIP)
    if not all(result.landmarks.is_visible(lm, threshold) for lm in points):
        return None
    level = result.landmarks.rotated(-roll_deg) if roll_deg else result.landmarks
    mask = result.person_mask
    if roll_deg:
        height, width = mask.shape
        turn = cv2.getRotationMatrix2D((width / 2, height / 2), -roll_deg, 1.0)
        mask = cv2.warpAffine(mask, turn, (width, height), flags=cv2.INTER_LINEAR)
    return frontal_outline(mask, level.image_size, *(level.point(lm) for lm in points))


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
