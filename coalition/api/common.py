"""Helpers shared by the API routes: JSON bodies, schemas, the acting user, representations."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, TypeVar

from flask import g, request
from flask import json as flask_json
from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as SchemaError
from sqlalchemy import select

from coalition.domain.errors import DomainError, ValidationError
from coalition.extensions import db
from coalition.jsonencoding import MAX_DEPTH, TooDeep
from coalition.models import Edition, Statement, User, utcnow
from coalition.security import viewable_statement
from coalition.web import iso

M = TypeVar("M", bound=BaseModel)


class Schema(BaseModel):
    """Base of request schemas: strict types, unknown fields refused."""

    model_config = ConfigDict(strict=True, extra="forbid")


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _surrogates(data: object) -> dict[str, str]:
    """Name every field whose text (or key) holds a lone surrogate, which JSON's \\u escapes
    can carry but no database can store. A loop, not recursion: nesting may be deep."""
    found: dict[str, str] = {}
    pending: list[tuple[str, object]] = [("", data)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                found.setdefault(path or "body", "contains a lone surrogate")
        elif isinstance(value, dict):
            for key, item in value.items():
                if _SURROGATE.search(str(key)):
                    found.setdefault(path or "body", "a field name contains a lone surrogate")
                else:
                    pending.append((f"{path}.{key}" if path else str(key), item))
        elif isinstance(value, list):
            pending.extend(
                (f"{path}.{n}" if path else str(n), item) for n, item in enumerate(value)
            )
    return found


def json_body() -> Any:
    """The request's JSON body, None when it is not JSON; a 400 when nested too deeply."""
    try:
        return flask_json.loads(request.get_data(cache=True))
    except TooDeep as error:
        raise DomainError(
            str(error), fields={"body": f"nested more than {MAX_DEPTH} levels deep"}
        ) from error
    except ValueError:
        return None


def parse(model: type[M]) -> M:
    """The request's JSON body checked against `model`, or a 4xx naming the fields."""
    data = json_body()
    if not isinstance(data, dict):
        raise DomainError("The body must be a JSON object.", fields={})
    found = _surrogates(data)
    if found:
        names = ", ".join(found)
        # Not an f-string: pybabel's extractor splits one holding an escaped backslash.
        message = names + ": a lone surrogate (an unpaired \\ud800 escape) cannot be stored."
        raise ValidationError(message, fields=found)
    try:
        return model.model_validate(data)
    except SchemaError as exc:
        fields: dict[str, str] = {}
        for error in exc.errors():
            name = ".".join(str(part) for part in error["loc"]) or "body"
            fields.setdefault(name, error["msg"])
        raise ValidationError(
            "Some fields are missing or have the wrong type.", fields=fields
        ) from exc


def api_user() -> User:
    user: User = g.api_user
    return user


def lead_statement(statement_id: int) -> Statement:
    """A statement of the token owner's organisation, or 404."""
    return viewable_statement(api_user(), statement_id)


def latest_public_edition(statement: Statement) -> Edition | None:
    return db.session.scalar(
        select(Edition)
        .where(Edition.statement_id == statement.id)
        .order_by(Edition.number.desc())
        .limit(1)
    )


def public_moment(edition: Edition) -> dt.datetime:
    """When an edition became (or, under embargo, becomes) public: its embargo time, else
    the moment it was published."""
    return max(edition.published_at, edition.public_from)


def embargo_until(edition: Edition | None, now: dt.datetime | None = None) -> str | None:
    """The embargo time while an edition waits for it (ISO 8601), else None."""
    if edition is None or edition.public_from <= (now or utcnow()):
        return None
    return iso(edition.public_from)


def statement_json(statement: Statement) -> dict[str, Any]:
    """The statement as GET /statements/{id} answers it: `published_at` is the moment the
    latest edition became public (its embargo time when it had one), and `embargo_until`
    that time while it is still ahead (null otherwise)."""
    edition = latest_public_edition(statement)
    return {
        "id": statement.id,
        "slug": statement.slug,
        "title": statement.title,
        "language": statement.language,
        "state": statement.state,
        "revision": statement.current_revision,
        "sign_deadline": iso(statement.sign_deadline),
        "published_at": iso(public_moment(edition)) if edition else None,
        "embargo_until": embargo_until(edition),
        "date": edition.date.isoformat() if edition else None,
    }
