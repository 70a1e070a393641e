"""A realistic ceiling for a portal page, served by bench_load.py beside the portal.

What any signed-in page of the portal must do at the least, done as plainly as Flask and
SQLAlchemy allow: read the signed session cookie (the portal's own, with the same secret key
and cookie name), load the signed-in user by primary key, read one more row, and render the
portal's own base layout (``templates/base.html``: header, service navigation, phase banner,
footer, timeout warning) around a summary list of 6 rows and a table of 10 rows. It runs with
the same gunicorn settings and on the same database as the portal, so the ratio of a portal
page's throughput to this one's is the portal's own overhead.

Nothing here is part of the portal; it imports only the portal's models and templates.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

from flask import Flask, abort, g, render_template, session, url_for
from flask_wtf.csrf import generate_csrf
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session, load_only

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal.auth.models import User  # noqa: E402
from portal.rounds.models import Round  # noqa: E402

app = Flask(__name__, static_folder=str(ROOT / "static"), static_url_path="/static")
app.config.update(
    SECRET_KEY=os.environ["PORTAL_SECRET_KEY"],
    SESSION_COOKIE_NAME="portal_session",
    SESSION_IDLE_MINUTES=30,
    SERVICE_NAME="Boost Peer Networks",
)
app.jinja_loader = ChoiceLoader(
    [
        FileSystemLoader([Path(__file__).resolve().parent / "templates", ROOT / "templates"]),
        PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
    ]
)
app.jinja_env.trim_blocks = True
app.jinja_env.lstrip_blocks = True
app.jinja_env.globals.update(
    csp_nonce=lambda: g.get("csp_nonce", ""), csrf_token=generate_csrf, error_summary=None
)

engine = create_engine(os.environ["DATABASE_URL"])

# The links the base layout makes: the same endpoints as the portal's, answering nothing.
for endpoint, path in [
    ("pages.start", "/start"),
    ("pages.feedback", "/feedback"),
    ("pages.accessibility", "/accessibility"),
    ("pages.privacy", "/privacy"),
    ("pages.cookies", "/cookies"),
    ("stories.index", "/stories/"),
    ("auth.sign_in", "/sign-in"),
    ("auth.sign_out", "/sign-out"),
    ("auth.session_status", "/session/status"),
    ("auth.extend_session", "/session/extend"),
    ("account.home", "/account/"),
    ("registration.start", "/register/"),
    ("offers.mine", "/offers/"),
    ("my_cohort.index", "/my-cohort/"),
    ("one_to_one.index", "/one-to-one/"),
    ("case_study.index", "/your-story/"),
]:
    app.add_url_rule(path, endpoint, lambda: "")

NAVIGATION = [
    ("Your registration", "registration.start"),
    ("Your offers", "offers.mine"),
    ("Your cohort", "my_cohort.index"),
    ("One-to-one support", "one_to_one.index"),
    ("Your story", "case_study.index"),
    ("Your account", "account.home"),
]


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/ceiling")
def ceiling() -> str:
    g.csp_nonce = secrets.token_urlsafe(18)
    user_id, _, version = str(session.get("_user_id", "")).partition(":")
    if not user_id.isdigit():
        abort(403)
    with Session(engine) as db:
        user = db.scalar(
            select(User)
            .where(User.id == int(user_id))
            .options(load_only(User.name, User.email, User.status, User.session_version))
        )
        if user is None or str(user.session_version) != version:
            abort(403)
        row = db.scalar(select(Round).order_by(Round.id.desc()).limit(1))
    summary = [
        {"key": {"text": key}, "value": {"text": value}}
        for key, value in [
            ("Name", user.name),
            ("Email address", user.email),
            ("Status", user.status.value),
            ("Round", row.name if row else "None"),
            ("Session version", str(user.session_version)),
            ("Cohort", "Manufacturing, Preston"),
        ]
    ]
    table = [
        [{"text": f"Session {number}"}, {"text": f"Tuesday {number} March"}, {"text": "2pm"}]
        for number in range(1, 11)
    ]
    return render_template(
        "ceiling.html",
        title="Ceiling",
        service_name=app.config["SERVICE_NAME"],
        hub_name="Lancashire Business Growth Hub",
        council_name="Lancashire County Council",
        contact_email="hub@example.org",
        contact_phone="0300 123 6000",
        feedback_url=url_for("pages.feedback", from_path="/ceiling"),
        current_person=user,
        service_navigation=[
            {"text": text, "href": url_for(endpoint), "active": endpoint == "my_cohort.index"}
            for text, endpoint in NAVIGATION
        ],
        summary=summary,
        table=table,
        form=None,
    )
