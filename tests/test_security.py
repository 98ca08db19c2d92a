"""Closed by default: every route of app.url_map has a known access rule, and answers as
that rule says to each kind of visitor.

For every route and every method, eleven visitors: nobody; a lead of another organisation;
a lead of the owning organisation; the holder of this statement's partner link; the holder
of another statement's partner link; a revoked link; an expired link; and, for co-leading
(issue 17), an editor and a viewer of a co-lead organisation, an account of a removed
co-lead, and a viewer of the lead organisation. The world and the
route table live in tests/security/ (world.py, routes.py). A route missing from the table,
or whose view is marked differently from the table, fails here.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from coalition.extensions import db
from coalition.models import User
from coalition.security import ACCESS_API, ACCESS_LEAD, ACCESS_PARTNER, ACCESS_PUBLIC, access_of
from tests import factories
from tests.security import routes
from tests.security.routes import (
    ACCOUNT,
    API,
    LEAD,
    LEAD_ONLY,
    ORGANISATION,
    PARTNER,
    PUBLIC,
    ROUTES,
    STATEMENT,
    STEERS,
    build_url,
    url_values,
)
from tests.security.world import DRAFT_MARKER, EMBARGO_MARKER, UNPUBLISHED, World, build_world

IDENTITIES = (
    "anonymous",
    "other_org",
    "owner",
    "partner_this",
    "partner_other",
    "revoked",
    "expired",
    "co_lead_editor",
    "co_lead_viewer",
    "removed_co_lead",
    "lead_viewer",
)
# Logged-in accounts of co-leading: identity -> the World attributes of its id and token.
STEERING = {
    "co_lead_editor": ("co_lead_editor_id", "co_lead_editor_bearer"),
    "co_lead_viewer": ("co_lead_viewer_id", "co_lead_viewer_bearer"),
    "removed_co_lead": ("removed_co_lead_id", "removed_co_lead_bearer"),
    "lead_viewer": ("lead_viewer_id", "lead_viewer_bearer"),
}
VIEWERS = ("co_lead_viewer", "lead_viewer")
PARTNER_TOKENS = {
    "partner_this": "token",
    "partner_other": "other_token",
    "revoked": "revoked_token",
    "expired": "expired_token",
}
MARKERS = {  # the access rule security.py knows -> the table's name for it
    ACCESS_LEAD: LEAD,
    ACCESS_API: API,
    ACCESS_PARTNER: PARTNER,
    ACCESS_PUBLIC: PUBLIC,
}


def _rules(app: Flask) -> list[Rule]:
    """Every rule the table knows (the first test fails on any it does not)."""
    known = [rule for rule in app.url_map.iter_rules() if rule.endpoint in ROUTES]
    return sorted(known, key=lambda r: (r.rule, r.endpoint))


def _methods(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})


def test_every_route_has_an_entry_in_the_table(app: Flask):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - set(ROUTES))
    assert not missing, (
        f"Routes with no access rule in tests/security/routes.py: {missing}. Add each one "
        "with its rule (lead, api, partner or public) and its parameters."
    )
    stale = sorted(set(ROUTES) - endpoints)
    assert not stale, f"The table names routes that no longer exist: {stale}"


def test_every_view_is_marked_as_the_table_says(app: Flask):
    wrong = {}
    for endpoint, view in app.view_functions.items():
        access = access_of(view)
        assert access in MARKERS, f"{endpoint} has an unknown access rule {access!r}"
        case = ROUTES.get(endpoint)
        if case is not None and endpoint != "static" and MARKERS[access] != case.access:
            wrong[endpoint] = (access, case.access)
    assert not wrong, f"Marker differs from the table (view, table): {wrong}"


def test_every_lead_route_declares_what_it_is_to_co_leads_and_viewers():
    undeclared = sorted(
        endpoint for endpoint, case in ROUTES.items()
        if case.access in (LEAD, API) and case.steer not in STEERS
    )
    assert not undeclared, (
        f"Lead and API routes with no steer in tests/security/routes.py: {undeclared}. Say "
        "whether each is a statement's work, the lead's alone, the user's own account or "
        "the organisation's (co-lead editors, co-lead viewers, removed co-leads and the "
        "lead's viewers are walked accordingly)."
    )


def test_every_url_parameter_has_a_value(app: Flask):
    names = {name for rule in app.url_map.iter_rules() for name in rule.arguments}
    tokens = {e for e, case in ROUTES.items() if case.token}
    missing = sorted(n for n in names if n not in routes.PARAMS)
    assert not missing, f"URL parameters with no world value in PARAMS: {missing}"
    assert tokens  # the table really does name token kinds


# --- the walk -------------------------------------------------------------------------------


@pytest.fixture
def world(app: Flask) -> World:
    # Built in its own application context, then left: requests must not share `g`.
    with app.app_context():
        return build_world()


def _client(app: Flask, world: World, identity: str) -> FlaskClient:
    client = app.test_client()
    if identity in ("owner", "other_org", *STEERING):
        with app.app_context():
            user_id = {"owner": world.owner_id, "other_org": world.other_id}.get(identity)
            if identity in STEERING:
                user_id = getattr(world, STEERING[identity][0])
            user = db.session.get(User, user_id)
            assert user is not None
            factories.login(client, user)
    elif identity in PARTNER_TOKENS:
        # A partner's browser has opened its link first: whatever that puts in the session
        # must not open anything else.
        client.get(f"/i/{getattr(world, PARTNER_TOKENS[identity])}")
    return client


def _partner_token(world: World, identity: str) -> str:
    attribute = PARTNER_TOKENS.get(identity)
    return getattr(world, attribute) if attribute else world.unknown_token


def _headers(world: World, identity: str) -> dict[str, str]:
    if identity == "owner":
        return factories.bearer(world.bearer)
    if identity == "other_org":
        return factories.bearer(world.other_bearer)
    if identity in STEERING:
        return factories.bearer(getattr(world, STEERING[identity][1]))
    if identity in PARTNER_TOKENS:
        # A partner link is not an API credential.
        return factories.bearer(_partner_token(world, identity))
    return {}


def _send(client: FlaskClient, method: str, url: str, *, api: bool, **kw: object) -> TestResponse:
    if method in ("POST", "PUT", "PATCH"):
        if api:
            kw["json"] = {}
        else:
            kw["data"] = {}
    return client.open(url, method=method, **kw)  # type: ignore[arg-type]


def _text(response: TestResponse) -> str:
    text = response.get_data().decode("utf-8", errors="replace")
    response.close()  # static files are streamed from an open file
    return text


def _order(rule: Rule, method: str) -> tuple[int, str, str]:
    # Reads first, then changes, and logging out last of all.
    rank = 0 if method == "GET" else 1
    if rule.endpoint == "accounts.logout":
        rank = 2
    return rank, rule.rule, method


def _check(
    identity: str, rule: Rule, method: str, world: World, response: TestResponse
) -> list[str]:
    """What is wrong with this answer, as readable lines (empty: all is well)."""
    case = ROUTES[rule.endpoint]
    status = response.status_code
    body = _text(response)
    has_params = any(n not in (rule.defaults or {}) for n in rule.arguments)
    problems: list[str] = []
    if status >= 500:
        problems.append(f"{status} server error")
    if case.access in (LEAD, API) and identity in STEERING:
        return problems + _steering(identity, case.steer or "", method, has_params, status, body,
                                    world)
    if case.access == LEAD:
        if identity in ("anonymous", *PARTNER_TOKENS):
            location = urlsplit(response.headers.get("Location", ""))
            if status != 302 or location.path != "/login":
                problems.append(f"{status} instead of a redirect to /login")
        elif (
            urlsplit(response.headers.get("Location", "")).path == "/login"
            and rule.endpoint != "accounts.logout"
        ):
            problems.append("sent a logged-in lead to /login")
        elif identity == "other_org":
            if has_params and status != 404:
                problems.append(f"{status} instead of 404 for another organisation")
            if status in (401, 403):
                problems.append(f"{status} for a logged-in lead")
        elif status in (401, 403, 404):
            problems.append(f"{status} for the owner")
    elif case.access == API:
        if identity in ("anonymous", *PARTNER_TOKENS):
            if status != 401 or not (response.is_json and "error" in response.get_json()):
                problems.append(f"{status} instead of a JSON 401")
        elif identity == "other_org":
            if has_params and status != 404:
                problems.append(f"{status} instead of 404 for another organisation")
        elif status in (401, 403, 404):
            problems.append(f"{status} for the owner's token")
    elif case.access == PARTNER:
        if identity == "partner_this":
            if status in (401, 403, 404):
                problems.append(f"{status} for this statement's partner")
        elif identity == "partner_other":
            if status in (401, 403):
                problems.append(f"{status} for another statement's partner")
        elif status != 404:
            problems.append(f"{status} instead of 404 for a token that is not live")
    elif status in (401, 403, 404):
        problems.append(f"{status} for a public page")

    if case.access != LEAD and case.access != API:
        leaked = [c for c in world.contacts if c in body]
        if leaked:
            problems.append(f"shows contacts {leaked}")
    if case.access == PUBLIC or (case.access == PARTNER and identity == "partner_other"):
        secret = [EMBARGO_MARKER, DRAFT_MARKER]
        if not case.current_text:
            secret.append(UNPUBLISHED)
        if case.access == PARTNER:
            secret += world.private_words
        shown = [word for word in secret if word in body]
        if shown:
            problems.append(f"shows {shown}")
    if identity in ("anonymous", "other_org", *PARTNER_TOKENS) and case.access in (LEAD, API):
        shown = [word for word in world.private_words if word in body]
        if shown:
            problems.append(f"shows the owner's {shown}")
    return problems


def _steering(
    identity: str, steer: str, method: str, has_params: bool, status: int, body: str,
    world: World,
) -> list[str]:
    """What is wrong with the answer a lead or API route gave an actor of co-leading."""
    problems: list[str] = []
    change = method not in ("GET", "HEAD")
    on_statement = steer in (STATEMENT, LEAD_ONLY) and has_params
    owner_like = status not in (401, 403, 404)
    if identity == "removed_co_lead":
        if on_statement and status != 404:
            problems.append(f"{status} instead of 404 for a removed co-lead")
    elif identity in VIEWERS and change and steer != ACCOUNT:
        if status != 403:
            problems.append(f"{status} instead of 403 for a viewer's change")
    elif identity in ("co_lead_editor", "co_lead_viewer") and steer == LEAD_ONLY:
        if status != 403:
            problems.append(f"{status} instead of 403 for a co-lead on the lead's own route")
    elif on_statement and not owner_like:
        problems.append(f"{status} for {identity}")
    elif steer in (ACCOUNT, ORGANISATION) and not has_params and not owner_like:
        problems.append(f"{status} for {identity} on its own account or organisation")
    # Nothing of the lead's other statements ever reaches a co-lead's staff, nor anything
    # of this one a removed co-lead.
    secret = [EMBARGO_MARKER, DRAFT_MARKER, "Embargoed Gamma", "Draft Delta"]
    if identity == "removed_co_lead":
        secret += world.private_words
    if identity != "lead_viewer":
        shown = [word for word in secret if word in body]
        if shown:
            problems.append(f"shows {shown} to {identity}")
    return problems


@pytest.mark.parametrize("identity", IDENTITIES)
def test_every_route_answers_each_visitor_as_its_rule_says(
    app: Flask, world: World, identity: str
):
    client = _client(app, world, identity)
    calls = [(rule, method) for rule in _rules(app) for method in _methods(rule)]
    calls.sort(key=lambda call: _order(*call))
    failures: list[str] = []
    answered = 0  # 200s: the walk must reach real pages, not only refusals
    for rule, method in calls:
        case = ROUTES[rule.endpoint]
        override = {}
        if case.access == PARTNER:
            override["token"] = _partner_token(world, identity)
        url = build_url(rule, url_values(rule, world, **override))
        api = case.access == API or rule.rule.startswith("/api/")
        headers = _headers(world, identity) if case.access == API else {}
        response = _send(client, method, url, api=api, headers=headers)
        failures += [
            f"{identity} {method} {url} ({rule.endpoint}): {p}"
            for p in _check(identity, rule, method, world, response)
        ]
        answered += response.status_code == 200
        if case.access == API and identity in ("owner", *STEERING):
            # The API ignores the session: a logged-in browser without a token gets 401.
            cookie_only = _send(client, method, url, api=True)
            if cookie_only.status_code != 401:
                failures.append(
                    f"{method} {url}: {cookie_only.status_code} with only a session cookie"
                )
    assert not failures, "\n".join(failures)
    # Lead pages for the owner, partner pages for this statement's partner, public pages
    # for everyone: enough real answers that the checks above were not all refusals.
    expected = {"owner": 60, "partner_this": 30, "co_lead_editor": 60, "co_lead_viewer": 50,
                "lead_viewer": 50}
    assert answered >= expected.get(identity, 25), answered


def test_public_routes_hide_unpublished_embargoed_and_unknown(app: Flask, world: World):
    """Slugs of a draft or an embargoed statement and unknown tokens all answer 404."""
    client = app.test_client()
    failures: list[str] = []
    for rule in _rules(app):
        case = ROUTES[rule.endpoint]
        if case.access != PUBLIC:
            continue
        for method in _methods(rule):
            attempts: list[dict[str, object]] = []
            if case.slug_hidden:
                attempts += [{"slug": world.embargo_slug}, {"slug": world.draft_slug}]
            if case.token_checked:
                attempts.append({"token": world.unknown_token})
            for override in attempts:
                url = build_url(rule, url_values(rule, world, **override))
                response = _send(client, method, url, api=rule.rule.startswith("/api/"))
                body = _text(response)
                if response.status_code != 404:
                    failures.append(f"{method} {url}: {response.status_code} instead of 404")
                shown = [w for w in (EMBARGO_MARKER, DRAFT_MARKER, "Embargoed Gamma") if w in body]
                if shown:
                    failures.append(f"{method} {url}: shows {shown}")
    assert not failures, "\n".join(failures)


def test_embargoed_edition_opens_only_with_its_preview_link(app: Flask, world: World):
    client = app.test_client()
    slug, token = world.embargo_slug, world.embargo_preview_token
    assert client.get(f"/s/{slug}").status_code == 404
    page = client.get(f"/s/{slug}/preview/{token}")
    assert page.status_code == 200 and EMBARGO_MARKER in _text(page)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    # Another edition's preview link does not open this one.
    assert client.get(f"/s/{slug}/preview/{world.preview_token}").status_code == 404
    assert EMBARGO_MARKER not in _text(client.get("/feed.atom"))
