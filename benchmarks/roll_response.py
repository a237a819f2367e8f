"""How far each tilt moves when the camera rolls: the photo rotated by -3 and +3 deg (rotated and
cropped as a rolled phone takes it, benchmarks.consistency.rolled), analysed without leveling, and
the change per degree against the `roll_slope` each measurement states (which sizes the camera
roll's share of its uncertainty, docs/trust.md).

A learned measurement (the hip, read from the body outline and the knee line) need not move 1:1
with a roll; its stated slope should not be smaller than what it does on photos like ours.

    .venv/bin/python -m benchmarks.roll_response [RENDER_DIR [PHOTO_DIR]]
    (default: 16 front renders of /work/synth-out/families1 if present, and ../shared/photos/front)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from benchmarks.common import SHARED_FRONT
from benchmarks.consistency import rolled
from posture.analysis import Options, analyze_single
from posture.vision.pose_model import BlazePoseEstimator

TILTS = ("hip_tilt_deg", "shoulder_tilt_deg", "knee_tilt_deg", "head_tilt_deg", "lateral_trunk_lean_deg")
ROLL_DEG = 3.0


def slopes(photo: Path, estimator, folder: Path) -> dict[str, tuple[float, float]]:
    """Per tilt: (change per degree of roll, stated roll slope)."""
    image = Image.open(photo).convert("RGB")
    measured = []
    for degrees in (-ROLL_DEG, ROLL_DEG):
        path = folder / f"rolled{degrees:+.0f}.png"
        rolled(image, degrees).save(path)
        result = analyze_single(str(path), estimator, Options(level=False)).photos[0]
        if not result.ok:
            return {}
        measured.append(result.measurements)
    low, high = measured
    return {mid: ((high[mid].value - low[mid].value) / (2 * ROLL_DEG), low[mid].roll_slope) for mid in TILTS
            if mid in low and mid in high and low[mid].measured and high[mid].measured}


def main() -> None:
    renders = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/synth-out/families1")
    photos = Path(sys.argv[2]) if len(sys.argv) > 2 else SHARED_FRONT
    sets = {"renders": sorted(renders.glob("*front.jpg"))[:16], "photos": sorted(photos.glob("*.jpg"))[:8]}
    estimator = BlazePoseEstimator()
    with tempfile.TemporaryDirectory() as folder:
        for name, files in sets.items():
            found: dict[str, list[tuple[float, float]]] = {mid: [] for mid in TILTS}
            for photo in files:
                for mid, pair in slopes(photo, estimator, Path(folder)).items():
                    found[mid].append(pair)
            print(f"{name} ({len(files)}): change per degree of camera roll, median [quartiles]; stated slope")
            for mid, pairs in found.items():
                if pairs:
                    moved = np.array([p[0] for p in pairs])
                    print(f"  {mid:26} {np.median(moved):+.2f} [{np.percentile(moved, 25):+.2f}, "
                          f"{np.percentile(moved, 75):+.2f}]  stated {np.median([p[1] for p in pairs]):+.2f}")


if __name__ == "__main__":
    main()
