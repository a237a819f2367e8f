"""Something held in a hand: made-up bodies with and without a bag, and real photos."""

import cv2
import numpy as np
import pytest

from posture.assessment.hands import held_object
from posture.assessment.views import View
from posture.vision.landmarks import Landmark as L
from posture.vision.landmarks import PoseLandmarks
from tests.conftest import IMAGE_SIZE, STATURE_PX, body_mask, frontal_landmarks


def body_with_hands(pose: PoseLandmarks, bag_beside: L | None = None) -> np.ndarray:
    """The made-up skeleton's mask (tests.conftest.body_mask) with empty hands below the wrists,
    and a bag hanging beside a hand."""
    mask = (body_mask(pose, thickness=round(0.05 * STATURE_PX)) > 0).astype(np.uint8)
    pts = pose.xy_px.round().astype(np.int32)
    for wrist in (L.LEFT_WRIST, L.RIGHT_WRIST):
        cv2.circle(mask, tuple(pts[wrist] + (0, round(0.03 * STATURE_PX))), round(0.03 * STATURE_PX), 1, -1)
    if bag_beside is not None:
        x, y = pts[bag_beside]
        outward = 1 if x > IMAGE_SIZE[0] / 2 else -1
        near, far = x + outward * round(0.02 * STATURE_PX), x + outward * round(0.14 * STATURE_PX)
        cv2.rectangle(mask, (min(near, far), y), (max(near, far), y + round(0.1 * STATURE_PX)), 1, -1)
    return mask.astype(np.float32)


def held(pose: PoseLandmarks, mask: np.ndarray | None, view: View, rgb: np.ndarray | None = None):
    """`held_object` on a plain grey background unless a photo is given."""
    return held_object(pose, mask, np.full((IMAGE_SIZE[1], IMAGE_SIZE[0], 3), 128, np.uint8) if rgb is None else rgb,
                       view)


def mirrored(pose: PoseLandmarks, mask: np.ndarray) -> tuple[PoseLandmarks, np.ndarray]:
    xy = pose.xy_px.copy()
    xy[:, 0] = IMAGE_SIZE[0] - 1 - xy[:, 0]
    return PoseLandmarks(xy, pose.visibility, pose.image_size).with_sides_swapped(), mask[:, ::-1].copy()


def test_empty_hands_hold_nothing():
    pose = frontal_landmarks()
    assert held(pose, body_with_hands(pose), View.FRONT) is None


@pytest.mark.parametrize(("hand", "side"), [(L.LEFT_WRIST, "left"), (L.RIGHT_WRIST, "right")])
def test_a_bag_beside_one_hand_is_seen_in_that_hand_and_in_the_mirror_image_in_the_other(hand, side):
    pose = frontal_landmarks()
    mask = body_with_hands(pose, bag_beside=hand)
    warning = held(pose, mask, View.FRONT)
    assert warning is not None and f"the {side} hand" in warning.message
    other = {"left": "right", "right": "left"}[side]
    assert f"the {other} hand" in held(*mirrored(pose, mask), View.FRONT).message


def soft_outline(mask: np.ndarray) -> np.ndarray:
    """The mask as a segmenter gives it: a soft rim (0.3) a few pixels wide along the outline."""
    rim = cv2.dilate(mask.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    return np.where(mask > 0, 1.0, np.where(rim, 0.3, 0.0)).astype(np.float32)


def test_a_half_sure_blob_below_one_hand_is_something_held_and_a_soft_rim_is_not():
    """A cap held low in the hand is often segmented only half sure (0.1-0.5), not taken in."""
    pose = frontal_landmarks()
    mask = soft_outline(body_with_hands(pose))
    assert held(pose, mask, View.FRONT) is None
    x, y = pose.xy_px[L.RIGHT_WRIST].round().astype(int)
    side = round(0.06 * STATURE_PX)
    with_cap = mask.copy()
    with_cap[y + side // 2:y + 2 * side, x - side // 2:x + side // 2] = 0.3
    warning = held(pose, with_cap, View.FRONT)
    assert warning is not None and "the right hand" in warning.message


def background_with(pose: PoseLandmarks, hand: L, width: float, darker_beside: bool = False) -> np.ndarray:
    """A pale background with a dark stripe `width` (of the stature) wide hanging from 0.05 to 0.3
    of the stature below `hand`; with `darker_beside`, the background beside the hand is dark too."""
    rgb = np.full((IMAGE_SIZE[1], IMAGE_SIZE[0], 3), 200, np.uint8)
    x, y = pose.xy_px[hand].round().astype(int)
    half = max(1, round(width / 2 * STATURE_PX))
    rgb[y + round(0.05 * STATURE_PX):y + round(0.3 * STATURE_PX), x - half:x + half] = 20
    if darker_beside:
        rgb[y:y + round(0.3 * STATURE_PX)] = 20
    return rgb


def test_a_load_hanging_clear_of_the_hand_is_seen_in_the_photo_and_a_thin_pole_or_a_dark_wall_is_not():
    """A tote on long handles is left out of the mask: straight below the hand the photo shows
    something unlike the background beside it, for a long stretch."""
    pose = frontal_landmarks()
    mask = body_with_hands(pose)
    tote = held(pose, mask, View.FRONT, background_with(pose, L.LEFT_WRIST, 0.1))
    assert tote is not None and "the left hand" in tote.message
    assert held(pose, mask, View.FRONT, background_with(pose, L.LEFT_WRIST, 0.01)) is None  # a pole's edge
    assert held(pose, mask, View.FRONT, background_with(pose, L.LEFT_WRIST, 0.1, darker_beside=True)) is None


def test_no_mask_or_a_profile_is_not_judged():
    pose = frontal_landmarks()
    assert held(pose, None, View.FRONT) is None
    assert held(pose, body_with_hands(pose, bag_beside=L.LEFT_WRIST), View.SIDE_LEFT) is None


def test_real_photos_a_bag_in_the_hand_and_empty_hands(shared_front_photos, estimator):
    """Judged by eye: a handbag in the hand (ccp_0152, right) or at it (ccp_0044, left), a cap held
    low in the left hand (ccp_0191, segmented half sure), a tote hanging on long handles clear of
    the hand (ccp_0225, left); empty hands hanging (ccp_0061) or in pockets (ccp_0008, ccp_0028)."""
    from posture.analysis import Options, locate

    by_name = {p.name: p for p in shared_front_photos}

    def object_in_hand(name: str) -> bool:
        located = locate(str(by_name[name]), estimator, Options(level=False))
        return "object_in_hand" in {w.code.value for w in located.warnings}

    assert object_in_hand("ccp_0152.jpg") and object_in_hand("ccp_0044.jpg") and object_in_hand("ccp_0191.jpg")
    assert object_in_hand("ccp_0225.jpg")
    assert not any(object_in_hand(name) for name in ("ccp_0061.jpg", "ccp_0008.jpg", "ccp_0028.jpg"))
