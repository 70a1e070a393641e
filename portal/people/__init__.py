"""Officers' joined-up view of the programme's people and businesses: one page per person
(views.py, blueprint ``people``) and per business (businesses_views.py), searching across
rounds, and officers' contact notes.

This package sits above every feature it shows (registration, cohorts, coaching, surveys,
case studies, notifications, audit) and nothing below imports it, except the erasure, which
removes contact notes with the rest of a person's words (it imports only ``models``).
"""
