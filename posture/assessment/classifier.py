"""Findings from measurements: severity from published (or declared) thresholds, confidence from
each measurement's uncertainty, and "can't tell" whenever the numbers do not support a decision.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from posture.assessment.measurements import Measurement
from posture.data_files import load


class Severity(StrEnum):
    """In rising order (SEVERITIES); a finding that is absent or undecided has NONE."""

    NONE = "none"
    MILD = "mild"
    MODERATE = "moderate"
    MARKED = "marked"


SEVERITIES = tuple(Severity)


class Status(StrEnum):
    PRESENT = "present"
    ABSENT = "absent"
    CANT_TELL = "cant_tell"


@dataclass(frozen=True)
class Evidence:
    measurement: str
    value: float | None
    unit: str
    uncertainty: float | None
    thresholds: dict[str, float]
    direction: str
    photos: tuple[str, ...]
    note: str | None = None
    length_cm: float | None = None  # the value as a length when a height was given (shown; not stored)

    def to_json(self) -> dict:
        rounded = None if self.value is None else round(self.value, 2)
        return {
            "measurement": self.measurement,
            "value": rounded,
            "unit": self.unit,
            "uncertainty": None if self.uncertainty is None else round(self.uncertainty, 2),
            "thresholds": self.thresholds,
            "direction": self.direction,
            "photos": list(self.photos),
            **({"note": self.note} if self.note else {}),
        }

    @classmethod
    def from_json(cls, data: dict) -> Evidence:
        return cls(data["measurement"], data["value"], data["unit"], data["uncertainty"], dict(data["thresholds"]),
                   data["direction"], tuple(data["photos"]), data.get("note"))


@dataclass(frozen=True)
class Finding:
    id: str
    label: str
    family: str
    side: str | None
    status: Status
    severity: Severity
    confidence: float
    evidence: tuple[Evidence, ...]
    source: str
    is_pattern: bool = False

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "label": self.label,
            "kind": "pattern" if self.is_pattern else "finding",
            "family": self.family,
            "side": self.side,
            "status": self.status.value,
            "severity": self.severity,
            "confidence": round(self.confidence, 2),
            "evidence": [e.to_json() for e in self.evidence],
            "source": self.source,
        }

    @classmethod
    def from_json(cls, data: dict) -> Finding:
        return cls(
            data["id"], data["label"], data["family"], data["side"], Status(data["status"]), Severity(data["severity"]),
            data["confidence"], tuple(Evidence.from_json(e) for e in data["evidence"]), data["source"],
            data["kind"] == "pattern",
        )


@dataclass(frozen=True)
class CombinedMeasurement:
    """One measurement id across the photos of one person (inverse-variance weighted)."""

    measurement: Measurement
    photos: tuple[str, ...]


def combine(per_photo: Iterable[tuple[str, Mapping[str, Measurement]]]) -> dict[str, CombinedMeasurement]:
    """Merge the same measurement from several photos; unmeasured entries only where no photo
    measured it (keeping the first reason), doubted ones only where no photo measured it without
    doubt (keeping the first doubt)."""
    measured: dict[str, list[tuple[str, Measurement]]] = {}
    missing: dict[str, tuple[str, Measurement]] = {}
    for path, measurements in per_photo:
        for mid, m in measurements.items():
            if m.measured:
                measured.setdefault(mid, []).append((path, m))
            else:
                missing.setdefault(mid, (path, m))
    combined = {mid: CombinedMeasurement(m, (path,)) for mid, (path, m) in missing.items()}
    for mid, items in measured.items():
        items = [item for item in items if not item[1].doubt] or items
        weights = [1.0 / max(m.uncertainty or 1e-6, 1e-6) ** 2 for _, m in items]
        value = sum(w * m.value for w, (_, m) in zip(weights, items, strict=True)) / sum(weights)
        uncertainty = math.sqrt(1.0 / sum(weights))
        first = items[0][1]
        merged = Measurement(
            first.id, first.unit, first.sign_convention, value, uncertainty, first.landmarks,
            first.method, _mean_or_none([m.length_cm for _, m in items]), source=first.source, doubt=first.doubt,
        )
        combined[mid] = CombinedMeasurement(merged, tuple(path for path, _ in items))
    return combined


def _mean_or_none(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def classify(measurements: Mapping[str, CombinedMeasurement], apply_caps: bool = True) -> list[Finding]:
    """Every finding in thresholds.json, then the patterns they form. No measurement: can't tell.

    `apply_caps=False` is for ground truth, which is exact whatever a photo could show.
    """
    config = load("thresholds.json")
    decide_at = float(config["decision_confidence"]["value"])
    caps = config["measurement_confidence_caps"] if apply_caps else {}
    findings = [_classify_one(rule, measurements, decide_at, caps) for rule in config["findings"]]
    by_id = {f.id: f for f in findings}
    return findings + [_pattern(rule, by_id) for rule in config["patterns"]]


def _classify_one(
    rule: dict, measurements: Mapping[str, CombinedMeasurement], decide_at: float, caps: dict
) -> Finding:
    levels = {name: float(rule[name]) for name in SEVERITIES[1:]}
    combined = measurements.get(rule["measurement"])
    m = combined.measurement if combined else None
    photos = combined.photos if combined else ()

    def finding(status: Status, severity: Severity, confidence: float, note: str | None) -> Finding:
        evidence = Evidence(
            rule["measurement"],
            m.value if m else None,
            m.unit if m else "",
            m.uncertainty if m else None,
            levels,
            rule["direction"],
            photos,
            note,
            m.length_cm if m else None,
        )
        return Finding(
            rule["id"], rule["label"], rule["family"], rule["side"], status, severity,
            confidence, (evidence,), rule["source"],
        )

    if m is None or not m.measured:
        reason = m.reason if m else "no photo of a view that shows it"
        return finding(Status.CANT_TELL, Severity.NONE, 0.0, f"not measured: {reason}")
    if m.doubt:
        return finding(Status.CANT_TELL, Severity.NONE, 0.0, m.doubt)

    sign = 1.0 if rule["direction"] == "above" else -1.0
    beyond = [name for name, level in levels.items() if sign * (m.value - level) >= 0]
    severity = Severity(beyond[-1]) if beyond else Severity.NONE
    # Probability that the true value is beyond the mild threshold, under Gaussian error.
    z = sign * (m.value - levels["mild"]) / max(m.uncertainty or 0.0, 1e-6)
    p_beyond = 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))
    confidence = p_beyond if severity is not Severity.NONE else 1.0 - p_beyond
    cap_rule = caps.get(rule["measurement"])
    note = None
    if cap_rule and m.source.value != cap_rule.get("except_source"):
        cap = float(cap_rule["value"])
        if confidence > cap:
            confidence, note = cap, ("checked on computer-made bodies only, not yet on real people, so the value is "
                                     f"shown for information only; to tell it, {cap_rule['told_by']}")
    if confidence < decide_at:
        borderline = "too close to the threshold for its uncertainty"
        return finding(Status.CANT_TELL, severity, confidence, note or borderline)
    status = Status.PRESENT if severity is not Severity.NONE else Status.ABSENT
    return finding(status, severity, confidence, note)


def _pattern(rule: dict, by_id: Mapping[str, Finding]) -> Finding:
    parts = [by_id[fid] for fid in rule["requires"]]
    if all(p.status is Status.PRESENT for p in parts):
        status = Status.PRESENT
    elif any(p.status is Status.ABSENT for p in parts):
        status = Status.ABSENT
    else:
        status = Status.CANT_TELL
    severity = min((p.severity for p in parts), key=SEVERITIES.index)
    confidence = min(p.confidence for p in parts) if status is not Status.ABSENT else max(
        p.confidence for p in parts if p.status is Status.ABSENT
    )
    evidence = tuple(e for p in parts for e in p.evidence)
    return Finding(
        rule["id"], rule["label"], rule["id"], None, status, severity if status is Status.PRESENT
        else Severity.NONE, confidence, evidence, rule["source"], is_pattern=True,
    )


def present(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """The findings that are present: single findings first, then the patterns they form."""
    found = [f for f in findings if f.status is Status.PRESENT]
    return tuple(f for f in found if not f.is_pattern) + tuple(f for f in found if f.is_pattern)
