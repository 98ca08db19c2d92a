"""The table of every route: its access rule and how to fill its URL from the world.

tests/test_security.py walks app.url_map and fails on any route missing here, and on any
route whose view's access marker (security.py: lead unless @public/@partner/@api_route)
differs from what this table says. Adding a route means adding a line here — that is the
point: nobody opens a route by forgetting a decorator.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from werkzeug.routing import Rule

from tests.security.world import World

LEAD = "lead"  # a lead login: 302 to /login without one, 404 for another organisation
API = "api"  # a bearer token of a lead user: 401 without one, 404 for another organisation
PARTNER = "partner"  # an invitation token in the path: 404 unless live
PUBLIC = "public"  # anyone: never unpublished or embargoed words, never contacts

# What a lead or API route is to the actors of co-leading (issue 17); every lead and API
# route declares one (the walk fails otherwise):
STATEMENT = "statement"  # a statement's work: a co-lead's editors too; viewers read only
LEAD_ONLY = "lead_only"  # the lead organisation's alone: 403 for co-leads; viewers read only
ACCOUNT = "account"  # the user's own account: every account, viewers included
ORGANISATION = "organisation"  # the organisation's work outside a statement: not viewers
STEERS = (STATEMENT, LEAD_ONLY, ACCOUNT, ORGANISATION)


@dataclass(frozen=True)
class Case:
    access: str
    # Which world value fills <token> (an attribute of World).
    token: str | None = None
    # Parameters filled from another world attribute than PARAMS says.
    params: Mapping[str, str] = field(default_factory=dict)
    # Public routes with a slug: the embargoed and draft statements must answer 404.
    slug_hidden: bool = False
    # Public routes with a token: an unknown token must answer 404.
    token_checked: bool = False
    # Shows the statement's current text on purpose (open sign-on: the lead turned it on
    # so that anyone with the link can read what they would sign).
    current_text: bool = False
    # Lead and API routes: what the route is to co-leads and viewers (STEERS).
    steer: str | None = None


# URL parameter name -> World attribute (or a literal when it starts with "=").
PARAMS: dict[str, str] = {
    "statement_id": "statement_id",
    "number": "=1",  # revision 1 and edition 1 both exist
    "invitation_id": "invitation_id",
    "comment_id": "comment_id",
    "signature_id": "signature_id",
    "token_id": "spare_token_id",
    "message_id": "message_id",
    "slug": "slug",
    "token": "token",
    "fmt": "=md",
    "decision": "=approve",
    "filename": "=css/app.css",
    "language": "=fr",  # a translation of the statement
    "lang": "=fr",
    "response_id": "response_id",
    "import_id": "import_id",
    "co_lead_id": "co_lead_row_id",
    "endpoint_id": "endpoint_id",
    "delivery_id": "delivery_id",
}

ROUTES: dict[str, Case] = {
    "static": Case(PUBLIC),
    # accounts
    "accounts.login": Case(PUBLIC),
    "accounts.signup": Case(PUBLIC),
    "accounts.logout": Case(LEAD, steer=ACCOUNT),
    "accounts.account": Case(LEAD, steer=ACCOUNT),
    "accounts.create_token": Case(LEAD, steer=ACCOUNT),
    "accounts.revoke_token": Case(LEAD, steer=ACCOUNT),
    "accounts.invite_colleague": Case(LEAD, steer=ORGANISATION),
    "accounts.change_password": Case(LEAD, steer=ACCOUNT),
    "accounts.set_language": Case(LEAD, steer=ACCOUNT),
    "accounts.set_time_zone": Case(LEAD, steer=ACCOUNT),
    "accounts.join": Case(PUBLIC, token="join_token", token_checked=True),
    "accounts.forgot_password": Case(PUBLIC),
    "accounts.reset_password": Case(PUBLIC, token="reset_token", token_checked=True),
    # drafting
    "drafting.dashboard": Case(LEAD, steer=ORGANISATION),
    "drafting.new_statement": Case(LEAD, steer=ORGANISATION),
    "drafting.statement": Case(LEAD, steer=STATEMENT),
    "drafting.edit": Case(LEAD, steer=STATEMENT),
    "drafting.history": Case(LEAD, steer=STATEMENT),
    "drafting.revision": Case(LEAD, steer=STATEMENT),
    "drafting.restore": Case(LEAD, steer=STATEMENT),
    "drafting.compare": Case(LEAD, steer=STATEMENT),
    "drafting.change_state": Case(LEAD, steer=STATEMENT),
    "drafting.settings": Case(LEAD, steer=STATEMENT),
    "drafting.activity": Case(LEAD, steer=STATEMENT),
    # invitations: the lead's side
    "invitations.index": Case(LEAD, steer=STATEMENT),
    "invitations.invite": Case(LEAD, steer=STATEMENT),
    "invitations.bulk": Case(LEAD, steer=STATEMENT),
    "invitations.revoke": Case(LEAD, steer=STATEMENT),
    "invitations.resend": Case(LEAD, steer=STATEMENT),
    "invitations.remind": Case(LEAD, steer=STATEMENT),
    "invitations.remind_all": Case(LEAD, steer=STATEMENT),
    "invitations.export_csv": Case(LEAD, steer=STATEMENT),
    "invitations.outbox": Case(LEAD, steer=STATEMENT),
    "invitations.outbox_message": Case(LEAD, steer=STATEMENT),
    "invitations.retry": Case(LEAD, steer=STATEMENT),
    "invitations.comments": Case(LEAD, steer=STATEMENT),
    "invitations.reply": Case(LEAD, steer=STATEMENT),
    "invitations.resolve": Case(LEAD, steer=STATEMENT),
    "invitations.accept": Case(LEAD, steer=STATEMENT),
    # invitations: the partner's side
    "invitations.partner_page": Case(PARTNER),
    "invitations.partner_comment": Case(PARTNER),
    "invitations.decline": Case(PARTNER),
    "invitations.undo_decline": Case(PARTNER),
    # signing
    "signing.sign": Case(PARTNER),
    "signing.withdraw": Case(PARTNER),
    "signing.reconfirm_signature": Case(PARTNER),
    "signing.late_request": Case(PARTNER),
    "signing.partner_logo": Case(PARTNER),
    "signing.open_page": Case(
        PUBLIC, token="open_token", token_checked=True, current_text=True
    ),
    "signing.confirm": Case(PUBLIC, token="confirm_token", token_checked=True),
    # signatures recorded on a partner's behalf, imports
    "recording.record": Case(LEAD, steer=STATEMENT),
    "recording.import_list": Case(LEAD, steer=STATEMENT),
    "recording.import_preview": Case(LEAD, steer=STATEMENT),
    "recording.import_confirm": Case(LEAD, steer=STATEMENT),
    "recording.evidence": Case(
        LEAD, steer=STATEMENT, params={"signature_id": "recorded_signature_id"}
    ),
    "signing.signatories": Case(LEAD, steer=STATEMENT),
    "signing.export_csv": Case(LEAD, steer=STATEMENT),
    "signing.sort_as": Case(LEAD, steer=STATEMENT),
    "signing.decide": Case(LEAD, steer=STATEMENT, params={"signature_id": "pending_signature_id"}),
    "signing.options": Case(LEAD, steer=STATEMENT),
    "signing.withheld_options": Case(LEAD, steer=STATEMENT),
    "signing.logo": Case(LEAD, steer=STATEMENT),
    # publishing: the lead's side
    "publishing.publish": Case(LEAD, steer=LEAD_ONLY),
    "publishing.lead_edition": Case(LEAD, steer=STATEMENT),
    "publishing.lead_edition_export": Case(LEAD, steer=STATEMENT),
    "publishing.create_preview_link": Case(LEAD, steer=LEAD_ONLY),
    "publishing.revoke_preview_link": Case(LEAD, steer=LEAD_ONLY),
    "publishing.draft_export": Case(LEAD, steer=STATEMENT),
    "publishing.lead_signatories_csv": Case(LEAD, steer=STATEMENT),
    # publishing: the public's side
    "publishing.public_statement": Case(PUBLIC, slug_hidden=True),
    "publishing.public_edition": Case(PUBLIC, slug_hidden=True),
    "publishing.public_export": Case(PUBLIC, slug_hidden=True),
    "publishing.public_edition_export": Case(PUBLIC, slug_hidden=True),
    "publishing.embed": Case(PUBLIC, slug_hidden=True),
    "publishing.edition_embed": Case(PUBLIC, slug_hidden=True),
    "publishing.embed_frame": Case(PUBLIC, slug_hidden=True),
    "publishing.edition_frame": Case(PUBLIC, slug_hidden=True),
    "publishing.signatories_csv": Case(PUBLIC, slug_hidden=True),
    "publishing.edition_signatories_csv": Case(PUBLIC, slug_hidden=True),
    "publishing.source_text": Case(PUBLIC, slug_hidden=True),
    "publishing.preview": Case(PUBLIC, token="preview_token", token_checked=True),
    "publishing.preview_export": Case(PUBLIC, token="preview_token", token_checked=True),
    "publishing.preview_embed": Case(PUBLIC, token="preview_token", token_checked=True),
    "publishing.preview_signatories_csv": Case(
        PUBLIC, token="preview_token", token_checked=True
    ),
    "publishing.preview_source_text": Case(PUBLIC, token="preview_token", token_checked=True),
    "publishing.feed": Case(PUBLIC),
    # after publication: delivery, the response, updates, digest, unsubscribing
    "followup.index": Case(LEAD, steer=STATEMENT),
    "followup.deliver": Case(LEAD, steer=STATEMENT),
    "followup.log_response": Case(LEAD, steer=STATEMENT),
    "followup.show_response": Case(LEAD, steer=STATEMENT),
    "followup.response_file": Case(LEAD, steer=STATEMENT),
    "followup.public_response_file": Case(PUBLIC, slug_hidden=True),
    "followup.post_update": Case(LEAD, steer=STATEMENT),
    "followup.digest_setting": Case(LEAD, steer=ACCOUNT),
    "followup.unsubscribe": Case(PUBLIC, token="unsubscribe_token", token_checked=True),
    # translations
    "translations.index": Case(LEAD, steer=STATEMENT),
    "translations.add": Case(LEAD, steer=STATEMENT),
    "translations.edit": Case(LEAD, steer=STATEMENT),
    "translations.signatories": Case(LEAD, steer=STATEMENT),
    "translations.translator": Case(LEAD, steer=STATEMENT),
    "translations.partner_edit": Case(PARTNER),
    # co-leads (issue 17)
    "coleads.index": Case(LEAD, steer=STATEMENT),
    "coleads.invite": Case(LEAD, steer=LEAD_ONLY),
    "coleads.remove": Case(LEAD, steer=LEAD_ONLY),
    "coleads.sign_off_setting": Case(LEAD, steer=LEAD_ONLY),
    "coleads.sign_off": Case(LEAD, steer=STATEMENT),
    "coleads.accept": Case(PUBLIC, token="co_lead_token", token_checked=True),
    # webhooks
    "webhooks.index": Case(LEAD, steer=ORGANISATION),
    "webhooks.create": Case(LEAD, steer=ORGANISATION),
    "webhooks.endpoint": Case(LEAD, steer=ORGANISATION),
    "webhooks.rotate_secret": Case(LEAD, steer=ORGANISATION),
    "webhooks.delete": Case(LEAD, steer=ORGANISATION),
    "webhooks.resend": Case(LEAD, steer=ORGANISATION),
    # API v1
    "api.openapi_document": Case(PUBLIC),
    "api.record_signature": Case(API, steer=STATEMENT),
    "api.create_signature_import": Case(API, steer=STATEMENT),
    "api.get_signature_import": Case(API, steer=STATEMENT),
    "api.confirm_signature_import": Case(API, steer=STATEMENT),
    "api.create_statement": Case(API, steer=ORGANISATION),
    "api.get_statement": Case(API, steer=STATEMENT),
    "api.create_revision": Case(API, steer=STATEMENT),
    "api.list_revisions": Case(API, steer=STATEMENT),
    "api.get_revision": Case(API, steer=STATEMENT),
    "api.diff": Case(API, steer=STATEMENT),
    "api.change_state": Case(API, steer=STATEMENT),
    "api.create_invitation": Case(API, steer=STATEMENT),
    "api.list_invitations": Case(API, steer=STATEMENT),
    "api.list_signatories": Case(API, steer=STATEMENT),
    "api.publish": Case(API, steer=LEAD_ONLY),
    "api.list_translations": Case(API, steer=STATEMENT),
    "api.list_deliveries": Case(API, steer=STATEMENT),
    "api.deliver": Case(API, steer=STATEMENT),
    "api.list_responses": Case(API, steer=STATEMENT),
    "api.log_response": Case(API, steer=STATEMENT),
    "api.show_response": Case(API, steer=STATEMENT),
    "api.list_updates": Case(API, steer=STATEMENT),
    "api.post_update": Case(API, steer=STATEMENT),
    "api.get_translation": Case(API, steer=STATEMENT),
    "api.list_co_leads": Case(API, steer=STATEMENT),
    "api.invite_co_lead": Case(API, steer=LEAD_ONLY),
    "api.remove_co_lead": Case(API, steer=LEAD_ONLY),
    "api.sign_off": Case(API, steer=STATEMENT),
    "api.list_members": Case(API, steer=ORGANISATION),
    "api.invite_colleague": Case(API, steer=ORGANISATION),
    "api.list_webhooks": Case(API, steer=ORGANISATION),
    "api.create_webhook": Case(API, steer=ORGANISATION),
    "api.get_webhook": Case(API, steer=ORGANISATION),
    "api.change_webhook": Case(API, steer=ORGANISATION),
    "api.delete_webhook": Case(API, steer=ORGANISATION),
    "api.rotate_webhook_secret": Case(API, steer=ORGANISATION),
    "api.list_webhook_deliveries": Case(API, steer=ORGANISATION),
    "api.resend_webhook_delivery": Case(API, steer=ORGANISATION),
    "api.read_invitation": Case(PARTNER),
    "api.create_comment": Case(PARTNER),
    "api.put_signature": Case(PARTNER),
    "api.delete_signature": Case(PARTNER),
}


def value(world: World, source: str) -> Any:
    return source[1:] if source.startswith("=") else getattr(world, source)


def url_values(rule: Rule, world: World, **override: Any) -> dict[str, Any]:
    """The rule's parameters filled from the world (KeyError names a missing PARAMS entry)."""
    case = ROUTES[rule.endpoint]
    values: dict[str, Any] = {}
    for name in rule.arguments:
        if name in (rule.defaults or {}):
            continue
        if name == "token" and case.token is not None:
            source = case.token
        else:
            source = case.params.get(name) or PARAMS[name]
        values[name] = value(world, source)
    values.update(override)
    return values


def build_url(rule: Rule, values: Mapping[str, Any]) -> str:
    """The path of `rule` with `values` (no query string, no host)."""
    _, path = rule.build(dict(values), append_unknown=False)  # type: ignore[misc]
    return str(path)
