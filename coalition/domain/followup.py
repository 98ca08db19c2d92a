"""After publication, in plain values: delivery recipients, response files, digest windows."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from coalition.domain.errors import ValidationError
from coalition.domain.invitations import clean_email

RECIPIENTS_MAX = 50
RESPONSE_FILE_MAX = 10 * 1024 * 1024
RESPONSE_TEXT_MAX = 50_000
MESSAGE_MAX = 5_000

# What a response file may be, told by its first bytes (its name and stated type can lie).
_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)

_SEPARATORS = re.compile(r"[\n,;]+")


def parse_recipients(text: str, field: str = "recipients") -> list[str]:
    """Addresses written one a line (or separated by commas), lower-cased, each once."""
    addresses: list[str] = []
    for part in _SEPARATORS.split(text.replace("\r", "\n")):
        if not part.strip():
            continue
        try:
            address = clean_email(part)
        except ValueError as error:
            raise ValidationError(
                f"{field}: {error}.", fields={field: str(error)}
            ) from error
        if address not in addresses:
            addresses.append(address)
    if len(addresses) > RECIPIENTS_MAX:
        raise ValidationError(
            f"{field}: at most {RECIPIENTS_MAX} addresses.",
            fields={field: f"at most {RECIPIENTS_MAX} addresses"},
        )
    return addresses


@dataclass(frozen=True)
class ResponseFile:
    """An uploaded response file whose kind was recognised."""

    name: str
    content_type: str
    content: bytes


def check_response_file(name: str, content: bytes, field: str = "file") -> ResponseFile:
    """A PDF, PNG or JPEG of at most 10 MB, with a safe file name; ValidationError otherwise."""
    if not content:
        raise ValidationError(f"{field} is empty.", fields={field: "is empty"})
    if len(content) > RESPONSE_FILE_MAX:
        raise ValidationError(
            f"{field} is larger than 10 MB.", fields={field: "at most 10 MB"}
        )
    for magic, content_type, extension in _SIGNATURES:
        if content.startswith(magic):
            stem = re.sub(r"[^A-Za-z0-9._-]+", "-", name.rsplit(".", 1)[0]).strip("-.")[:80]
            return ResponseFile(f"{stem or 'response'}.{extension}", content_type, content)
    raise ValidationError(
        f"{field} must be a PDF, PNG or JPEG file.", fields={field: "must be PDF, PNG or JPEG"}
    )


def digest_window(last_sent: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """Where a digest starts: the last one sent, or a day ago (never more than a week back)."""
    day_ago = now - dt.timedelta(days=1)
    if last_sent is None or last_sent > now:
        return day_ago
    return max(last_sent, now - dt.timedelta(days=7))


def digest_due(last_sent: dt.datetime | None, now: dt.datetime) -> bool:
    """A daily digest: not again within 20 hours, so a cron a little early or late still sends."""
    return last_sent is None or now - last_sent >= dt.timedelta(hours=20)
