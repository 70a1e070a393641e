"""The service navigation: the sections a signed-in person can use, by role.

Each feature adds its section here, so the menu is defined in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, request, url_for
from sqlalchemy import select

from portal import db
from portal.auth.models import Role, User
from portal.cohorts.models import Place


@dataclass(frozen=True)
class Section:
    text: str
    endpoint: str
    roles: frozenset[Role]  # empty: everyone signed in
    # Endpoints whose pages belong to this section (for highlighting), by prefix.
    prefix: str
    # For participants: shown only once it applies (see ``_participant_stage``).
    needs: str = ""


# What a participant's sections need: an offer of a place, or a place they took.
HAS_OFFER = "offer"
HAS_PLACE = "place"


SECTIONS = [
    Section(
        "Your registration", "registration.start", frozenset({Role.PARTICIPANT}), "registration."
    ),
    Section("Home", "home.index", frozenset({Role.OFFICER, Role.CONTRACTOR_LEAD}), "home."),
    Section("Applicants", "applicants.index", frozenset({Role.OFFICER}), "applicants."),
    Section(
        "People",
        "people.search",
        frozenset({Role.OFFICER, Role.CONTRACTOR_LEAD}),
        "people.",
    ),
    Section("Cohorts", "cohorts.index", frozenset({Role.OFFICER}), "cohorts."),
    Section(
        "Your cohorts",
        "cohort_delivery.index",
        frozenset({Role.CONTRACTOR_LEAD}),
        "cohort_delivery.",
    ),
    Section("Your offers", "offers.mine", frozenset({Role.PARTICIPANT}), "offers.", HAS_OFFER),
    Section(
        "Your cohort", "my_cohort.index", frozenset({Role.PARTICIPANT}), "my_cohort.", HAS_PLACE
    ),
    Section("Your cohorts", "facilitation.index", frozenset({Role.FACILITATOR}), "facilitation."),
    Section(
        "One-to-one support",
        "one_to_one.index",
        frozenset({Role.PARTICIPANT}),
        "one_to_one.",
        HAS_PLACE,
    ),
    Section("Your diary", "coaching.diary_page", frozenset({Role.COACH}), "coaching."),
    Section(
        "One-to-one support",
        "support_report.index",
        frozenset({Role.OFFICER, Role.CONTRACTOR_LEAD}),
        "support_report.",
    ),
    Section(
        "Your story", "case_study.index", frozenset({Role.PARTICIPANT}), "case_study.", HAS_PLACE
    ),
    Section(
        "Case studies",
        "case_study_drafts.index",
        frozenset({Role.FACILITATOR}),
        "case_study_drafts.",
    ),
    Section("Surveys", "survey_officers.index", frozenset({Role.OFFICER}), "survey_"),
    Section("Messages", "messages.index", frozenset({Role.OFFICER, Role.FACILITATOR}), "messages."),
    Section(
        "Case studies", "case_study_review.index", frozenset({Role.OFFICER}), "case_study_review."
    ),
    Section(
        "Outcomes",
        "outcomes.dashboard",
        frozenset({Role.OFFICER, Role.ADMIN, Role.CONTRACTOR_LEAD}),
        "outcomes.",
    ),
    Section("Rounds", "rounds.index", frozenset({Role.OFFICER}), "rounds."),
    Section(
        "Board report", "board_report.index", frozenset({Role.OFFICER, Role.ADMIN}), "board_report."
    ),
    Section("Service measures", "measures.index", frozenset({Role.OFFICER}), "measures."),
    Section("Administration", "admin.index", frozenset({Role.ADMIN}), "admin."),
    Section("Your account", "account.home", frozenset(), "account."),
]


def place_held() -> None:
    """Tell the menu that the signed-in participant holds an accepted place (read by the
    page already), so it need not ask the database what applies to them."""
    g.portal_participant_stage = {HAS_OFFER, HAS_PLACE}


def _participant_stage(user: User) -> set[str]:
    """What applies to this participant so far (one query, unless the page said): any offer
    of a place, and a place they took (held now, or left)."""
    if not user.has_role(Role.PARTICIPANT):
        return set()
    if "portal_participant_stage" in g:
        return set(g.portal_participant_stage)
    accepted = db.session.execute(select(Place.accepted_at).where(Place.person_id == user.id)).all()
    stage = {HAS_OFFER} if accepted else set()
    if any(row.accepted_at is not None for row in accepted):
        stage.add(HAS_PLACE)
    return stage


def service_navigation(user: User | None) -> list[dict[str, object]]:
    if user is None:
        return []
    endpoint = request.endpoint or ""
    stage = _participant_stage(user)
    return [
        {
            "text": section.text,
            "href": _address(section.endpoint),
            "active": endpoint.startswith(section.prefix),
        }
        for section in SECTIONS
        if (not section.roles or user.has_role(*section.roles))
        and (not section.needs or section.needs in stage)
    ]


def _address(endpoint: str) -> str:
    """The menu's links, worked out once per app (and mount point) rather than per page."""
    found: dict[tuple[str, str], str] = current_app.extensions.setdefault(
        "portal.navigation_addresses", {}
    )
    key = (request.script_root, endpoint)
    if key not in found:
        found[key] = url_for(endpoint)
    return found[key]


@dataclass(frozen=True)
class AdminSection:
    text: str
    endpoint: str
    description: str


ADMIN_SECTIONS = [
    AdminSection(
        "Users", "admin.users", "Invite people, change their roles and deactivate accounts."
    ),
    AdminSection(
        "Contractors", "admin.contractors", "The delivery organisations and their people."
    ),
    AdminSection("Rounds", "rounds.index", "Programme years, their funding and their settings."),
    AdminSection(
        "Money", "money.index", "Contractors’ contract values and spend, and each round’s cost."
    ),
    AdminSection(
        "Reference data", "reference.index", "Districts, sectors, issues and other lists."
    ),
    AdminSection("Outbox", "notifications.index", "Emails waiting to be sent or that failed."),
    AdminSection("Audit log", "audit.events", "Who did what, and when."),
    AdminSection(
        "Service status", "operations.status_page", "The database, email and scheduled jobs."
    ),
    AdminSection(
        "Service measures",
        "measures.index",
        "Registrations started and completed, where people stopped, and feedback.",
    ),
]


def admin_sections() -> list[dict[str, str]]:
    """The administration sections this deployment has (features add theirs above)."""
    return [
        {"text": s.text, "href": url_for(s.endpoint), "description": s.description}
        for s in ADMIN_SECTIONS
        if s.endpoint in current_app.view_functions
    ]
