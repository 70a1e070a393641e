"""What the officers' application page shows: the answers grouped, and the history with
who did each thing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from portal.audit.models import AuditEvent
from portal.audit.services import history
from portal.audit.wording import describe_action
from portal.auth.models import User
from portal.reference.models import ReferenceKind
from portal.registration.models import Application, ApplicationStatus, DeliveryPreference
from portal.registration.officer_answers import (
    ReferenceLabels,
    availability_by_part,
    conflicts_in_words,
    employees_in_words,
    enum_label,
    in_words,
    ownership_answers,
    role_label,
    yes_no,
)
from portal.registration.queries import people_by_id
from portal.timefmt import govuk_date

_ACTIONS = {
    "application.started": "Registration started",
    "application.answers_changed": "Answers changed",
    "application.eligibility_overridden": "Eligibility decision changed by an officer",
}


@dataclass(frozen=True)
class Section:
    title: str
    rows: list[dict[str, Any]]


@dataclass(frozen=True)
class HistoryRow:
    when: dt.datetime
    what: str
    who: str
    reason: str


def _lines(values: list[str], empty: str = "None") -> Markup:
    if not values:
        return escape(empty)
    return Markup("<br>").join(escape(value) for value in values)


def _row(key: str, value: str | Markup | None) -> dict[str, Any]:
    if isinstance(value, Markup):
        return {"key": {"text": key}, "value": {"html": value}}
    return {"key": {"text": key}, "value": {"text": value or "Not given"}}


def answer_sections(
    application: Application, person: User, labels: ReferenceLabels
) -> list[Section]:
    """The answers in groups, each a list of summary-list rows. The ownership profile is
    not among them: the page shows it separately, marked as sensitive."""
    sector = labels.label(ReferenceKind.SECTOR, application.sector_code)
    if application.sic_code:
        sector = f"{sector} (SIC code {application.sic_code})" if sector else application.sic_code
    organisations = labels.labels(
        ReferenceKind.BUSINESS_ORGANISATION,
        [item.organisation_code for item in application.organisations],
    )
    if application.organisations_other:
        organisations.append(f"Other: {application.organisations_other}")
    issues = labels.labels(ReferenceKind.ISSUE, [item.issue_code for item in application.issues])
    if application.issues_other:
        issues.append(f"Other: {application.issues_other}")
    availability = [
        _row(part.label, in_words(days) if days else "None")
        for part, days in availability_by_part(application)
    ]
    return [
        Section(
            "The person",
            [
                _row("Name", person.name),
                _row("Email address", person.email),
                _row("Phone number", application.phone),
                _row("Role in the business", role_label(application.role_in_business)),
            ],
        ),
        Section(
            "The business",
            [
                _row("Business name", application.business_name),
                _row("Companies House number", application.company_number or "None"),
                _row("Postcode", application.postcode),
                _row("District", labels.label(ReferenceKind.DISTRICT, application.district_code)),
                _row("Sector", sector),
                _row("Employees", employees_in_words(application.employees)),
                _row(
                    "Turnover",
                    application.turnover_band.label if application.turnover_band else None,
                ),
                _row(
                    "Started trading",
                    govuk_date(application.started_trading_on)
                    if application.started_trading_on
                    else None,
                ),
                _row(
                    "Type of business",
                    application.legal_form.label if application.legal_form else None,
                ),
            ],
        ),
        Section("Business organisations", [_row("Organisations", _lines(organisations))]),
        Section("Issues they want help with", [_row("Issues", _lines(issues))]),
        Section(
            "Delivery and availability",
            [
                _row(
                    "Meeting in person or online",
                    enum_label(DeliveryPreference, application.delivery) or None,
                ),
                *availability,
            ],
        ),
        Section(
            "Businesses they would not want in their group",
            [_row("Businesses", _lines(conflicts_in_words(application)))],
        ),
        Section(
            "Optional choices",
            [
                _row(
                    "Show their name and business to their group",
                    yes_no(application.share_with_cohort),
                ),
                _row(
                    "Contact them about future programmes", yes_no(application.contact_about_future)
                ),
            ],
        ),
    ]


def ownership_rows(
    application: Application, person: User, labels: ReferenceLabels
) -> list[dict[str, Any]]:
    """The ownership answers, none for an erased person (kept only as codes the figures
    count, never shown against anyone)."""
    if person.is_erased:
        return []
    return [_row(fact, answer) for _, fact, answer in ownership_answers(application, labels)]


def _who(actor: User | None, for_person: User | None, applicant: User) -> str:
    if actor is None:
        return "The portal (automatic)"
    if actor.id == applicant.id:
        return f"{actor.name} (the applicant)"
    if for_person is not None:
        return f"{actor.name}, on behalf of {for_person.name}"
    return actor.name


def _what(event: AuditEvent) -> str:
    if event.action in _ACTIONS:
        text = _ACTIONS[event.action]
    elif event.action.startswith("application."):
        value = event.action.removeprefix("application.")
        text = (
            f"Status changed to {ApplicationStatus(value).label.lower()}"
            if value in {status.value for status in ApplicationStatus}
            else describe_action(event.action)
        )
    else:
        text = describe_action(event.action)
    if event.fields and event.action == "application.answers_changed":
        text += f" ({', '.join(event.fields).replace('_', ' ')})"
    return text


@dataclass(frozen=True)
class ApplicationHistory:
    statuses: list[HistoryRow]
    events: list[HistoryRow]
    # The latest override, if an officer changed the eligibility decision.
    override: HistoryRow | None


def application_history(
    session: Session, application: Application, applicant: User
) -> ApplicationHistory:
    """The status changes and the audit log's events for the application, oldest first."""
    events = history(session, "application", application.id)
    people = people_by_id(
        session,
        {change.changed_by_id for change in application.history}
        | {event.actor_id for event in events}
        | {event.on_behalf_of_id for event in events},
    )
    statuses = [
        HistoryRow(
            when=change.changed_at,
            what=change.status.label,
            who=_who(people.get(change.changed_by_id or 0), None, applicant),
            reason=change.reason,
        )
        for change in application.history
    ]
    rows = [
        HistoryRow(
            when=event.occurred_at,
            what=_what(event),
            who=_who(
                people.get(event.actor_id or 0),
                people.get(event.on_behalf_of_id or 0),
                applicant,
            ),
            reason=event.reason or "",
        )
        for event in events
    ]
    overrides = [
        row
        for row, event in zip(rows, events, strict=True)
        if event.action == "application.eligibility_overridden"
    ]
    return ApplicationHistory(statuses, rows, overrides[-1] if overrides else None)
