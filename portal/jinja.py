"""Templates: our own templates first, then the two GOV.UK packages under their prefixes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_request_context, request, url_for
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from portal import security, timefmt
from portal.forms import error_summary


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
    )
    app.jinja_env.globals.update(error_summary=error_summary, csp_nonce=security.csp_nonce)
    app.context_processor(_service_details)


def _service_details() -> dict[str, Any]:
    config = current_app.config
    details = {
        "service_name": config["SERVICE_NAME"],
        "hub_name": config["HUB_NAME"],
        "council_name": config["COUNCIL_NAME"],
        "contact_email": config["CONTACT_EMAIL"],
        "contact_phone": config["CONTACT_PHONE"],
    }
    if has_request_context():
        details["feedback_url"] = url_for("pages.feedback", from_path=request.path)
    return details
