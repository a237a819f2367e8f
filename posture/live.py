"""The live webcam check: per-frame landmarks and measurements, smoothed for display.

Live values are a preview through the photo pipeline's cheap entry (one model call per frame, no
leveling of the values, no augmentation, but the same measurements and the same calibration, body outline
included, and lines coloured by the photos' rules: grey while a finding can't be told); the numbers
that count come from a hold-still capture (posture.hold_still), which runs
the full photo pipeline on the frames. A level guide, read from the background with the photos'
cues every 3 s, shows how to hold the camera before the capture.
"""

from __future__ import annotations

import logging
import math
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np

from posture.analysis import Options, assess, locate_in, measure_photo
from posture.assessment.views import View
from posture.data_files import constant
from posture.presentation import line_colours
from posture.registry import live_measurements
from posture.vision.drawing import Annotation, annotate, draw_level, level_status
from posture.vision.image_io import Photo
from posture.vision.leveling import RollEstimate, estimate_camera_roll
from posture.vision.pose_model import BlazePoseEstimator, PoseEstimator

logger = logging.getLogger(__name__)
PREVIEW = Options(level=False, augment=False)
LEVEL_EVERY_S = 3.0  # the level guide is read this often, beside the frames: a reading takes 0.15-0.2 s of
# CPU, and once a second it took the 2-core preview from 13 to 9 frames/s
LEVEL_HINT = "add a door frame or a plumb line"

@dataclass
class LiveReading:
    view: View | None
    values: dict[str, tuple[float, str]]  # smoothed measurement id -> (value, unit)
    image: np.ndarray  # the frame with the skeleton, lines and level guide drawn
    level: RollEstimate | None = None  # the latest camera roll from the background, once read


@dataclass
class LiveTracker:
    """One webcam stream: one video-mode model, exponential smoothing with time constant
    `smoothing_s`, and the processing rate of the last `rate_window` frames."""

    smoothing_s: float = 0.5
    rate_window: int = 30
    estimator: PoseEstimator = field(default_factory=lambda: BlazePoseEstimator(video=True))
    _smoothed: dict[str, float] = field(default_factory=dict)
    _last_t: float | None = None
    _times: deque = field(default_factory=lambda: deque(maxlen=30))
    frames_processed: int = 0
    _level: RollEstimate | None = None
    _level_job: Future | None = None
    _level_read_at: float = -math.inf
    _level_reader: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(max_workers=1))

    def process(self, rgb: np.ndarray, t_s: float) -> LiveReading:
        """One frame through the photo pipeline's cheap entry (one model call, no leveling, no
        augmentation) and the same measurement and calibration as a photo."""
        self.frames_processed += 1
        self._times.append(t_s)
        height, width = rgb.shape[:2]
        located = locate_in(Photo(rgb, (width, height), "video frame"), "live", self.estimator, PREVIEW,
                            second_look=False)
        self._read_level(rgb, located.person_mask, t_s)
        if not located.ok:
            self._smoothed.clear()
            return LiveReading(None, {}, self._with_level(rgb.copy()), self._level)
        result = measure_photo(located, PREVIEW)
        wanted = live_measurements(result.view.is_frontal)
        measured = {mid: m for mid, m in result.measurements.items() if mid in wanted and m.measured}
        values = self._smooth(measured, t_s)
        smoothed = replace(result, measurements={mid: replace(measured[mid], value=value)
                                                 for mid, (value, _unit) in values.items()})
        colours = line_colours(smoothed, assess([smoothed]).findings)  # the photos' colour rules
        note = Annotation(result.view.value, values, colours, [], constant("visibility_threshold"),
                          near_side=result.near_side, show_legend=False)
        return LiveReading(result.view, values, self._with_level(annotate(rgb, result.landmarks, note)), self._level)

    def _read_level(self, rgb: np.ndarray, person_mask: np.ndarray | None, t_s: float) -> None:
        """The camera roll from the same cues as a photo's, read beside the frames (never holding
        one up): the last reading is kept until the next is done."""
        if self._level_job is not None and self._level_job.done():
            try:
                self._level = self._level_job.result()
            except Exception:  # a failed reading must not stop the video; the next one retries
                logger.exception("the live level reading failed")
                self._level = None
            self._level_job = None
        if self._level_job is None and t_s - self._level_read_at >= LEVEL_EVERY_S:
            self._level_read_at = t_s
            self._level_job = self._level_reader.submit(estimate_camera_roll, rgb.copy(), person_mask)

    def _with_level(self, image: np.ndarray) -> np.ndarray:
        """Only a roll sure on its own is drawn: a loose one is 'can't tell' (level_text)."""
        if self._level is None or not self._level.confident:
            return image
        return draw_level(image, self._level.roll_deg)

    @property
    def level_text(self) -> tuple[str, tuple[int, int, int]] | None:
        """The level guide's words and colour for the status band; None before the first reading."""
        if self._level is None:
            return None
        return level_status(self._level.roll_deg if self._level.confident else None, LEVEL_HINT)

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
        self._level_reader.shutdown(wait=True, cancel_futures=True)
        self.estimator.close()
