"""Camera roll on drawn scenes and rendered rooms with a known roll, and on real photos rolled by a
known angle."""

import io
import math

import cv2
import numpy as np
import pytest
from PIL import Image

from benchmarks.home_scenes import Camera, Scene, SceneKind, render
from posture.vision import horizon
from posture.vision.leveling import MAX_SD_DEG, RollEstimate, estimate_camera_roll


def room(
    roll_deg: float, with_person: bool = False, verticals=(60, 110, 480, 540), slanted: float | None = None,
    span: tuple[int, int] = (80, 820),
) -> tuple[np.ndarray, np.ndarray]:
    """Door frames and wall corners (vertical in the world, at `verticals` px, from y = span[0] to
    span[1]) seen by a camera rolled counter-clockwise by `roll_deg`; optionally a person-shaped
    blob with slanted edges, and a long board at the left border leaning `slanted` deg in the world."""
    height, width = 900, 600
    image = np.full((height, width, 3), 200, np.uint8)
    mask = np.zeros((height, width), np.float32)
    angle = math.radians(roll_deg)
    centre = np.array([width / 2, height / 2])

    def seen(x: float, y: float) -> tuple[int, int]:
        # Counter-clockwise on screen (y down): the top of a vertical moves left.
        dx, dy = x - centre[0], y - centre[1]
        return (round(centre[0] + dx * math.cos(angle) + dy * math.sin(angle)),
                round(centre[1] - dx * math.sin(angle) + dy * math.cos(angle)))

    for x in verticals:
        cv2.line(image, seen(x, span[0]), seen(x, span[1]), (40, 40, 40), 3)
    if slanted is not None:
        lean = math.tan(math.radians(slanted))
        board = [seen(x + sign * 440 * lean, 450 - sign * 440) for x, sign in ((20, -1), (20, 1), (95, 1), (95, -1))]
        cv2.fillPoly(image, [np.array(board, np.int32)], (20, 20, 20))
    if with_person:
        person = np.array([seen(260, 150), seen(340, 150), seen(380, 850), seen(220, 850)], np.int32)
        cv2.fillPoly(image, [person], (90, 60, 50))
        cv2.fillPoly(mask, [person], 1.0)
    return image, mask


@pytest.mark.parametrize("roll", [-4.0, -1.5, 0.0, 2.0, 4.0])
def test_the_roll_of_drawn_verticals_is_recovered(roll):
    image, _ = room(roll)
    estimate = estimate_camera_roll(image, None)
    assert estimate.confident, estimate.reason
    assert estimate.roll_deg == pytest.approx(roll, abs=0.2)


def test_the_persons_outline_is_not_taken_for_a_wall():
    image, mask = room(2.0, with_person=True)
    estimate = estimate_camera_roll(image, mask)
    assert estimate.roll_deg == pytest.approx(2.0, abs=0.2)


def test_a_plain_wall_cannot_be_leveled_and_says_why_and_what_would_level_it():
    estimate = estimate_camera_roll(np.full((900, 600, 3), 180, np.uint8), None)
    assert not estimate.confident and estimate.roll_deg is None
    assert "plain wall" in estimate.reason and "door frame" in estimate.advice


@pytest.mark.parametrize("roll", [0.0, 3.0, -7.0])
def test_one_long_slanted_object_at_the_border_never_decides(roll):
    """The lab case: a camera rolled ~7 deg, a long slanted board at the image border (its edges
    longer together than all the level ones, and far enough apart to look spread), a few short
    level structures elsewhere: the roll follows the level structures."""
    image, _ = room(roll, slanted=4.0, verticals=(200, 300, 420, 540), span=(300, 600))
    estimate = estimate_camera_roll(image, None)
    assert estimate.confident, estimate.reason
    assert estimate.roll_deg == pytest.approx(roll, abs=0.3)
    alone, _ = room(roll, slanted=4.0, verticals=())
    assert not estimate_camera_roll(alone, None).confident


def test_one_door_frame_alone_is_not_enough_and_the_advice_says_what_to_add():
    image, _ = room(2.0, verticals=(200, 400))
    estimate = estimate_camera_roll(image, None)
    assert not estimate.confident
    assert "fewer than 3" in estimate.reason and "door frame" in estimate.advice


def test_the_sd_shrinks_with_more_agreeing_structures_and_grows_when_they_disagree():
    few = estimate_camera_roll(room(1.0, verticals=(60, 220, 380, 540))[0], None)
    many = estimate_camera_roll(room(1.0, verticals=(60, 140, 220, 300, 380, 460, 540))[0], None)
    assert few.confident and many.confident
    assert many.sd_deg < few.sd_deg
    image, _ = room(0.0, verticals=())
    for x, lean in ((60, -1.5), (160, 1.5), (260, -2.5), (360, 2.5), (460, 0.0), (540, -1.0)):  # not plumb
        shift = math.tan(math.radians(lean)) * 370
        cv2.line(image, (round(x + shift), 80), (round(x - shift), 820), (40, 40, 40), 3)
    scattered = estimate_camera_roll(image, None)
    assert scattered.sd_deg > many.sd_deg + 0.3


def test_structures_on_one_side_only_are_less_sure_than_on_both():
    both = estimate_camera_roll(room(1.0, verticals=(60, 160, 440, 540))[0], None)
    one_side = estimate_camera_roll(room(1.0, verticals=(30, 90, 150, 210))[0], None)
    assert one_side.sd_deg > both.sd_deg


def jpeg(image: np.ndarray, quality: int) -> np.ndarray:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"))


@pytest.mark.parametrize("verticals", [(60, 110, 480, 540), (60, 300)])
def test_the_decision_and_the_roll_do_not_depend_on_resolution_or_recompression(verticals):
    image, _ = room(2.5, verticals=verticals)
    copies = [image, cv2.resize(image, (300, 450), interpolation=cv2.INTER_AREA),
              cv2.resize(image, (1200, 1800), interpolation=cv2.INTER_CUBIC), jpeg(image, 70)]
    estimates = [estimate_camera_roll(copy, None) for copy in copies]
    assert len({e.confident for e in estimates}) == 1
    used = [e for e in estimates if e.confident]
    for a in used:
        for b in used:
            assert abs(a.roll_deg - b.roll_deg) <= 2 * math.hypot(a.sd_deg, b.sd_deg)


def test_one_short_edge_is_not_enough():
    image = np.full((900, 600, 3), 200, np.uint8)
    cv2.line(image, (100, 400), (101, 480), (30, 30, 30), 3)
    assert not estimate_camera_roll(image, None).confident


def rolled_copies_followed(paths, estimator) -> tuple[int, int]:
    """Each photo rolled by 0, +-2 and +-4 deg at full size, half size and JPEG 70 (as
    python -m benchmarks.leveling): asserts that every roll used is within 2 of its stated SDs of the
    photo's own roll plus the rotation and that the sizes of one copy agree within their SDs;
    returns how many full-size rolled copies were leveled within 1 deg, of how many."""
    from benchmarks.leveling import copies_of, people_mask, reference_roll
    from posture.vision.image_io import load_photo

    followed = rolled_copies = 0
    for path in paths:
        mask = people_mask(path, estimator)
        if mask is None:  # nobody found: the pipeline stops before leveling
            continue
        copies = copies_of(path.name, load_photo(str(path)).rgb, mask)
        for copy in copies:
            error, reference = None, reference_roll(copies, copy)
            if copy.estimate.confident and reference is not None:
                error = copy.estimate.roll_deg - copy.degrees - reference
                assert abs(error) <= 2 * copy.estimate.sd_deg, (path.name, copy.degrees, copy.size, error)
                assert copy.estimate.sd_deg <= MAX_SD_DEG
            if copy.degrees and copy.size == "full":
                rolled_copies += 1
                followed += error is not None and abs(error) <= 1.0
        for degrees in {copy.degrees for copy in copies}:
            used = [c.estimate for c in copies if c.degrees == degrees and c.estimate.confident]
            for a in used:
                assert all(abs(a.roll_deg - b.roll_deg) <= 2 * math.hypot(a.sd_deg, b.sd_deg) for b in used)
    return followed, rolled_copies


def test_real_photos_rolled_are_never_leveled_wrongly_and_often_followed(shared_front_photos, estimator):
    """The shared street photos: no roll confidently wrong, and at least 40% of the rolled copies
    leveled within 1 deg by the estimator alone (44% when measured; 11 of 48 before the consensus
    of structures; the pipeline, which weighs looser rolls against the prior, follows 75%)."""
    followed, rolled_copies = rolled_copies_followed(shared_front_photos, estimator)
    assert followed >= 0.4 * rolled_copies


def test_photos_that_are_no_posture_photos_are_never_leveled_wrongly_either(shared_front_photos, estimator):
    """Crowds, sport, indoor scenes (../shared/photos/not_posture): data the thresholds were not
    tuned on at all."""
    folder = shared_front_photos[0].parents[1] / "not_posture"
    paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".jpg", ".png"))
    if not paths:
        pytest.skip(f"no photos in {folder}")
    rolled_copies_followed(paths, estimator)


def home(kind: SceneKind, roll: float, yaw: float, ceiling_m: float = 2.5, wall_m: float = 3.2,
         pitch: float = 0.0) -> RollEstimate:
    """The roll read on a rendered room (benchmarks.home_scenes): camera at 1 m, level pitch
    unless told; a corner or plumb line on the right."""
    scene = Scene(kind, Camera(roll, yaw, pitch, 1.0), wall_m, wall_m - 0.7, ceiling_m, 1.0, seed=7)
    return estimate_camera_roll(*render(scene))


@pytest.mark.parametrize("roll", [-3.0, 2.5])
def test_three_horizontals_at_different_heights_level_a_wall_faced_squarely(roll):
    """The ceiling line, a window sill and the floor line across a plain wall."""
    image, _ = room(roll, verticals=())
    angle = math.radians(roll)
    for y in (120, 430, 800):  # drawn like room()'s verticals: turned counter-clockwise by the roll
        ends = [(round(300 + dx * math.cos(angle) + (y - 450) * math.sin(angle)),
                 round(450 - dx * math.sin(angle) + (y - 450) * math.cos(angle))) for dx in (-290, 290)]
        cv2.line(image, ends[0], ends[1], (40, 40, 40), 3)
    estimate = estimate_camera_roll(image, None)
    assert estimate.confident, estimate.reason
    assert estimate.roll_deg == pytest.approx(roll, abs=0.3)
    assert "horizontal" in estimate.reason


def test_the_floor_and_ceiling_lines_alone_fit_any_turn_and_do_not_level():
    """Two lines always fit a roll and a turn from the wall exactly, so they prove nothing: a
    slanted long shelf would pass as well (the plain-wall render, faced squarely)."""
    estimate = home(SceneKind.PLAIN_WALL, 2.5, yaw=0.0)
    assert not estimate.confident
    assert "fewer than 3" in estimate.reason and "plumb line" in estimate.advice


def test_horizontals_at_one_height_cannot_tell_a_turned_camera_and_the_advice_says_what_would():
    """Only the floor line and the skirting board (the ceiling above the frame): a camera turned
    10 deg from the wall makes them lean by several degrees, which no estimate may call a roll."""
    estimate = home(SceneKind.PLAIN_WALL, 1.0, yaw=10.0, ceiling_m=3.4, wall_m=2.8)
    assert not estimate.confident
    assert "ceiling line" in estimate.advice and "plumb line" in estimate.advice


def test_a_camera_turned_from_the_wall_is_less_sure_than_one_facing_it():
    facing, turned = home(SceneKind.PLAIN_WALL, 1.0, yaw=0.0), home(SceneKind.PLAIN_WALL, 1.0, yaw=14.0)
    assert turned.sd_deg > facing.sd_deg + 0.2
    assert abs(turned.roll_deg - 1.0) <= 2 * turned.sd_deg


@pytest.mark.parametrize("roll, yaw", [(-3.5, 12.0), (2.0, -8.0), (0.5, 0.0)])
def test_a_plumb_line_levels_a_plain_wall_on_its_own(roll, yaw):
    estimate = home(SceneKind.PLUMB_LINE, roll, yaw=yaw, ceiling_m=3.4, wall_m=2.8)
    assert estimate.confident, estimate.reason
    assert estimate.roll_deg == pytest.approx(roll, abs=0.5)
    assert "plumb line" in estimate.reason


def test_a_thin_pole_without_a_bob_is_not_taken_for_a_plumb_line():
    """A single thin straight line, slanted 3 deg, running off the frame: one object, not a plumb
    line (no bob at its end), so it never decides the roll."""
    image = np.full((900, 600, 3), 200, np.uint8)
    cv2.line(image, (300 - 23, 0), (300 + 23, 899), (40, 40, 40), 2, cv2.LINE_AA)
    assert not estimate_camera_roll(image, None).confident


def test_a_door_edge_is_an_edge_not_a_string():
    """Different grey on the two sides of a long vertical edge with a dark blob below it: not a
    plumb line (a string has the same background on both sides)."""
    image = np.full((900, 600, 3), 200, np.uint8)
    image[:700, 300:] = 120
    cv2.circle(image, (300, 720), 12, (30, 30, 30), -1)
    assert not estimate_camera_roll(image, None).confident


def test_a_broom_leaning_on_the_wall_is_not_a_plumb_line():
    """A thin handle leaning 6 deg with a wide head on the floor: thin, long and ending in a blob
    like a plumb line, but its top is free at mid-height (a string hangs from above)."""
    image = np.full((900, 600, 3), 205, np.uint8)
    lean = math.tan(math.radians(6.0))
    cv2.line(image, (300 - round(230 * lean), 300), (300 + round(230 * lean), 760), (40, 40, 40), 2, cv2.LINE_AA)
    cv2.ellipse(image, (300 + round(230 * lean), 775), (35, 14), 0, 0, 360, (40, 40, 40), -1)
    assert not estimate_camera_roll(image, None).confident


def test_a_plumb_line_that_the_room_contradicts_leaves_the_photo_unleveled():
    """A string hung 5 deg off (swinging, or a slanted cord) beside a door frame that is level: the
    two disagree, and no single object decides."""
    image, _ = room(0.0, verticals=(60, 110, 480, 540))
    lean = math.tan(math.radians(5.0))
    cv2.line(image, (300, 0), (300 + round(640 * lean), 640), (30, 30, 30), 1, cv2.LINE_AA)
    cv2.circle(image, (300 + round(655 * lean), 655), 9, (30, 30, 30), -1)
    estimate = estimate_camera_roll(image, None)
    assert not estimate.confident and "disagree" in estimate.reason


def projected(camera: Camera, lines, shape=(960, 720), focal_fraction=0.72) -> np.ndarray:
    """World lines (pairs of X right, Y up, Z toward the wall, in m) as image segments (px) seen by
    `camera`, clipped to the photo."""
    height, width = shape
    focal = focal_fraction * max(shape)
    segments = []
    for start, end in lines:
        seen = camera.project(np.array([start, end], dtype=np.float64))
        pixels = width / 2 + focal * seen[:, 0] / seen[:, 2], height / 2 + focal * seen[:, 1] / seen[:, 2]
        ends = [(round(pixels[0][i]), round(pixels[1][i])) for i in (0, 1)]
        inside, a, b = cv2.clipLine((0, 0, width, height), *ends)
        if inside:
            segments.append([*a, *b])
    return np.array(segments, dtype=np.float64).reshape(-1, 4)


def corner_lines(side_x: float, heights: tuple[float, ...], wall_z: float = 3.0) -> tuple[list, list]:
    """A room corner's horizontals at `heights` (m) on the facing wall and on the side wall to the
    right."""
    facing = [((-3.0, y, wall_z), (side_x, y, wall_z)) for y in heights]
    side = [((side_x, y, 0.6), (side_x, y, wall_z)) for y in heights]
    return facing, side


def corner_reading(camera: Camera, focal_fraction: float = 0.72, side_x: float = 1.2,
                   heights: tuple[float, ...] = (0.0, 2.1, 2.6)) -> horizon.RoomReading:
    """Floor line, picture rail and ceiling line unless told."""
    facing, side = corner_lines(side_x, heights)
    shape = (960, 720)
    walls = horizon.structures(projected(camera, facing, shape, focal_fraction), shape, 1.0)
    steep = horizon.steep(projected(camera, side, shape, focal_fraction), max(shape))
    return horizon.consensus(walls, horizon.structures(steep, shape, 1.0, side_wall=True))


@pytest.mark.parametrize("roll, yaw, pitch", [(2.5, 6.0, -3.0), (-3.0, 10.0, 2.0), (1.0, 3.0, -4.0)])
def test_a_room_corners_two_vanishing_points_give_the_roll_whatever_the_pitch(roll, yaw, pitch):
    """Known-angle geometry: the side wall's lines count at the second direction (they lean 20-60
    deg, no facing wall's line), and the horizon through both vanishing points is the roll, with
    the camera pitched by up to 4 deg, which tilts one wall's lines as a roll would."""
    reading = corner_reading(Camera(roll, yaw, pitch, 1.1))
    assert reading.side_wall >= 2
    assert reading.sd_deg <= MAX_SD_DEG
    assert reading.roll_deg == pytest.approx(roll, abs=0.3)


def test_a_zoomed_corner_gives_the_same_roll_the_focal_length_is_not_assumed():
    """The same corner at twice the focal length (a 2x lens, or the photo cropped): the roll stays
    (with the focal length assumed, the facing wall's vanishing point is misplaced and a street photo's
    roll was off by 3 deg)."""
    camera = Camera(-2.0, 5.0, -2.0, 1.1)
    for focal_fraction in (0.72, 1.44):  # the corner 0.6 m right of the centre and three rails stay in view
        reading = corner_reading(camera, focal_fraction, side_x=0.6, heights=(0.3, 1.0, 1.8))
        assert reading.side_wall >= 2 and reading.sd_deg <= MAX_SD_DEG
        assert reading.roll_deg == pytest.approx(-2.0, abs=0.3)


@pytest.mark.parametrize("roll, yaw, pitch", [(1.5, 12.0, -3.5), (-2.0, 10.0, 2.5)])
def test_the_facing_walls_horizon_takes_the_pitch_out_of_a_plumb_lines_roll(roll, yaw, pitch):
    """A plumb line 0.15 of the long side off the centre leans by the roll plus a pitch term (about
    0.7 deg at 3.5 deg); the floor and ceiling lines of a wall the camera is turned from meet on the
    horizon, whose height is the pitch, so together they give the roll within 0.3 deg. (Turned the
    other way by about 11 deg the two say the same about roll and pitch, and the SD stays.)"""
    camera = Camera(roll, yaw, pitch, 1.1)
    shape, string_x = (960, 720), 0.15 * 2.3 / 0.72  # at 2.3 m: 0.15 of the long side right of the person
    facing = [((-4.0, y, 3.0), (4.0, y, 3.0)) for y in (0.0, 2.6)]
    walls = horizon.structures(projected(camera, facing, shape), shape, 1.0)
    plumb = projected(camera, [((string_x + 2.3 * math.tan(math.radians(yaw)), 2.4, 2.3),
                                (string_x + 2.3 * math.tan(math.radians(yaw)), 0.4, 2.3))], shape)[0]
    top, bottom = (plumb[:2], plumb[2:]) if plumb[1] < plumb[3] else (plumb[2:], plumb[:2])
    lean = math.degrees(math.atan2(bottom[0] - top[0], bottom[1] - top[1]))
    x, y = ((top + bottom) / 2 - np.array([shape[1], shape[0]]) / 2) / max(shape)
    assert abs(x) == pytest.approx(0.15, abs=0.05)
    alone = horizon.plumb_line_roll(None, x, y, lean, 0.2)
    roll_deg, sd_deg = horizon.plumb_line_roll(walls, x, y, lean, 0.2)
    assert abs(lean - roll) >= 0.4  # the pitch term the string alone carries
    assert alone[1] >= 0.5  # and its SD says so
    assert roll_deg == pytest.approx(roll, abs=0.3)
    assert sd_deg < alone[1]


@pytest.mark.parametrize("roll, yaw, pitch", [(2.5, 6.0, -3.0), (-1.5, 3.0, 1.5)])
def test_a_rendered_room_corner_is_leveled_within_half_a_degree(roll, yaw, pitch):
    estimate = home(SceneKind.ROOM_CORNER, roll, yaw=yaw, pitch=pitch)
    assert estimate.confident, estimate.reason
    assert estimate.roll_deg == pytest.approx(roll, abs=0.5)
    assert "corner" in estimate.reason
