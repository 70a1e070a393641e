"""In a real browser: a background task's status page updates itself until the task has
finished, then links on to the result; axe checks it while running and when done."""

from __future__ import annotations

import pytest

from portal import tasks
from portal.auth.models import Role, User
from tests.browser.test_officer_applicants import go, sign_in_as_officer
from tests.fixtures.browser import assert_accessible
from tests.fixtures.factories import background_task
from tests.tasks.conftest import Gate

pytestmark = pytest.mark.browser


def test_the_status_page_follows_a_task_to_its_result(page, live_server, session, make_user):
    gate = Gate()

    def slow(context):
        context.report("Checking the rows", 40)
        gate.hold()
        context.report("Saving", 90)
        return {"summary": "All 12 rows are fine.", "link_text": "Go to the home page"}

    kinds = tasks.tasks(live_server.app).kinds
    kinds.pop("browser-example", None)
    tasks.register(
        live_server.app,
        tasks.TaskKind("browser-example", "Checking the file", slow, result_url=lambda _: "/"),
    )
    sign_in_as_officer(page, make_user)
    officer = session.query(User).filter_by(email="officer@example.com").one()
    task = background_task(session, "browser-example", officer, role=Role.OFFICER)
    with live_server.app.app_context():
        tasks.tasks(live_server.app).enqueue(task.id)
    assert gate.reached.wait(20)

    go(page, f"/tasks/{task.id}")
    status = page.locator("[data-task-status]")
    assert "Checking the rows" in status.inner_text()
    assert page.get_by_role("button", name="Cancel checking the file").is_visible()
    gate.opened.set()

    page.get_by_role("link", name="Go to the home page").wait_for(timeout=15_000)
    assert "All 12 rows are fine." in status.inner_text()
    assert "Time taken" in status.inner_text()
    assert page.get_by_role("button", name="Cancel checking the file").count() == 0
    assert_accessible(page)
