"""Flask extensions, created unbound and attached in create_app."""

from __future__ import annotations

import hashlib

from flask import current_app, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from coalition import ratelimits  # noqa: F401 - registers the lean memory:// storage

# Named constraints so Alembic can alter them on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address)
babel = Babel()


def _digest(kind: str, value: str) -> str:
    return f"{kind}:" + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def token_key() -> str:
    """Count per link, never per address: many partners may sign from one network (DESIGN.md).

    An invitation has one link, so this counts per invitation; the key is a digest so the
    limiter's storage (Redis) never holds a usable link.
    """
    return _digest("token", str((request.view_args or {}).get("token", "")))


def _form_email() -> str:
    return str(request.form.get("email") or request.form.get("signer_email") or "")


def account_key() -> str:
    """Count login and reset attempts per account (the typed address) as well as per address."""
    return _digest("account", _form_email().strip().lower())


def email_domain_key() -> str:
    """Count open sign-on requests per e-mail domain as well as per address."""
    domain = _form_email().strip().lower().rpartition("@")[2]
    return _digest("domain", domain)


def sign_limit() -> str:
    return str(current_app.config["RATELIMIT_SIGN"])


def login_limit() -> str:
    return str(current_app.config["RATELIMIT_LOGIN"])


def open_signon_limit() -> str:
    return str(current_app.config["RATELIMIT_OPEN_SIGNON"])
