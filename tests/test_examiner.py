"""Examiner mode: protocol points placed by hand merge with detected markers in the pure pipeline,
change exactly the measurements that read them (by known geometry), undo returns the fresh
analysis; the zoomed view maps a click back to photo pixels exactly."""

from __future__ import annotations

import json
import math
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pytest

from posture.analysis import LocatedPhoto, Options, PhotoEdits, analyze_located, locate
from posture.assessment.measurements import Source
from posture.assessment.views import View
from posture.errors import WarningCode
from posture.presentation import marker_label, point_name, report_view
from posture.records import photo_json
from posture.ui.zoom import ZoomWindow, zoomed_view
from posture.vision.landmarks import Landmark
from posture.vision.markers import Marker, PointOrigin, expected_positions, point_words, split_name
from tests.conftest import IMAGE_SIZE, frontal_landmarks, side_landmarks

SIDE = View.SIDE_RIGHT  # the near side is the right one (side_landmarks sees it better)


def _side():
    """A profile whose head sits where a standing person's does (its CVA estimate is plausible, so
    the photo counts as a standing posture photo and its values carry no doubt)."""
    return side_landmarks(SIDE, ear_ahead_px=60.0)


def _located(pose, view: View, detected: dict[str, tuple[float, float]] | None = None) -> LocatedPhoto:
    markers = {name: Marker(name, xy, 0.9) for name, xy in (detected or {}).items()}
    return LocatedPhoto(path=f"{view.value}.jpg", image_size=IMAGE_SIZE, view=view, view_confidence=1.0,
                        landmarks=pose, markers=MappingProxyType(markers))


def _measured(located: LocatedPhoto, edits: PhotoEdits | None = None):
    return analyze_located([located], Options(), {located.path: edits} if edits else None).photos[0]


def _ahead(origin: tuple[float, float], length: float, up_deg: float) -> tuple[float, float]:
    """A point `length` px from `origin`, `up_deg` above the horizontal toward where the side-view person faces."""
    return (origin[0] + SIDE.facing_x * length * math.cos(math.radians(up_deg)),
            origin[1] - length * math.sin(math.radians(up_deg)))


def _changed(before, after) -> set[str]:
    return {mid for mid in before.measurements
            if before.measurements[mid].to_json() != after.measurements[mid].to_json()}


def test_c7_and_tragus_placed_by_hand_give_the_cva_and_change_nothing_else():
    located = _located(_side(), SIDE)
    fresh = _measured(located)
    c7 = (500.0, 420.0)
    edits = PhotoEdits().with_point("c7", c7).with_point("tragus_right", _ahead(c7, 110.0, 48.0))
    placed = _measured(located, edits)
    cva = placed.measurements["craniovertebral_angle_deg"]
    assert cva.value == pytest.approx(48.0, abs=1e-6) and cva.source is Source.MARKERS
    assert cva.landmarks == ("c7", "tragus_right")
    assert _changed(fresh, placed) == {"craniovertebral_angle_deg"}
    assert placed.points["c7"].origin is PointOrigin.BY_HAND and placed.points["c7"].xy_px == c7
    assert placed.estimated == ("acromion_right", "asis_right", "psis_right", "greater_trochanter_right")


def test_asis_and_psis_placed_one_at_a_time_change_the_pelvic_tilt_only_when_both_are_there():
    located = _located(_side(), SIDE)
    fresh = _measured(located)
    psis = (470.0, 900.0)
    asis = (psis[0] + SIDE.facing_x * 130.0, psis[1] + 130.0 * math.tan(math.radians(14.0)))
    one = _measured(located, PhotoEdits().with_point("asis_right", asis))
    assert _changed(fresh, one) == set()  # the PSIS is still estimated: the marker-free estimate stands
    assert one.points["asis_right"].origin is PointOrigin.BY_HAND and "psis_right" in one.estimated
    both = _measured(located, PhotoEdits().with_point("asis_right", asis).with_point("psis_right", psis))
    assert both.measurements["pelvic_tilt_deg"].value == pytest.approx(14.0, abs=1e-6)
    assert _changed(fresh, both) == {"pelvic_tilt_deg"}


def test_undo_and_placing_again_return_what_a_fresh_analysis_gives():
    located = _located(_side(), SIDE)
    fresh = analyze_located([located], Options())
    edits = (PhotoEdits().with_point("c7", (480.0, 430.0)).with_point(Landmark.RIGHT_HIP, (505.0, 930.0))
             .with_point("tragus_right", (560.0, 350.0)))
    undone = edits.undone().undone().undone()
    assert undone == PhotoEdits()
    again = analyze_located([located], Options(), {located.path: undone})
    assert photo_json(again.photos[0]) == photo_json(fresh.photos[0])
    assert again.assessment.findings == fresh.assessment.findings
    # The same point placed twice counts where it was placed last; undo brings back the first place.
    twice = PhotoEdits().with_point("c7", (480.0, 430.0)).with_point("c7", (470.0, 440.0))
    assert twice.markers == {"c7": (470.0, 440.0)} and twice.undone().markers == {"c7": (480.0, 430.0)}
    assert located.markers == {}  # the located photo is never changed


def test_a_point_placed_by_hand_replaces_the_detected_marker_of_its_name_and_the_report_says_which_is_which():
    c7, tragus = (500.0, 420.0), _ahead((500.0, 420.0), 110.0, 50.0)
    located = _located(_side(), SIDE, {"c7": c7, "tragus_right": tragus})
    detected = _measured(located)
    assert detected.measurements["craniovertebral_angle_deg"].value == pytest.approx(50.0, abs=1e-6)
    moved_c7 = (tragus[0] - SIDE.facing_x * 110.0 * math.cos(math.radians(40.0)),
                tragus[1] + 110.0 * math.sin(math.radians(40.0)))
    merged = _measured(located, PhotoEdits().with_point("c7", moved_c7))
    assert merged.measurements["craniovertebral_angle_deg"].value == pytest.approx(40.0, abs=1e-6)
    assert {name: point.origin for name, point in merged.markers.items()} == {
        "c7": PointOrigin.BY_HAND, "tragus_right": PointOrigin.DETECTED}
    assert located.markers["c7"] == Marker("c7", c7, 0.9)  # the located photo keeps its detection
    document = photo_json(merged)
    assert document["markers"]["c7"] == {"x": round(moved_c7[0], 1), "y": round(moved_c7[1], 1), "confidence": 1.0,
                                         "origin": "placed_by_hand"}
    assert document["markers"]["tragus_right"]["origin"] == "detected"
    assert document["markers_estimated"] == ["acromion_right", "asis_right", "psis_right", "greater_trochanter_right"]
    section = report_view(analyze_located([located], Options(), {located.path: PhotoEdits().with_point(
        "c7", moved_c7)})).photos[0]
    assert section.points_text == ("Bony points: detected (coloured marker): tragus; placed by hand: C7; estimated "
                                   "from the pose model: acromion, ASIS, PSIS, trochanter.")
    marker_free = report_view(analyze_located([_located(_side(), SIDE)], Options())).photos[0]
    assert marker_free.points_text is None and marker_free.points == ()


def test_on_a_front_photo_an_acromion_by_hand_and_one_detected_give_the_shoulder_line():
    pose = frontal_landmarks()
    right = (430.0, 560.0)
    located = _located(pose, View.FRONT, {"acromion_right": right})
    fresh = _measured(located)
    left_x = right[0] + View.FRONT.subject_left_x * 140.0
    left = (left_x, right[1] - 140.0 * math.tan(math.radians(3.0)))  # the subject's left 3 deg higher
    placed = _measured(located, PhotoEdits().with_point("acromion_left", left))
    shoulder = placed.measurements["shoulder_tilt_deg"]
    assert shoulder.value == pytest.approx(3.0, abs=1e-6) and shoulder.source is Source.MARKERS
    assert "shoulder_tilt_deg" in _changed(fresh, placed) and "hip_tilt_deg" not in _changed(fresh, placed)
    # A name the view does not have (C7 on a front photo) is not a point of it.
    assert "c7" not in _measured(located, PhotoEdits().with_point("c7", (500.0, 500.0))).points


@pytest.mark.parametrize("factor", [3.0, 6.0, 12.0])
@pytest.mark.parametrize("where", [(512.3, 701.7), (8.0, 12.0), (995.5, 1990.25)])  # middle, two corners
def test_a_dot_on_the_zoomed_view_maps_back_to_where_it_is_on_the_photo(factor, where):
    """A soft bright dot (its centre between pixels) on a working copy at half the photo's size:
    its centre on the zoomed view, shown at another width again, maps back to the photo point
    within a fraction of a pixel."""
    photo_size = (1000, 2000)
    rgb = np.zeros((1000, 500, 3), np.uint8)
    yy, xx = np.mgrid[0:1000, 0:500]
    centre_work = (where[0] * 0.5, where[1] * 0.5)
    # A pixel's centre is its index + 0.5 (the pose model's and the markers' convention).
    glow = np.exp(-((xx + 0.5 - centre_work[0]) ** 2 + (yy + 0.5 - centre_work[1]) ** 2) / (2 * 1.2**2))
    rgb[..., 0] = np.round(250 * glow)
    window = ZoomWindow.around((where[0] + 40.0, where[1] - 25.0), photo_size, factor)  # not centred on it
    assert window.contains(where) and window.width == pytest.approx(2000 / factor)
    assert 0 <= window.left <= 1000 - window.width and 0 <= window.top <= 2000 - window.height
    view = zoomed_view(rgb, photo_size, window, [])
    weights = view[..., 0].astype(float)
    ys, xs = np.mgrid[0:view.shape[0], 0:view.shape[1]]
    dot = (float((xs * weights).sum() / weights.sum()) + 0.5, float((ys * weights).sum() / weights.sum()) + 0.5)
    shown_width = 391.0  # the browser stretches the 640-px view to its column
    clicked = (dot[0] * shown_width / view.shape[1], dot[1] * shown_width / view.shape[1])
    back = window.to_photo(clicked, shown_width)
    assert math.dist(back, where) < 0.35, (back, where)
    assert window.to_view(back, shown_width) == pytest.approx(clicked)


def test_the_whole_photo_window_maps_a_click_as_the_plain_image_does():
    window = ZoomWindow.around((10.0, 10.0), (1200, 1600), 1.0)
    assert (window.left, window.top, window.width, window.height) == (0.0, 0.0, 1200.0, 1600.0)
    assert window.to_photo((210.0, 105.0), 420.0) == pytest.approx((600.0, 300.0))


def test_the_text_html_and_pdf_reports_list_the_points_by_origin():
    from posture.report import report_text
    from posture.report_html import report_html
    from posture.report_pdf import report_pdf
    from tests.pdf_support import all_text, read_pdf

    c7 = (500.0, 420.0)
    located = _located(_side(), SIDE, {"tragus_right": _ahead(c7, 110.0, 50.0)})
    view = report_view(analyze_located([located], Options(), {located.path: PhotoEdits().with_point("c7", c7)}))
    listed = view.photos[0].points_text
    assert listed.startswith("Bony points: detected (coloured marker): tragus; placed by hand: C7;")
    assert listed in report_text(view) and listed in report_html(view)
    assert listed in " ".join(all_text(read_pdf(report_pdf(view))).split())


SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def test_an_unusual_neck_outline_asks_no_retake_once_c7_and_tragus_are_placed(replay):
    """The forward-head sample's neck outline is unlike the renders', so the CVA estimated from the
    pose model is doubted with a retake. Read between C7 and tragus placed by hand it uses no
    outline: the warning and the doubt go; with C7 alone the CVA is still the estimate and both stay."""
    photo = SAMPLES / "forward_head" / "side_right.jpg"
    truth = json.loads(photo.with_suffix(".truth.json").read_text())["surface_2d"]
    located = locate(str(photo), replay, Options())
    c7 = PhotoEdits().with_point("c7", tuple(truth["c7"]))

    def neck_warned(result) -> bool:
        return any(w.code is WarningCode.UNUSUAL_OUTLINE and "around the neck" in w.message for w in result.warnings)

    fresh, c7_only = _measured(located), _measured(located, c7)
    both = _measured(located, c7.with_point("tragus_right", tuple(truth["right_tragus"])))
    assert neck_warned(fresh) and fresh.measurements["craniovertebral_angle_deg"].doubt
    assert neck_warned(c7_only) and c7_only.measurements["craniovertebral_angle_deg"].doubt
    cva = both.measurements["craniovertebral_angle_deg"]
    assert cva.source is Source.MARKERS and not cva.doubt and not neck_warned(both)


@pytest.mark.parametrize("view", list(View))
def test_every_point_offered_has_its_name_and_where_to_click_on_a_photo(view):
    """The chooser's words for each protocol point of the view: its name with the side only where
    the view shows both, and where it shows on a photo (not how to stick a marker on oneself)."""
    pose = frontal_landmarks(view) if view.is_frontal else side_landmarks(view)
    for name in expected_positions(pose, view):
        words, (_, side) = point_words(name), split_name(name)
        assert point_name(name, view) == (f"{side} {words['short']}" if side and view.is_frontal else words["short"])
        assert marker_label(name, view) == words["short"] + (f" {side[0].upper()}" if side and view.is_frontal else "")
        assert words["on_photo"].endswith(".") and not {"marker", "someone", "your"} & set(
            words["on_photo"].lower().replace(",", " ").split()), (name, words["on_photo"])
    assert point_name("asis_left", View.FRONT) == "left ASIS" and marker_label("asis_left", View.FRONT) == "ASIS L"


def test_a_point_placed_on_the_background_warns_and_no_finding_rests_on_it(replay):
    """C7 tapped 15% of the photo's width behind the neck (on the wall) with the tragus on the ear:
    the CVA is read between them but doubted, with a warning naming C7; C7 at its true place, or
    a few pixels off it on the outline, gives neither."""
    photo = SAMPLES / "forward_head" / "side_right.jpg"
    truth = json.loads(photo.with_suffix(".truth.json").read_text())["surface_2d"]
    located = locate(str(photo), replay, Options())
    tragus = PhotoEdits().with_point("tragus_right", tuple(truth["right_tragus"]))
    behind = truth["c7"][0] - SIDE.facing_x * 0.15 * located.image_size[0]
    stray = _measured(located, tragus.with_point("c7", (behind, truth["c7"][1])))
    assert [w.message for w in stray.warnings if w.code is WarningCode.POINT_OFF_BODY] == [
        "Placed off the person (on the background?): C7 (c7). No finding rests on it: place it again on the body."]
    assert stray.measurements["craniovertebral_angle_deg"].doubt.startswith("C7 (c7) placed off the person")
    for c7 in (truth["c7"], (truth["c7"][0] - SIDE.facing_x * 8.0, truth["c7"][1])):
        placed = _measured(located, tragus.with_point("c7", tuple(c7)))
        assert WarningCode.POINT_OFF_BODY not in {w.code for w in placed.warnings}
        assert not placed.measurements["craniovertebral_angle_deg"].doubt


def test_beside_the_points_each_marker_reading_says_its_value_its_doubt_or_the_point_it_waits_for():
    from posture.ui.assess import _marker_readings

    located = _located(_side(), SIDE)
    psis = (470.0, 900.0)
    behind = (psis[0] - SIDE.facing_x * 130.0, psis[1] + 20.0)  # the ASIS behind the PSIS: swapped
    c7_only = report_view(analyze_located([located], Options(), {located.path: PhotoEdits().with_point(
        "c7", (480.0, 430.0)).with_point("asis_right", behind)})).photos[0]
    assert _marker_readings(c7_only) == ["- Craniovertebral angle (head over the neck): place the **tragus** too",
                                         "- Pelvic tilt (front to back): place the **PSIS** too"]
    swapped = report_view(analyze_located([located], Options(), {located.path: PhotoEdits().with_point(
        "asis_right", behind).with_point("psis_right", psis)})).photos[0]
    [tilt] = _marker_readings(swapped)
    assert tilt.startswith("- Pelvic tilt (front to back): ") and "(no finding: the ASIS and PSIS look swapped" in tilt


def test_a_malleolus_placed_by_hand_gives_and_moves_exactly_the_plumb_offsets():
    located = _located(_side(), SIDE)
    fresh = _measured(located)
    above = {"tragus_right": (520.0, 330.0), "acromion_right": (495.0, 510.0),
             "greater_trochanter_right": (505.0, 1010.0), "knee_lateral_right": (498.0, 1420.0)}
    edits = PhotoEdits()
    for name, xy in above.items():
        edits = edits.with_point(name, xy)
    assert _changed(fresh, _measured(located, edits)) == set()  # each waits for the outer ankle bone
    plumb_ids = {"plumb_ear_pct", "plumb_shoulder_pct", "plumb_hip_pct", "plumb_knee_pct"}
    placed = _measured(located, edits.with_point("malleolus_lateral_right", (500.0, 1830.0)))
    assert _changed(fresh, placed) == plumb_ids
    moved = _measured(located, edits.with_point("malleolus_lateral_right", (500.0 + SIDE.facing_x * 17.0, 1830.0)))
    assert _changed(placed, moved) == plumb_ids
    for mid in plumb_ids:  # the line 17 px (1% of the 1700 px height) forward: every part 1% further behind it
        assert moved.measurements[mid].value == pytest.approx(placed.measurements[mid].value - 1.0, abs=1e-9)
        assert moved.measurements[mid].source is Source.MARKERS
