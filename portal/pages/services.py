from __future__ import annotations

from sqlalchemy.orm import Session

from portal.pages.models import Feedback, FeedbackRating


def record_feedback(
    session: Session, *, rating: FeedbackRating, comments: str, page: str | None
) -> Feedback:
    """Store feedback from the phase banner. Side effect: flushes a new Feedback row."""
    feedback = Feedback(rating=rating, comments=comments, page=page)
    session.add(feedback)
    session.flush()
    return feedback
