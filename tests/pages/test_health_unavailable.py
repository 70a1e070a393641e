"""/healthz reports an unreachable database instead of claiming all is well."""

from portal import create_app
from tests.fixtures.app import make_test_config


def test_healthz_is_503_when_the_database_cannot_be_reached(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    unreachable = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1"
    app = create_app(make_test_config(unreachable, tmp_path))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "unreachable"}
