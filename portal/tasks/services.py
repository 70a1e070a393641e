"""Starting, finding and cancelling background tasks, and the job that watches over them.

A task is queued only after the transaction that created it commits (the worker must find
its record), so a request that fails queues nothing. Functions flush and never commit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app
from sqlalchemy import delete, event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.exceptions import NotFound

from portal.audit.services import record
from portal.auth.models import Role, User
from portal.db_base import utcnow
from portal.presentation import plural
from portal.state_changes import Audit, StatusConflict, change_status
from portal.tasks import kind_of, tasks
from portal.tasks.models import UNFINISHED, BackgroundTask, TaskFile, TaskStatus
from portal.tasks.runner import is_silent

_TO_QUEUE = "portal.tasks.to_queue"
# A task still queued after this long is queued again (its first queuing may have been
# lost); the runner's guard makes a second delivery harmless.
REQUEUE_AFTER = dt.timedelta(minutes=10)
# Files tasks made (a .docx report) are kept this long to be downloaded.
KEEP_FILES_FOR = dt.timedelta(days=1)
DIED_MESSAGE = "It stopped without finishing, perhaps because a server restarted. Start it again."


class AlreadyRunning(Exception):
    """A task of this kind is already queued or running for the round (or, for kinds that
    belong to no round, at all): ``task``."""

    def __init__(self, task: BackgroundTask) -> None:
        super().__init__(f"Task {task.id} is already running")
        self.task = task


def start(
    session: Session,
    kind: str,
    *,
    starter: User,
    role: Role,
    round_id: int | None = None,
    params: dict[str, Any] | None = None,
    stage: str = "Waiting to start",
    one_per_round: bool = False,
) -> BackgroundTask:
    """Record a new task and queue it once the transaction commits.

    With ``one_per_round``, raises AlreadyRunning (holding the running one) if the round
    (or, with no round, the portal) has a task of this kind queued or running. Side
    effects: the task's record and an audit event, flushed; the queuing after commit.
    """
    if kind not in tasks().kinds:
        raise ValueError(f"No task kind called {kind!r}")
    running_key = f"{kind}:{round_id}" if one_per_round else None
    if one_per_round:
        running = unfinished_task(session, kind, round_id)
        if running is not None:
            raise AlreadyRunning(running)
    task = BackgroundTask(
        kind=kind,
        status=TaskStatus.QUEUED,
        stage=stage,
        progress=0,
        params=params or {},
        started_by_id=starter.id,
        role=role.value,
        round_id=round_id,
        running_key=running_key,
        created_at=utcnow(),
        status_changed_at=utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(task)
    except IntegrityError:  # another request started one a moment ago
        running = unfinished_task(session, kind, round_id) if one_per_round else None
        if running is None:
            raise
        raise AlreadyRunning(running) from None
    record(
        session,
        actor=starter,
        action="task.started",
        entity_type="background_task",
        entity_id=task.id,
        fields=[kind],
    )
    session.info.setdefault(_TO_QUEUE, []).append((tasks().enqueue, task.id))
    return task


def enqueue_after_commit() -> None:
    """Queue the tasks a transaction created once it commits; forget them on rollback."""
    if not event.contains(Session, "after_commit", _queue_created):
        event.listen(Session, "after_commit", _queue_created)
        event.listen(Session, "after_rollback", _forget_created)


def _queue_created(session: Session) -> None:
    for enqueue, task_id in session.info.pop(_TO_QUEUE, []):
        enqueue(task_id)


def _forget_created(session: Session) -> None:
    session.info.pop(_TO_QUEUE, None)


def visible_task(session: Session, task_id: int, viewer: User) -> BackgroundTask:
    """The task, if ``viewer`` holds the role it was started with; otherwise NotFound."""
    task = session.get(BackgroundTask, task_id)
    if task is None or task.kind not in tasks().kinds or not viewer.has_role(Role(task.role)):
        raise NotFound()
    return task


def finished_task(session: Session, task_id: int, viewer: User, kind: str) -> BackgroundTask:
    """The task of ``kind``, if ``viewer`` holds the role it was started with; otherwise
    NotFound. For the pages that show a task's result (check ``task.status`` first)."""
    task = visible_task(session, task_id, viewer)
    if task.kind != kind:
        raise NotFound()
    return task


def unfinished_task(session: Session, kind: str, round_id: int | None) -> BackgroundTask | None:
    """The round's queued or running task of ``kind`` (with no round: any of that kind not
    tied to a round), if there is one."""
    in_round = (
        BackgroundTask.round_id.is_(None)
        if round_id is None
        else BackgroundTask.round_id == round_id
    )
    return session.scalars(
        select(BackgroundTask)
        .where(BackgroundTask.kind == kind, in_round, BackgroundTask.status.in_(UNFINISHED))
        .order_by(BackgroundTask.id)
        .limit(1)
    ).first()


def cancel(session: Session, task: BackgroundTask, *, actor: User, now: dt.datetime) -> None:
    """Cancel a queued or running task: it stops at its next stage and keeps nothing.

    Raises StatusConflict if it has finished (or was cancelled) meanwhile. Side effects: the
    guarded status change and an audit event, flushed.
    """
    if not kind_of(task).cancellable:
        raise StatusConflict(task, current=task.status, wanted=TaskStatus.CANCELLED)
    change_status(
        session,
        task,
        TaskStatus.CANCELLED,
        allowed_from=UNFINISHED,
        values={"finished_at": now, "stage": "Cancelled", "running_key": None},
        audit=Audit(actor=actor, action="task.cancelled", entity_type="background_task"),
        now=now,
    )


def keep_file(
    session: Session, task_id: int, *, filename: str, mimetype: str, data: bytes
) -> TaskFile:
    """Keep a file the task made, for a day. Side effects: the row, added (not flushed)."""
    found = TaskFile(
        task_id=task_id, filename=filename[:200], mimetype=mimetype, data=data, created_at=utcnow()
    )
    session.add(found)
    return found


def file_of(session: Session, task: BackgroundTask, now: dt.datetime) -> TaskFile:
    """The file the (visible) task made, if it is still kept; otherwise NotFound."""
    found = session.get(TaskFile, task.id)
    if (
        found is None
        or task.status != TaskStatus.SUCCEEDED
        or now - found.created_at > KEEP_FILES_FOR
    ):
        raise NotFound()
    return found


def watch_over_tasks(session: Session, now: dt.datetime) -> str:
    """The ``background-tasks`` job: queue again tasks whose queuing was lost, mark failed
    the running tasks that have gone silent (their worker died), and delete the files tasks
    made more than a day ago."""
    registry = tasks(current_app)
    requeued = 0
    died = 0
    for task in session.scalars(
        select(BackgroundTask).where(BackgroundTask.status.in_(UNFINISHED))
    ).all():
        if task.status == TaskStatus.QUEUED and now - task.created_at > REQUEUE_AFTER:
            registry.enqueue(task.id)
            requeued += 1
            continue
        kind = registry.kinds.get(task.kind)
        if kind is not None and is_silent(task, now, kind.silent_limit):
            try:
                change_status(
                    session,
                    task,
                    TaskStatus.FAILED,
                    allowed_from={TaskStatus.RUNNING},
                    values={"finished_at": now, "error": DIED_MESSAGE, "running_key": None},
                    audit=Audit(actor=None, action="task.died", entity_type="background_task"),
                    now=now,
                )
                died += 1
            except StatusConflict:
                continue
    swept = session.execute(
        delete(TaskFile)
        .where(TaskFile.created_at < now - KEEP_FILES_FOR)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    return (
        f"{plural(requeued, 'task')} queued again, {died} marked failed, "
        f"{plural(swept, 'old file')} deleted"
    )
