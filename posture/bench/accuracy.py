"""Score the analyzer against rendered ground truth: per measurement bias, MAE, gain (slope of
measured on true) and R²; per finding precision, recall and a confusion table; side by side with the
bare model (one BlazePose call, no augmentation, no leveling).

    posture bench accuracy DIR [--json]

DIR holds images with a `<name>.truth.json` each (written by `python -m posture.synth.generate`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from posture.analysis import Options, analyze_single
from posture.assessment.classifier import CombinedMeasurement, Status, classify
from posture.assessment.measurements import Measurement
from posture.vision.pose_model import PoseEstimator

MODES = {"product": Options(), "bare": Options(level=False, augment=False, calibrate=False)}
TRUE_UNCERTAINTY = 1e-3  # the truth is exact; a tiny uncertainty keeps the classifier's maths finite


@dataclass(frozen=True)
class Stats:
    n: int
    bias: float | None
    mae: float | None
    gain: float | None  # None when the true values do not vary
    r2: float | None

    def to_json(self) -> dict:
        return {k: (None if v is None else round(v, 3)) for k, v in self.__dict__.items()}


def measurement_stats(pairs: Sequence[tuple[float, float]]) -> Stats:
    """(true, measured) pairs -> bias, MAE, least-squares gain and R² of measured on true."""
    if not pairs:
        return Stats(0, None, None, None, None)
    true, measured = np.array(pairs, dtype=np.float64).T
    error = measured - true
    gain = r2 = None
    if len(true) >= 3 and np.ptp(true) > 1e-6:
        gain, intercept = np.polyfit(true, measured, 1)
        fitted = gain * true + intercept
        total = float(np.sum((measured - measured.mean()) ** 2))
        r2 = 1.0 - float(np.sum((measured - fitted) ** 2)) / total if total > 0 else None
        gain = float(gain)
    return Stats(len(true), float(error.mean()), float(np.abs(error).mean()), gain, r2)


@dataclass
class Confusion:
    """Rows: the truth (present / absent); columns: what the analyzer said."""

    counts: dict[str, dict[str, int]] = field(
        default_factory=lambda: {t: {p: 0 for p in ("present", "absent", "cant_tell")} for t in ("present", "absent")}
    )

    def add(self, truth: Status, predicted: Status) -> None:
        self.counts[truth.value][predicted.value] += 1

    @property
    def precision(self) -> float | None:
        said_present = self.counts["present"]["present"] + self.counts["absent"]["present"]
        return self.counts["present"]["present"] / said_present if said_present else None

    @property
    def recall(self) -> float | None:
        actually = sum(self.counts["present"].values())
        return self.counts["present"]["present"] / actually if actually else None

    def to_json(self) -> dict:
        return {"precision": _round(self.precision), "recall": _round(self.recall), "confusion": self.counts}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def true_findings(values: dict[str, float]) -> dict[str, Status]:
    """What the thresholds say about the exact values (no uncertainty: never can't tell)."""
    combined = {
        mid: CombinedMeasurement(Measurement(mid, "", "", value, TRUE_UNCERTAINTY, (), "truth"), ("truth",))
        for mid, value in values.items()
    }
    return {f.id: f.status for f in classify(combined, apply_caps=False) if f.status is not Status.CANT_TELL}


def truth_and_images(truth_files: Iterable[Path]) -> Iterable[tuple[dict, str]]:
    """Each truth record with the path of the image it describes."""
    for truth_path in truth_files:
        truth = json.loads(truth_path.read_text())
        yield truth, str(truth_path.with_name(truth["image"]))


def score(
    truth_files: Iterable[Path], estimator: PoseEstimator, progress: Callable[[str], None] | None = None
) -> dict:
    pairs: dict[str, dict[str, list[tuple[float, float]]]] = {mode: {} for mode in MODES}
    confusions: dict[str, dict[str, Confusion]] = {mode: {} for mode in MODES}
    views = {mode: [0, 0] for mode in MODES}  # right, total
    values: dict[str, dict[str, dict]] = {}  # image name -> mode -> {mid: (true, measured)}
    failures: list[str] = []
    count = 0
    for truth, image in truth_and_images(truth_files):
        expected_findings = true_findings(truth["measurements"])
        count += 1
        if progress:
            progress(truth["image"])
        for mode, options in MODES.items():
            analysis = analyze_single(image, estimator, options)
            (result,), assessment = analysis.photos, analysis.assessment
            if not result.ok:
                failures.append(f"{truth['image']} ({mode}): {result.error.code.value}")
                continue
            views[mode][0] += result.view.value == truth["spec"]["camera"]["view"]
            views[mode][1] += 1
            for mid, true_value in truth["measurements"].items():
                m = result.measurements.get(mid)
                if m is not None and m.value is not None:
                    pairs[mode].setdefault(mid, []).append((true_value, m.value))
                    values.setdefault(truth["image"], {}).setdefault(mode, {})[mid] = (true_value, m.value)
            said = {f.id: f.status for f in assessment.findings}
            for fid, status in expected_findings.items():
                confusions[mode].setdefault(fid, Confusion()).add(status, said.get(fid, Status.CANT_TELL))
    return {
        "changes": change_stats(values),
        "images": count,
        "failures": failures,
        "view_accuracy": {m: (r / t if t else None) for m, (r, t) in views.items()},
        "measurements": {
            mode: {mid: measurement_stats(p).to_json() for mid, p in sorted(by_id.items())}
            for mode, by_id in pairs.items()
        },
        "findings": {
            mode: {fid: c.to_json() for fid, c in sorted(by_id.items())} for mode, by_id in confusions.items()
        },
    }


CHANGE_MEASUREMENTS = ("craniovertebral_angle_deg", "pelvic_tilt_deg", "ear_ahead_of_shoulder_pct")


def change_stats(values: dict[str, dict[str, dict]]) -> dict:
    """For renders named `pairNN.<posture>.<view>.jpg` (generate pairs): how well the change from the
    same person's neutral render is measured: |measured change - true change| per measurement."""
    people: dict[str, dict[str, dict]] = {}
    for image, by_mode in values.items():
        parts = image.split(".")
        if image.startswith("pair") and len(parts) >= 3:
            people.setdefault(parts[0], {})[parts[1]] = by_mode
    errors: dict[str, dict[str, dict[str, list[float]]]] = {}
    for postures in people.values():
        neutral = postures.get("neutral")
        for posture, by_mode in postures.items():
            if posture == "neutral" or neutral is None:
                continue
            for mode, measured in by_mode.items():
                for mid in CHANGE_MEASUREMENTS:
                    if mid in measured and mid in neutral.get(mode, {}):
                        (true_now, now), (true_before, before) = measured[mid], neutral[mode][mid]
                        error = abs((now - before) - (true_now - true_before))
                        errors.setdefault(posture, {}).setdefault(mode, {}).setdefault(mid, []).append(error)
    return {
        posture: {mode: {mid: {"n": len(e), "median": round(float(np.median(e)), 2), "max": round(float(np.max(e)), 2),
                               "within_2": int(np.sum(np.array(e) <= 2.0)), "within_3": int(np.sum(np.array(e) <= 3.0))}
                         for mid, e in by_id.items()} for mode, by_id in by_mode.items()}
        for posture, by_mode in errors.items()
    }


def report_text(results: dict) -> str:
    lines = [f"{results['images']} rendered images with known posture"]
    views = results["view_accuracy"]
    lines.append(f"view detected right: product {_pct(views['product'])}, bare {_pct(views['bare'])}")
    lines += [f"FAILED {f}" for f in results["failures"]]
    lines += ["", "MEASUREMENTS (measured - true)      product: n  bias   MAE   gain    R2 |"
              "  bare: bias   MAE   gain    R2"]
    for mid, p in results["measurements"]["product"].items():
        b = results["measurements"]["bare"].get(mid, {})
        lines.append(f"  {mid:32s} {p['n']:3d} {_f(p['bias'])} {_f(p['mae'])} {_f(p['gain'])} {_f(p['r2'])} |"
                     f"       {_f(b.get('bias'))} {_f(b.get('mae'))} {_f(b.get('gain'))} {_f(b.get('r2'))}")
    lines += ["", "FINDINGS                 product: true+ precision recall  [true+: said +/-/?  true-: said +/-/?]"
              " | bare: precision recall"]
    for fid, p in results["findings"]["product"].items():
        b = results["findings"]["bare"].get(fid, {})
        c = p["confusion"]
        tp, ta = c["present"], c["absent"]
        lines.append(
            f"  {fid:24s} {sum(tp.values()):3d}  {_f(p['precision'])} {_f(p['recall'])}   "
            f"[{tp['present']}/{tp['absent']}/{tp['cant_tell']}  {ta['present']}/{ta['absent']}/{ta['cant_tell']}]"
            f" | {_f(b.get('precision'))} {_f(b.get('recall'))}"
        )
    if results["changes"]:
        lines += ["", "CHANGES FROM THE SAME PERSON'S NEUTRAL RENDER: |measured - true change|, median / max, "
                  "how many within 2 and 3"]
        for posture, by_mode in results["changes"].items():
            for mid, p in by_mode.get("product", {}).items():
                b = by_mode.get("bare", {}).get(mid, {})
                lines.append(f"  {posture:14s} {mid:28s} n={p['n']:2d}  product {p['median']:5.2f} / {p['max']:5.2f}"
                             f" ({p['within_2']}, {p['within_3']})"
                             f"  | bare {b.get('median', float('nan')):5.2f} / {b.get('max', float('nan')):5.2f}")
    return "\n".join(lines) + "\n"


def _f(value: float | None) -> str:
    return "    - " if value is None else f"{value:6.2f}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"
