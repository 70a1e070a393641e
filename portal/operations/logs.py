"""Log lines: time, level, request id, logger and message, on standard error.

Gunicorn and cron collect standard error. ``LOG_FORMAT = "json"`` writes each line as one JSON
object instead (time, level, logger, message, request id, and the traceback when there is
one), for log collectors that read JSON. The request id ties together everything written while
one request was handled (see ``portal.operations.requests``). The portal writes one line per
request itself, so the development server's own access lines (which show the path, and paths
can hold tokens) are left out, as gunicorn's access log is. Tests leave logging as pytest set
it up.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import logging.config
from typing import Any

from flask import Flask

FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
# How werkzeug's development server words an access line (werkzeug.serving.log_request).
_WERKZEUG_ACCESS_LINE = '"%s" %s %s'


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id
    (when there is a request) and exception (the traceback, when there is one)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", "-")
        if request_id != "-":
            line["request_id"] = request_id
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


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
            "formatters": {"text": {"format": FORMAT}, "json": {"()": JsonFormatter}},
            "handlers": {
                "stderr": {
                    "class": "logging.StreamHandler",
                    "formatter": app.config["LOG_FORMAT"],
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
