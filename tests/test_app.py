"""The app's pages driven by Streamlit's AppTest (no browser): real model, real sample photos."""

from __future__ import annotations

import io
import json
import random
import re
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from PIL import Image as PILImage
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Image

from posture.assessment.corrections import exercise_title
from posture.assessment.pain import PAIN_REGIONS
from posture.data_files import drawn_side, exercise_picture, load

REPO = Path(__file__).resolve().parents[1]
HIGH_HIP = REPO / "samples" / "high_left_hip"
NEUTRAL = REPO / "samples" / "neutral"
TIMEOUT_S = 120


def _app() -> AppTest:
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT_S)
    return app.run()


def _upload(app: AppTest, key: str, path: Path, data: bytes | None = None) -> None:
    for target in _every(app.get("file_uploader"), key):
        target.set_value([(path.name, data if data is not None else path.read_bytes(), "image/jpeg")])


def _every(widgets, key: str) -> list:
    """Every copy of a widget in AppTest's tree: after a run that called st.rerun() (the analysis
    does) the tree keeps the cut-short run's elements too, and a value set on one copy only is
    overwritten by the other's."""
    found = [w for w in widgets if w.key == key]
    assert found, key
    return found


def _markdown(app: AppTest) -> str:
    return "\n".join(m.value for m in app.markdown)


EXERCISE_TEXT = re.compile(r"^(\d+\. \*\*|\*\*(Stretch|Strengthen) \()")  # a plan item, or one in the details


def _exercise_rows(node) -> list[tuple[Image, str]]:
    """(picture, text) of every exercise shown with its picture beside it, in page order."""
    children = list(getattr(node, "children", {}).values())
    columns = [c for c in children if getattr(c, "type", "") == "column"]
    if len(columns) == 2 and len(children) == 2:
        picture, words = (list(c.children.values()) for c in columns)
        if (len(picture) == 1 and picture[0].type == "image" and words and words[0].type == "markdown"
                and EXERCISE_TEXT.match(words[0].value)):
            return [(picture[0], words[0].value)]
    return [row for child in children for row in _exercise_rows(child)]


def _analyse(app: AppTest) -> AppTest:
    app.button[0].click()
    return app.run()


@pytest.fixture
def downloads(monkeypatch) -> dict[str, bytes]:
    """What the download buttons would hand over, by their URL. AppTest keeps a download's bytes in
    a media store it throws away after each run, so they are caught on the way in."""
    caught: dict[str, bytes] = {}
    add = MediaFileManager.add

    def catching_add(self, path_or_data, mimetype, coordinates, file_name=None, is_for_static_download=False):
        url = add(self, path_or_data, mimetype, coordinates, file_name, is_for_static_download)
        if is_for_static_download:
            caught[url] = path_or_data
        return url

    monkeypatch.setattr(MediaFileManager, "add", catching_add)
    return caught


def _download(app: AppTest, downloads: dict[str, bytes], label: str) -> bytes:
    button = next(b for b in app.get("download_button") if b.label == label)
    return downloads[button.proto.url]


def test_opens_on_assess_with_disclaimer_and_red_flags():
    app = _app()
    assert not app.exception
    assert app.title[0].value == "Assess your posture"
    assert "not a diagnosis" in app.info[0].value
    assert len(app.checkbox) == 5  # the red-flag screen, on the first screen
    assert app.button[0].disabled  # nothing to analyse yet


@pytest.mark.model
def test_two_photos_give_findings_and_targeted_corrections():
    app = _app()
    _upload(app, "upload-front", HIGH_HIP / "front.jpg")
    _upload(app, "upload-side", HIGH_HIP / "side_right.jpg")
    app = _analyse(app.run())
    assert not app.exception
    text = _markdown(app)
    assert "Left hip higher than right" in text
    assert "Strengthen (left): Side-lying leg lift (gluteus medius)" in text  # the high side's glute medius
    subheaders = [s.value for s in app.subheader]
    assert subheaders.index("In short") < subheaders.index("Details")  # the summary and plan come first
    assert "**Your plan.** About" in text and "Side-lying leg lift (gluteus medius)** (left)" in text
    photos = [e.label for e in app.expander if "photo (" in e.label]
    assert photos == ["front photo (front.jpg): front view", "side photo (side_right.jpg): side right view"]
    assert len(app.get("image")) - len(_exercise_rows(app.main)) == 2  # one annotated image per photo


@pytest.fixture
def media(monkeypatch) -> dict[str, bytes]:
    """The bytes of every image the app serves, by URL (as `downloads` catches downloads)."""
    caught: dict[str, bytes] = {}
    add = MediaFileManager.add

    def catching_add(self, path_or_data, mimetype, coordinates, file_name=None, is_for_static_download=False):
        url = add(self, path_or_data, mimetype, coordinates, file_name, is_for_static_download)
        caught[url] = path_or_data
        return url

    monkeypatch.setattr(MediaFileManager, "add", catching_add)
    return caught


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


@pytest.mark.model
def test_the_plan_shows_each_exercise_beside_the_picture_of_it(media):
    app = _app()
    _upload(app, "upload-front", HIGH_HIP / "front.jpg")
    app = _analyse(app.run())
    in_short = next(block for block in app.main.children.values()
                    if any(getattr(n, "type", "") == "subheader" and n.value == "In short" for n in _walk(block)))
    items = [n.value for n in _walk(in_short) if getattr(n, "type", "") == "markdown" and re.match(r"\d+\. ", n.value)]
    rows = _exercise_rows(in_short)
    assert items and [text for _, text in rows] == items  # every plan item has its picture beside it
    catalog = load("corrections.json")["exercises"]
    by_title = {exercise_title(e["name"], e["anatomy"]): exercise_id for exercise_id, e in catalog.items()}
    drawn = {exercise_id: np.asarray(PILImage.open(exercise_picture(exercise_id)).convert("L"), float)
             for exercise_id in catalog}
    pictures = {**{(e, "as drawn"): pixels for e, pixels in drawn.items()},
                **{(e, "mirrored"): pixels[:, ::-1] for e, pixels in drawn.items()}}  # turned to the side worked
    for picture, text in rows:
        title, side = re.match(r"\d+\. \*\*(.+?)\*\*(?: \((left|right)\))?", text).groups()
        exercise_id = by_title[title]
        turned = "mirrored" if side and drawn_side(exercise_id) not in (None, side) else "as drawn"
        shown = PILImage.open(io.BytesIO(media[picture.proto.imgs[0].url])).convert("L")
        differences = {other: np.abs(np.asarray(shown.resize((480, 340)), float) - pixels).mean()
                       for other, pixels in pictures.items()}
        assert min(differences, key=differences.get) == (exercise_id, turned)  # that exercise, on its side
    assert len(_exercise_rows(app.main)) > len(rows)  # and again beside each exercise in the details


@pytest.mark.model
def test_red_flag_hides_the_exercises_and_says_why():
    app = _app()
    _upload(app, "upload-front", HIGH_HIP / "front.jpg")
    app = _analyse(app.run())
    app.checkbox[0].check()
    app = app.run()
    assert "see a doctor or physiotherapist" in app.error[0].value
    assert "Side stretch at the waist" not in _markdown(app)
    assert not _exercise_rows(app.main)  # nor their pictures
    assert "Left hip higher than right" in _markdown(app)  # the finding itself stays


@pytest.mark.model
def test_pain_puts_linked_corrections_first_and_adds_advice():
    app = _app()
    _upload(app, "upload-front", REPO / "samples" / "forward_head" / "front.jpg")
    app = _analyse(app.run())
    for regions in _every(app.multiselect, "pain-regions"):
        regions.select("neck")
    for level in _every(app.slider, "pain-level"):
        level.set_value(8)
    app = app.run()
    assert any("Linked to your neck pain" in c.value for c in app.caption)
    assert any("Your pain is severe (8/10)" in w.value for w in app.warning)


@pytest.mark.model
def test_bad_uploads_get_a_clear_message_and_the_app_keeps_working(tmp_path):
    app = _app()
    _upload(app, "upload-front", Path("notes.jpg"), b"this is not a photo")
    _upload(app, "upload-side", HIGH_HIP / "side_right.jpg")
    app = _analyse(app.run())
    assert not app.exception
    assert any("Front photo" in e.value and "notes.jpg is not an image" in e.value
               and "save the photo as JPEG" in e.value for e in app.error)
    assert any(e.label.startswith("side photo (side_right.jpg)") for e in app.expander)


@pytest.mark.model
def test_a_photo_without_a_person_says_how_to_retake(tmp_path):
    from PIL import Image

    empty = tmp_path / "wall.jpg"
    Image.new("RGB", (640, 960), (200, 190, 180)).save(empty)
    app = _app()
    _upload(app, "upload-front", empty)
    app = _analyse(app.run())
    assert not app.exception
    assert any("No person was found" in e.value and "whole body" in e.value for e in app.error)


@pytest.mark.model
def test_an_assessment_saved_to_a_new_profile_shows_on_the_progress_page(tmp_path, monkeypatch):
    monkeypatch.setenv("POSTURE_DB", str(tmp_path / "history.sqlite"))
    app = _app()
    _upload(app, "upload-front", HIGH_HIP / "front.jpg")
    app = _analyse(app.run())
    app.selectbox(key="assess-profile").set_value("+ New profile")
    app = app.run()
    next(t for t in app.text_input if t.label.startswith("Name")).input("Client 7 'O'Hara'")
    app.checkbox[-1].check()  # keep photos (opt in)
    next(b for b in app.button if b.label == "Create profile").click()
    app = app.run()
    assert app.selectbox(key="assess-profile").value == "Client 7 'O'Hara'"  # chosen once created
    next(b for b in app.button if b.key == "assess-save").click()
    app = app.run()
    assert any("Saved as visit 1 of" in s.value for s in app.success)
    app.date_input(key="assess-date").set_value(date(2026, 1, 5))
    app = app.run()  # another day: not a copy, so Save is offered again
    next(b for b in app.button if b.key == "assess-save").click()
    app = app.run()
    assert any("Saved as visit 1 of" in s.value for s in app.success)  # dated before today's: it is the first

    progress = AppTest.from_function(_progress_page, default_timeout=TIMEOUT_S).run()
    assert not progress.exception
    assert progress.selectbox(key="progress-profile").value == "Client 7 'O'Hara'"
    assert progress.selectbox(key="progress-first").value == 2  # the earlier date comes first
    assert f"**Found on {date.today()}:** Left hip higher" in _markdown(progress)  # the latest assessment's
    assert "**Front**" in _markdown(progress)  # its one view, both dates side by side
    changes = progress.dataframe[0].value
    assert set(changes["verdict"]) == {"no real change yet"}  # the same photo twice
    assert len(_elements_of_type(progress._tree, "vega")) == 4  # the four key trend charts


def _progress_page():
    from posture.ui.progress import page

    page()


def _elements_of_type(node, fragment: str) -> list:
    found = [node] if fragment in str(getattr(node, "type", "")) else []
    for child in getattr(node, "children", {}).values():
        found += _elements_of_type(child, fragment)
    return found


@pytest.mark.model
def test_a_new_photo_hides_the_old_results_until_it_is_analysed():
    app = _app()
    _upload(app, "upload-front", HIGH_HIP / "front.jpg")
    app = _analyse(app.run())
    assert "Left hip higher than right" in _markdown(app)
    _upload(app, "upload-front", NEUTRAL / "front.jpg")  # another person's photo in the same place
    app = app.run()
    assert not app.exception
    assert any("photos have changed since they were analysed" in w.value for w in app.warning)
    assert "Left hip higher than right" not in _markdown(app) and not app.get("image") and not app.dataframe
    app = _analyse(app)
    assert not any("photos have changed" in w.value for w in app.warning)
    assert "Left hip higher than right" not in _markdown(app)
    assert any(e.label.startswith("front photo (front.jpg)") for e in app.expander) and len(app.get("image")) == 1


def test_a_file_of_another_kind_is_refused_with_why():
    app = _app()
    _upload(app, "upload-front", Path("holiday.gif"), b"GIF89a not a posture photo")
    app = app.run()
    assert not app.exception
    assert any("holiday.gif: a .gif file is not a photo this app reads" in e.value and "JPEG" in e.value
               for e in app.error)
    assert app.button[0].disabled  # nothing to analyse


@pytest.mark.model
def test_a_height_adds_lengths_in_cm_and_a_missing_side_photo_is_one_line():
    app = _app()
    _upload(app, "upload-front", HIGH_HIP / "front.jpg")
    app = _analyse(app.run())
    finding = next(m.value for m in app.markdown if "Left hip higher than right" in m.value and "####" in m.value)
    assert " cm" not in finding and not any(" cm" in v for v in app.dataframe[0].value["value"])
    not_told = [i.value for i in app.info if "Not told by these photos" in i.value]
    assert len(not_told) == 1 and not_told[0].count("Needs a side photo for: forward head, rounded shoulders") == 1
    app.number_input(key="height").set_value(172)
    app = app.run()
    finding = next(m.value for m in app.markdown if "Left hip higher than right" in m.value and "####" in m.value)
    assert re.search(r"Hip line tilt \(lateral pelvic tilt\): [-+][0-9.]+ ± [0-9.]+ deg \(usual: below \+3 deg\), "
                     r"[-+][0-9.]+ cm", finding)
    hip_row = list(app.dataframe[0].value["measurement"]).index("Hip line tilt (lateral pelvic tilt)")
    assert re.fullmatch(r"[-+][0-9.]+ ± [0-9.]+ deg, [-+][0-9.]+ cm", app.dataframe[0].value["value"][hip_row])


def test_an_oversized_photo_is_refused_with_a_reason_and_the_app_goes_on(tmp_path):
    from PIL import Image

    huge = tmp_path / "panorama.png"
    Image.new("1", (11_000, 11_000)).save(huge)  # 121 MP, a few kB on disk
    app = _app()
    _upload(app, "upload-front", huge)
    app = _analyse(app.run())
    assert not app.exception
    assert any("more than 120 million pixels" in e.value and "refused" in e.value for e in app.error)


# The person's inputs on the Assess page (widget key -> value): none of them may change a finding.
NO_INPUTS = {"height": 0, "pain-regions": [], "pain-weeks": 0, "pain-level": 0}
FRONT, SIDE = "front photo (front.jpg)", "side photo (side_right.jpg)"
ASIS, PSIS = "asis_right", "psis_right"  # the side photo shows the subject's right side
MOVABLE = {FRONT: ["left_hip", "right_hip", "left_shoulder", "right_shoulder", "left_knee"],
           SIDE: ["right_ear", "right_shoulder", "right_hip", "right_knee"]}
CLICK_WIDTH = 420  # the clickable image's width on the page (posture/ui/assess.py)


def _set_inputs(app: AppTest, inputs: dict) -> None:
    app.number_input(key="height").set_value(inputs["height"])
    app.multiselect(key="pain-regions").set_value(inputs["pain-regions"])
    app.number_input(key="pain-weeks").set_value(inputs["pain-weeks"])
    app.slider(key="pain-level").set_value(inputs["pain-level"])


def _a_change(rng: random.Random, inputs: dict) -> dict:
    """One of the four inputs to another value (a height under 50 cm is ignored with a warning, and
    is in the mix)."""
    key = rng.choice(sorted(inputs))
    while True:
        value = {
            "height": lambda: rng.choice([0, 30, 120, 158, 172, 185, 203]),
            "pain-regions": lambda: rng.sample(PAIN_REGIONS, rng.randint(0, 3)),
            "pain-weeks": lambda: rng.choice([0, 1, 3, 12, 52, 400]),
            "pain-level": lambda: rng.randint(0, 10),
        }[key]()
        if value != inputs[key]:
            return {**inputs, key: value}


def _point_clicks(rng: random.Random, document: dict, markers: bool) -> list[tuple[str, str, float, float]]:
    """A point moved by hand a little from where the model put it (photo, point, click x, y on the
    420-px-wide image), or on the side photo the ASIS and PSIS, one click each."""
    photos = {photo["path"]: photo for photo in document["photos"]}
    if markers:
        side = photos[SIDE]
        hip, nose = side["landmarks"]["right_hip"], side["landmarks"]["nose"]
        facing = 1 if nose["x"] > hip["x"] else -1
        scale = CLICK_WIDTH / side["image_size"][0]
        return [(SIDE, ASIS, (hip["x"] + facing * 45) * scale, (hip["y"] - 20) * scale),
                (SIDE, PSIS, (hip["x"] - facing * 45) * scale, (hip["y"] - 30) * scale)]
    title = rng.choice(sorted(MOVABLE))
    point = rng.choice(MOVABLE[title])
    where = photos[title]["landmarks"][point]
    scale = CLICK_WIDTH / photos[title]["image_size"][0]
    return [(title, point, where["x"] * scale + rng.uniform(-12, 12), where["y"] * scale + rng.uniform(-12, 12))]


def _click(app: AppTest, photo: str, point: str, x: float, y: float, stamp: int) -> AppTest:
    """A click on the whole photo's image with `point` chosen, as streamlit_image_coordinates reports it."""
    app.selectbox(key="fix-photo").set_value(photo)
    app = app.run()
    app.selectbox(key=f"fix-point-{photo}").set_value(point)
    for zoom in _every(app.radio, "fix-zoom"):
        zoom.set_value("Whole photo")
    app = app.run()
    app.session_state[f"fix-click-{photo}"] = {"x": x, "y": y, "width": CLICK_WIDTH, "height": CLICK_WIDTH,
                                               "unix_time": stamp}
    app = app.run()  # the click is taken before the report is derived: one run shows it
    assert not app.exception, app.exception
    if point in (ASIS, PSIS):
        listed = next(m.value for m in app.markdown if m.value.startswith("**Points on this photo**"))
        assert re.search(rf"Placed by hand: .*\*\*{point[:4].upper()}\*\* at", listed), listed
        return app
    placed = next(c.value for c in app.caption if c.value.startswith("Placed by hand on this photo"))
    assert point.replace("_", " ") in placed, placed
    return app


def _fresh_analysis(inputs: dict, clicks: list) -> AppTest:
    """A new session: the inputs set first, the photos uploaded and analysed, the same points
    placed in the same order."""
    app = _app()
    _set_inputs(app, inputs)
    _upload(app, "upload-front", HIGH_HIP / "front.jpg")
    _upload(app, "upload-side", HIGH_HIP / "side_right.jpg")
    app = _analyse(app.run())
    assert not app.exception
    for stamp, click in enumerate(clicks, start=1):
        app = _click(app, *click, stamp)
    return app


def _findings(app: AppTest, downloads: dict[str, bytes]) -> dict:
    """Everything a finding is, as the page shows it and as the JSON download states it: each
    shown finding's title and headline ('**Moderate, 93% sure it is outside the usual range**. Hip line tilt ...: +7.6 ±
    3.2 deg (usual: below +3 deg).'), the can't-tell list, every finding of the JSON (status,
    severity, confidence, evidence) and each measurement's value text."""
    document = json.loads(_download(app, downloads, "Download the data (JSON)"))
    return {
        "shown": [_no_length(m.value) for m in app.markdown if m.value.startswith("#### ")],
        "unsure": [m.value for m in app.markdown
                   if m.value.startswith("- **") and not m.value.startswith(("- **Stretch", "- **Strengthen"))],
        "json": document["assessment"]["findings"],
        "values": [[_no_length(v) for v in frame.value["value"]] for frame in app.dataframe],
    }


def _no_length(text: str) -> str:
    """A value without its length in cm, which a height adds (and which is all a height changes)."""
    return re.sub(r", [-+][0-9.]+ cm", "", text)


def _order_free(findings: dict) -> dict:
    """Pain puts the findings linked to it first: the same findings, maybe in another order."""
    return {**findings, "shown": sorted(findings["shown"])}


@pytest.mark.model
def test_pain_height_and_points_in_any_order_leave_the_findings_as_a_fresh_analysis(downloads):
    """30 edits in a seeded random order: mostly pain (slider, regions, weeks) and height, which
    must leave every finding as it was, and three points placed by hand (a moved landmark, twice,
    and the ASIS/PSIS pair), which change findings as a fresh analysis with the same clicks does.
    After every edit the findings equal the last reference; after each click and a few other
    edits, they equal those of a new session given the same inputs before Analyse."""
    rng = random.Random(20260105)
    app = _fresh_analysis(NO_INPUTS, [])
    reference = _findings(app, downloads)
    assert any("Hip line tilt (lateral pelvic tilt): +7.6 ± 3.2 deg" in s and "**Moderate, 93% sure" in s
               for s in reference["shown"]), reference["shown"]
    document = json.loads(_download(app, downloads, "Download the data (JSON)"))

    changes = 30
    by_hand = dict(zip(rng.sample(range(changes), 3), [False, False, True], strict=True))  # True: ASIS/PSIS
    fresh_too = set(by_hand) | set(rng.sample(sorted(set(range(changes - 1)) - set(by_hand)), 2)) | {changes - 1}
    inputs, clicks = dict(NO_INPUTS), []
    for step in range(changes):
        if step in by_hand:
            placed = _point_clicks(rng, document, markers=by_hand[step])
            for click in placed:
                app = _click(app, *click, len(clicks) + 1)
                clicks.append(click)
        else:
            inputs = _a_change(rng, inputs)
            _set_inputs(app, inputs)
            app = app.run()
        assert not app.exception, (step, inputs, app.exception)
        now = _findings(app, downloads)
        if step in by_hand:
            assert now["json"] != reference["json"], (step, clicks[-1])  # a point placed by hand counts
            reference = now
        assert _order_free(now) == _order_free(reference), (step, inputs, clicks)
        if step in fresh_too:
            assert now == _findings(_fresh_analysis(inputs, clicks), downloads), (step, inputs, clicks)


def _photo_document(app: AppTest, downloads: dict[str, bytes]) -> dict:
    return json.loads(_download(app, downloads, "Download the data (JSON)"))["photos"][0]


def _zoomed_click(app: AppTest, point: str, offset: tuple[float, float], stamp: int) -> tuple[AppTest, tuple]:
    """`point` chosen on the side photo and a click `offset` photo pixels from where it is now, on
    the zoomed view as it is drawn (640 px wide): where the page's own window puts it."""
    from posture.analysis import Options, analyze_located
    from posture.ui.zoom import DEFAULT_ZOOM, VIEW_WIDTH_PX, ZOOM_LEVELS, ZoomWindow

    app.selectbox(key=f"fix-point-{SIDE}").set_value(point)
    app = app.run()
    state = app.session_state["assess"]
    result = analyze_located(state["located"], Options(), state["edits"]).photos[0]
    now = result.points[point].xy_px
    target = (now[0] + offset[0], now[1] + offset[1])
    window = ZoomWindow.around(now, result.image_size, ZOOM_LEVELS[DEFAULT_ZOOM])
    x, y = window.to_view(target, VIEW_WIDTH_PX)  # a click reports the pixel's index: its centre less 0.5
    app.session_state[f"fix-click-{SIDE}"] = {"x": x - 0.5, "y": y - 0.5, "width": VIEW_WIDTH_PX,
                                              "height": VIEW_WIDTH_PX, "unix_time": stamp}
    app = app.run()
    assert not app.exception, app.exception
    return app, target


@pytest.mark.model
def test_examiner_mode_places_points_on_the_zoomed_view_and_undo_and_clear_take_them_back(downloads):
    """C7 and the tragus placed on the zoomed side photo land where the click was (in photo
    pixels), make the CVA a marker value and are listed as placed by hand; undo takes back the
    tragus, clear the rest, and the report is the fresh one again."""
    app = _app()
    _upload(app, "upload-side", HIGH_HIP / "side_right.jpg")
    app = _analyse(app.run())
    fresh = _photo_document(app, downloads)
    assert fresh["markers"] == {} and "c7" in fresh["markers_estimated"]
    assert app.radio(key="fix-zoom").value == "×6"
    app, c7 = _zoomed_click(app, "c7", (-14.0, 9.0), 1)
    assert "Craniovertebral angle (head over the neck): place the **tragus** too" in _markdown(app)
    app, tragus = _zoomed_click(app, "tragus_right", (6.0, -4.0), 2)
    placed = _photo_document(app, downloads)
    for name, where in (("c7", c7), ("tragus_right", tragus)):
        marker = placed["markers"][name]
        assert (marker["x"], marker["y"]) == pytest.approx(where, abs=0.06) and marker["origin"] == "placed_by_hand"
    assert placed["measurements"]["craniovertebral_angle_deg"]["landmarks"] == ["c7", "tragus_right"]
    details = _markdown(app)
    assert "Bony points: placed by hand: tragus, C7; estimated from the pose model: acromion, ASIS, PSIS" in details
    cva = placed["measurements"]["craniovertebral_angle_deg"]
    assert f"Craniovertebral angle (head over the neck): {cva['value']:+.1f} ±" in details
    assert "place the **tragus** too" not in details
    assert "Where to click:** The back of the neck" not in details  # the tragus is chosen now
    assert any("Where to click:** The small flap" in caption.value for caption in app.caption)

    next(b for b in app.button if b.key == f"fix-undo-{SIDE}").click()
    app = app.run()
    assert set(_photo_document(app, downloads)["markers"]) == {"c7"}
    next(b for b in app.button if b.key == f"fix-clear-{SIDE}").click()
    app = app.run()
    assert _photo_document(app, downloads) == fresh


@pytest.mark.model
def test_a_profile_given_as_the_front_photo_is_said_to_be_one():
    """The new-user trial put a side-on photo in the Front slot: it was analysed as a side view and
    the page asked for a front photo without a word why. Now it says which view the photo shows."""
    app = _app()
    _upload(app, "upload-front", HIGH_HIP / "side_right.jpg")
    app = _analyse(app.run())
    assert not app.exception, app.exception
    said = [i.value for i in app.info if "looks like a" in i.value]
    assert said == ["The front photo looks like a **side right** view, so it is analysed as one. Put each photo "
                    "in its own slot (or retake it) if that is wrong."]
    app = _app()
    _upload(app, "upload-front", HIGH_HIP / "front.jpg")
    app = _analyse(app.run())
    assert not [i for i in app.info if "looks like a" in i.value]  # a front photo in its slot: nothing said


@pytest.mark.model
def test_the_zoomed_view_stays_put_after_a_click_and_a_profile_offers_its_near_side():
    """The trial saw the photo jump under the pointer after each click (the view re-centred on the
    new place) and was offered both ears in a profile: the view now stays while the same point is
    placed again, and a profile's pose points are its near side's."""
    from posture.analysis import Options, analyze_located
    from posture.ui.zoom import DEFAULT_ZOOM, ZOOM_LEVELS, ZoomWindow

    app = _app()
    _upload(app, "upload-side", HIGH_HIP / "side_right.jpg")
    app = _analyse(app.run())
    state = app.session_state["assess"]
    before = analyze_located(state["located"], Options(), state["edits"]).photos[0]
    options = app.selectbox(key=f"fix-point-{SIDE}").options
    assert any("right ear" in o for o in options) and not any("left ear" in o for o in options)
    app, target = _zoomed_click(app, "c7", (-14.0, 9.0), 1)
    shown = app.session_state["assess"]["shown"].window
    zoom = ZOOM_LEVELS[DEFAULT_ZOOM]
    assert shown == ZoomWindow.around(before.points["c7"].xy_px, before.image_size, zoom)  # where it was
    assert shown != ZoomWindow.around(target, before.image_size, zoom)  # not re-centred on the new place
