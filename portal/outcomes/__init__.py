"""Outcome figures: the definitions officers report (figures.py), how they are shown
(presentation.py), figures kept once worked out (stored.py), the dashboard, exports and the
board report."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """Register the job that works out today's figures ahead of the first visit."""
    from portal import jobs
    from portal.outcomes.stored import store_todays_figures

    jobs.register(app, jobs.Job("store-figures", dt.timedelta(minutes=5), store_todays_figures))
