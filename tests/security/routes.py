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
}

ROUTES: dict[str, Case] = {
    "static": Case(PUBLIC),
    # accounts
    "accounts.login": Case(PUBLIC),
    "accounts.signup": Case(PUBLIC),
    "accounts.logout": Case(LEAD),
    "accounts.account": Case(LEAD),
    "accounts.create_token": Case(LEAD),
    "accounts.revoke_token": Case(LEAD),
    "accounts.invite_colleague": Case(LEAD),
    "accounts.change_password": Case(LEAD),
    "accounts.set_language": Case(LEAD),
    "accounts.set_time_zone": Case(LEAD),
    "accounts.join": Case(PUBLIC, token="join_token", token_checked=True),
    "accounts.forgot_password": Case(PUBLIC),
    "accounts.reset_password": Case(PUBLIC, token="reset_token", token_checked=True),
    # drafting
    "drafting.dashboard": Case(LEAD),
    "drafting.new_statement": Case(LEAD),
    "drafting.statement": Case(LEAD),
    "drafting.edit": Case(LEAD),
    "drafting.history": Case(LEAD),
    "drafting.revision": Case(LEAD),
    "drafting.restore": Case(LEAD),
    "drafting.compare": Case(LEAD),
    "drafting.change_state": Case(LEAD),
    "drafting.settings": Case(LEAD),
    "drafting.activity": Case(LEAD),
    # invitations: the lead's side
    "invitations.index": Case(LEAD),
    "invitations.invite": Case(LEAD),
    "invitations.bulk": Case(LEAD),
    "invitations.revoke": Case(LEAD),
    "invitations.resend": Case(LEAD),
    "invitations.remind": Case(LEAD),
    "invitations.remind_all": Case(LEAD),
    "invitations.export_csv": Case(LEAD),
    "invitations.outbox": Case(LEAD),
    "invitations.outbox_message": Case(LEAD),
    "invitations.retry": Case(LEAD),
    "invitations.comments": Case(LEAD),
    "invitations.reply": Case(LEAD),
    "invitations.resolve": Case(LEAD),
    "invitations.accept": Case(LEAD),
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
    "signing.signatories": Case(LEAD),
    "signing.export_csv": Case(LEAD),
    "signing.sort_as": Case(LEAD),
    "signing.decide": Case(LEAD, params={"signature_id": "pending_signature_id"}),
    "signing.options": Case(LEAD),
    "signing.withheld_options": Case(LEAD),
    "signing.logo": Case(LEAD),
    # signatures recorded on a partner's behalf, imports
    "recording.record": Case(LEAD),
    "recording.import_list": Case(LEAD),
    "recording.import_preview": Case(LEAD),
    "recording.import_confirm": Case(LEAD),
    "recording.evidence": Case(LEAD, params={"signature_id": "recorded_signature_id"}),
    # publishing: the lead's side
    "publishing.publish": Case(LEAD),
    "publishing.lead_edition": Case(LEAD),
    "publishing.lead_edition_export": Case(LEAD),
    "publishing.create_preview_link": Case(LEAD),
    "publishing.revoke_preview_link": Case(LEAD),
    "publishing.draft_export": Case(LEAD),
    "publishing.lead_signatories_csv": Case(LEAD),
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
    "followup.index": Case(LEAD),
    "followup.deliver": Case(LEAD),
    "followup.log_response": Case(LEAD),
    "followup.show_response": Case(LEAD),
    "followup.response_file": Case(LEAD),
    "followup.public_response_file": Case(PUBLIC, slug_hidden=True),
    "followup.post_update": Case(LEAD),
    "followup.digest_setting": Case(LEAD),
    "followup.unsubscribe": Case(PUBLIC, token="unsubscribe_token", token_checked=True),
    # translations
    "translations.index": Case(LEAD),
    "translations.add": Case(LEAD),
    "translations.edit": Case(LEAD),
    "translations.signatories": Case(LEAD),
    "translations.translator": Case(LEAD),
    "translations.partner_edit": Case(PARTNER),
    # API v1
    "api.openapi_document": Case(PUBLIC),
    "api.create_statement": Case(API),
    "api.get_statement": Case(API),
    "api.create_revision": Case(API),
    "api.list_revisions": Case(API),
    "api.get_revision": Case(API),
    "api.diff": Case(API),
    "api.change_state": Case(API),
    "api.create_invitation": Case(API),
    "api.list_invitations": Case(API),
    "api.list_signatories": Case(API),
    "api.publish": Case(API),
    "api.list_translations": Case(API),
    "api.list_deliveries": Case(API),
    "api.deliver": Case(API),
    "api.list_responses": Case(API),
    "api.log_response": Case(API),
    "api.show_response": Case(API),
    "api.list_updates": Case(API),
    "api.post_update": Case(API),
    "api.get_translation": Case(API),
    "api.record_signature": Case(API),
    "api.create_signature_import": Case(API),
    "api.get_signature_import": Case(API),
    "api.confirm_signature_import": Case(API),
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
