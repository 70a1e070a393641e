"""Running the portal: request ids and log lines, metrics, and the admin status page.

- ``requests``: every request's id, its one log line (route, status, time; no personal data)
  and its count and duration in the metrics.
- ``logs``: the log format (with the request id) for servers and commands.
- ``status``: the database, outbox, jobs and stored figures, read for the status page and the
  metrics (no Flask).
- ``views``: ``/metrics`` (Prometheus text format, behind a bearer token) and
  ``/admin/status``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from portal.operations import logs, requests

    logs.init_app(app)
    requests.init_app(app)
