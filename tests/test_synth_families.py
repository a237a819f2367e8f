"""Variation families of the generator and the leave-one-family-out benchmark. Specs, camera and
benchmark maths run everywhere; posing the body needs the synth extra and skips without it."""

import json
import math

import numpy as np
import pytest

from posture.bench.families import (
    fit_chain,
    fit_transfer,
    gaussian_sd,
    held_out,
    held_out_together,
    hip_calls,
    out_of_family_floors,
    out_of_family_sd,
    predict,
    report_text,
    skin_hip_gains,
    transfer_stages,
    worst,
)
from posture.synth.camera import make_camera
from posture.synth.families import FAMILIES, family_specs
from posture.synth.spec import Camera, RenderSpec
from tests.test_synth import needs_anny, tilt_deg


@pytest.mark.parametrize("pitch", [0.0, 12.0, -5.0])
def test_a_pitched_camera_centres_the_point_it_looks_at(pitch):
    camera = make_camera(Camera(distance_m=3.0, height_m=1.5, pitch_deg=pitch), stature_m=1.75)
    aimed = np.array([0.0, 0.0, 1.5 - 3.0 * math.tan(math.radians(pitch))])
    assert camera.project(aimed) == pytest.approx([360.0, 640.0], abs=1e-6)


def test_a_camera_looking_down_frames_the_whole_body():
    camera = make_camera(Camera(distance_m=2.4, height_m=1.7, pitch_deg=17.0), stature_m=1.85)
    head, feet = camera.project(np.array([[0.0, 0.0, 1.85], [0.0, 0.0, 0.0]]))
    assert 0 < head[1] < feet[1] < 1280


def test_every_family_is_named_in_its_renders_and_survives_json():
    specs = family_specs(per_family=4, seed=3)
    assert {s.family for s in specs} == set(FAMILIES)
    assert all(s.name.startswith(f"{s.family}.") for s in specs)
    for spec in specs:
        assert RenderSpec.from_json(json.loads(json.dumps(spec.to_json()))) == spec
    views = [s.camera.view for s in specs if s.family == "baseline"]
    assert views == ["front", "side_right", "front", "side_left"]


def test_a_truth_file_without_a_family_reads_as_baseline():
    data = RenderSpec("old").to_json()
    del data["family"]
    assert RenderSpec.from_json(data).family == "baseline"


@pytest.mark.parametrize("name", sorted(set(FAMILIES) - {"baseline", "combined"}))
def test_each_family_changes_one_part_of_the_render(name):
    base = family_specs(per_family=1, seed=5, names=["baseline"])[0]
    changed = FAMILIES[name].change(base, np.random.default_rng(0))
    parts = ("posture", "appearance", "scene", "camera")
    differs = [part for part in parts if getattr(changed, part) != getattr(base, part)]
    expected = {"obliquity": "posture", "arms": "posture", "clothes": "appearance", "light": "scene",
                "camera": "camera"}[FAMILIES[name].varies]
    assert differs == [expected]


def test_the_combined_family_changes_everything_its_parts_do():
    base = family_specs(per_family=1, seed=5, names=["baseline"])[0]
    combined = FAMILIES["combined"].change(base, np.random.default_rng(0))
    assert combined.posture.obliquity_mechanism in ("pelvis_rotation", "block")
    assert combined.appearance.short_top and combined.scene.shadows and combined.camera.pitch_deg > 5
    assert min(combined.posture.arm_out_left_deg, combined.posture.arm_out_right_deg) >= 12


def _record(family: str, true: float, measured: float, sd: float = 0.5) -> dict:
    return {"image": f"{family}.{true}", "family": family, "view": "front", "true_view": "front",
            "truth": {"hip_tilt_deg": true}, "raw": {"hip_tilt_deg": measured}, "raw_sd": {"hip_tilt_deg": sd},
            "source": {"hip_tilt_deg": "landmarks"}, "outlines": {}, "shipped": {"hip_tilt_deg": [measured, sd]}}


def _records(gains: dict[str, float]) -> list[dict]:
    """Renders whose raw hip tilt reads `gain` of the truth, per family, with a little noise."""
    rng = np.random.default_rng(0)
    return [_record(family, t, gain * t + rng.normal(0, 0.1))
            for family, gain in gains.items() for t in np.linspace(-8, 8, 9)]


def test_a_family_whose_points_follow_less_of_the_tilt_shows_it_only_when_held_out():
    records = _records({"a": 0.5, "b": 0.5, "c": 0.5, "odd": 0.25})
    chain = fit_chain([r for r in records if r["family"] != "odd"], "hip_tilt_deg")
    assert chain[0].features == ["hip_tilt_deg"] and chain[0].weights[0] == pytest.approx(2.0, abs=0.05)
    true, estimate, _ = predict(chain, _record("odd", 6.0, 1.5), "hip_tilt_deg")
    assert (true, estimate) == (6.0, pytest.approx(3.0, abs=0.1))

    results = held_out(records)
    odd = results["odd"]["hip_tilt_deg"]
    assert odd["refit_in_family_sigma"]["gain"] == pytest.approx(0.5, abs=0.05)
    assert odd["refit_on_training"]["gain"] == pytest.approx(1.0, abs=0.05)
    assert odd["uncalibrated"]["gain"] == pytest.approx(0.25, abs=0.05)
    # The in-family residual is tiny, so it covers almost none of the held-out family's error.
    assert odd["refit_in_family_sigma"]["covered"] < 0.5
    headline = worst(results, "refit_in_family_sigma")["hip_tilt_deg"]
    assert headline["mae"][1] == "odd" and headline["gain"][1] == "odd"


def test_the_report_heads_with_the_worst_held_out_family():
    records = _records({"a": 0.5, "b": 0.5, "c": 0.5, "odd": 0.25})
    text = report_text(records, held_out(records))
    assert text.startswith("36 renders in 4 families: a 9, b 9, c 9, odd 9")
    refit = [line for line in text.splitlines() if line.startswith("  refit ") and "hip_tilt_deg" in line]
    assert refit and "(odd)" in refit[0]
    assert "shoulder_tilt_deg" not in text.split("WORST")[1]  # nothing measured: no headline


def test_the_skin_gain_says_how_much_of_the_true_hip_tilt_the_pelvis_surface_shows(tmp_path):
    """A family whose skin does not follow the pelvis (a waist kept level) reads near 0; one whose
    skin follows it reads 1. The subject's left is on the image's right in a front view."""
    for index, (family, skin_share) in enumerate([("follows", 1.0), ("level_waist", 0.0)] * 4):
        true = [-6.0, -2.0, 3.0, 6.0][index // 2]
        rise = 100.0 * math.tan(math.radians(true * skin_share))
        truth = {"spec": {"family": family}, "measurements": {"hip_tilt_deg": true},
                 "surface_2d": {"left_asis": [400.0, 600.0 - rise], "right_asis": [300.0, 600.0]}}
        (tmp_path / f"{family}.{index:03d}.front.truth.json").write_text(json.dumps(truth))
    (tmp_path / "follows.100.side_right.truth.json").write_text("{}")  # profiles are not read

    gains = skin_hip_gains([tmp_path])

    assert gains == pytest.approx({"follows": 1.0, "level_waist": 0.0}, abs=1e-6)


def test_hip_calls_count_found_missed_and_level_by_the_true_high_side():
    records = [_record("x", -6.0, -6.2, sd=0.3), _record("x", 6.0, -1.0, sd=0.3),  # right high found; left missed
               _record("x", 3.5, 0.2, sd=0.3), _record("x", -3.5, -3.4, sd=0.3),  # one 3.5° called absent
               _record("x", 0.2, 0.1, sd=0.3), _record("x", 2.0, 2.0, sd=0.3)]  # level; 2° is neither
    counts = hip_calls(records)["x"]["stated"]
    assert counts["tilt5_found"] == [1, 2] and counts["tilt3_not_absent"] == [1, 2] and counts["level_level"] == [1, 1]


def test_the_shipped_floor_is_the_error_on_families_it_was_not_fitted_on_and_raises_cover():
    # The shipped calibration reads a tilt right on its own family, 80% of it on the others, and
    # states 0.3 everywhere.
    records = [_record(f, t, (1.0 if f == "baseline" else 0.8) * t, sd=0.3)
               for f in ("baseline", "a", "b", "c") for t in np.linspace(-8, 8, 9)]
    floors = out_of_family_floors(records)
    expected = np.sqrt(np.mean(np.square(0.2 * np.linspace(-8, 8, 9))))
    assert floors["hip_tilt_deg"]["sd"] == pytest.approx(expected, abs=1e-3)
    assert floors["hip_tilt_deg"]["families"] == ["a", "b", "c"] and floors["hip_tilt_deg"]["renders"] == 9  # the worst
    held = held_out(records)["a"]["hip_tilt_deg"]
    assert held["shipped"]["covered"] < held["shipped_out_of_family_sigma"]["covered"] == 1.0


def test_the_floor_is_the_error_on_the_worst_family_not_the_pooled_one():
    """A photo does not say which kind it is: a floor pooled over the families covers the mild
    ones and leaves the hard one (here c, read at half its tilt) uncovered when it is held out."""
    gains = {"baseline": 1.0, "a": 0.9, "b": 0.9, "c": 0.5, "d": 0.5}
    records = [_record(f, t, gain * t, sd=0.3) for f, gain in gains.items() for t in np.linspace(-8, 8, 9)]
    floor = out_of_family_floors(records)["hip_tilt_deg"]
    measured = floor.get("sd", floor.get("measured_sd"))  # used or not (hip calls): the value is the point
    pooled = np.sqrt(np.mean(np.square(np.r_[0.1 * np.linspace(-8, 8, 9), 0.5 * np.linspace(-8, 8, 9)])))
    assert measured == pytest.approx(np.sqrt(np.mean(np.square(0.5 * np.linspace(-8, 8, 9)))), abs=1e-3)
    assert measured > pooled + 0.5 and floor["worst_family"] in ("c", "d")
    held = held_out(records)["c"]["hip_tilt_deg"]  # its floor comes from d, as hard, not from a and b
    assert held["shipped_sigma_out"] == pytest.approx(measured, abs=1e-3)
    assert held["shipped_out_of_family_sigma"]["covered"] == 1.0
    assert held_out(records)["a"]["hip_tilt_deg"]["shipped_sigma_out"] == pytest.approx(measured, abs=1e-3)
    together = held_out(held_out_together(records, ["c", "d"]))["c+d"]["hip_tilt_deg"]  # none as hard is left
    assert together["shipped_sigma_out"] == pytest.approx(np.sqrt(np.mean(np.square(0.1 * np.linspace(-8, 8, 9)))))


def test_a_floor_that_costs_a_held_out_family_a_right_call_is_recorded_but_not_used():
    # Each family reads 40% of the tilt, surely: a sigma as wide as the error turns "found" into can't tell.
    records = [_record(f, t, 0.4 * t, sd=0.3) for f in ("baseline", "b", "c") for t in np.linspace(-8, 8, 9)]
    floor = out_of_family_floors(records)["hip_tilt_deg"]
    assert "sd" not in floor and floor["measured_sd"] > 2
    assert "b: tilt5_found 2/4 -> 0/4" in floor["not_used_because"]


def test_the_out_of_family_sigma_grows_with_how_unlike_the_families_are():
    alike = out_of_family_sd(_records({"a": 0.5, "b": 0.5, "c": 0.5}), "hip_tilt_deg")
    unlike = out_of_family_sd(_records({"a": 0.5, "b": 0.35, "c": 0.65}), "hip_tilt_deg")
    assert alike < 0.2 < 1.0 < unlike


def _knee_records(hidden: dict[str, float]) -> list[dict]:
    """Per family, a shipped reading that misses `hidden` of the tilt, and a knee line that reads
    0.5 of the tilt in every family."""
    rng = np.random.default_rng(1)
    records = []
    for family, missed in hidden.items():
        for t in np.linspace(-8, 8, 17):
            record = _record(family, t, (1 - missed) * t + rng.normal(0, 0.2), sd=0.3)
            record["raw"]["knee_tilt_deg"], record["raw_sd"]["knee_tilt_deg"] = 0.5 * t + rng.normal(0, 0.2), 0.2
            records.append(record)
    return records


def test_the_transfer_stage_lifts_a_family_whose_outline_misses_part_of_the_tilt():
    records = _knee_records({"a": 0.0, "b": 0.1, "c": 0.2, "hidden": 0.4})
    results = held_out(records)["hidden"]["hip_tilt_deg"]
    assert results["shipped"]["gain"] == pytest.approx(0.6, abs=0.05)
    assert results["transfer"]["gain"] > 0.75 and results["transfer"]["mae"] < results["shipped"]["mae"]
    stage = fit_transfer(records, "hip_tilt_deg")
    assert stage["features"] == ["hip_tilt_deg", "knee_tilt_deg"] and stage["weights"][1] > 0.2
    # Families see different shares of the tilt, so the held-out sigma grows with the reading.
    assert stage["sd_per_unit"] > 0.05
    calls = hip_calls(records)["hidden"]
    assert calls["transfer"]["tilt5_found"][0] >= calls["stated"]["tilt5_found"][0]


def test_the_written_transfer_stage_is_fitted_on_every_family_and_names_its_worst_held_out_one():
    records = _knee_records({"a": 0.0, "b": 0.1, "c": 0.2, "hidden": 0.4})
    stage = transfer_stages(records, held_out(records))["hip_tilt_deg"]
    assert stage["families"] == ["a", "b", "c", "hidden"] and stage["renders"] == 68
    assert stage["usual_abs"][0] == pytest.approx(4.0, abs=0.3)  # the knee line reads half of up to 8°
    assert stage["worst_held_out"]["gain"][1] == "hidden"


def test_the_held_out_sigma_is_the_one_that_makes_the_errors_most_likely():
    rng = np.random.default_rng(2)
    values = rng.uniform(-8, 8, 4000)
    errors = rng.normal(0, np.sqrt(0.8**2 + (0.2 * values) ** 2))
    sd, per_unit = gaussian_sd(errors, values)
    assert sd == pytest.approx(0.8, abs=0.06) and per_unit == pytest.approx(0.2, abs=0.02)
    flat_sd, flat_per_unit = gaussian_sd(rng.normal(0, 1.0, 4000), values)  # no growth where there is none
    assert flat_sd == pytest.approx(1.0, abs=0.06) and flat_per_unit < 0.06


@pytest.fixture(scope="module")
def body_model():
    from posture.synth.body import BodyModel

    return BodyModel()


def _pose(body_model, **posture):
    from posture.synth.spec import Posture

    phenotype = {k: 0.5 for k in ("gender", "age", "muscle", "weight", "height", "proportions")}
    return body_model.pose(Posture(**posture), phenotype, "front", 0.0)


@needs_anny
@pytest.mark.parametrize("degrees", [6.0, -4.0])
def test_a_rotated_pelvis_stands_on_both_feet_with_the_low_knee_bent(body_model, degrees):
    body = _pose(body_model, pelvic_obliquity_deg=degrees, obliquity_mechanism="pelvis_rotation")
    assert tilt_deg(body.joints["left_hip"], body.joints["right_hip"]) == pytest.approx(degrees, abs=0.1)
    assert all(height < 0.004 for _, _, height in body.blocks)  # both feet down (within a few mm)
    low, high = ("right", "left") if degrees > 0 else ("left", "right")
    # The bent knee comes forward (-y) of the straight one.
    assert body.joints[f"{low}_knee"][1] < body.joints[f"{high}_knee"][1] - 0.03


@needs_anny
def test_a_block_raises_the_high_side_with_legs_alike(body_model):
    body = _pose(body_model, pelvic_obliquity_deg=-5.0, obliquity_mechanism="block")
    (block,) = body.blocks
    assert block[0] < 0 and 0.01 < block[2] < 0.03  # under the right foot
    assert tilt_deg(body.joints["left_hip"], body.joints["right_hip"]) == pytest.approx(-5.0, abs=0.1)


@needs_anny
def test_a_low_lumbar_compensation_keeps_the_trunk_upright_above_a_tilted_pelvis(body_model):
    body = _pose(body_model, pelvic_obliquity_deg=6.0, obliquity_mechanism="pelvis_rotation", lumbar_level="lower")
    assert tilt_deg(body.joints["left_hip"], body.joints["right_hip"]) == pytest.approx(6.0, abs=0.1)
    assert tilt_deg(body.joints["left_shoulder"], body.joints["right_shoulder"]) == pytest.approx(0.0, abs=0.5)
    assert abs(body.joints["neck_base"][0] - body.joints["pelvis_centre"][0]) < 0.02


def test_family_pairs_differ_only_in_posture_and_carry_the_family_change():
    """`generate pairs --family camera_high`: each person's three renders share the high camera,
    the outfit and the room (the family's change drawn once per person), so a measured change is the
    posture's alone; without a family the pairs are as before (a level camera at hip height)."""
    from dataclasses import replace as replaced

    from posture.synth.generate import PAIRED_POSTURES, paired_specs

    plain, high = paired_specs(), paired_specs(family="camera_high")
    assert [s.name for s in plain] == [s.name for s in high] and len(high) == 10 * len(PAIRED_POSTURES)
    for person in range(10):
        trio = high[3 * person:3 * person + 3]
        assert {s.family for s in trio} == {"camera_high"} and 1.35 <= trio[0].camera.height_m <= 1.7
        assert [s.posture for s in trio] == list(PAIRED_POSTURES.values())
        assert all(replaced(s, name="", posture=trio[0].posture) == replaced(trio[0], name="") for s in trio)
        assert plain[3 * person].camera.pitch_deg == 0.0 and plain[3 * person].appearance == trio[0].appearance
