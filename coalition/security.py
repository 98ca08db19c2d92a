"""Closed by default: every view needs a lead login unless it is marked public or partner."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, abort, current_app, g, redirect, request, session, url_for
from flask_login import current_user
from sqlalchemy import ColumnElement, or_, select
from werkzeug.routing import IntegerConverter, Map, UnicodeConverter
from werkzeug.wrappers import Response

from coalition import pipeline
from coalition.domain.errors import NotFound, PermissionDenied
from coalition.extensions import db, login_manager
from coalition.models import CoLead, Statement, User
from coalition.tokens import hash_token as hash_token
from coalition.tokens import new_link_salt as new_link_salt
from coalition.tokens import new_token as new_token

F = TypeVar("F", bound=Callable[..., Any])

ACCESS_LEAD = "lead"
ACCESS_PUBLIC = "public"
ACCESS_PARTNER = "partner"  # reached with an invitation token in the path
ACCESS_API = "api"  # bearer token, checked by the API blueprint


def _mark(access: str) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        view.access = access  # type: ignore[attr-defined]
        return view

    return decorator


public = _mark(ACCESS_PUBLIC)
partner = _mark(ACCESS_PARTNER)
api_route = _mark(ACCESS_API)

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def own_account(view: F) -> F:
    """A lead page that changes only the user's own account (its language, password,
    tokens...): a viewer may use it too. Every other lead page refuses a viewer's changes."""
    view.own_account = True  # type: ignore[attr-defined]
    return view


def lead_only(view: F) -> F:
    """A statement's page that only its lead organisation may open (publication, co-leads'
    management): a co-lead's staff get 403."""
    view.lead_only = True  # type: ignore[attr-defined]
    return view


def access_of(view: Callable[..., Any]) -> str:
    """The access rule of a view function (lead unless marked)."""
    return getattr(view, "access", ACCESS_LEAD)


@login_manager.user_loader
def _load_user(user_id: str) -> Any:
    raw_id, _, session_token = user_id.partition(":")
    if not raw_id.isdigit():
        return None
    user = db.session.get(User, int(raw_id))
    # A changed session token (logout everywhere, password change) ends old sessions.
    if user is None or not secrets.compare_digest(user.session_token, session_token):
        return None
    return user


def _guard() -> Response | None:
    if request.endpoint is None or request.endpoint == "static":
        return None
    view = current_app_view()
    access = access_of(view) if view else ACCESS_LEAD
    if access in (ACCESS_PUBLIC, ACCESS_PARTNER, ACCESS_API):
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    g.organisation_id = current_user.organisation_id
    _refuse_what_the_role_forbids(view)
    return None


def _refuse_what_the_role_forbids(view: Callable[..., Any] | None) -> None:
    """403 for a viewer's change and for a co-lead on a lead-only page. The services refuse
    the same (require_manage, require_lead); this answers before any form is read, the
    same way on every page."""
    user: User = current_user
    if request.method not in SAFE_METHODS and user.role == "viewer" and not getattr(
        view, "own_account", False
    ):
        abort(403)
    if getattr(view, "lead_only", False):
        statement_id = (request.view_args or {}).get("statement_id")
        statement = db.session.get(Statement, statement_id) if statement_id else None
        if statement is not None and is_co_lead(user, statement):
            abort(403)


def current_app_view() -> Callable[..., Any] | None:
    return current_app.view_functions.get(request.endpoint or "")


def _authenticated(view: Callable[..., Any] | None) -> bool:
    """Whether this response was made for a lead: a lead or API view, or a lead's session
    (static files, the same for everyone, excepted)."""
    if request.endpoint == "static":
        return False
    if view is not None and access_of(view) in (ACCESS_LEAD, ACCESS_API):
        return True
    if not pipeline.may_be_signed_in():
        # No cookie, so nobody is signed in; the answer still depends on the cookie (a lead
        # would get the private answer), as it says when the user is loaded.
        response_varies_on_cookie()
        return False
    return bool(current_user and current_user.is_authenticated)


def response_varies_on_cookie() -> None:
    """Mark the session as read, so Flask sends ``Vary: Cookie`` as when the user is loaded."""
    session.accessed = True


def _security_headers(response: Response) -> Response:
    view = current_app_view() if request.endpoint else None
    embeddable = bool(view and getattr(view, "embeddable", False))
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; "
        + ("frame-ancestors *" if embeddable else "frame-ancestors 'none'"),
    )
    if not embeddable:
        response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    by_token = bool(request.view_args and "token" in request.view_args)
    if by_token:
        # A page reached by a secret link (invitation, preview, open sign-on, reset...):
        # never indexed, never kept by a shared cache or the browser's history cache.
        response.headers.setdefault("X-Robots-Tag", "noindex, nofollow")
    if (by_token or _authenticated(view)) and "private" not in response.headers.get(
        "Cache-Control", ""
    ):
        # Lead pages show contacts, notes and the outbox; any page a logged-in lead gets
        # names the lead's organisation. None may be kept by a shared cache, nor by the
        # browser once the lead has logged out (issue 21).
        response.headers["Cache-Control"] = "private, no-store"
    if current_app.config.get("HTTPS"):
        response.headers.setdefault(
            "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
        )
    return response


def embeddable(view: F) -> F:
    """Allow this view in frames on other sites (the embeddable fragment)."""
    view.embeddable = True  # type: ignore[attr-defined]
    return view


# The largest id a URL may name: PostgreSQL's integer columns hold no more. A larger number
# in a path is simply not found, instead of an overflow in the database driver (a 500).
MAX_URL_INT = 2**31 - 1


def bounded_digits(limit: int) -> str:
    """A regular expression matching exactly the decimal numbers from 0 to `limit` (leading
    zeros allowed, as int() reads them): 2147483647 gives 0*(?:\\d{1,9}|1\\d{9}|20\\d{8}|...)."""
    text = str(limit)
    shorter = f"\\d{{1,{len(text) - 1}}}" if len(text) > 1 else ""
    branches = [shorter] if shorter else []
    for position, digit in enumerate(text):
        if digit == "0":
            continue
        rest = len(text) - position - 1
        low = "1" if position == 0 and len(text) > 1 else "0"
        if int(digit) - 1 >= int(low):
            top = str(int(digit) - 1)
            choice = top if top == low else f"[{low}-{top}]"
            branches.append(text[:position] + choice + (f"\\d{{{rest}}}" if rest else ""))
    branches.append(text)
    return f"0*(?:{'|'.join(branches)})"


class BoundedIntegerConverter(IntegerConverter):
    """`<int:...>` in every route, bounded to what the database's integer columns hold.

    The bound is in the pattern, not only in to_python: a number the pattern refuses matches
    no route (404 on every method), whereas a ValidationError from to_python made werkzeug
    answer 405 wherever another method's rule had the same path.
    """

    def __init__(self, url_map: Map, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = None, signed: bool = False) -> None:
        super().__init__(url_map, fixed_digits=fixed_digits, min=min,
                         max=MAX_URL_INT if max is None else max, signed=signed)
        if not signed and not fixed_digits:
            self.regex = bounded_digits(MAX_URL_INT if max is None else max)


class TextConverter(UnicodeConverter):
    """`<name>` and `<string:name>` without NUL: PostgreSQL refuses NUL in any text, so a
    slug or token holding one would fail in the query (a 500); it is simply not found."""

    def __init__(self, url_map: Map, minlength: int = 1, maxlength: int | None = None,
                 length: int | None = None) -> None:
        super().__init__(url_map, minlength=minlength, maxlength=maxlength, length=length)
        self.regex = self.regex.replace("[^/]", "[^/\\x00]")


def init_app(app: Flask) -> None:
    """Install the login guard, the security headers and URL converters that refuse what
    the database cannot hold (huge integers, NUL in text)."""
    # Before any blueprint adds its rules: converters are looked up when a rule is added.
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.url_map.converters["default"] = TextConverter
    app.url_map.converters["string"] = TextConverter
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "strong"
    app.before_request(_guard)
    app.after_request(_security_headers)


# --- who may do what with a statement --------------------------------------------------------
# The one place that says it: every service that reads or changes a statement asks here.
# Another organisation's statement is hidden, not forbidden: its existence is not told.


def is_lead_organisation(actor: User, statement: Statement) -> bool:
    """Whether `actor` belongs to the organisation that leads `statement`."""
    return actor.organisation_id == statement.organisation_id


def is_co_lead(actor: User, statement: Statement) -> bool:
    """Whether `actor`'s organisation steers `statement` as an active co-lead (issue 17)."""
    return (
        db.session.scalar(
            select(CoLead.id)
            .where(
                CoLead.statement_id == statement.id,
                CoLead.organisation_id == actor.organisation_id,
                CoLead.accepted_at.is_not(None),
                CoLead.removed_at.is_(None),
            )
            .limit(1)
        )
        is not None
    )


def can_view(actor: User, statement: Statement) -> bool:
    """Whether `actor` may read `statement` and all of its lead-side pages (contacts too):
    any account of the lead organisation or of an active co-lead, viewers included."""
    return is_lead_organisation(actor, statement) or is_co_lead(actor, statement)


def viewable_by(actor: User) -> ColumnElement[bool]:
    """can_view in SQL: the statements `actor` may read (its organisation's and co-led)."""
    return or_(
        Statement.organisation_id == actor.organisation_id,
        Statement.id.in_(
            select(CoLead.statement_id).where(
                CoLead.organisation_id == actor.organisation_id,
                CoLead.accepted_at.is_not(None),
                CoLead.removed_at.is_(None),
            )
        ),
    )


def can_manage(actor: User, statement: Statement) -> bool:
    """Whether `actor` may change `statement`: its text, partners, signatures, responses
    (the lead's and the co-leads' editors and admins; never a viewer)."""
    return actor.role != "viewer" and can_view(actor, statement)


def can_lead(actor: User, statement: Statement) -> bool:
    """Whether `actor` may do what only the lead organisation does: invite and remove
    co-leads, require their sign-off, publish (its editors and admins)."""
    return actor.role != "viewer" and is_lead_organisation(actor, statement)


def require_view(actor: User, statement: Statement | None) -> Statement:
    """`statement` when `actor` may read it; NotFound otherwise (also for None)."""
    if statement is None or not can_view(actor, statement):
        raise NotFound("No such statement.", fields={"id": "not found"})
    return statement


def require_manage(actor: User, statement: Statement | None) -> Statement:
    """`statement` when `actor` may change it; NotFound when it may not even read it,
    PermissionDenied when it may read but not change it."""
    require_view(actor, statement)
    assert statement is not None
    if not can_manage(actor, statement):
        raise PermissionDenied(
            "You may read this statement but not change it.", fields={"id": "read only"}
        )
    return statement


def require_lead(actor: User, statement: Statement) -> Statement:
    """`statement` when `actor` may act as its lead organisation (see can_lead)."""
    require_manage(actor, statement)
    if not can_lead(actor, statement):
        raise PermissionDenied(
            "Only the lead organisation may do this.", fields={"id": "lead only"}
        )
    return statement


def viewable_statement(actor: User, statement_id: int) -> Statement:
    """The statement `statement_id` when `actor` may read it, else NotFound."""
    return require_view(actor, db.session.get(Statement, statement_id))


def current_actor() -> User:
    """The logged-in user a lead page acts for (the guard has made sure there is one)."""
    user: User = current_user._get_current_object()
    return user


def statement_or_404(statement_id: int) -> Statement:
    """A lead page's statement: one the current user may read, or a 404 page."""
    try:
        return viewable_statement(current_actor(), statement_id)
    except NotFound:
        abort(404)
