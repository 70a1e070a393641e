"""Demo case studies: Priya Participant's published story, and another member's story
waiting for an officer's review. A step of ``portal.demo.load``; it adds nothing twice,
and nothing when the demo has no placed people yet. Emails go to demo addresses."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auth.models import Role, User, UserRole
from portal.casestudies import journey, services
from portal.casestudies.models import CaseStudy, ConsentUse
from portal.cohorts.models import Place, PlaceStatus
from portal.db_base import utcnow

DEMO_PARTICIPANT = "owner@bakery.example.org"
PUBLISHED = {
    "title": "How a Preston bakery found the bakers it needed",
    "challenge": "We had more orders than we could bake. Three adverts for bakers brought "
    "no one suitable, and I was working nights to keep up.",
    "group_help": "Two others in the group had the same problem. One had started taking "
    "apprentices through the local college and shared exactly how.",
    "one_to_one_help": "My coach helped me write a proper job description and a training "
    "plan for the first year.",
    "actions": "We took on two apprentices with the college and changed our shifts so "
    "someone experienced is always with them.",
    "outcomes": "Both apprentices are still with us. We now meet every order, and I have "
    "my evenings back.",
    "quote": "Hearing how others had solved it gave me the confidence to try.",
}
IN_REVIEW = {
    "title": "Finding new customers abroad",
    "challenge": "Our customers were all within 30 miles and two of them were closing.",
    "group_help": "The group pushed me to look at exporting, which I had always avoided.",
    "one_to_one_help": "",
    "actions": "I went on a trade visit and used the Growth Hub's export advice.",
    "outcomes": "We have our first customer in Ireland and two more talking to us.",
    "quote": "",
}


def load(session: Session) -> int:
    """Add the two demo stories if they are missing. Returns how many were added."""
    if session.scalar(select(CaseStudy.id).limit(1)) is not None:
        return 0
    officer = session.scalar(
        select(User).join(UserRole).where(UserRole.role == Role.OFFICER).order_by(User.id)
    )
    priya = session.scalar(select(User).where(User.email == DEMO_PARTICIPANT))
    if officer is None or priya is None:
        return 0
    mine = services.places_of(session, priya)
    if not mine:
        return 0
    others = session.scalars(
        select(Place)
        .where(
            Place.cohort_id == mine[0].cohort_id,
            Place.status == PlaceStatus.ACCEPTED,
            Place.person_id != priya.id,
        )
        .order_by(Place.id)
    ).all()
    now = utcnow()
    published = _written(session, mine[0], PUBLISHED, named=True, years=5)
    services.submit(session, published, actor=priya, now=now)
    services.start_review(session, published, actor=officer, now=now)
    services.decide(session, published, "approve", comment="", actor=officer, now=now)
    services.publish(session, published, actor=officer, now=now, anonymity_checked=False)
    added = 1
    if others:
        author = session.get(User, others[0].person_id)
        assert author is not None
        waiting = _written(session, others[0], IN_REVIEW, named=False, years=3)
        services.submit(session, waiting, actor=author, now=now)
        added += 1
    session.flush()
    return added


def _written(
    session: Session, place: Place, story: dict[str, str], *, named: bool, years: int
) -> CaseStudy:
    person = session.get(User, place.person_id)
    assert person is not None
    case_study = services.start(session, place, actor=person, now=utcnow())
    for name, value in story.items():
        setattr(case_study, name, value)
    case_study.jobs_created = 2 if named else None
    case_study.named = named
    case_study.uses = [ConsentUse.WEBSITE.value, ConsentUse.REPORTS.value]
    case_study.consent_years = years
    case_study.answered_steps = [step.slug for step in journey.STEPS]
    session.flush()
    return case_study
