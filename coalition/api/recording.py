"""API routes for signatures recorded on a partner's behalf and CSV imports (lead, bearer).

The same services as the lead's pages (signing.recording): a recording goes the partner's
own signing path; an import is held, previewed, and written only when confirmed with the
fingerprint of the preview the client saw.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Annotated, Any

from flask import jsonify
from pydantic import ConfigDict
from werkzeug.wrappers import Response

from coalition.api import bp
from coalition.api.common import Schema, api_user, lead_statement, parse
from coalition.api.drafting import parse_datetime
from coalition.api.openapi import Link, operation
from coalition.api.schemas import (
    FILE_BASE64,
    Email,
    ImportChanged,
    ImportDone,
    ImportPreviewAnswer,
    Integer,
    Name,
    Number,
    OptionalLine,
    RecordedSignature,
    SignatureKind,
    Text,
    TimeText,
    documented,
    text_pattern,
)
from coalition.api.signing import signature_json
from coalition.domain.errors import Conflict, ValidationError
from coalition.domain.followup import ResponseFile, check_response_file
from coalition.domain.imports import IGNORED, IMPORT_MAX_BYTES, READ, REQUIRED
from coalition.domain.limits import NAME_MAX
from coalition.extensions import db
from coalition.security import api_route
from coalition.signing import recording
from coalition.signing.recording import EVIDENCE_MAX, IMPORT_HOLD, NOTE_MAX, ImportPreview
from coalition.signing.services import COUNTRY_MAX, SignatureInput
from coalition.web import iso


class EvidenceFileIn(Schema):
    name: Annotated[str, documented(minLength=1, maxLength=200, examples=["reply.pdf"])]
    content_base64: Annotated[str, documented(contentEncoding="base64", pattern=FILE_BASE64)]


def _text_or_file(schema: dict[str, Any]) -> None:
    # The evidence: a message that shows something, else a file.
    shows = {"type": "string", "pattern": text_pattern(required=True)}
    schema["if"] = {"required": ["evidence_text"], "properties": {"evidence_text": shows}}
    schema["else"] = {"required": ["evidence_file"],
                      "properties": {"evidence_file": {"type": "object"}}}


class RecordIn(Schema):
    """A signature the partner gave by e-mail or by phone, as the signer gave it: the
    evidence is a message that shows something, a file, or both."""

    model_config = ConfigDict(json_schema_extra=_text_or_file)

    # Left out: the invitation to signer_email, else a new one (made without its mail).
    invitation_id: Integer | None = None
    name: Name
    signer_name: Name
    signer_email: Email
    signer_role: OptionalLine | None = None
    kind: SignatureKind | None = None
    affiliation: OptionalLine | None = None
    country: Annotated[str, Text(COUNTRY_MAX, "BY")] | None = None
    public: bool | None = None
    public_description: Annotated[str, Text(NAME_MAX, "a rights group in Belarus")] | None = None
    # The revision the partner approved; left out, the current one.
    revision: Number | None = None
    # When the partner approved (not in the future).
    approved_at: TimeText
    # The evidence: the pasted message, a file, or both (one of them is required).
    evidence_text: Annotated[str, Text(EVIDENCE_MAX, "From: ales@viasna.example\nYes.")] | None = (
        None
    )
    evidence_file: EvidenceFileIn | None = None


# Through the API the first line starts with the three required columns, in this order,
# separated by commas, and any other known columns follow; at least one line holds a
# signature. (The lead's upload page takes them in any order and separator.)
_COLUMNS = "|".join(name for name in (*READ, *IGNORED) if name not in REQUIRED)
API_CSV = (
    rf"^name,signer_name,signer_email(?:,(?:{_COLUMNS}))*\r?\n"
    r'[^\x00]*[^\x00\s,"][^\x00]*$'
)
_API_CSV = re.compile(API_CSV)


class ImportIn(Schema):
    """A CSV with the columns of the signatories CSV (docs/signing.md), as text."""

    csv: Annotated[str, documented(maxLength=IMPORT_MAX_BYTES, pattern=API_CSV,
                                   examples=["name,signer_name,signer_email\n"
                                             "Viasna,Ales Bialiatski,ales@viasna.example\n"])]
    file_name: Annotated[str, Text(200, "signatures.csv")] | None = None
    note: Annotated[str, Text(NOTE_MAX, "Sign-up sheet of the Vilnius meeting")] | None = None


class ConfirmIn(Schema):
    fingerprint: Annotated[
        str, documented(maxLength=64, examples=["3f1c0a9b7e2d4c58a6b1f0e9d8c7b6a5"])
    ]


def _evidence_file(data: EvidenceFileIn | None) -> ResponseFile | None:
    if data is None:
        return None
    try:
        content = base64.b64decode(data.content_base64, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValidationError(
            "evidence_file.content_base64 is not valid base64.",
            fields={"evidence_file.content_base64": "not valid base64"},
        ) from error
    return check_response_file(data.name, content, "evidence_file")


@bp.post("/statements/<int:statement_id>/recorded-signatures")
@operation(
    "Record a signature a partner gave by e-mail or by phone",
    operation_id="record_signature",
    description="Made through the partner's own signing path, with the token's user as the "
    "one who recorded it: it counts, is checked and is replaced like any other signature, "
    "and the partner gets the receipt with its invitation's link. `revision` (default the "
    "current one) older than the latest substantive change makes it outstanding, and the "
    "partner is asked to re-confirm. 201 for a new signature, 200 when it replaces the "
    "invitation's live signature. Only while the statement is open (409).",
    request=RecordIn,
    responses={200: RecordedSignature, 201: RecordedSignature, 409: None, 422: None},
    notes={200: "Replaced the partner's live signature", 201: "Recorded",
           409: "Not open for signing, or the invitation is revoked"},
    links={status: {"list_signatories": Link("list_signatories", {"id": "$request.path.id"})}
           for status in (200, 201)},
)
@api_route
def record_signature(statement_id: int) -> tuple[Response, int]:
    """Record a partner's signature given elsewhere, with its evidence."""
    statement = lead_statement(statement_id)
    data = parse(RecordIn)
    done = recording.record(
        api_user(), statement,
        SignatureInput(
            name=data.name, signer_name=data.signer_name, signer_email=data.signer_email,
            signer_role=data.signer_role, kind=data.kind, affiliation=data.affiliation,
            country=data.country, public=data.public,
            public_description=data.public_description,
        ),
        invitation_id=data.invitation_id, revision=data.revision,
        approved_at=parse_datetime(data.approved_at, "approved_at"),
        evidence_text=data.evidence_text or "", evidence_file=_evidence_file(data.evidence_file),
    )
    record = recording.record_of(done.signature)
    answer = jsonify({
        **signature_json(done.signature), "replaced": not done.created,
        "invitation_id": done.invitation.id, "invited_now": done.invited_now,
        "recorded_by": api_user().display_name,
        "approved_at": iso(record.approved_at) if record is not None else None,
    })
    db.session.commit()
    return answer, (201 if done.created else 200)


def preview_json(preview: ImportPreview) -> dict[str, Any]:
    """A held import's preview as the API answers it."""
    held = preview.held
    assert held is not None
    return {
        "id": held.id,
        "file_name": held.file_name,
        "created_at": iso(held.created_at),
        "confirmed_at": iso(held.confirmed_at),
        "fingerprint": preview.fingerprint,
        "counts": {
            "to_write": preview.to_write,
            "new": preview.count(recording.NEW),
            "invited": preview.count(recording.INVITED),
            "duplicate": preview.count(recording.DUPLICATE),
            "refused": len(preview.refused),
        },
        "lines": [
            {
                "line": planned.line.line,
                "name": planned.line.name,
                "signer_email": planned.line.signer_email,
                "revision": planned.line.revision or held_revision(preview),
                "public": planned.line.public,
                "action": planned.action,
                "invitation_id": planned.invitation_id,
                "detail": str(planned.why) if planned.why is not None else None,
            }
            for planned in preview.lines
        ],
        "refused": [
            {"line": refused.line, "text": refused.text, "reason": refused.reason_text}
            for refused in preview.refused
        ],
    }


def held_revision(preview: ImportPreview) -> int:
    """The statement's current revision: what a line without endorsed_revision endorses."""
    assert preview.held is not None
    statement = lead_statement(preview.held.statement_id)
    return statement.current_revision


@bp.post("/statements/<int:statement_id>/signature-imports")
@operation(
    "Hold a CSV of signatures and preview it",
    operation_id="create_signature_import",
    description="Nothing but the file is written: no signature, invitation or mail. The "
    f"answer says, line by line, what confirming would do; held for {IMPORT_HOLD.days} day. "
    "A file whose first line does not name the columns of the signatories CSV, or that "
    "holds no line, is refused (422) and not kept.",
    request=ImportIn,
    responses={201: ImportPreviewAnswer, 422: None},
    links={201: {
        "confirm_signature_import": Link(
            "confirm_signature_import",
            {"id": "$request.path.id", "import_id": "$response.body#/id"},
        ),
        "get_signature_import": Link(
            "get_signature_import", {"id": "$request.path.id", "import_id": "$response.body#/id"}
        ),
    }},
)
@api_route
def create_signature_import(statement_id: int) -> tuple[Response, int]:
    """Hold an uploaded list and answer its preview; nothing else is written."""
    statement = lead_statement(statement_id)
    data = parse(ImportIn)
    if not _API_CSV.match(data.csv):
        raise ValidationError(
            "csv must start with the line name,signer_name,signer_email (other columns of "
            "the signatories CSV may follow) and hold at least one signature; no NUL.",
            fields={"csv": "does not start with name,signer_name,signer_email"},
        )
    preview = recording.hold(api_user(), statement, content=data.csv,
                             file_name=data.file_name or "", note=data.note or "")
    answer = jsonify(preview_json(preview))
    db.session.commit()
    return answer, 201


@bp.get("/statements/<int:statement_id>/signature-imports/<int:import_id>")
@operation(
    "A held import's preview, checked again now",
    operation_id="get_signature_import",
    responses={200: ImportPreviewAnswer},
    notes={404: "No such statement or import"},
)
@api_route
def get_signature_import(statement_id: int, import_id: int) -> Response:
    """A held import's preview as it stands now (its fingerprint changes when it does)."""
    statement = lead_statement(statement_id)
    return jsonify(preview_json(recording.preview(api_user(), statement, import_id)))


@bp.post("/statements/<int:statement_id>/signature-imports/<int:import_id>/confirm")
@operation(
    "Confirm a held import: write the signatures it previewed",
    operation_id="confirm_signature_import",
    description="Checked again against the database: when it would now write something else "
    "than the preview whose `fingerprint` is sent, nothing is written and the 409 carries the "
    "new `preview`. Also 409 when it was already confirmed, is more than a day old, has "
    "nothing to write, or the statement is not open.",
    request=ConfirmIn,
    responses={200: ImportDone, 409: ImportChanged},
    notes={200: "Imported", 404: "No such statement or import",
           409: "Changed since the preview, already confirmed, too old, or not open"},
)
@api_route
def confirm_signature_import(statement_id: int, import_id: int) -> tuple[Response, int]:
    """Write a held import as previewed; a changed list answers 409 with its new preview."""
    statement = lead_statement(statement_id)
    data = parse(ConfirmIn)
    try:
        preview, made = recording.confirm(api_user(), statement, import_id,
                                          fingerprint=data.fingerprint)
    except Conflict as error:
        fresh = error.extra.get("preview")
        if not isinstance(fresh, ImportPreview):
            raise
        db.session.rollback()
        return jsonify({"error": error.message, "fields": error.fields,
                        "preview": preview_json(fresh)}), 409
    answer = jsonify({"imported": len(made), "signatures": [s.id for s in made],
                      "preview": preview_json(preview)})
    db.session.commit()
    return answer, 200
