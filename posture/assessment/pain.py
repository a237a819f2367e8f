"""Where it hurts, for how long and how much: it orders the corrections and adds clinician advice.

Pain never creates or removes a finding (posture and pain are only loosely linked); it decides what
comes first and when exercise should wait for a clinician.
"""

from __future__ import annotations

from dataclasses import dataclass

from posture.data_files import load

PAIN_REGIONS = tuple(load("pain.json")["regions"])


@dataclass(frozen=True)
class Pain:
    regions: tuple[str, ...] = ()
    intensity_0_10: int | None = None
    weeks: float | None = None

    def __post_init__(self) -> None:
        unknown = [r for r in self.regions if r not in PAIN_REGIONS]
        if unknown:
            raise ValueError(f"unknown pain region(s) {', '.join(unknown)}; choose from {', '.join(PAIN_REGIONS)}")
        if self.intensity_0_10 is not None and not 0 <= self.intensity_0_10 <= 10:
            raise ValueError(f"pain intensity must be 0-10, got {self.intensity_0_10}")
        if self.weeks is not None and self.weeks < 0:
            raise ValueError(f"pain duration must be 0 weeks or more, got {self.weeks}")

    def to_json(self) -> dict:
        return {"regions": list(self.regions), "intensity_0_10": self.intensity_0_10, "weeks": self.weeks}


def region_label(region: str) -> str:
    return load("pain.json")["regions"][region]["label"]


def regions_linked_to(family: str, pain: Pain | None) -> tuple[str, ...]:
    """The person's pain regions that this finding family is commonly linked to."""
    if pain is None:
        return ()
    regions = load("pain.json")["regions"]
    return tuple(r for r in pain.regions if family in regions[r]["families"])


def pain_advice(pain: Pain | None) -> list[str]:
    """When to see a clinician before (or beside) the exercises, given this pain."""
    if pain is None:
        return []
    rules = load("pain.json")["advice"]
    advice = []
    if pain.intensity_0_10 is not None and pain.intensity_0_10 >= rules["severe"]["min_intensity_0_10"]:
        advice.append(rules["severe"]["text"].format(intensity=pain.intensity_0_10))
    if pain.weeks is not None and pain.weeks > rules["persistent"]["min_weeks"]:
        advice.append(rules["persistent"]["text"].format(weeks=f"{pain.weeks:g}"))
    if "sciatica" in pain.regions:
        advice.append(rules["sciatica"]["text"])
    return advice
