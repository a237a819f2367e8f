"""Load the package's JSON data files (thresholds, corrections, measurement constants) once."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any


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
