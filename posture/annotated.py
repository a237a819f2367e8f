"""Annotated images of a report's photos: drawn from what the report view decided to show."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from posture.presentation import PhotoSection
from posture.vision.drawing import annotate

THUMBNAIL_LONG_SIDE_PX = 360


def annotated_image(section: PhotoSection) -> np.ndarray | None:
    if section.annotation is None:
        return None
    return annotate(section.result.image, section.result.landmarks, section.annotation)


def write_annotated(section: PhotoSection, folder: Path, taken: set[Path]) -> Path | None:
    """Save `<stem>.annotated.jpg` in `folder`, numbered if another photo of this run took the
    name (a re-run overwrites its own files); None when there is nothing to draw on."""
    jpeg = annotated_jpeg(section)
    return None if jpeg is None else save_annotated(section.title, jpeg, folder, taken)


def annotated_jpeg(section: PhotoSection) -> bytes | None:
    """The annotated image as the JPEG `write_annotated` saves (a batch worker encodes it, the
    parent process names and writes it in the photos' order)."""
    image = annotated_image(section)
    if image is None:
        return None
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def save_annotated(title: str, jpeg: bytes, folder: Path, taken: set[Path]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    stem = Path(title).stem
    target = folder / f"{stem}.annotated.jpg"
    counter = 2
    while target in taken:
        target = folder / f"{stem}.{counter}.annotated.jpg"
        counter += 1
    taken.add(target)
    target.write_bytes(jpeg)
    return target


def thumbnail_jpeg(sections: Sequence[PhotoSection]) -> bytes | None:
    """A small annotated image of the first analysed photo, for the history."""
    for section in sections:
        image = annotated_image(section)
        if image is not None:
            picture = Image.fromarray(image)
            picture.thumbnail((THUMBNAIL_LONG_SIDE_PX, THUMBNAIL_LONG_SIDE_PX))
            buffer = io.BytesIO()
            picture.save(buffer, format="JPEG", quality=80)
            return buffer.getvalue()
    return None
