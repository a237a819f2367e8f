"""How much a face the head shows: one cue of front vs back, from a second model.

Why: BlazePose can label a person seen from the back as if they faced the camera, face points
with high visibility included, so its own output is not enough to tell the two apart; every
left/right finding would then be reported on the wrong side. MediaPipe's face detector (shipped in
the same wheel, short-range model) on a crop around the head is an independent opinion: the back
of a head has no face. Its score is weighed with BlazePose's cues in `views.detect_view`.
"""

from __future__ import annotations

import threading

import cv2
import numpy as np

from posture.vision.landmarks import Landmark as L
from posture.vision.landmarks import PoseLandmarks
from posture.vision.pose_model import native_stderr_silenced

CROP_PX = 256  # the detector's input is 128 px; the crop is the head and shoulders


_detector = None
_detector_lock = threading.Lock()  # MediaPipe graphs are not thread-safe; app sessions share this one


def face_score(rgb: np.ndarray, landmarks: PoseLandmarks) -> float | None:
    """The best face score around the head (0 when no face is found), None if the head is out of
    view. How scores read (fronts, backs of heads, profiles): `face_score_mid` in measurement_model.json."""
    global _detector
    crop = _head_crop(rgb, landmarks)
    if crop is None:
        return None
    with _detector_lock, native_stderr_silenced():
        if _detector is None:  # built once per process, on first use
            from mediapipe.python.solutions import face_detection

            _detector = face_detection.FaceDetection(model_selection=0)
        result = _detector.process(crop)
    return max((float(detection.score[0]) for detection in result.detections or []), default=0.0)


def _head_crop(rgb: np.ndarray, landmarks: PoseLandmarks) -> np.ndarray | None:
    """A square around the head, sized from the shoulder width, in the working image's pixels."""
    height, width = rgb.shape[:2]
    scale = width / landmarks.image_size[0]
    points = landmarks.xy_px * scale
    head = points[[L.NOSE, L.LEFT_EAR, L.RIGHT_EAR, L.LEFT_EYE, L.RIGHT_EYE]].mean(axis=0)
    shoulders = np.linalg.norm(points[L.LEFT_SHOULDER] - points[L.RIGHT_SHOULDER])
    neck = np.linalg.norm(head - (points[L.LEFT_SHOULDER] + points[L.RIGHT_SHOULDER]) / 2)
    half = max(shoulders * 0.6, neck * 0.9, 8.0)
    x0, y0 = int(head[0] - half), int(head[1] - half)
    size = int(2 * half)
    if x0 + size <= 0 or y0 + size <= 0 or x0 >= width or y0 >= height:
        return None
    # Pad by the crop's size so a head near the border still gets a full square.
    padded = cv2.copyMakeBorder(rgb, size, size, size, size, cv2.BORDER_REPLICATE)
    crop = padded[y0 + size : y0 + 2 * size, x0 + size : x0 + 2 * size]
    return np.ascontiguousarray(cv2.resize(crop, (CROP_PX, CROP_PX), interpolation=cv2.INTER_AREA))
