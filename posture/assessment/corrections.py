"""Targeted corrections assembled from the findings only: no finding, no exercise."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from posture.assessment.classifier import SEVERITIES, Finding, Severity, Status
from posture.assessment.pain import Pain, pain_advice, regions_linked_to
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

    @classmethod
    def from_json(cls, data: dict) -> Exercise:
        return cls(data["muscle"], data["side"], data["exercise"], data["name"], data["instructions"], data["dosage"])


@dataclass(frozen=True)
class Recommendation:
    finding: str
    label: str
    severity: Severity
    confidence: float
    meaning: str
    stretch: tuple[Exercise, ...]
    strengthen: tuple[Exercise, ...]
    avoid: tuple[str, ...]
    source: str
    pain_regions: tuple[str, ...] = ()  # the person's pain regions this finding is linked to

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
            "pain_regions": list(self.pain_regions),
        }

    @classmethod
    def from_json(cls, data: dict) -> Recommendation:
        return cls(
            data["finding"], data["label"], Severity(data["severity"]), data["confidence"], data["meaning"],
            tuple(map(Exercise.from_json, data["stretch"])), tuple(map(Exercise.from_json, data["strengthen"])),
            tuple(data["avoid"]), data["source"], tuple(data.get("pain_regions", ())),
        )


def recommend(findings: Iterable[Finding], pain: Pain | None = None) -> list[Recommendation]:
    """One recommendation per present finding: those linked to where it hurts first, then the most
    severe and most certain."""
    catalog = load("corrections.json")
    present = [f for f in findings if f.status is Status.PRESENT and not f.is_pattern]
    present.sort(key=lambda f: (
        not regions_linked_to(f.family, pain), -SEVERITIES.index(f.severity), -f.confidence,
    ))
    return [_recommendation(f, catalog, regions_linked_to(f.family, pain)) for f in present]


def _recommendation(finding: Finding, catalog: dict, pain_regions: tuple[str, ...]) -> Recommendation:
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
        exercises("stretch"), exercises("strengthen"), tuple(family["avoid"]), family["source"], pain_regions,
    )


def _side(rule: str, finding_side: str | None) -> str:
    if rule == "both" or finding_side is None:
        return "both"
    return finding_side if rule == "same" else OTHER_SIDE[finding_side]


@dataclass(frozen=True)
class Safety:
    """Shown with every report, findings or not: the disclaimer, the red flags that send a person
    to a clinician first, the stop rule and the advice for this person's pain."""

    disclaimer: str
    red_flags: tuple[str, ...]
    red_flag_advice: str
    stop_rule: str
    source: str
    pain_advice: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {
            "stop_rule": self.stop_rule, "red_flags": list(self.red_flags), "red_flag_advice": self.red_flag_advice,
            "disclaimer": self.disclaimer, "source": self.source, "pain_advice": list(self.pain_advice),
        }

    @classmethod
    def from_json(cls, data: dict) -> Safety:
        return cls(data["disclaimer"], tuple(data["red_flags"]), data["red_flag_advice"], data["stop_rule"],
                   data.get("source", ""), tuple(data.get("pain_advice", ())))


def safety(pain: Pain | None = None) -> Safety:
    """The safety notes for this pain (none given: the general ones)."""
    return Safety.from_json({**load("corrections.json")["safety"], "pain_advice": pain_advice(pain)})
