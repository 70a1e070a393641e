"""Background tasks: slow work (matching, imports, reports) run off the web request.

A feature registers a ``TaskKind`` in ``create_app``; a view starts one with
``services.start`` and sends the person to its status page, ``/tasks/<id>``. The huey
consumer started by ``flask portal worker`` runs it (``runner.execute``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app
from huey import Huey

if TYPE_CHECKING:
    from portal.tasks.models import BackgroundTask
    from portal.tasks.runner import TaskContext


@dataclass(frozen=True)
class TaskKind:
    """A kind of background task.

    ``run(context)`` does the work, reporting its stages through ``context.report`` and
    writing through ``context.session`` after ``context.begin_writing()``; it flushes and
    returns the result to store (plain JSON). The runner commits the work and the task's
    success together. ``result_url`` gives the page showing the result (inside a request).
    """

    name: str
    title: str
    run: Callable[[TaskContext], dict[str, Any]]
    result_url: Callable[[BackgroundTask], str] | None = None
    cancellable: bool = True
    # A running task not heard from (no progress report) for this long has died.
    silent_limit: dt.timedelta = dt.timedelta(minutes=30)


@dataclass(frozen=True)
class Tasks:
    queue: Huey
    kinds: dict[str, TaskKind]
    enqueue: Callable[[int], None]


def init_app(app: Flask) -> None:
    """Make the queue, register the runner on it and the job that watches over tasks."""
    from portal import jobs
    from portal.tasks import runner, services
    from portal.tasks.queue import make_queue

    queue = make_queue(app.config, app.instance_path)

    @queue.task(name="portal.run_background_task")
    def run_background_task(task_id: int) -> None:
        runner.execute(app, task_id)

    app.extensions["portal.tasks"] = Tasks(queue, {}, lambda task_id: run_background_task(task_id))
    services.enqueue_after_commit()
    jobs.register(
        app, jobs.Job("background-tasks", dt.timedelta(minutes=5), services.watch_over_tasks)
    )


def register(app: Flask, kind: TaskKind) -> None:
    kinds = tasks(app).kinds
    if kind.name in kinds:
        raise ValueError(f"A task kind called {kind.name!r} is already registered")
    kinds[kind.name] = kind


def tasks(app: Flask | None = None) -> Tasks:
    found: Tasks = (app or current_app).extensions["portal.tasks"]
    return found


def kind_of(task: BackgroundTask, app: Flask | None = None) -> TaskKind:
    return tasks(app).kinds[task.kind]
