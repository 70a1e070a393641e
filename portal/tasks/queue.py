"""The task queue: huey, on a SQLite file in the instance folder or on Redis.

``TASK_QUEUE_URL`` unset keeps the queue in ``<instance>/tasks.sqlite3`` (no service to run:
``make run`` works as it is); ``redis://...`` puts it on Redis for several servers. The queue
carries only a background task's id; the task's record in the portal's database says what
it is and how it went.
"""

from __future__ import annotations

import os
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey

from portal.config import ConfigError

QUEUE_FILE = "tasks.sqlite3"


def make_queue(config: dict[str, Any], instance_path: str) -> Huey:
    """The huey instance the settings describe. Raises ConfigError for an unknown URL."""
    url = config.get("TASK_QUEUE_URL") or ""
    name = config.get("TASK_QUEUE_NAME") or "portal"
    if not url:
        return SqliteHuey(name, filename=os.path.join(instance_path, QUEUE_FILE), results=False)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=url, results=False)
    if url.startswith("sqlite:///"):
        return SqliteHuey(name, filename=url.removeprefix("sqlite:///"), results=False)
    raise ConfigError(
        "TASK_QUEUE_URL must be a Redis URL (redis://127.0.0.1:6379/0), a SQLite file "
        "(sqlite:////var/lib/portal/tasks.sqlite3), or unset for instance/tasks.sqlite3."
    )
