"""Live preview speed: frames per second of LiveTracker (video-mode model, measurements, drawing)
on 640x480 frames made from the real photos, and the hold-still capture's time.

    .venv/bin/python -m benchmarks.live
"""

from __future__ import annotations

import time

import cv2
import numpy as np

from benchmarks.common import photos_from_argv
from posture.analysis import Options
from posture.capture import assess_frames
from posture.live import LiveTracker
from posture.vision.image_io import load_photo
from posture.vision.pose_model import BlazePoseEstimator

FRAME_SIZE = (640, 480)


def letterboxed(path) -> np.ndarray:
    rgb = load_photo(path).rgb
    width, height = FRAME_SIZE
    scale = height / rgb.shape[0]
    person = cv2.resize(rgb, (round(rgb.shape[1] * scale), height), interpolation=cv2.INTER_AREA)[:, :width]
    frame = np.full((height, width, 3), 90, np.uint8)
    left = (width - person.shape[1]) // 2
    frame[:, left:left + person.shape[1]] = person
    return frame


def main() -> None:
    frames = [letterboxed(p) for p in photos_from_argv()]
    tracker = LiveTracker()
    tracker.process(frames[0], 0.0)  # build the graph
    per_photo = 30
    started = time.perf_counter()
    for index in range(per_photo * len(frames)):
        tracker.process(frames[index // per_photo], index / 30)
    seconds = time.perf_counter() - started
    count = per_photo * len(frames)
    print(f"live preview: {count} frames of 640x480 in {seconds:.1f} s = {1000 * seconds / count:.1f} ms/frame, "
          f"{count / seconds:.0f} fps (model + measurements + drawing, one stream, 2 cores)")
    estimator = BlazePoseEstimator()
    capture = [np.roll(frames[0], i % 3 - 1, axis=1) for i in range(75)]  # 2.5 s at 30 fps
    assess_frames(capture, estimator, Options())
    started = time.perf_counter()
    result, _ = assess_frames(capture, estimator, Options())
    print(f"hold-still capture: 75 frames -> {len(result.landmarks.samples_px)} pooled answers in "
          f"{time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
