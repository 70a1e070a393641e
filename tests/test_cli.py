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
        assert "Demo data is ready." in demo.output
    with fresh_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReferenceItem)) == 62
