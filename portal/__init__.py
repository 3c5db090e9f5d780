"""The practice portal: create_app() builds a configured Flask app."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.config import load_config
from portal.database import watch_commits
from portal.extensions import csrf, db, limiter, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(environ: Mapping[str, str] | None = None) -> Flask:
    """Build the app from environment variables (os.environ unless a mapping is given)."""
    environ = os.environ if environ is None else environ
    instance_path = Path(environ.get("PORTAL_INSTANCE_PATH") or PROJECT_ROOT / "instance").resolve()
    instance_path.mkdir(parents=True, exist_ok=True)
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(load_config(environ, instance_path))
    from portal.questionnaires.instruments import licensed_setting

    app.config["LICENSED_CONTENT"] = licensed_setting(app.config["LICENSED_CONTENT_FILE"])
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    if app.config["PROXY_FIX_X_FOR"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"], x_proto=1)  # type: ignore[method-assign]

    from portal.inputs import IdConverter
    from portal.security import refuse_unreadable_input

    app.url_map.converters["int"] = IdConverter  # before any route exists: ids an INTEGER column holds
    refuse_unreadable_input(app)  # before CSRF, so unreadable input gets its own clear message
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    _init_login(app)

    from portal import models  # noqa: F401  (every table known before Alembic or a query runs)
    from portal.accounts.views import bp as accounts_bp
    from portal.booking.views import bp as booking_bp
    from portal.cases.views import bp as cases_bp
    from portal.challenges.views import bp as challenges_bp
    from portal.consent.views import bp as consent_bp
    from portal.handouts.views import bp as handouts_bp
    from portal.health import bp as health_bp
    from portal.home.views import bp as home_bp
    from portal.journal.views import bp as journal_bp
    from portal.messages.views import bp as messages_bp
    from portal.packages.views import bp as packages_bp
    from portal.payments.views import bp as payments_bp
    from portal.practice.views import bp as practice_bp
    from portal.questionnaires.views import bp as questionnaires_bp
    from portal.records.views import bp as records_bp
    from portal.team.views import bp as team_bp

    app.register_blueprint(home_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(booking_bp)
    app.register_blueprint(practice_bp)
    app.register_blueprint(payments_bp)
    app.register_blueprint(questionnaires_bp)
    app.register_blueprint(records_bp)
    app.register_blueprint(handouts_bp)
    app.register_blueprint(cases_bp)
    app.register_blueprint(challenges_bp)
    app.register_blueprint(team_bp)
    app.register_blueprint(consent_bp)
    app.register_blueprint(messages_bp)
    app.register_blueprint(packages_bp)
    app.register_blueprint(journal_bp)
    app.register_blueprint(health_bp)

    from portal.cli import register_cli
    from portal.errors import register_error_handlers
    from portal.outage import register_outage_handlers
    from portal.security import add_security_headers
    from portal.templating import register_template_helpers

    register_cli(app)
    register_error_handlers(app)
    register_outage_handlers(app)  # after the generic handlers: a database error answers 503, not 500
    add_security_headers(app)
    register_template_helpers(app)
    watch_commits(app)  # the last before_request hook of the app
    return app


def _init_login(app: Flask) -> None:
    from portal.accounts.login import init_login

    init_login(app)
