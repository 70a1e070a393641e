"""Running the portal: request ids, log lines without personal data, metrics behind a token,
and the administrators' status page."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import threading
import urllib.request

import pytest
from flask import Flask
from sqlalchemy.orm import Session
from werkzeug import _internal as werkzeug_internal
from werkzeug.serving import make_server

from portal import jobs
from portal.auth.access import public
from portal.auth.models import Role
from portal.config import ConfigError, check
from portal.db_base import utcnow
from portal.notifications.models import OutboxMessage
from portal.notifications.services import new_message_id
from portal.operations.logs import FORMAT, WithoutAccessLines
from portal.operations.requests import RequestIdFilter
from tests.fixtures.http import ROOT
from tests.fixtures.pages import check_page

TOKEN = "metrics-token-for-tests-only-0123456789"


def a_queued_email(app: Flask, session: Session) -> None:
    with app.app_context():
        message_id = new_message_id()
    session.add(
        OutboxMessage(
            to_address="someone@example.com",
            subject="Hello",
            body_text="Hello",
            body_html="<p>Hello</p>",
            message_id=message_id,
        )
    )
    session.commit()


def test_every_response_carries_a_request_id_and_a_plain_one_offered_is_kept(client):
    made = client.get("/").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert (
        client.get("/", headers={"X-Request-ID": "lb-1234abcd"}).headers["X-Request-ID"]
        == "lb-1234abcd"
    )
    for unsafe in ("short", "has space in it", "x" * 65, "evil\u2028line-break"):
        answered = client.get("/", headers={"X-Request-ID": unsafe}).headers["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", answered), unsafe


def test_the_log_line_names_the_route_never_the_path_or_query(client, caplog):
    caplog.set_level(logging.INFO, logger="portal.requests")
    client.get("/healthz?email=jane.doe@example.com")
    client.get("/surveys/r/a-secret-survey-token-1234567890")
    client.get("/no-such-page/jane.doe@example.com")
    lines = [record.getMessage() for record in caplog.records if record.name == "portal.requests"]
    assert lines[0].startswith("GET /healthz 200 ")
    assert any(line.startswith("GET unmatched 404 ") for line in lines)
    joined = "\n".join(lines)
    assert "jane.doe" not in joined
    assert "a-secret-survey-token" not in joined


def test_log_records_carry_the_request_id(app, client):
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RequestIdFilter())
    seen: list[str] = []
    handler.emit = lambda record: seen.append(handler.format(record))  # type: ignore[method-assign]
    logger = logging.getLogger("portal.requests")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        answered = client.get("/", headers={"X-Request-ID": "trace-0000abcd"})
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert answered.status_code == 200
    assert any("[trace-0000abcd] portal.requests: GET / 200" in line for line in seen)


@pytest.fixture
def failing_app(app: Flask) -> Flask:
    @public
    def broken() -> str:
        raise RuntimeError("something inside went wrong")

    app.add_url_rule("/broken-for-the-test", "broken_for_the_test", broken)
    return app


def test_an_unexpected_error_shows_a_reference_to_quote(failing_app, caplog):
    client = failing_app.test_client()
    response = client.get("/broken-for-the-test", headers={"X-Request-ID": "ref-12345678"})
    page = check_page(response, status=500)
    assert "quote reference ref-12345678" in " ".join(page.get_text().split())
    assert response.headers["X-Request-ID"] == "ref-12345678"
    logged = [r for r in caplog.records if "Unexpected error on /broken-for-the-test" in r.message]
    assert logged
    assert logged[0].exc_info


def test_without_a_token_configured_there_are_no_metrics(client):
    assert client.get("/metrics").status_code == 404


class TestMetrics:
    @pytest.fixture
    def app_config(self):
        return {"METRICS_TOKEN": TOKEN}

    def test_a_wrong_or_missing_token_is_refused(self, client):
        assert client.get("/metrics").status_code == 403
        wrong = client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
        assert wrong.status_code == 403

    def test_requests_outbox_jobs_and_the_database_are_measured(self, app, client, session):
        client.get("/healthz")
        a_queued_email(app, session)
        with app.app_context():
            outcomes = jobs.run_due_jobs(session, now=utcnow())
        assert all(outcome.succeeded for outcome in outcomes)
        answered = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert answered.status_code == 200
        assert answered.mimetype == "text/plain"
        text = answered.get_data(as_text=True)
        assert re.search(
            r'^portal_http_requests_total\{method="GET",route="/healthz",status="200"\} [1-9]',
            text,
            re.MULTILINE,
        )
        assert (
            'portal_http_request_duration_seconds_bucket{le="0.3",method="GET",route="/healthz"}'
            in text
        )
        assert "portal_database_up 1.0" in text
        # The send-mail job ran: the message was sent (no server: written to a file).
        assert 'portal_outbox_messages{status="sent"} 1.0' in text
        assert 'portal_outbox_messages{status="queued"} 0.0' in text
        assert 'portal_job_runs_total{job="send-mail"} 1.0' in text
        assert 'portal_job_last_run_succeeded{job="send-mail"} 1.0' in text
        assert "jane" not in text


def test_the_status_page_shows_the_database_email_and_jobs(app, client, session, signed_in_as):
    a_queued_email(app, session)
    signed_in_as(Role.ADMIN)
    page = check_page(client.get("/admin/status"))
    text = " ".join(page.get_text().split())
    assert "Service status" in text
    assert "Waiting to be sent 1" in text
    assert "No job has run yet" in text
    with app.app_context():
        outcomes = jobs.run_due_jobs(session, now=utcnow())
    assert all(outcome.succeeded for outcome in outcomes)
    text = " ".join(check_page(client.get("/admin/status")).get_text().split())
    assert "send-mail" in text
    assert "Waiting to be sent 0" in text
    assert "Failed None" in text


def test_static_files_are_logged_only_at_debug_level(client, caplog):
    caplog.set_level(logging.INFO, logger="portal.requests")
    with client.get("/static/images/favicon.svg") as static_file:  # closes the file
        assert static_file.status_code == 200
    client.get("/")
    lines = [record.getMessage() for record in caplog.records if record.name == "portal.requests"]
    assert [line.split(" ")[:3] for line in lines] == [["GET", "/", "200"]]

    caplog.set_level(logging.DEBUG, logger="portal.requests")
    client.get("/static/images/favicon.svg").close()
    assert caplog.records[-1].getMessage().startswith("GET /static/<path:filename> 200 ")


def test_the_development_servers_access_lines_are_left_out_and_its_other_messages_kept(app, caplog):
    """`make run` serves with werkzeug, whose access lines repeat the portal's own line with
    the full path (which can hold a token): the logging set-up leaves them out."""
    werkzeug_log = logging.getLogger("werkzeug")
    server = make_server("127.0.0.1", 0, app)
    caplog.set_level(logging.INFO, logger="werkzeug")

    def visit(path: str) -> list[str]:
        caplog.clear()
        thread = threading.Thread(target=server.handle_request)
        thread.start()
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}{path}") as answer:
            assert answer.status == 200
            answer.read()
        thread.join()
        werkzeug_internal._log("info", "Press CTRL+C to quit")
        return [record.getMessage() for record in caplog.records if record.name == "werkzeug"]

    try:
        unfiltered = visit("/?token=a-secret-1234")
        werkzeug_log.addFilter(without := WithoutAccessLines())
        try:
            filtered = visit("/?token=a-secret-1234")
        finally:
            werkzeug_log.removeFilter(without)
    finally:
        server.server_close()
    assert any("a-secret-1234" in line for line in unfiltered)  # what is left out
    assert filtered == ["Press CTRL+C to quit"]


_LOG_AS_JSON = """
import logging
from portal import create_app
app = create_app()
app.test_client().get("/cookies", headers={"X-Request-ID": "trace-json-0001"})
try:
    raise RuntimeError("broken for the test")
except RuntimeError:
    logging.getLogger("portal.test").exception("Outside a request")
"""


def test_log_format_json_writes_one_object_per_line_with_the_request_id(tmp_path):
    environment = {
        **os.environ,
        "PORTAL_SECRET_KEY": "k" * 40,
        "PORTAL_INSTANCE_PATH": str(tmp_path),
        "PORTAL_LOG_FORMAT": "json",
    }
    environment.pop("DATABASE_URL", None)
    environment.pop("PORTAL_DATABASE_URL", None)
    ran = subprocess.run(  # noqa: S603 (our own interpreter, fixed code)
        [sys.executable, "-c", _LOG_AS_JSON],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    lines = [json.loads(line) for line in ran.stderr.splitlines()]
    answered = next(line for line in lines if line["logger"] == "portal.requests")
    assert answered["level"] == "INFO"
    assert answered["message"].startswith("GET /cookies 200 ")
    assert answered["request_id"] == "trace-json-0001"
    assert answered["time"].endswith("+00:00")
    failed = next(line for line in lines if line["logger"] == "portal.test")
    assert failed["level"] == "ERROR"
    assert failed["message"] == "Outside a request"
    assert "request_id" not in failed
    assert "RuntimeError: broken for the test" in failed["exception"]


def test_an_unknown_log_format_is_refused(app):
    with pytest.raises(ConfigError, match="LOG_FORMAT"):
        check({**app.config, "LOG_FORMAT": "xml"})
