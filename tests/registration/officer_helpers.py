"""Sent applications for the officers' tests, made the way the service makes them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from portal.auth.models import Role, User, UserRole
from portal.registration import services
from portal.registration.eligibility import TurnoverBand
from portal.registration.import_rows import Answers
from portal.registration.imports import apply_answers
from portal.registration.models import (
    Application,
    ConflictKind,
    DeliveryPreference,
    FactAnswer,
    LegalForm,
    PartOfDay,
)
from portal.rounds.models import Round, RoundStatus
from portal.rounds.services import create_round

ELIGIBLE = {
    "role_in_business": "owner",
    "phone": "01632 960 001",
    "business_name": "Pennine Pies Ltd",
    "company_number": None,
    "postcode": "PR1 2HE",
    "district_code": "preston",
    "sector_code": "I",
    "sic_code": None,
    "employees": Decimal("12"),
    "turnover_band": TurnoverBand.FROM_250K_TO_1M,
    "started_trading_on": dt.date(2015, 3, 1),
    "legal_form": LegalForm.LIMITED_COMPANY,
    "organisations_other": "",
    "issues_other": "",
    "delivery": DeliveryPreference.EITHER,
    "share_with_cohort": True,
    "contact_about_future": False,
}


def open_round(session: Session, app: Flask, name: str = "Round 3") -> Round:
    with app.app_context():
        made = create_round(
            session,
            actor=None,
            name=name,
            year_label="2026-27",
            starts_on=dt.date(2026, 9, 1),
            ends_on=dt.date(2027, 3, 31),
            funder="Department for Business and Trade",
            grant_pence=40_000_000,
            status=RoundStatus.OPEN,
        )
    session.commit()
    return made


def person(session: Session, name: str, email: str | None = None) -> User:
    user = User(email=email or f"{name.lower().replace(' ', '.')}@example.com", name=name)
    user.role_grants = [UserRole(role=Role.PARTICIPANT)]
    session.add(user)
    session.flush()
    return user


def sent_application(
    session: Session,
    app: Flask,
    programme_round: Round,
    name: str,
    *,
    email: str | None = None,
    when: dt.datetime | None = None,
    organisations: frozenset[str] = frozenset(),
    issues: frozenset[str] = frozenset({"staffing"}),
    availability: frozenset[tuple[int, PartOfDay]] = frozenset({(0, PartOfDay.MORNING)}),
    ownership: dict[str, FactAnswer] | None = None,
    conflicts: dict[ConflictKind, tuple[str, ...]] | None = None,
    **values: Any,
) -> Application:
    """A submitted (and screened) application for a new participant, committed."""
    when = when or dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC)
    with app.app_context():
        applicant = person(session, name, email)
        application = services.start_application(
            session, person=applicant, programme_round=programme_round, now=when
        )
        apply_answers(
            application,
            Answers(
                values={**ELIGIBLE, "business_name": f"{name} Trading", **values},
                organisations=organisations,
                issues=issues,
                availability=availability,
                ownership=dict(ownership or {}),
                conflicts=dict(conflicts or {}),
            ),
        )
        session.flush()
        services.submit(
            session, application, actor=applicant, programme_round=programme_round, now=when
        )
    session.commit()
    return application
