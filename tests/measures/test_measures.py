"""Service measures against values counted by hand, and the officers' page.

In the last 30 days: 5 online registrations started. 2 were submitted (after 10 and 30
minutes: median 20); 1 stopped at the business question, 1 answered every question but did
not submit (check your answers), 1 was started an hour ago (still answering: not counted as
stopped). Outside the period or the online service: one started 40 days ago, one an officer
made for someone. Feedback: 3 in the period (very satisfied, satisfied with a comment,
dissatisfied): satisfaction 2 of 3 = 67%; one older answer is left out.
"""

from __future__ import annotations

import datetime as dt

import pytest

from portal.auth.models import Role
from portal.db_base import utcnow
from portal.measures import figures
from portal.pages.models import Feedback, FeedbackRating
from portal.registration import journey, services
from portal.registration.models import ApplicationSource
from tests.fixtures.pages import check_page


@pytest.fixture
def recorded(app, session, make_round, make_user, make_application):
    programme_round = make_round()
    now = utcnow()  # when the records are made (not at import: a long run starts later)

    def draft(age: dt.timedelta, answered: int, **kwargs):  # type: ignore[no-untyped-def]
        person = make_user(Role.PARTICIPANT)
        with app.app_context():
            application = services.start_application(
                session, person=person, programme_round=programme_round, now=now - age, **kwargs
            )
        application.answered_steps = [step.slug for step in journey.STEPS[:answered]]
        session.commit()
        return application

    for minutes in (10, 30):
        done = make_application(programme_round)
        done.created_at = done.submitted_at - dt.timedelta(minutes=minutes)
    business = [step.slug for step in journey.STEPS].index("business")
    draft(dt.timedelta(days=3), business)
    draft(dt.timedelta(days=2), len(journey.STEPS))
    draft(dt.timedelta(hours=1), 2)
    draft(dt.timedelta(days=40), 1)
    officer = make_user(Role.OFFICER)
    draft(dt.timedelta(days=5), 1, source=ApplicationSource.ASSISTED, created_by=officer)
    for rating, comments, age in [
        (FeedbackRating.VERY_SATISFIED, "", 1),
        (FeedbackRating.SATISFIED, "Clear questions", 2),
        (FeedbackRating.DISSATISFIED, "", 3),
        (FeedbackRating.VERY_DISSATISFIED, "Old", 45),
    ]:
        session.add(
            Feedback(rating=rating, comments=comments, created_at=now - dt.timedelta(days=age))
        )
    session.commit()


def test_the_measures_match_the_hand_counted_values(session, recorded):
    now = utcnow()
    since = now - dt.timedelta(days=30)
    found = figures.registration(session, since, now)
    assert (found.started, found.completed) == (5, 2)
    assert found.completion_rate.whole() == "40%"
    assert found.median_minutes_to_complete == pytest.approx(20)
    business = journey.STEP_BY_SLUG["business"].title
    assert found.stopped_at == [(business, 1), (figures.CHECK_ANSWERS, 1)]
    said = figures.feedback(session, since, now)
    assert said.answers == 3
    assert said.by_rating[FeedbackRating.VERY_DISSATISFIED] == 0
    assert said.with_comments == 1
    assert said.satisfaction.whole() == "67%"


def test_officers_read_them_for_the_period_they_choose(client, recorded, signed_in_as):
    signed_in_as(Role.OFFICER)
    page = check_page(client.get("/service-measures/"))
    text = " ".join(page.get_text().split())
    assert "Registrations started 5" in text
    assert "Completion rate 40% (2 of 5)" in text
    assert "What is your business called? 1" in text
    assert "Satisfaction 67%" in text
    longer = " ".join(check_page(client.get("/service-measures/?period=90")).get_text().split())
    assert "Registrations started 6" in longer
    assert check_page(client.get("/service-measures/?period=nonsense"))
