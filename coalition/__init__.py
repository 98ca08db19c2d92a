"""Coalition: write a joint statement together and collect who signs it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from coalition import config
from coalition.extensions import csrf, db, limiter, login_manager, migrate
from coalition.jsonencoding import OrjsonProvider
from coalition.proxies import TrustedProxyFix, networks

PACKAGE_DIR = Path(__file__).resolve().parent


def _resource_dir(name: str) -> str:
    """Top-level templates/ and static/ in a checkout; inside the package in a wheel."""
    inside = PACKAGE_DIR / name
    return str(inside if inside.is_dir() else PACKAGE_DIR.parent / name)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask application: settings, extensions, blueprints, guard and commands."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=_resource_dir("templates"),
        static_folder=_resource_dir("static"),
    )
    config.configure(app, test_config)
    app.json = OrjsonProvider(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PACKAGE_DIR / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    from coalition import i18n

    i18n.init_app(app)

    from coalition import cli, database, immutability, pipeline, security, web
    from coalition.accounts.views import bp as accounts_bp
    from coalition.api import bp as api_bp
    from coalition.coleads.views import bp as coleads_bp
    from coalition.drafting.views import bp as drafting_bp
    from coalition.followup import views as followup_views
    from coalition.invitations.views import bp as invitations_bp
    from coalition.publishing import frozen
    from coalition.publishing.views import bp as publishing_bp
    from coalition.signing.recording_views import bp as recording_bp
    from coalition.signing.views import bp as signing_bp
    from coalition.translations.views import bp as translations_bp
    from coalition.webhooks.views import bp as webhooks_bp

    database.init_app(app)
    pipeline.init_app(app)
    immutability.install()
    security.init_app(app)
    web.init_app(app)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(drafting_bp)
    app.register_blueprint(publishing_bp)
    app.register_blueprint(invitations_bp)
    app.register_blueprint(signing_bp)
    app.register_blueprint(recording_bp)
    app.register_blueprint(translations_bp)
    app.register_blueprint(coleads_bp)
    app.register_blueprint(webhooks_bp)
    followup_views.init_app(app)
    app.register_blueprint(api_bp)
    cli.init_app(app)
    # WSGI middleware, outermost last: kept public answers, then the proxy fix in front of
    # them (it sets the host and scheme the kept answers are filed under).
    frozen.init_app(app)
    if app.config["PROXIES"]:
        app.wsgi_app = TrustedProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, int(app.config["PROXIES"]), networks(app.config["TRUSTED_PROXIES"])
        )
    return app
