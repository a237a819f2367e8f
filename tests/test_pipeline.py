"""One pipeline with immutable results, on the model's recorded answers (fast lane): located photos
are never changed, everything after them is a pure function of them and the person's inputs, and
every renderer shows the same findings."""

from __future__ import annotations

import json
import math
import random
import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from posture.analysis import Options, PhotoEdits, analyze_located, locate
from posture.assessment.classifier import Status
from posture.assessment.measurements import PelvisMarkers
from posture.assessment.pain import Pain
from posture.history.db import open_database
from posture.history.progress import findings_and_corrections
from posture.history.store import save_assessment
from posture.presentation import report_view
from posture.records import report_json
from posture.report import report_text
from posture.report_html import findings_html, report_html
from posture.report_pdf import report_pdf
from posture.vision.landmarks import Landmark, PoseLandmarks
from tests.golden import GOLDEN, differences, run_case, sample_cases
from tests.pdf_support import all_text, read_pdf

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
HIP = [str(SAMPLES / "high_left_hip" / name) for name in ("front.jpg", "side_right.jpg")]
TILT = [str(SAMPLES / "anterior_tilt" / name) for name in ("front.jpg", "side_right.jpg")]


@pytest.mark.parametrize("name", sorted(sample_cases()))
def test_replayed_samples_give_the_golden_reports(name, replay):
    golden = json.loads((GOLDEN / f"{name}.json").read_text())
    assert differences(golden, run_case(sample_cases()[name], replay)) == []


def _inputs(rng: random.Random, side_path: str, front_path: str) -> tuple[Options, dict[str, PhotoEdits]]:
    """Height, pain, ASIS/PSIS and a moved point, each given or not, in any combination."""
    pain = rng.choice([None, Pain(("lower_back",), rng.randint(0, 10), None), Pain(("hip", "sciatica"), 8, 20.0)])
    height = rng.choice([None, 160.0, 185.5])
    edits = {}
    if rng.random() < 0.5:
        edits[side_path] = PhotoEdits().with_point("asis_right", (420.0 + rng.randint(-20, 20), 700.0)).with_point(
            "psis_right", (300.0, 690.0))
    if rng.random() < 0.5:
        edits[front_path] = PhotoEdits().with_point(Landmark.LEFT_HIP, (417.0, 600.0 + rng.randint(0, 20)))
    return Options(height_cm=height, pain=pain), edits


def test_any_order_of_pain_height_and_markers_gives_what_a_fresh_analysis_gives(replay):
    """The app derives the report on every rerun from the located photos and the inputs; nothing
    it derived before may leak into the next (the double-calibrated hip line of the old app)."""
    located = [locate(path, replay, Options()) for path in HIP]
    cases = [_inputs(random.Random(seed), located[1].path, located[0].path) for seed in range(10)]
    fresh = [report_json(analyze_located([locate(path, replay, Options()) for path in HIP], *case)) for case in cases]
    order = random.Random(3).choices(range(len(cases)), k=40)  # the person changes inputs back and forth
    for pick in order:
        assert report_json(analyze_located(located, *cases[pick])) == fresh[pick]


def test_concurrent_derivations_do_not_disturb_each_other(replay):
    """Streamlit starts a rerun before the last one ends: derivations run side by side."""
    located = [locate(path, replay, Options()) for path in HIP]
    cases = [_inputs(random.Random(seed), located[1].path, located[0].path) for seed in range(12)]
    expected = [json.dumps(report_json(analyze_located(located, *case))) for case in cases]
    seen: list[tuple[int, str]] = []

    def work(offset: int) -> None:
        for index in range(len(cases)):
            pick = (index + offset) % len(cases)
            seen.append((pick, json.dumps(report_json(analyze_located(located, *cases[pick])))))

    threads = [threading.Thread(target=work, args=(offset,)) for offset in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 6 * len(cases)
    assert all(report == expected[pick] for pick, report in seen)


def test_located_photos_cannot_be_written_into(replay):
    photo = locate(HIP[0], replay, Options())
    with pytest.raises(ValueError):
        photo.image[0, 0] = 0
    with pytest.raises(ValueError):
        photo.person_mask[0, 0] = 1.0
    for array in (photo.landmarks.xy_px, photo.landmarks.visibility, photo.landmarks.samples_px):
        with pytest.raises(ValueError):
            array[0] = 0
    with pytest.raises(AttributeError):
        photo.view = None
    result = analyze_located([photo], Options()).photos[0]
    with pytest.raises(TypeError):
        result.measurements["hip_tilt_deg"] = None


def test_pain_never_changes_a_finding_or_a_measurement(replay):
    located = [locate(path, replay, Options()) for path in HIP]
    calm = report_json(analyze_located(located, Options()))
    hurting = report_json(analyze_located(located, Options(pain=Pain(("lower_back", "hip"), 9, 30.0))))
    assert calm["photos"] == hurting["photos"]
    assert calm["assessment"]["findings"] == hurting["assessment"]["findings"]


def _with_a_pattern(replay):
    """The anterior-tilt sample with ASIS and PSIS placed 24° apart: the lower-crossed pattern."""
    located = [locate(path, replay, Options()) for path in TILT]
    side = located[1]
    hip = side.landmarks.point(Landmark.RIGHT_HIP)
    psis = (hip[0] - side.view.facing_x * 60, hip[1] - 40)
    asis = (psis[0] + side.view.facing_x * 120, psis[1] + 120 * math.tan(math.radians(24)))
    return analyze_located(located, Options(), {side.path: PhotoEdits().with_point("asis_right", asis).with_point(
        "psis_right", psis)})


def test_every_renderer_shows_the_same_findings_and_patterns(replay, tmp_path):
    analysis = _with_a_pattern(replay)
    present = [f for f in analysis.assessment.findings if f.status is Status.PRESENT]
    assert any(f.is_pattern for f in present), "the case must have a present pattern"
    view = report_view(analysis)
    text, html, pdf = report_text(view), report_html(view), all_text(read_pdf(report_pdf(view)))
    sessions = open_database(str(tmp_path / "history.sqlite"))
    saved = save_assessment(sessions, "Ann", analysis)
    with sessions() as session:
        progress = findings_html(findings_and_corrections(session, saved))
    findings_part = {
        "text": text.split("WHAT THE PHOTOS SUGGEST")[1].split("CORRECTIONS")[0],
        "html": html.split("<h2>What the photos suggest</h2>")[1].split("<h2>Corrections</h2>")[0],
        "pdf": pdf.split("What the photos suggest")[1].split("Corrections")[0],
        "progress": progress.split("<h2>Corrections</h2>")[0],
    }
    for finding in present:
        for renderer, part in findings_part.items():
            assert finding.label in part, (renderer, finding.label)
    shown = [s.finding.id for s in (*view.summary.findings, *view.summary.patterns)]
    assert sorted(shown) == sorted(f.id for f in present)


def test_the_leveled_frame_turns_points_mask_and_markers_together():
    """A side photo rolled by the camera and leveled reads what the upright photo reads: the
    outline offsets too (they were measured on the unleveled mask)."""
    import cv2

    from posture.assessment.measurements import measure
    from posture.assessment.views import View
    from posture.vision.landmarks import rotate_points
    from tests.conftest import side_landmarks

    view = View.SIDE_RIGHT
    pose = side_landmarks(view, shoulder_ahead_px=20.0)
    mask = np.zeros((2000, 1000), np.float32)
    cv2.ellipse(mask, (500, 1000), (90, 900), 0, 0, 360, 1.0, -1)
    cv2.circle(mask, (440, 1000), 70, 1.0, -1)  # a buttock behind the hip
    markers = PelvisMarkers((560.0, 1030.0), (440.0, 1000.0))
    upright, upright_markers = measure(pose, view, mask), measure(pose, view, mask, markers=markers)
    for roll in (-4.0, 3.0):
        turn = cv2.getRotationMatrix2D((500, 1000), roll, 1.0)
        rolled_mask = cv2.warpAffine(mask, turn, (1000, 2000), flags=cv2.INTER_LINEAR)
        rolled_points = pose.rotated(roll)
        turned = [tuple(rotate_points(np.array(point), roll, (1000, 2000))) for point in (markers.asis, markers.psis)]
        rolled_markers = PelvisMarkers(*turned)
        rolled = measure(rolled_points, view, rolled_mask, camera_roll_deg=roll)
        for mid in ("buttock_behind_hip_pct", "lumbar_hollow_behind_hip_pct", "belly_ahead_of_hip_pct",
                    "pelvic_tilt_deg", "shoulder_ahead_of_hip_pct"):
            assert rolled[mid].value == pytest.approx(upright[mid].value, abs=0.05), (mid, roll)
        exact = measure(rolled_points, view, rolled_mask, markers=rolled_markers, camera_roll_deg=roll)
        assert exact["pelvic_tilt_deg"].value == pytest.approx(upright_markers["pelvic_tilt_deg"].value, abs=1e-6)


def test_a_replay_finds_its_answers_when_another_machine_decodes_a_bit_differently(replay, monkeypatch):
    """Another CPU may resize or decode an image a last bit differently: no exact hash matches,
    and the nearest recorded thumbnail of the same size answers."""
    import tests.replay

    monkeypatch.setattr(tests.replay, "image_key", lambda image: "unrecorded")
    name = "samples-high_left_hip"
    golden = json.loads((GOLDEN / f"{name}.json").read_text())
    assert differences(golden, run_case(sample_cases()[name], replay)) == []


def test_what_no_photo_could_tell_is_one_line_per_missing_view_in_every_renderer(replay, tmp_path):
    """A front photo alone: one line naming what a side photo would tell, not a "can't tell" per
    finding; the front and side photos together: no such line."""
    front_only = analyze_located([locate(HIP[0], replay, Options())], Options())
    summary = report_view(front_only).summary
    line = "Needs a side photo for: forward head, rounded shoulders, pelvic tilt, knee hyperextension."
    assert [missing.text for missing in summary.missing_views] == [line]
    assert summary.not_measured == ()  # the front photo measured every front finding it could
    sessions = open_database(str(tmp_path / "history.sqlite"))
    saved = save_assessment(sessions, "Ann", front_only)
    with sessions() as session:
        progress = findings_html(findings_and_corrections(session, saved))
    for renderer, page in {"text": report_text(report_view(front_only)), "html": report_html(report_view(front_only)),
                           "progress": progress}.items():
        assert page.count("Needs a") == 1 and line in page, renderer
        assert "no photo of a view" not in page, renderer
    both = report_view(analyze_located([locate(path, replay, Options()) for path in HIP], Options())).summary
    assert both.missing_views == ()


def test_a_photo_of_the_view_that_could_not_measure_says_why_by_topic(replay):
    """A failed side photo is a missing view; a front photo whose knees are unread is not measured,
    once for both knees and both directions, with the reason."""
    located = locate(HIP[0], replay, Options())
    knees_hidden = located.landmarks.visibility.copy()
    for knee in (Landmark.LEFT_KNEE, Landmark.RIGHT_KNEE):
        knees_hidden[knee] = 0.0
    hidden = replace(located, landmarks=PoseLandmarks(located.landmarks.xy_px, knees_hidden,
                                                      located.landmarks.image_size))
    summary = report_view(analyze_located([hidden], Options())).summary
    knees = [u for u in summary.not_measured if u.label == "knees angled in or out"]
    assert len(knees) == 1 and "knee" in knees[0].note
    assert "knees angled in or out" not in " ".join(m.text for m in summary.missing_views)
