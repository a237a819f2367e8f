"""The photo with the camera roll undone, once: every measurement reads this frame.

Why one frame: a rolled camera adds its roll to every tilt. Undoing it in one place (the points,
the body mask and any point a person placed) keeps every measurement, outline and marker in the
same upright coordinates; undoing it per measurement had let the side-view outline offsets be read
on the rolled mask while the pelvis outline beside them was leveled.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from posture.vision.landmarks import PoseLandmarks, rotate_points


@dataclass(frozen=True, eq=False)
class LevelFrame:
    """Points and mask turned by `-roll_deg` about the photo's centre.

    `photo` keeps the landmarks as the camera saw them: whether a point is visible and inside the
    photo is decided there, never on the turned copy (a turn can move a border point out).
    """

    roll_deg: float  # counter-clockwise on screen; 0 when the photo was not leveled
    photo: PoseLandmarks
    landmarks: PoseLandmarks
    mask: np.ndarray | None  # the person mask (its own pixel grid), turned like the points

    def point(self, xy_photo: tuple[float, float]) -> np.ndarray:
        """A point of the upright photo (e.g. a clicked ASIS) in this frame."""
        return rotate_points(np.asarray(xy_photo, dtype=np.float64), -self.roll_deg, self.photo.image_size)


def level_frame(landmarks: PoseLandmarks, mask: np.ndarray | None, roll_deg: float) -> LevelFrame:
    if not roll_deg:
        return LevelFrame(0.0, landmarks, landmarks, mask)
    turned_mask = None
    if mask is not None:
        height, width = mask.shape
        turn = cv2.getRotationMatrix2D((width / 2, height / 2), -roll_deg, 1.0)
        turned_mask = cv2.warpAffine(mask, turn, (width, height), flags=cv2.INTER_LINEAR)
    return LevelFrame(roll_deg, landmarks, landmarks.rotated(-roll_deg), turned_mask)
