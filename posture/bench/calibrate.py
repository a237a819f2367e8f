"""Fit the learned corrections (posture/data/calibration.json) on rendered ground truth.

    posture bench calibrate TRAIN_DIR VALIDATION_DIR [--out posture/data/calibration.json]

Both folders come from `python -m posture.synth.generate random` with different seeds, so the
validation renders (other people, clothes, rooms, cameras) were never seen in training; the file
records both sets' figures and the gap between them. The analyzer's raw measurements (leveled,
augmented, uncalibrated) are the model inputs; they are cached in each folder.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from posture.analysis import Options, analyze_single
from posture.bench.accuracy import measurement_stats, truth_and_images
from posture.vision.pose_model import PoseEstimator

CACHE = "raw_measurements.json"
RIDGE = 1e-3  # per sample; only keeps the solve stable
RICHER_HIP_INPUTS = ["hip_tilt_deg", "knee_tilt_deg", "ankle_tilt_deg", "shoulder_tilt_deg", "lateral_trunk_lean_deg"]

# Each target: the views it is measured in, whether the model has an intercept (frontal tilts have
# none so a mirror image mirrors the value), and input sets from richest to smallest.
TARGETS = {
    # Frontal tilts: only inputs that keep the precision on real photos. Adding the trunk lean and the
    # shoulder line lowers the hip error on renders (held-out MAE 1.35 -> 1.17 deg) but the
    # compensation pattern they encode is the rig's, and they doubled the spread on real photos
    # (README, 'Pelvis'); the richer model is still fitted and recorded under "alternatives".
    "hip_tilt_deg": {"frontal": True, "intercept": False, "feature_sets": [
        ["hip_tilt_deg"],  # adding the knee line gained 0.01 deg of MAE and cost precision at half size
    ]},
    "shoulder_tilt_deg": {"frontal": True, "intercept": False, "feature_sets": [
        ["shoulder_tilt_deg"],
    ]},
    "craniovertebral_angle_deg": {"frontal": False, "intercept": True, "feature_sets": [
        ["craniovertebral_angle_deg", "ear_shoulder_angle_deg", "head_pitch_deg", "sagittal_trunk_lean_deg"],
        ["craniovertebral_angle_deg"],
    ]},
    "pelvic_tilt_deg": {"frontal": False, "intercept": True, "method_prefix": "marker-free", "feature_sets": [
        ["pelvic_tilt_deg", "buttock_behind_hip_pct", "lumbar_hollow_behind_hip_pct", "belly_ahead_of_hip_pct",
         "sagittal_trunk_lean_deg", "plumb_hip_pct", "knee_hyperextension_deg"],
        ["pelvic_tilt_deg"],
    ]},
}


def raw_records(folder: Path, estimator: PoseEstimator, progress: Callable[[str], None] | None = None) -> list[dict]:
    """For each render: its view, the true values and the analyzer's raw values (cached)."""
    cache = folder / CACHE
    if cache.exists():
        return json.loads(cache.read_text())
    records = []
    for truth, image in truth_and_images(sorted(folder.glob("*.truth.json"))):
        if progress:
            progress(truth["image"])
        result, _ = analyze_single(image, estimator, Options(calibrate=False))
        if not result.ok:
            continue
        records.append({
            "image": truth["image"],
            "view": result.view.value,
            "true_view": truth["spec"]["camera"]["view"],
            "truth": truth["measurements"],
            "raw": {mid: m.value for mid, m in result.measurements.items() if m.value is not None},
            "method": {mid: m.method for mid, m in result.measurements.items()},
        })
    cache.write_text(json.dumps(records))
    return records


def _rows(records: list[dict], target: str, features: list[str], frontal: bool):
    X, y = [], []
    for record in records:
        if (record["view"] in ("front", "back")) != frontal or record["view"] != record["true_view"]:
            continue
        if target not in record["truth"] or not all(f in record["raw"] for f in features):
            continue
        if not record["method"][target].startswith(TARGETS[target].get("method_prefix", "")):
            continue
        X.append([record["raw"][f] for f in features])
        y.append(record["truth"][target])
    return np.array(X, dtype=np.float64).reshape(-1, len(features)), np.array(y, dtype=np.float64)


def fit(X: np.ndarray, y: np.ndarray, intercept: bool) -> tuple[np.ndarray, float]:
    design = np.hstack([X, np.ones((len(X), 1))]) if intercept else X
    penalty = RIDGE * len(X) * np.eye(design.shape[1])
    if intercept:
        penalty[-1, -1] = 0.0
    solution = np.linalg.solve(design.T @ design + penalty, design.T @ y)
    return (solution[:-1], float(solution[-1])) if intercept else (solution, 0.0)


def _figures(true: np.ndarray, predicted: np.ndarray) -> dict:
    stats = measurement_stats(list(zip(true.tolist(), predicted.tolist(), strict=True))).to_json()
    stats["residual_sd"] = round(float(np.std(predicted - true, ddof=1)), 3) if len(true) > 1 else None
    return stats


def train(train_records: list[dict], validation_records: list[dict]) -> dict:
    models: dict[str, list[dict]] = {}
    for target, spec in TARGETS.items():
        for features in spec["feature_sets"]:
            X, y = _rows(train_records, target, features, spec["frontal"])
            Xv, yv = _rows(validation_records, target, features, spec["frontal"])
            if len(y) < 3 * len(features) or len(yv) < 10:
                continue
            weights, intercept = fit(X, y, spec["intercept"])
            models.setdefault(target, []).append({
                "method_prefix": spec.get("method_prefix", ""),
                "features": features,
                "weights": [round(float(w), 5) for w in weights],
                "intercept": round(intercept, 4),
                "train": _figures(y, X @ weights + intercept),
                "validation": _figures(yv, Xv @ weights + intercept),
                "raw_validation": _figures(yv, Xv[:, 0]),
            })
    return models


def alternatives(train_records: list[dict], validation_records: list[dict]) -> dict:
    """Figures of models fitted but not shipped, so the trade-off stays on record."""
    X, y = _rows(train_records, "hip_tilt_deg", RICHER_HIP_INPUTS, True)
    Xv, yv = _rows(validation_records, "hip_tilt_deg", RICHER_HIP_INPUTS, True)
    weights, _ = fit(X, y, intercept=False)
    return {"hip_tilt_deg": {
        "features": RICHER_HIP_INPUTS,
        "weights": [round(float(w), 5) for w in weights],
        "validation": _figures(yv, Xv @ weights),
        "noise_gain": round(float(np.sqrt(np.sum(weights**2))), 3),
        "not_shipped_because": "the trunk terms encode the rig's compensation and cost precision on real photos",
    }}


def discrimination(records: list[dict], models: dict, level_max: float = 0.5, tilt: float = 3.0) -> dict:
    """How often a ~3° obliquity is told apart from level by the calibrated hip tilt: the sign is
    right and it reads beyond half of 3° (and a level pelvis reads within it)."""
    model = models["hip_tilt_deg"][0]
    X, y = _rows(records, "hip_tilt_deg", model["features"], True)
    predicted = X @ np.array(model["weights"]) + model["intercept"]
    tilted = np.abs(np.abs(y) - tilt) <= 0.5
    level = np.abs(y) <= level_max
    half = tilt / 2
    return {
        "tilted": int(tilted.sum()),
        "tilted_told": int(np.sum(tilted & (np.sign(predicted) == np.sign(y)) & (np.abs(predicted) > half))),
        "level": int(level.sum()),
        "level_told": int(np.sum(level & (np.abs(predicted) <= half))),
    }
