"""Applications: starting, answering, submitting, eligibility, status changes, withdrawal.

Functions flush and never commit. Every status change goes through ``set_status``, which
is guarded against a concurrent request (portal.state_changes) and records who, when and
why, in the application's history and the audit log.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Collection, Iterable, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.audit.services import record
from portal.auth.models import User
from portal.db import found_or_404
from portal.notifications.services import queue_email
from portal.registration import eligibility
from portal.registration.duplicates import match_key, normalise_company_number
from portal.registration.eligibility import ApplicantFacts, Outcome, PreviousParticipation
from portal.registration.models import (
    ACTIVE_STATUSES,
    CHANGEABLE_STATUSES,
    Application,
    ApplicationSource,
    ApplicationStatus,
    Business,
    StatusChange,
)
from portal.rounds.models import Round
from portal.state_changes import Audit, StatusConflict, change_status, claim
from portal.urls import external_url

# The district answer for a business outside every district the hub serves.
OUTSIDE_AREA = "outside"
_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# Statuses that follow from the eligibility check (before an officer places the person).
_SCREENING_STATUSES = frozenset(
    {
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.ELIGIBLE,
        ApplicationStatus.INELIGIBLE,
        ApplicationStatus.NEEDS_REVIEW,
    }
)
_STATUS_FOR_OUTCOME = {
    Outcome.ELIGIBLE: ApplicationStatus.ELIGIBLE,
    Outcome.INELIGIBLE: ApplicationStatus.INELIGIBLE,
    Outcome.NEEDS_REVIEW: ApplicationStatus.NEEDS_REVIEW,
}


_NOT_SCREENING = (
    "Eligibility can only be changed before a place is offered or the person withdraws."
)
_HAS_PLACE = "You have a place in a group. To leave it, use the leave option on your group's page."


class RegistrationError(Exception):
    """A rule stopped the change; the message is written for the person to read."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def random_reference() -> str:
    """A reference people can read out on the phone, like PN-7K3M-Q9TD (perhaps used)."""
    code = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"PN-{code[:4]}-{code[4:]}"


def new_reference(session: Session) -> str:
    """A reference people can read out on the phone, like PN-7K3M-Q9TD, not yet used."""
    while True:
        reference = random_reference()
        if session.scalar(select(Application.id).where(Application.reference == reference)) is None:
            return reference


def active_application(
    session: Session, person: User, programme_round: Round
) -> Application | None:
    return session.scalar(
        select(Application).where(
            Application.round_id == programme_round.id,
            Application.person_id == person.id,
            Application.status != ApplicationStatus.WITHDRAWN,
        )
    )


def get_application(session: Session, application_id: int) -> Application:
    return found_or_404(session, Application, application_id)


def start_application(
    session: Session,
    *,
    person: User,
    programme_round: Round,
    now: dt.datetime,
    source: ApplicationSource = ApplicationSource.ONLINE,
    created_by: User | None = None,
) -> Application:
    """The person's draft for the round, created if they have none.

    Side effects: flushes a new Application and its first StatusChange.
    """
    existing = active_application(session, person, programme_round)
    if existing is not None:
        return existing
    application = Application(
        reference=new_reference(session),
        round_id=programme_round.id,
        person_id=person.id,
        status=ApplicationStatus.DRAFT,
        status_changed_at=now,
        source=source,
        created_by_id=created_by.id if created_by else None,
        created_at=now,
        updated_at=now,
        organisations_other="",
        issues_other="",
        withdrawn_reason="",
        eligibility_reasons=[],
        eligibility_overridden=False,
        answered_steps=[],
    )
    application.history = [
        StatusChange(
            status=ApplicationStatus.DRAFT,
            changed_at=now,
            changed_by_id=created_by.id if created_by else person.id,
        )
    ]
    session.add(application)
    session.flush()
    record(
        session,
        actor=created_by or person,
        on_behalf_of=person if created_by else None,
        action="application.started",
        entity_type="application",
        entity_id=application.id,
    )
    return application


def can_change_answers(application: Application) -> bool:
    return application.status in CHANGEABLE_STATUSES


def record_answers_changed(
    session: Session,
    application: Application,
    *,
    actor: User,
    fields: Iterable[str],
    programme_round: Round,
    now: dt.datetime,
) -> None:
    """After answers change: note it in the audit log and, once submitted, check again.

    Raises RegistrationError if the answers can no longer be changed, and StatusConflict
    if the status changed since this request loaded it.
    """
    if not can_change_answers(application):
        raise RegistrationError("You cannot change your answers now that you have a place.")
    # The answers count only if the status is still the one this request saw: a place
    # offered meanwhile (another request) stops them, as it would have stopped the page.
    claim(
        session,
        application,
        application.status,
        allowed_from=CHANGEABLE_STATUSES,
        values={"updated_at": now},
    )
    changed = sorted(set(fields))
    if not changed:
        return
    person = session.get(User, application.person_id)
    record(
        session,
        actor=actor,
        on_behalf_of=person if actor.id != application.person_id else None,
        action="application.answers_changed",
        entity_type="application",
        entity_id=application.id,
        fields=changed,
    )
    if application.status != ApplicationStatus.DRAFT:
        _link_business(session, application, now)
        _screen(session, application, programme_round, actor=actor, now=now)


def facts_for(session: Session, application: Application) -> ApplicantFacts:
    """What the eligibility rules look at, from the answers. The application must be complete."""
    assert application.turnover_band is not None
    assert application.started_trading_on is not None
    return ApplicantFacts(
        district=None if application.district_code == OUTSIDE_AREA else application.district_code,
        role=application.role_in_business or "",
        employees=float(application.employees or Decimal(0)),
        turnover=application.turnover_band,
        started_trading_on=application.started_trading_on,
        sector=application.sector_code,
        previous_participation=previous_participation(session, application),
        other_active_applications=other_applications_from_business(session, application),
    )


def previous_participation(session: Session, application: Application) -> PreviousParticipation:
    """What the person did in earlier rounds: placed in one counts as having taken part.

    Completion comes from cohort attendance, which the cohorts feature adds.
    """
    earlier = session.scalar(
        select(func.count())
        .select_from(Application)
        .join(Round, Round.id == Application.round_id)
        .where(
            Application.person_id == application.person_id,
            Application.round_id != application.round_id,
            Application.status == ApplicationStatus.PLACED,
        )
    )
    return PreviousParticipation.TOOK_PART if earlier else PreviousParticipation.NONE


def other_applications_from_business(session: Session, application: Application) -> int:
    """Active, submitted applications for the same business in the round, made before this one."""
    if application.business_id is None:
        return 0
    return int(
        session.scalar(
            select(func.count())
            .select_from(Application)
            .where(
                Application.round_id == application.round_id,
                Application.business_id == application.business_id,
                Application.id != application.id,
                Application.id < application.id,
                Application.status.in_(ACTIVE_STATUSES - {ApplicationStatus.DRAFT}),
            )
        )
        or 0
    )


def _link_business(session: Session, application: Application, now: dt.datetime) -> None:
    """Find the lasting business record for the answers, or create it, and note duplicates."""
    number = normalise_company_number(application.company_number)
    key = match_key(application.business_name or "", application.postcode)
    business = None
    if number:
        business = session.scalar(select(Business).where(Business.company_number == number))
    if business is None and key:
        business = session.scalar(select(Business).where(Business.match_key == key))
    if business is None:
        business = Business(
            name=application.business_name or "",
            company_number=number,
            postcode=application.postcode,
            match_key=key,
            created_at=now,
            updated_at=now,
        )
        session.add(business)
        session.flush()
    else:
        business.company_number = business.company_number or number
        business.updated_at = now
    application.business_id = business.id
    application.duplicate_of_id = session.scalar(
        select(Application.id)
        .where(
            Application.round_id == application.round_id,
            Application.business_id == business.id,
            Application.id != application.id,
            Application.status.in_(ACTIVE_STATUSES - {ApplicationStatus.DRAFT}),
        )
        .order_by(Application.id)
        .limit(1)
    )


def _screen(
    session: Session,
    application: Application,
    programme_round: Round,
    *,
    actor: User | None,
    now: dt.datetime,
) -> None:
    """Run the round's rules on the answers and move the status to match.

    An officer's override stands until they change it; a person already offered a place,
    placed or waitlisted keeps that status.
    """
    result = eligibility.assess(
        facts_for(session, application),
        eligibility.EligibilityRules.from_round(programme_round),
        now.date(),
    )
    application.eligibility_outcome = result.outcome
    application.eligibility_reasons = [
        {"code": reason.code.value, "message": reason.message, "borderline": reason.borderline}
        for reason in result.reasons
    ]
    application.eligibility_checked_at = now
    if application.eligibility_overridden or application.status not in _SCREENING_STATUSES:
        return
    wanted = _STATUS_FOR_OUTCOME[result.outcome]
    if application.status != wanted:
        set_status(
            session,
            application,
            wanted,
            actor=None,
            now=now,
            reason="Answers checked",
            allowed_from=_SCREENING_STATUSES,
        )


def submit(
    session: Session,
    application: Application,
    *,
    actor: User,
    programme_round: Round,
    now: dt.datetime,
) -> bool:
    """Send a complete draft: link the business, check eligibility, confirm by email.
    True if this call sent it; False if it had been sent already (a second click, another
    tab, an officer at the same moment), when nothing is changed.

    Side effects: status changes, a confirmation email queued, audit events.
    """
    if application.status != ApplicationStatus.DRAFT:
        return False
    person = session.get(User, application.person_id)
    assert person is not None
    try:
        set_status(
            session,
            application,
            ApplicationStatus.SUBMITTED,
            actor=actor,
            now=now,
            on_behalf_of=person if actor.id != person.id else None,
            allowed_from={ApplicationStatus.DRAFT},
            values={"submitted_at": now},
        )
    except StatusConflict:
        return False
    _link_business(session, application, now)
    _screen(session, application, programme_round, actor=actor, now=now)
    queue_email(
        session,
        to=person,
        subject=f"We have your registration: {application.reference}",
        template="registration_received",
        context={
            "name": person.name,
            "reference": application.reference,
            "round_name": programme_round.name,
            "status": application.status.for_applicant,
            "url": external_url("registration.status"),
            "assisted": application.source == ApplicationSource.ASSISTED,
            "imported": application.source == ApplicationSource.IMPORTED,
        },
    )
    return True


def set_status(
    session: Session,
    application: Application,
    status: ApplicationStatus,
    *,
    actor: User | None,
    now: dt.datetime,
    reason: str = "",
    on_behalf_of: User | None = None,
    allowed_from: Collection[ApplicationStatus] | None = None,
    values: Mapping[str, Any] | None = None,
) -> None:
    """The one way an application's status changes: guarded (portal.state_changes), with
    one history row and one audit event. Nothing happens if it is already ``status``.

    Raises StatusConflict if the status is not in ``allowed_from`` or another request
    changed it since this one loaded it. ``values``: other columns set with the status.
    """
    if application.status == status:
        return
    change_status(
        session,
        application,
        status,
        now=now,
        allowed_from=allowed_from,
        values=values,
        history=StatusChange(
            status=status,
            changed_at=now,
            changed_by_id=actor.id if actor else None,
            reason=reason,
        ),
        audit=Audit(
            actor,
            f"application.{status.value}",
            "application",
            reason=reason or None,
            on_behalf_of=on_behalf_of,
        ),
    )


def override_eligibility(
    session: Session,
    application: Application,
    *,
    actor: User,
    eligible: bool,
    reason: str,
    now: dt.datetime,
) -> None:
    """An officer's decision that replaces the rules' result, with the reason recorded."""
    person = session.get(User, application.person_id)
    if person is not None and person.is_erased:  # nothing new about an erased person
        raise RegistrationError("This person's data has been erased: their registration is closed")
    if application.status not in _SCREENING_STATUSES:
        raise RegistrationError(_NOT_SCREENING)
    status = ApplicationStatus.ELIGIBLE if eligible else ApplicationStatus.INELIGIBLE
    try:
        if application.status == status:
            claim(session, application, status, values={"eligibility_overridden": True})
        else:
            set_status(
                session,
                application,
                status,
                actor=actor,
                now=now,
                reason=reason,
                allowed_from=_SCREENING_STATUSES,
                values={"eligibility_overridden": True},
            )
    except StatusConflict as conflict:
        raise RegistrationError(
            _NOT_SCREENING
            if conflict.current not in _SCREENING_STATUSES
            else "This registration changed while you were looking at it. Check it again."
        ) from conflict
    record(
        session,
        actor=actor,
        action="application.eligibility_overridden",
        entity_type="application",
        entity_id=application.id,
        fields=["eligibility"],
        reason=reason,
    )


def withdraw(
    session: Session,
    application: Application,
    *,
    actor: User,
    reason: str,
    now: dt.datetime,
) -> None:
    """Withdraw the registration, unless the person has a place (they leave their group
    instead). Withdrawing twice at the same moment withdraws once.

    Raises RegistrationError when they have a place, or when the registration changed
    while they were withdrawing. Side effects: the status change, its history row and
    audit event.
    """
    if application.status == ApplicationStatus.WITHDRAWN:
        return
    if application.status == ApplicationStatus.PLACED:
        raise RegistrationError(_HAS_PLACE)
    person = session.get(User, application.person_id)
    try:
        set_status(
            session,
            application,
            ApplicationStatus.WITHDRAWN,
            actor=actor,
            now=now,
            reason=reason,
            on_behalf_of=person if person and actor.id != person.id else None,
            values={"withdrawn_reason": reason},
        )
    except StatusConflict as conflict:
        if conflict.current == ApplicationStatus.WITHDRAWN:
            return  # withdrawn by another request at the same moment
        if conflict.current == ApplicationStatus.PLACED:
            raise RegistrationError(_HAS_PLACE) from conflict
        raise RegistrationError(
            "Your registration changed while you were withdrawing. Check it and try again."
        ) from conflict


def reasons_of(application: Application) -> list[eligibility.Reason]:
    return [
        eligibility.Reason(
            eligibility.ReasonCode(str(item["code"])),
            str(item["message"]),
            bool(item.get("borderline")),
        )
        for item in application.eligibility_reasons
    ]
