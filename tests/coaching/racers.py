"""A booking made from a separate process, for the race tests: each process builds its own
app (its own engine and connections), signs in as one participant, waits at the barrier
with the others, then posts the booking form. Started from multiprocessing's fork server,
which preloads this module: it imports the app's modules up front, so each racer starts
warm, and it must import cleanly on its own."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

# Imported here to warm the fork server (see the docstring).
import portal.coaching.one_to_one_views
import portal.coaching.support_report_views
import portal.coaching.views
import portal.models  # noqa: F401
from portal import create_app
from tests.fixtures.app import PortalClient, make_test_config


def book_in_a_process(
    database_url: str,
    instance: str,
    user_id: int,
    session_version: int,
    path: str,
    form: dict[str, str],
    barrier: Any,
    results: Any,
) -> None:
    os.environ["PORTAL_INSTANCE_PATH"] = instance
    app = create_app(make_test_config(database_url, Path(instance)))
    app.test_client_class = PortalClient
    client = app.test_client()
    with client.session_transaction() as browser_session:
        import time

        browser_session["_user_id"] = f"{user_id}:{session_version}"
        browser_session["_fresh"] = True
        browser_session["signed_in_at"] = time.time()
        browser_session["seen_at"] = time.time()
    token = client.csrf_token_from(path)  # type: ignore[attr-defined]
    try:
        barrier.wait(timeout=60)
        response = client.post(path, data={"csrf_token": token, **form})
        results.put((user_id, response.status_code, response.get_data(as_text=True)))
    finally:
        from portal import db

        db.engine_for(app).dispose()
