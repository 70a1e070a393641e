"""Scheduled jobs: ``flask portal run-jobs`` runs every job that is due, once.

Safe to run from cron every minute on several machines at once: a job is claimed with
one conditional UPDATE (a lease), which only one runner can win, and a runner that dies
mid-job loses its lease when it expires. While a job runs, a thread renews its lease every
third of the lease, so a job that runs longer than its lease is never started again beside
itself. A job runs every so often (``every``) or daily at a time of day in Europe/London
(``at``: "daily at 02:00", through the clock changes). Features register their jobs in
``create_app``.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy import Engine, String, Text, and_, or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.db_base import UTC, Base, utcnow
from portal.timefmt import LONDON

log = logging.getLogger(__name__)

JobFunction = Callable[[Session, dt.datetime], str | None]


class JobRun(Base):
    """When a job is next due, who holds it now, and how its last run went."""

    __tablename__ = "job_run"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    next_due_at: Mapped[dt.datetime]
    lease_until: Mapped[dt.datetime | None]
    last_started_at: Mapped[dt.datetime | None]
    last_finished_at: Mapped[dt.datetime | None]
    last_outcome: Mapped[str | None] = mapped_column(String(20))
    last_message: Mapped[str | None] = mapped_column(Text)
    run_count: Mapped[int] = mapped_column(default=0)


@dataclass(frozen=True)
class Job:
    """A job: ``run(session, now)`` does the work and flushes; the runner commits.

    It returns a short summary for the log ("3 reminders queued") or None. With ``at``, the
    job runs daily at that time of day in Europe/London and ``every`` is ignored.
    """

    name: str
    every: dt.timedelta
    run: JobFunction
    lease: dt.timedelta = dt.timedelta(minutes=15)
    at: dt.time | None = None

    def next_due(self, after: dt.datetime) -> dt.datetime:
        """When the job is next due after a run that started at ``after``."""
        if self.at is None:
            return after + self.every
        return next_time_of_day(self.at, after)


def next_time_of_day(at: dt.time, after: dt.datetime) -> dt.datetime:
    """The first moment after ``after`` whose Europe/London wall-clock time is ``at``, in UTC
    (a time that does not exist on the spring-forward day is taken an hour later)."""
    day = after.astimezone(LONDON).date()
    while True:
        candidate = dt.datetime.combine(day, at, tzinfo=LONDON).astimezone(UTC)
        if candidate > after:
            return candidate
        day += dt.timedelta(days=1)


@dataclass(frozen=True)
class JobOutcome:
    name: str
    succeeded: bool
    message: str


def init_app(app: Flask) -> None:
    app.extensions["portal.jobs"] = {}


def register(app: Flask, job: Job) -> None:
    registry: dict[str, Job] = app.extensions["portal.jobs"]
    if job.name in registry:
        raise ValueError(f"A job called {job.name!r} is already registered")
    registry[job.name] = job


def registered_jobs(app: Flask | None = None) -> list[Job]:
    app = app or current_app
    return list(app.extensions["portal.jobs"].values())


def run_due_jobs(session: Session, now: dt.datetime | None = None) -> list[JobOutcome]:
    """Run each registered job that is due and not held by another runner.

    Side effects: commits the session after each claim and each job, so one job's
    failure never undoes another's work.
    """
    outcomes = []
    for job in registered_jobs():
        moment = now or utcnow()
        _ensure_row(session, job, moment)
        if not _claim(session, job, moment):
            continue
        outcomes.append(_run_claimed(session, job, moment))
    return outcomes


def _ensure_row(session: Session, job: Job, now: dt.datetime) -> None:
    if session.get(JobRun, job.name) is not None:
        session.rollback()
        return
    first_due = now if job.at is None else next_time_of_day(job.at, now - dt.timedelta(seconds=1))
    session.add(JobRun(name=job.name, next_due_at=first_due, run_count=0))
    try:
        session.commit()
    except IntegrityError:  # another runner created it first
        session.rollback()


def _claim(session: Session, job: Job, now: dt.datetime) -> bool:
    claimed = session.execute(
        update(JobRun)
        .where(
            JobRun.name == job.name,
            JobRun.next_due_at <= now,
            or_(JobRun.lease_until.is_(None), JobRun.lease_until < now),
        )
        .values(lease_until=now + job.lease, last_started_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return claimed.rowcount == 1  # type: ignore[attr-defined]


class _LeaseKeeper:
    """Renews a running job's lease every third of the lease, on a connection of its own,
    until stopped. The lease is measured from the claimed moment, so it holds however long
    the job runs and another runner never claims it meanwhile."""

    def __init__(self, engine: Engine, job: Job, started_at: dt.datetime) -> None:
        self._engine = engine
        self._job = job
        self._started_at = started_at
        self._begun = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._renew, name=f"lease-{job.name}", daemon=True)

    def __enter__(self) -> _LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _renew(self) -> None:
        interval = self._job.lease.total_seconds() / 3
        while not self._stop.wait(interval):
            ran_for = dt.timedelta(seconds=time.monotonic() - self._begun)
            try:
                with self._engine.begin() as connection:
                    connection.execute(
                        update(JobRun)
                        .where(
                            JobRun.name == self._job.name,
                            JobRun.last_started_at == self._started_at,
                            JobRun.lease_until.is_not(None),
                        )
                        .values(lease_until=self._started_at + ran_for + self._job.lease)
                    )
            except SQLAlchemyError:  # tried again at the next renewal
                log.warning("Could not renew the lease of job %s", self._job.name, exc_info=True)


def _run_claimed(session: Session, job: Job, started_at: dt.datetime) -> JobOutcome:
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    try:
        with _LeaseKeeper(engine, job, started_at):
            message = job.run(session, started_at) or "done"
            session.commit()
        succeeded = True
    except Exception:
        session.rollback()
        current_app.logger.exception("Job %s failed", job.name)
        message = traceback.format_exc(limit=5)[-2000:]
        succeeded = False
    finished_at = utcnow()
    session.execute(
        update(JobRun)
        .where(and_(JobRun.name == job.name, JobRun.last_started_at == started_at))
        .values(
            lease_until=None,
            last_finished_at=finished_at,
            next_due_at=job.next_due(started_at),
            last_outcome="succeeded" if succeeded else "failed",
            last_message=message,
            run_count=JobRun.run_count + 1,
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return JobOutcome(job.name, succeeded, message)


def job_status(session: Session) -> list[JobRun]:
    return list(session.scalars(select(JobRun).order_by(JobRun.name)))
