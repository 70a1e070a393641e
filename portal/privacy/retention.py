"""Retention: personal data is removed once it has been kept as long as the privacy notice says.

One setting per kind of record (``RETENTION`` in the configuration, read as whole years or
days), and the ``retention`` job, which runs daily and removes what has passed its time:

- ``participants_years`` (6): people who took part in a round, counted from the end of the
  last programme year they applied in (the funder may audit the programme until then);
- ``applicants_years`` (2): people who registered but never took part, counted the same way;
- ``unused_accounts_days`` (730): accounts never used to register, counted from the last
  sign-in (or from when the account was made);
- ``emails_days`` (365): the content of emails sent (or given up on), counted from when they
  were queued.

People are anonymised exactly as an administrator's erasure does (``erasure.erase_person``),
so every figure already reported stays the same; staff accounts (officers, administrators,
facilitators, coaches, contractor leads) are never removed by the job. Emails keep their
status and dates; their address, subject, body and attachments go, and so do their ``.eml``
copies. The audit log records each removal without personal data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from portal.auth.models import Role, User, UserRole
from portal.cohorts.models import Place
from portal.notifications.models import OutboxAttachment, OutboxMessage, OutboxStatus
from portal.presentation import plural
from portal.privacy.erasure import ERASED, erase_person
from portal.registration.models import Application
from portal.rounds.models import Round

DEFAULTS = {
    "participants_years": 6,
    "applicants_years": 2,
    "unused_accounts_days": 730,
    "emails_days": 365,
}
STAFF = (Role.ADMIN, Role.OFFICER, Role.FACILITATOR, Role.COACH, Role.CONTRACTOR_LEAD)
REASON = "Retention period passed"
ERASED_ADDRESS = "removed@erased.invalid"


@dataclass(frozen=True)
class RetentionReport:
    participants: int
    applicants: int
    unused_accounts: int
    emails: int
    # Outbox rows whose .eml copies should be deleted after the commit.
    outbox_ids: tuple[int, ...]

    def summary(self) -> str:
        return (
            f"{plural(self.participants, 'participant')}, "
            f"{plural(self.applicants, 'applicant')}, "
            f"{plural(self.unused_accounts, 'unused account')} and "
            f"{plural(self.emails, 'email')} past retention"
        )


def settings(configured: Mapping[str, int] | None) -> dict[str, int]:
    """The retention settings: the defaults, overridden by the configured values."""
    found = dict(DEFAULTS)
    for key, value in (configured or {}).items():
        if key not in DEFAULTS:
            raise ValueError(f"Unknown retention setting {key!r}")
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"Retention setting {key!r} must be a whole number of 1 or more")
        found[key] = value
    return found


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def apply_retention(
    session: Session, now: dt.datetime, configured: Mapping[str, int] | None = None
) -> RetentionReport:
    """Remove every person and email past its retention period (see the module docstring).

    Side effects: anonymises users, applications and what hangs off them, and emails; writes
    audit events; flushes. The caller commits, then deletes the ``.eml`` files.
    """
    limits = settings(configured)
    today = now.date()
    staff = select(UserRole.user_id).where(UserRole.role.in_(STAFF))
    # Addresses under .invalid are nobody's: people already erased, and placeholders such as
    # the earlier rounds' "coach not recorded".
    not_erased = User.email.not_like("%.invalid")
    last_round_end = (
        select(Application.person_id, func.max(Round.ends_on).label("ended"))
        .join(Round, Round.id == Application.round_id)
        .group_by(Application.person_id)
        .subquery()
    )
    took_part = select(Place.person_id).where(Place.accepted_at.is_not(None))
    candidates = session.execute(
        select(User, last_round_end.c.ended, User.id.in_(took_part))
        .join(last_round_end, last_round_end.c.person_id == User.id)
        .where(User.id.not_in(staff), not_erased)
        .order_by(User.id)
    ).all()
    participants = applicants = 0
    outbox_ids: list[int] = []
    for person, ended, participated in candidates:
        years = limits["participants_years"] if participated else limits["applicants_years"]
        if ended >= years_before(today, years):
            continue
        outbox_ids += erase_person(session, person, actor=None, reason=REASON, now=now).outbox_ids
        if participated:
            participants += 1
        else:
            applicants += 1

    unused_since = now - dt.timedelta(days=limits["unused_accounts_days"])
    unused = session.scalars(
        select(User)
        .where(
            User.id.not_in(staff),
            User.id.not_in(select(Application.person_id)),
            not_erased,
            func.coalesce(User.last_signed_in_at, User.created_at) < unused_since,
        )
        .order_by(User.id)
    ).all()
    for person in unused:
        outbox_ids += erase_person(session, person, actor=None, reason=REASON, now=now).outbox_ids

    emails_before = now - dt.timedelta(days=limits["emails_days"])
    old_emails = list(
        session.scalars(
            select(OutboxMessage.id).where(
                OutboxMessage.created_at < emails_before,
                OutboxMessage.status.in_(
                    [OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.CANCELLED]
                ),
                OutboxMessage.subject != ERASED,
            )
        )
    )
    if old_emails:
        session.execute(
            delete(OutboxAttachment).where(OutboxAttachment.outbox_message_id.in_(old_emails))
        )
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(old_emails))
            .values(
                to_address=ERASED_ADDRESS,
                subject=ERASED,
                body_text=ERASED,
                body_html=ERASED,
                last_error=None,
            )
        )
    session.flush()
    return RetentionReport(
        participants=participants,
        applicants=applicants,
        unused_accounts=len(unused),
        emails=len(old_emails),
        outbox_ids=tuple(sorted(set(outbox_ids) | set(old_emails))),
    )
