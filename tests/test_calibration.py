"""Learned corrections: applied from the data file, mirror-safe, and only with all their inputs."""

import math

import pytest

from posture.assessment import calibration
from posture.assessment.measurements import Measurement, Source

MODELS = {"models": {
    "hip_tilt_deg": [
        {"features": ["hip_tilt_deg", "knee_tilt_deg"], "weights": [1.5, 0.5], "intercept": 0.0,
         "validation": {"residual_sd": 0.8}},
        {"features": ["hip_tilt_deg"], "weights": [2.0], "intercept": 0.0, "validation": {"residual_sd": 1.2}},
    ],
    "craniovertebral_angle_deg": [
        {"features": ["craniovertebral_angle_deg"], "weights": [0.5], "intercept": 30.0,
         "validation": {"residual_sd": 3.0}},
    ],
}}


@pytest.fixture(autouse=True)
def models(monkeypatch):
    monkeypatch.setattr(calibration, "load", lambda name: MODELS)


def m(mid: str, value: float | None, uncertainty: float = 0.5) -> Measurement:
    return Measurement(mid, "deg", "", value, None if value is None else uncertainty, (f"{mid}_point",), "raw")


def test_the_richest_model_whose_inputs_are_measured_is_used():
    out = calibration.calibrate({"hip_tilt_deg": m("hip_tilt_deg", 2.0), "knee_tilt_deg": m("knee_tilt_deg", 1.0)})
    hip = out["hip_tilt_deg"]
    assert hip.value == pytest.approx(1.5 * 2.0 + 0.5 * 1.0)
    assert hip.raw_value == 2.0
    # The model's held-out error (0.8), or the inputs' own uncertainty carried through if larger.
    assert hip.uncertainty == pytest.approx(max(0.8, ((1.5 * 0.5) ** 2 + (0.5 * 0.5) ** 2) ** 0.5))
    assert "knee_tilt_deg" in hip.method and "knee_tilt_deg_point" in hip.landmarks


def test_no_estimate_is_stated_surer_than_the_error_on_families_the_model_never_saw(monkeypatch):
    floored = {**MODELS, "out_of_family_sd": {"_about": "", "hip_tilt_deg": {"sd": 1.5}}}
    monkeypatch.setattr(calibration, "load", lambda name: floored)
    inputs = {"hip_tilt_deg": m("hip_tilt_deg", 2.0), "knee_tilt_deg": m("knee_tilt_deg", 1.0),
              "craniovertebral_angle_deg": m("craniovertebral_angle_deg", 20.0)}
    out = calibration.calibrate(inputs)
    assert out["hip_tilt_deg"].uncertainty == pytest.approx(1.5)  # the model states 0.8
    assert out["hip_tilt_deg"].value == pytest.approx(3.5)  # the value does not move
    assert out["craniovertebral_angle_deg"].uncertainty == pytest.approx(3.0)  # no floor: as stated
    assert calibration.calibrate(inputs, out_of_family=False)["hip_tilt_deg"].uncertainty == pytest.approx(0.8)
    # A floor below what the photo's own inputs carry changes nothing.
    noisy = {**inputs, "hip_tilt_deg": m("hip_tilt_deg", 2.0, uncertainty=2.0)}
    assert calibration.calibrate(noisy)["hip_tilt_deg"].uncertainty == pytest.approx(math.hypot(1.5 * 2.0, 0.5 * 0.5))


TRANSFER = {"hip_tilt_deg": {"features": ["hip_tilt_deg", "ankle_tilt_deg"], "weights": [0.9, 0.4],
                              "usual_abs": [4.0], "sd": 0.6, "sd_per_unit": 0.25}}


def test_the_transfer_stage_adds_a_measurement_the_models_never_saw_and_is_as_sure_as_held_out(monkeypatch):
    monkeypatch.setattr(calibration, "load", lambda name: {**MODELS, "transfer": TRANSFER})
    inputs = {"hip_tilt_deg": m("hip_tilt_deg", 2.0), "knee_tilt_deg": m("knee_tilt_deg", 1.0),
              "ankle_tilt_deg": m("ankle_tilt_deg", 1.5)}
    hip = calibration.calibrate(inputs)["hip_tilt_deg"]
    assert hip.value == pytest.approx(0.9 * 3.5 + 0.4 * 1.5)  # the baseline model reads 3.5
    assert hip.uncertainty == pytest.approx(math.hypot(0.6, 0.25 * hip.value))  # above the model's 0.8
    assert "ankle_tilt_deg" in hip.method and "ankle_tilt_deg_point" in hip.landmarks
    assert hip.raw_value == 2.0
    # A level reading is stated surer than a tilted one: how much of a tilt is seen varies with its cause.
    level = calibration.calibrate({name: m(name, 0.0) for name in inputs})
    carried = math.hypot(0.9 * 0.8, 0.4 * 0.5)  # the inputs' own, above the held-out 0.6 when level
    assert level["hip_tilt_deg"].uncertainty == pytest.approx(carried)
    assert carried < hip.uncertainty
    mirrored = calibration.calibrate({k: m(k, -v.value) for k, v in inputs.items()})["hip_tilt_deg"]
    assert mirrored.value == pytest.approx(-hip.value) and mirrored.uncertainty == pytest.approx(hip.uncertainty)
    # The benchmark fits and tests the stage held out, so it reads the baseline models alone.
    assert calibration.calibrate(inputs, out_of_family=False)["hip_tilt_deg"].value == pytest.approx(3.5)


def test_without_the_transfer_stage_inputs_the_estimate_stays_and_is_as_sure_as_held_out(monkeypatch):
    monkeypatch.setattr(calibration, "load", lambda name: {**MODELS, "transfer": TRANSFER})
    hip = calibration.calibrate({"hip_tilt_deg": m("hip_tilt_deg", 4.0), "knee_tilt_deg": m("knee_tilt_deg", 2.0),
                                 "ankle_tilt_deg": m("ankle_tilt_deg", None)})["hip_tilt_deg"]
    assert hip.value == pytest.approx(7.0)
    assert hip.uncertainty == pytest.approx(math.hypot(0.6, 0.25 * 7.0))


@pytest.mark.parametrize(("ankle", "read_as"), [
    (3.9, 3.9),  # within what the families showed
    (-6.0, -4.0), (30.0, 4.0),  # a stride, a step: no more than the renders ever had
])
def test_an_extra_input_beyond_the_families_range_reads_as_the_largest_they_had(monkeypatch, ankle, read_as):
    monkeypatch.setattr(calibration, "load", lambda name: {**MODELS, "transfer": TRANSFER})
    inputs = {"hip_tilt_deg": m("hip_tilt_deg", 2.0), "knee_tilt_deg": m("knee_tilt_deg", 1.0),
              "ankle_tilt_deg": m("ankle_tilt_deg", ankle)}
    assert calibration.calibrate(inputs)["hip_tilt_deg"].value == pytest.approx(0.9 * 3.5 + 0.4 * read_as)


def test_a_missing_input_falls_back_to_the_smaller_model():
    out = calibration.calibrate({"hip_tilt_deg": m("hip_tilt_deg", 2.0), "knee_tilt_deg": m("knee_tilt_deg", None)})
    assert out["hip_tilt_deg"].value == pytest.approx(4.0)


def test_mirrored_inputs_give_the_mirrored_value():
    def hip(sign):
        return calibration.calibrate({
            "hip_tilt_deg": m("hip_tilt_deg", 2.0 * sign), "knee_tilt_deg": m("knee_tilt_deg", 0.7 * sign),
        })["hip_tilt_deg"].value

    assert hip(-1) == pytest.approx(-hip(1))


def test_a_model_only_re_estimates_the_method_it_was_trained_on(monkeypatch):
    pelvis = {"models": {"pelvic_tilt_deg": [{
        "raw_source": "outline", "features": ["pelvic_tilt_deg"], "weights": [2.0], "intercept": 1.0,
        "validation": {"residual_sd": 3.0},
    }]}}
    monkeypatch.setattr(calibration, "load", lambda name: pelvis)
    exact = Measurement("pelvic_tilt_deg", "deg", "", 12.0, 0.4, ("asis", "psis"), "exact: clicked",
                        source=Source.MARKERS)
    assert calibration.calibrate({"pelvic_tilt_deg": exact})["pelvic_tilt_deg"] is exact
    free = Measurement("pelvic_tilt_deg", "deg", "", 12.0, 8.0, (), "marker-free estimate", source=Source.OUTLINE)
    assert calibration.calibrate({"pelvic_tilt_deg": free})["pelvic_tilt_deg"].value == pytest.approx(25.0)


def test_unmeasured_targets_and_targets_without_a_model_stay_as_they_are():
    raw = {"hip_tilt_deg": m("hip_tilt_deg", None), "shoulder_tilt_deg": m("shoulder_tilt_deg", 1.0)}
    assert calibration.calibrate(raw) == raw


def test_the_shipped_models_are_complete_and_sourced():
    from posture.data_files import load

    shipped = load("calibration.json")
    for target, candidates in shipped["models"].items():
        for model in candidates:
            assert len(model["weights"]) == len(model["features"]), target
            assert model["validation"]["residual_sd"] > 0, target
    assert "provenance" in shipped or not shipped["models"]
    for target, stage in shipped.get("transfer", {}).items():
        if not target.startswith("_"):
            assert stage["features"][0] == target and len(stage["weights"]) == len(stage["features"]), target
            assert stage["sd"] > 0 and stage["sd_per_unit"] >= 0 and len(stage["families"]) >= 3, target


def test_an_outline_enters_with_one_weight_per_grid_point(monkeypatch):
    import numpy as np

    with_outline = {"models": {"hip_tilt_deg": [
        {"features": ["hip_tilt_deg", "pelvis_outline"], "weights": [1.0, [2.0, -1.0, 0.5]], "intercept": 0.0,
         "validation": {"residual_sd": 0.9}},
        {"features": ["hip_tilt_deg"], "weights": [2.0], "intercept": 0.0, "validation": {"residual_sd": 1.2}},
    ]}}
    monkeypatch.setattr(calibration, "load", lambda name: with_outline)
    raw = {"hip_tilt_deg": m("hip_tilt_deg", 3.0)}
    outline = np.array([0.1, 0.2, -0.4])
    outlines = {"pelvis_outline": outline}
    assert calibration.calibrate(raw, outlines)["hip_tilt_deg"].value == pytest.approx(3.0 + 0.2 - 0.2 - 0.2)
    mirrored = calibration.calibrate({"hip_tilt_deg": m("hip_tilt_deg", -3.0)}, {"pelvis_outline": -outline})
    assert mirrored["hip_tilt_deg"].value == pytest.approx(-(3.0 + 0.2 - 0.2 - 0.2))
    assert calibration.calibrate(raw)["hip_tilt_deg"].value == pytest.approx(6.0)  # no outline: the smaller model


def test_an_outline_far_from_the_training_span_is_trusted_less_whatever_its_sign(monkeypatch):
    import numpy as np

    checks = {"outline_checks": {"pelvis_outline": {
        "components": [[1.0, 0.0, 0.0]], "usual_distance": 0.5, "unusual_distance": 1.0}}}
    monkeypatch.setattr(calibration, "load", lambda name: checks)
    trust = calibration.outline_trust
    assert trust({"pelvis_outline": np.array([2.0, 0.3, 0.0])}) == {"pelvis_outline": 1.0}
    for sign in (1, -1):
        assert trust({"pelvis_outline": sign * np.array([0.0, 0.6, 0.45])})["pelvis_outline"] == pytest.approx(0.5)
        assert trust({"pelvis_outline": sign * np.array([0.0, 1.0, 1.0])})["pelvis_outline"] == 0.0
    assert trust({"neck_outline": np.array([9.0])}) == {"neck_outline": 1.0}  # no check: nothing to doubt


def test_a_partly_trusted_outline_blends_the_model_with_the_next_smaller_one(monkeypatch):
    import numpy as np

    shipped = {
        "outline_checks": {"pelvis_outline": {"components": [[1.0, 0.0]], "usual_distance": 0.5,
                                              "unusual_distance": 1.0}},
        "models": {"hip_tilt_deg": [
            {"features": ["hip_tilt_deg", "pelvis_outline"], "weights": [1.0, [0.0, 10.0]], "intercept": 0.0,
             "validation": {"residual_sd": 0.5}},
            {"features": ["hip_tilt_deg"], "weights": [2.0], "intercept": 0.0, "validation": {"residual_sd": 1.5}},
        ]},
    }
    monkeypatch.setattr(calibration, "load", lambda name: shipped)
    raw = {"hip_tilt_deg": m("hip_tilt_deg", 1.0)}
    usual = calibration.calibrate(raw, {"pelvis_outline": np.array([0.0, 0.2])})["hip_tilt_deg"]
    assert usual.value == pytest.approx(1.0 + 2.0) and usual.uncertainty == pytest.approx(0.5)
    halfway = calibration.calibrate(raw, {"pelvis_outline": np.array([0.0, 0.75])})["hip_tilt_deg"]
    assert halfway.value == pytest.approx(0.5 * (1.0 + 7.5) + 0.5 * 2.0)
    assert halfway.uncertainty == pytest.approx(1.0) and "50%" in halfway.method
    unusual = calibration.calibrate(raw, {"pelvis_outline": np.array([0.0, 3.0])})["hip_tilt_deg"]
    assert unusual.value == pytest.approx(2.0) and "pelvis_outline" not in unusual.method


def test_the_shipped_outline_checks_pass_nearly_all_held_out_renders():
    from posture.data_files import load

    checks = load("calibration.json")["outline_checks"]
    assert set(checks) == set(calibration.OUTLINES)
    for name, check in checks.items():
        assert check["validation_beyond_half_trust"] <= 0.02, name


def test_an_outline_model_far_from_the_model_without_it_is_less_sure(monkeypatch):
    """Beyond the disagreement 90% of training renders show, the excess adds to the uncertainty."""
    import numpy as np

    shipped = {"models": {"hip_tilt_deg": [
        {"features": ["hip_tilt_deg", "pelvis_outline"], "weights": [1.0, [10.0]], "intercept": 0.0,
         "validation": {"residual_sd": 0.5}, "agreement_p90": 1.0},
        {"features": ["hip_tilt_deg"], "weights": [1.0], "intercept": 0.0, "validation": {"residual_sd": 1.5}},
    ]}}
    monkeypatch.setattr(calibration, "load", lambda name: shipped)
    raw = {"hip_tilt_deg": m("hip_tilt_deg", 1.0)}
    agreeing = calibration.calibrate(raw, {"pelvis_outline": np.array([0.05])})["hip_tilt_deg"]
    assert agreeing.value == pytest.approx(1.5) and agreeing.uncertainty == pytest.approx(0.5)
    apart = calibration.calibrate(raw, {"pelvis_outline": np.array([-0.4])})["hip_tilt_deg"]
    assert apart.value == pytest.approx(-3.0)  # 4 deg from the points' 1.0: 3 beyond the usual 1
    assert apart.uncertainty == pytest.approx(np.hypot(0.5, 3.0))
