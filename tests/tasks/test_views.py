"""The status page of a background task: stage, time so far, Refresh, Cancel, the result."""

from __future__ import annotations

import datetime as dt

from bs4 import BeautifulSoup

from portal.auth.models import Role
from portal.db_base import utcnow
from portal.tasks.models import BackgroundTask, TaskStatus
from tests.fixtures.app import reload
from tests.fixtures.factories import background_task


def text_of(response) -> str:
    return " ".join(BeautifulSoup(response.get_data(as_text=True), "html.parser").stripped_strings)


def test_a_running_task_shows_its_stage_time_and_how_to_refresh_or_cancel(
    client, session, signed_in_as, example_kinds
):
    officer = signed_in_as(Role.OFFICER)
    started = utcnow() - dt.timedelta(minutes=2, seconds=5)
    task = background_task(
        session,
        "example",
        officer,
        status=TaskStatus.RUNNING,
        stage="Forming cohorts",
        started_at=started,
    )

    page = client.get(f"/tasks/{task.id}")

    assert page.status_code == 200
    shown = text_of(page)
    assert "Counting" in shown  # the kind's title is the heading
    assert "Status Running" in shown
    assert "Stage Forming cohorts" in shown
    assert "Time so far 2 minutes" in shown
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    assert soup.find("a", string="Refresh")["href"] == f"/tasks/{task.id}"
    assert soup.find("button", string=lambda s: s and "Cancel counting" in s)
    assert soup.find(attrs={"data-task-status": True})["aria-live"] == "polite"
    assert soup.find("script", src="/static/js/task-status.mjs")


def test_a_finished_task_links_on_to_its_result(client, session, signed_in_as, example_kinds):
    officer = signed_in_as(Role.OFFICER)
    now = utcnow()
    task = background_task(
        session,
        "example",
        officer,
        status=TaskStatus.SUCCEEDED,
        stage="Writing",
        started_at=now - dt.timedelta(seconds=12),
        finished_at=now,
        result={"summary": "Counted to 3.", "link_text": "See it"},
    )

    page = client.get(f"/tasks/{task.id}")

    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    assert soup.find("a", string="See it")["href"].endswith(f"?task={task.id}")
    shown = text_of(page)
    assert "Counted to 3." in shown
    assert "Time taken 12 seconds" in shown
    assert "Refresh" not in shown
    assert "Cancel" not in soup.find("main").get_text()
    assert not soup.find("script", src="/static/js/task-status.mjs")


def test_a_failed_task_shows_why(client, session, signed_in_as, example_kinds):
    officer = signed_in_as(Role.OFFICER)
    task = background_task(
        session,
        "example",
        officer,
        status=TaskStatus.FAILED,
        error="The file has gone. Upload it again.",
        started_at=utcnow(),
        finished_at=utcnow(),
    )

    shown = text_of(client.get(f"/tasks/{task.id}"))

    assert "Status Failed" in shown
    assert "The file has gone. Upload it again." in shown


def test_a_task_that_cannot_be_cancelled_offers_no_cancel(
    client, session, signed_in_as, example_kinds
):
    officer = signed_in_as(Role.OFFICER)
    task = background_task(session, "example-fixed", officer)

    main = BeautifulSoup(client.get(f"/tasks/{task.id}").get_data(as_text=True), "html.parser")

    assert "Status Waiting to start" in main.get_text(" ", strip=True)
    assert "Cancel" not in main.find("main").get_text()


def test_cancel_after_the_task_finished_changes_nothing(
    client, session, signed_in_as, example_kinds
):
    officer = signed_in_as(Role.OFFICER)
    task = background_task(session, "example", officer, status=TaskStatus.RUNNING)
    token_from = f"/tasks/{task.id}"
    token = client.csrf_token_from(token_from)
    session.execute(
        BackgroundTask.__table__.update()
        .where(BackgroundTask.id == task.id)
        .values(status=TaskStatus.SUCCEEDED.value, finished_at=utcnow())
    )
    session.commit()

    page = client.post(f"/tasks/{task.id}/cancel", data={"csrf_token": token})

    assert page.status_code == 302
    assert reload(session, BackgroundTask, task.id).status == TaskStatus.SUCCEEDED


def test_a_cancel_without_a_token_is_refused(client, session, signed_in_as, example_kinds):
    officer = signed_in_as(Role.OFFICER)
    task = background_task(session, "example", officer, status=TaskStatus.RUNNING)

    client.post(f"/tasks/{task.id}/cancel", data={})

    assert reload(session, BackgroundTask, task.id).status == TaskStatus.RUNNING


def test_only_people_with_the_starters_role_see_a_task(
    client, session, make_user, signed_in_as, example_kinds
):
    officer = make_user(Role.OFFICER)
    task = background_task(session, "example", officer)
    signed_in_as(Role.ADMIN)

    assert client.get(f"/tasks/{task.id}").status_code == 404
    assert client.get("/tasks/999999").status_code == 404


def test_another_officer_sees_an_officers_task(
    client, session, make_user, signed_in_as, example_kinds
):
    officer = make_user(Role.OFFICER)
    task = background_task(session, "example", officer)
    signed_in_as(Role.OFFICER)

    assert client.get(f"/tasks/{task.id}").status_code == 200
