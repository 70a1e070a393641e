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
- ``report``: the officers' and contractor leads' report and its exports.
- ``coach_views`` (/coaching), ``participant_views`` (/one-to-one), ``report_views``
  (/one-to-one-support).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the reminders job with the job runner (after ``jobs.init_app``)."""
    from portal import jobs
    from portal.coaching.reminders import JOB_EVERY, send_due_reminders

    jobs.register(app, jobs.Job("coaching-reminders", JOB_EVERY, send_due_reminders))
