"""The OpenAPI 3 document at /api/v1/openapi.json, built from the request schemas."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import jsonify
from pydantic import BaseModel
from werkzeug.wrappers import Response

from coalition.api import bp
from coalition.security import public


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # OpenAPI form, e.g. /statements/{id}
    summary: str
    auth: str = "bearer"  # "bearer", "partner" (token in path) or "none"
    request: type[BaseModel] | None = None
    responses: dict[int, str] = field(default_factory=dict)
    query: tuple[str, ...] = ()


OPERATIONS: list[Operation] = []


def document(
    method: str,
    path: str,
    summary: str,
    *,
    auth: str = "bearer",
    request: type[BaseModel] | None = None,
    responses: dict[int, str] | None = None,
    query: tuple[str, ...] = (),
) -> None:
    """Add an operation to the OpenAPI document."""
    OPERATIONS.append(
        Operation(method.lower(), path, summary, auth, request, responses or {200: "OK"}, query)
    )


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}


def build() -> dict[str, Any]:
    """The whole document."""
    paths: dict[str, dict[str, Any]] = {}
    schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}
    for op in OPERATIONS:
        parameters: list[dict[str, Any]] = []
        for segment in op.path.split("/"):
            if segment.startswith("{") and segment.endswith("}"):
                name = segment[1:-1]
                parameters.append(
                    {
                        "name": name,
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string" if name in ("token", "lang") else "integer"},
                    }
                )
        for name in op.query:
            parameters.append(
                {"name": name, "in": "query", "required": True, "schema": {"type": "integer"}}
            )
        slug = op.path.strip("/").replace("/", "_").replace("{", "").replace("}", "")
        entry: dict[str, Any] = {
            "summary": op.summary,
            "operationId": f"{op.method}_{slug}",
            "parameters": parameters,
            "responses": {
                str(code): {"description": text} for code, text in sorted(op.responses.items())
            },
        }
        entry["responses"]["4XX"] = {
            "description": "Refused: see error and fields",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        if op.auth == "bearer":
            entry["security"] = [{"bearer": []}]
        else:
            entry["security"] = []
        if op.request is not None:
            schema = op.request.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, sub in schema.pop("$defs", {}).items():
                schemas[name] = sub
            schemas[op.request.__name__] = schema
            entry["requestBody"] = {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {"$ref": f"#/components/schemas/{op.request.__name__}"}
                    }
                },
            }
        paths.setdefault(op.path, {})[op.method] = entry
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Coalition API",
            "version": "1",
            "description": "Draft joint statements, invite partners, collect signatures, publish. "
            "Leads authenticate with `Authorization: Bearer <token>`; partners use their "
            'invitation token in the path. Errors are `{"error", "fields"}` with a 4xx.',
        },
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


@bp.get("/openapi.json")
@public
def openapi_document() -> Response:
    """The OpenAPI 3 description of this API."""
    return jsonify(build())
