"""Learned corrections: a measurement the pose landmarks see only in part (the hips follow about half
of a true pelvic obliquity; the C7 proxy misses the true CVA by ~26°) is re-estimated by a linear
model of several raw measurements, fitted on rendered people with known posture
(`posture train-calibration`, weights in posture/data/calibration.json).

Frontal tilts use models without intercept on left/right-antisymmetric inputs, so a mirrored
photo still gives exactly the mirrored value. Each target has models from the richest set of
inputs to the smallest; the first whose inputs were all measured is used, else the raw value stays.
Besides measurements, an input can be an outline: the mask sampled on a grid, one weight per grid
point (front/back: "pelvis_outline", "shoulder_outline", left minus right, silhouette.mirror_difference;
side: "neck_outline", "side_pelvis_outline", silhouette.side_profile).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from posture.assessment.measurements import Measurement, Source
from posture.data_files import load

OUTLINES = ("pelvis_outline", "shoulder_outline", "neck_outline", "side_pelvis_outline")
@dataclass(frozen=True)
class OutlineUse:
    """Where an outline is, the measurement it helps to read, and what to say when it is unusual."""

    place: str
    reading: str
    measurement: str
    unusual: str  # why no finding rests on the measurement when the outline can't be used, and the retake
    points_within: tuple[str, ...] = ()  # landmark measurements whose points sit inside it: doubted with it


OUTLINE_USES = {
    "pelvis_outline": OutlineUse(
        "around the hips", "the hip height difference", "hip_tilt_deg",
        "the outline around the hips is unusual (a coat, a bag, a hand in a pocket or on the hip?): retake in "
        "fitted clothes, arms hanging free"),
    "shoulder_outline": OutlineUse(
        "around the shoulders", "the shoulder height difference", "shoulder_tilt_deg",
        "the outline around the shoulders is unusual (a bag or strap, a collar, hair on the shoulders?): retake "
        "in fitted clothes, nothing on the shoulders",
        # The trunk lean's top end is the shoulders' midpoint: a strap's load leans the trunk, and a
        # bulky or open collar moves the points under it.
        ("lateral_trunk_lean_deg",)),
    "neck_outline": OutlineUse(
        "around the neck", "the head posture (CVA)", "craniovertebral_angle_deg",
        "the outline around the neck is unlike those the model was fitted on (hair, a collar, a raised shoulder?): "
        "retake with the hair tied up and the neck free, or place C7 and the tragus by hand"),
    "side_pelvis_outline": OutlineUse(
        "around the pelvis", "the pelvic tilt", "pelvic_tilt_deg",
        "the outline around the pelvis is unusual (loose clothes, a hand on the hip?): retake in fitted clothes, "
        "arms clear of the pelvis"),
}


def outline_trust(outlines: Mapping[str, np.ndarray]) -> dict[str, float]:
    """Per outline, how far a model may rely on it: 1 when it lies as close to the span of the
    training outlines' main components as the training renders do (their 99th percentile), falling
    linearly to 0 at twice that distance (a bag, a coat, a hand in a pocket: a model would read
    them as a tilt). Linear, not a cut-off, so a photo near the limit and its slightly different
    copy get nearly the same reading.
    """
    checks = load("calibration.json").get("outline_checks", {})
    trust = {}
    for name, values in outlines.items():
        check = checks.get(name)
        if check is None:
            trust[name] = 1.0
            continue
        distance = float(distance_from_span(values, np.asarray(check["components"])))
        usual, unusual = check["usual_distance"], check["unusual_distance"]
        trust[name] = float(np.clip((unusual - distance) / (unusual - usual), 0.0, 1.0))
    return trust


def distance_from_span(values: np.ndarray, components: np.ndarray) -> np.ndarray:
    """How far outlines (one per row, or one vector) lie from the span of orthonormal `components`."""
    return np.linalg.norm(values - (values @ components.T) @ components, axis=-1)


def calibrate(
    measurements: Mapping[str, Measurement], outlines: Mapping[str, np.ndarray] | None = None,
    trust: Mapping[str, float] | None = None, out_of_family: bool = True,
) -> dict[str, Measurement]:
    """Each target re-estimated by the richest model whose inputs were measured. A model on an
    outline counts by how far that outline can be trusted (`trust`, from outline_trust unless
    given), the rest of the way it is the next smaller model. With `out_of_family`, what was fitted
    on render families the models never saw is applied: the transfer stage (`transferred`) and no
    estimate stated surer than the models' error on those families (off only for `posture bench
    families`, which fits and tests both on families held out of them)."""
    data = load("calibration.json")
    floors = data.get("out_of_family_sd", {}) if out_of_family else {}
    transfers = data.get("transfer", {}) if out_of_family else {}
    outlines = outlines or {}
    trust = outline_trust(outlines) if trust is None else trust
    calibrated = dict(measurements)
    for target, candidates in data["models"].items():
        raw = measurements.get(target)
        if raw is None or not raw.measured:
            continue
        if raw.source is not trained_on(candidates):
            continue  # e.g. an exact pelvic tilt from clicked ASIS/PSIS is never re-estimated
        estimate = _estimate(raw, candidates, measurements, outlines, trust)
        if estimate is None:
            continue
        if target in transfers:
            estimate = transferred(estimate, transfers[target], measurements)
        calibrated[target] = _floored(estimate, floors.get(target, {}).get("sd", 0.0))
    return calibrated


def transferred(estimate: Measurement, transfer: dict, measurements: Mapping[str, Measurement]) -> Measurement:
    """The calibrated estimate combined with measurements its models were not fitted on, by weights
    fitted on render families the baseline models never saw (`posture bench families
    --write-transfer`): the knee line, which a flexed knee or a longer leg tilts with the pelvis
    where the outline around the waist stays level. Its uncertainty is at least that combination's
    error on families held out of its fit (`held_out_sd`); without the extra inputs the estimate
    stays as it is, as uncertain as held out."""
    extra = [measurements.get(name) for name in transfer["features"][1:]]
    if not all(m is not None and m.measured for m in extra):
        return replace(estimate, uncertainty=max(estimate.uncertainty, held_out_sd(transfer, estimate.value)))
    inputs, weights = [estimate, *extra], transfer["weights"]
    values = [estimate.value, *within_families(transfer, [m.value for m in extra])]
    value = sum(w * x for w, x in zip(weights, values, strict=True))
    carried = math.sqrt(sum((w * (m.uncertainty or 0.0)) ** 2 for w, m in zip(weights, inputs, strict=True)))
    names = tuple(dict.fromkeys(name for m in inputs for name in m.landmarks))
    return replace(
        estimate, value=value, uncertainty=max(carried, held_out_sd(transfer, value)), landmarks=names,
        method=f"{estimate.method}, with {', '.join(transfer['features'][1:])} (fitted on render families)",
        length_cm=_rescaled_length(estimate, value),
    )


def within_families(transfer: dict, extra_values: list[float]) -> list[float]:
    """The extra inputs held within what the render families showed (`usual_abs`, the 99th
    percentile of |value|): the stage is linear only over the range it was fitted on, so a knee line
    tilted far beyond any render's (a stride on a street photo: 18°) reads as the largest the renders
    had, and beyond that its jitter moves nothing."""
    return [float(np.clip(x, -usual, usual)) for usual, x in zip(transfer["usual_abs"], extra_values, strict=True)]


def held_out_sd(transfer: dict, value: float) -> float:
    """The transfer stage's error on families held out of its fit: a part that grows with the value
    (how much of a tilt is seen depends on how it came about: a longer leg, a flexed knee, a block)."""
    return math.hypot(transfer["sd"], transfer["sd_per_unit"] * value)


def _estimate(
    raw: Measurement, candidates: list[dict], measurements: Mapping[str, Measurement],
    outlines: Mapping[str, np.ndarray], trust: Mapping[str, float],
) -> Measurement | None:
    for index, model in enumerate(candidates):
        weight = min((trust.get(name, 0.0) for name in model["features"] if name in OUTLINES), default=1.0)
        if weight == 0.0:
            continue
        inputs = [measurements.get(name) for name in model["features"] if name not in OUTLINES]
        if not all(m is not None and m.measured for m in inputs):
            continue
        estimate = _apply(raw, model, inputs, outlines)
        if not any(name in OUTLINES for name in model["features"]):
            return estimate
        smaller = _estimate(raw, candidates[index + 1:], measurements, outlines, trust)
        if smaller is None:
            return estimate
        estimate = _widened(estimate, smaller, model.get("agreement_p90", math.inf))
        return _blend(raw, estimate, smaller, weight) if weight < 1.0 else estimate
    return None


def _floored(estimate: Measurement, out_of_family_sd: float) -> Measurement:
    """The uncertainty at least the model's RMS error on render families it never saw: its error on
    its own validation renders understates how far off it is on photos made differently."""
    if estimate.uncertainty >= out_of_family_sd:
        return estimate
    return replace(estimate, uncertainty=out_of_family_sd)


def _widened(rich: Measurement, smaller: Measurement, allowance: float) -> Measurement:
    """The outline model's uncertainty grown by how much more it disagrees with the model without
    the outline than 90% of the training renders do: on a real photo the two disagreeing beyond
    that means something the renders lack (a bag, a coat) is read as a tilt by one of them."""
    excess = max(0.0, abs(rich.value - smaller.value) - allowance)
    return replace(rich, uncertainty=math.hypot(rich.uncertainty, excess)) if excess else rich


def _blend(raw: Measurement, rich: Measurement, smaller: Measurement, weight: float) -> Measurement:
    """`weight` of the richer model's estimate, the rest the smaller model's."""
    value = weight * rich.value + (1 - weight) * smaller.value
    return replace(
        rich, value=value,
        uncertainty=weight * rich.uncertainty + (1 - weight) * smaller.uncertainty,
        landmarks=smaller.landmarks,
        method=f"{rich.method}, counted {weight:.0%} (unusual outline), the rest {smaller.method}",
        length_cm=_rescaled_length(raw, value),
    )


def trained_on(candidates: list[dict]) -> Source:
    """What the raw values a target's models were trained on were read from (all share it)."""
    return Source(candidates[0].get("raw_source", Source.LANDMARKS))


def _apply(raw: Measurement, model: dict, inputs: list[Measurement], outlines: Mapping[str, np.ndarray]) -> Measurement:
    weights = dict(zip(model["features"], model["weights"], strict=True))
    scalar_weights = [w for name, w in weights.items() if name not in OUTLINES]
    value = model["intercept"] + sum(w * m.value for w, m in zip(scalar_weights, inputs, strict=True))
    value += sum(float(np.dot(w, outlines[name])) for name, w in weights.items() if name in OUTLINES)
    # The model's typical error on renders it never saw (noise included), or more when this
    # photo's inputs are unusually uncertain.
    carried = math.sqrt(sum((w * (m.uncertainty or 0.0)) ** 2 for w, m in zip(scalar_weights, inputs, strict=True)))
    uncertainty = max(model["validation"]["residual_sd"], carried)
    names = tuple(dict.fromkeys(name for m in inputs for name in m.landmarks))
    return replace(
        raw, value=value, uncertainty=uncertainty, landmarks=names, raw_value=raw.value,
        method=f"calibrated on synthetic ground truth from {', '.join(model['features'])}", source=Source.CALIBRATED,
        length_cm=_rescaled_length(raw, value),
    )


def _rescaled_length(raw: Measurement, value: float) -> float | None:
    """A tilt's height difference in cm, for the calibrated angle over the same horizontal run."""
    if raw.length_cm is None or raw.unit != "deg" or abs(math.tan(math.radians(raw.value))) < 1e-6:
        return None
    return raw.length_cm * math.tan(math.radians(value)) / math.tan(math.radians(raw.value))
