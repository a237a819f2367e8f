"""A "hold still" capture: a few seconds of webcam frames combined into one assessment.

Why several frames: each frame's landmarks carry the model's jitter and the person's sway; pooling
the augmented answers of several frames averages both, so a capture is more precise than one photo
and its uncertainty includes the sway it saw.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from posture.analysis import Analysis, LocatedPhoto, Options, analyze_located, frozen_landmarks, locate_in
from posture.assessment.views import orient_sides
from posture.errors import ErrorCode, PhotoError, PhotoWarning, WarningCode
from posture.vision.augment import DEFAULT_COPIES
from posture.vision.image_io import Photo
from posture.vision.landmarks import PoseLandmarks
from posture.vision.person import find_person
from posture.vision.pose_model import PoseEstimator

FRAMES_USED = 5
COUNTDOWN_S = 3.0
CAPTURE_S = 2.5


@dataclass
class HoldStill:
    """The hold-still sequence on a live stream: a countdown (time to stand still), then frames
    collected for `capture_s` seconds. Fed every frame; `done` when the frames are in."""

    started_s: float
    countdown_s: float = COUNTDOWN_S
    capture_s: float = CAPTURE_S
    frames: list[np.ndarray] = field(default_factory=list)

    def feed(self, rgb: np.ndarray, t_s: float) -> str:
        """Take the frame if capturing; the text to show over the video."""
        elapsed = t_s - self.started_s
        if elapsed < self.countdown_s:
            return f"Stand still... {math.ceil(self.countdown_s - elapsed)}"
        if elapsed < self.countdown_s + self.capture_s:
            self.frames.append(rgb)
            return "Hold still: capturing"
        return "Captured"

    def done(self, t_s: float) -> bool:
        return t_s - self.started_s >= self.countdown_s + self.capture_s
# A person whose landmarks moved more than this (median, fraction of body height) between the first
# and another frame did not hold still; that frame is left out.
MOVED_FRACTION_OF_STATURE = 0.03


def assess_frames(
    frames: Sequence[np.ndarray], estimator: PoseEstimator, options: Options, name: str = "live capture"
) -> Analysis:
    """Frames of one person standing still (upright RGB) -> one located photo, measured and
    assessed like any photo.

    The middle frame decides the view, the capture checks and the camera roll; up to FRAMES_USED
    frames spread over the capture contribute landmarks.
    """
    return analyze_located([locate_frames(frames, estimator, options, name)], options)


def locate_frames(
    frames: Sequence[np.ndarray], estimator: PoseEstimator, options: Options, name: str = "live capture"
) -> LocatedPhoto:
    if not frames:
        return LocatedPhoto(name, error=PhotoError(ErrorCode.NO_PERSON, "The capture recorded no frames; start the "
                                                                        "camera first."))
    picks = np.unique(np.linspace(0, len(frames) - 1, min(FRAMES_USED, len(frames))).round().astype(int))
    middle = int(picks[len(picks) // 2])
    height, width = frames[middle].shape[:2]
    located = locate_in(Photo(frames[middle], (width, height), "video frame"), name, estimator, options)
    if not located.ok:
        return located
    return _pooled(located, [frames[i] for i in picks if i != middle], estimator, options)


def _pooled(
    located: LocatedPhoto, others: list[np.ndarray], estimator: PoseEstimator, options: Options
) -> LocatedPhoto:
    """The middle frame's located photo with the landmarks of the frames where the person held still."""
    base = located.landmarks
    stature = float(np.ptp(base.xy_px[:, 1]))
    xys, visibilities, samples = [base.xy_px], [base.visibility], [_samples(base)]
    moved = 0
    for frame in others:
        height, width = frame.shape[:2]
        try:
            person = find_person(Photo(frame, (width, height), "video frame"), estimator,
                                 DEFAULT_COPIES if options.augment else ())
        except PhotoError:
            continue
        landmarks, _ = orient_sides(person.landmarks, located.view)
        if np.median(np.linalg.norm(landmarks.xy_px - base.xy_px, axis=1)) > MOVED_FRACTION_OF_STATURE * stature:
            moved += 1
            continue
        xys.append(landmarks.xy_px)
        visibilities.append(landmarks.visibility)
        samples.append(_samples(landmarks))
    pooled = PoseLandmarks(
        np.mean(xys, axis=0), np.mean(visibilities, axis=0), base.image_size, np.concatenate(samples), base.depth_px,
    )
    warnings = located.warnings
    if moved:
        warnings = (*warnings, PhotoWarning(
            WarningCode.MOVED_DURING_CAPTURE,
            f"You moved during the capture; {moved} of {len(others) + 1} moments were left out. "
            "Stand still, arms relaxed, for the whole countdown.",
        ))
    return replace(located, landmarks=frozen_landmarks(pooled), warnings=warnings)


def _samples(landmarks: PoseLandmarks) -> np.ndarray:
    return landmarks.samples_px if landmarks.samples_px is not None else landmarks.xy_px[None]
