"""Consistency of the tilts under photo transforms: the product vs the bare model, side by side,
and camera leveling on rolled photos.

Precision: for each real front photo, the shoulder and hip tilts of the original are compared with
those of a transformed copy (a transform that should not change the answer, or should change it by
a known amount), leveling and calibration off for both so only the pose estimate is compared, then the shipped
calibration's effect on the transforms that should not change the answer. Prints the median and
p90 absolute difference per transform, in degrees.

Leveling: each photo rotated by +-4 deg and cropped to the largest rectangle without empty corners
(a rolled camera, background included), analysed with leveling on; prints how often the photo
could be leveled, how closely camera_roll_deg follows the rotation, and how far the tilts of
leveled pairs stay from the original's.

    .venv/bin/python -m benchmarks.consistency [PHOTO_DIR]   (default ../shared/photos/front)
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from benchmarks.common import photos_from_argv
from posture.analysis import Options, analyze_single
from posture.vision.pose_model import BlazePoseEstimator

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


def tilts(
    path: Path, estimator, augment: bool, level: bool = False, calibrate: bool = False
) -> tuple[dict[str, float], object]:
    """The tilts as the pose estimate gives them (uncalibrated unless asked: a calibration maps a
    rotation of the photo to a shift other than the rotation)."""
    options = Options(level=level, augment=augment, calibrate=calibrate)
    (result,) = analyze_single(str(path), estimator, options).photos
    return {mid: result.measurements[mid].value for mid in TILTS}, result


def rolled(image: Image.Image, degrees: float) -> Image.Image:
    """The photo a camera rolled counter-clockwise by `degrees` takes: rotate, then crop to the
    largest centred rectangle of the same shape that has no empty corners."""
    turned = image.rotate(degrees, resample=Image.Resampling.BICUBIC)
    width, height = image.size
    angle = math.radians(abs(degrees))
    keep = 1 / (math.cos(angle) + max(width / height, height / width) * math.sin(angle))
    w, h = int(width * keep), int(height * keep)
    left, top = (width - w) // 2, (height - h) // 2
    return turned.crop((left, top, left + w, top + h))


def main() -> None:
    photos = photos_from_argv()
    estimator = BlazePoseEstimator()
    errors: dict[tuple[str, bool], list[float]] = {}
    calibrated: dict[str, list[float]] = {}
    leveling: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        for photo in photos:
            image = Image.open(photo).convert("RGB")
            original = Path(tmp) / "original.png"
            image.save(original)
            copies = transforms(image, Path(tmp))
            for augment in (False, True):
                reference, _ = tilts(original, estimator, augment)
                for name, (path, sign, shift) in copies.items():
                    moved, _ = tilts(path, estimator, augment)
                    for mid in TILTS:
                        errors.setdefault((name, augment), []).append(abs(sign * moved[mid] - shift - reference[mid]))
            reference, _ = tilts(original, estimator, augment=True, calibrate=True)
            for name, (path, sign, shift) in copies.items():
                if shift == 0.0:  # transforms that should not change the answer at all
                    moved, _ = tilts(path, estimator, augment=True, calibrate=True)
                    calibrated.setdefault(name, []).extend(abs(sign * moved[mid] - reference[mid]) for mid in TILTS)
            leveling.extend(level_pairs(image, original, Path(tmp), estimator, photo.name))
    print_precision(errors, len(photos))
    print_calibrated(calibrated, errors)
    print_leveling(leveling, len(photos))


def level_pairs(image, original: Path, folder: Path, estimator, name: str) -> list[dict]:
    reference, base = tilts(original, estimator, augment=True, level=True)
    rows = []
    for degrees in (4.0, -4.0):
        path = folder / f"rolled{degrees:+.0f}.png"
        rolled(image, degrees).save(path)
        moved, result = tilts(path, estimator, augment=True, level=True)
        rows.append({
            "photo": name, "degrees": degrees,
            "leveled": base.leveled and result.leveled,
            "roll_error": (result.camera_roll_deg - base.camera_roll_deg - degrees)
            if base.leveled and result.leveled else None,
            "tilt_error": [abs(moved[mid] - reference[mid]) for mid in TILTS],
            "unleveled_roll": None if result.leveled else result.camera_roll_deg,
        })
    return rows


def print_precision(errors: dict, photo_count: int) -> None:
    print(f"PRECISION: {photo_count} photos x {len(TILTS)} lines; |difference| in degrees (median / p90)")
    print(f"{'transform':12s} {'bare model':>16s} {'product':>16s}  improvement (median)")
    for name in dict.fromkeys(n for n, _ in errors):
        bare, product = np.array(errors[(name, False)]), np.array(errors[(name, True)])
        print(f"{name:12s} {np.median(bare):7.2f} / {np.percentile(bare, 90):5.2f}  "
              f"{np.median(product):7.2f} / {np.percentile(product, 90):5.2f}  "
              f"{np.median(bare) / max(np.median(product), 1e-9):5.1f}x")
    bare_all = np.concatenate([v for (_, augmented), v in errors.items() if not augmented])
    product_all = np.concatenate([v for (_, augmented), v in errors.items() if augmented])
    print(f"{'all':12s} {np.median(bare_all):7.2f} / {np.percentile(bare_all, 90):5.2f}  "
          f"{np.median(product_all):7.2f} / {np.percentile(product_all, 90):5.2f}  "
          f"{np.median(bare_all) / max(np.median(product_all), 1e-9):5.1f}x")


def print_calibrated(calibrated: dict, errors: dict) -> None:
    print("\nWITH THE SHIPPED CALIBRATION (posture/data/calibration.json), same transforms, median / p90:")
    for name, values in calibrated.items():
        product = np.array(errors[(name, True)])
        print(f"{name:12s} {np.median(values):7.2f} / {np.percentile(values, 90):5.2f}   "
              f"(uncalibrated {np.median(product):.2f} / {np.percentile(product, 90):.2f})")


def print_leveling(rows: list[dict], photo_count: int) -> None:
    leveled = [r for r in rows if r["leveled"]]
    print(f"\nLEVELING: {photo_count} photos rolled by +4 and -4 deg (cropped, background rolls too)")
    print(f"leveled (original and rolled copy both): {len(leveled)} of {len(rows)}")
    if leveled:
        roll = np.abs([r["roll_error"] for r in leveled])
        tilt = np.concatenate([r["tilt_error"] for r in leveled])
        print(f"camera_roll_deg vs the rotation: |error| median {np.median(roll):.2f}, max {roll.max():.2f} deg")
        print(f"tilts vs the original (leveled pairs): |difference| median {np.median(tilt):.2f}, "
              f"p90 {np.percentile(tilt, 90):.2f}, max {tilt.max():.2f} deg; within 1 deg: "
              f"{np.mean(tilt <= 1.0):.0%}")
    unleveled = np.concatenate([r["tilt_error"] for r in rows if not r["leveled"]] or [np.array([])])
    if len(unleveled):
        print(f"not leveled ({len(rows) - len(leveled)} pairs, a warning tells the user): tilts move by a median "
              f"{np.median(unleveled):.2f} deg")


if __name__ == "__main__":
    main()
