"""The pose model behind one small interface.

Everything downstream needs only `PoseEstimator.detect(rgb)`: landmarks as fractions of the image
it was given, so the caller can run it on transformed copies (flipped, rescaled, rotated) and map
the points back. Another backend (a MediaPipe `.task` file, another network) implements the same
method; measurements never see which one ran.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class RawPose:
    """A model's answer for one image, in fractions of that image's width and height."""

    xy_fraction: np.ndarray  # (33, 2)
    visibility: np.ndarray  # (33,)
    depth: np.ndarray  # (33,) BlazePose z: toward the camera is smaller, in fractions of the width
    person_mask: np.ndarray | None  # (h, w) float in [0, 1], same size as the input, or None
    # Test-time augmentation: every copy's landmarks mapped back to this image, (k, 33, 2).
    samples: np.ndarray | None = None


class PoseEstimator(Protocol):
    name: str

    def detect(self, rgb: np.ndarray) -> RawPose | None:
        """The most confident person in an upright uint8 RGB image, or None if there is none."""
        ...


class BlazePoseEstimator:
    """MediaPipe BlazePose (full model, `model_complexity=1`), shipped inside mediapipe 0.10.21.

    Complexity 0 and 2 would try to download their models, which must never happen here.
    Static-image mode: each call is independent, so results don't depend on the previous photo.
    `video=True` (one object per webcam stream): the model tracks the person from frame to frame
    instead of searching every frame, about twice as fast and steadier.
    """

    name = "blazepose-full (mediapipe 0.10.21)"

    def __init__(self, min_detection_confidence: float = 0.5, with_mask: bool = True, video: bool = False) -> None:
        self._min_detection_confidence = min_detection_confidence
        self._with_mask = with_mask
        self._video = video
        self._pose = None

    def _model(self):
        """Build the graph on first use, so importing this module (and `--help`) stays instant."""
        if self._pose is None:
            from mediapipe.python.solutions import pose as mp_pose

            self._pose = mp_pose.Pose(
                static_image_mode=not self._video,
                model_complexity=1,
                enable_segmentation=self._with_mask,
                min_detection_confidence=self._min_detection_confidence,
            )
        return self._pose

    def detect(self, rgb: np.ndarray) -> RawPose | None:
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise ValueError(f"expected an (h, w, 3) uint8 RGB image, got {rgb.shape} {rgb.dtype}")
        with native_stderr_silenced():
            result = self._model().process(np.ascontiguousarray(rgb))
        if result.pose_landmarks is None:
            return None
        points = result.pose_landmarks.landmark
        xy = np.array([(p.x, p.y) for p in points], dtype=np.float64)
        visibility = np.array([p.visibility for p in points], dtype=np.float64)
        depth = np.array([p.z for p in points], dtype=np.float64)
        mask = None
        if self._with_mask and result.segmentation_mask is not None:
            mask = np.asarray(result.segmentation_mask, dtype=np.float32)
        return RawPose(xy_fraction=xy, visibility=visibility, depth=depth, person_mask=mask)

    def close(self) -> None:
        if self._pose is not None:
            self._pose.close()
            self._pose = None


@contextlib.contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """MediaPipe's C++ code logs INFO/WARNING lines straight to file descriptor 2 on every run,
    ignoring Python's logging; users would read them as errors. Python exceptions still surface."""
    try:
        saved = os.dup(2)
    except OSError:  # no usable stderr (e.g. a detached service): nothing to protect
        yield
        return
    sys.stderr.flush()
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
