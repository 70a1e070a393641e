"""Boost Peer Networks: the portal through which a Growth Hub runs its Peer Networks programme."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the portal from named steps; nothing is wired at import time."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("PORTAL_INSTANCE_PATH", str(PROJECT_ROOT / "instance")),
        instance_relative_config=True,
        static_folder=str(PROJECT_ROOT / "static"),
        static_url_path="/static",
    )
    _configure(app, test_config)
    _init_database(app)
    _init_extensions(app)
    _init_jinja(app)
    _register_blueprints(app)
    _register_error_handlers(app)
    _register_cli(app)
    _check_every_route_declares_access(app)
    return app


def _configure(app: Flask, test_config: dict[str, Any] | None) -> None:
    from portal import config

    config.load(app, test_config)
    os.makedirs(app.instance_path, exist_ok=True)


def _init_database(app: Flask) -> None:
    from portal import db

    db.init_app(app)


def _init_extensions(app: Flask) -> None:
    from portal import jobs, notifications, security
    from portal.auth import sessions
    from portal.auth.access import enforce_access
    from portal.extensions import csrf, limiter, mail, wtforms_helpers

    csrf.init_app(app)
    mail.init_app(app)
    limiter.init_app(app)
    wtforms_helpers.init_app(app)
    security.init_app(app)
    sessions.init_app(app)  # loads the user and ends idle sessions, before access is checked
    app.before_request(enforce_access)
    jobs.init_app(app)
    notifications.init_app(app)  # registers the send-mail job


def _init_jinja(app: Flask) -> None:
    from portal import jinja

    jinja.init_app(app, PROJECT_ROOT / "templates")


def _register_blueprints(app: Flask) -> None:
    from portal.account.views import bp as account
    from portal.admin.views import bp as admin
    from portal.audit.views import bp as audit
    from portal.auth.views import bp as auth
    from portal.notifications import bp as notifications
    from portal.pages.views import bp as pages
    from portal.reference.views import bp as reference
    from portal.rounds.views import bp as rounds

    for blueprint in (pages, auth, account, admin, audit, notifications, rounds, reference):
        app.register_blueprint(blueprint)


def _register_error_handlers(app: Flask) -> None:
    from portal import errors

    errors.init_app(app)


def _register_cli(app: Flask) -> None:
    from portal.cli import portal_group

    app.cli.add_command(portal_group)


def _check_every_route_declares_access(app: Flask) -> None:
    from portal.auth.access import undeclared_endpoints

    missing = undeclared_endpoints(app)
    if missing:
        raise RuntimeError(f"These endpoints declare no access rule: {', '.join(missing)}")
