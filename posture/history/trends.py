"""Is a change real? Per measurement: the minimal detectable change (MDC95 = 1.96 x sqrt(2) x SEM)
from the stored uncertainties and, when the same person was captured twice on one day, from how
far those repeats disagree; a change counts only beyond it.

Pure functions of the stored numbers, so the CLI, the app and the tests get the same answer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from statistics import median

from posture.data_files import load

Z95_TIMES_SQRT2 = 1.96 * math.sqrt(2.0)
MIN_REPEAT_PAIRS = 3  # fewer same-day repeats say too little about the spread


@dataclass(frozen=True)
class Point:
    taken_on: date
    value: float
    uncertainty: float


@dataclass(frozen=True)
class Mdc:
    mdc95: float
    sem: float
    basis: str  # how the SEM was obtained, in words


@dataclass(frozen=True)
class Change:
    measurement: str
    unit: str
    first: Point
    latest: Point
    delta: float
    mdc: Mdc
    # "better"/"worse" (closer to / further from the usual range), "changed" (no usual range, or
    # inside it both times) or "no real change yet" (within the minimal detectable change)
    verdict: str

    @property
    def real(self) -> bool:
        return self.verdict != "no real change yet"


def minimal_detectable_change(points: Sequence[Point]) -> Mdc:
    """SEM from the per-assessment uncertainties (their median), or from same-day repeats when at
    least MIN_REPEAT_PAIRS exist and they disagree more (the honest, larger of the two)."""
    from_uncertainty = median(p.uncertainty for p in points)
    sem, basis = from_uncertainty, f"median measurement uncertainty {from_uncertainty:.2f}"
    differences = _same_day_differences(points)
    if len(differences) >= MIN_REPEAT_PAIRS:
        from_repeats = math.sqrt(sum(d * d for d in differences) / (2 * len(differences)))
        if from_repeats > sem:
            sem, basis = from_repeats, f"{len(differences)} same-day repeat captures"
    return Mdc(Z95_TIMES_SQRT2 * sem, sem, basis)


def compare(measurement: str, unit: str, points: Sequence[Point], first: Point, latest: Point) -> Change:
    mdc = minimal_detectable_change(points)
    delta = latest.value - first.value
    if abs(delta) <= mdc.mdc95:
        verdict = "no real change yet"
    else:
        low, high = normal_band(measurement)
        if low is None and high is None:
            verdict = "changed"
        else:
            before, after = _distance(first.value, low, high), _distance(latest.value, low, high)
            verdict = "better" if after < before else "worse" if after > before else "changed"
    return Change(measurement, unit, first, latest, delta, mdc, verdict)


def normal_band(measurement: str) -> tuple[float | None, float | None]:
    """Where no finding starts: between the mild thresholds of the findings on this measurement."""
    low = high = None
    for rule in load("thresholds.json")["findings"]:
        if rule["measurement"] != measurement:
            continue
        if rule["direction"] == "above":
            high = float(rule["mild"]) if high is None else min(high, float(rule["mild"]))
        else:
            low = float(rule["mild"]) if low is None else max(low, float(rule["mild"]))
    return low, high


def _distance(value: float, low: float | None, high: float | None) -> float:
    if low is not None and value < low:
        return low - value
    if high is not None and value > high:
        return value - high
    return 0.0


def _same_day_differences(points: Sequence[Point]) -> list[float]:
    by_day: dict[date, list[float]] = {}
    for p in points:
        by_day.setdefault(p.taken_on, []).append(p.value)
    return [values[i + 1] - values[i] for values in by_day.values() for i in range(0, len(values) - 1, 2)]
