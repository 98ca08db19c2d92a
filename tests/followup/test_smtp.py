"""The letter and an update through a real SMTP server on 127.0.0.1 (aiosmtpd)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

from coalition.extensions import db
from coalition.followup import delivery, updates
from coalition.mail.sender import send_due
from tests.conftest import base_config
from tests.followup.conftest import make_letter
from tests.mail.test_sender import Recorder, free_port


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def app_config(tmp_path: Path, port: int) -> dict[str, Any]:
    return {
        **base_config(tmp_path),
        "MAIL_HOST": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_SECURITY": "none",
        "MAIL_TIMEOUT": 5,
    }


@pytest.fixture
def smtp_server(port: int) -> Iterator[Recorder]:
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield recorder
    finally:
        controller.stop()


def test_the_addressees_receive_the_pdf_and_signers_can_unsubscribe_in_one_click(
    app: Flask, smtp_server: Recorder
) -> None:
    with app.app_context():
        letter = make_letter()
        delivery.deliver(
            letter.lead, letter.statement,
            recipients=["jane.doe@gov.example", "office@gov.example"],
        )
        updates.post_update(letter.lead, letter.statement, title="Delivered", body="Done.")
        db.session.commit()
        slug = letter.statement.slug
        report = send_due()
    assert "failed tries 0" in report
    letters = [m for m in smtp_server.messages if m["Subject"].startswith("Joint letter")]
    assert sorted(m["To"] for m in letters) == ["jane.doe@gov.example", "office@gov.example"]
    for received in letters:
        (attachment,) = list(received.iter_attachments())
        assert attachment.get_content_type() == "application/pdf"
        assert attachment.get_filename() == f"{slug}.pdf"
        assert attachment.get_content().startswith(b"%PDF-")
        assert "List-Unsubscribe" not in received  # the addressee subscribed to nothing
        assert f"http://coalition.test/s/{slug}" in received.get_body(("plain",)).get_content()
    update = next(
        m for m in smtp_server.messages
        if m["To"] == "informed@alpha.example" and m["Subject"] == "Update: Delivered"
    )
    assert update["List-Unsubscribe"].strip().startswith("<http://coalition.test/unsubscribe/u")
    assert update["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
