"""The lead's webhook pages: endpoints, their events, secret, delivery log and re-sending."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from coalition.domain.errors import NotFound
from coalition.models import WebhookEndpoint
from coalition.outcomes import change
from coalition.security import current_actor
from coalition.webhooks import forms, queue, services
from coalition.webhooks.forms import EVENT_LABELS

bp = Blueprint("webhooks", __name__)

queue.connect()


def _endpoint(endpoint_id: int) -> WebhookEndpoint:
    try:
        return services.get_endpoint(current_actor(), endpoint_id)
    except NotFound:
        abort(404)


def _index(form: forms.EndpointForm | None = None, status: int = 200) -> tuple[str, int]:
    if form is None:
        form = forms.EndpointForm(formdata=None)
        form.events.data = ["signature.created", "signature.withdrawn", "edition.published"]
    return render_template(
        "webhooks/index.html", form=form, endpoints=services.endpoints(current_actor()),
        labels=EVENT_LABELS,
    ), status


def _edit_form(endpoint: WebhookEndpoint) -> forms.EndpointForm:
    form = forms.EndpointForm(formdata=None)
    form.url.data = endpoint.url
    form.description.data = endpoint.description
    form.events.data = list(endpoint.events)
    form.withheld_names.data = endpoint.withheld_names
    return form


def _page(endpoint: WebhookEndpoint, *, form: forms.EndpointForm | None = None,
          secret: str | None = None, status: int = 200) -> tuple[str, int]:
    context: dict[str, Any] = {
        "endpoint": endpoint,
        "form": form or _edit_form(endpoint),
        "confirm": forms.ConfirmForm(formdata=None),
        "deliveries": services.deliveries(endpoint),
        "tries": services.attempts_by_delivery(endpoint),
        "status_of": services.delivery_status,
        "labels": EVENT_LABELS,
        "new_secret": secret,
    }
    return render_template("webhooks/endpoint.html", **context), status


@bp.get("/webhooks")
def index() -> tuple[str, int]:
    """The organisation's webhook endpoints and a form to add one; any lead user."""
    return _index()


@bp.post("/webhooks")
def create() -> tuple[str, int] | Response:
    """Register an endpoint; its secret is shown once, on the page that follows."""
    form = forms.EndpointForm()
    if not form.validate_on_submit():
        return _index(form, 422)
    with change(form) as outcome:
        endpoint, secret = services.create_endpoint(
            current_actor(), url=form.url.data, events=form.events.data or [],
            description=form.description.data or "",
            withheld_names=bool(form.withheld_names.data),
        )
    if not outcome.ok:
        return _index(form, outcome.status)
    flash(gettext("The endpoint is saved. Copy its secret now: it is shown only once."),
          "success")
    return _page(endpoint, secret=secret)


@bp.route("/webhooks/<int:endpoint_id>", methods=["GET", "POST"])
def endpoint(endpoint_id: int) -> tuple[str, int] | Response:
    """An endpoint: change its address and events; its delivery log; any lead user."""
    found = _endpoint(endpoint_id)
    form = forms.EndpointForm()
    if not form.is_submitted():
        return _page(found)
    if not form.validate():
        return _page(found, form=form, status=422)
    with change(form) as outcome:
        services.update_endpoint(current_actor(), found, services.Change(
            url=form.url.data, events=form.events.data or [],
            description=form.description.data or "",
            withheld_names=bool(form.withheld_names.data),
        ))
    if not outcome.ok:
        return _page(_endpoint(endpoint_id), form=form, status=outcome.status)
    flash(gettext("The endpoint is saved."), "success")
    return redirect(url_for("webhooks.endpoint", endpoint_id=endpoint_id))


@bp.post("/webhooks/<int:endpoint_id>/secret")
def rotate_secret(endpoint_id: int) -> tuple[str, int] | Response:
    """Give the endpoint a new secret, shown once; the old one stops at once."""
    found = _endpoint(endpoint_id)
    if not forms.ConfirmForm().validate_on_submit():
        return redirect(url_for("webhooks.endpoint", endpoint_id=endpoint_id))
    with change() as outcome:
        secret = services.rotate_secret(current_actor(), found)
    if not outcome.ok:  # pragma: no cover - the endpoint was found just above
        return redirect(url_for("webhooks.endpoint", endpoint_id=endpoint_id))
    flash(gettext("The endpoint has a new secret. Copy it now: it is shown only once."),
          "success")
    return _page(found, secret=secret)


@bp.post("/webhooks/<int:endpoint_id>/delete")
def delete(endpoint_id: int) -> Response:
    """Delete an endpoint: nothing more is sent to it (its log is kept)."""
    found = _endpoint(endpoint_id)
    if not forms.ConfirmForm().validate_on_submit():
        return redirect(url_for("webhooks.endpoint", endpoint_id=endpoint_id))
    with change() as outcome:
        services.delete_endpoint(current_actor(), found)
    if outcome.ok:
        flash(gettext("The endpoint is deleted."), "success")
    return redirect(url_for("webhooks.index"))


@bp.post("/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/resend")
def resend(endpoint_id: int, delivery_id: int) -> Response:
    """Send a delivery again (same event id and body) at the sender's next pass."""
    found = _endpoint(endpoint_id)
    try:
        delivery = services.get_delivery(current_actor(), found, delivery_id)
    except NotFound:
        abort(404)
    if forms.ConfirmForm().validate_on_submit():
        with change() as outcome:
            services.resend(current_actor(), delivery)
        if outcome.ok:
            flash(gettext("The delivery will be sent again in a moment."), "success")
    return redirect(url_for("webhooks.endpoint", endpoint_id=endpoint_id) + "#log")
