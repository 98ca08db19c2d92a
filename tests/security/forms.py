"""Every HTML form route with a valid example of what its form sends.

The CSRF test forges these posts; the fuzz tests replace each field with hostile text.
A non-API POST route missing here fails tests/security/test_csrf.py.
"""

from __future__ import annotations

from tests.factories import PASSWORD
from tests.security.world import World

NEW_PASSWORD = "a brand new passphrase"  # noqa: S105 - test data


def form_data(endpoint: str, world: World) -> dict[str, str]:
    """Fields that would pass the form's own checks for this world."""
    signer = {
        "name": "Forged Signature Org",
        "kind": "organisation",
        "country": "FR",
        "signer_name": "Forged Signer",
        "signer_email": "forged.signer@forged.example",
        "signer_role": "Director",
        "affiliation": "",
        "sort_as": "",
    }
    forms: dict[str, dict[str, str]] = {
        "accounts.login": {"email": world.owner_email, "password": PASSWORD},
        "accounts.signup": {
            "organisation": "Forged Org",
            "name": "Forged Person",
            "email": "forged@forged.example",
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
        "accounts.logout": {},
        "accounts.create_token": {"name": "forged bot"},
        "accounts.revoke_token": {},
        "accounts.invite_colleague": {"email": "forged.colleague@forged.example",
                                      "role": "viewer"},
        "accounts.change_password": {
            "current": PASSWORD,
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
        "accounts.join": {"name": "Forged Colleague", "password": NEW_PASSWORD,
                          "confirm": NEW_PASSWORD},
        "accounts.set_language": {"language": "fr"},
        "accounts.set_time_zone": {"timezone": "Europe/Kyiv", "organisation_timezone": "UTC"},
        "accounts.forgot_password": {"email": world.owner_email},
        "accounts.reset_password": {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        "drafting.new_statement": {"title": "Forged statement", "body": "Forged text.",
                                   "language": "en"},
        "drafting.edit": {
            "base_revision": "2",
            "title": "Forged title",
            "body": "Forged body.",
            "note": "forged",
            "substantive": "y",
        },
        "drafting.restore": {"base_revision": "2"},
        "drafting.change_state": {"state": "closed"},
        "drafting.settings": {
            "language": "fr",
            "timezone": "Europe/Paris",
            "sign_deadline": "",
            "letter_addressee_name": "Forged Minister",
            "letter_addressee_title": "",
            "letter_addressee_address": "",
            "letter_salutation": "",
        },
        "invitations.invite": {"organisation": "Forged Partner",
                               "email": "forged.partner@forged.example", "message": "hi"},
        "invitations.bulk": {"lines": "Forged Bulk <forged.bulk@forged.example>",
                             "message": ""},
        "invitations.revoke": {},
        "invitations.resend": {},
        "invitations.remind": {},
        "invitations.remind_all": {},
        "invitations.retry": {},
        "invitations.reply": {"body": "Forged reply", "visibility": "shared"},
        "invitations.resolve": {},
        "invitations.accept": {"base_revision": "2"},
        "invitations.partner_comment": {"anchor": "0", "body": "Forged comment",
                                        "suggestion": "", "visibility": "shared"},
        "invitations.decline": {"reason": "Forged reason"},
        "invitations.undo_decline": {},
        "signing.sign": signer,
        "signing.withdraw": {},
        "signing.reconfirm_signature": {},
        "signing.late_request": signer,
        "signing.open_page": {**signer, "website": "https://forged.example", "fax_number": ""},
        "signing.confirm": {},
        "signing.sort_as": {"sort_as": "Forged Sort"},
        "signing.decide": {},
        "signing.options": {"open_signon": "", "group_individuals": "y", "new_link": "1"},
        "signing.withheld_options": {"wording_one": "Forged", "wording_other": "Forged"},
        "publishing.publish": {"date": "2026-11-22", "note": "Forged", "review": "1"},
        "publishing.create_preview_link": {},
        "publishing.revoke_preview_link": {},
        "translations.add": {"language": "de", "other_language": "", "translator": ""},
        "translations.translator": {"translator": ""},
        "translations.edit": {"base_revision": "1", "source_revision": "2",
                              "title": "Titre forgé", "body": "Texte forgé.", "note": ""},
        "translations.partner_edit": {"base_revision": "1", "source_revision": "2",
                                      "title": "Titre forgé", "body": "Texte forgé.",
                                      "note": ""},
        "followup.deliver": {"recipients": "forged.minister@forged.example", "message": "",
                             "deliver": "1"},
        "followup.log_response": {"received_on": "2026-11-22", "text": "Forged response",
                                  "public": "y"},
        "followup.show_response": {"public": ""},
        "followup.post_update": {"title": "Forged update", "body": "Forged news."},
        "followup.digest_setting": {"wants_digest": "y"},
        "recording.record": {**signer, "invitation": "", "revision": "1",
                             "approved_at": "2026-11-22T10:00", "visibility": "named",
                             "evidence_text": "Forged evidence."},
        "recording.import_list": {"note": "Forged list"},
        "recording.import_confirm": {"fingerprint": "forged"},
        "coleads.invite": {"email": "forged.colead@forged.example"},
        "coleads.remove": {},
        "coleads.sign_off_setting": {"require_sign_off": "y"},
        "coleads.sign_off": {},
        "coleads.accept": {"organisation": "Forged Co-lead", "name": "Forged Person",
                           "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        "webhooks.create": {"url": "https://93.184.216.34/forged", "events": "signature.created",
                            "description": "Forged hook", "withheld_names": ""},
        "webhooks.endpoint": {"url": "https://93.184.216.34/forged",
                              "events": "edition.published", "description": "",
                              "withheld_names": "y"},
        "webhooks.rotate_secret": {},
        "webhooks.resend": {},
        "webhooks.delete": {},
    }
    return forms[endpoint]


FORM_ENDPOINTS = frozenset(
    {
        "accounts.login", "accounts.signup", "accounts.logout", "accounts.create_token",
        "accounts.revoke_token", "accounts.invite_colleague", "accounts.change_password",
        "accounts.join", "accounts.forgot_password", "accounts.reset_password",
        "accounts.set_language", "accounts.set_time_zone",
        "drafting.new_statement", "drafting.edit", "drafting.restore", "drafting.change_state",
        "drafting.settings", "invitations.invite", "invitations.bulk", "invitations.revoke",
        "invitations.resend", "invitations.remind", "invitations.remind_all",
        "invitations.retry", "invitations.reply", "invitations.resolve", "invitations.accept",
        "invitations.partner_comment", "invitations.decline", "invitations.undo_decline",
        "signing.sign", "signing.withdraw", "signing.reconfirm_signature", "signing.open_page",
        "signing.late_request",
        "signing.confirm", "signing.sort_as", "signing.decide", "signing.options",
        "signing.withheld_options", "publishing.publish", "publishing.create_preview_link",
        "publishing.revoke_preview_link", "translations.add", "translations.translator",
        "translations.edit", "translations.partner_edit",
        "followup.deliver", "followup.log_response", "followup.show_response",
        "followup.post_update", "followup.digest_setting",
        "recording.record", "recording.import_list", "recording.import_confirm",
        "coleads.invite", "coleads.remove", "coleads.sign_off_setting", "coleads.sign_off",
        "coleads.accept",
        "webhooks.create", "webhooks.endpoint", "webhooks.rotate_secret", "webhooks.resend",
        "webhooks.delete",
    }
)

# Posted by mail clients on their own (RFC 8058 one-click unsubscribe), so no CSRF token can
# be asked for; its path token is the key, and the worst it does is stop the mail it came with.
CSRF_EXEMPT = frozenset({"followup.unsubscribe"})
