"""Decode a user's photo into an upright 8-bit RGB working copy, or say clearly why not.

Why a working copy: a 45 MP phone photo decodes to ~135 MB and the pose model looks at a 256 px
crop anyway. JPEGs are decoded straight at a reduced scale (libjpeg's DCT scaling, Pillow's
`draft`), so memory stays bounded; landmarks are reported in the upright original's pixels (the model's
coordinates are fractions of the image, so the mapping is exact).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from posture.errors import ErrorCode, PhotoError

try:  # iPhone photos; optional so that a platform without the wheel still runs everything else.
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIF_SUPPORTED = True
except ImportError:  # pragma: no cover - depends on the platform's wheels
    HEIF_SUPPORTED = False

MIN_SIDE_PX = 100
MAX_PIXELS = 120_000_000  # 45 MP photos are normal; 120 MP and up is refused before decoding.
WORKING_LONG_SIDE_PX = 1920


@dataclass(frozen=True)
class PhotoBytes:
    """A photo held in memory (an app upload): never written to disk, reported under `name`."""

    name: str
    data: bytes

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Photo:
    """An upright RGB working copy of a photo and how it maps back to the original."""

    rgb: np.ndarray  # (h, w, 3) uint8, upright
    original_size: tuple[int, int]  # (width, height) of the upright original
    format: str


def load_photo(source: str | Path | PhotoBytes, working_long_side_px: int = WORKING_LONG_SIDE_PX) -> Photo:
    """Read a file or an upload; raise PhotoError with a stable code for anything a user could have
    got wrong."""
    if isinstance(source, PhotoBytes):
        path = Path(source.name)
        if not source.data:
            raise PhotoError(ErrorCode.EMPTY_FILE, f"{path.name} is empty (0 bytes).")
        opened = io.BytesIO(source.data)
    else:
        path = opened = Path(source)
        _check_file(path)
    try:
        with warnings.catch_warnings():  # our own pixel limit (MAX_PIXELS) decides, with a clear message
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(opened)
    except UnidentifiedImageError:
        raise _not_an_image(path) from None
    except Image.DecompressionBombError:
        raise _too_large(path, None) from None
    except PermissionError as exc:
        raise PhotoError(ErrorCode.UNREADABLE_FILE, f"{path.name} could not be read: {exc}") from None
    except OSError as exc:  # a recognised format whose header is broken
        raise _damaged(path, exc) from None

    with image:
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise _too_large(path, (width, height))
        if min(width, height) < MIN_SIDE_PX:
            raise PhotoError(
                ErrorCode.IMAGE_TOO_SMALL,
                f"{path.name} is only {width}x{height} pixels; a person needs at least "
                f"{MIN_SIDE_PX} pixels on the short side (use the original photo, not a thumbnail).",
            )
        image_format = image.format or "unknown"
        upright_size = _upright_size(image)
        _decode_reduced(image, working_long_side_px)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                image.load()
        except (OSError, SyntaxError, ValueError) as exc:
            raise _damaged(path, exc) from None
        upright = ImageOps.exif_transpose(image)
        rgb = _to_rgb8(upright)

    working = _shrink(rgb, working_long_side_px)
    return Photo(rgb=working, original_size=upright_size, format=image_format)


def _check_file(path: Path) -> None:
    if path.is_dir():
        raise PhotoError(ErrorCode.IS_A_DIRECTORY, f"{path} is a folder, not a photo.")
    if not path.exists():
        raise PhotoError(ErrorCode.FILE_NOT_FOUND, f"{path} does not exist.")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise PhotoError(ErrorCode.UNREADABLE_FILE, f"{path} could not be read: {exc}") from None
    if size == 0:
        raise PhotoError(ErrorCode.EMPTY_FILE, f"{path.name} is empty (0 bytes).")


def _not_an_image(path: Path) -> PhotoError:
    """What the decoder could not read, with what to do; an iPhone photo where HEIC is unsupported
    says how to get a JPEG instead."""
    if path.suffix.lower() in (".heic", ".heif") and not HEIF_SUPPORTED:
        return PhotoError(
            ErrorCode.NOT_AN_IMAGE,
            f"{path.name} is an iPhone HEIC photo and this installation cannot read HEIC (pillow-heif is "
            "missing): share or export it as JPEG (on the iPhone: Settings, Camera, Formats, Most Compatible).",
        )
    return PhotoError(
        ErrorCode.NOT_AN_IMAGE,
        f"{path.name} is not an image this tool can read (JPEG, PNG, WebP, TIFF, BMP"
        + (", HEIC" if HEIF_SUPPORTED else "")
        + "): choose the photo file itself, or save the photo as JPEG and use that.",
    )


def _damaged(path: Path, exc: Exception) -> PhotoError:
    return PhotoError(
        ErrorCode.TRUNCATED_IMAGE,
        f"{path.name} is damaged or incomplete ({exc}); copy the original photo again.",
    )


def _too_large(path: Path, size: tuple[int, int] | None) -> PhotoError:
    dims = f" ({size[0]}x{size[1]})" if size else ""
    return PhotoError(
        ErrorCode.IMAGE_TOO_LARGE,
        f"{path.name}{dims} has more than {MAX_PIXELS // 1_000_000} million pixels and was refused "
        "without decoding it; resize it or use the camera's normal photo mode.",
    )


def _upright_size(image: Image.Image) -> tuple[int, int]:
    orientation = image.getexif().get(0x0112, 1)
    width, height = image.size
    # Orientations 5-8 store the photo rotated by 90 degrees.
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def _decode_reduced(image: Image.Image, long_side_px: int) -> None:
    """Ask the JPEG decoder for a reduced scale no smaller than the working size (no-op otherwise)."""
    width, height = image.size
    scale = long_side_px / max(width, height)
    if scale < 1 and image.format == "JPEG":
        image.draft("RGB", (max(1, round(width * scale)), max(1, round(height * scale))))


def _to_rgb8(image: Image.Image) -> np.ndarray:
    """Any Pillow mode (16-bit, float, grayscale, palette, alpha, CMYK) to 8-bit RGB.

    Transparent areas become white, like the page a transparent PNG is usually shown on.
    """
    mode = image.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        values = np.asarray(image, dtype=np.float64)
        peak = 65535.0 if mode.startswith("I;16") or values.max() > 255 else 255.0
        if mode == "F":
            peak = max(float(values.max()), 1e-9)
        gray = np.clip(values / peak * 255.0 + 0.5, 0, 255).astype(np.uint8)
        return np.repeat(gray[:, :, None], 3, axis=2)
    if mode in ("P", "PA", "LA", "RGBA", "La", "RGBa") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return np.asarray(Image.alpha_composite(background, rgba).convert("RGB"))
    return np.asarray(image.convert("RGB"))


def _shrink(rgb: np.ndarray, long_side_px: int) -> np.ndarray:
    height, width = rgb.shape[:2]
    if max(width, height) <= long_side_px:
        return np.ascontiguousarray(rgb)
    scale = long_side_px / max(width, height)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    # Pillow's reducing resize averages the whole footprint (no aliasing of thin edges).
    return np.asarray(Image.fromarray(rgb).resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0))
