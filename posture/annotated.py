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
    image = annotated_image(section)
    if image is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    stem = Path(section.title).stem
    target = folder / f"{stem}.annotated.jpg"
    counter = 2
    while target in taken:
        target = folder / f"{stem}.{counter}.annotated.jpg"
        counter += 1
    taken.add(target)
    Image.fromarray(image).save(target, quality=90)
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
