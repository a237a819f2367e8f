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


def exercise_picture(exercise_id: str) -> Path | None:
    """The picture of an exercise (data/exercise_pictures/<id>.png), None when it has none."""
    picture = Path(str(resources.files("posture.data"))) / "exercise_pictures" / f"{exercise_id}.png"
    return picture if picture.is_file() else None
