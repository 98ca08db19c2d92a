"""Logo checks: type by content, size, pixels (decompression bombs), malformed, metadata."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from coalition.domain.errors import ValidationError
from coalition.signing.logos import process_logo, sniff

LIMITS = {"max_bytes": 1024 * 1024, "max_pixels": 4000 * 4000}


def _image(fmt: str, size: tuple[int, int] = (64, 32), mode: str = "RGB", **save: object) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (10, 120, 200) if mode == "RGB" else (10, 120, 200, 128)).save(
        out, format=fmt, **save
    )
    return out.getvalue()


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims a huge size over a few bytes of data (a bomb's shape)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_accepted_formats_become_png(fmt: str):
    data, content_type = process_logo(_image(fmt), **LIMITS)
    assert content_type == "image/png"
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.size == (64, 32)


def test_transparency_is_kept():
    data, _ = process_logo(_image("PNG", mode="RGBA"), **LIMITS)
    assert Image.open(io.BytesIO(data)).mode == "RGBA"


def test_metadata_is_stripped():
    exif = Image.Exif()
    exif[0x010E] = "secret description"  # ImageDescription
    exif[0x013B] = "Photographer Name"  # Artist
    original = _image("JPEG", exif=exif.tobytes())
    assert b"Photographer Name" in original
    data, _ = process_logo(original, **LIMITS)
    assert b"Photographer Name" not in data and b"secret" not in data
    image = Image.open(io.BytesIO(data))
    assert not image.getexif() and "icc_profile" not in image.info


def test_png_text_chunks_are_stripped():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "internal-only-note")
    data, _ = process_logo(_image("PNG", pnginfo=info), **LIMITS)
    assert b"internal-only-note" not in data


@pytest.mark.parametrize(
    "data",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>',
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
        b"GIF89a\x01\x00\x01\x00",
        b"%PDF-1.7 not an image",
        b"<html><script>alert(1)</script></html>",
    ],
)
def test_other_types_and_svg_are_refused(data: bytes):
    with pytest.raises(ValidationError) as caught:
        process_logo(data, **LIMITS)
    assert "logo" in caught.value.fields
    assert "PNG, JPEG or WebP" in caught.value.message


def test_gif_by_content_even_with_png_name():
    assert sniff(_image("GIF")) is None


def test_oversized_file_refused_before_decoding():
    with pytest.raises(ValidationError, match="too large"):
        process_logo(_image("PNG"), max_bytes=100, max_pixels=LIMITS["max_pixels"])


def test_too_many_pixels_refused():
    with pytest.raises(ValidationError, match="too many pixels"):
        process_logo(_image("PNG", size=(300, 300)), max_bytes=LIMITS["max_bytes"],
                     max_pixels=200 * 200)


def test_decompression_bomb_refused_from_header():
    bomb = _png_header_only(100_000, 100_000)  # 10 gigapixels claimed in ~100 bytes
    assert len(bomb) < 200
    with pytest.raises(ValidationError, match="too many pixels"):
        process_logo(bomb, **LIMITS)


def test_bomb_beyond_pillow_limit_refused_even_with_generous_setting():
    bomb = _png_header_only(20_000, 20_000)
    with pytest.raises(ValidationError, match="too many pixels"):
        process_logo(bomb, max_bytes=LIMITS["max_bytes"], max_pixels=10**12)


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
        _image("PNG")[:60],
        b"\xff\xd8\xff\xe0" + b"garbage" * 10,
        b"RIFF\x00\x00\x00\x00WEBPVP8 junk",
        b"",
    ],
)
def test_malformed_images_refused(data: bytes):
    with pytest.raises(ValidationError) as caught:
        process_logo(data, **LIMITS)
    assert "logo" in caught.value.fields


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_truncated_files_refused_even_when_pillow_is_told_to_accept_them(fmt, monkeypatch):
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)  # as WeasyPrint does
    whole = _image(fmt, size=(200, 200), **({"quality": 95} if fmt != "PNG" else {}))
    noisy = Image.effect_noise((200, 200), 64).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, format=fmt)
    for data in (whole, out.getvalue()):
        with pytest.raises(ValidationError):
            process_logo(data[: len(data) * 2 // 3], **LIMITS)


def test_large_logo_is_scaled_down():
    data, _ = process_logo(_image("PNG", size=(3000, 1000)), **LIMITS)
    assert Image.open(io.BytesIO(data)).size == (1200, 400)
