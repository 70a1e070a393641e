"""Privacy rights: erasure handled by administrators (erasure.py) and retention (retention.py),
whose daily job removes personal data that has been kept as long as the privacy notice says."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy.orm import Session


def init_app(app: Flask) -> None:
    """Check the retention settings and register the retention job."""
    from portal import jobs
    from portal.privacy import retention

    retention.settings(app.config["RETENTION"])  # refuses bad settings at start-up
    daily_at_2am = jobs.Job("retention", dt.timedelta(days=1), _retention_job, at=dt.time(2, 0))
    jobs.register(app, daily_at_2am)


def _retention_job(session: Session, now: dt.datetime) -> str:
    from portal.auth.sessions import forget_ended_sessions
    from portal.privacy.erasure import remove_mail_files
    from portal.privacy.retention import apply_retention

    report = apply_retention(session, now, current_app.config["RETENTION"])
    folder = current_app.config["MAIL_FOLDER"] or Path(current_app.instance_path) / "mail"
    remove_mail_files(Path(folder), list(report.outbox_ids))
    forgotten = forget_ended_sessions(session, now)
    return f"{report.summary()}; {forgotten} ended sign-ins forgotten"
