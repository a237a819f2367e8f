"""Live preview speed: frames per second of LiveTracker (video-mode model, measurements, drawing)
on 640x480 frames made from the real photos, and the hold-still capture's time.

    .venv/bin/python -m benchmarks.live
"""

from __future__ import annotations

import time

import numpy as np

from benchmarks.common import photos_from_argv
from posture.analysis import Options
from posture.hold_still import assess_frames
from posture.live import LiveTracker
from posture.vision.pose_model import BlazePoseEstimator
from tests.browser_support import webcam_frame


def main() -> None:
    frames = [webcam_frame(p) for p in photos_from_argv()]
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
    (result,) = assess_frames(capture, estimator, Options()).photos
    print(f"hold-still capture: 75 frames -> {len(result.landmarks.samples_px)} pooled answers in "
          f"{time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
