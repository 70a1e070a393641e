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

from portal.audit.services import record
from portal.auth.models import User


class RestrictionRefused(Exception):
    """The change cannot be made; the message says why."""


def restrict(session: Session, person: User, *, actor: User, reason: str, now: dt.datetime) -> None:
    if not reason.strip():
        raise RestrictionRefused("Enter why you are restricting this person's data")
    if person.is_restricted:
        raise RestrictionRefused("Processing of this person's data is already restricted")
    _change(session, person, actor, reason, now, "privacy.processing_restricted")


def lift(session: Session, person: User, *, actor: User, reason: str) -> None:
    if not reason.strip():
        raise RestrictionRefused("Enter why you are lifting the restriction")
    if not person.is_restricted:
        raise RestrictionRefused("Processing of this person's data is not restricted")
    _change(session, person, actor, reason, None, "privacy.restriction_lifted")


def _change(
    session: Session,
    person: User,
    actor: User,
    reason: str,
    restricted_at: dt.datetime | None,
    action: str,
) -> None:
    person.restricted_at = restricted_at
    person.restriction_reason = reason.strip() if restricted_at else ""
    record(
        session,
        actor=actor,
        action=action,
        entity_type="user",
        entity_id=person.id,
        fields=["restricted_at", "restriction_reason"],
        reason=reason.strip(),
    )
    session.flush()
