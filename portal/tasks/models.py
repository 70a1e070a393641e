"""A background task as people see it: what it is, where it has got to, and how it ended.

The task queue (huey) carries only the task's id; everything a page shows is in this row, so
the status page survives reloading and works on any server.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db_base import Base, enum_column, utcnow


class TaskStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {
            "queued": "Waiting to start",
            "running": "Running",
            "succeeded": "Finished",
            "failed": "Failed",
            "cancelled": "Cancelled",
        }[self.value]

    @property
    def finished(self) -> bool:
        return self in FINISHED


FINISHED = frozenset({TaskStatus.SUCCEEDED, TaskStatus.FAILED, TaskStatus.CANCELLED})
UNFINISHED = frozenset({TaskStatus.QUEUED, TaskStatus.RUNNING})


class BackgroundTask(Base):
    """One piece of slow work an officer started: a matching run, an import, a report."""

    __tablename__ = "background_task"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60), index=True)
    status: Mapped[TaskStatus] = mapped_column(enum_column(TaskStatus, 20), index=True)
    # What the person sees while it runs ("Forming cohorts") and how far it has got (0-100).
    stage: Mapped[str] = mapped_column(String(200), default="")
    progress: Mapped[int] = mapped_column(default=0)
    # What the task works on (the form's answers), and what it made (ids, counts, messages).
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    started_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    # The role the starter used: only people holding it see the task.
    role: Mapped[str] = mapped_column(String(40))
    round_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme_round.id", ondelete="CASCADE"), index=True
    )
    # Set while queued or running for kinds that run one at a time per round ("matching:3"):
    # the unique index refuses a second, however close together two officers start them.
    running_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    # Written with every progress report: a running task not heard from for long has died.
    heartbeat_at: Mapped[dt.datetime | None]
    status_changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    def elapsed(self, now: dt.datetime) -> dt.timedelta:
        """How long it has run (or ran); zero while waiting to start."""
        if self.started_at is None:
            return dt.timedelta(0)
        return (self.finished_at or now) - self.started_at


class TaskFile(Base):
    """A file a task made (a board report as a .docx), kept for a day to be downloaded by
    people holding the role the task was started with, then swept by the
    ``background-tasks`` job."""

    __tablename__ = "task_file"

    task_id: Mapped[int] = mapped_column(
        ForeignKey("background_task.id", ondelete="CASCADE"), primary_key=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    mimetype: Mapped[str] = mapped_column(String(200))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
