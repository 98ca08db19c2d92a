"""The lead's after-publication page (deliver, log the response, post updates), the public
response file, the account's digest setting, and the one-click unsubscribe page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from werkzeug.wrappers import Response

from coalition.domain.errors import DomainError, NotFound
from coalition.domain.followup import ResponseFile, check_response_file
from coalition.domain.rendering import render_markdown
from coalition.extensions import csrf
from coalition.followup import delivery, digest, forms, updates
from coalition.models import LetterResponse, Statement, StatementUpdate
from coalition.outcomes import change
from coalition.publishing import services as publishing
from coalition.publishing.responses import NO_STORE
from coalition.security import current_actor, own_account, public, statement_or_404

bp = Blueprint("followup", __name__)


def _page(statement: Statement, *, status: int = 200, **forms_and_more: Any) -> tuple[str, int]:
    """The after-publication page, with whichever forms the request filled."""
    delivery_form = forms_and_more.pop("delivery_form", None) or forms.DeliveryForm(
        formdata=None, recipients="\n".join(delivery.saved_recipients(statement))
    )
    response_form = forms_and_more.pop("response_form", None) or forms.ResponseForm(
        formdata=None, received_on=publishing.today(statement)
    )
    update_form = forms_and_more.pop("update_form", None) or forms.UpdateForm(formdata=None)
    visible = publishing.public_editions(statement)
    return render_template(
        "followup/index.html",
        statement=statement,
        newest=visible[-1] if visible else None,
        delivery_form=delivery_form,
        response_form=response_form,
        update_form=update_form,
        visibility_form=forms.ResponseVisibilityForm(formdata=None),
        deliveries=delivery.deliveries(statement),
        delivery_status=delivery.delivery_status,
        responses=delivery.responses(statement),
        updates=updates.updates(statement),
        recipients_count=len(updates.recipients(statement)) if visible else 0,
        render_markdown=render_markdown,
        **forms_and_more,
    ), status


@bp.get("/statements/<int:statement_id>/after-publication")
def index(statement_id: int) -> tuple[str, int]:
    """Deliveries, responses and updates of a published statement; the lead only."""
    return _page(statement_or_404(statement_id))


@bp.post("/statements/<int:statement_id>/after-publication/delivery")
def deliver(statement_id: int) -> Response | tuple[str, int]:
    """Preview the letter's delivery, or send it; the lead only."""
    statement = statement_or_404(statement_id)
    form = forms.DeliveryForm()
    if not form.validate_on_submit():
        return _page(statement, delivery_form=form, status=422)
    recipients, message = form.recipients.data or "", form.message.data or ""
    if not form.deliver.data:
        with change(form) as outcome:
            plan = delivery.plan(current_actor(), statement, recipients=recipients, message=message)
        if not outcome.ok:
            return _page(statement, delivery_form=form, status=outcome.status)
        return _page(statement, delivery_form=form, preview=plan)
    with change(form) as outcome:
        plan, made = delivery.deliver(
            current_actor(), statement, recipients=recipients, message=message
        )
    if not outcome.ok:
        return _page(statement, delivery_form=form, status=outcome.status)
    flash(
        ngettext(
            "Edition %(number)s is on its way to %(num)d recipient.",
            "Edition %(number)s is on its way to %(num)d recipients.",
            len(made),
            number=plan.edition.number,
        ),
        "success",
    )
    if plan.already:
        flash(
            gettext("Already delivered before, not sent again: %(names)s",
                    names=", ".join(plan.already)),
            "info",
        )
    return redirect(url_for("followup.index", statement_id=statement.id))


def _uploaded(form: forms.ResponseForm) -> ResponseFile | None:
    upload = form.file.data
    if upload is None or not getattr(upload, "filename", ""):
        return None
    return check_response_file(upload.filename or "", upload.read())


@bp.post("/statements/<int:statement_id>/after-publication/responses")
def log_response(statement_id: int) -> Response | tuple[str, int]:
    """Log the addressee's response; the lead only."""
    statement = statement_or_404(statement_id)
    form = forms.ResponseForm()
    if not form.validate_on_submit() or form.received_on.data is None:
        return _page(statement, response_form=form, status=422)
    with change(form) as outcome:
        delivery.log_response(
            current_actor(), statement, text=form.text.data, received_on=form.received_on.data,
            public=bool(form.public.data), file=_uploaded(form),
        )
    if not outcome.ok:
        return _page(statement, response_form=form, status=outcome.status)
    flash(gettext("The response is logged."), "success")
    return redirect(url_for("followup.index", statement_id=statement.id))


@bp.post("/statements/<int:statement_id>/after-publication/responses/<int:response_id>")
def show_response(statement_id: int, response_id: int) -> Response:
    """Show a response on the public page or take it off; the lead only."""
    statement = statement_or_404(statement_id)
    form = forms.ResponseVisibilityForm()
    if form.validate_on_submit():
        with change() as outcome:
            delivery.show_response(current_actor(), statement, response_id, bool(form.public.data))
        if outcome.ok:
            flash(gettext("Saved."), "success")
    return redirect(url_for("followup.index", statement_id=statement.id))


def _file(response: LetterResponse) -> Response:
    if response.file_content is None:
        abort(404)
    answer = Response(response.file_content, content_type=response.file_type)
    answer.headers.set("Content-Disposition", "attachment", filename=response.file_name)
    answer.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return answer


@bp.get("/statements/<int:statement_id>/after-publication/responses/<int:response_id>/file")
def response_file(statement_id: int, response_id: int) -> Response:
    """A response's file, shown or not; the lead only."""
    statement = statement_or_404(statement_id)
    try:
        response = delivery.get_response(statement, response_id)
    except NotFound:
        abort(404)
    answer = _file(response)
    answer.headers["Cache-Control"] = NO_STORE
    return answer


@bp.get("/s/<slug>/responses/<int:response_id>/file")
@public
def public_response_file(slug: str, response_id: int) -> Response:
    """A response's file, once the lead shows it on the public page; anyone."""
    statement = publishing.statement_by_slug(slug)
    if statement is None or not publishing.public_editions(statement):
        abort(404)
    try:
        response = delivery.get_response(statement, response_id)
    except NotFound:
        abort(404)
    if not response.public:
        abort(404)
    answer = _file(response)
    answer.headers["Cache-Control"] = "public, max-age=300"
    return answer


@bp.post("/statements/<int:statement_id>/after-publication/updates")
def post_update(statement_id: int) -> Response | tuple[str, int]:
    """Post an update under the published statement and mail it; the lead only."""
    statement = statement_or_404(statement_id)
    form = forms.UpdateForm()
    if not form.validate_on_submit():
        return _page(statement, update_form=form, status=422)
    with change(form) as outcome:
        update = updates.post_update(
            current_actor(), statement, title=form.title.data or "", body=form.body.data or ""
        )
    if not outcome.ok:
        return _page(statement, update_form=form, status=outcome.status)
    flash(
        ngettext("The update is posted and sent to %(num)d address.",
                 "The update is posted and sent to %(num)d addresses.", update.mailed_count),
        "success",
    )
    return redirect(url_for("followup.index", statement_id=statement.id))


@bp.post("/account/digest")
@own_account
def digest_setting() -> Response:
    """Turn the daily digest on or off for oneself; any lead user."""
    form = forms.DigestForm()
    if form.validate_on_submit():
        user = current_actor()
        with change():
            digest.set_digest(user, bool(form.wants_digest.data))
        flash(
            gettext("The daily digest is on.") if user.wants_digest
            else gettext("The daily digest is off."),
            "success",
        )
    return redirect(url_for("accounts.account"))


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@public
@csrf.exempt
def unsubscribe(token: str) -> tuple[str, int] | Response:
    """GET shows a button and changes nothing (link scanners open links); POST unsubscribes,
    from the button or from a mail client's one-click (RFC 8058); anyone with the link."""
    try:
        subscription = updates.resolve(token)
    except DomainError:
        return render_template("followup/unsubscribe.html", subscription=None), 404
    done = False
    if request.method == "POST":
        with change() as outcome:
            updates.unsubscribe(subscription)
        done = outcome.ok
    body = render_template(
        "followup/unsubscribe.html",
        subscription=subscription,
        form=forms.UnsubscribeForm(formdata=None),
        done=done,
    )
    response = Response(body, content_type="text/html; charset=utf-8")
    response.headers["Cache-Control"] = NO_STORE
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# --- what the public page and the feed show (templates call these; publishing imports
# nothing from here) ---------------------------------------------------------------------------


def public_followup(statement: Statement) -> dict[str, Any]:
    """The public page's updates and shown responses, newest first."""
    return {
        "updates": [(row, render_markdown(row.body)) for row in updates.updates(statement)],
        "responses": [
            (row, render_markdown(row.text) if row.text else "")
            for row in delivery.responses(statement, public_only=True)
        ],
    }


def feed_updates() -> list[StatementUpdate]:
    return updates.recent_public_updates(limit=50)


def feed_updated(editions_updated: dt.datetime) -> dt.datetime:
    """The feed's own time: its newest entry, an edition or an update."""
    newest = updates.recent_public_updates(limit=1)
    return max([editions_updated, *(row.created_at for row in newest)])


def init_app(app: Flask) -> None:
    """The blueprint, and the helpers the public page, the feed and the account page call."""
    app.register_blueprint(bp)
    app.jinja_env.globals.update(
        public_followup=public_followup,
        feed_updates=feed_updates,
        feed_updated=feed_updated,
        digest_form=lambda: forms.DigestForm(
            formdata=None, wants_digest=current_actor().wants_digest
        ),
        followup_markdown=render_markdown,
    )
