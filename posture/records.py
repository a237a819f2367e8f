"""The analysis as data: the `posture.report/1` document (`posture analyze --json`, the app's JSON
download, what the history stores) and `posture.photo/1` records (`posture batch`).

Data only: what to show and how is decided in posture.presentation.
"""

from __future__ import annotations

from posture.analysis import Analysis, Assessment, PhotoResult
from posture.assessment.classifier import Finding
from posture.assessment.corrections import Recommendation, Safety

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
        "camera_roll_sd_deg": result.camera_roll_sd_deg,
        "leveled": result.leveled,
        "markers": {name: marker.to_json() for name, marker in result.markers.items()},
        "markers_estimated": list(result.estimated),
        "landmarks": result.landmarks.to_json() if result.landmarks is not None else {},
        "measurements": {mid: m.to_json() for mid, m in result.measurements.items()},
        "warnings": [w.to_json() for w in result.warnings],
        "error": result.error.to_json() if result.error else None,
    }


def assessment_json(assessment: Assessment) -> dict:
    return {
        "findings": [f.to_json() for f in assessment.findings],
        "recommendations": [r.to_json() for r in assessment.recommendations],
        "safety": assessment.safety.to_json(),
        "pain": assessment.pain.to_json() if assessment.pain else None,
    }


def report_json(analysis: Analysis) -> dict:
    return {
        "schema": SCHEMA,
        "photos": [photo_json(r) for r in analysis.photos],
        "assessment": assessment_json(analysis.assessment),
    }


def batch_record_json(analysis: Analysis) -> dict:
    """One unrelated photo's line of `posture batch`."""
    (result,) = analysis.photos
    return {"schema": RECORD_SCHEMA, **photo_json(result), "assessment": assessment_json(analysis.assessment)}


def stored_assessment(document: dict) -> tuple[tuple[Finding, ...], tuple[Recommendation, ...], Safety]:
    """The findings, corrections and safety notes of a stored `posture.report/1` document."""
    part = document["assessment"]
    return (
        tuple(Finding.from_json(f) for f in part["findings"]),
        tuple(Recommendation.from_json(r) for r in part["recommendations"]),
        Safety.from_json(part["safety"]),
    )
