"""Marker detection on real photos: shaded coloured balls pasted where the protocol puts them (on
the body, near each landmark's prior, 6-12 mm-equivalent sizes, six colours), and the photos as
they are, which must give no marker at all.

Prints per photo the colour, markers found of those pasted, and the centre error; then the share
of pasted markers found, wrong names, the median and largest centre error in pixels, and the false
markers on the untouched photos (street photos and the non-posture photos).

    .venv/bin/python -m benchmarks.markers [PHOTO_DIR]   (default ../shared/photos/front)

Pasted balls test the detector and the naming, not the priors' anatomy: the truth is where they
were pasted. Renders with markers of geometry on the body model's skin points: `posture bench
markers DIR` (posture/bench/markers.py).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from benchmarks.common import photos_from_argv
from posture.analysis import LocatedPhoto, Options, locate
from posture.assessment.measurements import body_height_px
from posture.vision.markers import expected_positions, find_markers
from posture.vision.pose_model import BlazePoseEstimator

BALL_RGB = {"red": (220, 20, 30), "orange": (250, 120, 10), "yellow": (240, 220, 30),
            "green": (30, 200, 60), "blue": (30, 60, 230), "magenta": (220, 30, 200)}


def paste_ball(rgb: np.ndarray, centre: np.ndarray, diameter: float, colour: tuple[int, int, int]) -> np.ndarray:
    """A shaded ball (darker rim, a highlight up-left), as a craft ball looks in a photo."""
    out = rgb.copy()
    radius = diameter / 2
    ys, xs = np.mgrid[0:rgb.shape[0], 0:rgb.shape[1]]
    dx, dy = xs + 0.5 - centre[0], ys + 0.5 - centre[1]  # pixel (i, j) spans i..i+1: its centre is i + 0.5
    inside = dx**2 + dy**2 <= radius**2
    shade = 1.0 - 0.35 * (dx**2 + dy**2) / radius**2
    shade += 0.25 * np.clip(1 - ((dx + radius / 3) ** 2 + (dy + radius / 3) ** 2) / (radius**2 / 4), 0, None)
    out[inside] = np.clip(np.array(colour)[None, :] * shade[inside][:, None], 0, 255).astype(np.uint8)
    return out


def with_markers(located: LocatedPhoto, colour: str, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    """The photo's working copy with a ball on every protocol point of its view (moved onto the
    body where the prior falls beside it), and where each was pasted (upright-photo pixels)."""
    image = np.array(located.image)
    scale = image.shape[1] / located.image_size[0]
    stature = body_height_px(located.landmarks, 0.5)[0] * scale
    body = cv2.resize((np.array(located.person_mask) > 0.5).astype(np.uint8), image.shape[1::-1],
                      interpolation=cv2.INTER_NEAREST)
    centre = located.landmarks.xy_px[[11, 12, 23, 24]].mean(axis=0) * scale  # mid-trunk
    truth = {}
    for name, prior in expected_positions(located.landmarks, located.view).items():
        xy = prior.xy_px * scale + rng.normal(0, 0.01, 2) * stature
        for _ in range(400):  # onto the skin: toward the trunk until inside the outline
            if body[int(np.clip(xy[1], 0, body.shape[0] - 1)), int(np.clip(xy[0], 0, body.shape[1] - 1))]:
                break
            xy = xy + (centre - xy) / max(np.linalg.norm(centre - xy), 1e-6)
        image = paste_ball(image, xy, rng.uniform(0.006, 0.012) * stature, BALL_RGB[colour])
        truth[name] = xy / scale
    return image, truth


def _half_size(path, estimator) -> LocatedPhoto:
    """The photo at half its size, located with the marker search on (texture specks shrink
    toward a marker's size)."""
    with tempfile.TemporaryDirectory() as folder:
        image = Image.open(path).convert("RGB")
        half = Path(folder) / path.name
        image.resize((image.width // 2, image.height // 2), Image.LANCZOS).save(half, quality=95)
        return locate(str(half), estimator, Options(level=False))


def main() -> None:
    estimator = BlazePoseEstimator()
    rng = np.random.default_rng(0)
    errors, pasted, wrong, false = [], 0, 0, 0
    for path in photos_from_argv():
        located = locate(str(path), estimator, Options(level=False, find_markers=False))
        if not located.ok:
            continue
        untouched = find_markers(np.array(located.image), located.landmarks, located.person_mask, located.view)
        false += len(untouched.markers) + len(_half_size(path, estimator).markers)
        colour = list(BALL_RGB)[rng.integers(len(BALL_RGB))]
        image, truth = with_markers(located, colour, rng)
        found = find_markers(image, located.landmarks, located.person_mask, located.view).markers
        scale = located.image.shape[1] / located.image_size[0]
        mine = [np.linalg.norm(np.array(found[n].xy_px) - xy) * scale for n, xy in truth.items() if n in found]
        errors += mine
        pasted += len(truth)
        wrong += sum(1 for n in found if n not in truth)
        print(f"{path.name}: {located.view.value}, {colour}: {len(mine)}/{len(truth)} found, "
              f"{len(untouched.markers)} on the untouched photo, largest error {max(mine, default=0):.1f} px")
    print(f"pasted markers found: {len(errors)}/{pasted} ({len(errors) / max(pasted, 1):.0%}); wrong names: {wrong}")
    print(f"centre error (working-copy px): median {np.median(errors):.2f}, largest {np.max(errors):.2f}")
    print(f"markers on the untouched photos, full and half size (must be 0): {false}")


if __name__ == "__main__":
    main()
