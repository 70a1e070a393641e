"""Log lines: time, level, request id, logger and message, on standard error.

Gunicorn and cron collect standard error. The request id ties together everything written while
one request was handled (see ``portal.operations.requests``). Tests leave logging as pytest set
it up.
"""

from __future__ import annotations

import logging.config

from flask import Flask

FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


def init_app(app: Flask) -> None:
    if app.testing:
        return
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "filters": {"request_id": {"()": "portal.operations.requests.RequestIdFilter"}},
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
            "loggers": {"alembic": {"level": "WARNING"}},
        }
    )
