"""Load the package's JSON data files (thresholds, corrections, measurement constants) once."""

from __future__ import annotations

import io
import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps


@cache
def load(name: str) -> dict[str, Any]:
    with resources.files("posture.data").joinpath(name).open(encoding="utf-8") as handle:
        return json.load(handle)


def constant(name: str) -> float:
    """A value from measurement_model.json."""
    return float(load("measurement_model.json")[name]["value"])


PICTURES = "exercise_pictures"  # posture/data/exercise_pictures/<exercise id>.png


def exercise_picture(exercise_id: str) -> Path | None:
    """The picture of a catalog exercise's key position (python -m posture.pictures draws them), or
    None when there is none."""
    path = Path(str(resources.files("posture.data").joinpath(PICTURES, f"{exercise_id}.png")))
    return path if path.is_file() else None


NEAR_SIDE = {"front": "left", "back": "right"}  # posture/pictures/figure.py: near limbs on the image's right
OTHER_SIDE = {"left": "right", "right": "left"}


def drawn_side(exercise_id: str) -> str | None:
    """The side ('left' or 'right') whose muscles the picture shows working, for an exercise done
    on one side (`works` in exercise_poses.json); None for one done on both."""
    pose = load("exercise_poses.json")["poses"].get(exercise_id, {})
    if "works" not in pose:
        return None
    near = NEAR_SIDE[pose["view"]]
    return near if pose["works"] == "near" else OTHER_SIDE[near]


@cache
def exercise_picture_png(exercise_id: str, side: str) -> bytes | None:
    """The picture of an exercise as the plan prescribes it for `side` ('left', 'right' or
    'both'): mirrored when it shows the other side, so nobody stretches the side the text does not
    mean. None when there is no picture."""
    path = exercise_picture(exercise_id)
    if path is None:
        return None
    shown = drawn_side(exercise_id)
    if shown is None or side not in OTHER_SIDE or side == shown:
        return path.read_bytes()
    buffer = io.BytesIO()
    ImageOps.mirror(Image.open(path)).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
