"""Restricting processing (UK GDPR article 18), handled by an administrator.

When a person asks for their data to be erased but the funder's audit duties require keeping
it, or while a person contests how their data is used, an administrator restricts processing
instead, with a recorded reason. The records are kept exactly as they are (so every figure
stays the same), but the portal no longer uses them to contact or place the person:

- no email is queued to them (``portal.notifications.services.queue_email``);
- their applications are left out of matching (``portal.cohorts.matching_inputs``);
- they are not invited to surveys (``portal.surveys.invitations``).

Lifting the restriction ends all three. Both are recorded in the audit log with the reason.
Functions flush and never commit.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from portal.auth.models import User
from portal.db_base import utcnow
from portal.state_changes import Audit, StatusConflict, change_status

_ALREADY_RESTRICTED = "Processing of this person's data is already restricted"
_NOT_RESTRICTED = "Processing of this person's data is not restricted"


class RestrictionRefused(Exception):
    """The change cannot be made; the message says why."""


def restrict(session: Session, person: User, *, actor: User, reason: str, now: dt.datetime) -> None:
    if not reason.strip():
        raise RestrictionRefused("Enter why you are restricting this person's data")
    if person.is_restricted:
        raise RestrictionRefused(_ALREADY_RESTRICTED)
    _change(session, person, actor, reason, now, now, "privacy.processing_restricted")


def lift(session: Session, person: User, *, actor: User, reason: str) -> None:
    if not reason.strip():
        raise RestrictionRefused("Enter why you are lifting the restriction")
    if not person.is_restricted:
        raise RestrictionRefused(_NOT_RESTRICTED)
    if person.is_erased:
        raise RestrictionRefused("An erased person's processing stays restricted for good")
    _change(session, person, actor, reason, None, utcnow(), "privacy.restriction_lifted")


def _change(
    session: Session,
    person: User,
    actor: User,
    reason: str,
    restricted_at: dt.datetime | None,
    now: dt.datetime,
    action: str,
) -> None:
    """Through the guarded mechanism (portal.state_changes): only if the restriction is
    still as this request saw it, so two administrators acting at once change it once."""
    try:
        change_status(
            session,
            person,
            restricted_at,
            column="restricted_at",
            values={"restriction_reason": reason.strip() if restricted_at else ""},
            now=now,
            audit=Audit(
                actor,
                action,
                "user",
                fields=["restricted_at", "restriction_reason"],
                reason=reason.strip(),
            ),
        )
    except StatusConflict as conflict:
        raise RestrictionRefused(
            _ALREADY_RESTRICTED if conflict.current is not None else _NOT_RESTRICTED
        ) from conflict
