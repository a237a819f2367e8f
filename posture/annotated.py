"""Annotated images of a report's photos: drawn from what the report view decided to show."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from posture.presentation import PhotoSection
from posture.vision.drawing import annotate

THUMBNAIL_LONG_SIDE_PX = 360
MISSING_PANEL_GREY = (225, 225, 225)
GRID_LINES = 9  # odd: the middle one is the image's vertical centre line


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


def view_thumbnails(sections: Sequence[PhotoSection]) -> dict[str, bytes]:
    """A small annotated JPEG of each view's first analysed photo (view value -> JPEG), for the
    history, so every view can be compared over time."""
    thumbnails: dict[str, bytes] = {}
    for section in sections:
        view = section.result.view
        if section.ok and view is not None and view.value not in thumbnails:
            image = annotated_image(section)
            if image is not None:
                thumbnails[view.value] = _small_jpeg(Image.fromarray(image))
    return thumbnails


def with_grid(jpeg: bytes, lines: int = GRID_LINES) -> bytes:
    """The image under an even grid (`lines` vertical and horizontal lines at equal fractions of
    its size, the middle vertical stronger), so two dates of one view can be compared for
    alignment line by line."""
    picture = Image.open(io.BytesIO(jpeg)).convert("RGB")
    overlay = Image.new("RGBA", picture.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    width, height = picture.size
    for i in range(1, lines + 1):
        x, y = round(i * width / (lines + 1)), round(i * height / (lines + 1))
        strong = i == (lines + 1) // 2 and lines % 2 == 1
        draw.line([(x, 0), (x, height)], fill=(20, 20, 20, 190 if strong else 100), width=2 if strong else 1)
        draw.line([(0, y), (width, y)], fill=(20, 20, 20, 100), width=1)
    return _small_jpeg(Image.alpha_composite(picture.convert("RGBA"), overlay).convert("RGB"))


def side_by_side(images: Sequence[bytes | None], gap_px: int = 8) -> bytes:
    """Thumbnails (JPEG, or None where a date has no photo of the view: a grey panel) joined into
    one image at one height, so they stay side by side on a phone's narrow screen too."""
    opened = [None if jpeg is None else Image.open(io.BytesIO(jpeg)).convert("RGB") for jpeg in images]
    height = max((i.height for i in opened if i is not None), default=THUMBNAIL_LONG_SIDE_PX)
    panels = [Image.new("RGB", (height // 2, height), MISSING_PANEL_GREY) if i is None
              else i.resize((round(i.width * height / i.height), height)) for i in opened]
    joined = Image.new("RGB", (sum(p.width for p in panels) + gap_px * (len(panels) - 1), height), "white")
    x = 0
    for panel in panels:
        joined.paste(panel, (x, 0))
        x += panel.width + gap_px
    buffer = io.BytesIO()
    joined.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def _small_jpeg(picture: Image.Image) -> bytes:
    picture.thumbnail((THUMBNAIL_LONG_SIDE_PX, THUMBNAIL_LONG_SIDE_PX))
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()
