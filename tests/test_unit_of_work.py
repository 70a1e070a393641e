"""One unit of work per request: commit only when the view succeeded."""

import pytest
from flask import abort
from sqlalchemy import func, select, update

from portal import db
from portal.auth.access import public
from portal.pages.models import Feedback, FeedbackRating
from portal.reference.models import ReferenceItem, ReferenceKind


def add_feedback(comments):
    db.session.add(Feedback(rating=FeedbackRating.SATISFIED, comments=comments))
    db.session.flush()


@pytest.fixture
def app(app):
    """The app with a few routes that change data and then succeed or fail."""

    @app.post("/test/ok")
    @public
    def succeeds():
        add_feedback("kept")
        return "done"

    @app.post("/test/abort")
    @public
    def aborts():
        add_feedback("lost")
        abort(404)

    @app.post("/test/raise")
    @public
    def raises():
        add_feedback("lost")
        raise RuntimeError("boom")

    @app.post("/test/commit-fails")
    @public
    def commit_fails():
        # Two items with one code break a unique constraint when the commit flushes them.
        add_feedback("lost")
        db.session.add_all(
            [ReferenceItem(kind=ReferenceKind.ISSUE, code="same", label=label) for label in "AB"]
        )
        return "claims success"

    @app.get("/test/read")
    @public
    def reads():
        return str(db.session.scalar(select(func.count()).select_from(Feedback)))

    @app.get("/test/reads-only")
    @public
    @db.reads_only
    def reads_only():
        return str(db.session.scalar(select(func.count()).select_from(Feedback)))

    @app.get("/test/reads-only-but-writes")
    @public
    @db.reads_only
    def reads_only_but_writes():
        add_feedback("refused")
        return "claims success"

    @app.get("/test/reads-only-but-updates")
    @public
    @db.reads_only
    def reads_only_but_updates():
        db.session.execute(update(Feedback).values(comments="refused"))
        return "claims success"

    return app


def stored(session):
    return list(session.scalars(select(Feedback.comments)))


def csrf_headers(client):
    return {"X-CSRFToken": client.csrf_token_from("/feedback")}


def test_a_successful_view_is_committed(client, session):
    assert client.post("/test/ok", headers=csrf_headers(client)).status_code == 200
    assert stored(session) == ["kept"]


def test_an_aborted_view_leaves_nothing_behind(client, session):
    assert client.post("/test/abort", headers=csrf_headers(client)).status_code == 404
    assert stored(session) == []


def test_an_exception_gives_the_500_page_and_leaves_nothing_behind(client, session):
    response = client.post("/test/raise", headers=csrf_headers(client))
    assert response.status_code == 500
    assert b"Sorry, there is a problem with the service" in response.data
    assert stored(session) == []


def test_a_failed_commit_is_not_reported_as_success(client, session):
    response = client.post("/test/commit-fails", headers=csrf_headers(client))
    assert response.status_code == 500
    assert b"claims success" not in response.data
    assert stored(session) == []


def test_a_view_that_ignores_a_failed_csrf_check_cannot_commit(client, session):
    response = client.post("/test/ok")
    assert response.status_code == 400
    assert b"we could not save your answers" in response.data
    assert stored(session) == []


def test_reads_see_committed_data(client, session):
    client.post("/test/ok", headers=csrf_headers(client))
    assert client.get("/test/read").get_data(as_text=True) == "1"


def test_a_view_declared_reads_only_reads_but_cannot_write(client, session):
    """Views declared ``reads_only`` read without a transaction on PostgreSQL (no BEGIN or
    COMMIT round trips); a write through them fails instead of being kept half-done."""
    assert client.post("/test/ok", headers=csrf_headers(client)).status_code == 200
    assert client.get("/test/reads-only").get_data(as_text=True) == "1"
    assert client.get("/test/reads-only-but-writes").status_code == 500
    assert client.get("/test/reads-only-but-updates").status_code == 500
    assert stored(session) == ["kept"]
