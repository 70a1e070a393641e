"""How the portal is doing, read from the database: for the admin status page and the metrics.

No Flask here. Everything is a count or a time; nothing names a person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from portal import jobs, migrate
from portal.jobs import JobRun
from portal.notifications.models import OutboxMessage, OutboxStatus
from portal.notifications.services import status_counts
from portal.outcomes import stored
from portal.outcomes.models import StoredFigures


@dataclass(frozen=True)
class Database:
    kind: str  # "SQLite" or "PostgreSQL"
    reachable: bool
    revision: str | None
    latest_revision: str

    @property
    def up_to_date(self) -> bool:
        return self.revision == self.latest_revision


@dataclass(frozen=True)
class Outbox:
    by_status: dict[OutboxStatus, int]
    oldest_waiting_since: dt.datetime | None

    @property
    def waiting(self) -> int:
        return self.by_status.get(OutboxStatus.QUEUED, 0) + self.by_status.get(
            OutboxStatus.SENDING, 0
        )

    @property
    def failed(self) -> int:
        return self.by_status.get(OutboxStatus.FAILED, 0)


@dataclass(frozen=True)
class Status:
    checked_at: dt.datetime
    database: Database
    outbox: Outbox | None
    jobs: list[JobRun]
    data_version: int | None
    stored_figures: int | None


def database_status(session: Session) -> Database:
    dialect = session.get_bind().dialect.name
    kind = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(dialect, dialect)
    latest = migrate.latest_revision()
    try:
        session.execute(text("SELECT 1"))
        revision = migrate.current_revision(session.connection())
    except SQLAlchemyError:
        session.rollback()
        return Database(kind, False, None, latest)
    return Database(kind, True, revision, latest)


def outbox_status(session: Session) -> Outbox:
    counts = status_counts(session)
    oldest = session.scalar(
        select(func.min(OutboxMessage.created_at)).where(
            OutboxMessage.status.in_([OutboxStatus.QUEUED, OutboxStatus.SENDING])
        )
    )
    if oldest is not None and oldest.tzinfo is None:  # SQLite's MIN() loses the column type
        oldest = oldest.replace(tzinfo=dt.UTC)
    return Outbox(counts, oldest)


def status(session: Session, now: dt.datetime) -> Status:
    """Everything the status page shows. A database that cannot be reached is reported as
    such, not raised."""
    database = database_status(session)
    if not database.reachable:
        return Status(now, database, None, [], None, None)
    return Status(
        checked_at=now,
        database=database,
        outbox=outbox_status(session),
        jobs=jobs.job_status(session),
        data_version=stored.current_version(session),
        stored_figures=int(session.scalar(select(func.count(StoredFigures.id))) or 0),
    )
