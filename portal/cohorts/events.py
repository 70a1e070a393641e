"""What the cohorts code announces, for other features to act on in the same unit of work.

Features that build on cohorts (surveys, say) import this package; cohorts never imports
them. So a cohort change that another feature must follow (a survey invitation queued the
moment a place is taken) is announced here, and the feature connects a receiver in its
``init_app``. Receivers run at once, in the request's session and before it commits: what
they write (an invitation and its email in the outbox) commits with the change that caused
it, or rolls back with it.

Each signal is sent with the record as sender and ``session`` and ``now`` as keyword
arguments. A receiver flushes, never commits, and raises nothing for an ordinary outcome.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

place_accepted = _signals.signal("place-accepted")
"""A person took a place in a cohort (sender: the Place, now accepted)."""

member_left = _signals.signal("member-left")
"""A member left their cohort (sender: the Place, now left, with its ``ended_at``)."""

register_taken = _signals.signal("register-taken")
"""A session's register was recorded (sender: the CohortSession, now held); the cohort's
last session may have been held."""
