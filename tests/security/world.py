"""A small world for the security tests: two organisations and a statement in every state
the routes need, with every kind of record a URL can name.

`build_world()` runs inside an application context and returns plain values (ids, tokens,
slugs), so tests can use them from any client without touching the session again.

The owner's statement (`statement_id`) was published once (edition 1, public, with a
preview link) and then reopened for signing with a second, unpublished revision: its
public pages must show edition 1 and never the words of revision 2.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field

from PIL import Image
from sqlalchemy import select

from coalition.accounts import services as accounts
from coalition.coleads import services as coleads
from coalition.domain.followup import check_response_file
from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.followup import delivery as followup
from coalition.followup import updates
from coalition.invitations import services as invitations
from coalition.models import (
    WEBHOOK_EVENTS,
    OutboxMessage,
    Signature,
    Statement,
    WebhookDelivery,
    utcnow,
)
from coalition.publishing import services as publishing
from coalition.signing import open_signon, recording
from coalition.signing import services as signing
from coalition.signing.services import SignatureInput
from coalition.translations import services as translations
from coalition.webhooks import services as webhooks
from tests import factories

# Words that must never leave the owner's statement: the rival's partner, the public
# (for revision 2) and anyone without a login must never see them.
TITLE = "Release the Alpha Defenders"
BODY = (
    "We call for the release of the alpha defenders (alpha-body-marker).\n\n"
    "Second paragraph of the alpha statement."
)
UNPUBLISHED = "unpublished-revision-two-marker"
BODY_2 = BODY + f"\n\nA third paragraph that was never published ({UNPUBLISHED})."
RIVAL_TITLE = "Rival Beta Statement"
EMBARGO_MARKER = "embargoed-text-marker"
DRAFT_MARKER = "draft-only-text-marker"


def png_bytes(size: tuple[int, int] = (40, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


@dataclass
class World:
    owner_id: int
    owner_email: str
    other_id: int
    other_email: str
    statement_id: int
    slug: str
    invitation_id: int
    comment_id: int
    signature_id: int
    pending_signature_id: int
    message_id: int
    token: str  # this statement's partner token
    revoked_token: str
    expired_token: str
    other_token: str  # the rival organisation's statement's partner token
    unknown_token: str
    open_token: str
    confirm_token: str
    preview_token: str
    embargo_slug: str
    embargo_preview_token: str
    draft_slug: str
    join_token: str
    reset_token: str
    bearer: str
    other_bearer: str
    spare_token_id: int
    revoked_invitation_id: int = 0
    response_id: int = 0  # a response to the published statement, shown, with a file
    recorded_signature_id: int = 0  # a signature the lead recorded, with an evidence file
    import_id: int = 0  # a CSV import held for the lead's confirmation
    unsubscribe_token: str = ""  # the partner contact's link out of the statement's updates
    # Co-leads (issue 17): an editor and a viewer of an organisation co-leading the
    # statement, an account of a co-lead the lead removed, and a viewer of the lead; each
    # with an API token. co_lead_row_id names the active co-lead; co_lead_token accepts a
    # pending invitation.
    co_lead_editor_id: int = 0
    co_lead_viewer_id: int = 0
    removed_co_lead_id: int = 0
    lead_viewer_id: int = 0
    co_lead_editor_bearer: str = ""
    co_lead_viewer_bearer: str = ""
    removed_co_lead_bearer: str = ""
    lead_viewer_bearer: str = ""
    co_lead_row_id: int = 0
    co_lead_token: str = ""
    endpoint_id: int = 0  # the owner's webhook endpoint
    delivery_id: int = 0  # a delivery queued for it
    # Contacts: never in a public page, a public export or anything a partner sees.
    contacts: list[str] = field(default_factory=list)
    # Words of this statement: never shown to the rival's partner or to strangers.
    private_words: list[str] = field(default_factory=lambda: [TITLE, "alpha-body-marker"])


def _confirm_token(statement: Statement) -> str:
    mail = db.session.scalar(
        select(OutboxMessage)
        .where(
            OutboxMessage.statement_id == statement.id,
            OutboxMessage.kind == "open_signon_confirm",
        )
        .order_by(OutboxMessage.id.desc())
    )
    assert mail is not None
    found = re.search(r"/open/confirm/([A-Za-z0-9_\-]+)", mail.body_text)
    assert found is not None
    return found.group(1)


def latest_link(invitation_id: int) -> str:
    """The link in the partner's newest mail (every mail carries the invitation's one link)."""
    mail = db.session.scalar(
        select(OutboxMessage)
        .where(
            OutboxMessage.invitation_id == invitation_id,
            OutboxMessage.body_text.contains("/i/"),
        )
        .order_by(OutboxMessage.id.desc())
    )
    assert mail is not None
    found = re.search(r"/i/([A-Za-z0-9_\-]+)", mail.body_text)
    assert found is not None
    return found.group(1)


def build_world(
    *,
    title: str = TITLE,
    body: str = BODY,
    body_2: str = BODY_2,
    partner_name: str = "Partner One Org",
    comment: str = "Could the second paragraph name the court?",
    suggestion: str = "Second paragraph of the alpha statement, naming the court.",
    note: str = "Adds a paragraph",
    organisation: str = "Lead Org",
) -> World:
    """Make the world (committed); call inside an application context."""
    owner = factories.user(organisation, email="owner@lead.example", name="Owner Person")
    other = factories.user("Rival Org", email="rival@rival.example", name="Rival Person")

    # A webhook endpoint on a public address literal (no DNS), hearing of everything.
    endpoint, _ = webhooks.create_endpoint(owner, url="https://93.184.216.34/hook",
                                           events=list(WEBHOOK_EVENTS))
    statement = factories.statement(owner, title=title, body=body, state="open")
    drafting.update_settings(owner, statement, comments_when_open=True)
    invitation, token = factories.invite(
        owner, statement, organisation=partner_name, email="invited.partner@contacts.example"
    )
    message_id = db.session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.invitation_id == invitation.id)
    )
    signature, _ = signing.sign(
        invitation,
        SignatureInput(
            name=partner_name,
            signer_name="Hidden Signer Person",
            signer_email="hidden.signer@contacts.example",
            signer_role="Secret Role Title",
            country="FR",
            logo=png_bytes(),
        ),
        token=token,
    )
    db.session.commit()
    revoked, revoked_token = factories.invite(
        owner, statement, organisation="Revoked Partner", email="revoked.partner@contacts.example"
    )
    invitations.revoke(owner, revoked)

    open_signon.set_options(owner, statement, open_signon=True, group_individuals=False)
    db.session.commit()
    request = open_signon.request_signature(
        statement,
        SignatureInput(
            name="Open Signer Org",
            signer_name="Open Signer Person",
            signer_email="open.signer@contacts.example",
            website="https://contacts.example",
            kind="organisation",
        ),
    )
    db.session.commit()
    confirm_token = _confirm_token(statement)
    open_signon.confirm(request)
    db.session.commit()

    edition = publishing.publish(owner, statement, exclude_outstanding=True)
    db.session.commit()
    preview_token = publishing.create_preview_link(owner, statement, edition)
    drafting.change_state(owner, statement, "open")
    drafting.save_revision(
        owner, statement, body=body_2, base_revision=statement.current_revision, note=note
    )
    db.session.commit()
    # A French translation, translated by the partner (its editor is a partner route).
    translation = translations.add_translation(owner, statement, "fr", translator=invitation)
    translations.save_revision(
        owner, translation, title=f"{title} (fr)", body=f"{body_2}\n\n(fr)",
        base_revision=0, source_revision=statement.current_revision, note=note,
    )
    db.session.commit()
    # Every mail carries the invitation's one link: the token signed with above.
    assert latest_link(invitation.id) == token
    made = invitations.add_comment(
        invitation, body=comment, anchor=1, suggestion=suggestion, visibility="private"
    )
    db.session.commit()

    embargoed = factories.statement(
        owner, title="Embargoed Gamma", body=f"Embargoed text ({EMBARGO_MARKER}).", state="open"
    )
    embargo_edition = publishing.publish(
        owner, embargoed, public_from=utcnow() + dt.timedelta(days=30)
    )
    embargo_preview = publishing.create_preview_link(owner, embargoed, embargo_edition)
    draft = factories.statement(owner, title="Draft Delta", body=f"Draft ({DRAFT_MARKER}).")

    expired_statement = factories.statement(owner, title="Expired Epsilon", state="open")
    _, expired_token = factories.invite(owner, expired_statement, organisation="Late Partner")
    # Past the deadline and its grace period: the link has lapsed.
    expired_statement.sign_deadline = utcnow() - dt.timedelta(days=60)

    rival = factories.statement(other, title=RIVAL_TITLE, body="Rival body text.", state="open")
    _, other_token = factories.invite(other, rival, organisation="Rival Partner")

    response = followup.log_response(
        owner, statement, text="Thank you for your letter.", received_on=utcnow().date(),
        public=True, file=check_response_file("reply.png", png_bytes()),
    )
    db.session.commit()

    recorded = recording.record(
        owner, statement,
        SignatureInput(name="Recorded Partner Org", signer_name="Recorded Signer Person",
                       signer_email="recorded.signer@contacts.example"),
        approved_at=utcnow() - dt.timedelta(days=1), evidence_text="Yes, we sign.",
        evidence_file=check_response_file("mail.png", png_bytes(), "evidence_file"),
    )
    held = recording.hold(
        owner, statement, file_name="list.csv",
        content="name,signer_name,signer_email\nImported Org,Imported Signer,"
                "imported.signer@contacts.example\n",
    )
    db.session.commit()

    bearer = factories.token(owner)
    spare, _ = accounts.create_api_token(owner, "spare")
    other_bearer = factories.token(other)
    _, join_token = accounts.invite_colleague(owner, "new.colleague@contacts.example")
    reset_token = accounts.password_reset_token(owner)
    db.session.commit()

    co_editor = factories.co_lead(owner, statement, "Co-lead Centre",
                                  email="editor@colead.example")
    co_viewer = factories.colleague(co_editor, "viewer", email="viewer@colead.example")
    removed = factories.co_lead(owner, statement, "Removed Org", email="gone@removed.example")
    coleads.remove(owner, next(r for r in coleads.active(statement)
                               if r.organisation_id == removed.organisation_id))
    lead_viewer = factories.colleague(owner, "viewer", email="viewer@lead.example")
    _, co_lead_token = coleads.invite(owner, statement, "pending@pending.example")
    db.session.commit()
    co_lead_row = next(r for r in coleads.active(statement)
                       if r.organisation_id == co_editor.organisation_id)

    return World(
        owner_id=owner.id,
        owner_email=owner.email,
        other_id=other.id,
        other_email=other.email,
        statement_id=statement.id,
        slug=statement.slug,
        invitation_id=invitation.id,
        comment_id=made.id,
        signature_id=signature.id,
        pending_signature_id=request.id,
        message_id=message_id or 0,
        token=token,
        revoked_token=revoked_token,
        expired_token=expired_token,
        other_token=other_token,
        unknown_token="unknown-" + "x" * 24,
        open_token=statement.open_signon_token or "",
        confirm_token=confirm_token,
        preview_token=preview_token,
        embargo_slug=embargoed.slug,
        embargo_preview_token=embargo_preview,
        draft_slug=draft.slug,
        join_token=join_token,
        reset_token=reset_token,
        bearer=bearer,
        other_bearer=other_bearer,
        spare_token_id=spare.id,
        revoked_invitation_id=revoked.id,
        response_id=response.id,
        recorded_signature_id=recorded.signature.id,
        import_id=held.held.id if held.held else 0,
        endpoint_id=endpoint.id,
        delivery_id=db.session.scalars(
            select(WebhookDelivery.id).where(WebhookDelivery.endpoint_id == endpoint.id)
        ).first() or 0,
        unsubscribe_token=updates.update_token(statement.id, "invited.partner@contacts.example"),
        co_lead_editor_id=co_editor.id,
        co_lead_viewer_id=co_viewer.id,
        removed_co_lead_id=removed.id,
        lead_viewer_id=lead_viewer.id,
        co_lead_editor_bearer=factories.token(co_editor),
        co_lead_viewer_bearer=factories.token(co_viewer),
        removed_co_lead_bearer=factories.token(removed),
        lead_viewer_bearer=factories.token(lead_viewer),
        co_lead_row_id=co_lead_row.id,
        co_lead_token=co_lead_token,
        contacts=[
            "invited.partner@contacts.example",
            "hidden.signer@contacts.example",
            "Hidden Signer Person",
            "Secret Role Title",
            "revoked.partner@contacts.example",
            "open.signer@contacts.example",
            "Open Signer Person",
            "recorded.signer@contacts.example",
            "Recorded Signer Person",
            "imported.signer@contacts.example",
            "Imported Signer",
        ],
    )


def live_signatures(statement_id: int) -> int:
    """How many live signatures a statement has (for before/after checks)."""
    return len(
        db.session.scalars(
            select(Signature.id).where(
                Signature.statement_id == statement_id, Signature.status == "live"
            )
        ).all()
    )
