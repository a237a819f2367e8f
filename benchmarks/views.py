"""Views and turns on real photos and renders: is the view right, how sure is it, and does the
turned-from-camera warning fire where it should?

Per photo: the view found, its confidence, the body's turn (+ = the subject's left side further
away) with its error, whether `turned_from_camera` fires, and what the photo is known to be (the
by-eye labels of tests/data/views/front_labels.json for ../shared/photos/front, the truth files of
the renders in samples/ and tests/data/synth; the non-posture photos have none). Mirror images of
the front photos and sample fronts check that a mirror keeps the view and turns the body the other
way by as much. Last, BlazePose's depth scale on the renders seen both from the front and in
profile (measurement_model.json: blazepose_depth_scale_*).

    .venv/bin/python -m benchmarks.views
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np

from benchmarks.common import ROOT, SHARED_FRONT
from posture.analysis import LocatedPhoto, Options, locate_in
from posture.assessment.views import body_yaw
from posture.errors import WarningCode
from posture.vision.image_io import load_photo
from posture.vision.landmarks import Landmark as L
from posture.vision.pose_model import BlazePoseEstimator

NOT_POSTURE = SHARED_FRONT.parent / "not_posture"
LABELS = json.loads((ROOT / "tests" / "data" / "views" / "front_labels.json").read_text())
PHOTOS = (".jpg", ".jpeg", ".png")


def expected(path: Path) -> tuple[str | None, float | None, str]:
    """(view, turn in degrees, what the turn label says) as known for this photo."""
    truth = path.with_suffix(".truth.json")
    if truth.exists():
        camera = json.loads(truth.read_text())["spec"]["camera"]
        return camera["view"], camera["subject_yaw_deg"], f"{camera['subject_yaw_deg']:+.0f}° true"
    if path.stem in LABELS:
        return LABELS[path.stem]["view"], None, LABELS[path.stem]["turn"]
    return None, None, ""


def row(name: str, located: LocatedPhoto, want: str | None, turn_label: str) -> str:
    if not located.ok:
        return f"{name:34s} {located.error.code.value}"
    yaw = body_yaw(located.landmarks) if located.view.is_frontal else None
    turned = any(w.code is WarningCode.TURNED_FROM_CAMERA for w in located.warnings)
    mark = "" if want is None else ("right" if located.view.value == want else f"WRONG ({want})")
    yaw_text = f"{yaw.deg:+6.1f} ± {yaw.sd_deg:3.1f}" if yaw else "      -     "
    return (f"{name:34s} {located.view.value:10s} {located.view_confidence:5.3f}  {yaw_text}  "
            f"{'TURNED' if turned else '      '}  {turn_label:12s} {mark}")


def tally(located: LocatedPhoto, want: str | None, turn_label: str, counts: dict[str, int]) -> None:
    if want is None or not located.ok:
        return
    counts["known"] += 1
    counts["right"] += located.view.value == want
    counts["turned"] += turn_label in ("square", "slight") and any(
        w.code is WarningCode.TURNED_FROM_CAMERA for w in located.warnings)


def main() -> None:
    estimator = BlazePoseEstimator()
    options = Options(level=False)
    groups = {
        "real front photos (../shared/photos/front), by-eye labels": sorted(SHARED_FRONT.glob("*.jpg")),
        "not posture photos (../shared/photos/not_posture)": sorted(
            p for p in NOT_POSTURE.glob("*") if p.suffix.lower() in PHOTOS),
        "sample renders (samples/)": sorted((ROOT / "samples").glob("*/*.jpg")),
        "fixed renders (tests/data/synth)": sorted((ROOT / "tests" / "data" / "synth").glob("*.jpg")),
    }
    counts = {"right": 0, "known": 0, "turned": 0}
    located_by_path: dict[Path, LocatedPhoto] = {}
    print(f"{'photo':34s} {'view':10s} {'conf':5s}  {'turn (deg)':12s}  {'warned':6s}  {'known':12s}")
    for title, paths in groups.items():
        print(f"\n{title}")
        for path in paths:
            photo = load_photo(path)
            located = located_by_path[path] = locate_in(photo, str(path), estimator, options)
            want, _, turn_label = expected(path)
            print(row(f"{path.parent.name}/{path.name}"[-34:], located, want, turn_label))
            tally(located, want, turn_label, counts)
            if path.parent == SHARED_FRONT or (path.parent.parent == ROOT / "samples" and path.stem == "front"):
                flipped = locate_in(replace(photo, rgb=np.ascontiguousarray(photo.rgb[:, ::-1])),
                                    f"{path} (mirrored)", estimator, options)
                print(row("  mirrored", flipped, want, turn_label))
                tally(flipped, want, turn_label, counts)
    print(f"\nright views: {counts['right']}/{counts['known']} photos with a known view (mirror images included); "
          f"turned warnings on people labelled square or slight: {counts['turned']}")
    depth_scale(located_by_path)
    estimator.close()


def depth_scale(located: dict[Path, LocatedPhoto]) -> None:
    """BlazePose's depth apart in profile over the width apart from the front, per rendered person."""
    print("\nBlazePose depth scale (profile depth apart / front width apart, renders):")
    ratios = {"shoulders": [], "hips": []}
    for side_path, side in located.items():
        front_path = side_path.with_name(side_path.name.replace(side_path.stem.split(".")[-1], "front"))
        front = located.get(front_path)
        if "side" not in side_path.stem or front is None or not (front.ok and side.ok):
            continue
        for part, (left, right) in {"shoulders": (L.LEFT_SHOULDER, L.RIGHT_SHOULDER),
                                    "hips": (L.LEFT_HIP, L.RIGHT_HIP)}.items():
            deep = abs(side.landmarks.depth_px[left] - side.landmarks.depth_px[right]) / _torso(side)
            wide = abs(front.landmarks.xy_px[left, 0] - front.landmarks.xy_px[right, 0]) / _torso(front)
            ratios[part].append(deep / wide)
    for part, values in ratios.items():
        if values:
            print(f"  {part}: {min(values):.2f}-{max(values):.2f}, mean {np.mean(values):.2f} ({len(values)} people)")


def _torso(located: LocatedPhoto) -> float:
    pts = located.landmarks.xy_px
    return float(np.linalg.norm((pts[L.LEFT_SHOULDER] + pts[L.RIGHT_SHOULDER]) / 2
                                - (pts[L.LEFT_HIP] + pts[L.RIGHT_HIP]) / 2))


if __name__ == "__main__":
    main()
