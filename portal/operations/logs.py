"""Log lines: time, level, request id, logger and message, on standard error.

Gunicorn and cron collect standard error. The request id ties together everything written while
one request was handled (see ``portal.operations.requests``). The portal writes one line per
request itself, so the development server's own access lines (which show the path, and paths
can hold tokens) are left out, as gunicorn's access log is. Tests leave logging as pytest set
it up.
"""

from __future__ import annotations

import logging
import logging.config

from flask import Flask

FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
# How werkzeug's development server words an access line (werkzeug.serving.log_request).
_WERKZEUG_ACCESS_LINE = '"%s" %s %s'


class WithoutAccessLines(logging.Filter):
    """Leaves out the development server's access lines, keeping its other messages."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.endswith(_WERKZEUG_ACCESS_LINE))


def init_app(app: Flask) -> None:
    if app.testing:
        return
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "filters": {
                "request_id": {"()": "portal.operations.requests.RequestIdFilter"},
                "without_access_lines": {"()": WithoutAccessLines},
            },
            "formatters": {"plain": {"format": FORMAT}},
            "handlers": {
                "stderr": {
                    "class": "logging.StreamHandler",
                    "formatter": "plain",
                    "filters": ["request_id"],
                }
            },
            "root": {"level": app.config["LOG_LEVEL"], "handlers": ["stderr"]},
            # Migrations say what they run only when something is wrong.
            "loggers": {
                "alembic": {"level": "WARNING"},
                "werkzeug": {"filters": ["without_access_lines"]},
            },
        }
    )
