"""Annotations land where the landmarks are, in the agreed colours, at any image size."""

from dataclasses import replace

import cv2
import numpy as np
import pytest

from posture.analysis import LocatedPhoto, Options, analyze_located
from posture.assessment.classifier import Severity, Status
from posture.assessment.measurements import measure
from posture.assessment.views import View
from posture.presentation import SEVERITY_RGB, report_view
from posture.vision.drawing import (
    CANT_TELL_RGB,
    LABEL_TEXT_OF_WIDTH,
    LEFT_RGB,
    LEVEL_RGB,
    TILTED_RGB,
    Annotation,
    annotate,
    draw_level,
    legend_layout,
    level_status,
    person_box,
    text_scale,
    with_status_band,
)
from posture.vision.landmarks import Landmark as L
from posture.vision.landmarks import PoseLandmarks
from tests.conftest import FLOOR_Y, REPO, STATURE_PX, body_mask, frontal_landmarks


def note_for(pose, severities=None, legend=()):
    measured = measure(pose, View.FRONT)
    return Annotation(
        view="front",
        measurements={mid: (m.value, m.unit) for mid, m in measured.items()},
        line_colours={mid: SEVERITY_RGB[severity] for mid, severity in (severities or {}).items()},
        legend=[(text, SEVERITY_RGB[severity]) for text, severity in legend],
    )


def colour_near(image, x, y, colour, radius=2) -> bool:
    patch = image[int(y) - radius:int(y) + radius + 1, int(x) - radius:int(x) + radius + 1]
    return bool(np.any(np.all(np.abs(patch.astype(int) - colour) < 40, axis=2)))


@pytest.mark.parametrize("scale", [0.25, 1.0, 3.0])  # a thumbnail, the working size, a 12 MP original
def test_measured_lines_are_drawn_through_the_landmarks_in_their_severity_colour(scale):
    pose = frontal_landmarks(View.FRONT, shoulder_tilt_deg=4.0)
    width, height = int(1000 * scale), int(2000 * scale)
    image = np.full((height, width, 3), 60, np.uint8)
    note = note_for(pose, {"shoulder_tilt_deg": Severity.MODERATE}, [("High shoulder", Severity.MODERATE)])
    drawn = annotate(image, pose, note)
    assert drawn.shape == image.shape and not np.array_equal(drawn, image)
    # A third of the way along each line (the plumb line crosses the middle).
    on_shoulders = (pose.xy_px[L.LEFT_SHOULDER] * 2 + pose.xy_px[L.RIGHT_SHOULDER]) / 3 * scale
    assert colour_near(drawn, on_shoulders[0], on_shoulders[1], SEVERITY_RGB[Severity.MODERATE])
    hips = (pose.xy_px[L.LEFT_HIP] * 2 + pose.xy_px[L.RIGHT_HIP]) / 3 * scale
    assert colour_near(drawn, hips[0], hips[1], SEVERITY_RGB[Severity.NONE])
    assert np.array_equal(image, np.full_like(image, 60))  # the input is not modified


@pytest.mark.parametrize("view", [View.FRONT, View.BACK])
def test_a_tilt_line_shows_the_measured_value_not_the_points_slope(view):
    """The calibrated hip tilt reads more than the hip points show: the line is drawn at the value,
    through the points' midpoint, and turned by a camera roll the measurement undid."""
    from dataclasses import replace

    pose = frontal_landmarks(view)  # level hip points
    left, right = pose.xy_px[L.LEFT_HIP], pose.xy_px[L.RIGHT_HIP]
    middle, half = (left + right) / 2, abs(left[0] - right[0]) / 2
    toward_left = 1 if left[0] > right[0] else -1
    note = replace(note_for(pose, {"hip_tilt_deg": Severity.MODERATE}), measurements={"hip_tilt_deg": (8.0, "deg")})
    for roll, rise in ((0.0, 8.0), (3.0, 8.0 + 3.0 * toward_left)):
        drawn = annotate(np.full((2000, 1000, 3), 60, np.uint8), pose, replace(note, camera_roll_deg=roll))
        end = middle + np.array([toward_left * half, -half * np.tan(np.radians(rise))])
        assert colour_near(drawn, end[0], end[1], SEVERITY_RGB[Severity.MODERATE], radius=1), roll
        level_end = middle + np.array([toward_left * half, 0.0])
        assert not colour_near(drawn, level_end[0], level_end[1], SEVERITY_RGB[Severity.MODERATE], radius=1), roll


def test_the_subjects_left_side_is_blue_and_hidden_points_are_not_drawn():
    pose = frontal_landmarks(View.FRONT)
    vis = pose.visibility.copy()
    vis[L.RIGHT_KNEE] = 0.1
    hidden = PoseLandmarks(pose.xy_px, vis, pose.image_size)
    image = np.full((2000, 1000, 3), 60, np.uint8)
    drawn = annotate(image, hidden, note_for(hidden))
    elbow = pose.xy_px[L.LEFT_ELBOW]
    assert colour_near(drawn, elbow[0], elbow[1], LEFT_RGB)
    right_knee = pose.xy_px[L.RIGHT_KNEE]
    assert np.all(drawn[int(right_knee[1]), int(right_knee[0])] == 60)


def overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_trunk_lean_and_knee_angles_are_drawn_where_the_points_are_in_their_finding_colour():
    """Lean: mid-hip to mid-shoulder, beside the true vertical (turned by the camera roll the
    measurement undid); knees: the hip-knee-ankle chain. A finding's colour, grey when can't tell."""
    from dataclasses import replace

    pose = frontal_landmarks(View.FRONT, knee_shift_px=(40.0, 0.0))
    xy = pose.xy_px.copy()
    xy[:L.LEFT_HIP] += (120.0, 0.0)  # the upper body leans to the image's right
    pose = replace(pose, xy_px=xy)
    note = note_for(pose, {"lateral_trunk_lean_deg": Severity.MARKED, "left_knee_valgus_deg": Severity.MILD})
    note = replace(note, line_colours={**note.line_colours, "right_knee_valgus_deg": CANT_TELL_RGB})
    base = (xy[L.LEFT_HIP] + xy[L.RIGHT_HIP]) / 2
    top = (xy[L.LEFT_SHOULDER] + xy[L.RIGHT_SHOULDER]) / 2
    length = np.linalg.norm(top - base)
    for roll in (0.0, 6.0):
        drawn = annotate(np.full((2000, 1000, 3), 60, np.uint8), pose, replace(note, camera_roll_deg=roll))
        on_trunk = base + (top - base) * 0.7
        assert colour_near(drawn, *on_trunk, SEVERITY_RGB[Severity.MARKED])
        up = np.array([-np.sin(np.radians(roll)), -np.cos(np.radians(roll))])
        assert colour_near(drawn, *(base + up * length * 0.8), SEVERITY_RGB[Severity.MARKED], radius=1), roll
        other = np.array([np.sin(np.radians(6.0 - roll)), -np.cos(np.radians(6.0 - roll))])  # the other roll's vertical
        assert not colour_near(drawn, *(base + other * length * 0.8), SEVERITY_RGB[Severity.MARKED], radius=1), roll
    for hip, knee, colour in ((L.LEFT_HIP, L.LEFT_KNEE, SEVERITY_RGB[Severity.MILD]),
                              (L.RIGHT_HIP, L.RIGHT_KNEE, CANT_TELL_RGB)):
        thigh = (xy[hip] + xy[knee] * 2) / 3
        assert colour_near(drawn, *thigh, colour), knee.name


def test_a_cant_tell_finding_is_drawn_grey_and_a_present_one_in_its_severity_colour():
    pose = frontal_landmarks(hip_tilt_deg=8.0, knee_shift_px=(40.0, 40.0))
    xy = pose.xy_px.copy()
    xy[[L.LEFT_FOOT_INDEX, L.RIGHT_FOOT_INDEX], 0] += (60, -60)  # toes turned out: the knees can't tell
    photo = LocatedPhoto("photo.jpg", pose.image_size, np.zeros((8, 4, 3), np.uint8), View.FRONT, 0.9, False,
                         PoseLandmarks(xy, pose.visibility, pose.image_size), None, 0.0)
    analysis = analyze_located([photo], Options())
    found = {f.id: f for f in analysis.assessment.findings}
    assert found["high_left_hip"].status is Status.PRESENT and found["knee_valgus_left"].status is Status.CANT_TELL
    colours = report_view(analysis).photos[0].annotation.line_colours
    assert colours["hip_tilt_deg"] == SEVERITY_RGB[found["high_left_hip"].severity]
    assert colours["left_knee_valgus_deg"] == CANT_TELL_RGB and colours["right_knee_valgus_deg"] == CANT_TELL_RGB


@pytest.mark.parametrize("size, person_scale, strip", [
    ((1000, 2000), 1.0, False),  # the person in the middle of a portrait photo: a corner is free
    ((2400, 1350), 0.6, False),  # a landscape photo: a column beside the person
    ((1000, 2000), 1.25, True),  # the person fills the frame: a strip below the photo
    ((100, 200), 1.0, True),  # a thumbnail too narrow for the words beside the person
])
def test_the_legend_never_covers_the_person_and_is_readable_at_phone_width(size, person_scale, strip):
    from dataclasses import replace

    pose = frontal_landmarks(View.FRONT)
    centre = np.array(pose.image_size) / 2
    xy = (pose.xy_px - centre) * person_scale + np.array(size) / 2 * np.array(pose.image_size) / size
    pose = replace(pose, xy_px=xy)
    legend = [("Right shoulder higher than left: moderate", Severity.MODERATE), ("Trunk leans to the left: mild",
                                                                                 Severity.MILD)]
    note = replace(note_for(pose, legend=legend), person_mask=body_mask(pose))
    image = np.full((size[1], size[0], 3), 60, np.uint8)
    drawn = annotate(image, pose, note)
    scale = size[0] / pose.image_size[0]
    seen = {lm: True for lm in L}
    person = person_box(size, pose.xy_px * scale, seen, note.person_mask)
    layout = legend_layout(size, person, note.legend, max(1, round(max(size) / 700)))
    assert not overlaps(layout.box, person)
    assert (layout.strip_px > 0) is strip
    assert drawn.shape == (size[1] + layout.strip_px, size[0], 3)
    x0, y0, x1, y1 = layout.box
    assert 0 <= x0 < x1 <= size[0] and 0 <= y0 < y1 <= drawn.shape[0]
    inside = drawn[y0:y1, x0:x1]
    assert np.any(np.all(np.abs(inside.astype(int) - SEVERITY_RGB[Severity.MODERATE]) < 40, axis=2))
    assert layout.scale * 22 >= 0.02 * size[0] or layout.scale == pytest.approx(0.45 * max(1, round(max(size) / 700)))
    # The whole head is inside the box the legend avoids, up to the crown (the stature's top).
    crown = ((FLOOR_Y - STATURE_PX - centre[1]) * person_scale + centre[1]) * scale
    assert person[1] <= max(0, crown) and person[0] <= pose.xy_px[:, 0].min() * scale
    if strip:
        without = annotate(image, pose, replace(note, show_legend=False))
        assert np.array_equal(drawn[:size[1]], without)  # the photo keeps its pixels where they were


@pytest.mark.model
def test_on_real_photos_the_legend_covers_neither_the_person_mask_nor_the_skeleton(shared_front_photos, estimator):
    """The 12 street photos and the renders: the legend's box is clear of every pixel of the
    person mask and of every seen point (the head included)."""
    from posture.analysis import analyze_single

    for photo in [*shared_front_photos, *sorted((REPO / "samples").glob("*/*.jpg"))]:
        section = report_view(analyze_single(str(photo), estimator, Options())).photos[0]
        image, landmarks, note = section.result.image, section.result.landmarks, section.annotation
        height, width = image.shape[:2]
        points = landmarks.xy_px * (width / landmarks.image_size[0])
        seen = {lm: bool(landmarks.visibility[lm] >= note.visibility_threshold) for lm in L}
        layout = legend_layout((width, height), person_box((width, height), points, seen, note.person_mask),
                               note.legend, max(1, round(max(width, height) / 700)))
        x0, y0, x1, y1 = layout.box
        mask = cv2.resize(note.person_mask, (width, height)) >= 0.5
        assert not mask[y0:min(y1, height), x0:x1].any(), photo.name
        inside = [(x0 <= points[lm, 0] < x1 and y0 <= points[lm, 1] < y1) for lm in L if seen[lm]]
        assert not any(inside), photo.name
        assert annotate(image, landmarks, note).shape[0] == height + layout.strip_px


def test_a_photo_that_decided_nothing_says_so_in_its_legend_not_no_findings():
    from posture.errors import PhotoWarning, WarningCode
    from posture.presentation import UNDECIDED_LEGEND

    pose = frontal_landmarks()  # level and upright: every finding absent
    turned = PhotoWarning(WarningCode.TURNED_FROM_CAMERA, "turned")
    legends = []
    for warnings in ((), (turned,)):
        photo = LocatedPhoto("photo.jpg", pose.image_size, np.zeros((8, 4, 3), np.uint8), View.FRONT, 0.9, False,
                             pose, None, 0.0, warnings)
        legends.append(report_view(analyze_located([photo], Options())).photos[0].annotation.legend)
    assert legends == [[], [(UNDECIDED_LEGEND, CANT_TELL_RGB)]]


def test_a_photo_with_grey_lines_and_no_finding_says_what_grey_means():
    """"no findings" alone read as all clear beside a shoulder line drawn grey (can't tell)."""
    from posture.errors import PhotoWarning, WarningCode
    from posture.presentation import SOME_UNDECIDED_LEGEND

    arms = PhotoWarning(WarningCode.ARMS_NOT_HANGING, "arms crossed")
    photo = LocatedPhoto("photo.jpg", frontal_landmarks().image_size, np.zeros((8, 4, 3), np.uint8), View.FRONT,
                         0.9, False, frontal_landmarks(), None, 0.0, (arms,))
    note = report_view(analyze_located([photo], Options())).photos[0].annotation

    assert note.line_colours["shoulder_tilt_deg"] == CANT_TELL_RGB
    assert note.legend == [(SOME_UNDECIDED_LEGEND, CANT_TELL_RGB)]


@pytest.mark.parametrize("size", [(640, 480), (1920, 1080), (720, 1280), (3024, 4032)])  # webcam, landscape, portrait
def test_line_labels_read_at_phone_width_whatever_the_image_size(size):
    """Shown 360 px wide (a phone), a line label's capitals are at least 10 px tall: text sized
    to the long side made a landscape webcam frame's labels ~6 px."""
    width, height = size
    unit = max(1, round(max(width, height) / 700))
    (_, capital_px), _ = cv2.getTextSize("H", cv2.FONT_HERSHEY_SIMPLEX, text_scale(width, unit, LABEL_TEXT_OF_WIDTH), 1)
    assert capital_px * 360 / width >= 10


def test_the_status_band_goes_below_the_frame_and_leaves_the_picture_untouched():
    """The live countdown never covers a line: the frame keeps every pixel, the band is added
    below it (an even number of rows, as video encoders need), with the text in it."""
    frame = np.random.default_rng(3).integers(0, 255, (480, 640, 3), dtype=np.uint8)
    shown = with_status_band(frame, "Stand still... 3")
    band = shown[480:]
    assert np.array_equal(shown[:480], frame) and band.shape[0] % 2 == 0 and band.shape[0] >= 0.1 * 480
    assert (band > 200).all(axis=2).sum() > 500  # white text drawn on the dark band
    assert with_status_band(frame, "").shape == shown.shape  # the video's size never changes


@pytest.mark.parametrize("roll", [-3.0, 2.0])
def test_the_live_level_guide_draws_the_true_horizontal_as_the_rolled_photo_shows_it(roll):
    """A roll counter-clockwise on screen raises the right end of a true horizontal: the guide leans
    the same way, so turning the camera until it lies flat levels it."""
    image = draw_level(np.full((480, 640, 3), 128, np.uint8), roll)
    ys, xs = np.nonzero(np.all(image == TILTED_RGB, axis=2))
    slope_deg = -np.degrees(np.polyfit(xs, ys, 1)[0])  # y grows downward
    assert slope_deg == pytest.approx(roll, abs=0.3)
    assert ys.max() < 0.1 * image.shape[0]  # along the top edge, clear of the person


def test_the_level_words_say_level_tilted_or_cant_tell():
    assert level_status(0.3, "add a plumb line") == ("camera level", LEVEL_RGB)
    assert level_status(-2.14, "add a plumb line")[0] == "camera tilted 2.1 deg: make the top line flat"
    assert level_status(None, "add a plumb line")[0] == "level: can't tell - add a plumb line"


def test_labels_drawn_later_move_off_earlier_ones_but_stay_beside_their_point():
    """Two labels at one place: the second moves just clear of the first (a row here, or to the
    point's other side), never onto it and never farther than a row and a half from where it was
    asked; with no room the first spot."""
    from posture.vision.drawing import _layout, _overlap, _text

    canvas = np.zeros((400, 600, 3), np.uint8)
    first = _text(canvas, "acromion R", (300, 200), (255, 255, 255), 1)
    second = _text(canvas, "hips -3.0", (300, 200), (255, 255, 255), 1, avoid=[first])
    assert not _overlap(first, second)
    assert second[1] - first[1] == first[3]  # the next row down, touching
    pen_like = [first, second]
    third = _text(canvas, "C7", (300, 200), (255, 255, 255), 1, avoid=pen_like)
    assert not any(_overlap(third, box) for box in pen_like) and first[1] - third[1] == third[3]  # the row up
    crowded = _layout(canvas.shape, "ASIS", (300, 200), 1, avoid=[*pen_like, third], left_of=290, one_side=True).box
    assert crowded[1] == first[1] and crowded[0] == first[0]  # a label of one side only: its own spot, over them
    above, below = (0, 0, 600, first[1]), (0, first[1] + first[3], 600, 400)  # no room but the first's row
    beside = _text(canvas, "ASIS L", (300, 200), (255, 255, 255), 1, left_of=290, avoid=[first, second, above, below])
    assert not any(_overlap(beside, box) for box in (first, second, above, below))
    assert beside[0] + beside[2] < 300  # on the point's left


def test_measurement_labels_move_off_the_marker_labels_and_rings():
    """Marker names stay on their outward side, so they are laid out first; a measurement label
    asked for where a marker's name or its ring is moves off both, and each marker's name stays
    beside its ring. Before, the left acromion's name was drawn over the shoulder line's label."""
    from posture.vision.drawing import _marker_labels, _marker_rings, _overlap, _Pen

    pose = frontal_landmarks(View.FRONT)
    shoulder = pose.xy_px[L.LEFT_SHOULDER]
    note = replace(note_for(pose), markers={"acromion L": (float(shoulder[0]), float(shoulder[1]))})
    canvas = np.zeros((pose.image_size[1], pose.image_size[0], 3), np.uint8)
    pen = _Pen(canvas, pose.xy_px, {lm: True for lm in L}, 1, note, rings=_marker_rings(note, 1.0, canvas.shape[1], 1))
    (name,) = _marker_labels(pen, 1.0).values()
    ring = pen.rings["acromion L"]
    assert name.box[0] > ring[0] + ring[2] // 2 and abs(name.y - (ring[1] + ring[3])) <= 5  # beside its ring, outward
    pen.text("shoulders +4.0", (name.x, name.y), (255, 255, 255))  # asked for right where the name is
    assert not _overlap(pen.labels[-1], name.box) and not _overlap(pen.labels[-1], ring)
    alone = _Pen(canvas, pose.xy_px, {lm: True for lm in L}, 1, note, rings={"C7": (300, 480, 30, 30)})
    alone.text("hips +2.0", (290, 505), (255, 255, 255))  # over a ring, no other label near
    assert not _overlap(alone.labels[-1], (300, 480, 30, 30))


@pytest.mark.parametrize("view", [View.FRONT, View.BACK])
def test_a_knee_label_never_reaches_the_other_knee_near_the_photos_edge(view):
    """A person standing near the photo's edge: the outer knee's label has no room outward. It was
    moved across to the other leg, where the trial read "L knee" as the knee it sat on; it now never
    reaches the other knee (shrunk if it must)."""
    from posture.vision.drawing import _bend, _Pen

    pose = frontal_landmarks(view)
    width = pose.image_size[0]
    outer = max((L.LEFT_KNEE, L.RIGHT_KNEE), key=lambda lm: pose.xy_px[lm, 0])
    shifted = pose.xy_px + np.array([width - 12 - pose.xy_px[outer, 0], 0.0])  # its knee 12 px from the edge
    canvas = np.zeros((pose.image_size[1], width, 3), np.uint8)
    pen = _Pen(canvas, shifted, {lm: True for lm in L}, 1, note_for(pose))
    chain = (L[outer.name.replace("KNEE", "HIP")], outer, L[outer.name.replace("KNEE", "ANKLE")])
    _bend(pen, chain, "L knee -10.9 varus", (255, 255, 255))
    x, _, w, _ = pen.labels[-1]
    outline = 8  # the black edge around the text, at this size
    other_knee = min(shifted[L.LEFT_KNEE, 0], shifted[L.RIGHT_KNEE, 0])
    assert x + outline > other_knee and x + w - outline <= width + 2  # past the other knee, inside the image


def test_a_label_says_which_side_in_words_not_only_by_its_sign():
    """The new-user trial read "hips +7.6" beside the hip on the image's right as the right hip
    high; the label now says the subject's side."""
    from posture.registry import info
    from posture.vision.drawing import label_text

    def text(mid, value, frontal=True):
        return label_text(mid, info(mid).drawing, value, "deg", frontal)

    assert text("hip_tilt_deg", 7.6) == "hips +7.6 L up" and text("shoulder_tilt_deg", -2.04) == "shoulders -2.0 R up"
    assert text("head_tilt_deg", 0.04) == "head +0.0"  # level reads level
    assert text("lateral_trunk_lean_deg", -4.5) == "lean -4.5 to R"
    assert text("left_knee_valgus_deg", -10.9) == "L knee -10.9 varus"
    assert text("craniovertebral_angle_deg", 48.2, frontal=False) == "CVA 48.2 deg"
    assert text("sagittal_trunk_lean_deg", -3.2, frontal=False) == "trunk -3.2 deg back"  # which way, in a profile
    assert text("knee_hyperextension_deg", 3.8, frontal=False) == "knee +3.8 deg back"
