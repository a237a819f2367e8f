"""Turn results into the `posture.report/1` JSON document, JSON Lines records, or readable text."""

from __future__ import annotations

from collections.abc import Sequence

from posture.analysis import Assessment, PhotoResult
from posture.assessment.classifier import Evidence, Status
from posture.assessment.pain import region_label

SCHEMA = "posture.report/1"
RECORD_SCHEMA = "posture.photo/1"


def photo_json(result: PhotoResult) -> dict:
    return {
        "path": result.path,
        "view": result.view.value if result.view else None,
        "view_confidence": None if result.view_confidence is None else round(result.view_confidence, 2),
        "view_source": "given" if result.view_given else "detected",
        "image_size": list(result.image_size) if result.image_size else None,
        "camera_roll_deg": result.camera_roll_deg,
        "leveled": result.leveled,
        "landmarks": result.landmarks.to_json() if result.landmarks is not None else {},
        "measurements": {mid: m.to_json() for mid, m in result.measurements.items()},
        "warnings": [w.to_json() for w in result.warnings],
        "error": result.error.to_json() if result.error else None,
    }


def assessment_json(assessment: Assessment) -> dict:
    return {
        "findings": [f.to_json() for f in assessment.findings],
        "recommendations": [r.to_json() for r in assessment.recommendations],
        "safety": assessment.safety,
        "pain": assessment.pain.to_json() if assessment.pain else None,
    }


def report_json(results: Sequence[PhotoResult], assessment: Assessment) -> dict:
    return {
        "schema": SCHEMA,
        "photos": [photo_json(r) for r in results],
        "assessment": assessment_json(assessment),
    }


def batch_record_json(result: PhotoResult, assessment: Assessment) -> dict:
    return {"schema": RECORD_SCHEMA, **photo_json(result), "assessment": assessment_json(assessment)}


def report_text(results: Sequence[PhotoResult], assessment: Assessment) -> str:
    lines = ["POSTURE SCREEN (suggestions from photos, not a diagnosis)", ""]
    for r in results:
        lines += _photo_text(r)
    lines += _findings_text(assessment)
    lines += _recommendations_text(assessment)
    lines += _safety_text(assessment.safety)
    return "\n".join(lines) + "\n"


def _photo_text(r: PhotoResult) -> list[str]:
    if r.error:
        return [f"PHOTO {r.path}: NOT ANALYSED [{r.error.code.value}] {r.error.message}", ""]
    source = "given" if r.view_given else f"detected, confidence {r.view_confidence:.0%}"
    level = f"leveled, camera roll {r.camera_roll_deg:+.1f} deg" if r.leveled else "not leveled"
    lines = [f"PHOTO {r.path}: {r.view.value} view ({source}), {r.image_size[0]}x{r.image_size[1]}, {level}"]
    for mid, m in r.measurements.items():
        if m.measured:
            cm = f"  ({m.length_cm:+.1f} cm)" if m.length_cm is not None else ""
            lines.append(
                f"  {mid:28s} {m.value:+7.1f} {m.unit:9s} ± {m.uncertainty:.1f}{cm}   [{m.sign_convention}]"
            )
        else:
            lines.append(f"  {mid:28s} not measurable: {m.reason}")
    lines += [f"  ! {w.message}" for w in r.warnings]
    return [*lines, ""]


NAMES = {
    "shoulder_tilt_deg": "Shoulder line tilt",
    "hip_tilt_deg": "Hip line tilt (lateral pelvic tilt)",
    "head_tilt_deg": "Head tilt",
    "lateral_trunk_lean_deg": "Trunk lean to the side",
    "craniovertebral_angle_deg": "Craniovertebral angle (head over the neck)",
    "pelvic_tilt_deg": "Pelvic tilt (front to back)",
    "sagittal_trunk_lean_deg": "Trunk lean forward/back",
    "shoulder_ahead_of_hip_pct": "Shoulder ahead of the hip",
    "knee_hyperextension_deg": "Knee hyperextension",
}


def measurement_name(measurement_id: str) -> str:
    """A plain name for a measurement id (the id itself stays in JSON and tables)."""
    if measurement_id in NAMES:
        return NAMES[measurement_id]
    words = measurement_id.removesuffix("_deg").removesuffix("_pct").replace("_", " ")
    return words[0].upper() + words[1:]


def evidence_text(evidence: Evidence) -> str:
    """'-6.0 ± 1.4 deg (usual: above -2)': the value, its uncertainty and where the finding starts."""
    if evidence.value is None:
        return "not measured"
    usual = "below" if evidence.direction == "above" else "above"
    return (
        f"{evidence.value:+.1f} ± {evidence.uncertainty:.1f} {evidence.unit} "
        f"(usual: {usual} {evidence.thresholds['mild']:+g})"
    )


def retake_advice(result: PhotoResult, assessment: Assessment) -> str | None:
    """Why this photo can't carry a finding and how to retake it, or None when it can."""
    if result.error:
        return result.error.message
    decided = [
        f for f in assessment.findings
        if not f.is_pattern and result.path in f.evidence[0].photos and f.status is not Status.CANT_TELL
    ]
    if decided:
        return None
    return (
        "None of this photo's measurements was certain enough to decide anything. Retake it in good light, "
        "the phone upright at hip height 2-3 m away, the whole body from head to feet in the frame, standing "
        "relaxed in fitted clothes with the hair off the neck and ears."
    )


def _findings_text(assessment: Assessment) -> list[str]:
    present = [f for f in assessment.findings if f.status is Status.PRESENT]
    unsure = [f for f in assessment.findings if f.status is Status.CANT_TELL and not f.is_pattern]
    lines = ["WHAT THE PHOTOS SUGGEST"]
    if not present:
        lines.append("  No postural finding beyond the thresholds.")
    for f in present:
        e = f.evidence[0]
        lines.append(
            f"  - {f.label}: {f.severity} (confidence {f.confidence:.0%}; "
            f"{e.measurement} = {e.value:+.1f} ± {e.uncertainty:.1f} {e.unit}, "
            f"mild from {e.thresholds['mild']:+g})"
        )
    if unsure:
        lines.append("  Can't tell:")
        for f in unsure:
            lines.append(f"    - {f.label}: {f.evidence[0].note}")
    return [*lines, ""]


def _recommendations_text(assessment: Assessment) -> list[str]:
    if not assessment.recommendations:
        return ["CORRECTIONS", "  None: no finding calls for targeted exercises.", ""]
    lines = ["CORRECTIONS (targeted to the findings above)"]
    for rec in assessment.recommendations:
        linked = f" [linked to your {', '.join(map(region_label, rec.pain_regions))} pain]" if rec.pain_regions else ""
        lines.append(f"  {rec.label} ({rec.severity}){linked}: {rec.meaning}")
        for kind, items in (("Stretch", rec.stretch), ("Strengthen", rec.strengthen)):
            for ex in items:
                lines.append(f"    {kind} {ex.muscle} [{ex.side}]: {ex.name}, {ex.dosage}.")
                lines.append(f"        {ex.instructions}")
        for caution in rec.avoid:
            lines.append(f"    Caution: {caution}")
    return [*lines, ""]


def _safety_text(safety: dict) -> list[str]:
    return [
        "SAFETY",
        *(f"  {advice}" for advice in safety.get("pain_advice", [])),
        f"  {safety['stop_rule']}",
        f"  {safety['red_flag_advice']} Red flags: {'; '.join(safety['red_flags'])}.",
        f"  {safety['disclaimer']}",
    ]
