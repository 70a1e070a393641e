"""Configuration: defaults, instance file, PORTAL_* variables; unsafe settings refused."""

import pytest
from flask import request

from portal import create_app
from portal.auth.access import public
from portal.config import ConfigError

GOOD_KEY = "k" * 40


@pytest.fixture
def instance(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    for name in ["PORTAL_SECRET_KEY", "PORTAL_ENVIRONMENT", "DATABASE_URL", "PORTAL_DATABASE_URL"]:
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_refuses_to_start_without_a_secret_key(instance):
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        create_app()


@pytest.mark.parametrize("key", ["dev", "changeme", "short-key"])
def test_refuses_a_placeholder_or_short_secret_key(instance, monkeypatch, key):
    monkeypatch.setenv("PORTAL_SECRET_KEY", key)
    with pytest.raises(ConfigError, match="at least 32"):
        create_app()


def test_instance_file_then_environment(instance, monkeypatch):
    (instance / "config.py").write_text(
        f"SECRET_KEY = {GOOD_KEY!r}\nSERVICE_NAME = 'From the file'\nHUB_AREA = 'From the file'\n"
    )
    monkeypatch.setenv("PORTAL_SERVICE_NAME", "From the environment")
    monkeypatch.setenv("PORTAL_MAIL_PORT", "2525")
    app = create_app()
    assert app.config["SERVICE_NAME"] == "From the environment"
    assert app.config["HUB_AREA"] == "From the file"
    assert app.config["MAIL_PORT"] == 2525
    assert app.config["DATABASE_URL"] == f"sqlite:///{instance / 'portal.sqlite3'}"


def test_database_url_switches_the_database_without_code_changes(instance, monkeypatch):
    monkeypatch.setenv("PORTAL_SECRET_KEY", GOOD_KEY)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://someone@db.example/portal")
    assert create_app().config["DATABASE_URL"] == "postgresql+psycopg://someone@db.example/portal"


def test_production_is_the_default_and_its_cookies_are_secure(instance, monkeypatch):
    monkeypatch.setenv("PORTAL_SECRET_KEY", GOOD_KEY)
    app = create_app()
    assert app.config["ENVIRONMENT"] == "production"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    response = app.test_client().get("/cookies")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_development_cookies_work_over_plain_http(instance, monkeypatch):
    monkeypatch.setenv("PORTAL_SECRET_KEY", GOOD_KEY)
    monkeypatch.setenv("PORTAL_ENVIRONMENT", "development")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert "Strict-Transport-Security" not in app.test_client().get("/").headers


def test_an_unknown_environment_is_refused(instance, monkeypatch):
    monkeypatch.setenv("PORTAL_SECRET_KEY", GOOD_KEY)
    monkeypatch.setenv("PORTAL_ENVIRONMENT", "staging")
    with pytest.raises(ConfigError, match="ENVIRONMENT"):
        create_app()


def test_proxy_fix_trusts_only_the_configured_proxies(instance, monkeypatch):
    monkeypatch.setenv("PORTAL_SECRET_KEY", GOOD_KEY)
    monkeypatch.setenv("PORTAL_PROXY_FIX_X_FOR", "1")
    monkeypatch.setenv("PORTAL_PROXY_FIX_X_PROTO", "1")
    app = create_app()

    @app.get("/test/remote")
    @public
    def remote():
        return f"{request.remote_addr} {request.scheme}"

    response = app.test_client().get(
        "/test/remote", headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    )
    assert response.get_data(as_text=True) == "203.0.113.9 https"


def test_production_with_several_web_workers_needs_a_shared_sign_in_limit_store():
    from portal.config import DEFAULTS, check_web_workers

    production = {**DEFAULTS, "ENVIRONMENT": "production"}
    with pytest.raises(ConfigError, match=r"PORTAL_WORKERS=1"):
        check_web_workers(production, workers=5)
    check_web_workers(production, workers=1)
    check_web_workers({**production, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"}, 5)
    check_web_workers({**production, "ENVIRONMENT": "development"}, workers=5)


def test_gunicorn_refuses_several_workers_counting_sign_ins_in_memory(tmp_path):
    import os
    import subprocess
    import sys

    from tests.fixtures.http import ROOT
    from tests.fixtures.smtp import _free_port

    environment = {
        **os.environ,
        "PORTAL_SECRET_KEY": GOOD_KEY,
        "PORTAL_ENVIRONMENT": "production",
        "PORTAL_INSTANCE_PATH": str(tmp_path),
        "PORTAL_BIND": f"127.0.0.1:{_free_port()}",
        "PORTAL_WORKERS": "2",
    }
    environment.pop("PORTAL_RATELIMIT_STORAGE_URI", None)
    refused = subprocess.run(  # noqa: S603 (our own gunicorn, fixed arguments)
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy/gunicorn.conf.py"), "wsgi:app"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert refused.returncode != 0
    assert "each of the 2 web workers would count sign-in attempts on its own" in refused.stderr
    assert "PORTAL_WORKERS=1" in refused.stderr
