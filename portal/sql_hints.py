"""A hint for SQLite's query planner, the one the figures need.

SQLite keeps no statistics on the spread of values in a column, so it takes "on or before
the as-at moment" (a range on an indexed datetime) to pick out a small share of the rows and
starts its plan there: for a date at the end of a round that is every row of every round.
``usually_true`` tells it, with SQLite's own ``likelihood()``, that the condition keeps most
rows, so it starts from the round instead. The condition and its result are unchanged;
PostgreSQL, which keeps statistics, gets the condition as it is.
"""

from __future__ import annotations

from sqlalchemy import Boolean, ColumnElement, func, literal_column
from sqlalchemy.orm import Session


def usually_true(session: Session, condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """``condition``, marked for SQLite as true for most rows (no change on PostgreSQL)."""
    if session.get_bind().dialect.name != "sqlite":
        return condition
    return func.likelihood(condition, literal_column("0.9375"), type_=Boolean)
