"""Targeted corrections assembled from the findings only: no finding, no exercise.

The plan is checked as a whole: a muscle one finding would stretch and another strengthen on the
same side is left out of both (a photo cannot tell which finding is right), and an exercise the
person's pain rules out (`withheld_with_pain` in corrections.json) is left out; each leaves a
note saying what was left out and why.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from posture.assessment.classifier import SEVERITIES, Finding, Severity, Status
from posture.assessment.pain import Pain, pain_advice, regions_linked_to
from posture.data_files import OTHER_SIDE, exercise_picture_png, load

OPPOSITES = (("stretch", "strengthen", "strengthening"), ("strengthen", "stretch", "stretching"))


@dataclass(frozen=True)
class Exercise:
    muscle: str
    side: str  # "left", "right" or "both"
    exercise_id: str
    name: str
    instructions: str
    dosage: str
    targets: tuple[str, ...] = ()  # muscle ids, to find contradictions across findings
    minutes: float = 0.0  # one session, both sides and rests included
    days_per_week: int = 7
    anatomy: str = ""  # the muscles by their anatomical names, said after the plain name

    @property
    def title(self) -> str:
        """The plain name first, the anatomy after it: 'Side stretch at the waist, standing
        (quadratus lumborum)'."""
        return exercise_title(self.name, self.anatomy)

    @property
    def picture(self) -> bytes | None:
        """The drawing of its key position (posture/data/exercise_pictures) as a PNG, turned to the
        side this exercise works (mirrored when drawn on the other), when there is one."""
        return exercise_picture_png(self.exercise_id, self.side)

    def to_json(self) -> dict:
        return {
            "muscle": self.muscle,
            "side": self.side,
            "exercise": self.exercise_id,
            "name": self.name,
            "instructions": self.instructions,
            "dosage": self.dosage,
            "targets": list(self.targets),
            "minutes": self.minutes,
            "days_per_week": self.days_per_week,
            "anatomy": self.anatomy,
        }

    @classmethod
    def from_json(cls, data: dict) -> Exercise:
        return cls(data["muscle"], data["side"], data["exercise"], data["name"], data["instructions"], data["dosage"],
                   tuple(data.get("targets", ())), data.get("minutes", 0.0), data.get("days_per_week", 7),
                   data.get("anatomy", ""))


def exercise_title(name: str, anatomy: str) -> str:
    """What every renderer calls an exercise: plain words first, the anatomy in brackets after."""
    return f"{name} ({anatomy})" if anatomy else name


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
    left_out: tuple[str, ...] = ()  # exercises of this finding left out of the plan, and why

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
            "left_out": list(self.left_out),
        }

    @classmethod
    def from_json(cls, data: dict) -> Recommendation:
        return cls(
            data["finding"], data["label"], Severity(data["severity"]), data["confidence"], data["meaning"],
            tuple(map(Exercise.from_json, data["stretch"])), tuple(map(Exercise.from_json, data["strengthen"])),
            tuple(data["avoid"]), data["source"], tuple(data.get("pain_regions", ())), tuple(data.get("left_out", ())),
        )


def recommend(findings: Iterable[Finding], pain: Pain | None = None) -> list[Recommendation]:
    """One recommendation per present finding: those linked to where it hurts first, then the most
    severe and most certain; then checked as one plan (contradictions and pain rules)."""
    catalog = load("corrections.json")
    present = [f for f in findings if f.status is Status.PRESENT and not f.is_pattern]
    present.sort(key=lambda f: (
        not regions_linked_to(f.family, pain), -SEVERITIES.index(f.severity), -f.confidence,
    ))
    drafted = [_recommendation(f, catalog, pain) for f in present]
    return _without_contradictions(drafted)


def _recommendation(finding: Finding, catalog: dict, pain: Pain | None) -> Recommendation:
    family = catalog["families"][finding.family]
    left_out: list[str] = []

    def exercises(kind: str) -> tuple[Exercise, ...]:
        items = []
        for entry in family[kind]:
            spec = catalog["exercises"][entry["exercise"]]
            exercise = Exercise(
                entry["muscle"], _side(entry["side"], finding.side), entry["exercise"],
                spec["name"], spec["instructions"], spec["dosage"], tuple(entry["targets"]),
                spec["minutes"], spec["days_per_week"], spec["anatomy"],
            )
            withheld = _withheld(entry, pain)
            if withheld:
                left_out.append(f"{_named(exercise)}: left out {withheld}.")
            else:
                items.append(exercise)
        return tuple(items)

    stretch, strengthen = exercises("stretch"), exercises("strengthen")
    return Recommendation(
        finding.id, finding.label, finding.severity, finding.confidence, family["meaning"],
        stretch, strengthen, tuple(family["avoid"]), family["source"], regions_linked_to(finding.family, pain),
        tuple(left_out),
    )


def _without_contradictions(drafted: list[Recommendation]) -> list[Recommendation]:
    """Leave out every exercise that works a muscle on a side which another exercise of the plan
    works the opposite way (stretch vs strengthen), with a note naming the finding that disagrees."""
    def works(rec: Recommendation, kind: str) -> list[tuple[str, str]]:
        return [(muscle, e.side) for e in getattr(rec, kind) for muscle in e.targets]

    def contradicted_by(exercise: Exercise, opposite: str) -> Recommendation | None:
        return next((other for other in drafted for muscle, side in works(other, opposite)
                     if muscle in exercise.targets and _sides_overlap(side, exercise.side)), None)

    plan = []
    for rec in drafted:
        kept: dict[str, tuple[Exercise, ...]] = {}
        notes = list(rec.left_out)
        for kind, opposite, verb in OPPOSITES:
            keep = []
            for exercise in getattr(rec, kind):
                other = contradicted_by(exercise, opposite)
                if other is None:
                    keep.append(exercise)
                else:
                    notes.append(f"{_named(exercise)}: left out, because \"{other.label}\" suggests {verb} the same "
                                 "muscle on that side; the photos cannot tell which is right: ask a physiotherapist.")
            kept[kind] = tuple(keep)
        plan.append(replace(rec, stretch=kept["stretch"], strengthen=kept["strengthen"], left_out=tuple(notes)))
    return plan


def _withheld(entry: dict, pain: Pain | None) -> str | None:
    """Why this person's pain rules the entry out ("with sciatica (...): reason"), or None."""
    regions = load("pain.json")["regions"]
    for region, rule in entry.get("withheld_with_pain", {}).items():
        if pain is not None and region in pain.regions:
            return f"with {regions[region]['label']}: {rule['reason']}"
    return None


def _named(exercise: Exercise) -> str:
    where = "" if exercise.side == "both" else f" ({exercise.side} side)"
    return f"{exercise.title}{where}"


def _sides_overlap(first: str, second: str) -> bool:
    return first == second or "both" in (first, second)


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
    ticked: tuple[str, ...] = ()  # the red flags the person said apply: no exercise until a clinician has seen them
    ticked_advice: str = ""

    @property
    def withheld(self) -> str | None:
        """Why the report lists no exercise (a red flag ticked), said wherever the plan would be."""
        if not self.ticked:
            return None
        return f"You ticked a red flag ({'; '.join(self.ticked)}). {self.ticked_advice}"

    def to_json(self) -> dict:
        return {
            "stop_rule": self.stop_rule, "red_flags": list(self.red_flags), "red_flag_advice": self.red_flag_advice,
            "disclaimer": self.disclaimer, "source": self.source, "pain_advice": list(self.pain_advice),
            "ticked": list(self.ticked), "red_flag_ticked_advice": self.ticked_advice,
        }

    @classmethod
    def from_json(cls, data: dict) -> Safety:
        return cls(data["disclaimer"], tuple(data["red_flags"]), data["red_flag_advice"], data["stop_rule"],
                   data.get("source", ""), tuple(data.get("pain_advice", ())), tuple(data.get("ticked", ())),
                   data.get("red_flag_ticked_advice", ""))


def safety(pain: Pain | None = None, ticked: Sequence[str] = ()) -> Safety:
    """The safety notes for this pain (none given: the general ones) and the red flags the person
    ticked (each one of the catalog's)."""
    notes = load("corrections.json")["safety"]
    if unknown := [flag for flag in ticked if flag not in notes["red_flags"]]:
        raise ValueError(f"unknown red flag(s): {'; '.join(unknown)}")
    return Safety.from_json({**notes, "pain_advice": pain_advice(pain), "ticked": list(ticked)})


def without_exercises(corrections: Iterable[Recommendation]) -> tuple[Recommendation, ...]:
    """The corrections with their exercises left out (a red flag applies): what each finding
    means and what to be careful with stay."""
    return tuple(replace(rec, stretch=(), strengthen=(), left_out=()) for rec in corrections)
