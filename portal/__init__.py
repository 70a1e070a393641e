"""Boost Peer Networks: the portal through which a Growth Hub runs its Peer Networks programme."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the portal from named steps; nothing is wired at import time.

    Flask is imported here, not at the top, so that importing a pure domain module (which
    runs this package's ``__init__``) leaves Flask out of the interpreter.
    """
    from flask import Flask

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
    _init_addresses(app)
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
    from portal import (
        casestudies,
        coaching,
        jobs,
        notifications,
        operations,
        outcomes,
        privacy,
        security,
        surveys,
        tasks,
    )
    from portal.auth import sessions
    from portal.auth.access import enforce_access
    from portal.cohorts import matching_task
    from portal.cohorts import offers as cohort_offers
    from portal.earlier_rounds import import_tasks as earlier_rounds_import_tasks
    from portal.extensions import csrf, limiter, wtforms_helpers
    from portal.outcomes import board_report_task
    from portal.registration import import_tasks as applicant_import_tasks

    operations.init_app(app)  # request ids, log lines and request metrics, before all else
    csrf.init_app(app)
    limiter.init_app(app)
    wtforms_helpers.init_app(app)
    security.init_app(app)
    sessions.init_app(app)  # loads the user and ends idle sessions, before access is checked
    app.before_request(enforce_access)
    jobs.init_app(app)
    tasks.init_app(app)  # the background task queue; registers the job that watches over it
    matching_task.init_app(app)  # registers the matching run as a kind of background task
    applicant_import_tasks.init_app(app)  # the applicant import's check and import tasks
    earlier_rounds_import_tasks.init_app(app)  # and the earlier-rounds import's
    board_report_task.init_app(app)  # the board report's .docx, made as a background task
    notifications.init_app(app)  # registers the send-mail job
    cohort_offers.init_app(app)  # registers the job that lapses unanswered offers
    coaching.init_app(app)  # registers the one-to-one booking reminders job
    surveys.init_app(app)  # registers the survey invitations and reminders job
    casestudies.init_app(app)  # registers the job that ends case-study consent on time
    outcomes.init_app(app)  # registers the job that stores today's figures ahead of visits
    privacy.init_app(app)  # registers the retention job


def _init_jinja(app: Flask) -> None:
    from portal import jinja

    jinja.init_app(app, PROJECT_ROOT / "templates")


def _init_addresses(app: Flask) -> None:
    from portal import urls

    urls.init_app(app)  # before the routes: their <int:...> ids are bounded


def _register_blueprints(app: Flask) -> None:
    from portal.account.auth_views import bp as auth
    from portal.account.views import bp as account
    from portal.admin.views import bp as admin
    from portal.audit.views import bp as audit
    from portal.casestudies.case_study_drafts_views import bp as case_study_drafts
    from portal.casestudies.case_study_review_views import bp as case_study_review
    from portal.casestudies.case_study_views import bp as case_study
    from portal.casestudies.stories_views import bp as stories
    from portal.coaching.one_to_one_views import bp as one_to_one
    from portal.coaching.support_report_views import bp as support_report
    from portal.coaching.views import bp as coaching
    from portal.cohorts.cohort_changes_views import bp as cohort_changes
    from portal.cohorts.facilitation_views import bp as facilitation
    from portal.cohorts.my_cohort_views import bp as my_cohort
    from portal.cohorts.offers_views import bp as offers
    from portal.cohorts.views import bp as cohorts
    from portal.earlier_rounds.views import bp as earlier_rounds
    from portal.home.views import bp as home
    from portal.measures.views import bp as measures
    from portal.messages.standard_emails_views import bp as standard_emails
    from portal.messages.views import bp as messages
    from portal.notifications.views import bp as notifications
    from portal.operations.views import bp as operations
    from portal.outcomes.board_report_views import bp as board_report
    from portal.outcomes.money_views import bp as money
    from portal.outcomes.views import bp as outcomes
    from portal.pages.views import bp as pages
    from portal.people.businesses_views import bp as businesses
    from portal.people.cohort_delivery_views import bp as cohort_delivery
    from portal.people.views import bp as people
    from portal.reference.views import bp as reference
    from portal.registration.applicants_views import bp as applicants
    from portal.registration.views import bp as registration
    from portal.rounds.views import bp as rounds
    from portal.surveys.survey_definitions_views import bp as survey_definitions
    from portal.surveys.survey_officers_views import bp as survey_officers
    from portal.surveys.views import bp as surveys
    from portal.tasks.views import bp as tasks

    for blueprint in (
        pages,
        auth,
        account,
        admin,
        audit,
        notifications,
        operations,
        rounds,
        reference,
        registration,
        applicants,
        home,
        people,
        businesses,
        cohort_delivery,
        cohorts,
        cohort_changes,
        offers,
        facilitation,
        my_cohort,
        messages,
        standard_emails,
        coaching,
        one_to_one,
        support_report,
        surveys,
        survey_officers,
        survey_definitions,
        case_study,
        case_study_drafts,
        case_study_review,
        stories,
        earlier_rounds,
        outcomes,
        money,
        board_report,
        measures,
        tasks,
    ):
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
