"""Targeted corrections assembled from the findings only: no finding, no exercise."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from posture.assessment.classifier import SEVERITIES, Finding, Status
from posture.data_files import load

OTHER_SIDE = {"left": "right", "right": "left"}


@dataclass(frozen=True)
class Exercise:
    muscle: str
    side: str  # "left", "right" or "both"
    exercise_id: str
    name: str
    instructions: str
    dosage: str

    def to_json(self) -> dict:
        return {
            "muscle": self.muscle,
            "side": self.side,
            "exercise": self.exercise_id,
            "name": self.name,
            "instructions": self.instructions,
            "dosage": self.dosage,
        }


@dataclass(frozen=True)
class Recommendation:
    finding: str
    label: str
    severity: str
    confidence: float
    meaning: str
    stretch: tuple[Exercise, ...]
    strengthen: tuple[Exercise, ...]
    avoid: tuple[str, ...]
    source: str

    def to_json(self) -> dict:
        return {
            "finding": self.finding,
            "label": self.label,
            "severity": self.severity,
            "confidence": round(self.confidence, 2),
            "meaning": self.meaning,
            "stretch": [e.to_json() for e in self.stretch],
            "strengthen": [e.to_json() for e in self.strengthen],
            "avoid": list(self.avoid),
            "source": self.source,
        }


def recommend(findings: Iterable[Finding]) -> list[Recommendation]:
    """One recommendation per present finding, most severe and most certain first."""
    catalog = load("corrections.json")
    present = [f for f in findings if f.status is Status.PRESENT and not f.is_pattern]
    present.sort(key=lambda f: (-SEVERITIES.index(f.severity), -f.confidence))
    return [_recommendation(f, catalog) for f in present]


def _recommendation(finding: Finding, catalog: dict) -> Recommendation:
    family = catalog["families"][finding.family]

    def exercises(kind: str) -> tuple[Exercise, ...]:
        items = []
        for entry in family[kind]:
            spec = catalog["exercises"][entry["exercise"]]
            items.append(Exercise(
                entry["muscle"], _side(entry["side"], finding.side), entry["exercise"],
                spec["name"], spec["instructions"], spec["dosage"],
            ))
        return tuple(items)

    return Recommendation(
        finding.id, finding.label, finding.severity, finding.confidence, family["meaning"],
        exercises("stretch"), exercises("strengthen"), tuple(family["avoid"]), family["source"],
    )


def _side(rule: str, finding_side: str | None) -> str:
    if rule == "both" or finding_side is None:
        return "both"
    return finding_side if rule == "same" else OTHER_SIDE[finding_side]


def safety() -> dict:
    """Stop rule, red flags and disclaimer: shown with every report, findings or not."""
    return dict(load("corrections.json")["safety"])
