"""Kinds of task made for these tests: one that counts, one that waits for the test."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, url_for
from sqlalchemy import func, select

from portal import tasks
from portal.audit.models import AuditEvent
from portal.audit.services import record
from portal.tasks import TaskKind
from portal.tasks.runner import TaskContext, TaskError

WORK = "example.work"


def count_work(session: Any) -> int:
    session.rollback()
    found = session.scalar(select(func.count()).where(AuditEvent.action == WORK))
    session.commit()
    return int(found or 0)


class Gate:
    """Holds a task between two stages until the test opens it."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.opened = threading.Event()

    def hold(self) -> None:
        self.reached.set()
        assert self.opened.wait(20), "the test never opened the gate"


@pytest.fixture
def gate() -> Gate:
    return Gate()


@pytest.fixture
def example_kinds(app: Flask, gate: Gate) -> Callable[[str], None]:
    """Registers the kinds "example" (counts in two stages, writes one audit event),
    "example-gated" (waits at the gate between its stages), "example-gated-late" (waits
    after its last stage) and "example-failing" (fails)."""

    def counting(context: TaskContext, wait: Callable[[], None] = lambda: None) -> dict:
        context.report("Counting", 30)
        wait()
        context.report("Writing", 80)
        context.begin_writing()
        record(
            context.session,
            actor=None,
            action=WORK,
            entity_type="example",
            entity_id=context.task_id,
        )
        return {"summary": f"Counted to {context.params.get('to', 3)}.", "link_text": "See it"}

    def late(context: TaskContext) -> dict:
        context.report("Counting", 30)
        gate.hold()
        context.begin_writing()
        record(context.session, actor=None, action=WORK, entity_type="example", entity_id=1)
        return {}

    def failing(context: TaskContext) -> dict:
        context.report("Reading", 10)
        if context.params.get("plain"):
            raise TaskError("The file has gone. Upload it again.")
        raise RuntimeError("a bug")

    def result_url(task: Any) -> str:
        return url_for("audit.events", task=task.id)

    for kind in (
        TaskKind("example", "Counting", counting, result_url=result_url),
        TaskKind("example-gated", "Counting slowly", lambda c: counting(c, gate.hold)),
        TaskKind("example-gated-late", "Counting late", late),
        TaskKind("example-failing", "Failing", failing),
        TaskKind("example-fixed", "Not cancellable", counting, cancellable=False),
    ):
        tasks.register(app, kind)
    return lambda name: None
