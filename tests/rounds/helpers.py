"""Reading what is stored, each time in a fresh transaction (so earlier reads are not reused)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.audit.models import AuditEvent
from portal.rounds.models import Round
from tests.fixtures.app import reload


def fresh(session: Session, round_id: int) -> Round:
    """The round as stored now, after whatever the requests committed."""
    return reload(session, Round, round_id)


def audit_events(session: Session, action: str) -> list[AuditEvent]:
    session.rollback()
    return list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )
