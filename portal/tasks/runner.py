"""Running one background task in the worker, guarded against running it twice.

The queue may hand a task over more than once (a re-queued task, two consumers); only the
run that moves it from queued to running goes on. The work and the task's success are
committed together, and only if the task is still running: a task cancelled meanwhile keeps
none of its work. Progress is written in short transactions of its own, so on SQLite the
write lock is held only while writing, never while the task computes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask
from sqlalchemy import update
from sqlalchemy.orm import Session

from portal import db
from portal.db_base import utcnow
from portal.state_changes import StatusConflict, claim
from portal.tasks.models import BackgroundTask, TaskStatus

FAILED_MESSAGE = "Something went wrong while it ran. Try again. If it fails again, tell us."


class TaskCancelled(Exception):
    """The task was cancelled while it ran: stop and keep nothing."""


class TaskError(Exception):
    """The task cannot finish for a reason the person can act on (shown as ``message``)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TaskContext:
    """What a running task works with: its record's id and inputs, and a session.

    ``session`` reads in ordinary transactions. ``report`` ends the current one (so nothing
    is held while the task computes) and records the stage; ``begin_writing`` starts the
    transaction that writes the task's work, committed by the runner with its success.
    """

    def __init__(self, session: Session, task: BackgroundTask) -> None:
        self.session = session
        self.task_id = task.id
        self.params: dict[str, Any] = dict(task.params or {})
        self.round_id = task.round_id
        self.started_by_id = task.started_by_id

    def report(self, stage: str, progress: int) -> None:
        """Record the stage the task has reached and how far it is (0-100), and stop it
        here if it was cancelled. Commits the session's transaction.

        Raises TaskCancelled when the task is no longer running.
        """
        db.begin_writing(self.session)
        now = utcnow()
        still_running = self.session.execute(
            update(BackgroundTask)
            .where(BackgroundTask.id == self.task_id, BackgroundTask.status == TaskStatus.RUNNING)
            .values(stage=stage, progress=max(0, min(100, progress)), heartbeat_at=now)
            .execution_options(synchronize_session=False)
        )
        self.session.commit()
        if still_running.rowcount != 1:  # type: ignore[attr-defined]
            raise TaskCancelled

    def begin_writing(self) -> None:
        """Start the transaction that writes the work (on SQLite, take the write lock)."""
        db.begin_writing(self.session)


def execute(app: Flask, task_id: int) -> None:
    """Run background task ``task_id`` if it is still queued. Side effects: whatever the
    task's kind does, and the task's record; commits."""
    from portal import tasks

    with app.app_context():
        session = db.database(app).sessions(expire_on_commit=False)
        try:
            task = _start(session, task_id)
            if task is None:
                return
            kind = tasks.kind_of(task, app)
            try:
                result = kind.run(TaskContext(session, task))
                session.flush()
                _end(session, task, TaskStatus.SUCCEEDED, result=result)
                session.commit()
            except (TaskCancelled, StatusConflict):
                session.rollback()  # cancelled: the canceller recorded the end
            except TaskError as error:
                session.rollback()
                _fail(session, task_id, error.message)
            except Exception:
                session.rollback()
                app.logger.exception("Background task %s (%s) failed", task_id, task.kind)
                _fail(session, task_id, FAILED_MESSAGE)
        finally:
            session.close()


def _start(session: Session, task_id: int) -> BackgroundTask | None:
    db.begin_writing(session)
    task = session.get(BackgroundTask, task_id)
    if task is None or task.status != TaskStatus.QUEUED:
        session.rollback()
        return None
    now = utcnow()
    claim(
        session,
        task,
        TaskStatus.RUNNING,
        allowed_from={TaskStatus.QUEUED},
        values={"started_at": now, "heartbeat_at": now, "status_changed_at": now},
    )
    session.commit()
    return task


def _end(
    session: Session,
    task: BackgroundTask,
    status: TaskStatus,
    *,
    result: dict[str, Any] | None = None,
    error: str | None = None,
) -> None:
    now = utcnow()
    claim(
        session,
        task,
        status,
        allowed_from={TaskStatus.RUNNING},
        values={
            "result": result,
            "error": error,
            "finished_at": now,
            "status_changed_at": now,
            "running_key": None,
            "progress": 100 if status == TaskStatus.SUCCEEDED else task.progress,
        },
    )


def _fail(session: Session, task_id: int, message: str) -> None:
    db.begin_writing(session)
    task = session.get(BackgroundTask, task_id, populate_existing=True)
    if task is None or task.status != TaskStatus.RUNNING:
        session.rollback()
        return
    try:
        _end(session, task, TaskStatus.FAILED, error=message)
    except StatusConflict:
        session.rollback()
        return
    session.commit()


def is_silent(task: BackgroundTask, now: dt.datetime, limit: dt.timedelta) -> bool:
    heard = task.heartbeat_at or task.started_at or task.created_at
    return task.status == TaskStatus.RUNNING and now - heard > limit
