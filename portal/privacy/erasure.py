"""Erasing a person (UK GDPR article 17), handled by an administrator.

What is erased: everything that identifies the person or that they wrote in their own
words, wherever it lives: their account (name, email address, password, two-factor), their
registrations' contact details, business details (business name, Companies House number,
postcode, SIC code, size, turnover, trading start, type of business) and role in the
business, free text, conflicts they named and the reasons officers recorded about them,
survey answers typed as text, their one-to-one booking topics and the coaches' notes about
them, case studies about them, every email sent to them (the outbox rows and the ``.eml``
files written under the mail folder), officers' contact notes about them, and the reasons
recorded when they left a cohort. A business record only they registered loses its name,
number and postcode too.

What is kept, so that every figure already reported stays the same: the records' ids,
dates, statuses, codes (district, sector, issues, ownership facts), hours, and the survey
answers given as choices or numbers. None of these identify a person on their own, and no
page shows an erased person's ownership answers. The audit log keeps the fact of the
erasure, who did it and why, and no personal data.

What they still held ends (``portal.privacy.endings``): places in cohorts not yet finished,
offers, open applications, bookings still to come, survey links. Nothing new can be made
about them afterwards: their processing is restricted for good (no email, matching or
survey), and the features refuse them (``User.is_erased``).

``erase_person`` flushes and never commits; it is all or nothing with the caller's
transaction. The ``.eml`` files are removed by ``remove_mail_files`` after the commit. SQLite
zeroes what is deleted or overwritten (``secure_delete``, ``portal.db``) and its write-ahead
log is emptied once the erasure commits (``checkpoint_after_commit``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from sqlalchemy import Table, or_, select, update
from sqlalchemy.orm import Session

from portal.audit.services import record
from portal.auth.models import (
    ERASED,
    RecoveryCode,
    Role,
    User,
    UserRole,
    UserStatus,
    erased_email,
)
from portal.casestudies.models import CaseStudy, CaseStudyStatus
from portal.coaching.models import Booking, OutsideSupport
from portal.cohorts.models import Place
from portal.db import checkpoint_after_commit
from portal.notifications.models import OutboxMessage
from portal.people.models import ContactNote
from portal.privacy.endings import end_what_they_hold
from portal.registration.models import Application, Business, DeclaredConflict, StatusChange
from portal.state_changes import StatusConflict, claim
from portal.surveys.models import SurveyAnswer, SurveyInvitation, SurveyResponse

ERASED_NAME = "Erased person"


class ErasureRefused(Exception):
    """The person cannot be erased this way; the message says why."""


@dataclass
class ErasureReport:
    user_id: int
    changed: dict[str, int] = field(default_factory=dict)
    outbox_ids: list[int] = field(default_factory=list)


def erase_person(
    session: Session, person: User, *, actor: User | None, reason: str, now: dt.datetime
) -> ErasureReport:
    """Erase ``person``'s personal data (see the module docstring). Refuses staff with
    administrator or officer roles (their actions are the audit trail; remove their roles
    first) and people already erased. ``actor`` is None when the retention job erases."""
    if not reason.strip():
        raise ErasureRefused("Enter the reason for erasing this person")
    if person.is_erased:
        raise ErasureRefused("This person has already been erased")
    if actor is not None and person.id == actor.id:
        raise ErasureRefused("You cannot erase yourself")
    if any(role in (Role.ADMIN, Role.OFFICER) for role in person.roles):
        raise ErasureRefused("Remove this person's officer and administrator roles first")
    report = ErasureReport(person.id)
    old_email = person.email

    # Guarded (portal.state_changes): of two erasures at once, only one goes on.
    try:
        claim(
            session,
            person,
            erased_email(person.id),
            column="email",
            values={
                "name": ERASED_NAME,
                "password_hash": None,
                "totp_secret": None,
                "totp_confirmed_at": None,
                "status": UserStatus.DEACTIVATED,
                "status_changed_at": now,
                "session_version": person.session_version + 1,
                # For good: no email, matching or survey (portal.privacy.restriction).
                "restricted_at": person.restricted_at or now,
                "restriction_reason": "Personal data erased",
            },
        )
    except StatusConflict as conflict:
        raise ErasureRefused("This person has already been erased") from conflict
    recovery_codes, roles = cast(Table, RecoveryCode.__table__), cast(Table, UserRole.__table__)
    session.execute(recovery_codes.delete().where(RecoveryCode.user_id == person.id))
    session.execute(roles.delete().where(UserRole.user_id == person.id))
    report.changed["account"] = 1

    applications = select(Application.id).where(Application.person_id == person.id)
    businesses = {
        business_id
        for business_id in session.scalars(
            select(Application.business_id).where(Application.person_id == person.id)
        )
        if business_id is not None
    }
    report.changed["applications"] = _count(
        session.execute(
            update(Application)
            .where(Application.person_id == person.id)
            .values(
                phone=None,
                role_in_business=None,
                business_name=ERASED,
                company_number=None,
                postcode=None,  # the district code is kept: the figures count by district
                sic_code=None,  # the sector code is kept
                employees=None,
                turnover_band=None,
                started_trading_on=None,
                legal_form=None,
                organisations_other="",
                issues_other="",
                withdrawn_reason="",
            )
        )
    )
    report.changed["businesses"] = _erase_businesses(session, person, businesses)
    report.changed["status reasons"] = _count(
        session.execute(
            update(StatusChange)
            .where(StatusChange.application_id.in_(applications), StatusChange.reason != "")
            .values(reason=ERASED)
        )
    )
    report.changed["conflicts"] = _count(
        session.execute(
            update(DeclaredConflict)
            .where(DeclaredConflict.application_id.in_(applications))
            .values(business_name=ERASED)
        )
    )
    report.changed["places"] = _count(
        session.execute(
            update(Place)
            .where(Place.person_id == person.id, Place.end_reason != "")
            .values(end_reason=ERASED)
        )
    )
    responses = select(SurveyResponse.id).where(
        SurveyResponse.invitation_id.in_(
            select(SurveyInvitation.id).where(SurveyInvitation.person_id == person.id)
        )
    )
    report.changed["survey text answers"] = _count(
        session.execute(
            update(SurveyAnswer)
            .where(SurveyAnswer.response_id.in_(responses), SurveyAnswer.text.is_not(None))
            .values(text=ERASED)
        )
    )
    report.changed["bookings"] = _count(
        session.execute(
            update(Booking)
            .where(Booking.participant_id == person.id)
            .values(topic=ERASED, coach_note="", cancellation_reason="", location_detail="")
        )
    )
    report.changed["other support"] = _count(
        session.execute(
            update(OutsideSupport).where(OutsideSupport.participant_id == person.id).values(note="")
        )
    )
    report.changed["contact notes"] = _count(
        session.execute(
            update(ContactNote).where(ContactNote.person_id == person.id).values(text=ERASED)
        )
    )
    report.changed["case studies"] = _count(
        session.execute(
            update(CaseStudy)
            .where(CaseStudy.person_id == person.id)
            .values(
                status=CaseStudyStatus.WITHDRAWN,
                status_changed_at=now,
                unpublished_at=now,
                consent_withdrawn_at=now,
                title=ERASED,
                challenge="",
                group_help="",
                one_to_one_help="",
                actions="",
                outcomes="",
                quote="",
                new_markets="",
            )
        )
    )
    # Last, so the reasons they record are not erased with the ones before.
    report.changed |= end_what_they_hold(session, person, actor=actor, now=now)
    mine = or_(OutboxMessage.user_id == person.id, OutboxMessage.to_address == old_email)
    report.outbox_ids = list(session.scalars(select(OutboxMessage.id).where(mine)))
    report.changed["emails"] = _count(
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(report.outbox_ids or [0]))
            .values(
                to_address=person.email,
                subject=ERASED,
                body_text=ERASED,
                body_html=ERASED,
                last_error=None,
            )
        )
    )
    checkpoint_after_commit(session)
    record(
        session,
        actor=actor,
        action="privacy.person_erased",
        entity_type="user",
        entity_id=person.id,
        fields=sorted(name for name, count in report.changed.items() if count),
        reason=reason.strip(),
    )
    session.flush()
    return report


def _erase_businesses(session: Session, person: User, business_ids: set[int]) -> int:
    """Erase the name, number and postcode of each business only this person registered
    (or only people since erased). A business someone else registered too keeps them: they
    are that person's answers as well. The record itself stays, so "businesses supported"
    still counts it once."""
    if not business_ids:
        return 0
    shared = set(
        session.scalars(
            select(Application.business_id)
            .join(User, User.id == Application.person_id)
            .where(
                Application.business_id.in_(business_ids),
                Application.person_id != person.id,
                ~User.erased(),
            )
        )
    )
    only_theirs = business_ids - shared
    if not only_theirs:
        return 0
    return _count(
        session.execute(
            update(Business)
            .where(Business.id.in_(only_theirs))
            .values(name=ERASED, company_number=None, postcode=None, match_key=None)
        )
    )


def remove_mail_files(folder: Path, outbox_ids: list[int]) -> int:
    """Delete the ``.eml`` copies of these messages (named ``<id:06d>-...eml``)."""
    removed = 0
    if not folder.is_dir():
        return 0
    for message_id in outbox_ids:
        for path in folder.glob(f"{message_id:06d}-*.eml"):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
