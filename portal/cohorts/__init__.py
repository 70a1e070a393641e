"""Cohorts: forming peer groups from eligible applicants, offers, sessions and attendance.

Rooms of one job each, the pure ``schedule`` at the bottom:

- ``models``: cohorts, places, sessions, attendance. ``schedule``: session times (pure).
- ``services``: a cohort itself: finding it, its members and status, who delivers it.
- ``matching_inputs``: records into the matching engine's applicants, conflicts and rules.
- ``forming``: matching runs, proposals, moves, locks, hand-made cohorts.
- ``offers``: confirming a cohort, offers, replies, lapsing, backfilling; the lapse job.
- ``delivery``: what delivering shares; ``sessions`` (settings, schedule, session changes),
  ``registers`` (registers, themes, notes), ``hours`` (hours attended, completion),
  ``membership`` (scope, members, joining, leaving, feed links), ``member_emails``
  (calendar files and emails to members).
- ``views`` (cohorts, /cohorts), ``offers_views`` (offers, /offers), ``facilitation_views``
  (facilitation, /facilitation), ``my_cohort_views`` (my_cohort, /my-cohort): each view
  module is named after its blueprint, with its templates in ``templates/<blueprint>/``.
"""
