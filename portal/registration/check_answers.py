"""The "Check your answers" page: each answer in words with a link to change it."""

from __future__ import annotations

from typing import Any, Protocol

from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from portal.reference.models import ReferenceKind
from portal.registration import journey
from portal.registration.models import Application
from portal.registration.officer_answers import (
    availability_by_part,
    conflicts_in_words,
    employees_in_words,
    in_words,
    ownership_answers,
    reference_labels,
    role_label,
)
from portal.timefmt import govuk_date


class StepLinks(Protocol):
    def step_url(self, step: journey.Step, change: bool = False) -> str: ...


def _lines(values: list[str]) -> Markup:
    return Markup("<br>").join(escape(value) for value in values) if values else Markup("None")


def check_answer_sections(
    session: Session, application: Application, links: StepLinks
) -> list[tuple[str, list[dict[str, Any]]]]:
    """Sections of summary-list rows, each row with a change link to its question page."""
    labels = reference_labels(session)

    def row(key: str, value: str | Markup, step: str) -> dict[str, Any]:
        return {
            "key": {"text": key},
            "value": {"html": value if isinstance(value, Markup) else escape(value)},
            "actions": {
                "items": [
                    {
                        "href": links.step_url(journey.STEP_BY_SLUG[step], change=True),
                        "text": "Change",
                        "visuallyHiddenText": key.lower(),
                    }
                ]
            },
        }

    sector = [labels.label(ReferenceKind.SECTOR, application.sector_code)]
    if application.sic_code:
        sector.append(f"SIC code {application.sic_code}")
    organisations = labels.labels(
        ReferenceKind.BUSINESS_ORGANISATION,
        [i.organisation_code for i in application.organisations],
    ) + ([application.organisations_other] if application.organisations_other else [])
    issues = labels.labels(ReferenceKind.ISSUE, [i.issue_code for i in application.issues]) + (
        [application.issues_other] if application.issues_other else []
    )
    times = [
        f"{part.label.split(' (')[0]}: {in_words(days)}"
        for part, days in availability_by_part(application)
        if days
    ]
    choices = []
    if application.share_with_cohort:
        choices.append("Show my name and business to my group")
    if application.contact_about_future:
        choices.append("Contact me about future programmes")
    return [
        (
            "About you",
            [
                row("Your role", role_label(application.role_in_business), "role"),
                row("Phone number", application.phone or "", "phone"),
            ],
        ),
        (
            "About the business",
            [
                row("Business name", application.business_name or "", "business"),
                row("Companies House number", application.company_number or "None", "business"),
                row("Postcode", application.postcode or "", "location"),
                row(
                    "Area",
                    labels.label(ReferenceKind.DISTRICT, application.district_code),
                    "location",
                ),
                row("What it does", _lines(sector), "sector"),
                row("People working in it", employees_in_words(application.employees), "employees"),
                row(
                    "Turnover",
                    application.turnover_band.label if application.turnover_band else "",
                    "turnover",
                ),
                row(
                    "Started trading",
                    govuk_date(application.started_trading_on)
                    if application.started_trading_on
                    else "",
                    "trading",
                ),
                row(
                    "Type of business",
                    application.legal_form.label if application.legal_form else "",
                    "legal-form",
                ),
                row(
                    "Ownership",
                    _lines(
                        [
                            f"{fact}: {answer.lower()}"
                            for _, fact, answer in ownership_answers(application, labels)
                        ]
                    ),
                    "ownership",
                ),
                row("Organisations", _lines(organisations), "organisations"),
            ],
        ),
        (
            "Your group",
            [
                row("Help wanted with", _lines(issues), "issues"),
                row(
                    "Meeting your group",
                    application.delivery.label if application.delivery else "",
                    "delivery",
                ),
                row("When you could meet", _lines(times), "availability"),
                row(
                    "Businesses not in your group",
                    _lines(conflicts_in_words(application)),
                    "conflicts",
                ),
                row("Your choices", _lines(choices), "choices"),
            ],
        ),
    ]
