"""Warming the app up before it serves, so a web worker's first request costs what later ones
do: gunicorn imports the app once, runs this, then forks its workers from it
(``deploy/gunicorn.conf.py``, ``preload_app``), so each worker starts with it all done.

No request touches the database here; the engine is left without connections, as a forked
worker must not share its parent's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def warm_up(app: Flask) -> int:
    """Compile every template, configure the models' mappers and render the start page.
    Returns how many templates were compiled."""
    from sqlalchemy.orm import configure_mappers

    from portal import db

    configure_mappers()
    names = app.jinja_env.list_templates(extensions=("html", "txt", "ics"))
    for name in names:
        app.jinja_env.get_template(name)
    # The first request through Flask builds what templates cannot: the URL map's matchers,
    # the request's machinery and the layout's context.
    app.test_client().get("/")
    db.engine_for(app).dispose()
    return len(names)
