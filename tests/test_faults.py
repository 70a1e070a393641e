"""Faults the portal must survive: a full or read-only SQLite database, and a PostgreSQL
server that drops its connections (as a restart does), between requests and mid-request.

Each answers with the "service is unavailable" page (503, "not been saved"), keeps nothing
half-written, and the next request works once the fault has gone. (Mail server outages are
covered in tests/notifications: queued email is delivered once when the server is back.)
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import make_url

from portal import create_app, db
from portal.auth.access import public
from portal.db import make_engine
from portal.models import Base
from portal.pages.models import Feedback
from tests.fixtures.app import PortalClient, make_test_config
from tests.fixtures.database import url_for_database
from tests.fixtures.environment import POSTGRES_URL, skip_or_fail
from tests.fixtures.pages import check_page

UNAVAILABLE = "Sorry, the service is unavailable"


def portal_on(url: str, instance: Path) -> Flask:
    app = create_app(make_test_config(url, instance))
    app.test_client_class = PortalClient
    return app


def give_feedback(client: PortalClient, comments: str):  # type: ignore[no-untyped-def]
    return client.submit_form("/feedback", {"rating": "satisfied", "comments": comments})


def sqlite_file(tmp_path: Path) -> Path:
    path = tmp_path / "portal.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    engine.dispose()
    return path


def feedback_rows(path: Path) -> tuple[int, str]:
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        count = connection.scalar(select(func.count(Feedback.id)))
        check = connection.exec_driver_sql("PRAGMA integrity_check").scalar()
    engine.dispose()
    return int(count or 0), str(check)


def test_a_full_sqlite_database_says_so_and_keeps_what_was_saved(tmp_path):
    path = sqlite_file(tmp_path)
    app = portal_on(f"sqlite:///{path}", tmp_path / "instance")
    client: PortalClient = app.test_client()  # type: ignore[assignment]
    assert give_feedback(client, "Before the disk filled").status_code == 302

    engine = db.engine_for(app)

    def no_room_to_grow(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        pages = cursor.execute("PRAGMA page_count").fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count = {int(pages)}")
        cursor.close()

    event.listen(engine, "connect", no_room_to_grow)
    engine.dispose()
    saved = 1
    refused = None
    for attempt in range(60):
        response = give_feedback(client, f"Attempt {attempt} " + "words " * 150)
        if response.status_code == 302:
            saved += 1
            continue
        refused = response
        break
    assert refused is not None, "the database never filled up"
    page = check_page(refused, status=503)
    assert UNAVAILABLE in page.get_text()
    assert "has not been saved" in page.get_text()
    assert refused.headers["Retry-After"] == "60"

    event.remove(engine, "connect", no_room_to_grow)
    engine.dispose()
    assert feedback_rows(path) == (saved, "ok")
    assert give_feedback(client, "After space was freed").status_code == 302
    assert feedback_rows(path) == (saved + 1, "ok")


def test_a_read_only_sqlite_database_can_be_read_but_not_written(tmp_path):
    path = sqlite_file(tmp_path)
    writable = portal_on(f"sqlite:///{path}", tmp_path / "instance")
    assert give_feedback(writable.test_client(), "Written first").status_code == 302  # type: ignore[arg-type]
    db.engine_for(writable).dispose()

    read_only = portal_on(f"sqlite:///file:{path}?mode=ro&uri=true", tmp_path / "instance")
    client: PortalClient = read_only.test_client()  # type: ignore[assignment]
    assert client.get("/healthz").status_code == 200
    check_page(client.get("/feedback"))
    refused = give_feedback(client, "Cannot be written")
    assert UNAVAILABLE in check_page(refused, status=503).get_text()
    db.engine_for(read_only).dispose()
    assert feedback_rows(path) == (1, "ok")


@pytest.fixture
def postgres_portal(tmp_path: Path) -> tuple[Flask, str]:
    """A portal on a PostgreSQL schema of its own whose connections carry a name of their
    own, so the test can drop exactly them."""
    if not POSTGRES_URL:
        skip_or_fail("the database restart test needs PORTAL_TEST_DATABASE_URL")
    name = f"portal_fault_{uuid.uuid4().hex[:12]}"
    url = url_for_database("postgresql", tmp_path, schema="faults")
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    named = make_url(url).update_query_dict({"application_name": name})
    app = portal_on(named.render_as_string(hide_password=False), tmp_path / "instance")

    @public
    def drops_mid_request() -> str:
        db.session.execute(text("SELECT 1"))
        drop_connections(name)
        db.session.execute(text("SELECT 1"))  # the connection has gone
        return "not reached"

    app.add_url_rule("/drops-mid-request", "drops_mid_request", drops_mid_request)
    yield app, name
    db.engine_for(app).dispose()


def drop_connections(application_name: str) -> int:
    """Ends every server connection with that name, as a restart would: waits (up to 5 s)
    until each has gone, as after a restart, rather than only asking them to end."""
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        ended = connection.execute(
            text(
                "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
                "WHERE application_name = :name"
            ),
            {"name": application_name},
        ).scalar()
    admin.dispose()
    return int(ended or 0)


def test_the_portal_recovers_when_postgresql_drops_its_connections(postgres_portal):
    app, name = postgres_portal
    client: PortalClient = app.test_client()  # type: ignore[assignment]
    assert give_feedback(client, "Before the restart").status_code == 302
    assert drop_connections(name) >= 1  # the pooled connection the portal kept

    # Between requests: the dead connection is noticed before use and replaced.
    assert client.get("/healthz").status_code == 200
    assert give_feedback(client, "After the restart").status_code == 302

    # Mid-request: that request fails cleanly; the next one works.
    in_flight = client.get("/drops-mid-request")
    assert UNAVAILABLE in check_page(in_flight, status=503).get_text()
    assert client.get("/healthz").status_code == 200
    with db.database(app).session() as session:
        comments = session.scalars(select(Feedback.comments).order_by(Feedback.id)).all()
    assert comments == ["Before the restart", "After the restart"]
