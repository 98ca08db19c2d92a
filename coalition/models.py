"""The ORM: typed columns and the rules the schema itself enforces."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from coalition.domain.collation import RULES_VERSION
from coalition.domain.lifecycle import State
from coalition.domain.signatures import SignatureStatus
from coalition.extensions import Base, db
from coalition.tokens import new_link_salt

if TYPE_CHECKING:
    Model = Base  # what mypy understands; at run time Flask-SQLAlchemy's model class
else:
    Model = db.Model


def utcnow() -> dt.datetime:
    """The current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Stores aware datetimes as UTC and always returns them aware (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class SignatureStatusType(TypeDecorator[SignatureStatus]):
    """A signature's status: stored as its string (VARCHAR(12), as ever), read as the enum."""

    impl = String(12)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        # A plain string is accepted as long as it names a status (bulk inserts, bind
        # parameters); anything else fails here rather than at the CHECK constraint.
        return None if value is None else SignatureStatus(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> SignatureStatus | None:
        return None if value is None else _STATUS_BY_VALUE[value]


_STATUS_BY_VALUE = {status.value: status for status in SignatureStatus}


def _in(column: str, values: Any) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


STATES = [s.value for s in State]
# Roles inside an organisation (issue 17): the admin (its first account) invites colleagues;
# an editor has every power over the organisation's statements; a viewer reads them only.
ROLES = ("admin", "editor", "viewer")
SIGNATURE_KINDS = ("organisation", "individual")
# What each status means: coalition.domain.signatures.SignatureStatus.
SIGNATURE_STATUSES = tuple(status.value for status in SignatureStatus)
COMMENT_VISIBILITIES = ("private", "shared")


class Organisation(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # Where its staff see times by default (the dashboard); None is UTC.
    timezone: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="organisation")


class User(UserMixin, Model):
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    # Changes on password change and logout-everywhere; part of the login session id.
    session_token: Mapped[str] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(35))
    # The zone this user sees times in; None follows the organisation's.
    timezone: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The daily digest of the organisation's statements (opt-in) and when it last went out.
    wants_digest: Mapped[bool] = mapped_column(Boolean, default=False)
    digest_sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    role: Mapped[str] = mapped_column(String(10), default="editor", server_default="editor")

    organisation: Mapped[Organisation] = relationship(back_populates="users")

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None

    @property
    def display_name(self) -> str:
        return self.name or self.email

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_viewer(self) -> bool:
        return self.role == "viewer"

    @property
    def viewing_zone(self) -> str:
        """The zone this user sees times in: its own, else its organisation's, else UTC."""
        return self.timezone or self.organisation.timezone or "UTC"


class ColleagueInvitation(Model):
    """A lead user's invitation to a colleague to join the same organisation."""

    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    role: Mapped[str] = mapped_column(String(10), default="editor", server_default="editor")

    organisation: Mapped[Organisation] = relationship()
    invited_by: Mapped[User] = relationship()


class ApiToken(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, so the owner can tell tokens apart without the secret.
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class Statement(Model):
    __table_args__ = (CheckConstraint(_in("state", STATES), name="state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    language: Mapped[str] = mapped_column(String(35), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    state: Mapped[str] = mapped_column(String(20), default=State.DRAFT.value)
    # Denormalised from the latest revision so the dashboard reads one row per statement.
    title: Mapped[str] = mapped_column(String(300))
    current_revision: Mapped[int] = mapped_column(Integer, default=1)
    sign_deadline: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    comments_when_open: Mapped[bool] = mapped_column(Boolean, default=False)
    open_signon: Mapped[bool] = mapped_column(Boolean, default=False)
    open_signon_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    group_individuals: Mapped[bool] = mapped_column(Boolean, default=False)
    # The oldest collation rules a stored sort key of its signatures was made under: below
    # collation.RULES_VERSION after an upgrade that changes the rules, until `flask resort`
    # (meanwhile coalition.roster orders the list in Python, every page alike).
    sort_rules: Mapped[int] = mapped_column(Integer, default=RULES_VERSION)
    # Joint letters: an addressee block and a salutation laid out before the body.
    letter_addressee_name: Mapped[str] = mapped_column(String(200), default="")
    letter_addressee_title: Mapped[str] = mapped_column(String(200), default="")
    letter_addressee_address: Mapped[str] = mapped_column(Text, default="")
    letter_salutation: Mapped[str] = mapped_column(String(200), default="")
    # Where the published letter is delivered by e-mail: one address a line.
    letter_recipients: Mapped[str] = mapped_column(Text, default="")
    # Signatures not named publicly (docs/signing.md, "Signing without being named"): the
    # public line's wording for one and for several ("" = the default of the language), and
    # the lead's choice to show its own staff nothing of them but the organisation's name.
    withheld_wording_one: Mapped[str] = mapped_column(String(300), default="")
    withheld_wording_other: Mapped[str] = mapped_column(String(300), default="")
    withheld_hidden_from_staff: Mapped[bool] = mapped_column(Boolean, default=False)
    # Co-leads (issue 17): each must approve the exact revision before it is published.
    require_sign_off: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="statement", order_by="Revision.number", viewonly=True
    )

    @property
    def state_enum(self) -> State:
        return State(self.state)

    @property
    def is_letter(self) -> bool:
        return bool(self.letter_addressee_name.strip())


class Revision(Model):
    """One saved text of a statement: append-only, never updated or deleted."""

    __table_args__ = (UniqueConstraint("statement_id", "number", name="uq_revision_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statement.id"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(String(500), default="")
    substantive: Mapped[bool] = mapped_column(Boolean, default=True)
    sha256: Mapped[str] = mapped_column(String(64))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # An accepted suggestion credits the partner whose text it was.
    credited_invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id"))
    restored_from: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    statement: Mapped[Statement] = relationship(back_populates="revisions")
    author: Mapped[User | None] = relationship()


class Invitation(Model):
    """A partner organisation's key to one statement: one link for its whole life.

    The link's token is derived from `link_salt` and the secret key (invitations.access),
    so every mail can carry it again and the database alone holds no usable link.
    `token_hash` is the SHA-256 of a link sent before links were derived (kept working).
    """

    __table_args__ = (UniqueConstraint("statement_id", "email", name="uq_invitation_email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statement.id"), index=True)
    organisation: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    link_salt: Mapped[str] = mapped_column(String(32), unique=True, default=new_link_salt)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    message: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    opened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_seen_revision: Mapped[int | None] = mapped_column(Integer)
    declined_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    last_reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    statement: Mapped[Statement] = relationship()


class Comment(Model):
    """A partner's comment or suggested replacement for a paragraph, or the lead's reply."""

    __table_args__ = (
        CheckConstraint(_in("visibility", COMMENT_VISIBILITIES), name="visibility"),
        CheckConstraint("(invitation_id IS NULL) <> (author_id IS NULL)", name="one_author"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statement.id"), index=True)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"))
    revision_number: Mapped[int] = mapped_column(Integer)
    # Index of the paragraph in that revision (None: the statement as a whole).
    anchor: Mapped[int | None] = mapped_column(Integer)
    anchor_text: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    suggestion: Mapped[str | None] = mapped_column(Text)
    visibility: Mapped[str] = mapped_column(String(10), default="private")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    accepted_revision: Mapped[int | None] = mapped_column(Integer)

    invitation: Mapped[Invitation | None] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])


class Signature(Model):
    """A signer's endorsement of one exact revision. Content is immutable; status moves."""

    __table_args__ = (
        CheckConstraint(_in("status", SIGNATURE_STATUSES), name="status"),
        CheckConstraint(_in("kind", SIGNATURE_KINDS), name="kind"),
        # One live signature per invitation, whatever the race.
        Index(
            "uq_signature_live_invitation",
            "invitation_id",
            unique=True,
            sqlite_where=text("status = 'live'"),
            postgresql_where=text("status = 'live'"),
        ),
        # The published order is read by one indexed query; kind and revision_number make
        # it covering for the lead's counts and filters (docs/performance.md).
        Index(
            "ix_signature_order",
            "statement_id", "status", "sort_key", "id", "kind", "revision_number",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statement.id"))
    # Indexed: every signing reads the invitation's latest row, whatever its status.
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id"), index=True)
    status: Mapped[SignatureStatus] = mapped_column(
        SignatureStatusType(), default=SignatureStatus.LIVE
    )
    name: Mapped[str] = mapped_column(String(200))
    sort_as: Mapped[str | None] = mapped_column(String(200))
    sort_key: Mapped[bytes] = mapped_column(LargeBinary)
    sort_rules: Mapped[int] = mapped_column(Integer, default=1)
    kind: Mapped[str] = mapped_column(String(12), default="organisation")
    affiliation: Mapped[str] = mapped_column(String(200), default="")
    country: Mapped[str] = mapped_column(String(100), default="")
    signer_name: Mapped[str] = mapped_column(String(200))
    signer_role: Mapped[str] = mapped_column(String(200), default="")
    signer_email: Mapped[str] = mapped_column(String(320))
    board_approved_on: Mapped[dt.date | None] = mapped_column(Date)
    website: Mapped[str] = mapped_column(String(300), default="")
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_type: Mapped[str | None] = mapped_column(String(20))
    revision_number: Mapped[int] = mapped_column(Integer)
    revision_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("signature.id"))
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    ended_by: Mapped[str] = mapped_column(String(200), default="")
    # Open sign-on: confirmation token hash, flag when the domain does not match the website.
    confirm_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    flagged: Mapped[str] = mapped_column(String(200), default="")
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # The signer ticked "keep me informed": the statement's updates are mailed to them.
    wants_updates: Mapped[bool] = mapped_column(Boolean, default=False)
    # False: counted in every total, never named in a public or partner output; the
    # description is the signer's own public wording ("a human rights group in Belarus").
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    public_description: Mapped[str] = mapped_column(String(200), default="")

    invitation: Mapped[Invitation | None] = relationship()

    @hybrid_property
    def live(self) -> bool:
        """Whether the signature counts now (in Python, and in SQL: ``Signature.live``)."""
        return self.status == SignatureStatus.LIVE

    @live.inplace.expression
    @classmethod
    def _live_expression(cls) -> ColumnElement[bool]:
        return cls.status == SignatureStatus.LIVE


class Edition(Model):
    """A frozen publication of a statement: never edited; a new edition supersedes it."""

    __table_args__ = (UniqueConstraint("statement_id", "number", name="uq_edition_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statement.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    revision_number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    date: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(500), default="")
    sha256: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(35), default="en")
    letter: Mapped[dict[str, str] | None] = mapped_column(JSON)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Embargo: public from this moment; publish-due or the first request after it reveals it.
    public_from: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    preview_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Every signatory the edition counts, named or not.
    signatory_count: Mapped[int] = mapped_column(Integer, default=0)
    # Frozen with the edition (the statement's setting may change later): organisations,
    # then individuals, under two headings.
    group_individuals: Mapped[bool] = mapped_column(Boolean, default=False)
    # Signatories counted but not named, and the line that says so, frozen in its wording.
    withheld_count: Mapped[int] = mapped_column(Integer, default=0)
    withheld_line: Mapped[str] = mapped_column(String(500), default="")
    # Who convened the statement when it was published: the lead, then its co-leads.
    conveners: Mapped[list[str] | None] = mapped_column(JSON)

    statement: Mapped[Statement] = relationship()
    # The named list only: rows not named publicly are never read through it.
    signatories: Mapped[list[EditionSignatory]] = relationship(
        primaryjoin="and_(EditionSignatory.edition_id == Edition.id, EditionSignatory.public)",
        order_by="EditionSignatory.position",
        viewonly=True,
    )


class EditionSignatory(Model):
    """One line of an edition's frozen signatory list, in published order.

    A signatory not named publicly has a row too (so a later withdrawal is a retraction,
    and editions can tell who is new), after the named ones: ``public`` is false, ``name``
    holds only its public description (or nothing) and no country or affiliation.
    """

    __table_args__ = (UniqueConstraint("edition_id", "position", name="uq_edition_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id"))
    position: Mapped[int] = mapped_column(Integer)
    # Indexed: a withdrawal asks whether any edition listed the signer.
    signature_id: Mapped[int | None] = mapped_column(ForeignKey("signature.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(12), default="organisation")
    affiliation: Mapped[str] = mapped_column(String(200), default="")
    country: Mapped[str] = mapped_column(String(100), default="")
    revision_number: Mapped[int] = mapped_column(Integer)
    public: Mapped[bool] = mapped_column(Boolean, default=True)


class ExportFile(Model):
    """A generated export of a published edition, kept because it can never change."""

    __table_args__ = (UniqueConstraint("edition_id", "format", name="uq_export_format"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id"))
    format: Mapped[str] = mapped_column(String(20))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEvent(Model):
    """Who did what and when; written with every state change, never updated or deleted."""

    __table_args__ = (Index("ix_audit_statement_time", "statement_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    statement_id: Mapped[int | None] = mapped_column(ForeignKey("statement.id"))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    actor_invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id"))
    actor_label: Mapped[str] = mapped_column(String(320), default="")
    action: Mapped[str] = mapped_column(String(60))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutboxMessage(Model):
    """A mail written in the transaction that caused it, sent later and never lost."""

    __table_args__ = (Index("ix_outbox_due", "sent_at", "failed_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    statement_id: Mapped[int | None] = mapped_column(ForeignKey("statement.id"), index=True)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    # One-click unsubscribe (RFC 8058): the address the List-Unsubscribe header names.
    unsubscribe_url: Mapped[str] = mapped_column(String(500), default="")

    attachments: Mapped[list[OutboxAttachment]] = relationship(
        order_by="OutboxAttachment.id", viewonly=True
    )


class OutboxAttachment(Model):
    """A file sent with an outbox message, stored with it so a retry sends the same bytes."""

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_message.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)


# --- translations (issue 9): linked, versioned translations of a statement ------------------


class Translation(Model):
    """A statement's text in another language; its versions are TranslationRevision rows."""

    __table_args__ = (
        UniqueConstraint("statement_id", "language", name="uq_translation_language"),
        CheckConstraint(
            "translator_user_id IS NULL OR translator_invitation_id IS NULL",
            name="one_translator",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statement.id"))
    language: Mapped[str] = mapped_column(String(35))
    # A lead user, or a partner the lead named (reaches the editor through its invitation).
    translator_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    translator_invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitation.id"), index=True
    )
    # Denormalised latest TranslationRevision number; 0 while no text has been saved.
    current_revision: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    statement: Mapped[Statement] = relationship()
    translator_user: Mapped[User | None] = relationship(foreign_keys=[translator_user_id])
    translator_invitation: Mapped[Invitation | None] = relationship()


class TranslationRevision(Model):
    """One saved text of a translation and the source revision it translates; append-only."""

    __table_args__ = (
        UniqueConstraint("translation_id", "number", name="uq_translation_revision_number"),
        CheckConstraint(
            "author_id IS NULL OR author_invitation_id IS NULL", name="one_author"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    translation_id: Mapped[int] = mapped_column(ForeignKey("translation.id"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    source_revision: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(String(500), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    author_invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()
    author_invitation: Mapped[Invitation | None] = relationship()


class SignatureName(Model):
    """A signatory's display name in one language; write-once, copied to superseding rows."""

    __table_args__ = (
        UniqueConstraint("signature_id", "language", name="uq_signature_name_language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    signature_id: Mapped[int] = mapped_column(ForeignKey("signature.id"))
    language: Mapped[str] = mapped_column(String(35))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class EditionTranslation(Model):
    """A translation frozen with an edition: its exact text, hash and its own ordered list."""

    __table_args__ = (
        UniqueConstraint("edition_id", "language", name="uq_edition_translation_language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id"))
    language: Mapped[str] = mapped_column(String(35))
    translation_revision: Mapped[int] = mapped_column(Integer)
    source_revision: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    # The line for signatories not named publicly, in this language.
    withheld_line: Mapped[str] = mapped_column(String(500), default="")

    edition: Mapped[Edition] = relationship()
    signatories: Mapped[list[EditionTranslationSignatory]] = relationship(
        order_by="EditionTranslationSignatory.position", viewonly=True
    )


class EditionTranslationSignatory(Model):
    """One line of a translated edition's list: its place in that language's order, its name."""

    __table_args__ = (
        UniqueConstraint(
            "edition_translation_id", "position", name="uq_edition_translation_position"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_translation_id: Mapped[int] = mapped_column(ForeignKey("edition_translation.id"))
    position: Mapped[int] = mapped_column(Integer)
    edition_signatory_id: Mapped[int] = mapped_column(ForeignKey("edition_signatory.id"))
    name: Mapped[str] = mapped_column(String(200))

    edition_signatory: Mapped[EditionSignatory] = relationship()


class EditionTranslationExport(Model):
    """A generated export of a translated edition, kept because it can never change."""

    __table_args__ = (
        UniqueConstraint(
            "edition_translation_id", "format", name="uq_edition_translation_export_format"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_translation_id: Mapped[int] = mapped_column(ForeignKey("edition_translation.id"))
    format: Mapped[str] = mapped_column(String(20))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- after publication (issue 16): delivery, the addressee's response, updates, opt-outs ----


class Delivery(Model):
    """A published edition sent to one recipient of the letter; at most once per edition."""

    __table_args__ = (
        UniqueConstraint("edition_id", "recipient", name="uq_delivery_edition_recipient"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statement.id"), index=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id"))
    recipient: Mapped[str] = mapped_column(String(320))
    message: Mapped[str] = mapped_column(Text, default="")
    outbox_message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id"))
    delivered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    edition: Mapped[Edition] = relationship()
    outbox_message: Mapped[OutboxMessage | None] = relationship()
    delivered_by: Mapped[User | None] = relationship()


class LetterResponse(Model):
    """The addressee's reply, logged by the lead; shown publicly only when the lead chooses."""

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statement.id"), index=True)
    received_on: Mapped[dt.date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text, default="")
    file_name: Mapped[str | None] = mapped_column(String(200))
    file_type: Mapped[str | None] = mapped_column(String(100))
    file_content: Mapped[bytes | None] = mapped_column(LargeBinary)
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class StatementUpdate(Model):
    """News the lead posts under a published statement, mailed to those who asked for it."""

    __table_args__ = (Index("ix_statement_update_time", "statement_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statement.id"))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    mailed_count: Mapped[int] = mapped_column(Integer, default=0)

    statement: Mapped[Statement] = relationship()
    author: Mapped[User | None] = relationship()


class UpdateOptOut(Model):
    """An address that unsubscribed from one statement's updates, kept only as a keyed hash."""

    __table_args__ = (
        UniqueConstraint("statement_id", "address_hash", name="uq_update_opt_out"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statement.id"))
    address_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- signatures recorded on a partner's behalf (issue 22) ---------------------------------------


class SignatureImport(Model):
    """A CSV of signatures the lead uploaded: held, parsed again and written only on confirm.

    Nothing of it reaches a signature, an invitation or the outbox until the lead confirms
    (`confirmed_at`); the confirmation parses `content` again and checks it against what is
    true then. Kept afterwards as the evidence of the signatures it made.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statement.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(200), default="")
    # The file as text (decoded from UTF-8 or Windows-1252), exactly as uploaded.
    content: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    imported_count: Mapped[int] = mapped_column(Integer, default=0)

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])


class SignatureRecord(Model):
    """How a lead user recorded a signature on its partner's behalf: when the partner
    approved which text, and the evidence (a pasted message, a file, or an import's line).
    Written once with the signature row it describes; never updated."""

    id: Mapped[int] = mapped_column(primary_key=True)
    signature_id: Mapped[int] = mapped_column(ForeignKey("signature.id"), unique=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statement.id"), index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # When the partner approved, as the lead was told (None: the import's line gave none).
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    evidence_text: Mapped[str] = mapped_column(Text, default="")
    file_name: Mapped[str | None] = mapped_column(String(200))
    file_type: Mapped[str | None] = mapped_column(String(100))
    file_content: Mapped[bytes | None] = mapped_column(LargeBinary)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("signature_import.id"))
    import_line: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[User | None] = relationship()
    signature_import: Mapped[SignatureImport | None] = relationship()


class CoLead(Model):
    """Another organisation steering one statement with its lead (issue 17).

    Made when the lead invites one of its staff by e-mail (`organisation_id` is None until
    someone accepts); removed, never deleted. Its staff may read and change that statement
    only (coalition.security.can_view / can_manage).
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statement.id"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id"), index=True
    )
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    statement: Mapped[Statement] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    invited_by: Mapped[User] = relationship(foreign_keys=[invited_by_id])
    accepted_by: Mapped[User | None] = relationship(foreign_keys=[accepted_by_id])

    @property
    def status(self) -> str:
        """invited, active or removed."""
        if self.removed_at is not None:
            return "removed"
        return "active" if self.accepted_at is not None else "invited"


class SignOff(Model):
    """A co-lead's approval of one exact revision for publication; never updated or deleted."""

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statement.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    revision_number: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    user: Mapped[User] = relationship()


# --- webhooks (issue 22): endpoints of an organisation, their queue and delivery log --------

WEBHOOK_EVENTS = (
    "signature.created",
    "signature.replaced",
    "signature.withdrawn",
    "signature.reconfirmed",
    "statement.state_changed",
    "edition.published",
    "update.posted",
)


class WebhookEndpoint(Model):
    """An address of the lead organisation's own systems that hears of chosen events.

    Never hard-deleted: a deleted endpoint keeps its delivery log and gets nothing more.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(200), default="")
    # The chosen event types (WEBHOOK_EVENTS), in that order.
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The HMAC key of its deliveries; kept (the sender signs with it), shown to the lead
    # only when made or rotated.
    secret: Mapped[str] = mapped_column(String(100))
    # The lead's choice to send the names of signatories not named publicly to this endpoint.
    withheld_names: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class WebhookDelivery(Model):
    """One event for one endpoint: written in the transaction that caused it, sent later.

    The body is stored as sent, so every try (and a re-send) carries the same bytes and the
    same event id; a receiver drops what it has seen by that id.
    """

    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id", name="uq_webhook_delivery_event"),
        Index("ix_webhook_delivery_due", "delivered_at", "failed_at", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoint.id"))
    event_id: Mapped[str] = mapped_column(String(40))
    event: Mapped[str] = mapped_column(String(40))
    statement_id: Mapped[int | None] = mapped_column(ForeignKey("statement.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(Text, default="")

    endpoint: Mapped[WebhookEndpoint] = relationship()


class WebhookAttempt(Model):
    """One try of a delivery: when, and the answer's status code or the error; never updated."""

    __table_args__ = (Index("ix_webhook_attempt_delivery", "delivery_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("webhook_delivery.id"))
    # Denormalised: an endpoint's log is read by one indexed query.
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoint.id"), index=True)
    attempted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(String(500), default="")
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)

    delivery: Mapped[WebhookDelivery] = relationship()
