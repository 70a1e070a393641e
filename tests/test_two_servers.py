"""Two app servers over one PostgreSQL database and one Redis, as production scales past one
machine: two gunicorn processes (deploy/gunicorn.conf.py, two workers each) on different
ports, driven over real HTTP.

- Participants racing for one coaching time through different servers: exactly one wins.
- Sign-in throttling counts failed attempts across both servers (Redis).
- A browser signed in on one server is signed in on the other (signed cookie sessions).
- A matching run started on one server is queued on Redis, run by a separate
  ``portal worker`` and followed to its end on the other server.
- An applicant import checked on one server is confirmed on the other (the checked file
  waits in the database, not on one server's disk; a separate worker checks and imports).
- Two job runners started at the same moment send each queued email exactly once (on SQLite
  too: two cron runs on one machine).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import select

from portal.auth.models import Role
from portal.db_base import utcnow
from portal.notifications.models import OutboxMessage, OutboxStatus
from portal.notifications.services import new_message_id
from tests.coaching.conftest import holding
from tests.coaching.test_pages import book_url
from tests.fixtures.app import TEST_SECRET_KEY
from tests.fixtures.environment import skip_or_fail
from tests.fixtures.factories import next_slot_start
from tests.fixtures.http import ROOT, Browser, start_gunicorn
from tests.fixtures.smtp import _free_port

REDIS_URL = "redis://127.0.0.1:6379/13"
TAKEN = "That time has just been taken"


def server_environment(database_url: str, instance: Path, port: int) -> dict[str, str]:
    """One server's settings: the shared database, Redis for throttling and the task queue."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "PORTAL_SECRET_KEY": TEST_SECRET_KEY,
        "PORTAL_ENVIRONMENT": "development",
        "PORTAL_INSTANCE_PATH": str(instance),
        "PORTAL_RATELIMIT_STORAGE_URI": REDIS_URL,
        "PORTAL_TASK_QUEUE_URL": REDIS_URL,
        "PORTAL_BIND": f"127.0.0.1:{port}",
        "PORTAL_WORKERS": "2",
        "PORTAL_LOG_LEVEL": "WARNING",
    }


@pytest.fixture
def servers(database_url: str, tmp_path: Path) -> Iterator[list[str]]:
    if not database_url.startswith("postgresql"):
        pytest.skip("several app servers share one PostgreSQL database; SQLite is one machine's")
    try:
        redis.Redis.from_url(REDIS_URL).flushdb()
    except redis.RedisError:
        skip_or_fail("the two-server test needs Redis on 127.0.0.1:6379")
    started = []
    for number in (1, 2):
        port = _free_port()
        environment = server_environment(database_url, tmp_path / f"instance-{number}", port)
        started.append((start_gunicorn(environment), f"http://127.0.0.1:{port}"))
    try:
        yield [base for _process, base in started]
    finally:
        for process, _base in started:
            process.terminate()
        for process, _base in started:
            process.wait(timeout=30)
        redis.Redis.from_url(REDIS_URL).flushdb()


def test_two_servers_share_bookings_throttling_and_sessions(servers, session, coaching, make_user):
    one, two = servers
    world = coaching(people=4)
    path = book_url(world, next_slot_start(utcnow()))
    form = {"support_type": "coaching", "topic": "Winning public sector contracts"}

    # Signed in on one server, signed in on the other.
    browsers = []
    for number, person in enumerate(world.people):
        browser = Browser()
        assert browser.sign_in(one if number % 2 else two, person.email) == 302
        browsers.append(browser)
    prepared = [
        (browser, server, browser.token(f"{server}{path}"))
        for browser, server in zip(browsers, [one, two, one, two], strict=True)
    ]

    barrier = threading.Barrier(len(prepared))
    answers: list[tuple[int, str]] = []
    lock = threading.Lock()

    def book(browser: Browser, server: str, token: str) -> None:
        barrier.wait(timeout=30)
        answer = browser.request(f"{server}{path}", {"csrf_token": token, **form})
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=book, args=item) for item in prepared]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert sorted(code for code, _ in answers) == [302, 409, 409, 409]
    assert all(TAKEN in page for code, page in answers if code == 409)
    session.rollback()
    assert len(holding(session, world.coach.id)) == 1

    # Five failed sign-ins, spread over both servers, block the account on both.
    email = f"owner-{uuid.uuid4().hex[:12]}@example.com"
    make_user(Role.PARTICIPANT, email=email)
    attacker = Browser()
    for server in (one, two, one, two, one):
        assert attacker.sign_in(server, email, "wrong password") == 400
    assert Browser().sign_in(two, email, "wrong password") == 429
    assert Browser().sign_in(one, email) == 429


@pytest.fixture
def worker(servers: list[str], database_url: str, tmp_path: Path) -> Iterator[None]:
    """A separate ``portal worker`` process taking tasks from the servers' Redis queue."""
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "portal", "worker", "--interval", "1"],
        cwd=ROOT,
        env=server_environment(database_url, tmp_path / "instance-worker", _free_port()),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        process.send_signal(signal.SIGINT)  # stops once running tasks finish
        process.wait(timeout=60)


def finished_task_page(browser: Browser, server: str, task_path: str | None) -> str:
    """The task's status page on ``server`` once the worker has finished it."""
    assert task_path is not None
    assert task_path.startswith("/tasks/"), task_path
    deadline = time.monotonic() + 90
    while True:
        status, page = browser.request(f"{server}{task_path}")
        assert status == 200
        if "data-finished" in page:
            return page
        assert time.monotonic() < deadline, "the worker never finished the task"
        time.sleep(0.5)


def test_an_import_checked_on_one_server_is_confirmed_on_the_other(
    servers, worker, app, session, make_user, reference_data
):
    """The file waits in the database, not on one server's disk: the worker checks it, the
    officer confirms on the other server, and the worker imports it."""
    from portal.registration.models import Application
    from tests.fixtures.factories import open_round
    from tests.fixtures.users import PASSWORD, current_code
    from tests.registration.test_imports import ROWS, csv_bytes

    one, two = servers
    round_3 = open_round(session, app)
    officer = make_user(Role.OFFICER, email=f"officer-{uuid.uuid4().hex[:8]}@example.com")
    browser = Browser()
    assert browser.sign_in_with_code(one, officer.email, PASSWORD, current_code()) == 302
    token = browser.token(f"{one}/applicants/import")

    started, _page = browser.upload(
        f"{one}/applicants/import",
        {"csrf_token": token, "round": str(round_3.id)},
        "file",
        "partner.csv",
        csv_bytes(ROWS),
    )
    assert started == 302
    check_task = browser.last_location
    assert "See the check and import the file" in finished_task_page(browser, two, check_task)
    check_path = f"/applicants/import/check/{check_task.rsplit('/', 1)[1]}"
    status, page = browser.request(f"{two}{check_path}")
    assert status == 200
    assert "Import 2 rows" in page
    confirmed, page = browser.request(
        f"{two}{check_path}/confirm", {"csrf_token": browser.token(f"{two}/feedback")}
    )

    assert confirmed == 302, page
    done = finished_task_page(browser, one, browser.last_location)
    assert "Imported: 2 created, 0 updated, 0 unchanged, 0 rows with problems." in done
    session.rollback()
    imported = session.scalars(select(Application).where(Application.round_id == round_3.id))
    assert len(imported.all()) == len(ROWS)


def test_a_matching_run_started_on_one_server_is_run_by_a_worker_and_followed_on_the_other(
    servers, worker, session, make_user, make_round, make_application
):
    """The production layout: web servers queue the task on Redis, a separate
    ``portal worker`` runs it, and its status page shows progress on any server."""
    from portal.rounds.models import RoundStatus
    from tests.cohorts.test_forming import matching_answers
    from tests.fixtures.users import PASSWORD, current_code

    one, two = servers
    round_3 = make_round(name="Round 3", status=RoundStatus.OPEN)
    for number in range(9):
        make_application(round_3, business_name=f"Firm {number} Ltd")
    officer = make_user(Role.OFFICER, email=f"officer-{uuid.uuid4().hex[:8]}@example.com")
    browser = Browser()
    assert browser.sign_in_with_code(one, officer.email, PASSWORD, current_code()) == 302
    match = f"/cohorts/rounds/{round_3.id}/match"
    status, _page = browser.request(
        f"{one}{match}",
        {"csrf_token": browser.token(f"{one}{match}"), **matching_answers()},
    )
    assert status == 302
    page = finished_task_page(browser, two, browser.last_location)
    assert "Review the proposed cohorts" in page
    assert "The matching proposed 1 cohort placing 9 people" in page


def test_two_job_runners_at_once_send_each_email_once(app, session, database_url, tmp_path):
    with app.app_context():
        ids = [new_message_id() for _ in range(12)]
    for number, message_id in enumerate(ids):
        session.add(
            OutboxMessage(
                to_address=f"person{number}@example.com",
                subject=f"Message {number}",
                body_text="Hello",
                body_html="<p>Hello</p>",
                message_id=message_id,
            )
        )
    session.commit()
    mail = tmp_path / "mail"
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PORTAL_SECRET_KEY": TEST_SECRET_KEY,
        "PORTAL_ENVIRONMENT": "development",
        "PORTAL_INSTANCE_PATH": str(tmp_path / "runner"),
        "PORTAL_MAIL_FOLDER": str(mail),
    }
    runners = [
        subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "portal", "run-jobs"],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [runner.communicate(timeout=120)[0] for runner in runners]
    assert all(runner.returncode == 0 for runner in runners), outputs
    written = sorted(path.name for path in mail.glob("*.eml"))
    assert len(written) == 12, outputs
    session.rollback()
    sent = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [message.status for message in sent] == [OutboxStatus.SENT] * 12
    assert [message.attempts for message in sent] == [1] * 12
