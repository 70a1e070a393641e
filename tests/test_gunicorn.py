"""The production server settings (deploy/gunicorn.conf.py): gunicorn starts the portal with
several workers, the portal logs its own request lines, and /metrics adds up every worker's
requests."""

from __future__ import annotations

import os
import re
import subprocess
import urllib.error
import urllib.request

from portal.db import make_engine
from portal.models import Base
from tests.fixtures.app import TEST_SECRET_KEY
from tests.fixtures.http import ROOT, start_gunicorn
from tests.fixtures.smtp import _free_port

TOKEN = "metrics-token-for-the-gunicorn-test-0123456789"


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (loopback)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_gunicorn_serves_with_several_workers_and_metrics_add_them_up(tmp_path):
    # The server settings are the subject here, not the database: SQLite only.
    database_url = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    engine = make_engine(database_url)
    Base.metadata.create_all(engine)
    engine.dispose()
    port = _free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PORTAL_SECRET_KEY": TEST_SECRET_KEY,
        "PORTAL_ENVIRONMENT": "development",
        "PORTAL_INSTANCE_PATH": str(tmp_path / "instance"),
        "PORTAL_METRICS_TOKEN": TOKEN,
        "PORTAL_BIND": f"127.0.0.1:{port}",
        "PORTAL_WORKERS": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    server = start_gunicorn(environment, output=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(20):
            assert _get(f"{base}/healthz")[0] == 200
        assert _get(f"{base}/metrics")[0] == 403
        status, text = _get(f"{base}/metrics", {"Authorization": f"Bearer {TOKEN}"})
        assert status == 200
        served = re.search(
            r'^portal_http_requests_total\{method="GET",route="/healthz",status="200"\} (\S+)',
            text,
            re.MULTILINE,
        )
        assert served is not None, text[:2000]
        # At least the 20 counted requests, whichever worker answered each.
        assert float(served.group(1)) >= 20
        assert "portal_database_up 1.0" in text
        assert len(list((tmp_path / "metrics").glob("counter_*.db"))) >= 1
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    lines = [line for line in output.splitlines() if "portal.requests: GET /healthz 200" in line]
    assert lines, output[-2000:]
    assert re.search(r" INFO \[[0-9a-f]{32}\] portal\.requests: GET /healthz 200 \d+ms$", lines[0])


def test_workers_restart_rarely_and_at_different_times():
    """Each worker is replaced after its own number of requests, so five workers started
    together do not all restart together."""
    settings: dict[str, object] = {}
    exec((ROOT / "deploy/gunicorn.conf.py").read_text(), settings)  # noqa: S102 (our own file)
    assert settings["max_requests"] >= 10_000  # type: ignore[operator]
    assert settings["max_requests_jitter"] >= settings["max_requests"] / 2  # type: ignore[operator]


def test_workers_are_forked_from_an_app_warmed_up_once(app):
    """Issue 16: gunicorn imports and warms the app once and forks workers from it, so a
    worker starts in milliseconds and its first request is not paying for compiling
    templates; the warmed app holds no database connection a worker could inherit."""
    settings: dict[str, object] = {}
    exec((ROOT / "deploy/gunicorn.conf.py").read_text(), settings)  # noqa: S102 (our own file)
    assert settings["preload_app"] is True
    from portal import db
    from portal.warm_up import warm_up

    compiled = warm_up(app)
    assert compiled >= 100
    loaded = {key[1] for key in app.jinja_env.cache}  # type: ignore[union-attr]
    assert {"base.html", "my_cohort/index.html", "one_to_one/index.html"} <= loaded
    assert db.engine_for(app).pool.checkedout() == 0
