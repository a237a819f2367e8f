"""Per-photo errors: a stable code for programs and a message for people.

A bad photo never stops a batch; the pipeline turns these into the PHOTO record's `error`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ErrorCode(StrEnum):
    FILE_NOT_FOUND = "file_not_found"
    IS_A_DIRECTORY = "is_a_directory"
    UNREADABLE_FILE = "unreadable_file"
    EMPTY_FILE = "empty_file"
    NOT_AN_IMAGE = "not_an_image"
    TRUNCATED_IMAGE = "truncated_image"
    IMAGE_TOO_SMALL = "image_too_small"
    IMAGE_TOO_LARGE = "image_too_large"
    NO_PERSON = "no_person"


class PhotoError(Exception):
    """A photo that cannot be analysed, with the reason in words a user can act on."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def to_json(self) -> dict[str, str]:
        return {"code": self.code.value, "message": self.message}


class WarningCode(StrEnum):
    SEVERAL_PEOPLE = "several_people"
    BODY_CUT_OFF = "body_cut_off"
    SITTING = "sitting"
    ARMS_NOT_HANGING = "arms_not_hanging"
    OBJECT_IN_HAND = "object_in_hand"
    MARKER_NOT_FOUND = "marker_not_found"
    MARKER_AMBIGUOUS = "marker_ambiguous"
    VIEW_MISMATCH = "view_mismatch"
    VIEW_UNCERTAIN = "view_uncertain"
    SIDES_RELABELLED = "sides_relabelled"
    NOT_LEVELED = "not_leveled"
    TURNED_FROM_CAMERA = "turned_from_camera"
    MARKERS_IGNORED = "markers_ignored"
    MARKERS_SUSPECT = "markers_suspect"
    POINT_OFF_BODY = "point_off_body"
    MOVED_DURING_CAPTURE = "moved_during_capture"
    LANDMARKS_EDITED = "landmarks_edited"
    UNUSUAL_OUTLINE = "unusual_outline"
    NOT_STANDING_POSTURE = "not_standing_posture"
    MIXED_SKELETON = "mixed_skeleton"


@dataclass(frozen=True)
class PhotoWarning:
    """Something that makes a result less trustworthy, with what to do about it."""

    code: WarningCode
    message: str

    def to_json(self) -> dict[str, str]:
        return {"code": self.code.value, "message": self.message}
