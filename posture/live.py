"""The live webcam check: per-frame landmarks and measurements, smoothed for display.

Live values are a preview (one model call per frame, no leveling, no augmentation); the numbers that
count come from a hold-still capture (posture.capture), which runs the photo pipeline on the frames.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from posture.assessment.calibration import calibrate
from posture.assessment.measurements import measure
from posture.assessment.views import View, detect_view, orient_sides
from posture.data_files import constant
from posture.vision.drawing import Annotation, annotate
from posture.vision.landmarks import PoseLandmarks
from posture.vision.pose_model import BlazePoseEstimator, PoseEstimator

# Measurements drawn on the live video (the lines the issue asks for) per kind of view.
LIVE_MEASUREMENTS = {
    True: ("shoulder_tilt_deg", "hip_tilt_deg", "head_tilt_deg"),
    False: ("craniovertebral_angle_deg", "sagittal_trunk_lean_deg"),
}


@dataclass
class LiveReading:
    view: View | None
    values: dict[str, tuple[float, str]]  # smoothed measurement id -> (value, unit)
    image: np.ndarray  # the frame with the skeleton and lines drawn


@dataclass
class LiveTracker:
    """One webcam stream: one video-mode model, exponential smoothing with time constant
    `smoothing_s`, and the processing rate of the last `rate_window` frames."""

    smoothing_s: float = 0.5
    rate_window: int = 30
    estimator: PoseEstimator = field(default_factory=lambda: BlazePoseEstimator(with_mask=False, video=True))
    _smoothed: dict[str, float] = field(default_factory=dict)
    _last_t: float | None = None
    _times: deque = field(default_factory=lambda: deque(maxlen=30))
    frames_processed: int = 0

    def process(self, rgb: np.ndarray, t_s: float) -> LiveReading:
        self.frames_processed += 1
        self._times.append(t_s)
        raw = self.estimator.detect(rgb)
        if raw is None:
            self._smoothed.clear()
            return LiveReading(None, {}, rgb)
        height, width = rgb.shape[:2]
        landmarks = PoseLandmarks(
            raw.xy_fraction * np.array([width, height]), np.clip(raw.visibility, 0, 1), (width, height),
            depth_px=raw.depth * width,
        )
        view = detect_view(landmarks).view
        landmarks, _ = orient_sides(landmarks, view)
        wanted = LIVE_MEASUREMENTS[view.is_frontal]
        measured = {mid: m for mid, m in calibrate(measure(landmarks, view)).items() if mid in wanted and m.measured}
        values = self._smooth(measured, t_s)
        note = Annotation(view.value, values, {}, [], constant("visibility_threshold"), legend=False)
        return LiveReading(view, values, annotate(rgb, landmarks, note))

    @property
    def fps(self) -> float | None:
        if len(self._times) < 2 or self._times[-1] == self._times[0]:
            return None
        return (len(self._times) - 1) / (self._times[-1] - self._times[0])

    def _smooth(self, measured: dict, t_s: float) -> dict[str, tuple[float, str]]:
        weight = 1.0 if self._last_t is None else 1.0 - math.exp(-(t_s - self._last_t) / self.smoothing_s)
        self._last_t = t_s
        for gone in set(self._smoothed) - set(measured):
            del self._smoothed[gone]
        values = {}
        for mid, m in measured.items():
            previous = self._smoothed.get(mid, m.value)
            self._smoothed[mid] = previous + weight * (m.value - previous)
            values[mid] = (self._smoothed[mid], m.unit)
        return values

    def close(self) -> None:
        self.estimator.close()
