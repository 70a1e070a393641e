"""The registration journey: each question page's form, and how it loads and saves.

Each step is one page with one purpose. A step knows how to fill its form from the
application and how to store the answers (returning the names of what changed), so the
applicant's pages and an officer's "on behalf" pages share one definition. The pages' order,
headings and short names are in ``portal.registration.questions``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from portal.forms import PortalForm
from portal.reference.models import ReferenceKind
from portal.reference.services import active_items
from portal.registration import forms
from portal.registration.duplicates import normalise_company_number
from portal.registration.eligibility import TurnoverBand
from portal.registration.forms import CONTACT_ABOUT_FUTURE, SHARE_WITH_COHORT, names_from
from portal.registration.models import (
    Application,
    ApplicationIssue,
    ApplicationOrganisation,
    Availability,
    ConflictKind,
    DeclaredConflict,
    DeliveryPreference,
    FactAnswer,
    LegalForm,
    OwnershipAnswer,
    PartOfDay,
)
from portal.registration.postcodes import normalise_postcode
from portal.registration.questions import QUESTIONS, next_question

FormFactory = Callable[[Session, Application, bool], PortalForm]
Saver = Callable[[Session, Application, PortalForm], list[str]]


@dataclass(frozen=True)
class Step:
    slug: str
    title: str  # the page's heading: the question, or what the page is about
    make_form: FormFactory  # (session, application, submitted) -> form
    save: Saver
    # A short name for the check answers page.
    summary: str


def _set(application: Application, changes: dict[str, Any]) -> list[str]:
    changed = [name for name, value in changes.items() if getattr(application, name) != value]
    for name in changed:
        setattr(application, name, changes[name])
    return changed


def _simple(
    form_class: type[PortalForm], fields: dict[str, Callable[[Any], Any]]
) -> tuple[FormFactory, Saver]:
    """A step whose fields map one to one onto application columns.

    ``fields`` maps a form field to a function turning the form's value into the column's.
    """

    def make_form(session: Session, application: Application, submitted: bool) -> PortalForm:
        if submitted:
            return form_class()
        data = {}
        for name in fields:
            value = getattr(application, name)
            data[name] = value.value if hasattr(value, "value") else value
        return form_class(data={k: v for k, v in data.items() if v is not None})

    def save(session: Session, application: Application, form: PortalForm) -> list[str]:
        return _set(
            application, {name: convert(form[name].data) for name, convert in fields.items()}
        )

    return make_form, save


def _reference_form(
    form_class: type[PortalForm],
    kind: ReferenceKind,
    keyword: str,
    load: Callable[[Application], dict[str, Any]],
) -> FormFactory:
    def make_form(session: Session, application: Application, submitted: bool) -> PortalForm:
        options = {keyword: active_items(session, kind)}
        if submitted:
            return form_class(**options)
        return form_class(data=load(application), **options)

    return make_form


# Location


def _load_location(application: Application) -> dict[str, Any]:
    return {"postcode": application.postcode, "district": application.district_code}


def _save_location(session: Session, application: Application, form: PortalForm) -> list[str]:
    return _set(
        application,
        {
            "postcode": normalise_postcode(form["postcode"].data),
            "district_code": form["district"].data,
        },
    )


# Sector


def _load_sector(application: Application) -> dict[str, Any]:
    return {"sector": application.sector_code, "sic_code": application.sic_code}


def _save_sector(session: Session, application: Application, form: PortalForm) -> list[str]:
    return _set(
        application,
        {"sector_code": form["sector"].data, "sic_code": form["sic_code"].data or None},
    )


# Ownership profile


def _ownership_form(session: Session, application: Application, submitted: bool) -> PortalForm:
    facts = active_items(session, ReferenceKind.OWNERSHIP_FACT)
    if submitted:
        return forms.ownership_form(facts)
    data = {f"fact_{answer.fact_code}": answer.answer.value for answer in application.ownership}
    return forms.ownership_form(facts, data=data)


def _save_ownership(session: Session, application: Application, form: PortalForm) -> list[str]:
    wanted = {
        name.removeprefix("fact_"): FactAnswer(field.data)
        for name, field in form._fields.items()
        if name.startswith("fact_")
    }
    existing = {answer.fact_code: answer for answer in application.ownership}
    changed = False
    for code, answer in wanted.items():
        if code in existing:
            if existing[code].answer != answer:
                existing[code].answer = answer
                changed = True
        else:
            application.ownership.append(OwnershipAnswer(fact_code=code, answer=answer))
            changed = True
    return ["ownership"] if changed else []


# Organisations and issues: codes from reference lists plus words of their own


def _load_organisations(application: Application) -> dict[str, Any]:
    return {
        "organisations": [item.organisation_code for item in application.organisations],
        "organisations_other": application.organisations_other,
    }


def _save_organisations(session: Session, application: Application, form: PortalForm) -> list[str]:
    changed = _set(application, {"organisations_other": form["organisations_other"].data or ""})
    codes = set(form["organisations"].data or [])
    if codes != {item.organisation_code for item in application.organisations}:
        application.organisations = [
            item for item in application.organisations if item.organisation_code in codes
        ] + [
            ApplicationOrganisation(organisation_code=code)
            for code in sorted(
                codes - {item.organisation_code for item in application.organisations}
            )
        ]
        changed.append("organisations")
    return changed


def _load_issues(application: Application) -> dict[str, Any]:
    return {
        "issues": [item.issue_code for item in application.issues],
        "issues_other": application.issues_other,
    }


def _save_issues(session: Session, application: Application, form: PortalForm) -> list[str]:
    changed = _set(application, {"issues_other": form["issues_other"].data or ""})
    codes = set(form["issues"].data or [])
    current = {item.issue_code for item in application.issues}
    if codes != current:
        application.issues = [item for item in application.issues if item.issue_code in codes] + [
            ApplicationIssue(issue_code=code) for code in sorted(codes - current)
        ]
        changed.append("issues")
    return changed


# Availability: one checkboxes question per part of the day, listing weekdays


def _availability_form(session: Session, application: Application, submitted: bool) -> PortalForm:
    if submitted:
        return forms.AvailabilityForm()
    data: dict[str, list[str]] = {part.value: [] for part in PartOfDay}
    for slot in application.availability:
        data[slot.part_of_day.value].append(str(slot.weekday))
    return forms.AvailabilityForm(data=data)


def _save_availability(session: Session, application: Application, form: PortalForm) -> list[str]:
    wanted = {
        (int(day), part)
        for part in PartOfDay
        for day in (form[part.value].data or [])
        if day.isdigit() and int(day) < len(forms.WEEKDAYS)
    }
    current = {(slot.weekday, slot.part_of_day) for slot in application.availability}
    if wanted == current:
        return []
    application.availability = [
        slot for slot in application.availability if (slot.weekday, slot.part_of_day) in wanted
    ] + [Availability(weekday=day, part_of_day=part) for day, part in sorted(wanted - current)]
    return ["availability"]


# Businesses they would not want in their group


_CONFLICT_FIELDS = {
    "competitors": ConflictKind.COMPETITOR,
    "customers": ConflictKind.CUSTOMER,
    "suppliers": ConflictKind.SUPPLIER,
}


def _conflicts_form(session: Session, application: Application, submitted: bool) -> PortalForm:
    if submitted:
        return forms.ConflictsForm()
    data = {
        field: "\n".join(c.business_name for c in application.conflicts if c.kind == kind)
        for field, kind in _CONFLICT_FIELDS.items()
    }
    return forms.ConflictsForm(data=data)


def _save_conflicts(session: Session, application: Application, form: PortalForm) -> list[str]:
    wanted = [
        (name, kind)
        for field, kind in _CONFLICT_FIELDS.items()
        for name in names_from(form[field].data)
    ]
    current = [(c.business_name, c.kind) for c in application.conflicts]
    if wanted == current:
        return []
    application.conflicts = [
        DeclaredConflict(business_name=name, kind=kind) for name, kind in wanted
    ]
    return ["conflicts"]


# Optional choices


def _choices_form(session: Session, application: Application, submitted: bool) -> PortalForm:
    if submitted:
        return forms.ChoicesForm()
    chosen = [
        value
        for value, flag in (
            (SHARE_WITH_COHORT, application.share_with_cohort),
            (CONTACT_ABOUT_FUTURE, application.contact_about_future),
        )
        if flag
    ]
    return forms.ChoicesForm(data={"choices": chosen})


def _save_choices(session: Session, application: Application, form: PortalForm) -> list[str]:
    chosen = set(form["choices"].data or [])
    return _set(
        application,
        {
            "share_with_cohort": SHARE_WITH_COHORT in chosen,
            "contact_about_future": CONTACT_ABOUT_FUTURE in chosen,
        },
    )


_role = _simple(forms.RoleForm, {"role_in_business": str})
_phone = _simple(forms.PhoneForm, {"phone": str})
_turnover = _simple(forms.TurnoverForm, {"turnover_band": TurnoverBand})
_trading = _simple(forms.TradingForm, {"started_trading_on": lambda value: value})
_legal_form = _simple(forms.LegalFormForm, {"legal_form": LegalForm})
_delivery = _simple(forms.DeliveryForm, {"delivery": DeliveryPreference})


def _business_form(session: Session, application: Application, submitted: bool) -> PortalForm:
    if submitted:
        return forms.BusinessForm()
    return forms.BusinessForm(
        data={
            "business_name": application.business_name,
            "company_number": application.company_number,
        }
    )


def _save_business(session: Session, application: Application, form: PortalForm) -> list[str]:
    return _set(
        application,
        {
            "business_name": form["business_name"].data,
            "company_number": normalise_company_number(form["company_number"].data),
        },
    )


def _employees_form(session: Session, application: Application, submitted: bool) -> PortalForm:
    if submitted:
        return forms.EmployeesForm()
    value = application.employees
    shown = None if value is None else (str(int(value)) if value == int(value) else str(value))
    return forms.EmployeesForm(data={"employees": shown})


def _save_employees(session: Session, application: Application, form: PortalForm) -> list[str]:
    return _set(application, {"employees": Decimal(form["employees"].data)})


# Each question page's form and how it saves, by the question's slug.
_PAGES: dict[str, tuple[FormFactory, Saver]] = {
    "role": _role,
    "phone": _phone,
    "business": (_business_form, _save_business),
    "location": (
        _reference_form(forms.LocationForm, ReferenceKind.DISTRICT, "districts", _load_location),
        _save_location,
    ),
    "sector": (
        _reference_form(forms.SectorForm, ReferenceKind.SECTOR, "sectors", _load_sector),
        _save_sector,
    ),
    "employees": (_employees_form, _save_employees),
    "turnover": _turnover,
    "trading": _trading,
    "legal-form": _legal_form,
    "ownership": (_ownership_form, _save_ownership),
    "organisations": (
        _reference_form(
            forms.OrganisationsForm,
            ReferenceKind.BUSINESS_ORGANISATION,
            "organisations",
            _load_organisations,
        ),
        _save_organisations,
    ),
    "issues": (
        _reference_form(forms.IssuesForm, ReferenceKind.ISSUE, "issues", _load_issues),
        _save_issues,
    ),
    "delivery": _delivery,
    "availability": (_availability_form, _save_availability),
    "conflicts": (_conflicts_form, _save_conflicts),
    "choices": (_choices_form, _save_choices),
}
STEPS: list[Step] = [
    Step(question.slug, question.title, *_PAGES[question.slug], question.summary)
    for question in QUESTIONS
]
STEP_BY_SLUG = {step.slug: step for step in STEPS}


def next_step(application: Application, after: Step | None = None) -> Step | None:
    """The next question not answered yet (after ``after``, if given), or None when done."""
    question = next_question(application.answered_steps, after.slug if after else None)
    return STEP_BY_SLUG[question.slug] if question is not None else None


def previous_step(step: Step) -> Step | None:
    index = STEPS.index(step)
    return STEPS[index - 1] if index > 0 else None


def is_complete(application: Application) -> bool:
    return all(step.slug in application.answered_steps for step in STEPS)


def mark_answered(application: Application, step: Step) -> None:
    if step.slug not in application.answered_steps:
        application.answered_steps = [*application.answered_steps, step.slug]
