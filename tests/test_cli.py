"""The commands: init migrates and loads reference data; demo-data is idempotent."""

import pytest
from sqlalchemy import func, select

from portal import create_app, db
from portal.reference.models import ReferenceItem
from tests.fixtures.app import make_test_config
from tests.fixtures.database import url_for_database


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
