"""The accuracy benchmark: its statistics on known numbers, and the analyzer scored on the
committed set of renders with known posture (tests/data/synth, made by posture.synth.generate)."""

from pathlib import Path

import pytest

from posture.assessment.classifier import Status
from posture.bench.accuracy import Confusion, measurement_stats, score, true_findings

SYNTH = Path(__file__).parent / "data" / "synth"


def test_stats_of_a_known_line():
    true = [-6.0, -3.0, 0.0, 3.0, 6.0]
    stats = measurement_stats([(t, 0.5 * t + 1.0) for t in true])
    assert stats.n == 5
    assert stats.gain == pytest.approx(0.5)
    assert stats.r2 == pytest.approx(1.0)
    assert stats.bias == pytest.approx(1.0)
    assert stats.mae == pytest.approx(sum(abs(-0.5 * t + 1.0) for t in true) / 5)


def test_gain_is_undefined_when_the_truth_does_not_vary():
    stats = measurement_stats([(0.0, 0.3), (0.0, -0.1), (0.0, 0.2)])
    assert stats.gain is None and stats.r2 is None
    assert stats.mae == pytest.approx(0.2)


def test_precision_and_recall_count_cant_tell_as_a_miss():
    confusion = Confusion()
    for truth, said in [("present", "present"), ("present", "cant_tell"), ("absent", "present"), ("absent", "absent")]:
        confusion.add(Status(truth), Status(said))
    assert confusion.precision == pytest.approx(0.5)
    assert confusion.recall == pytest.approx(0.5)


def test_truth_findings_follow_the_thresholds_without_uncertainty():
    found = true_findings({"hip_tilt_deg": 3.2, "shoulder_tilt_deg": 0.0})
    assert found["high_left_hip"] is Status.PRESENT
    assert found["high_right_hip"] is Status.ABSENT
    assert "forward_head" not in found  # no side measurement: no truth either


@pytest.fixture(scope="module")
def scored(estimator):
    files = sorted(SYNTH.glob("*.truth.json"))
    assert len(files) == 28, "the committed synthetic set is missing (tests/data/synth)"
    return score(files, estimator)


def test_the_analyzer_on_renders_with_known_posture(scored):
    """Pins what the benchmark measured when this set was committed (docs/validation.md, fixed set)."""
    assert scored["failures"] == []
    assert scored["view_accuracy"]["product"] == 1.0
    product, bare = scored["measurements"]["product"], scored["measurements"]["bare"]
    # Augmentation and leveling beat one bare model call on the frontal tilts.
    for mid in ("shoulder_tilt_deg", "hip_tilt_deg", "lateral_trunk_lean_deg"):
        assert product[mid]["mae"] < bare[mid]["mae"], mid
    # The calibration with the body outline (fitted on other renders) reads the tilts at full
    # size where the bare model reads under half of a hip's (issue 5's goals: MAE <= 1, gain 0.8-1.2).
    for mid in ("shoulder_tilt_deg", "hip_tilt_deg"):
        assert product[mid]["mae"] < 0.8 and 0.8 < product[mid]["gain"] < 1.2, mid
    assert bare["hip_tilt_deg"]["gain"] < 0.5
    # The C7 proxy's ~26 deg bias is gone after calibration (on renders; capped for people).
    assert bare["craniovertebral_angle_deg"]["bias"] < -15
    assert abs(product["craniovertebral_angle_deg"]["bias"]) < 1 and product["craniovertebral_angle_deg"]["mae"] < 3
    assert product["pelvic_tilt_deg"]["mae"] < bare["pelvic_tilt_deg"]["mae"]


def test_findings_on_renders_are_never_on_the_wrong_side(scored):
    findings = scored["findings"]["product"]
    for fid in ("high_right_shoulder", "high_left_shoulder", "trunk_lean_right", "knee_valgus_left"):
        assert findings[fid]["precision"] in (1.0, None), fid  # None: never claimed
    # The 6 deg obliquity (front, back, rolled camera) is found on the right side in all three. The
    # one other hip finding is the 3 deg right-high render (true -2.997, a hair inside the 3 deg
    # threshold; read -4.0 +- 1.0): right side, mild.
    assert findings["high_left_hip"]["confusion"]["present"]["present"] == 3
    assert findings["high_left_hip"]["precision"] == 1.0
    assert findings["high_right_hip"]["confusion"]["absent"]["present"] <= 1
    # Forward head is never claimed from side photos (the CVA is capped until validated on people).
    assert findings["forward_head"]["confusion"]["absent"]["present"] == 0
    assert findings["forward_head"]["confusion"]["present"]["present"] == 0


@pytest.mark.parametrize("render, expected", [
    ("neutral.front.jpg", None),
    ("neutral.front.roll+3.jpg", None),
    ("left_hip_high_6.front.jpg", "high_left_hip"),
    ("left_hip_high_6.back.jpg", "high_left_hip"),
    ("left_hip_high_6.front.roll-3.jpg", "high_left_hip"),
])
def test_a_6_degree_obliquity_gives_the_right_sides_finding_and_a_level_pelvis_none(estimator, render, expected):
    from posture.analysis import Options, analyze_single

    assessment = analyze_single(str(SYNTH / render), estimator, Options()).assessment
    hips = [f.id for f in assessment.findings if f.id.startswith("high_") and f.id.endswith("_hip")
            and f.status is Status.PRESENT]
    assert hips == ([expected] if expected else [])


def test_exact_mode_with_the_true_asis_and_psis_is_within_a_degree(estimator):
    """Clicking the true ASIS and PSIS (the renders' skin points) gives the true pelvic tilt."""
    import json

    from posture.analysis import Options, analyze_single
    from posture.assessment.measurements import PelvisMarkers

    errors = []
    for truth_path in sorted(SYNTH.glob("*.side_*.truth.json"))[:6]:
        truth = json.loads(truth_path.read_text())
        near = "right" if truth["spec"]["camera"]["view"] == "side_right" else "left"
        markers = PelvisMarkers(tuple(truth["surface_2d"][f"{near}_asis"]), tuple(truth["surface_2d"][f"{near}_psis"]))
        image = str(truth_path.with_name(truth["image"]))
        (result,) = analyze_single(image, estimator, Options(markers=markers)).photos
        assert result.measurements["pelvic_tilt_deg"].method.startswith("exact")
        errors.append(abs(result.measurements["pelvic_tilt_deg"].value - truth["measurements"]["pelvic_tilt_deg"]))
    assert max(errors) < 1.0


def test_changes_are_scored_against_the_same_persons_neutral_render():
    from posture.bench.accuracy import change_stats

    values = {
        "pair00.neutral.side_right.jpg": {"product": {"pelvic_tilt_deg": (10.0, 8.0)}},
        "pair00.anterior_tilt.side_right.jpg": {"product": {"pelvic_tilt_deg": (20.0, 15.0)}},
        "pair01.neutral.side_left.jpg": {"product": {"pelvic_tilt_deg": (5.0, 6.0)}},
        "pair01.anterior_tilt.side_left.jpg": {"product": {"pelvic_tilt_deg": (15.0, 17.0)}},
    }
    stats = change_stats(values)["anterior_tilt"]["product"]["pelvic_tilt_deg"]
    # Measured changes 7 and 11 against true changes of 10: errors 3 and 1.
    assert stats == {"n": 2, "median": 2.0, "max": 3.0, "within_2": 1, "within_3": 2}
