"""One-to-one support: coaches publish availability, participants book, reschedule and cancel,
coaches record what happened, and officers and contractor leads report the hours.

- ``availability``: pure slot generation (weekly hours, one-off changes, lengths, buffers,
  notice, horizon, clock changes).
- ``diary``: a coach's stored availability and their free times.
- ``scope``: who may book whom, whose records each person sees, and the entitlement.
- ``services``: every change to a booking (book, move, cancel, record what happened).
- ``outside``: one-to-one support recorded outside the booking system.
- ``waiting``: "tell me if an earlier time opens".
- ``messages``: emails with calendar files. ``reminders``: the 24-hour reminder job.
- ``hours``: 1:1 hours delivered as figures.md defines them (the outcome figures call it).
- ``support_report``: the officers' and contractor leads' report and its exports.
- ``views`` (coaching, /coaching), ``one_to_one_views`` (one_to_one, /one-to-one),
  ``support_report_views`` (support_report, /one-to-one-support): each view module is named
  after its blueprint, with its templates in ``templates/<blueprint>/``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """Register the reminders job with the job runner (after ``jobs.init_app``)."""
    from portal import jobs
    from portal.coaching.reminders import JOB_EVERY, send_due_reminders

    jobs.register(app, jobs.Job("coaching-reminders", JOB_EVERY, send_due_reminders))
