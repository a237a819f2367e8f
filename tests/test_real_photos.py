"""The real model on real photos (../shared/photos/front): detection, metamorphic properties,
multi-person, cut-off bodies, no person. Skipped with a reason when the photos are absent."""

import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from posture.analysis import Options, analyze_single
from posture.assessment.views import View
from posture.errors import ErrorCode, WarningCode

TILTS = ("shoulder_tilt_deg", "hip_tilt_deg")


def run(path: Path, estimator, **options):
    analysis = analyze_single(str(path), estimator, Options(**options))
    return analysis.photos[0], analysis.assessment


def codes(result) -> set[str]:
    return {w.code.value for w in result.warnings}


def test_every_front_photo_is_found_as_a_front_view_with_its_tilts(shared_front_photos, estimator):
    for path in shared_front_photos:
        result, _ = run(path, estimator)
        assert result.ok, (path.name, result.error)
        assert result.view is View.FRONT, path.name
        for mid in TILTS:
            m = result.measurements[mid]
            assert m.measured and abs(m.value) < 15 and m.uncertainty > 0, (path.name, mid)
        x, y = result.landmarks.xy_px[11]
        assert 0 < x < result.image_size[0] and 0 < y < result.image_size[1]


def test_street_clothes_never_turn_into_a_confident_hip_finding_against_the_hip_points(
    shared_front_photos, estimator
):
    """Coats, bags and hands in pockets (these are street-fashion photos) shape the outline around
    the hips unlike the renders the hip model learned from. Most are recognised (`unusual_outline`,
    the hip points count alone); where the outline model still disagrees with the points far more
    than on renders (a handbag at the hip: -1.5 deg against the points' +4.1), the uncertainty grows
    so much that no finding is made. No hip finding ever contradicts the hip points' direction."""
    from posture.assessment.classifier import Status

    warned = 0
    for path in shared_front_photos:
        result, assessment = run(path, estimator)
        hips = result.measurements["hip_tilt_deg"]
        warned += WarningCode.UNUSUAL_OUTLINE.value in codes(result)
        for finding in assessment.findings:
            if finding.id in ("high_left_hip", "high_right_hip") and finding.status is Status.PRESENT:
                assert (finding.id == "high_left_hip") == (hips.raw_value > 0), path.name
        if path.name == "ccp_0008.jpg":
            assert hips.raw_value > 1 and hips.value < -1 and hips.uncertainty > 3
            assert not any(f.id.endswith("_hip") and f.status is Status.PRESENT for f in assessment.findings)
    assert warned >= 6


def test_a_mirrored_photo_gives_the_mirrored_result(shared_front_photos, estimator, tmp_path):
    """Test-time augmentation with a set of copies closed under flipping: the mirrored photo's
    copies are the original's copies, so every measurement mirrors (the bare model disagrees by a
    median 2.2 deg on these photos)."""
    for path in shared_front_photos[:4]:
        mirrored = tmp_path / f"{path.stem}.mirrored.png"
        Image.open(path).transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(mirrored)
        original, _ = run(path, estimator)
        flipped, _ = run(mirrored, estimator)
        for mid in (*TILTS, "head_tilt_deg", "lateral_trunk_lean_deg", "weight_shift_pct"):
            a, b = original.measurements[mid].value, flipped.measurements[mid].value
            assert abs(a + b) < 0.15, (path.name, mid, a, b)
        left, right = original.measurements["left_knee_valgus_deg"], flipped.measurements["right_knee_valgus_deg"]
        assert left.value == pytest.approx(right.value, abs=0.15)


def test_an_exif_rotated_lossless_copy_gives_identical_landmarks(shared_front_photos, estimator, tmp_path):
    path = shared_front_photos[0]
    upright = Image.open(path).convert("RGB")
    upright.save(tmp_path / "upright.png")
    exif = Image.Exif()
    exif[0x0112] = 6  # stored rotated; viewers turn it 90 degrees clockwise
    upright.transpose(Image.Transpose.ROTATE_90).save(tmp_path / "rotated.png", exif=exif)
    a, _ = run(tmp_path / "upright.png", estimator)
    b, _ = run(tmp_path / "rotated.png", estimator)
    assert b.image_size == a.image_size
    assert np.array_equal(a.landmarks.xy_px, b.landmarks.xy_px)


def test_an_exif_rotated_reencoded_jpeg_stays_close(shared_front_photos, estimator, tmp_path):
    """Re-encoding adds JPEG noise the model reacts to: measured here median 0.26, p90 0.53 deg
    for the pose estimate (bare model: 0.30 / 1.24, python -m benchmarks.consistency); leveling adds the
    roll estimate's noise and the hip calibration scales differences by 1.18 (p90 0.74, as here)."""
    differences = []
    for path in shared_front_photos:
        exif = Image.Exif()
        exif[0x0112] = 6
        Image.open(path).transpose(Image.Transpose.ROTATE_90).save(tmp_path / "r.jpg", exif=exif, quality=95)
        a, _ = run(path, estimator)
        b, _ = run(tmp_path / "r.jpg", estimator)
        differences += [abs(a.measurements[mid].value - b.measurements[mid].value) for mid in TILTS]
    assert np.median(differences) < 0.35
    assert np.percentile(differences, 90) < 0.8


def test_two_people_warn_and_the_larger_one_is_analysed(shared_front_photos, estimator, tmp_path):
    big = Image.open(shared_front_photos[1]).convert("RGB")
    small = Image.open(shared_front_photos[2]).convert("RGB")
    small = small.resize((small.width * 2 // 3, small.height * 2 // 3))
    canvas = Image.new("RGB", (big.width + small.width, big.height), (128, 128, 128))
    canvas.paste(small, (0, big.height - small.height))
    canvas.paste(big, (small.width, 0))
    canvas.save(tmp_path / "two.png")
    result, _ = run(tmp_path / "two.png", estimator)
    assert WarningCode.SEVERAL_PEOPLE.value in codes(result)
    assert result.landmarks.xy_px[0, 0] > small.width  # the nose of the larger person


def test_a_body_cut_off_at_the_knees_measures_what_it_can(shared_front_photos, estimator, tmp_path):
    image = Image.open(shared_front_photos[0]).convert("RGB")
    image.crop((0, 0, image.width, int(image.height * 0.62))).save(tmp_path / "cut.png")
    result, _ = run(tmp_path / "cut.png", estimator)
    assert result.ok
    assert WarningCode.BODY_CUT_OFF.value in codes(result)
    assert result.measurements["shoulder_tilt_deg"].measured
    assert not result.measurements["weight_shift_pct"].measured
    assert "not visible" in result.measurements["left_knee_valgus_deg"].reason


def test_a_photo_without_a_person_is_a_clear_error(estimator, tmp_path):
    y, x = np.mgrid[0:480, 0:640]
    wall = np.stack([x % 256, y % 256, (x + y) % 256], axis=2).astype(np.uint8)
    Image.fromarray(wall).save(tmp_path / "wall.png")
    result, assessment = run(tmp_path / "wall.png", estimator)
    assert result.error.code is ErrorCode.NO_PERSON
    assert assessment.recommendations == ()


def test_a_front_photo_given_as_a_side_view_warns(shared_front_photos, estimator):
    result, _ = run(shared_front_photos[0], estimator, view=View.SIDE_RIGHT)
    assert WarningCode.VIEW_MISMATCH.value in codes(result)
    assert result.view is View.SIDE_RIGHT


def test_asis_behind_psis_warns_that_the_markers_look_swapped(shared_front_photos, estimator):
    from posture.assessment.measurements import PelvisMarkers

    # Given as a right profile (facing +x): an ASIS at a smaller x than the PSIS is behind it.
    markers = PelvisMarkers(asis=(200.0, 400.0), psis=(260.0, 390.0))
    result, _ = run(shared_front_photos[0], estimator, view=View.SIDE_RIGHT, markers=markers)
    assert WarningCode.MARKERS_SUSPECT.value in codes(result)
    assert result.measurements["pelvic_tilt_deg"].method.startswith("exact")


def test_a_rolled_camera_is_leveled_and_the_tilts_stay(shared_front_photos, estimator, tmp_path):
    """A photo with building edges, rolled by 4 deg as a tilted phone would take it (background
    included, no empty corners): camera_roll_deg follows the rotation and the points' tilts stay
    within 1 deg of the original's beyond the roll's own error (python -m benchmarks.consistency
    measures all photos); the calibrated ones, which add the cropped, re-sampled outline, within
    1.5 deg (their uncertainty is ~1 deg)."""
    from benchmarks.consistency import rolled

    path = next(p for p in shared_front_photos if p.name == "ccp_0061.jpg")
    base, _ = run(path, estimator)
    assert base.leveled
    for degrees in (4.0, -4.0):
        rolled(Image.open(path).convert("RGB"), degrees).save(tmp_path / "rolled.png")
        moved, _ = run(tmp_path / "rolled.png", estimator)
        assert moved.leveled
        # Followed within 1 deg (issue 16's measure) and within 2 combined SDs: the pipeline weighs
        # each roll against the rolls real photos have (SD 2.3 deg), so a sure 4 deg reads ~3.6.
        error = moved.camera_roll_deg - base.camera_roll_deg - degrees
        assert abs(error) <= min(1.0, 2 * math.hypot(moved.camera_roll_sd_deg, base.camera_roll_sd_deg)), error
        for mid in TILTS:
            now, before = moved.measurements[mid], base.measurements[mid]
            # A tilt moves 1:1 with the roll's error, plus the points' own noise.
            assert abs(now.raw_value - before.raw_value) < 1.0 + abs(error), (degrees, mid)
            assert abs(now.value - before.value) < 1.5 + abs(error), (degrees, mid)


def test_a_background_that_levels_only_loosely_keeps_its_roll_error_in_every_tilt(shared_front_photos, estimator):
    """ccp_0099's facades give horizontals in perspective: the roll is used, weighed against the
    rolls real photos have, and its SD (over 1 deg) stays in the tilts' uncertainty."""
    path = next(p for p in shared_front_photos if p.name == "ccp_0099.jpg")
    result, _ = run(path, estimator)
    assert result.leveled and result.camera_roll_sd_deg > 1.0
    assert result.measurements["lateral_trunk_lean_deg"].uncertainty >= result.camera_roll_sd_deg


def test_the_same_photo_given_twice_as_a_side_view_is_analysed_twice(shared_front_photos, estimator):
    from posture.analysis import analyze_person
    from posture.assessment.measurements import PelvisMarkers

    path = str(shared_front_photos[0])
    options = Options(view=View.SIDE_RIGHT, markers=PelvisMarkers((300.0, 400.0), (250.0, 390.0)))
    results = analyze_person([path, path], estimator, options).photos
    assert len(results) == 2 and all(r.ok for r in results)
    assert all(WarningCode.MARKERS_IGNORED.value in codes(r) for r in results)  # two side photos
