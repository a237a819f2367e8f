"""One short plan: the few exercises for the findings that matter most, merged, in order, with how
long a day takes. Why: a person gets a list per finding otherwise (the same stretch twice, ten
exercises), and does none of them.

Stretches come before strengthening (the short muscle first, then the long weak one, the
muscle-balance order); an exercise that two findings ask for is one item that says both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from posture.assessment.corrections import Exercise, Recommendation

MAX_FINDINGS = 3  # what matters most; the rest is in the details
STRENGTH_DAYS = "Mon, Wed, Fri"


@dataclass(frozen=True)
class PlanItem:
    kind: str  # "stretch" or "strengthen"
    exercise: Exercise
    for_findings: tuple[str, ...]  # the findings' labels

    @property
    def side_text(self) -> str:
        """' (left)' after the exercise's name, nothing when it works both sides."""
        return "" if self.exercise.side == "both" else f" ({self.exercise.side})"

    @property
    def schedule(self) -> str:
        return "daily" if self.exercise.days_per_week >= 7 else STRENGTH_DAYS


@dataclass(frozen=True)
class Plan:
    items: tuple[PlanItem, ...]

    @property
    def daily_minutes(self) -> float:
        return sum(i.exercise.minutes for i in self.items if i.exercise.days_per_week >= 7)

    @property
    def strength_day_minutes(self) -> float:
        return self.daily_minutes + sum(i.exercise.minutes for i in self.items if i.exercise.days_per_week < 7)

    @property
    def time_text(self) -> str:
        """'About 8 min every day; 23 min on Mon, Wed, Fri.'"""
        if not self.items:
            return ""
        daily, strength = round(self.daily_minutes), round(self.strength_day_minutes)
        if strength == daily:
            return f"About {daily} min every day."
        if not daily:
            return f"About {strength} min on {STRENGTH_DAYS}."
        return f"About {daily} min every day; {strength} min on {STRENGTH_DAYS}."


def short_plan(corrections: Sequence[Recommendation]) -> Plan:
    """The exercises of the first MAX_FINDINGS corrections (the order the report gives them:
    linked to the pain first, then the most severe), each exercise and side once."""
    merged: dict[tuple[str, str, str], PlanItem] = {}
    for kind in ("stretch", "strengthen"):
        for rec in corrections[:MAX_FINDINGS]:
            for exercise in getattr(rec, kind):
                key = (kind, exercise.exercise_id, exercise.side)
                item = merged.get(key)
                labels = (*item.for_findings, rec.label) if item else (rec.label,)
                merged[key] = PlanItem(kind, exercise, tuple(dict.fromkeys(labels)))
    return Plan(tuple(merged.values()))
