"""Uploads through the real forms: a logo of the wrong type, too large, malformed or a
decompression bomb is refused with the form shown again and nothing saved; a request over
the 2 MB limit gets 413; the bulk-invitation CSV must be small text."""

from __future__ import annotations

import gc
import io
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import func, select

from coalition.extensions import db
from coalition.models import Invitation, Signature, User
from tests import factories
from tests.conftest import base_config
from tests.security.world import World, build_world, png_bytes

LOGO_LIMIT = 64 * 1024
# Werkzeug's test client spools a large multipart body to a temporary file it never closes;
# collect it inside the test that made it, where the warning is expected.
CLIENT_SPOOL = pytest.mark.filterwarnings(
    "ignore::pytest.PytestUnraisableExceptionWarning", "ignore::ResourceWarning"
)


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, Any]:
    return {**base_config(tmp_path), "LOGO_MAX_BYTES": LOGO_LIMIT}


@pytest.fixture
def world(app: Flask) -> World:
    with app.app_context():
        return build_world()


def _bomb(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims an enormous image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 4096, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(
        b"IEND", b"")


def _noise_png(side: int) -> bytes:
    out = io.BytesIO()
    Image.effect_noise((side, side), 80).convert("RGB").save(out, format="PNG")
    return out.getvalue()


REFUSED = {
    "svg named .png": (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
                       "logo.png"),
    "html": (b"<html><script>alert(1)</script></html>", "logo.png"),
    "gif": (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00"
            b"\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;", "logo.gif"),
    "pdf": (b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "logo.pdf"),
    "truncated png": (png_bytes((300, 300))[:80], "logo.png"),
    "png signature and garbage": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "logo.png"),
    "jpeg header and garbage": (b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 20, "logo.jpg"),
    "decompression bomb": (_bomb(100_000, 100_000), "logo.png"),
    "bomb under pillow's limit": (_bomb(5_000, 5_000), "logo.png"),
}


def _count(app: Flask, statement_id: int) -> int:
    with app.app_context():
        return int(db.session.scalar(
            select(func.count(Signature.id)).where(Signature.statement_id == statement_id)
        ) or 0)


def _sign(client: Any, world: World, logo: bytes, filename: str) -> Any:
    data = {"name": "Partner One Org", "kind": "organisation", "country": "FR",
            "signer_name": "", "signer_email": "", "logo": (io.BytesIO(logo), filename)}
    return client.post(f"/i/{world.token}/sign", data=data,
                        content_type="multipart/form-data")


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_bad_logos_are_refused_and_nothing_is_saved(app: Flask, world: World, case: str):
    data, filename = REFUSED[case]
    before = _count(app, world.statement_id)
    response = _sign(app.test_client(), world, data, filename)
    assert response.status_code == 422, case
    page = response.get_data(as_text=True)
    assert "logo" in page.lower() and "Traceback" not in page
    assert 'value="Partner One Org"' in page  # the typed fields are kept
    assert _count(app, world.statement_id) == before


def test_a_logo_over_the_size_limit_is_refused(app: Flask, world: World):
    big = _noise_png(200)
    assert len(big) > LOGO_LIMIT
    before = _count(app, world.statement_id)
    response = _sign(app.test_client(), world, big, "big.png")
    assert response.status_code == 422
    assert "too large" in response.get_data(as_text=True)
    assert _count(app, world.statement_id) == before


@CLIENT_SPOOL
def test_a_request_over_two_megabytes_is_refused_before_it_is_read(app: Flask, world: World):
    huge = b"\x89PNG\r\n\x1a\n" + b"\x00" * (2 * 1024 * 1024 + 1)
    before = _count(app, world.statement_id)
    response = _sign(app.test_client(), world, huge, "huge.png")
    assert response.status_code == 413
    assert "<html" in response.get_data(as_text=True)
    api = app.test_client().post(
        f"/api/v1/invitations/{world.token}/signature",
        data=b'{"name": "' + b"x" * (2 * 1024 * 1024) + b'"}',
        content_type="application/json",
    )
    assert api.status_code == 413 and api.is_json
    assert _count(app, world.statement_id) == before
    gc.collect()


def test_a_good_logo_is_stored_re_encoded(app: Flask, world: World):
    jpeg = io.BytesIO()
    exif = Image.Exif()
    exif[0x013B] = "Secret Photographer"
    Image.new("RGB", (120, 60), (0, 90, 200)).save(jpeg, format="JPEG", exif=exif.tobytes())
    response = _sign(app.test_client(), world, jpeg.getvalue(), "logo.jpg")
    assert response.status_code == 302
    with app.app_context():
        signature = db.session.scalar(
            select(Signature).where(Signature.statement_id == world.statement_id,
                                    Signature.status == "live",
                                    Signature.invitation_id == world.invitation_id)
        )
        assert signature is not None and signature.logo is not None
        assert signature.logo.startswith(b"\x89PNG")
        assert b"Secret Photographer" not in signature.logo
    served = app.test_client().get(f"/i/{world.token}/sign/logo")
    assert served.mimetype == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"


@CLIENT_SPOOL
@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"\x00\x01\x02\xff\xfe binary", "list.csv", ""),  # cp1252 reads it: bad lines
        (b"organisation,email\n" + b"Org,a@b.example\n" * 70_000, "list.csv", "larger than 1 MB"),
        (b"organisation,email\nOrg,a@b.example\n", "list.exe", "Upload a .csv"),
    ],
)
def test_bulk_invitation_upload_must_be_small_text(
    app: Flask, world: World, content: bytes, filename: str, message: str
):
    client = app.test_client()
    with app.app_context():
        owner = db.session.get(User, world.owner_id)
        assert owner is not None
        factories.login(client, owner)
        before = db.session.scalar(select(func.count(Invitation.id)))
    response = client.post(
        f"/statements/{world.statement_id}/invitations/bulk",
        data={"lines": "", "message": "", "csv_file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )
    assert response.status_code in (413, 422)
    if response.status_code == 422:
        assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Invitation.id))) == before
    gc.collect()
