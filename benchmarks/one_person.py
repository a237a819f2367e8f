"""Is the skeleton one person's? For every photo, how far its seen points lie off the person's
outline (the person mask), in torso lengths, and whether the analysis flags `mixed_skeleton`
(a point beyond `one_person.max_point_off_outline_of_torso` in thresholds.json).

The street photos of one person standing (../shared/photos/front) and the bundled renders
(samples/) should stay well inside the limit; the photos of ../shared/photos/not_posture whose
skeleton joins limbs of two people should pass it.

    .venv/bin/python -m benchmarks.one_person [FOLDER...]
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np

from benchmarks.common import ROOT, SHARED_FRONT
from posture.analysis import Options, analyze_single
from posture.data_files import constant
from posture.errors import WarningCode
from posture.vision.landmarks import Landmark as L
from posture.vision.pose_model import BlazePoseEstimator

PHOTOS = (".jpg", ".jpeg", ".png")


def farthest_off_outline(result) -> tuple[float, str]:
    """The seen point farthest from the person mask, in torso lengths, and its name."""
    landmarks, mask = result.landmarks, result.located.person_mask
    if landmarks is None or mask is None:
        return 0.0, "-"
    scale = mask.shape[1] / landmarks.image_size[0]
    torso = np.linalg.norm((landmarks.point(L.LEFT_SHOULDER) + landmarks.point(L.RIGHT_SHOULDER)) / 2
                           - (landmarks.point(L.LEFT_HIP) + landmarks.point(L.RIGHT_HIP)) / 2)
    distance = cv2.distanceTransform((mask < 0.5).astype(np.uint8), cv2.DIST_L2, 5) / (scale * torso)
    height, width = mask.shape
    worst = (0.0, "-")
    for lm in L:
        if landmarks.is_visible(lm, constant("visibility_threshold")):
            x = min(int(round(landmarks.point(lm)[0] * scale)), width - 1)
            y = min(int(round(landmarks.point(lm)[1] * scale)), height - 1)
            if distance[y, x] > worst[0]:
                worst = (float(distance[y, x]), lm.key)
    return worst


def main() -> None:
    folders = [Path(a) for a in sys.argv[1:]] or [SHARED_FRONT, ROOT / "samples",
                                                  ROOT.parent / "shared" / "photos" / "not_posture"]
    estimator = BlazePoseEstimator()
    for folder in folders:
        print(f"{folder}:")
        for photo in sorted(p for p in folder.rglob("*") if p.suffix.lower() in PHOTOS):
            result = analyze_single(str(photo), estimator, Options()).photos[0]
            if not result.ok:
                print(f"  {photo.relative_to(folder)}: {result.error.code.value}")
                continue
            off, name = farthest_off_outline(result)
            flagged = WarningCode.MIXED_SKELETON in {w.code for w in result.warnings}
            points = ", ".join(lm.key for lm in result.off_outline)
            print(f"  {photo.relative_to(folder)}: farthest {off:.2f} ({name})"
                  f"{f'  mixed_skeleton: {points}' if flagged else ''}")


if __name__ == "__main__":
    main()
