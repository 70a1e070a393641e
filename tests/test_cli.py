"""The commands: init migrates and loads reference data; demo-data is idempotent."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from portal import create_app, db, migrate
from portal.db import make_engine
from portal.reference.models import ReferenceItem
from tests.fixtures.app import make_test_config
from tests.fixtures.database import url_for_database

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_app(request, tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    url = url_for_database(request.param, tmp_path, schema="portal_cli")
    app = create_app(make_test_config(url, tmp_path))
    yield app
    db.engine_for(app).dispose()


def test_init_then_demo_data_twice(fresh_app):
    runner = fresh_app.test_cli_runner()
    init = runner.invoke(args=["portal", "init"])
    assert init.exit_code == 0, init.output
    assert "Database is at the latest migration." in init.output
    assert "Reference data loaded (137 new or updated items)." in init.output

    again = runner.invoke(args=["portal", "init"])
    assert "Reference data loaded (0 new or updated items)." in again.output

    for _ in range(2):
        demo = runner.invoke(args=["portal", "demo-data"])
        assert demo.exit_code == 0, demo.output
        assert "Demo data is ready at https://peernetworks.example.org.uk." in demo.output
    # Short: a line per step; `make run` prints the sign-ins once, after it.
    assert len(demo.output.splitlines()) <= 16, demo.output
    assert "boost demo sign in" not in demo.output
    sign_ins = runner.invoke(args=["portal", "demo-sign-ins"]).output
    assert sign_ins.count("admin@demo.example.org") == 1
    assert "boost demo sign in" in sign_ins
    # The demo's emails (82) are summarised, not listed one by one.
    sent = runner.invoke(args=["portal", "send-mail"])
    assert sent.exit_code == 0, sent.output
    assert "Email to" not in sent.output
    assert len(sent.output.splitlines()) <= 6, sent.output
    with fresh_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReferenceItem)) == 62
        assert_the_demo_tells_one_story(db.session)


def assert_the_demo_tells_one_story(session) -> None:
    """Officers judge the product by the demo (issue 21, section 5): every dated status
    agrees with the audit event recording it, things happen in order, and the published
    story is told by the person whose business it is about."""
    from portal.audit.models import AuditEvent
    from portal.casestudies.models import CaseStudy, CaseStudyStatus
    from portal.cohorts.models import Cohort, CohortSession, CohortStatusChange, Place
    from portal.registration.models import Application

    def audited_at(action: str, entity_id: int) -> set:
        return set(
            session.scalars(
                select(AuditEvent.occurred_at).where(
                    AuditEvent.action == action, AuditEvent.entity_id == str(entity_id)
                )
            )
        )

    places = session.scalars(select(Place).where(Place.accepted_at.is_not(None))).all()
    demo_places = [p for p in places if audited_at("cohort_place.accepted", p.id)]
    assert demo_places
    for place in demo_places:
        assert audited_at("cohort_place.accepted", place.id) == {place.accepted_at}
        cohort = session.get(Cohort, place.cohort_id)
        first = min((s.starts_at for s in cohort.sessions), default=None)
        assert first is None or place.accepted_at < first  # replied before the group met
        application = session.get(Application, place.application_id)
        assert application.submitted_at < place.accepted_at
    changes = session.scalars(select(CohortStatusChange)).all()
    checked = 0
    for change in changes:  # earlier rounds' imported history has the import's audit
        events = audited_at(f"cohort.{change.status.value}", change.cohort_id)
        if events:
            assert change.changed_at in events
            checked += 1
    assert checked
    taken = session.scalars(
        select(CohortSession).where(CohortSession.register_taken_at.is_not(None))
    ).all()
    for held in [s for s in taken if audited_at("cohort_session.register_taken", s.id)]:
        assert held.register_taken_at in audited_at("cohort_session.register_taken", held.id)
        assert held.ends_at <= held.register_taken_at
    published = session.scalars(
        select(CaseStudy).where(CaseStudy.status == CaseStudyStatus.PUBLISHED)
    ).all()
    stories = [c for c in published if "Preston bakery" in (c.title or "")]
    assert stories
    for story in stories:
        application = session.get(Application, session.get(Place, story.place_id).application_id)
        assert "Bake" in application.business_name
        assert application.district_code == "preston"


def test_two_servers_running_init_at_once_take_turns(tmp_path):
    """A deploy starts `portal init` on every server at the same moment: on PostgreSQL they
    take turns on an advisory lock, so one migrates and loads the reference data and the
    other finds it done, and neither fails."""
    url = url_for_database("postgresql", tmp_path, schema="portal_init_race")
    holder = make_engine(url)
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "PORTAL_SECRET_KEY": "init-race-test-only-0123456789abcdefghijklmnop",
        "PORTAL_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    environment.pop("PORTAL_DATABASE_URL", None)
    with holder.connect() as held:
        # Hold the lock first, so both commands are surely waiting before either runs.
        held = held.execution_options(isolation_level="AUTOCOMMIT")
        key = held.scalar(text(migrate.LOCK_KEY))
        held.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
        servers = [
            subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "wsgi", "portal", "init"],
                cwd=ROOT,
                env=environment,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _ in range(2)
        ]
        waiting = text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            " AND classid::bigint = :high AND objid::bigint = :low AND objsubid = 1"
        )
        ours = {"high": (key >> 32) & 0xFFFFFFFF, "low": key & 0xFFFFFFFF}
        deadline = time.monotonic() + 120
        while held.scalar(waiting, ours) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert held.scalar(waiting, ours) == 2
        held.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
    outputs = [server.communicate(timeout=300)[0] for server in servers]
    assert [server.returncode for server in servers] == [0, 0], outputs
    for output in outputs:
        assert "waiting for it to finish" in output
    loaded = sorted(
        line for output in outputs for line in output.splitlines() if "Reference data" in line
    )
    assert loaded == [
        "Reference data loaded (0 new or updated items).",
        "Reference data loaded (137 new or updated items).",
    ]
    with holder.connect() as connection:
        assert migrate.current_revision(connection) == migrate.latest_revision()
        assert connection.scalar(select(func.count()).select_from(ReferenceItem)) == 62
    holder.dispose()
