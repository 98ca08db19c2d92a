"""The OpenAPI 3.1 document at /api/v1/openapi.json, generated from the routes themselves.

Each API view carries an `Operation` (the `operation` decorator): its request model (the
pydantic model the view parses the body with), a model per answer status and links to the
operations its answer leads to. Paths and path parameters come from the URL map, so a route
cannot be left out or described with the wrong parameters. In tests (app.testing), every
API answer is checked against the model of its status (`check_answer`), so the document and
the server cannot drift apart unnoticed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Flask, current_app, jsonify, request
from pydantic import BaseModel
from pydantic import ValidationError as SchemaError
from werkzeug.routing import Rule
from werkzeug.wrappers import Response

from coalition.api import bp
from coalition.api.schemas import Error
from coalition.security import (
    ACCESS_API,
    MAX_URL_INT,
    BoundedIntegerConverter,
    access_of,
    public,
)

F = TypeVar("F", bound=Callable[..., Any])
PREFIX = "/api/v1"
# DESIGN.md's names for path parameters, where the view's argument has a longer name.
PATH_NAMES = {"statement_id": "id", "number": "n"}
STATUS_TEXT = {
    200: "OK",
    201: "Created",
    401: "No valid bearer token",
    403: "A viewer's change, or what only the lead organisation may do",
    404: "Not found: an unknown id or token, or another organisation's statement",
    409: "Conflicts with the current state",
    422: "A field is missing, has the wrong type, or breaks a limit (named in fields)",
}


@dataclass(frozen=True)
class Link:
    """An OpenAPI link: the operation an answer leads to and how to fill its parameters."""

    operation_id: str
    parameters: dict[str, Any]
    description: str = ""


@dataclass(frozen=True)
class Operation:
    summary: str
    responses: dict[int, type[BaseModel] | None]
    request: type[BaseModel] | None = None
    description: str = ""
    operation_id: str | None = None
    query: dict[str, dict[str, Any]] = field(default_factory=dict)
    links: dict[int, dict[str, Link]] = field(default_factory=dict)
    notes: dict[int, str] = field(default_factory=dict)


def operation(
    summary: str,
    *,
    responses: dict[int, type[BaseModel] | None],
    request: type[BaseModel] | None = None,
    description: str = "",
    operation_id: str | None = None,
    query: dict[str, dict[str, Any]] | None = None,
    links: dict[int, dict[str, Link]] | None = None,
    notes: dict[int, str] | None = None,
) -> Callable[[F], F]:
    """Describe an API view for the document: its body, its answers, where they lead."""

    def mark(view: F) -> F:
        view.openapi = Operation(  # type: ignore[attr-defined]
            summary,
            responses,
            request,
            description,
            operation_id or view.__name__,
            query or {},
            links or {},
            notes or {},
        )
        return view

    return mark


def operation_of(app: Flask, endpoint: str | None) -> Operation | None:
    view = app.view_functions.get(endpoint or "")
    return getattr(view, "openapi", None) if view is not None else None


# --- the document ---------------------------------------------------------------------------


def _path_parameters(rule: Rule) -> tuple[str, list[dict[str, Any]]]:
    """The OpenAPI path of a rule and its parameters, typed by the rule's converters."""
    path = rule.rule[len(PREFIX) :]
    parameters = []
    for name, converter in rule._converters.items():
        public_name = PATH_NAMES.get(name, name)
        schema: dict[str, Any]
        if isinstance(converter, BoundedIntegerConverter):
            schema = {"type": "integer", "minimum": 1, "maximum": MAX_URL_INT}
        else:
            schema = {"type": "string", "minLength": 1, "pattern": "^[^/\\x00]+$"}
        parameters.append({"name": public_name, "in": "path", "required": True, "schema": schema})
    for argument in rule.arguments:
        path = _replace_argument(path, argument, PATH_NAMES.get(argument, argument))
    return path, parameters


def _replace_argument(path: str, argument: str, public_name: str) -> str:
    start = 0
    while True:
        opening = path.find("<", start)
        if opening < 0:
            return path
        closing = path.find(">", opening)
        inside = path[opening + 1 : closing]
        if inside.split(":")[-1] == argument:
            return path[:opening] + "{" + public_name + "}" + path[closing + 1 :]
        start = closing + 1


def _schema_ref(model: type[BaseModel], schemas: dict[str, Any], mode: str) -> dict[str, str]:
    schema = model.model_json_schema(
        ref_template="#/components/schemas/{model}",
        mode=mode,  # type: ignore[arg-type]
    )
    for name, sub in schema.pop("$defs", {}).items():
        schemas.setdefault(name, sub)
    schemas[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _json(schema: dict[str, str]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _responses(op: Operation, bearer: bool, has_path: bool, schemas: dict[str, Any]) -> Any:
    statuses: dict[int, type[BaseModel] | None] = dict(op.responses)
    if bearer:
        statuses.setdefault(401, Error)
    if has_path:
        statuses.setdefault(404, Error)
    answers: dict[str, Any] = {}
    for status, model in sorted(statuses.items()):
        if model is None and status >= 400:
            model = Error
        entry: dict[str, Any] = {
            "description": op.notes.get(status) or STATUS_TEXT.get(status, "")
        }
        if model is not None:
            entry["content"] = _json(_schema_ref(model, schemas, "serialization"))
        if status == 401:
            entry["headers"] = {
                "WWW-Authenticate": {
                    "required": True,
                    "schema": {"type": "string", "examples": ['Bearer realm="coalition"']},
                }
            }
        links = op.links.get(status)
        if links:
            entry["links"] = {
                name: {
                    "operationId": link.operation_id,
                    "parameters": link.parameters,
                    **({"description": link.description} if link.description else {}),
                }
                for name, link in links.items()
            }
        answers[str(status)] = entry
    answers["4XX"] = {
        "description": "Refused (a body that is not a JSON object, over 2 MB, too many "
        "requests...): see error and fields",
        "content": _json(_schema_ref(Error, schemas, "serialization")),
    }
    return answers


def _entry(rule: Rule, method: str, op: Operation, view: Any, schemas: dict[str, Any]) -> Any:
    _, parameters = _path_parameters(rule)
    for name, spec in op.query.items():
        parameters.append({"name": name, "in": "query", **spec})
    bearer = access_of(view) == ACCESS_API
    entry: dict[str, Any] = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "parameters": parameters,
        "security": [{"bearer": []}] if bearer else [],
        "responses": _responses(op, bearer, bool(rule.arguments), schemas),
    }
    if op.description:
        entry["description"] = op.description
    if op.request is not None:
        entry["requestBody"] = {
            "required": True,
            "content": _json(_schema_ref(op.request, schemas, "validation")),
        }
    return entry


def build(app: Flask | None = None) -> dict[str, Any]:
    """The whole document, from the URL map and the operations its views carry."""
    app = app or current_app
    paths: dict[str, dict[str, Any]] = {}
    schemas: dict[str, Any] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(PREFIX + "/"):
            continue
        view = app.view_functions[rule.endpoint]
        op: Operation | None = getattr(view, "openapi", None)
        if op is None:
            continue
        path, _ = _path_parameters(rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _entry(rule, method, op, view, schemas)
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": "Coalition API",
            "version": "1",
            "description": "Draft joint statements, invite partners, collect signatures, publish. "
            "Leads authenticate with `Authorization: Bearer <token>`; partners use their "
            'invitation token in the path. Errors are `{"error", "fields"}` with a 4xx. '
            "Limits on text are in characters after trimming (docs/api.md).",
        },
        "servers": [{"url": PREFIX}],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


# --- the check in tests ---------------------------------------------------------------------


@bp.after_request
def _check_in_tests(response: Response) -> Response:
    if current_app.testing:
        check_answer(response)
    return response


def check_answer(response: Response) -> None:
    """In tests: an API answer that its operation's model for that status refuses is a bug."""
    op = operation_of(current_app, request.endpoint)
    if op is None or request.method in ("HEAD", "OPTIONS"):
        return
    status = response.status_code
    model = op.responses.get(status)
    if model is None and status >= 400:
        model = Error
    if model is None:
        if status not in op.responses:
            raise RuntimeError(f"{request.method} {request.path}: {status} is not documented")
        return
    try:
        model.model_validate(json.loads(response.get_data()))
    except (SchemaError, ValueError) as error:
        raise RuntimeError(
            f"{request.method} {request.path} answered {status} with a body its document "
            f"({model.__name__}) refuses: {error}"
        ) from error


@bp.get("/openapi.json")
@public
def openapi_document() -> Response:
    """The OpenAPI 3.1 description of this API."""
    return jsonify(build())
