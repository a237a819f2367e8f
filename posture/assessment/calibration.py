"""Learned corrections: a measurement the pose landmarks see only in part (the hips follow about half
of a true pelvic obliquity; the C7 proxy misses the true CVA by ~26°) is re-estimated by a linear
model of several raw measurements, fitted on rendered people with known posture
(`posture bench calibrate`, weights in posture/data/calibration.json).

Frontal tilts use models without intercept on left/right-antisymmetric inputs, so a mirrored
photo still gives exactly the mirrored value. Each target has models from the richest set of
inputs to the smallest; the first whose inputs were all measured is used, else the raw value stays.
Besides measurements, an input can be the pelvis outline of a front/back photo ("frontal_outline",
a vector with one weight per height; see silhouette.frontal_outline).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from posture.assessment.measurements import Measurement
from posture.data_files import load

OUTLINE = "frontal_outline"


def calibrate(measurements: Mapping[str, Measurement], outline: np.ndarray | None = None) -> dict[str, Measurement]:
    models = load("calibration.json")["models"]
    calibrated = dict(measurements)
    for target, candidates in models.items():
        raw = measurements.get(target)
        if raw is None or not raw.measured:
            continue
        if not raw.method.startswith(model_method(candidates)):
            continue  # e.g. an exact pelvic tilt from clicked ASIS/PSIS is never re-estimated
        for model in candidates:
            if OUTLINE in model["features"] and outline is None:
                continue
            inputs = [measurements.get(name) for name in model["features"] if name != OUTLINE]
            if all(m is not None and m.measured for m in inputs):
                calibrated[target] = _apply(raw, model, inputs, outline)
                break
    return calibrated


def model_method(candidates: list[dict]) -> str:
    """The raw method a target's models were trained on (all of them share it), as a prefix."""
    return candidates[0].get("method_prefix", "")


def _apply(raw: Measurement, model: dict, inputs: list[Measurement], outline: np.ndarray | None) -> Measurement:
    scalar_weights = [w for name, w in zip(model["features"], model["weights"], strict=True) if name != OUTLINE]
    value = model["intercept"] + sum(w * m.value for w, m in zip(scalar_weights, inputs, strict=True))
    if OUTLINE in model["features"]:
        value += float(np.dot(model["weights"][model["features"].index(OUTLINE)], outline))
    # The model's typical error on renders it never saw (noise included), or more when this
    # photo's inputs are unusually uncertain.
    carried = math.sqrt(sum((w * (m.uncertainty or 0.0)) ** 2 for w, m in zip(scalar_weights, inputs, strict=True)))
    uncertainty = max(model["validation"]["residual_sd"], carried)
    names = tuple(dict.fromkeys(name for m in inputs for name in m.landmarks))
    return replace(
        raw, value=value, uncertainty=uncertainty, landmarks=names, raw_value=raw.value,
        method=f"calibrated on synthetic ground truth from {', '.join(model['features'])}",
        length_cm=_rescaled_length(raw, value),
    )


def _rescaled_length(raw: Measurement, value: float) -> float | None:
    """A tilt's height difference in cm, for the calibrated angle over the same horizontal run."""
    if raw.length_cm is None or raw.unit != "deg" or abs(math.tan(math.radians(raw.value))) < 1e-6:
        return None
    return raw.length_cm * math.tan(math.radians(value)) / math.tan(math.radians(raw.value))
