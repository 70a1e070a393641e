"""The applicant import's guarantees as background tasks: nothing half-written, exactly the
checked file imported, one import per round at a time, and only officers see the tasks.

No consumer runs here: each task is run when the test says (``runner.execute``), as the
queue would hand it over, so the test can act between the steps.
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.auth.models import Role
from portal.registration import imports
from portal.registration.models import Application
from portal.tasks import runner
from portal.tasks.models import BackgroundTask, TaskStatus
from portal.tasks.runner import FAILED_MESSAGE
from portal.uploads import GONE, PendingUploadFile
from tests.fixtures.app import reload
from tests.fixtures.factories import open_round
from tests.fixtures.pages import check_page
from tests.fixtures.users import sign_in
from tests.registration.test_imports import ROWS, csv_bytes


@pytest.fixture
def round_3(app, session, reference_data):
    return open_round(session, app)


@pytest.fixture
def officer(signed_in_as):
    return signed_in_as(Role.OFFICER)


def task_id(response) -> int:
    location = response.headers["Location"]
    assert location.startswith("/tasks/"), location
    return int(location.rsplit("/", 1)[1])


def checked(app, client, round_3) -> int:
    """Upload the file and run its check; the check task's id."""
    started = client.submit_form(
        "/applicants/import",
        {"round": str(round_3.id), "file": (io.BytesIO(csv_bytes(ROWS)), "partner.csv")},
        from_page="/applicants/import",
        content_type="multipart/form-data",
    )
    check = task_id(started)
    runner.execute(app, check)
    return check


def confirm(client, check: int):
    path = f"/applicants/import/check/{check}"
    return client.submit_form(f"{path}/confirm", {}, from_page=path)


def count(session, model) -> int:
    session.rollback()
    found = session.scalar(select(func.count()).select_from(model))
    session.commit()
    return int(found or 0)


def test_an_import_that_fails_part_way_keeps_nothing_and_says_so(
    app, client, session, officer, round_3, monkeypatch, caplog
):
    check = checked(app, client, round_3)
    real_import_row = imports._import_row
    done = []

    def fail_on_the_second_row(*args, **kwargs):
        if done:
            raise RuntimeError("the database went away")
        real_import_row(*args, **kwargs)
        done.append(True)

    monkeypatch.setattr(imports, "_import_row", fail_on_the_second_row)
    started = task_id(confirm(client, check))

    runner.execute(app, started)

    failed = reload(session, BackgroundTask, started)
    assert failed.status == TaskStatus.FAILED
    assert done == [True]  # the first row was written, then rolled back with the rest
    assert count(session, Application) == 0
    imported = select(func.count()).where(AuditEvent.action == "applicants.imported")
    assert session.scalar(imported) == 0
    assert count(session, PendingUploadFile) == 1  # kept: the officer may try again
    page = check_page(client.get(f"/tasks/{started}"))
    assert FAILED_MESSAGE in page.get_text()
    assert "the database went away" in caplog.text  # for the team, in the log


def test_a_file_changed_after_confirming_is_not_imported(app, client, session, officer, round_3):
    check = checked(app, client, round_3)
    started = task_id(confirm(client, check))
    session.rollback()
    kept = session.scalars(select(PendingUploadFile)).one()
    kept.data = csv_bytes(ROWS[:1])  # changed while the import waited in the queue
    session.commit()

    runner.execute(app, started)

    failed = reload(session, BackgroundTask, started)
    assert failed.status == TaskStatus.FAILED
    assert failed.error == GONE
    assert count(session, Application) == 0


def test_one_import_per_round_at_a_time(app, client, session, officer, round_3):
    check = checked(app, client, round_3)
    first = task_id(confirm(client, check))

    again = confirm(client, check)  # a second press, or a second officer

    assert task_id(again) == first
    page = check_page(client.get(again.headers["Location"]))
    assert "An import into this round is already going" in page.get_text()
    runner.execute(app, first)
    assert reload(session, BackgroundTask, first).status == TaskStatus.SUCCEEDED
    assert count(session, Application) == len(ROWS)
    gone = confirm(client, check)  # imported: the file has been removed
    assert gone.headers["Location"] == "/applicants/import"


def test_the_pages_wait_for_their_task_and_only_officers_see_it(
    app, client, session, officer, round_3, make_user
):
    started = client.submit_form(
        "/applicants/import",
        {"round": str(round_3.id), "file": (io.BytesIO(csv_bytes(ROWS)), "partner.csv")},
        from_page="/applicants/import",
        content_type="multipart/form-data",
    )
    check = task_id(started)
    waiting = client.get(f"/applicants/import/check/{check}")  # not run yet
    assert waiting.headers["Location"] == f"/tasks/{check}"
    token = client.csrf_token_from("/applicants/import")
    early = client.post(f"/applicants/import/check/{check}/confirm", data={"csrf_token": token})
    assert task_id(early) == check  # nothing to confirm yet: back to the check's progress
    assert client.get(f"/applicants/import/done/{check}").status_code == 404  # not an import
    runner.execute(app, check)
    check_page(client.get(f"/applicants/import/check/{check}"))

    another_officer = app.test_client()
    sign_in(another_officer, make_user(Role.OFFICER))
    check_page(another_officer.get(f"/applicants/import/check/{check}"))
    administrator = app.test_client()
    sign_in(administrator, make_user(Role.ADMIN))
    assert administrator.get(f"/tasks/{check}").status_code == 404
    assert administrator.get(f"/applicants/import/check/{check}").status_code == 403


def test_the_check_reports_its_progress_through_the_rows(app, client, session, officer, round_3):
    rows = [
        {**ROWS[1], "source_reference": f"CH-{n:03d}", "email": f"applicant{n}@example.org"}
        for n in range(250)
    ]
    started = client.submit_form(
        "/applicants/import",
        {"round": str(round_3.id), "file": (io.BytesIO(csv_bytes(rows)), "partner.csv")},
        from_page="/applicants/import",
        content_type="multipart/form-data",
    )
    check = task_id(started)

    runner.execute(app, check)

    done = reload(session, BackgroundTask, check)
    assert done.status == TaskStatus.SUCCEEDED
    assert done.stage == "Checking each row: 200 of 250 rows"
    assert done.result["summary"] == (
        "If you import it: 250 to create, 0 to update, 0 unchanged, 0 rows with problems."
    )
