"""Signing pages: the partner's sign form, open sign-on, and the lead's signatories list."""

from __future__ import annotations

import csv
import io
import zoneinfo
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from werkzeug.exceptions import NotFound as HTTPNotFound
from werkzeug.wrappers import Response

from coalition import roster, withheld
from coalition.domain.errors import NotFound
from coalition.domain.exports import escape_csv_cell
from coalition.domain.rendering import render_markdown
from coalition.domain.revisions import redline_html
from coalition.domain.signatures import ENDED, SignatureStatus
from coalition.drafting import services as drafting
from coalition.extensions import (
    db,
    email_domain_key,
    limiter,
    open_signon_limit,
    sign_limit,
    token_key,
)
from coalition.i18n import lazy_text as _l
from coalition.invitations.access import invitation_or_ended_page, partner_path
from coalition.models import Invitation, Signature, Statement
from coalition.outcomes import change
from coalition.security import current_actor, partner, public, statement_or_404
from coalition.signing import forms, late, listing, open_signon, reconfirm, recording, services
from coalition.signing.services import SigningClosed
from coalition.translations import services as translations

bp = Blueprint("signing", __name__)
reconfirm.connect()
services.connect()

# One count, one truth: "As it will be published" counts exactly those a publication would
# list now (they endorse the current text); the outstanding ones are counted apart, and all
# live signatures together under "Everyone who signed".
FILTERS = {
    "list": _l("Everyone who signed"),
    "endorsed": _l("As it will be published"),
    "outstanding": _l("Outstanding"),
    "withdrawn": _l("Withdrawn"),
    "pending": _l("Requests to sign"),
    "history": _l("Every change"),
}


def _zone(statement: Statement) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(statement.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _refresh_state(statement: Statement) -> None:
    """Close a statement whose deadline has passed, on whichever request sees it first."""
    if services.close_if_due(statement):
        db.session.commit()


# --- partner -----------------------------------------------------------------------------


def _invitation(token: str) -> Invitation:
    invitation = invitation_or_ended_page(token)
    _refresh_state(invitation.statement)
    return invitation


def _partner_home(token: str) -> str:
    """The invitation page at /i/<token> when the invitations feature serves it."""
    try:
        current_app.url_map.bind("").match(partner_path(token), method="GET")
    except HTTPNotFound:
        return url_for("signing.sign", token=token)
    except Exception:  # noqa: S110 - a redirect or 405 still means the page exists
        pass
    return partner_path(token)


def _fill(form: forms.SignForm, invitation: Invitation, basis: Signature | None) -> None:
    """Pre-fill the form: the invited name, or the current signature's public details."""
    if basis is None:
        form.name.data = invitation.organisation
        return
    # Contacts are never shown back to whoever holds the link: empty fields keep them.
    form.name.data = basis.name
    form.kind.data = basis.kind
    form.affiliation.data = basis.affiliation
    form.country.data = basis.country
    form.board_approved_on.data = basis.board_approved_on
    form.sort_as.data = basis.sort_as or ""
    form.wants_updates.data = basis.wants_updates
    form.visibility.data = "named" if basis.public else "withheld"
    form.public_description.data = basis.public_description
    form.fill_names(translations.names_of({basis.id}).get(basis.id, {}))


def _allow_country(form: forms.SignerFields, value: str | None) -> None:
    """Keep a country given as free text (through the API) selectable in the form."""
    if value and all(choice.value != value for choice in form.country.choices):
        form.country.choices.append(forms.SelectChoice(value, value))


def signing_panel(
    invitation: Invitation, token: str | None = None, form: forms.SignForm | None = None
) -> dict[str, Any]:
    """What the partner's sign panel shows; the invitation page includes it too."""
    statement = invitation.statement
    token = token or (request.view_args or {}).get("token")
    signature = roster.live_signature(invitation)
    latest = signature or services.latest_signature(invitation)
    typed = form is not None and request.method == "POST"  # the partner's own words, kept
    if form is None:
        # Never bound to the request: the page around it may be handling another form.
        form = forms.sign_form(statement, formdata=None)
        _fill(form, invitation, latest)
    _allow_country(form, latest.country if latest else None)
    covers = signature is not None and roster.covers(signature, statement, roster.floor(statement))
    redline = None
    if signature is not None and not covers:
        old = drafting.get_revision(statement, signature.revision_number)
        new = drafting.latest_revision(statement)
        redline = redline_html(old.body, new.body, "sign-")  # the page may hold another
    return {
        "statement": statement,
        "token": token,
        "signature": signature,
        "withdrawn": latest if latest is not None and latest.status in ENDED else None,
        "open": services.signing_open(statement),
        "closed_reason": services.closed_reason(statement),
        "embargo_until": services.embargo_until(statement),
        "late": late.state(invitation, statement),
        "typed": typed,
        "lead_organisation": statement.organisation.name,
        "covers": covers,
        "redline": redline,
        "form": form,
        "action_form": forms.ActionForm(formdata=None),
        "tz": _zone(statement),
        "country_name": forms.country_name,
    }


# Other partners see a commenter that signed without being named as "a partner organisation".
bp.app_template_global("unnamed_partners")(withheld.unnamed_partners)


@bp.app_template_global("signing_panel")
def _signing_panel_global(invitation: Invitation, token: str | None = None) -> dict[str, Any]:
    return signing_panel(invitation, token)


@bp.route("/i/<token>/sign", methods=["GET", "POST"])
@limiter.limit(sign_limit, key_func=token_key, methods=["POST"])
@partner
def sign(token: str) -> str | Response | tuple[str, int]:
    """The partner's sign form: sign, or change the signature (a new row replaces the old)."""
    invitation = _invitation(token)
    previous = roster.live_signature(invitation)
    form = forms.sign_form(invitation.statement)
    _allow_country(form, previous.country if previous else None)
    status = 200
    if request.method == "GET":
        _fill(form, invitation, previous or services.latest_signature(invitation))
    elif form.validate_on_submit():
        with change(form, quiet=(SigningClosed,)) as outcome:
            signature, created = services.sign(
                invitation, form.input(keep_contacts=previous is not None), token=token
            )
        if isinstance(outcome.error, SigningClosed):
            status = 409
        elif not outcome.ok:
            status = outcome.status
        else:
            flash(
                gettext(
                    "Thank you: %(name)s has signed revision %(number)s. A receipt is on its way.",
                    name=signature.name,
                    number=signature.revision_number,
                )
                if created
                else gettext(
                    "Your signature is updated: %(name)s, revision %(number)s.",
                    name=signature.name,
                    number=signature.revision_number,
                ),
                "success",
            )
            return redirect(_partner_home(token))
    else:
        status = 422
    return _sign_page(invitation, token, form, status)


def _sign_page(
    invitation: Invitation, token: str, form: forms.SignForm, status: int
) -> tuple[str, int]:
    """The sign page with `form` as typed: refused, or too late (then offered as a request)."""
    statement = invitation.statement
    revision = drafting.latest_revision(statement)
    return render_template(
        "signing/sign.html",
        invitation=invitation,
        statement=statement,
        revision=revision,
        body_html=render_markdown(revision.body),  # what "the text shown on this page" is
        panel=signing_panel(invitation, token, form),
        home=_partner_home(token),
    ), status


@bp.route("/i/<token>/sign/late", methods=["POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_SIGN"])
@partner
def late_request(token: str) -> Response | tuple[str, int]:
    """Send the typed details as a late signature request once signing has closed (partner)."""
    invitation = _invitation(token)
    form = forms.sign_form(invitation.statement)
    status = 422
    if form.validate_on_submit():
        with change(form) as outcome:
            late.request(invitation, form.input())
        if not outcome.ok:
            status = outcome.status
        else:
            flash(
                gettext(
                    "Your late signature request is sent to %(organisation)s. They decide "
                    "whether to add you to the list; you get a receipt by e-mail if they do.",
                    organisation=invitation.statement.organisation.name,
                ),
                "success",
            )
            return redirect(_partner_home(token))
    return _sign_page(invitation, token, form, status)


@bp.route("/i/<token>/sign/withdraw", methods=["POST"])
@limiter.limit(sign_limit, key_func=token_key)
@partner
def withdraw(token: str) -> Response:
    """Withdraw the partner's signature (a state with its time, never a deletion)."""
    invitation = _invitation(token)
    form = forms.ActionForm()
    if form.validate_on_submit():
        with change() as outcome:
            signature = services.withdraw(invitation)
        if outcome.ok:
            flash(
                gettext("The signature of %(name)s is withdrawn.", name=signature.name), "success"
            )
    return redirect(_partner_home(token))


@bp.route("/i/<token>/sign/reconfirm", methods=["POST"])
@limiter.limit(sign_limit, key_func=token_key)
@partner
def reconfirm_signature(token: str) -> Response:
    """Endorse the current text with the same details (re-confirmation in one click)."""
    invitation = _invitation(token)
    form = forms.ActionForm()
    if form.validate_on_submit():
        with change() as outcome:
            signature, _ = services.reconfirm(invitation, token=token)
        if outcome.ok:
            flash(
                gettext(
                    "Thank you: you now endorse revision %(number)s.",
                    number=signature.revision_number,
                ),
                "success",
            )
    return redirect(_partner_home(token))


def _logo_response(signature: Signature | None) -> Response:
    if signature is None or not signature.logo:
        abort(404)
    response = current_app.response_class(signature.logo, mimetype=signature.logo_type)
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.route("/i/<token>/sign/logo")
@partner
def partner_logo(token: str) -> Response:
    """The partner's own logo as stored (re-encoded PNG)."""
    return _logo_response(roster.live_signature(_invitation(token)))


# --- open sign-on ------------------------------------------------------------------------


@bp.route("/open/<token>", methods=["GET", "POST"])
@limiter.limit(open_signon_limit, methods=["POST"])
@limiter.limit(open_signon_limit, key_func=email_domain_key, methods=["POST"])
@public
def open_page(token: str) -> str | tuple[str, int]:
    """Public page where an organisation without an invitation asks to sign."""
    try:
        statement = open_signon.statement_for_link(token)
    except NotFound:
        abort(404)
    _refresh_state(statement)
    form = forms.OpenSignonForm()
    status = 422 if request.method == "POST" else 200
    if form.validate_on_submit():
        if (form.fax_number.data or "").strip():
            # A bot filled the hidden field: answer as if all went well, save nothing.
            return render_template("signing/open_requested.html", statement=statement)
        with change(form, quiet=(SigningClosed,)) as outcome:
            open_signon.request_signature(statement, form.input())
            # The same answer every time: it never tells whether this organisation signed.
            # Made before change() commits, which expires the statement: read after it,
            # its row would be loaded again in a second transaction.
            answer = render_template("signing/open_requested.html", statement=statement)
        if isinstance(outcome.error, SigningClosed):
            status = 409
        elif not outcome.ok:
            status = outcome.status
        else:
            return answer
    revision = drafting.latest_revision(statement)  # only the form's page shows the text
    return render_template(
        "signing/open_signon.html",
        statement=statement,
        revision=revision,
        body_html=render_markdown(revision.body),
        form=form,
        open=services.signing_open(statement),
        reason=services.closed_reason(statement),
        tz=_zone(statement),
    ), status


@bp.route("/open/confirm/<token>", methods=["GET", "POST"])
@limiter.limit(sign_limit, key_func=token_key, methods=["POST"])
@public
def confirm(token: str) -> str:
    """The mail's link: GET shows a button, only the POST confirms (scanners only GET)."""
    try:
        signature = open_signon.signature_for_confirm_token(token)
    except NotFound:
        abort(404)
    statement = db.session.get(Statement, signature.statement_id)
    form = forms.ActionForm()
    done = signature.status != SignatureStatus.UNCONFIRMED
    if not done and form.validate_on_submit():
        open_signon.confirm(signature)
        # Made before the commit, which expires the rows the page shows (see open_page).
        answer = render_template(
            "signing/confirm.html", statement=statement, signature=signature, form=form,
            done=True,
        )
        db.session.commit()
        return answer
    return render_template(
        "signing/confirm.html", statement=statement, signature=signature, form=form, done=done
    )


# --- lead --------------------------------------------------------------------------------


def _statement(statement_id: int) -> Statement:
    statement = statement_or_404(statement_id)
    _refresh_state(statement)
    return statement


def _signature(statement: Statement, signature_id: int) -> Signature:
    signature = db.session.get(Signature, signature_id)
    if signature is None or signature.statement_id != statement.id:
        abort(404)
    return signature


@bp.route("/statements/<int:statement_id>/signatories")
def signatories(statement_id: int) -> str:
    """The lead's list: published order, who endorsed which revision, contacts, requests.

    A page of rows at a time (coalition/signing/listing.py): the queries and the work of
    a request stay the same whether the statement has ten signatures or ten thousand.
    """
    statement = _statement(statement_id)
    show = request.args.get("show", "list")
    if show not in FILTERS:
        show = "list"
    floor = roster.floor(statement)
    counts = listing.counts(statement, floor)
    number = listing.page_number(request.args.get("page", 1), counts[show])
    rows = listing.page(statement, show, floor, number)
    # The notice names the first outstanding signatories; the filter lists them all.
    outstanding = (
        listing.page(statement, "outstanding", floor, 1, size=20) if counts["outstanding"] else []
    )
    options = forms.OptionsForm(
        formdata=None, open_signon=statement.open_signon,
        group_individuals=statement.group_individuals,
    )
    withheld_form = forms.WithheldOptionsForm(
        formdata=None,
        wording_one=statement.withheld_wording_one,
        wording_other=statement.withheld_wording_other,
    )
    return render_template(
        "signing/signatories.html",
        statement=statement,
        show=show,
        filters=FILTERS,
        counts=counts,
        rows=rows,
        page=number,
        pages=listing.pages(counts[show]),
        offset=(number - 1) * listing.PAGE_SIZE,
        outstanding=outstanding,
        covers=lambda s: roster.covers(s, statement, floor),
        baseline=floor,
        options=options,
        withheld_form=withheld_form,
        withheld_count=len(listing.withheld_descriptions(statement)),
        default_lines=[
            withheld.default_line(n, statement.language, named=True, organisations=True)
            for n in (1, 4)
        ],
        hidden=lambda s: withheld.hidden_from_staff(statement, s),
        records=recording.records_for([s.id for s in rows]),
        action_form=forms.ActionForm(formdata=None),
        sort_form=forms.SortAsForm(formdata=None),
        open_link=open_signon.link_url(statement),
        signing_open=services.signing_open(statement),
        closing=listing.closing(statement),
        tz=_zone(statement),
        country_name=forms.country_name,
    )


@bp.route("/statements/<int:statement_id>/signatories.csv")
def export_csv(statement_id: int) -> Response:
    """The lead's CSV: live signatures in published order, with contacts (cells escaped)."""
    statement = _statement(statement_id)
    floor = roster.floor(statement)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([
        "position", "name", "kind", "affiliation", "country", "signer_name", "signer_role",
        "signer_email", "board_approved_on", "endorsed_revision", "endorses_current_text",
        "signed_at", "sort_as", "named_publicly", "public_description",
    ])
    for position, s in enumerate(roster.published(statement), start=1):
        # The lead's strictest setting: nothing of a signatory not named but its name.
        shown = not withheld.hidden_from_staff(statement, s)
        writer.writerow([
            escape_csv_cell(cell)
            for cell in (
                position, s.name, s.kind, *(
                    (s.affiliation, s.country, s.signer_name, s.signer_role, s.signer_email,
                     s.board_approved_on) if shown else ("",) * 6
                ), s.revision_number,
                "yes" if roster.covers(s, statement, floor) else "no",
                s.created_at.isoformat(timespec="seconds"), s.sort_as or "",
                "yes" if s.public else "no", s.public_description if shown else "",
            )
        ])
    response = current_app.response_class(
        "\ufeff" + buffer.getvalue(), mimetype="text/csv; charset=utf-8"
    )
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{statement.slug}-signatories-with-contacts.csv"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/statements/<int:statement_id>/signatories/<int:signature_id>/sort-as",
          methods=["POST"])
def sort_as(statement_id: int, signature_id: int) -> Response:
    """Set the "sort as" override of one signatory and recompute its key."""
    statement = _statement(statement_id)
    signature = _signature(statement, signature_id)
    form = forms.SortAsForm()
    if form.validate_on_submit():
        with change() as outcome:
            services.set_sort_as(current_actor(), signature, form.sort_as.data)
        if outcome.ok:
            flash(
                gettext(
                    "%(name)s now sorts as “%(key)s”.",
                    name=signature.name,
                    key=signature.sort_as or signature.name,
                ),
                "success",
            )
    show = request.args.get("show", "list")
    show = show if show in FILTERS else "list"
    # Back to the page where the row now stands: its new key may have moved it.
    floor = roster.floor(statement)
    number = listing.page_of(statement, show, floor, signature)
    return redirect(url_for("signing.signatories", statement_id=statement_id, show=show,
                            page=number) + f"#sig-{signature_id}")


DECISION_RULE = "/statements/<int:statement_id>/signatories/<int:signature_id>/<any(approve, reject):decision>"  # noqa: E501


@bp.route(DECISION_RULE, methods=["POST"])
def decide(statement_id: int, signature_id: int, decision: str) -> Response:
    """Approve or reject an open sign-on request."""
    statement = _statement(statement_id)
    signature = _signature(statement, signature_id)
    form = forms.ActionForm()
    if form.validate_on_submit():
        # A late request comes through an invitation; an open sign-on request without one.
        service = late if signature.invitation_id is not None else open_signon
        action = service.approve if decision == "approve" else service.reject
        with change() as outcome:
            action(current_actor(), signature)
        if outcome.ok:
            flash(
                gettext("%(name)s is approved and listed.", name=signature.name)
                if decision == "approve"
                else gettext("%(name)s is rejected.", name=signature.name),
                "success",
            )
    return redirect(url_for("signing.signatories", statement_id=statement_id, show="pending"))


@bp.route("/statements/<int:statement_id>/withheld-options", methods=["POST"])
def withheld_options(statement_id: int) -> Response:
    """The wording of the line for signatories not named publicly; hiding them from staff."""
    statement = _statement(statement_id)
    form = forms.WithheldOptionsForm()
    if form.validate_on_submit():
        with change() as outcome:
            withheld.set_options(
                current_actor(),
                statement,
                wording_one=form.wording_one.data or "",
                wording_other=form.wording_other.data or "",
                hide_from_staff=bool(form.hidden_from_staff.data),
            )
        if outcome.ok:
            flash(gettext("The wording for signatories not named publicly is saved."), "success")
    return redirect(url_for("signing.signatories", statement_id=statement_id))


@bp.route("/statements/<int:statement_id>/signing-options", methods=["POST"])
def options(statement_id: int) -> Response:
    """Open sign-on on or off, a new link, grouping of individuals."""
    statement = _statement(statement_id)
    form = forms.OptionsForm()
    if form.validate_on_submit():
        open_signon.set_options(
            current_actor(),
            statement,
            open_signon=bool(form.open_signon.data),
            group_individuals=bool(form.group_individuals.data),
            new_link=form.new_link.data == "1",
        )
        db.session.commit()
        flash(gettext("Signing options saved."), "success")
    return redirect(url_for("signing.signatories", statement_id=statement_id))


@bp.route("/statements/<int:statement_id>/signatories/<int:signature_id>/logo")
def logo(statement_id: int, signature_id: int) -> Response:
    """A signatory's logo, for the lead (none for a signature hidden from its staff)."""
    statement = _statement(statement_id)
    signature = _signature(statement, signature_id)
    if withheld.hidden_from_staff(statement, signature):
        abort(404)
    return _logo_response(signature)
