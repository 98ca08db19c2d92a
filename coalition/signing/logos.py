"""Logo uploads: only PNG, JPEG and WebP, checked before decoding, re-encoded without metadata.

An upload is never stored as sent. The first bytes decide the format (never the file name
or the browser's content type, so an SVG with a .png name is refused); the pixel count is
read from the header and checked before any pixel is decoded, so a small file that
inflates to gigapixels (a decompression bomb) is refused cheaply; then the pixels are
decoded, oriented, scaled down and written to a fresh PNG that carries no EXIF, XMP, ICC
or text chunks. PNG is the one output format because every export (PDF, DOCX) reads it.
"""

from __future__ import annotations

import io
import struct
import warnings

from PIL import Image, ImageOps

from coalition.domain.errors import ValidationError

LOGO_TYPE = "image/png"
# Stored logos are scaled to fit this box: enough for print, small in the database.
MAX_SIDE = 1200

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
)


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, fields={"logo": message})


def sniff(data: bytes) -> str | None:
    """The format named by the file's first bytes: PNG, JPEG, WEBP, or None."""
    for magic, name in _SIGNATURES:
        if data.startswith(magic):
            return name
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _truncated(data: bytes, kind: str) -> bool:
    """Whether the file stops early. Checked here because Pillow can be told, process-wide,
    to fill truncated images silently (WeasyPrint sets ImageFile.LOAD_TRUNCATED_IMAGES)."""
    if kind == "JPEG":
        # The last scan (SOS) must be followed by the end-of-image marker.
        return data.rfind(b"\xff\xd9") < data.rfind(b"\xff\xda")
    if kind == "PNG":
        try:
            with Image.open(io.BytesIO(data), formats=["PNG"]) as probe:
                probe.verify()  # reads every chunk and checks its CRC, up to IEND
        except (OSError, SyntaxError, ValueError, EOFError, struct.error):
            return True
    return False


def process_logo(data: bytes, *, max_bytes: int, max_pixels: int) -> tuple[bytes, str]:
    """Check an uploaded logo and return it re-encoded as (png bytes, content type)."""
    if not data:
        raise _refuse("The logo file is empty.")
    if len(data) > max_bytes:
        raise _refuse(f"The logo is too large: at most {max_bytes // 1024} KB.")
    kind = sniff(data)
    if kind is None:
        raise _refuse("The logo must be a PNG, JPEG or WebP image (SVG is not accepted).")
    try:
        with warnings.catch_warnings():
            # Pillow only warns below twice its own limit; treat that as a refusal too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data), formats=[kind])
            width, height = opened.size
            if width < 1 or height < 1 or width * height > max_pixels:
                raise _refuse(
                    f"The logo has too many pixels ({width}×{height}); "
                    f"at most {max_pixels:,} pixels."
                )
            if _truncated(data, kind):
                raise _refuse("The logo file is incomplete; try saving it again.")
            opened.seek(0)  # the first frame of an animation
            opened.load()
            image: Image.Image = ImageOps.exif_transpose(opened) or opened
            has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
            image = image.convert("RGBA" if has_alpha else "RGB")
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            # A new image from the raw pixels: no info dict, so no metadata can follow.
            clean = Image.frombytes(image.mode, image.size, image.tobytes())
            out = io.BytesIO()
            clean.save(out, format="PNG", optimize=True)
    except ValidationError:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise _refuse("The logo has too many pixels.") from exc
    except (OSError, SyntaxError, ValueError, EOFError, TypeError, MemoryError) as exc:
        raise _refuse("The logo could not be read as an image; try saving it again.") from exc
    return out.getvalue(), LOGO_TYPE
