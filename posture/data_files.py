"""Load the package's JSON data files (thresholds, corrections, measurement constants) once."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def load(name: str) -> dict[str, Any]:
    with resources.files("posture.data").joinpath(name).open(encoding="utf-8") as handle:
        return json.load(handle)


def constant(name: str) -> float:
    """A value from measurement_model.json."""
    return float(load("measurement_model.json")[name]["value"])
