"""Reading a PDF report back as a reader sees it: each page rendered to pixels by PDFium
(pypdfium2), its text with each character's box, and where its images were drawn."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

POINTS_PER_MM = 72 / 25.4
RENDER_SCALE = 2.0  # pixels per PDF point


@dataclass(frozen=True)
class Box:
    """In PDF points, y up from the page's foot."""

    left: float
    bottom: float
    right: float
    top: float


@dataclass(frozen=True)
class Page:
    width: float  # points
    height: float
    text: str  # whitespace (line breaks included) as single spaces
    chars: tuple[tuple[str, Box], ...]  # each printed character (not spaces) and its box
    images: tuple[Box, ...]
    pixels: np.ndarray  # RGB, RENDER_SCALE pixels per point, top row = top of the page

    def region(self, box: Box) -> np.ndarray:
        """The rendered pixels inside a box."""
        s = RENDER_SCALE
        return self.pixels[round((self.height - box.top) * s):round((self.height - box.bottom) * s),
                           round(box.left * s):round(box.right * s)]


def read_pdf(data: bytes) -> list[Page]:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    assert data.startswith(b"%PDF-"), data[:20]
    document = pdfium.PdfDocument(data)
    pages = []
    for page in document:
        textpage = page.get_textpage()
        count = textpage.count_chars()
        chars = tuple((textpage.get_text_range(i, 1), Box(*textpage.get_charbox(i))) for i in range(count))
        images = tuple(Box(*obj.get_bounds()) for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,)))
        pixels = np.asarray(page.render(scale=RENDER_SCALE).to_pil().convert("RGB"))
        text = re.sub(r"\s+", " ", textpage.get_text_range())
        printed = tuple((c, box) for c, box in chars if c.strip())
        pages.append(Page(page.get_width(), page.get_height(), text, printed, images, pixels))
    document.close()
    return pages


def all_text(pages: list[Page]) -> str:
    return " ".join(page.text for page in pages)


def text_box(page: Page, text: str) -> Box:
    """Where a text is printed on the page: the box around its characters (the first time it is)."""
    wanted = re.sub(r"\s+", "", text)
    printed = "".join(c for c, _ in page.chars)
    start = printed.index(wanted)
    boxes = [box for _, box in page.chars[start:start + len(wanted)]]
    return Box(min(b.left for b in boxes), min(b.bottom for b in boxes), max(b.right for b in boxes),
               max(b.top for b in boxes))
