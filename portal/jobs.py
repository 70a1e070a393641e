"""Scheduled jobs: ``flask portal run-jobs`` runs every job that is due, once.

Safe to run from cron every minute on several machines at once: a job is claimed with
one conditional UPDATE (a lease), which only one runner can win, and a runner that dies
mid-job loses its lease when it expires. Features register their jobs in ``create_app``.
"""

from __future__ import annotations

import datetime as dt
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy import String, Text, and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.db_base import Base, utcnow

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

    It returns a short summary for the log ("3 reminders queued") or None.
    """

    name: str
    every: dt.timedelta
    run: JobFunction
    lease: dt.timedelta = dt.timedelta(minutes=15)


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
    session.add(JobRun(name=job.name, next_due_at=now, run_count=0))
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


def _run_claimed(session: Session, job: Job, started_at: dt.datetime) -> JobOutcome:
    try:
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
            next_due_at=started_at + job.every,
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
