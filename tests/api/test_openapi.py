"""The OpenAPI document: valid OpenAPI 3.1, generated from the routes, and field for field the
contract of DESIGN.md's table (every answer in the test suite is also checked against it by
coalition/api/openapi.py's check_answer)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from coalition.domain.limits import BODY_MAX, NAME_MAX, TITLE_MAX
from coalition.security import MAX_URL_INT

# DESIGN.md's table: (method, path) -> (request fields, required request fields,
# {status: answer fields}). Fields the server adds beyond the table are listed in EXTRA.
CONTRACT: dict[tuple[str, str], tuple[set[str], set[str], dict[str, set[str]]]] = {
    ("post", "/statements"): (
        {"title", "body", "language"}, {"title", "body"},
        {"201": {"id", "slug", "state", "revision"}},
    ),
    ("get", "/statements/{id}"): (set(), set(), {"200": {
        "id", "slug", "title", "language", "state", "revision", "sign_deadline",
        "published_at", "date",
    }}),
    ("post", "/statements/{id}/revisions"): (
        {"title", "body", "base_revision", "note", "substantive"}, {"body", "base_revision"},
        {"201": {"revision"}, "409": {"error", "current_revision"}},
    ),
    ("get", "/statements/{id}/revisions"): (set(), set(), {"200": {"revisions"}}),
    ("get", "/statements/{id}/revisions/{n}"): (
        set(), set(), {"200": {"number", "title", "body", "body_html", "sha256"}},
    ),
    ("get", "/statements/{id}/diff"): (set(), set(), {"200": {"from", "to", "html"}}),
    ("post", "/statements/{id}/state"): ({"state", "sign_deadline"}, {"state"}, {"200": {
        "id", "slug", "title", "language", "state", "revision", "sign_deadline",
        "published_at", "date",
    }}),
    ("post", "/statements/{id}/invitations"): (
        {"organisation", "email"}, {"organisation", "email"}, {"201": {"id", "sign_url"}},
    ),
    ("get", "/statements/{id}/invitations"): (set(), set(), {"200": {"invitations"}}),
    ("get", "/invitations/{token}"): (
        set(), set(), {"200": {"statement", "revision", "title", "body_html", "signature"}},
    ),
    ("post", "/invitations/{token}/comments"): (
        {"body", "anchor", "suggestion"}, {"body"}, {"201": set()},
    ),
    ("post", "/invitations/{token}/signature"): (
        {"name", "signer_name", "signer_email", "country", "kind", "public",
         "public_description"},
        {"name", "signer_name", "signer_email"},
        {"200": set(), "201": set()},
    ),
    ("delete", "/invitations/{token}/signature"): (set(), set(), {"200": set()}),
    ("get", "/statements/{id}/signatories"): (
        set(), set(), {"200": {"signatories", "withheld"}},
    ),
    ("post", "/statements/{id}/publish"): (
        {"date", "note", "exclude_outstanding"}, set(),
        {"200": {"edition", "published_at", "url", "sha256", "signatories"},
         "409": {"error", "outstanding", "awaiting_sign_off"}},
    ),
}
# Nested lists of the table.
ITEMS = {
    ("RevisionList", "revisions"): {"number", "author", "created_at", "note", "substantive"},
    ("InvitationList", "invitations"): {"id", "organisation", "email", "status"},
    ("SignatoryList", "signatories"): {"name", "country", "kind", "revision"},
}
# What the server takes or answers beyond the table (documented in docs/api.md).
EXTRA = {
    "StatementDetail": {"embargo_until"},  # issue 24
    "StatementIn": set(),
    "InvitationIn": {"message"},
    "CommentIn": {"visibility"},
    # translations, individuals, issue 16's "keep me informed"
    "SignatureIn": {"affiliation", "signer_role", "names", "wants_updates"},
    "SignatoryList": {"withheld_descriptions"},  # issue 15
    "Publication": {"withheld"},  # issue 15: counted, never named
}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    from coalition import create_app
    from coalition.api.openapi import build

    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 32,
                      "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        return build()


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _name(schema: dict[str, Any]) -> str:
    return schema["$ref"].rsplit("/", 1)[1]


def test_the_document_is_valid_openapi_3_1(client: FlaskClient):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    validate(document)  # raises on any fault


def test_every_api_route_is_in_the_document(app: Flask, document: dict[str, Any]):
    operations = {(path, method) for path, item in document["paths"].items() for method in item}
    routes = {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.openapi_document"
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert len(operations) == len(routes) == 42  # 34, and 8 for webhooks (issue 22)
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(("method", "path"), sorted(CONTRACT))
def test_request_and_answer_fields_match_the_design_table(
    document: dict[str, Any], method: str, path: str
):
    fields, required, answers = CONTRACT[(method, path)]
    operation = document["paths"][path][method]
    body = operation.get("requestBody")
    if fields:
        schema = _resolve(document, body["content"]["application/json"]["schema"])
        name = _name(body["content"]["application/json"]["schema"])
        assert set(schema["properties"]) == fields | EXTRA.get(name, set())
        assert set(schema.get("required", [])) == required
        assert schema["additionalProperties"] is False
    elif method != "delete" and path != "/invitations/{token}/comments":
        assert body is None
    for status, names in answers.items():
        content = operation["responses"][status]["content"]["application/json"]["schema"]
        schema = _resolve(document, content)
        documented = set(schema["properties"])
        assert names <= documented, (status, names - documented)
        if status.startswith("2") and names:
            assert documented == names | EXTRA.get(_name(content), set())
            assert schema["additionalProperties"] is False


@pytest.mark.parametrize(("model", "field"), sorted(ITEMS))
def test_list_items_match_the_design_table(document: dict[str, Any], model: str, field: str):
    listing = document["components"]["schemas"][model]["properties"][field]
    item = _resolve(document, listing["items"])
    assert set(item["properties"]) == ITEMS[(model, field)]


def test_constraints_come_from_the_domain_limits(document: dict[str, Any]):
    schemas = document["components"]["schemas"]
    statement = schemas["StatementIn"]["properties"]
    assert statement["title"]["maxLength"] == TITLE_MAX
    assert statement["title"]["minLength"] == 1
    assert statement["body"]["maxLength"] == BODY_MAX
    signature = schemas["SignatureIn"]["properties"]
    for name in ("name", "signer_name"):
        assert signature[name]["maxLength"] == NAME_MAX
    assert signature["signer_email"]["format"] == "email"
    assert schemas["InvitationIn"]["properties"]["organisation"]["maxLength"] == NAME_MAX
    kinds = signature["kind"]["anyOf"][0]["enum"]
    assert kinds == ["organisation", "individual"]
    assert schemas["StateIn"]["properties"]["state"]["enum"] == ["review", "open", "closed"]
    assert schemas["RevisionIn"]["properties"]["base_revision"]["minimum"] == 1
    assert schemas["PublishIn"]["properties"]["date"]["anyOf"][0]["format"] == "date"
    assert schemas["StateIn"]["properties"]["sign_deadline"]["anyOf"][0]["format"] == "date-time"
    assert schemas["CommentIn"]["properties"]["anchor"]["anyOf"][0]["minimum"] == 0
    assert schemas["StatementDetail"]["properties"]["state"]["enum"] == [
        "draft", "review", "open", "closed", "published",
    ]


def test_parameters_are_typed_and_bounded(document: dict[str, Any]):
    diff = document["paths"]["/statements/{id}/diff"]["get"]
    parameters = {p["name"]: p for p in diff["parameters"]}
    assert set(parameters) == {"id", "from", "to"}
    for name in ("id", "from", "to"):
        assert parameters[name]["required"] is True
        assert parameters[name]["schema"]["maximum"] == MAX_URL_INT
    signatories = document["paths"]["/statements/{id}/signatories"]["get"]
    lang = {p["name"]: p for p in signatories["parameters"]}["lang"]
    assert lang["in"] == "query" and lang["required"] is False


def test_errors_have_their_models_and_401_names_its_header(document: dict[str, Any]):
    revisions = document["paths"]["/statements/{id}/revisions"]["post"]["responses"]
    assert _name(revisions["409"]["content"]["application/json"]["schema"]) == (
        "StaleRevisionError"
    )
    assert "WWW-Authenticate" in revisions["401"]["headers"]
    for status in ("404", "422", "4XX"):
        assert _name(revisions[status]["content"]["application/json"]["schema"]) == "Error"
    partner = document["paths"]["/invitations/{token}"]["get"]
    assert partner["security"] == [] and "401" not in partner["responses"]


def test_links_lead_from_a_new_statement_to_its_revisions_and_invitations_to_signing(
    document: dict[str, Any],
):
    ids = {op["operationId"] for item in document["paths"].values() for op in item.values()}
    created = document["paths"]["/statements"]["post"]["responses"]["201"]["links"]
    assert {"get_statement", "list_revisions", "create_invitation"} <= set(created)
    invited = document["paths"]["/statements/{id}/invitations"]["post"]["responses"]["201"]
    assert invited["links"]["sign"]["parameters"]["token"].startswith("$response.body#/sign_url")
    for item in document["paths"].values():
        for op in item.values():
            for answer in op["responses"].values():
                for link in answer.get("links", {}).values():
                    assert link["operationId"] in ids


@pytest.fixture
def lead(app: Flask) -> dict[str, str]:
    from tests import factories

    with app.app_context():
        return factories.bearer(factories.token(factories.user()))


def _statement(client: FlaskClient, lead: dict[str, str], state: str | None = None) -> int:
    made = client.post("/api/v1/statements", json={"title": "T", "body": "One.\n\nTwo."},
                       headers=lead)
    sid = int(made.get_json()["id"])
    if state:
        assert client.post(f"/api/v1/statements/{sid}/state", json={"state": state},
                           headers=lead).status_code == 200
    return sid


def test_a_whole_number_written_with_a_fraction_is_an_integer(
    client: FlaskClient, lead: dict[str, str]
):
    # JSON Schema's integer includes 1.0: what the document allows, the server takes.
    sid = _statement(client, lead)
    saved = client.post(f"/api/v1/statements/{sid}/revisions",
                        json={"body": "New.", "base_revision": 1.0}, headers=lead)
    assert saved.status_code == 201 and saved.get_json() == {"revision": 2}
    for wrong in (1.5, "1", True):
        refused = client.post(f"/api/v1/statements/{sid}/revisions",
                              json={"body": "New.", "base_revision": wrong}, headers=lead)
        assert refused.status_code == 422, wrong


def test_opening_with_a_deadline_already_past_is_a_conflict_not_a_bad_request(
    client: FlaskClient, lead: dict[str, str]
):
    sid = _statement(client, lead)
    refused = client.post(f"/api/v1/statements/{sid}/state", headers=lead, json={
        "state": "open", "sign_deadline": "2001-01-01T00:00:00Z"})
    assert refused.status_code == 409
    assert "sign_deadline" in refused.get_json()["fields"]


def test_an_anchor_past_the_last_paragraph_is_a_conflict(
    app: Flask, client: FlaskClient, lead: dict[str, str]
):
    from coalition.extensions import db
    from coalition.models import Statement
    from tests import factories

    sid = _statement(client, lead, "review")
    with app.app_context():
        _, token = factories.partner_invitation(db.session.get(Statement, sid), "Partner")
    url = f"/api/v1/invitations/{token}/comments"
    assert client.post(url, json={"body": "Yes.", "anchor": 1}).status_code == 201
    assert client.post(url, json={"body": "Yes.", "anchor": 2}).status_code == 409
    assert client.post(url, json={"body": "", "suggestion": "New."}).status_code == 422
    assert client.post(url, json={"body": "", "suggestion": "New.",
                                  "anchor": 0}).status_code == 201
