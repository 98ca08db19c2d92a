"""The API's shapes in one place: text constraints, error answers and the answers of every
route (DESIGN.md's table). Request models live beside their routes and use the types here.

A limit that the service checks after cleaning the text (NFC, trimming, collapsing
whitespace) is written into the document with `documented`, not enforced by pydantic on the
raw text: "at most 300 characters after trimming" is the service's rule, and the document
says what a client must send so that the rule holds.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from typing import Annotated, Any, Literal

from email_validator import SPECIAL_USE_DOMAIN_NAMES
from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

from coalition.domain import limits
from coalition.domain.followup import _SIGNATURES as FILE_SIGNATURES
from coalition.domain.invitations import Response as InvitationStatus
from coalition.domain.lifecycle import State
from coalition.domain.limits import BODY_MAX, COMMENT_MAX, EMAIL_MAX, NAME_MAX, NOTE_MAX, TITLE_MAX
from coalition.followup.updates import UPDATE_BODY_MAX
from coalition.models import SIGNATURE_KINDS, SIGNATURE_STATUSES, WEBHOOK_EVENTS
from coalition.security import MAX_URL_INT


def _ranges(codes: list[int]) -> str:
    """A character class's inside for these code points, as ranges of \\uXXXX/\\UXXXXXXXX."""

    def char(code: int) -> str:
        # \\uXXXX reads the same in Python and ECMA-262; beyond the BMP the character itself.
        return f"\\u{code:04x}" if code <= 0xFFFF else chr(code)

    parts: list[str] = []
    start = previous = codes[0]
    for code in [*codes[1:], -1]:
        if code == previous + 1:
            previous = code
            continue
        parts.append(char(start) if start == previous else f"{char(start)}-{char(previous)}")
        start = previous = code
    return "".join(parts)


@functools.cache
def text_classes() -> tuple[str, str]:
    """(the characters a text may never hold, the characters that show nothing), as the
    services decide them (domain.limits: refused_character, blank)."""
    # Lone surrogates are refused too, but no JSON text a client writes in UTF-8 holds one,
    # and a surrogate range is not a pattern every regular-expression engine compiles.
    refused = limits._REFUSED.pattern[1:-1].replace("\\ud800-\\udfff", "")
    assert "ud800" not in refused
    # Planes 2 to 13 and the private-use planes hold no space and no format character.
    codes = [*range(0xD800), *range(0xE000, 0x20000), *range(0xE0000, 0xE1000)]
    invisible = [
        code for code in codes
        if chr(code).isspace() or unicodedata.category(chr(code)) == "Cf"
    ]
    return refused, _ranges(invisible)


def text_pattern(*, required: bool) -> str:
    """No refused character; when required, at least one that shows."""
    refused, invisible = text_classes()
    if required:
        return f"^[^{refused}]*[^{refused}{invisible}][^{refused}]*$"
    return f"^[^{refused}]*$"


def _text(required: bool, extra: dict[str, Any]) -> Any:
    """The text's pattern, made when the document is (it is long)."""

    def update(schema: dict[str, Any]) -> None:
        schema.update(extra, pattern=text_pattern(required=required))

    return Field(json_schema_extra=update)


# A SHA-256 in hex, as DESIGN.md defines it.
SHA256 = Annotated[str, Field(pattern="^[0-9a-f]{64}$")]
# An ISO 8601 time with an offset, 'Z' for UTC.
Time = Annotated[AwareDatetime, Field(examples=["2026-12-01T12:00:00Z"])]


def _integral(value: object) -> object:
    """JSON Schema's integer includes 2.0: a number with no fraction is taken as an integer
    (anything else stays as it is, for the strict check to refuse)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# A whole number as JSON Schema means it (2.0 included), of the size the database holds; the
# constraints come first so that they stay in the document as minimum and maximum.
Integer = Annotated[int, Field(ge=0, le=MAX_URL_INT), BeforeValidator(_integral)]
Number = Annotated[int, Field(ge=1, le=MAX_URL_INT), BeforeValidator(_integral)]


def documented(**schema: Any) -> Any:
    """A Field whose constraints appear in the document and are checked by the service."""
    return Field(json_schema_extra=schema)


def Text(limit: int, example: str) -> Any:  # noqa: N802 - used as a type's metadata
    """An optional text's constraints (no refused character, at most `limit`), as Field."""
    return _text(False, {"maxLength": limit, "examples": [example]})


def line(limit: int, *, required: bool, example: str) -> Any:
    """A one-line text of at most `limit` characters after trimming."""
    schema: dict[str, Any] = {"maxLength": limit, "examples": [example]}
    if required:
        schema["minLength"] = 1
    return _text(required, schema)


def text(limit: int, *, example: str, required: bool = True) -> Any:
    """A multi-line text (Markdown) of at most `limit` characters after trimming."""
    schema: dict[str, Any] = {"maxLength": limit, "examples": [example]}
    if required:
        schema["minLength"] = 1
    return _text(required, schema)


Title = Annotated[str, line(TITLE_MAX, required=True, example="Free Ales Bialiatski")]
Name = Annotated[str, line(NAME_MAX, required=True, example="Viasna Human Rights Centre")]
OptionalLine = Annotated[str, line(NAME_MAX, required=False, example="Belarus")]
Body = Annotated[str, text(BODY_MAX, example="We, the undersigned organisations, call for...")]
Note = Annotated[str, line(NOTE_MAX, required=False, example="stronger wording in paragraph 2")]
CommentText = Annotated[str, text(COMMENT_MAX, example="Could we name the court?")]
UpdateBody = Annotated[str, text(UPDATE_BODY_MAX, example="The minister met us today.")]


def _any_case(word: str) -> str:
    return "".join(f"[{c.upper()}{c.lower()}]" for c in word)


# Domains that e-mail validation refuses as special-use (email_validator's list).
_SPECIAL_USE = "|".join(_any_case(name) for name in SPECIAL_USE_DOMAIN_NAMES)
Email = Annotated[
    str,
    documented(
        format="email",
        maxLength=min(EMAIL_MAX, 254),  # what an address may hold (RFC 5321)
        pattern=f"^(?!.*[.@](?:{_SPECIAL_USE})[.]?$)",
        examples=["press@partner.example.org"],
    ),
]
Language = Annotated[
    str,
    documented(  # empty: the default, en
        pattern="^([A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*)?$", maxLength=35, examples=["en", "pt-BR"]
    ),
]


def _base64_prefix(magic: bytes) -> str:
    """A pattern for the base64 encodings that start with `magic`: each character that the
    magic's bytes decide, as the class of what it can be."""
    groups = (len(magic) + 2) // 3
    classes: list[set[str]] = [set() for _ in range(groups * 4)]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    for filler in range(256):
        data = magic + bytes([filler]) * (groups * 3 - len(magic))
        for index in range(groups):
            chunk = int.from_bytes(data[index * 3 : index * 3 + 3], "big")
            for position in range(4):
                shift = 18 - 6 * position
                classes[index * 4 + position].add(alphabet[(chunk >> shift) & 63])
    return "".join(
        re.escape(next(iter(c))) if len(c) == 1 else "[" + "".join(
            re.escape(x) for x in sorted(c)) + "]"
        for c in classes
    )


# A response file: base64 of a PDF, PNG or JPEG (domain.followup's signatures).
FILE_BASE64 = (
    "^(?:" + "|".join(_base64_prefix(magic) for magic, _, _ in FILE_SIGNATURES) + ")"
    "(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
)
# A translation's language tag as names keys take it ("_" read as "-").
TAG = {"pattern": "^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$", "maxLength": 35}
TimeText = Annotated[str, documented(format="date-time", examples=["2026-12-01T12:00:00Z"])]
DateText = Annotated[str, documented(format="date", examples=["2026-12-03"])]

StateName = Literal["draft", "review", "open", "closed", "published"]
assert set(StateName.__args__) == {s.value for s in State}  # type: ignore[attr-defined]
SignatureKind = Literal["organisation", "individual"]
assert SignatureKind.__args__ == SIGNATURE_KINDS  # type: ignore[attr-defined]
SignatureStatus = Literal[
    "live", "superseded", "withdrawn", "retracted", "unconfirmed", "pending", "rejected"
]
assert SignatureStatus.__args__ == SIGNATURE_STATUSES  # type: ignore[attr-defined]
InvitationStatusName = Literal[
    "invited", "mail_sent", "mail_failed", "opened", "commented", "signed", "declined",
    "revoked", "expired",
]
assert set(InvitationStatusName.__args__) == {s.value for s in InvitationStatus}  # type: ignore[attr-defined]
TranslationStatus = Literal["missing", "stale", "current"]


class Answer(BaseModel):
    """Base of answers: every field listed, nothing else (the test suite checks each answer)."""

    model_config = ConfigDict(extra="forbid")


# --- errors ---------------------------------------------------------------------------------


class Error(BaseModel):
    """Every refusal: a message and the fields at fault; some refusals add details (the 409s
    below name theirs)."""

    model_config = ConfigDict(extra="allow")

    error: str = Field(examples=["Some fields are missing or have the wrong type."])
    fields: dict[str, str] = Field(examples=[{"title": "is required"}])


class StaleRevisionError(Error):
    """409 when base_revision is not the latest (current_revision names the latest), or a
    state in which the text cannot change (without it)."""

    current_revision: int | None = None


class DuplicateInvitationError(Error):
    """409 when the e-mail is already invited: the existing invitation."""

    invitation_id: int


class PublicationRefused(Error):
    """409 at publication: outstanding endorsements, stale translations, missing sign-offs,
    or a state publication is not made from (then the lists are absent)."""

    outstanding: list[str] | None = None
    stale_translations: list[str] | None = None
    awaiting_sign_off: list[str] | None = None


# --- statements and revisions ---------------------------------------------------------------


class StatementCreated(Answer):
    id: int
    slug: str
    state: StateName
    revision: Literal[1]


class StatementDetail(Answer):
    id: int
    slug: str
    title: str
    language: str
    state: StateName
    revision: int
    sign_deadline: Time | None
    published_at: Time | None = Field(
        description="The moment the latest edition became (or becomes) public: its embargo "
        "time when it had one."
    )
    embargo_until: Time | None = Field(
        description="That time while the edition is still under embargo, else null."
    )
    date: dt.date | None = Field(description="The date the latest edition shows.")


class RevisionCreated(Answer):
    revision: int


class RevisionSummary(Answer):
    number: int
    author: str | None = Field(description="The author's e-mail address.")
    created_at: Time
    note: str
    substantive: bool


class RevisionList(Answer):
    revisions: list[RevisionSummary]


class RevisionText(Answer):
    number: int
    title: str
    body: str
    body_html: str
    sha256: SHA256


class Redline(Answer):
    from_: int = Field(alias="from")
    to: int
    html: str = Field(description="Insertions in <ins>, deletions in <del>, the rest escaped.")


# --- invitations and comments ---------------------------------------------------------------


class InvitationCreated(Answer):
    id: int
    sign_url: str = Field(
        description="The partner's page; its last path segment is the token, shown only here.",
        examples=["https://statements.example.org/i/3Jq9c2xVbPp6_tLw0aYkRz4H1nDcE8sM"],
    )


class InvitationSummary(Answer):
    id: int
    organisation: str
    email: str
    status: InvitationStatusName


class InvitationList(Answer):
    invitations: list[InvitationSummary]


class PartnerStatement(StatementDetail):
    lead_organisation: str
    accepts_comments: bool


class PartnerSignature(Answer):
    name: str
    kind: SignatureKind
    country: str
    revision: int


class PartnerView(Answer):
    statement: PartnerStatement
    revision: int
    title: str
    body_html: str
    signature: PartnerSignature | None


class CommentCreated(Answer):
    id: int
    revision: int
    anchor: int | None
    visibility: Literal["private", "shared"]


# --- signatures -----------------------------------------------------------------------------


class SignatureAnswer(Answer):
    """A signature as its partner may see it: public details, never the contacts."""

    id: int
    status: SignatureStatus
    name: str
    kind: SignatureKind
    affiliation: str
    country: str
    revision: int = Field(description="The revision this signature endorses.")
    sha256: SHA256
    signed_at: Time
    ended_at: Time | None
    names: dict[str, str] = Field(description="The name in each translation's language.")
    public: bool = Field(description="False: counted in every total, never named publicly.")
    public_description: str | None = Field(
        description="Shown after the public list's line for those not named, if given."
    )


class SignatureSaved(SignatureAnswer):
    replaced: bool = Field(description="True when it replaced this invitation's live signature.")


class Signatory(Answer):
    name: str
    country: str
    kind: SignatureKind
    revision: int


class SignatoryList(Answer):
    signatories: list[Signatory]
    withheld: int = Field(description="Live signatures not named publicly (counted, unnamed).")
    withheld_descriptions: list[str] = Field(
        description="Their public descriptions, collated; never their names."
    )


class RecordedSignature(SignatureSaved):
    """A signature the lead recorded for its partner (docs/signing.md)."""

    invitation_id: int = Field(description="The partner's invitation (made now if it was new).")
    invited_now: bool = Field(description="True when the invitation was made for it (no mail).")
    recorded_by: str = Field(description="The lead user who recorded it.")
    approved_at: Time | None = Field(description="When the partner approved, as recorded.")


ImportAction = Literal["new", "invited", "duplicate"]


class ImportLineAnswer(Answer):
    line: int = Field(description="The line's number in the file (the column names are line 1).")
    name: str
    signer_email: str
    revision: int = Field(description="The revision it would endorse.")
    public: bool
    action: ImportAction = Field(
        description="new: invited and recorded; invited: recorded on the existing invitation; "
        "duplicate: already signed, or repeats an earlier line; not imported."
    )
    invitation_id: int | None
    detail: str | None = Field(description="What an invited or duplicate line matched.")


class RefusedLineAnswer(Answer):
    line: int
    text: str = Field(description="The line as written (its first 200 characters).")
    reason: str


class ImportCounts(Answer):
    to_write: int
    new: int
    invited: int
    duplicate: int
    refused: int


class ImportPreviewAnswer(Answer):
    """What a held import would write now; nothing is written before it is confirmed."""

    id: int
    file_name: str
    created_at: Time
    confirmed_at: Time | None
    fingerprint: str = Field(description="Send it back to confirm exactly this preview.")
    counts: ImportCounts
    lines: list[ImportLineAnswer]
    refused: list[RefusedLineAnswer]


class ImportChanged(Error):
    """409 at confirmation when the list would now write something else: the new preview."""

    preview: ImportPreviewAnswer | None = None


class ImportDone(Answer):
    imported: int
    signatures: list[int] = Field(description="The ids of the signatures recorded.")
    preview: ImportPreviewAnswer


# --- publishing and translations ------------------------------------------------------------


class Publication(Answer):
    edition: int
    published_at: Time
    url: str = Field(examples=["https://statements.example.org/s/free-ales-bialiatski"])
    sha256: SHA256
    signatories: list[str] = Field(description="The names listed publicly.")
    withheld: int = Field(description="How many more it counts without naming them.")


class TranslationSummary(Answer):
    language: str
    revision: int | None
    source_revision: int | None
    stale: bool
    status: TranslationStatus
    updated_at: Time | None


class TranslationList(Answer):
    translations: list[TranslationSummary]


class TranslationText(Answer):
    language: str
    revision: int
    title: str
    body: str
    body_html: str
    source_revision: int
    stale: bool
    status: TranslationStatus
    sha256: SHA256


# --- after publication (issue 16) ----------------------------------------------------------


class DeliveryRow(Answer):
    edition: int
    recipient: str
    delivered_at: Time
    status: Literal["queued", "sent", "failed"]


class DeliveryList(Answer):
    recipients: list[str] = Field(description="The letter's saved e-mail recipients.")
    deliveries: list[DeliveryRow]


class DeliveryPreview(Answer):
    edition: int
    to_send: list[str]
    already: list[str]
    subject: str
    body_text: str
    attachment: str


class DeliveryMade(Answer):
    edition: int
    delivered: list[str]
    already: list[str]


class LetterResponseAnswer(Answer):
    id: int
    received_on: dt.date
    text: str
    public: bool
    file: str | None = Field(description="The attached file's name.")
    logged_at: Time


class LetterResponseList(Answer):
    responses: list[LetterResponseAnswer]


class UpdateAnswer(Answer):
    id: int
    title: str
    body: str
    created_at: Time
    mailed: int = Field(description="How many addresses it was mailed to.")
    url: str


class UpdateList(Answer):
    updates: list[UpdateAnswer]


# --- co-leads, sign-off and roles (issue 17) ------------------------------------------------

CoLeadStatus = Literal["invited", "active", "removed"]
RoleName = Literal["admin", "editor", "viewer"]


class CoLeadSummary(Answer):
    id: int
    email: str = Field(description="The address the invitation was sent to.")
    organisation: str | None = Field(description="Null until someone accepts.")
    status: CoLeadStatus
    invited_at: Time
    accepted_at: Time | None
    removed_at: Time | None


class SignOffSummary(Answer):
    organisation: str
    approved: bool = Field(
        description="Its newest approval is of the latest substantive revision or a later one."
    )
    revision: int | None = Field(description="The revision its newest approval is of.")
    sha256: SHA256 | None
    by: str | None = Field(description="Who approved (e-mail address).")
    at: Time | None


class CoLeadList(Answer):
    co_leads: list[CoLeadSummary]
    conveners: list[str] = Field(description="The lead, then the active co-leads.")
    require_sign_off: bool
    sign_offs: list[SignOffSummary]
    awaiting_sign_off: list[str]


class CoLeadCreated(Answer):
    id: int
    accept_url: str = Field(
        description="The page that accepts the invitation; its last path segment is the "
        "token, shown only here and in the mail."
    )


class SignOffMade(Answer):
    organisation: str
    revision: int
    sha256: SHA256


class Member(Answer):
    email: str
    name: str
    role: RoleName


class MemberList(Answer):
    members: list[Member]


class ColleagueInvited(Answer):
    id: int
    email: str
    role: RoleName


# --- webhooks (issue 22) ----------------------------------------------------------------------

WebhookEvent = Literal[
    "signature.created", "signature.replaced", "signature.withdrawn", "signature.reconfirmed",
    "statement.state_changed", "edition.published", "update.posted",
]
assert WebhookEvent.__args__ == WEBHOOK_EVENTS  # type: ignore[attr-defined]


class WebhookEndpointAnswer(Answer):
    id: int
    url: str
    description: str
    events: list[WebhookEvent]
    withheld_names: bool = Field(
        description="Whether deliveries name signatories not named publicly.")
    created_at: Time
    deleted_at: Time | None


class WebhookEndpointMade(WebhookEndpointAnswer):
    secret: str = Field(description="The signing secret, shown only here and on rotation.",
                        examples=["whsec_3q2-7wEXAMPLEq2Y1k"])


class WebhookEndpointList(Answer):
    endpoints: list[WebhookEndpointAnswer]


class WebhookSecret(Answer):
    secret: str = Field(examples=["whsec_3q2-7wEXAMPLEq2Y1k"])


class WebhookTry(Answer):
    at: Time
    status_code: int | None = Field(description="The answer's status; null when none came.")
    error: str
    duration_ms: int


class WebhookDeliveryAnswer(Answer):
    id: int
    event_id: str = Field(examples=["evt_4f7c1f0e0b9a4a57a0b5b3f1f2b0c6d1"])
    event: WebhookEvent
    statement_id: int | None
    created_at: Time
    status: Literal["waiting", "delivered", "failed"]
    attempts: int = Field(description="Tries since it was queued or last re-sent.")
    next_attempt_at: Time | None
    delivered_at: Time | None
    last_status: int | None
    last_error: str
    tries: list[WebhookTry] = Field(description="Every try in the log, oldest first.")


class WebhookDeliveryList(Answer):
    deliveries: list[WebhookDeliveryAnswer]
