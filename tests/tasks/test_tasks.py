"""Background tasks run by huey's consumer for real: stages, results, failures, cancelling,
never twice, queued only after commit, on the SQLite queue and on Redis."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import redis

from portal import db, tasks
from portal.auth.models import Role
from portal.db_base import utcnow
from portal.tasks import runner, services
from portal.tasks.models import BackgroundTask, TaskStatus
from portal.tasks.runner import FAILED_MESSAGE
from tests.fixtures.app import reload
from tests.fixtures.factories import background_task
from tests.fixtures.tasks import wait_for_task
from tests.tasks.conftest import count_work

REDIS_URL = "redis://127.0.0.1:6379/12"


def start(app, session, kind, starter, **params):
    """Start a task as a view would: through the service, then commit."""
    with app.app_context():
        task = services.start(session, kind, starter=starter, role=Role.OFFICER, params=params)
        session.commit()
    return task


def test_a_task_runs_in_the_consumer_and_keeps_its_result(
    app, session, make_user, example_kinds, task_consumer
):
    officer = make_user(Role.OFFICER)
    task = start(app, session, "example", officer, to=5)

    done = wait_for_task(session, task.id)

    assert done.status == TaskStatus.SUCCEEDED
    assert done.result == {"summary": "Counted to 5.", "link_text": "See it"}
    assert done.progress == 100
    assert done.stage == "Writing"
    assert done.started_at is not None
    assert done.finished_at >= done.started_at
    assert count_work(session) == 1


def test_a_task_is_queued_only_when_its_transaction_commits(app, session, make_user, example_kinds):
    officer = make_user(Role.OFFICER)
    queue = tasks.tasks(app).queue
    with app.app_context():
        services.start(session, "example", starter=officer, role=Role.OFFICER)
        session.flush()
        assert queue.pending_count() == 0
        session.rollback()
    assert queue.pending_count() == 0

    start(app, session, "example", officer)

    assert queue.pending_count() == 1


def test_a_task_handed_over_twice_runs_once(app, session, make_user, example_kinds):
    officer = make_user(Role.OFFICER)
    task = background_task(session, "example", officer)

    runner.execute(app, task.id)
    runner.execute(app, task.id)

    assert reload(session, BackgroundTask, task.id).status == TaskStatus.SUCCEEDED
    assert count_work(session) == 1


def test_a_task_that_fails_says_so_plainly_and_keeps_nothing(
    app, session, make_user, example_kinds, task_consumer, caplog
):
    officer = make_user(Role.OFFICER)
    bug = start(app, session, "example-failing", officer)
    plain = start(app, session, "example-failing", officer, plain=True)

    assert wait_for_task(session, bug.id).error == FAILED_MESSAGE
    failed = wait_for_task(session, plain.id)
    assert failed.status == TaskStatus.FAILED
    assert failed.error == "The file has gone. Upload it again."
    assert "a bug" in caplog.text  # the traceback is logged for the team, not shown


def test_cancelling_a_running_task_stops_it_at_its_next_stage(
    app, session, client, make_user, example_kinds, gate, task_consumer
):
    officer = make_user(Role.OFFICER)
    task = start(app, session, "example-gated", officer)
    assert gate.reached.wait(20)
    from tests.fixtures.users import sign_in

    sign_in(client, officer)
    page = client.submit_form(f"/tasks/{task.id}/cancel", {}, from_page=f"/tasks/{task.id}")
    gate.opened.set()

    assert page.status_code == 302
    ended = wait_for_task(session, task.id)
    assert ended.status == TaskStatus.CANCELLED
    assert ended.stage == "Cancelled"
    assert count_work(session) == 0
    shown = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "Nothing it did was kept" in shown


def test_work_finished_after_a_cancel_is_not_kept(
    app, session, make_user, example_kinds, gate, task_consumer
):
    officer = make_user(Role.OFFICER)
    task = start(app, session, "example-gated-late", officer)
    assert gate.reached.wait(20)
    with app.app_context():
        running = session.get(BackgroundTask, task.id, populate_existing=True)
        services.cancel(session, running, actor=officer, now=utcnow())
        session.commit()
    gate.opened.set()

    task_consumer.stop()  # waits for the task to end
    assert reload(session, BackgroundTask, task.id).status == TaskStatus.CANCELLED
    assert count_work(session) == 0


def test_a_queued_task_cancelled_before_it_starts_never_runs(
    app, session, make_user, example_kinds
):
    officer = make_user(Role.OFFICER)
    task = start(app, session, "example", officer)
    with app.app_context():
        services.cancel(session, task, actor=officer, now=utcnow())
        session.commit()

    runner.execute(app, task.id)  # the queue still hands it over

    assert reload(session, BackgroundTask, task.id).status == TaskStatus.CANCELLED
    assert count_work(session) == 0


def test_the_watch_queues_lost_tasks_again_and_fails_silent_ones(
    app, session, make_user, example_kinds
):
    officer = make_user(Role.OFFICER)
    long_ago = utcnow() - dt.timedelta(hours=2)
    lost = background_task(session, "example", officer, created_at=long_ago)
    fresh = background_task(session, "example", officer)
    silent = background_task(
        session,
        "example",
        officer,
        status=TaskStatus.RUNNING,
        started_at=long_ago,
        heartbeat_at=long_ago,
    )
    queue = tasks.tasks(app).queue

    with app.app_context():
        message = services.watch_over_tasks(db.session, utcnow())
        db.session.commit()

    assert message == "1 task queued again, 1 marked failed, 0 old files deleted"
    assert queue.pending_count() == 1
    assert reload(session, BackgroundTask, silent.id).status == TaskStatus.FAILED
    assert reload(session, BackgroundTask, fresh.id).status == TaskStatus.QUEUED
    runner.execute(app, lost.id)
    assert reload(session, BackgroundTask, lost.id).status == TaskStatus.SUCCEEDED


@pytest.fixture
def redis_queue_name():
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError:
        from tests.fixtures.environment import skip_or_fail

        skip_or_fail("Redis is not running on 127.0.0.1:6379")
    name = f"portal-test-{uuid.uuid4().hex[:8]}"
    yield name
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"huey*{name}*"):
        client.delete(key)


class TestOnRedis:
    @pytest.fixture
    def app_config(self, redis_queue_name):
        return {"TASK_QUEUE_URL": REDIS_URL, "TASK_QUEUE_NAME": redis_queue_name}

    def test_a_task_runs_from_a_redis_queue(
        self, app, session, make_user, example_kinds, task_consumer
    ):
        from huey import RedisHuey

        assert isinstance(tasks.tasks(app).queue, RedisHuey)
        officer = make_user(Role.OFFICER)
        task = start(app, session, "example", officer, to=7)

        done = wait_for_task(session, task.id)

        assert (done.status, done.result["summary"]) == (TaskStatus.SUCCEEDED, "Counted to 7.")
        assert count_work(session) == 1


def test_the_embedded_queue_is_a_file_in_the_instance_folder(app):
    from huey import SqliteHuey

    queue = tasks.tasks(app).queue
    assert isinstance(queue, SqliteHuey)
    assert queue.storage.filename.startswith(app.instance_path)


def test_an_unknown_queue_url_is_refused(app):
    from portal.config import ConfigError
    from portal.tasks.queue import make_queue

    with pytest.raises(ConfigError, match="TASK_QUEUE_URL must be"):
        make_queue({"TASK_QUEUE_URL": "amqp://127.0.0.1"}, app.instance_path)
