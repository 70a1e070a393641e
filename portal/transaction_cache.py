"""Reuse of one figure input within one database transaction, never beyond it.

The dashboard asks for a round summary and five breakdowns; each needs the same inputs
(who attended what, who answered what). ``within_transaction`` computes such an input once
and hands the same result back while the session's transaction lasts and nothing has been
written. It is forgotten when the transaction ends (commit or rollback) and after every
flush and every INSERT, UPDATE or DELETE statement run through the session, and it is
bypassed while the session holds unflushed changes, so a reused result is
always the one a fresh query would give in that transaction: nothing is stored.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

T = TypeVar("T")
_KEY = "portal.transaction_cache"


def within_transaction(session: Session, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, or its result from earlier in this transaction for the same ``key``.

    Callers must treat the result as read-only. No side effects beyond the session's
    ``info`` and two listeners on this session that empty the cache.
    """
    cache: dict[Hashable, Any] | None = session.info.get(_KEY)
    if cache is None:
        cache = {}
        session.info[_KEY] = cache
        event.listen(session, "after_flush", _forget)
        event.listen(session, "after_transaction_end", _forget)
        event.listen(session, "do_orm_execute", _forget_on_write)
    if session.new or session.dirty or session.deleted:
        # The query would flush these first; let it, and keep nothing.
        return compute()
    if key not in cache:
        result = compute()
        if session.in_transaction():
            cache[key] = result
        return result
    return cache[key]


def _forget(session: Session, *_args: object) -> None:
    session.info.get(_KEY, {}).clear()


def _forget_on_write(state: ORMExecuteState) -> None:
    """An INSERT, UPDATE or DELETE run through ``session.execute`` bypasses the flush."""
    if state.is_insert or state.is_update or state.is_delete:
        _forget(state.session)
