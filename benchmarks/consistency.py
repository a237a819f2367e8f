"""Consistency of the tilts under photo transforms: the product vs the bare model, side by side.

For each real front photo, the shoulder and hip tilts of the original are compared with those of a
transformed copy (a transform that should not change the answer, or should change it by a known
amount). Prints the median and p90 absolute difference per transform, in degrees.

    .venv/bin/python benchmarks/consistency.py [PHOTO_DIR]   (default ../shared/photos/front)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from posture.analysis import Options, analyze_single
from posture.vision.pose_model import BlazePoseEstimator

ROOT = Path(__file__).resolve().parents[1]
TILTS = ("shoulder_tilt_deg", "hip_tilt_deg")


def transforms(image: Image.Image, folder: Path) -> dict[str, tuple[Path, float, float]]:
    """name -> (file, sign the tilt should get, amount added to it)."""
    made = {}

    def save(name: str, picture: Image.Image, sign: float = 1.0, shift: float = 0.0, **kwargs) -> None:
        path = folder / name
        picture.save(path, **kwargs)
        made[name.split(".")[0]] = (path, sign, shift)

    save("mirror.png", image.transpose(Image.Transpose.FLIP_LEFT_RIGHT), sign=-1.0)
    save("half.png", image.resize((image.width // 2, image.height // 2), Image.Resampling.LANCZOS))
    save("recompress.jpg", image, quality=70)
    # Rotating the photo counter-clockwise by a raises the subject's left (image right) side by a.
    save("rotate+4.png", image.rotate(4, resample=Image.Resampling.BICUBIC), shift=4.0)
    save("rotate-4.png", image.rotate(-4, resample=Image.Resampling.BICUBIC), shift=-4.0)
    exif = Image.Exif()
    exif[0x0112] = 6
    save("exif.jpg", image.transpose(Image.Transpose.ROTATE_90), exif=exif, quality=95)
    return made


def tilts(path: Path, estimator, augment: bool) -> dict[str, float]:
    result, _ = analyze_single(str(path), estimator, Options(level=False, augment=augment))
    return {mid: result.measurements[mid].value for mid in TILTS}


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "photos" / "front"
    photos = sorted(folder.glob("*.jpg"))
    if not photos:
        sys.exit(f"no photos in {folder}")
    estimator = BlazePoseEstimator()
    errors: dict[tuple[str, bool], list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for photo in photos:
            image = Image.open(photo).convert("RGB")
            original = image_path = Path(tmp) / "original.png"
            image.save(image_path)
            for augment in (False, True):
                reference = tilts(original, estimator, augment)
                for name, (path, sign, shift) in transforms(image, Path(tmp)).items():
                    moved = tilts(path, estimator, augment)
                    for mid in TILTS:
                        error = abs(sign * moved[mid] - shift - reference[mid])
                        errors.setdefault((name, augment), []).append(error)
    print(f"{len(photos)} photos x {len(TILTS)} lines; |difference| in degrees (median / p90)")
    print(f"{'transform':12s} {'bare model':>16s} {'product':>16s}  improvement (median)")
    for name in dict.fromkeys(n for n, _ in errors):
        bare, product = np.array(errors[(name, False)]), np.array(errors[(name, True)])
        print(f"{name:12s} {np.median(bare):7.2f} / {np.percentile(bare, 90):5.2f}  "
              f"{np.median(product):7.2f} / {np.percentile(product, 90):5.2f}  "
              f"{np.median(bare) / max(np.median(product), 1e-9):5.1f}x")
    bare_all = np.concatenate([v for (n, a), v in errors.items() if not a])
    product_all = np.concatenate([v for (n, a), v in errors.items() if a])
    print(f"{'all':12s} {np.median(bare_all):7.2f} / {np.percentile(bare_all, 90):5.2f}  "
          f"{np.median(product_all):7.2f} / {np.percentile(product_all, 90):5.2f}  "
          f"{np.median(bare_all) / max(np.median(product_all), 1e-9):5.1f}x")


if __name__ == "__main__":
    main()
