"""Findings, confidence, "can't tell", patterns, and corrections built only from findings."""

from dataclasses import replace

import pytest

from posture.assessment.classifier import CombinedMeasurement, Status, classify, combine
from posture.assessment.corrections import recommend, safety
from posture.assessment.measurements import Measurement, Source
from posture.data_files import load


def measured(mid: str, value: float, uncertainty: float = 0.5, method: str = "test") -> Measurement:
    return Measurement(mid, "deg", "", value, uncertainty, (), method)


def findings_for(**values) -> dict:
    combined = {mid: CombinedMeasurement(measured(mid, v), ("p.jpg",)) for mid, v in values.items()}
    return {f.id: f for f in classify(combined)}


@pytest.mark.parametrize(
    ("value", "finding", "severity"),
    [
        (6.0, "high_left_hip", "moderate"),
        (9.0, "high_left_hip", "marked"),
        (-9.0, "high_right_hip", "marked"),
        (-3.5, "high_right_hip", "mild"),
    ],
)
def test_hip_tilt_gives_the_high_side_and_severity(value, finding, severity):
    f = findings_for(hip_tilt_deg=value)[finding]
    assert f.status is Status.PRESENT
    assert f.severity == severity
    rules = {rule["id"]: rule for rule in load("thresholds.json")["findings"]}
    assert f.evidence[0].thresholds["mild"] == rules[finding]["mild"]


def test_level_hips_are_absent_on_both_sides():
    found = findings_for(hip_tilt_deg=0.2)
    assert found["high_left_hip"].status is Status.ABSENT
    assert found["high_right_hip"].status is Status.ABSENT


def test_a_value_near_the_threshold_is_cant_tell():
    combined = {"hip_tilt_deg": CombinedMeasurement(measured("hip_tilt_deg", 3.2, uncertainty=1.5), ("p",))}
    f = {x.id: x for x in classify(combined)}["high_left_hip"]
    assert f.status is Status.CANT_TELL
    assert 0.5 < f.confidence < 0.7


def test_more_uncertainty_means_less_confidence():
    sure = {"hip_tilt_deg": CombinedMeasurement(measured("hip_tilt_deg", 5.0, 0.5), ("p",))}
    unsure = {"hip_tilt_deg": CombinedMeasurement(measured("hip_tilt_deg", 5.0, 2.0), ("p",))}
    a = {x.id: x for x in classify(sure)}["high_left_hip"].confidence
    b = {x.id: x for x in classify(unsure)}["high_left_hip"].confidence
    assert a > b


def test_missing_measurements_are_cant_tell_never_a_guess():
    found = findings_for()
    assert all(f.status is Status.CANT_TELL for f in found.values())
    assert recommend(found.values()) == []


def test_cva_below_cut_off_is_at_most_cant_tell_and_patterns_follow_their_parts():
    # The CVA is not validated for people (thresholds.json caps it): severity is given, no decision.
    found = findings_for(craniovertebral_angle_deg=44.0, shoulder_ahead_of_hip_pct=0.0)
    assert found["forward_head"].status is Status.CANT_TELL
    assert found["forward_head"].severity == "moderate"
    assert found["upper_crossed"].status is Status.ABSENT  # rounded shoulders are absent
    both = findings_for(craniovertebral_angle_deg=44.0, shoulder_ahead_of_hip_pct=5.0)
    assert both["rounded_shoulders"].status is Status.PRESENT
    assert both["upper_crossed"].status is Status.CANT_TELL


def test_unvalidated_measurements_are_capped_below_a_decision_but_exact_markers_are_not():
    def anterior(source):
        tilt = replace(measured("pelvic_tilt_deg", 40.0, 1.0), source=source)
        found = classify({"pelvic_tilt_deg": CombinedMeasurement(tilt, ("p",))})
        return {x.id: x for x in found}["anterior_pelvic_tilt"]

    free = anterior(Source.CALIBRATED)
    assert free.status is Status.CANT_TELL and free.severity == "marked"
    assert "to tell it, put markers on the front and back hip bones" in free.evidence[0].note
    assert anterior(Source.MARKERS).status is Status.PRESENT


def test_photos_are_combined_by_inverse_variance():
    merged = combine([
        ("front.jpg", {"shoulder_tilt_deg": measured("shoulder_tilt_deg", 2.0, 1.0)}),
        ("back.jpg", {"shoulder_tilt_deg": measured("shoulder_tilt_deg", 4.0, 2.0)}),
    ])["shoulder_tilt_deg"]
    assert merged.measurement.value == pytest.approx((2.0 * 1 + 4.0 * 0.25) / 1.25)
    assert merged.measurement.uncertainty < 1.0
    assert merged.photos == ("front.jpg", "back.jpg")


def test_corrections_follow_the_side_of_the_finding():
    found = findings_for(hip_tilt_deg=-6.0)
    (rec,) = recommend(found.values())
    assert rec.finding == "high_right_hip"
    assert {e.side for e in rec.stretch} == {"right"}
    assert any("quadratus lumborum" in e.muscle for e in rec.stretch)
    assert any("leg-length" in caution for caution in rec.avoid)


def test_no_findings_no_exercises_but_always_safety():
    assert recommend(findings_for(hip_tilt_deg=0.0, shoulder_tilt_deg=0.0).values()) == []
    assert len(safety().red_flags) >= 5


def test_every_threshold_and_catalog_entry_has_a_source():
    thresholds = load("thresholds.json")
    catalog = load("corrections.json")
    for rule in thresholds["findings"] + thresholds["patterns"]:
        assert rule["source"], rule["id"]
    for rule in thresholds["findings"]:
        assert rule["family"] in catalog["families"], rule["id"]
    for name, family in catalog["families"].items():
        assert family["source"], name
        for entry in family["stretch"] + family["strengthen"]:
            assert entry["exercise"] in catalog["exercises"], entry
    for name, entry in load("measurement_model.json").items():
        if not name.startswith("_"):
            assert entry["source"], name
