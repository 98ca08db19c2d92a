"""The JSON API v1 (DESIGN.md's contract): bearer tokens for leads, invitation tokens in paths."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request
from werkzeug.wrappers import Response

from coalition.accounts.services import user_for_api_token
from coalition.extensions import csrf, db
from coalition.security import ACCESS_API, SAFE_METHODS, access_of, current_app_view

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # no cookies are used: bearer and path tokens cannot be forged by another site


@bp.before_request
def _authenticate() -> Response | tuple[Response, int] | None:
    view = current_app_view()
    if view is None or access_of(view) != ACCESS_API:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    user = user_for_api_token(secret.strip()) if scheme.lower() == "bearer" and secret else None
    if user is None:
        response = jsonify(
            {"error": "A valid API token is required (Authorization: Bearer ...).", "fields": {}}
        )
        response.headers["WWW-Authenticate"] = 'Bearer realm="coalition"'
        return response, 401
    if db.session.dirty:
        # The token's last use (touched once a minute) is kept in its own short transaction:
        # a GET never commits, so it was never kept, and its UPDATE held SQLite's write lock
        # for the whole request, rolled back at the end.
        db.session.commit()
    g.api_user = user
    if request.method not in SAFE_METHODS and user.role == "viewer":
        # A viewer reads everything of its organisation's statements and changes nothing.
        return jsonify({"error": "A viewer may read but not change anything.", "fields": {}}), 403
    return None


# Routes register on import.
from coalition.api import (  # noqa: E402
    coleads,  # noqa: F401
    drafting,  # noqa: F401
    followup,  # noqa: F401
    invitations,  # noqa: F401
    openapi,  # noqa: F401
    publishing,  # noqa: F401
    recording,  # noqa: F401
    signing,  # noqa: F401
    translations,  # noqa: F401
    webhooks,  # noqa: F401
)
