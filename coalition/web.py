"""Error pages, template filters and what every template can use."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from flask import (
    Flask,
    current_app,
    has_request_context,
    jsonify,
    make_response,
    render_template,
    request,
)
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from coalition.config import Defaults
from coalition.domain.errors import DomainError
from coalition.domain.lifecycle import LABELS, State
from coalition.extensions import db
from coalition.i18n import format_local
from coalition.security import is_co_lead, is_lead_organisation


def wants_json() -> bool:
    return request.path.startswith("/api/")


def _http_error(error: HTTPException) -> Response:
    code = error.code or 500
    if code >= 500:
        # The failed request's transaction may be broken (a failed flush): roll it back so
        # the error page, which reads the current user, can still be shown.
        db.session.rollback()
    if wants_json():
        message = {
            404: "Not found.",
            405: "Method not allowed.",
            413: "The request is too large (2 MB at most).",
            429: "Too many requests: slow down and try again later.",
        }.get(code, error.description or error.name)
        response = jsonify({"error": message, "fields": {}})
    else:
        template = (
            f"errors/{code}.html"
            if code in (400, 403, 404, 405, 409, 413, 429)
            else "errors/generic.html"
        )
        response = make_response(render_template(template, error=error))
    response.status_code = code
    # The exception's own headers (Allow on a 405, WWW-Authenticate, Retry-After), not its
    # Content-Type: the body is ours.
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _csrf_error(error: CSRFError) -> tuple[Response | str, int]:
    if wants_json():
        return jsonify({"error": "CSRF check failed.", "fields": {}}), 400
    return render_template("errors/csrf.html", error=error), 400


def _out_of_range(error: Exception) -> tuple[Response | str, int]:
    """A value the database cannot hold: a huge id or revision number in a query or a body
    (OverflowError on SQLite, DataError on PostgreSQL), or a text longer than its column.

    Handled here once rather than at every place a value reaches a query: the input is
    refused with a 4xx, never a 500.
    """
    db.session.rollback()
    message = "A value in the request is out of range or too long."
    if wants_json():
        return jsonify({"error": message, "fields": {}}), 422
    return render_template("errors/generic.html", error=DomainError(message)), 422


def _domain_error(error: DomainError) -> tuple[Response | str, int]:
    if wants_json():
        return jsonify(
            {"error": error.message, "fields": error.fields, **error.extra}
        ), error.status
    return render_template("errors/generic.html", error=error), error.status


def local_time(
    value: dt.datetime | None,
    tz: str | zoneinfo.ZoneInfo | None = None,
    fmt: str = "%-d %b %Y, %H:%M",
) -> str:
    """Format an aware datetime in a time zone (the statement's), with the zone's abbreviation."""
    if value is None:
        return ""
    if isinstance(tz, str):
        try:
            tz = zoneinfo.ZoneInfo(tz)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            tz = zoneinfo.ZoneInfo("UTC")
    local = value.astimezone(tz or dt.UTC)
    return f"{format_local(local, fmt)} {local.tzname()}"


def base_url() -> str:
    """The one rule for absolute addresses in answers (the API's `sign_url` and `url`, pages):
    BASE_URL when the deployment sets it, else the host the current request came to (the
    forwarded one behind PROXIES), else the default; never a trailing slash. Mail and
    exports made outside a request (cron, the CLI) get BASE_URL."""
    configured = str(current_app.config.get("BASE_URL") or "").rstrip("/")
    if has_request_context() and (not configured or configured == Defaults.BASE_URL):
        return request.host_url.rstrip("/")
    return configured or Defaults.BASE_URL


def iso(value: dt.datetime | None) -> str | None:
    """ISO 8601 with an offset, 'Z' for UTC (the API's format)."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


# The lead's tabs on a statement; a tab shows once its feature registers the endpoint.
STATEMENT_TABS = [
    ("drafting.statement", "Overview"),
    ("drafting.edit", "Edit"),
    ("drafting.history", "History"),
    ("translations.index", "Translations"),
    ("invitations.index", "Partners"),
    ("invitations.comments", "Comments"),
    ("signing.signatories", "Signatories"),
    ("coleads.index", "Co-leads"),
    ("publishing.publish", "Publish"),
    ("followup.index", "After publication"),
    ("drafting.activity", "Activity"),
    ("drafting.settings", "Settings"),
]


# An account's role inside its organisation (issue 17), as the account page shows it.
ROLE_LABELS = {"admin": "Admin", "editor": "Editor", "viewer": "Viewer"}


def _hidden_tab(view: Any, statement: Any) -> bool:
    """A lead-only page's tab is not shown to a co-lead's staff (it would answer 403)."""
    if statement is None or not getattr(view, "lead_only", False):
        return False
    if not current_user.is_authenticated or is_lead_organisation(current_user, statement):
        return False  # the lead's own staff: no query
    return is_co_lead(current_user, statement)


def init_app(app: Flask) -> None:
    """Register error handlers, filters and template globals."""
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(OverflowError, _out_of_range)
    app.register_error_handler(DataError, _out_of_range)
    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(iso, "iso")

    # Globals rather than a context processor: imported macros see them too.
    app.jinja_env.globals.update(
        state_labels=LABELS,
        role_labels=ROLE_LABELS,
        State=State,
        statement_tab_list=lambda statement=None: [
            (endpoint, label)
            for endpoint, label in STATEMENT_TABS
            if endpoint in app.view_functions
            and not _hidden_tab(app.view_functions[endpoint], statement)
        ],
    )
