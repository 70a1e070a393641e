"""Recording and searching the audit log. There is deliberately no way to change an event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.paging import ResultsPage, within_pages


def record(
    session: Session,
    *,
    actor: User | None,
    action: str,
    entity_type: str,
    entity_id: int | str,
    fields: Iterable[str] = (),
    reason: str | None = None,
    on_behalf_of: User | None = None,
    occurred_at: dt.datetime | None = None,
) -> AuditEvent:
    """Add an event to the log in the caller's transaction, so it stands or falls with the
    change it describes. ``fields`` are names of what changed, never their values.
    ``occurred_at``: the moment the change records as its own (a status's ``changed_at``),
    so the log and the record agree; the clock's time otherwise.

    Side effect: flushes a new AuditEvent.
    """
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        on_behalf_of_id=on_behalf_of.id if on_behalf_of is not None else None,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        fields=sorted(fields),
        reason=reason or None,
    )
    if occurred_at is not None:
        event.occurred_at = occurred_at
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    actor_email: str = ""
    entity_type: str = ""
    entity_id: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@dataclass(frozen=True)
class AuditPage(ResultsPage[AuditEvent]):
    """A page of events with the people named in them, by id."""

    actors: dict[int, User] = field(default_factory=dict)


def _filtered(query: Select[AuditEvent], filters: AuditFilter) -> Select[AuditEvent]:
    if filters.action:
        query = query.where(AuditEvent.action.startswith(filters.action))
    if filters.entity_type:
        query = query.where(AuditEvent.entity_type == filters.entity_type)
    if filters.entity_id:
        query = query.where(AuditEvent.entity_id == filters.entity_id)
    if filters.actor_email:
        actor_ids = select(User.id).where(User.email == filters.actor_email.strip().lower())
        query = query.where(AuditEvent.actor_id.in_(actor_ids))
    if filters.date_from:
        start = dt.datetime.combine(filters.date_from, dt.time(), tzinfo=dt.UTC)
        query = query.where(AuditEvent.occurred_at >= start)
    if filters.date_to and filters.date_to < dt.date.max:  # the last day has no day after
        end = dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
        query = query.where(AuditEvent.occurred_at < end)
    return query


def search(
    session: Session, filters: AuditFilter, *, page: int = 1, per_page: int = 50
) -> AuditPage:
    query = _filtered(select(AuditEvent), filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = within_pages(page, total, per_page)
    events = session.scalars(
        query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    people = {e.actor_id for e in events} | {e.on_behalf_of_id for e in events}
    people.discard(None)
    actors = {user.id: user for user in session.scalars(select(User).where(User.id.in_(people)))}
    return AuditPage(events, total, page, per_page, actors=actors)


def history(session: Session, entity_type: str, entity_id: int | str) -> list[AuditEvent]:
    """Every event about one record, oldest first, for its detail page."""
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == str(entity_id))
            .order_by(AuditEvent.occurred_at, AuditEvent.id)
        )
    )
