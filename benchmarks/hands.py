"""Something held in a hand: for every seen hand of every photo, the two readings of
`posture/assessment/hands.py` (how far the mask's outline runs outward from the hand, in body
heights; the area the mask is only half sure of at and below the hand, in body heights squared;
how far something unlike the background beside it runs straight down from the hand, in body heights)
and whether the photo is warned `object_in_hand`, against the limits in thresholds.json (`stance`).

Empty hands (the bundled renders, most street photos) should stay below both limits; a bag, a
clutch or a cap held in a hand should pass one.

    .venv/bin/python -m benchmarks.hands [FOLDER...]   (default ../shared/photos/front and samples/)
"""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks.common import ROOT, SHARED_FRONT
from posture.analysis import Options, locate
from posture.assessment.hands import hand_readings
from posture.data_files import load
from posture.errors import WarningCode
from posture.vision.pose_model import BlazePoseEstimator

PHOTOS = (".jpg", ".jpeg", ".png")


def main() -> None:
    folders = [Path(a) for a in sys.argv[1:]] or [SHARED_FRONT, ROOT / "samples"]
    photos = sorted(p for folder in folders for p in folder.rglob("*") if p.suffix.lower() in PHOTOS)
    stance = load("thresholds.json")["stance"]
    print(f"limits: outward reach {stance['max_hand_outline_reach_of_height']['value']} of the height, "
          f"half-sure area {stance['max_half_sure_area_at_hand_of_height_squared']['value']} of the height squared, "
          f"hanging {stance['max_hanging_below_hand_of_height']['value']} of the height")
    print(f"{'photo':44} {'hand':5} {'reach':>6} {'area':>7} {'hanging':>7}  warned")
    estimator = BlazePoseEstimator()
    for photo in photos:
        located = locate(photo, estimator, Options(level=False))
        if located.landmarks is None or located.person_mask is None or not located.view.is_frontal:
            continue
        warned = WarningCode.OBJECT_IN_HAND in {w.code for w in located.warnings}
        for side, reading in hand_readings(located.landmarks, located.person_mask, located.image).items():
            name = str(photo.relative_to(photo.parents[1]))
            this_hand = " (this hand)" if reading.holds_something() else ""
            print(f"{name:44} {side:5} {reading.outward_reach:6.3f} {reading.half_sure_area:7.4f} "
                  f"{reading.hanging_length:7.2f}  {'yes' if warned else 'no'}{this_hand}")


if __name__ == "__main__":
    main()
