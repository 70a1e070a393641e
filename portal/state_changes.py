"""The one way a record's status changes: guarded against a concurrent request.

Two requests can both load a record in the same state (two "Accept" clicks, "Accept" and
"Decline" together, two officers publishing one story). A change made by assigning the new
status and flushing would let both win. Instead every change is one conditional
``UPDATE ... SET status = :new WHERE id = :id AND status = :seen``, and its row count says
whether this request won:

- on PostgreSQL the second request's UPDATE waits for the first's row lock, then finds the
  status changed and updates nothing;
- on SQLite every request that may write takes the write lock when its transaction begins
  (``portal.db``), so the second request reads the first's change before it acts; the
  guard still catches a record changed behind the session's back.

Only the winner writes the history row (for records that keep a history table) and the
audit event, in the same transaction as the change. The loser gets ``StatusConflict``
holding the state that won, for its view to show that state's page. Nothing here commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect, update
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from portal.audit.services import record as record_event

if TYPE_CHECKING:
    from portal.auth.models import User


class StatusConflict(Exception):
    """The record is not in a state this change can be made from: usually another request
    changed it first. ``current`` is what it is now (the state that won)."""

    def __init__(self, target: Any, *, current: Any, wanted: Any) -> None:
        super().__init__(f"{type(target).__name__} is {current!r}, not changed to {wanted!r}")
        self.target = target
        self.current = current
        self.wanted = wanted


@dataclass(frozen=True)
class Audit:
    """The audit event a change writes: who did it, what it is called, and why."""

    actor: User | None
    action: str
    entity_type: str
    fields: Sequence[str] = ("status",)
    reason: str | None = None
    on_behalf_of: User | None = None


def claim(
    session: Session,
    target: Any,
    new: Any,
    *,
    column: str = "status",
    allowed_from: Collection[Any] | None = None,
    values: Mapping[str, Any] | None = None,
    unchanged: Sequence[str] = (),
) -> Any:
    """Move ``target``'s ``column`` from the value this session loaded to ``new`` (and set
    ``values`` with it), only if the stored row still holds the loaded value, and the
    loaded values of the ``unchanged`` columns too (a version that changes while the
    status stays, such as a booking's calendar sequence). Returns the value it was moved
    from.

    Raises StatusConflict, with the stored state, when the loaded value is not in
    ``allowed_from`` or the row has changed since it was loaded (nothing is written then).
    On success the session's copy of the record holds the new values, as stored.
    """
    state = inspect(target)
    if state.pending:
        session.flush()
    if state.attrs[column].history.has_changes():
        raise RuntimeError(f"{type(target).__name__}.{column} is changed only through claim()")
    seen = getattr(target, column)
    if allowed_from is not None and seen not in allowed_from:
        raise StatusConflict(target, current=seen, wanted=new)
    model = type(target)
    changes = {column: new, **(values or {})}
    keys = [
        getattr(model, key.key) == value
        for key, value in zip(state.mapper.primary_key, state.identity or (), strict=True)
    ]
    as_seen = [_holds(getattr(model, name), getattr(target, name)) for name in unchanged]
    result = session.execute(
        update(model)
        .where(*keys, _holds(getattr(model, column), seen), *as_seen)
        .values(changes)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise StatusConflict(target, current=_stored(session, target, column), wanted=new)
    for key, value in changes.items():
        set_committed_value(target, key, value)
    return seen


def change_status(
    session: Session,
    target: Any,
    new: Any,
    *,
    audit: Audit,
    now: dt.datetime,
    history: Any | None = None,
    allowed_from: Collection[Any] | None = None,
    values: Mapping[str, Any] | None = None,
    unchanged: Sequence[str] = (),
    column: str = "status",
) -> Any:
    """Change ``target``'s status to ``new`` if it is still in the state this request
    loaded (see ``claim``), then write exactly one history row (``history``, for records
    that keep a history table) and one audit event, the event dated ``now`` too.
    ``status_changed_at`` is set to ``now`` where the record has it. Returns the status it
    was moved from.

    Raises StatusConflict when another request changed the record first; nothing is
    written then. Side effects: the conditional UPDATE, the history row, the audit event,
    all flushed.
    """
    changes = dict(values or {})
    if column == "status" and "status_changed_at" in inspect(type(target)).attrs:
        changes.setdefault("status_changed_at", now)
    seen = claim(
        session,
        target,
        new,
        column=column,
        allowed_from=allowed_from,
        values=changes,
        unchanged=unchanged,
    )
    if history is not None:
        _add_history(session, target, history)
    session.flush()
    entity_id = inspect(target).identity
    record_event(
        session,
        actor=audit.actor,
        action=audit.action,
        entity_type=audit.entity_type,
        entity_id=entity_id[0] if entity_id else "",
        fields=audit.fields,
        reason=audit.reason,
        on_behalf_of=audit.on_behalf_of,
        occurred_at=now,
    )
    return seen


def _holds(attribute: Any, value: Any) -> Any:
    return attribute.is_(None) if value is None else attribute == value


def _stored(session: Session, target: Any, column: str) -> Any:
    """What the row holds now (the state that won; on PostgreSQL, the winner's commit),
    with the session's copy refreshed to match. None if the row is gone."""
    try:
        session.refresh(target)
    except InvalidRequestError:  # deleted by the request that won
        return None
    return getattr(target, column)


def _add_history(session: Session, target: Any, row: Any) -> None:
    """Append the row to the record's collection of its kind, so the session's copy of
    the history stays true; records without one get the row added directly."""
    for relationship in inspect(type(target)).relationships:
        if relationship.uselist and relationship.mapper.class_ is type(row):
            getattr(target, relationship.key).append(row)
            return
    session.add(row)
