"""The applicant list as a spreadsheet: one row per application, answers in words.

The rows are the list page's (same filters, same order). Ownership answers are sensitive
(special-category for some facts), so their columns are only added when the officer asks,
and every export is recorded in the audit log with the filters' names (never their
values) and whether those columns were included.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.audit.services import record
from portal.auth.models import User
from portal.exports import Cell
from portal.presentation import plural
from portal.reference.models import ReferenceKind
from portal.registration.models import (
    Application,
    ApplicationSource,
    DeliveryPreference,
    FactAnswer,
)
from portal.registration.officer_answers import (
    ReferenceLabels,
    availability_in_words,
    conflicts_in_words,
    enum_label,
    outcome_label,
    reference_labels,
    role_label,
    yes_no,
)
from portal.registration.queries import ApplicantFilters, all_applicants
from portal.rounds.models import Round
from portal.timefmt import to_london

EXPORT_ACTION = "applicants.exported"


class ExportFormat(enum.StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


COLUMNS = (
    "Reference",
    "Status",
    "Date submitted",
    "Name",
    "Email address",
    "Phone number",
    "Role in the business",
    "Business name",
    "Companies House number",
    "Postcode",
    "District",
    "Sector",
    "SIC code",
    "Employees",
    "Turnover",
    "Started trading",
    "Type of business",
    "Business organisations",
    "Other organisations",
    "Issues",
    "Other issues",
    "Meeting in person or online",
    "Availability",
    "Businesses not in their group",
    "Show name and business to their group",
    "Contact about future programmes",
    "Eligibility",
    "Eligibility reasons",
    "Eligibility changed by an officer",
    "Another application for the same business",
    "How they applied",
    "Source reference",
)
SOURCE_LABELS = {
    ApplicationSource.ONLINE: "Online",
    ApplicationSource.ASSISTED: "Registered by an officer",
    ApplicationSource.IMPORTED: "Imported from a partner’s file",
}


def export_table(
    session: Session, programme_round: Round, filters: ApplicantFilters, *, sensitive: bool
) -> tuple[list[str], list[list[Cell]]]:
    """The header and rows of the export. With ``sensitive``, a column per ownership fact."""
    labels = reference_labels(session)
    facts = list(labels.by_kind[ReferenceKind.OWNERSHIP_FACT].items()) if sensitive else []
    found = all_applicants(session, programme_round.id, filters)
    references = {application.id: application.reference for application, _ in found}
    missing = {a.duplicate_of_id for a, _ in found if a.duplicate_of_id} - set(references)
    if missing:
        references.update(
            session.execute(
                select(Application.id, Application.reference).where(Application.id.in_(missing))
            ).all()
        )
    header = [*COLUMNS, *(f"Ownership: {label} (sensitive)" for _, label in facts)]
    rows = []
    for application, person in found:
        # An erased person's ownership answers are kept for the figures, never shown.
        answers = (
            {}
            if person.is_erased
            else {answer.fact_code: answer.answer for answer in application.ownership}
        )
        rows.append(
            [
                *_row(application, person, labels, references),
                *(enum_label(FactAnswer, answers.get(code)) for code, _ in facts),
            ]
        )
    return header, rows


def _row(
    application: Application, person: User, labels: ReferenceLabels, references: dict[int, str]
) -> Sequence[Cell]:
    submitted = (
        to_london(application.submitted_at).strftime("%Y-%m-%d %H:%M")
        if application.submitted_at
        else ""
    )
    return [
        application.reference,
        application.status.label,
        submitted,
        person.name,
        person.email,
        application.phone,
        role_label(application.role_in_business),
        application.business_name,
        application.company_number,
        application.postcode,
        labels.label(ReferenceKind.DISTRICT, application.district_code),
        labels.label(ReferenceKind.SECTOR, application.sector_code),
        application.sic_code,
        application.employees,
        application.turnover_band.label if application.turnover_band else "",
        application.started_trading_on,
        application.legal_form.label if application.legal_form else "",
        "; ".join(
            labels.labels(
                ReferenceKind.BUSINESS_ORGANISATION,
                [item.organisation_code for item in application.organisations],
            )
        ),
        application.organisations_other,
        "; ".join(labels.labels(ReferenceKind.ISSUE, [i.issue_code for i in application.issues])),
        application.issues_other,
        enum_label(DeliveryPreference, application.delivery),
        availability_in_words(application),
        "; ".join(conflicts_in_words(application)),
        yes_no(application.share_with_cohort),
        yes_no(application.contact_about_future),
        outcome_label(application.eligibility_outcome),
        " ".join(str(reason["message"]) for reason in application.eligibility_reasons),
        application.eligibility_overridden,
        references.get(application.duplicate_of_id, "") if application.duplicate_of_id else "",
        SOURCE_LABELS.get(application.source, str(application.source)),
        application.import_key,
    ]


def record_export(
    session: Session,
    *,
    actor: User,
    programme_round: Round,
    filters: ApplicantFilters,
    export_format: ExportFormat,
    sensitive: bool,
    count: int,
) -> None:
    """Note the export in the audit log: filter names, format, count, sensitive or not."""
    included = (
        "including ownership profile answers (sensitive)"
        if sensitive
        else "without ownership profile answers"
    )
    record(
        session,
        actor=actor,
        action=EXPORT_ACTION,
        entity_type="round",
        entity_id=programme_round.id,
        fields=filters.used(),
        reason=f"{export_format.value.upper()} of {plural(count, 'application')}, {included}",
    )


def export_filename(programme_round: Round, export_format: ExportFormat, today_text: str) -> str:
    name = "".join(ch if ch.isalnum() else "-" for ch in programme_round.name.lower()).strip("-")
    return f"applicants-{name}-{today_text}.{export_format.value}"
