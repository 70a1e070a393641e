"""Templates: our own templates first, then the two GOV.UK packages under their prefixes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_request_context, request, url_for
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from portal import security, timefmt
from portal.audit.wording import describe_action
from portal.auth.access import signed_in_user
from portal.auth.forms import password_hint
from portal.auth.models import Role
from portal.forms import error_summary
from portal.navigation import admin_sections, service_navigation
from portal.operations.requests import request_id
from portal.presentation import minutes_in_words, plural, possessive


def init_app(app: Flask, templates: Path) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(templates),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters.update(
        govuk_date=timefmt.govuk_date,
        govuk_time=timefmt.govuk_time,
        govuk_datetime=timefmt.govuk_datetime,
        duration=timefmt.duration,
        plural=plural,
        possessive=possessive,
    )
    app.jinja_env.globals.update(
        error_summary=error_summary,
        csp_nonce=security.csp_nonce,
        password_hint=password_hint,
        roles_for_form=list(Role),
        admin_sections=admin_sections,
        request_id=request_id,
        minutes_in_words=minutes_in_words,
    )
    app.jinja_env.filters["audit_action"] = describe_action
    app.context_processor(_service_details)


def _service_details() -> dict[str, Any]:
    """What every page's layout shows. The sign-out buttons take the session's CSRF token
    (``csrf_token()``) rather than a form built for every page."""
    config = current_app.config
    details = {
        "service_name": config["SERVICE_NAME"],
        "hub_name": config["HUB_NAME"],
        "council_name": config["COUNCIL_NAME"],
        "contact_email": config["CONTACT_EMAIL"],
        "contact_phone": config["CONTACT_PHONE"],
    }
    if has_request_context():
        user = signed_in_user()
        details["feedback_url"] = url_for("pages.feedback", from_path=request.path)
        details["current_person"] = user
        details["service_navigation"] = service_navigation(user)
    return details
