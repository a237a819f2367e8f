"""Decoding: every format and pixel mode a phone or an editor produces, and every broken input."""

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from posture.errors import ErrorCode, PhotoError
from posture.vision import image_io
from posture.vision.image_io import PhotoBytes, load_photo


def scene(width: int = 300, height: int = 400) -> np.ndarray:
    """A recognisable gradient, so orientation and colour mistakes show."""
    y, x = np.mgrid[0:height, 0:width]
    return np.stack([x * 255 // width, y * 255 // height, np.full_like(x, 90)], axis=2).astype(np.uint8)


def error_code(path) -> ErrorCode:
    with pytest.raises(PhotoError) as caught:
        load_photo(path)
    assert caught.value.message  # always a sentence for the user
    return caught.value.code


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda d: d / "missing.jpg", ErrorCode.FILE_NOT_FOUND),
        (lambda d: d, ErrorCode.IS_A_DIRECTORY),
        (lambda d: _write(d / "empty.jpg", b""), ErrorCode.EMPTY_FILE),
        (lambda d: _write(d / "notes.jpg", b"these are not pixels\n" * 20), ErrorCode.NOT_AN_IMAGE),
        (lambda d: _truncated_jpeg(d / "cut.jpg"), ErrorCode.TRUNCATED_IMAGE),
        (lambda d: _save(d / "tiny.png", scene(40, 60)), ErrorCode.IMAGE_TOO_SMALL),
        (lambda d: _png_claiming(d / "bomb.png", 40000, 40000), ErrorCode.IMAGE_TOO_LARGE),
    ],
    ids=["missing", "folder", "empty", "text", "truncated", "tiny", "bomb"],
)
def test_broken_inputs_give_a_stable_code_and_a_message(tmp_path, make, code):
    assert error_code(make(tmp_path)) is code


def test_a_decompression_bomb_is_refused_before_decoding(tmp_path, monkeypatch):
    path = _png_claiming(tmp_path / "bomb.png", 40000, 40000)
    monkeypatch.setattr(Image.Image, "load", lambda self: pytest.fail("decoded a bomb"))
    assert error_code(path) is ErrorCode.IMAGE_TOO_LARGE


@pytest.mark.parametrize("suffix", [".jpg", ".png", ".webp", ".tif", ".bmp"])
def test_common_formats_decode_to_the_same_upright_rgb(tmp_path, suffix):
    original = scene()
    path = _save(tmp_path / f"scene{suffix}", original)
    photo = load_photo(path)
    assert photo.original_size == (300, 400)
    assert photo.rgb.shape == (400, 300, 3) and photo.rgb.dtype == np.uint8
    assert np.abs(photo.rgb.astype(int) - original).mean() < 3  # lossy formats differ slightly


def test_heic_from_an_iphone(tmp_path):
    if not image_io.HEIF_SUPPORTED:
        pytest.skip("pillow-heif is not installed on this platform")
    path = tmp_path / "scene.heic"
    try:
        Image.fromarray(scene()).save(path, quality=95)
    except (KeyError, OSError, ValueError) as exc:
        pytest.skip(f"this pillow-heif build cannot encode HEIC ({exc})")
    photo = load_photo(path)
    assert photo.original_size == (300, 400)
    assert np.abs(photo.rgb.astype(int) - scene()).mean() < 6


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_exif_orientation_is_applied(tmp_path, orientation):
    upright = scene()
    # Store the pixels the way a phone does (rotated) and say so in EXIF.
    stored = {3: np.rot90(upright, 2), 6: np.rot90(upright, 1), 8: np.rot90(upright, -1)}[orientation]
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = tmp_path / "phone.png"
    Image.fromarray(np.ascontiguousarray(stored)).save(path, exif=exif)
    photo = load_photo(path)
    assert photo.original_size == (300, 400)
    assert np.array_equal(photo.rgb, upright)


@pytest.mark.parametrize(
    ("mode_name", "make"),
    [
        ("16-bit grey", lambda: Image.fromarray(scene()[:, :, 0].astype(np.uint16) * 257)),
        ("8-bit grey", lambda: Image.fromarray(scene()[:, :, 0])),
        ("RGBA", lambda: Image.fromarray(np.dstack([scene(), np.full((400, 300), 255, np.uint8)]))),
        ("palette", lambda: Image.fromarray(scene()).convert("P")),
        ("CMYK", lambda: Image.fromarray(scene()).convert("CMYK")),
        ("1-bit", lambda: Image.fromarray(scene()[:, :, 0]).convert("1")),
    ],
)
def test_unusual_pixel_modes_become_8bit_rgb(tmp_path, mode_name, make):
    image = make()
    path = tmp_path / ("x.tif" if image.mode in ("CMYK", "I;16") else "x.png")
    image.save(path)
    photo = load_photo(path)
    assert photo.rgb.shape == (400, 300, 3) and photo.rgb.dtype == np.uint8, mode_name
    assert photo.rgb.max() > 100  # not crushed to black by a wrong bit depth


def test_transparent_pixels_become_white(tmp_path):
    rgba = np.zeros((200, 200, 4), np.uint8)
    Image.fromarray(rgba).save(tmp_path / "clear.png")
    assert load_photo(tmp_path / "clear.png").rgb.min() == 255


def test_a_45_megapixel_jpeg_is_decoded_reduced(tmp_path):
    path = tmp_path / "big.jpg"
    Image.new("RGB", (8256, 5504), (120, 130, 140)).save(path, quality=80)
    photo = load_photo(path)
    assert photo.original_size == (8256, 5504)
    assert max(photo.rgb.shape[:2]) <= image_io.WORKING_LONG_SIDE_PX


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _save(path: Path, rgb: np.ndarray) -> Path:
    Image.fromarray(rgb).save(path)
    return path


def _truncated_jpeg(path: Path) -> Path:
    full = path.with_suffix(".full.jpg")
    Image.fromarray(scene()).save(full, quality=95)
    data = full.read_bytes()
    return _write(path, data[: len(data) // 2])


def _png_claiming(path: Path, width: int, height: int) -> Path:
    """A valid tiny PNG whose header claims a huge size (what a decompression bomb looks like)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = zlib.compress(b"\x00" * 64)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    return _write(path, png)


def test_a_file_that_is_no_image_says_what_to_do_and_a_heic_without_support_how_to_get_a_jpeg(monkeypatch):
    with pytest.raises(PhotoError) as caught:
        load_photo(PhotoBytes("notes.jpg", b"this is not a photo"))
    assert caught.value.code is ErrorCode.NOT_AN_IMAGE and "save the photo as JPEG" in caught.value.message
    monkeypatch.setattr(image_io, "HEIF_SUPPORTED", False)
    with pytest.raises(PhotoError) as caught:
        load_photo(PhotoBytes("IMG_0001.HEIC", b"no decoder here knows these bytes"))
    assert caught.value.code is ErrorCode.NOT_AN_IMAGE
    assert "IMG_0001.HEIC is an iPhone HEIC photo" in caught.value.message
    assert "export it as JPEG" in caught.value.message
