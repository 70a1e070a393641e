"""Demo records for the service measures: registrations people started online and left at
different questions, some taking a while to finish, and feedback from the phase banner."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.auth.demo import DEMO_PASSWORD, add_demo_participant
from portal.auth.models import User
from portal.auth.passwords import hash_password
from portal.db_base import utcnow
from portal.pages.models import Feedback, FeedbackRating
from portal.registration import journey, services
from portal.registration.demo import DEMO_ROUND
from portal.rounds.models import Round

# (days ago it was started, questions answered before stopping)
DRAFTS = [(2, 1), (4, 3), (5, 3), (9, 6), (12, 9), (15, len(journey.STEPS))]
FEEDBACK = [
    (FeedbackRating.VERY_SATISFIED, "Quick and clear.", 1),
    (FeedbackRating.SATISFIED, "", 3),
    (FeedbackRating.SATISFIED, "I was not sure what counts as turnover.", 6),
    (FeedbackRating.VERY_SATISFIED, "", 8),
    (FeedbackRating.NEITHER, "", 12),
    (FeedbackRating.DISSATISFIED, "Hard to find where to book one-to-one support.", 20),
    (FeedbackRating.VERY_SATISFIED, "", 26),
]


def load(session: Session) -> int:
    """Add the demo drafts and feedback that are missing. Returns how many were added."""
    programme_round = session.scalar(select(Round).where(Round.name == DEMO_ROUND))
    if programme_round is None:
        return 0
    now = utcnow()
    added = 0
    password_hash: str | None = None
    for number, (days_ago, answered) in enumerate(DRAFTS, start=1):
        email = f"draft-{number}@demo-applicant.example.org"
        if session.scalar(select(User.id).where(User.email == email)) is not None:
            continue
        started = now - dt.timedelta(days=days_ago, hours=number)
        password_hash = password_hash or hash_password(DEMO_PASSWORD)
        person = add_demo_participant(
            session,
            email=email,
            name=f"Demo Draft {number}",
            at=started,
            password_hash=password_hash,
        )
        application = services.start_application(
            session, person=person, programme_round=programme_round, now=started
        )
        application.answered_steps = [step.slug for step in journey.STEPS[:answered]]
        added += 1
    if not session.scalar(select(func.count(Feedback.id))):
        for rating, comments, days_ago in FEEDBACK:
            session.add(
                Feedback(
                    rating=rating,
                    comments=comments,
                    page="/",
                    created_at=now - dt.timedelta(days=days_ago),
                )
            )
            added += 1
    session.flush()
    return added
