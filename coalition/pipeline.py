"""What every request pays for before its view, and what requests without a cookie skip.

Public pages and the API (bearer or invitation token) carry no cookie: such a request has
no session to read and no signed-in user, so it should not pay to look for either. Measured
with bench.profile (docs/performance.md, fourth round): Flask built an itsdangerous
serializer for every request even when there was no cookie to check, and the security
headers loaded the user (Flask-Login's "strong" session protection hashes the address and
the browser's name) to learn that nobody was signed in.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface


class CookieSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, opened without any signing work when there is no cookie."""

    def open_session(self, app: Flask, request: object) -> SecureCookieSession | None:
        cookies = getattr(request, "cookies", None)
        if app.secret_key and cookies is not None and not cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)  # type: ignore[arg-type]


def may_be_signed_in() -> bool:
    """False when the request carries neither a session nor a remember-me cookie: nobody is
    signed in, and nothing needs to load the user to know it."""
    cookies = request.cookies
    if not cookies:
        return False
    config = current_app.config
    return bool(
        cookies.get(config.get("SESSION_COOKIE_NAME") or "session")
        or cookies.get(config.get("REMEMBER_COOKIE_NAME") or "remember_token")
    )


def init_app(app: Flask) -> None:
    """Install the session interface."""
    app.session_interface = CookieSessionInterface()
