"""Default settings; instance/config.py and COALITION_* environment variables override them."""

from __future__ import annotations

from typing import Any

from flask import Flask

INSECURE_SECRET = "dev-insecure-change-me"  # noqa: S105 - the value refused outside debug/testing


class Defaults:
    SECRET_KEY = INSECURE_SECRET
    # True: secure cookies and HSTS. None: True unless debugging or testing. Set it to False
    # only for a local trial over plain http (the quickstart does).
    HTTPS: bool | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None  # set from instance_path in configure()
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    # Number of reverse proxies in front of the app whose X-Forwarded-* headers to trust,
    # and the addresses (or networks) they connect from: headers from anyone else are
    # dropped (coalition/proxies.py). Loopback fits a proxy on the same machine.
    PROXIES = 0
    TRUSTED_PROXIES: tuple[str, ...] | str = ("127.0.0.0/8", "::1")
    # Public base URL used in mail and exports when there is no request (CLI, cron).
    BASE_URL = "http://127.0.0.1:5000"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None
    # Mail: with no MAIL_HOST, messages stay in the outbox and are logged.
    MAIL_HOST: str | None = None
    MAIL_PORT = 587
    MAIL_SECURITY = "starttls"  # "starttls", "tls" or "none"
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_FROM = "Coalition <noreply@localhost>"
    MAIL_MAX_ATTEMPTS = 8
    MAIL_TIMEOUT = 10  # seconds for each SMTP answer while sending
    MAIL_CONNECT_TIMEOUT = 5  # seconds for each answer while signing on (connect, greeting)
    MAIL_PAUSE_AFTER_FAILURE = 60  # seconds without a try after signing on failed (doubles)
    MAIL_POLL_SECONDS = 5  # how often `send-mail --watch` looks at the outbox
    # Invitations stay valid this many days after the sign-on deadline.
    INVITATION_GRACE_DAYS = 7
    REMINDER_DAYS_BEFORE_DEADLINE = 3
    # memory:// counts per process; with several gunicorn workers set a shared store, e.g.
    # redis://127.0.0.1:6379/0 (pip install 'coalition[redis]'); see docs/security.md.
    RATELIMIT_STORAGE_URI = "memory://"
    # If that store is unreachable, keep limiting in memory rather than failing requests.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_LOGIN = "10 per minute"
    RATELIMIT_SIGN = "30 per minute"
    RATELIMIT_OPEN_SIGNON = "5 per hour"
    # Each worker keeps the bytes of published pages and exports it has served, up to this
    # many megabytes (publishing/frozen.py); 0 turns the cache off.
    PUBLIC_CACHE_MB = 32
    # Webhooks (docs/api.md, "Webhooks"): only globally routable addresses are called, over
    # https. WEBHOOK_ALLOW_LOOPBACK also allows 127.0.0.0/8 and ::1, over http too (tests, a
    # trial); WEBHOOK_ALLOWED_NETWORKS names private networks to allow (e.g. "10.1.2.0/24").
    WEBHOOK_ALLOW_LOOPBACK = False
    WEBHOOK_ALLOWED_NETWORKS: tuple[str, ...] | str = ()
    WEBHOOK_TIMEOUT = 5  # seconds to connect and for the answer, per try
    WEBHOOK_MAX_ATTEMPTS = 12  # tries before a delivery is given up (the lead can re-send)
    WEBHOOK_RETRY_SECONDS = 30  # the first wait after a failed try; doubles each time
    PASSWORD_MIN_LENGTH = 10
    LOGO_MAX_BYTES = 1024 * 1024
    LOGO_MAX_PIXELS = 4000 * 4000


def configure(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Load defaults, instance/config.py, COALITION_* variables, then test overrides."""
    app.config.from_object(Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("COALITION")
    else:
        app.config.from_mapping(test_config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{app.instance_path}/coalition.sqlite"
    debug_or_test = app.debug or app.testing
    if app.config.get("HTTPS") is None:
        app.config["HTTPS"] = not debug_or_test
    if app.config["HTTPS"]:
        # Served over HTTPS: cookies never travel in clear, and browsers remember it (HSTS).
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    if not debug_or_test:
        secret = app.config.get("SECRET_KEY") or ""
        if secret == INSECURE_SECRET or len(str(secret)) < 16:
            raise RuntimeError(
                "Set COALITION_SECRET_KEY (or SECRET_KEY in instance/config.py) to a long "
                "random value; the built-in key is only for debug and tests."
            )
