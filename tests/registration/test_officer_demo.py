"""The demo applicants: a believable spread in the open round, loaded once however often run."""

from collections import Counter

from sqlalchemy import func, select

from portal.auth import demo as people
from portal.auth.models import User
from portal.reference import services as reference
from portal.registration.demo import COUNT, DOMAIN, load_demo_applicants
from portal.registration.models import Application, ApplicationStatus, FactAnswer
from portal.rounds.demo import load_demo_rounds
from portal.rounds.models import Round


def test_the_demo_applicants_load_once_with_a_spread_of_answers(app, session):
    with app.app_context():
        reference.load_all(session)
        people.load(session)
        load_demo_rounds(session)
        assert load_demo_applicants(session) == COUNT
        session.commit()
        assert load_demo_applicants(session) == 0
        session.commit()

    round_3 = session.scalars(select(Round).where(Round.name == "Round 3")).one()
    applications = session.scalars(
        select(Application).where(Application.round_id == round_3.id)
    ).all()
    assert len(applications) == COUNT
    statuses = Counter(application.status for application in applications)
    assert statuses[ApplicationStatus.ELIGIBLE] >= 45
    assert statuses[ApplicationStatus.INELIGIBLE] >= 5
    assert statuses[ApplicationStatus.NEEDS_REVIEW] >= 2
    assert statuses[ApplicationStatus.WITHDRAWN] == 1
    assert sum(1 for a in applications if a.duplicate_of_id) == 1
    assert len({a.district_code for a in applications}) >= 12
    assert len({a.sector_code for a in applications}) >= 10
    assert len({a.delivery for a in applications}) == 3
    assert all(a.availability and a.issues for a in applications)
    assert any(answer.answer == FactAnswer.YES for a in applications for answer in a.ownership)
    emails = session.scalars(select(User.email).where(User.email.like(f"%@{DOMAIN}"))).all()
    # One applicant is the demo participant who signs in, with her own address.
    assert len(emails) == COUNT - 1
    assert session.scalar(select(func.count()).select_from(Round)) == 3
