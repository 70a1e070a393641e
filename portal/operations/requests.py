"""Every request gets an id, one log line and its count in the metrics.

The id comes from the load balancer's ``X-Request-ID`` header when it is a plain token,
otherwise it is made here; it is sent back in the response's ``X-Request-ID`` header, added to
every log line written while the request is handled, and shown on the error page so a person
can quote it.

The log line names the route (``/surveys/r/<token>``), never the path or query string, which can
hold tokens, email addresses or names; and it names no person. Personal data stays out of logs.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, has_request_context, request
from prometheus_client import Counter, Histogram

log = logging.getLogger("portal.requests")

_ACCEPTED_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")

REQUESTS = Counter(
    "portal_http_requests",
    "Requests answered, by route and status code",
    ["method", "route", "status"],
)
DURATION = Histogram(
    "portal_http_request_duration_seconds",
    "Time taken to answer, by route",
    ["method", "route"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10),
)


def request_id() -> str:
    """This request's id ("-" outside a request)."""
    if not has_request_context():
        return "-"
    return str(g.get("request_id", "-"))


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every log record (so the format can use %(request_id)s)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id()
        return True


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)


def _start() -> None:
    offered = request.headers.get("X-Request-ID", "")
    g.request_id = offered if _ACCEPTED_ID.fullmatch(offered) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def route_name() -> str:
    """The route's rule, or "unmatched" for a path no route has (never the path itself)."""
    rule = request.url_rule
    return rule.rule if rule is not None else "unmatched"


def _finish(response: Response) -> Response:
    started = g.get("request_started")
    if started is None:  # the request failed before it began (a rare early error)
        return response
    seconds = time.perf_counter() - started
    route = route_name()
    response.headers["X-Request-ID"] = request_id()
    REQUESTS.labels(request.method, route, str(response.status_code)).inc()
    DURATION.labels(request.method, route).observe(seconds)
    # A page brings a dozen static files; their lines would drown the pages' (LOG_LEVEL=DEBUG
    # shows them).
    log.log(
        logging.DEBUG if request.endpoint == "static" else logging.INFO,
        "%s %s %s %.0fms",
        request.method,
        route,
        response.status_code,
        seconds * 1000,
    )
    return response
