"""Case studies' test data: participants with places in a facilitator's group, and the
answers to every question page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from portal.auth.models import Role, User
from portal.cohorts.models import (
    Cohort,
    CohortBasis,
    CohortDelivery,
    CohortStatus,
    Place,
    PlaceStatus,
)
from portal.db_base import utcnow
from portal.registration.models import ApplicationStatus, PartOfDay
from portal.rounds.models import RoundStatus

STORY = {
    "title": {"title": "How a Preston bakery found its bakers"},
    "challenge": {"challenge": "We could not recruit.\n\nOrders went unmet."},
    "help": {"group_help": "Others shared what worked.", "one_to_one_help": ""},
    "actions": {"actions": "We started an apprenticeship."},
    "outcomes": {"outcomes": "Two apprentices joined and orders are met."},
    "figures": {
        "jobs_created": "2",
        "jobs_safeguarded": "",
        "turnover_change_pounds": "25,000",
        "cost_savings_pounds": "",
        "new_markets": "",
    },
    "issues": {"issues": ["staffing"]},
    "quote": {"quote": "The group changed how I hire."},
}
CONSENT = {
    "named": {"named": "named"},
    "uses": {"uses": ["website", "reports"]},
    "period": {"years": "5"},
    "confirm": {"confirm": ["agree", "may_agree_for_business"]},
}


@dataclass
class Member:
    person: User
    place: Place
    facilitator: User
    cohort: Cohort


@pytest.fixture
def make_member(
    session, make_round, make_application, make_user, make_contractor
) -> Callable[..., Member]:
    """``make_member(sector_code="C")``: a participant with a place in a running group."""
    return member_factory(session, make_round, make_application, make_user, make_contractor)


def member_factory(
    session, make_round, make_application, make_user, make_contractor
) -> Callable[..., Member]:
    """The factory behind ``make_member``, for other test modules' fixtures."""
    made: dict[str, object] = {}

    def factory(
        *, sector_code: str = "C", issues: tuple[str, ...] = ("staffing",), name: str | None = None
    ) -> Member:
        if "round" not in made:
            made["round"] = make_round(
                name="Round 3",
                year_label="2026-27",
                starts_on=dt.date(2026, 9, 1),
                ends_on=dt.date(2027, 8, 31),
                status=RoundStatus.OPEN,
            )
            contractor = make_contractor("Red Rose Business Growth Ltd")
            made["facilitator"] = make_user(
                Role.FACILITATOR, contractors=[contractor], name="Fran Facilitator"
            )
        programme_round = made["round"]
        facilitator = made["facilitator"]
        cohort = made.get("cohort")
        if cohort is None:
            cohort = Cohort(
                round_id=programme_round.id,
                name="Makers of Preston",
                basis=CohortBasis.SECTOR,
                basis_value="C",
                delivery=CohortDelivery.ONLINE,
                meeting_weekday=0,
                meeting_part_of_day=PartOfDay.MORNING,
                status=CohortStatus.RUNNING,
                planned_hours=18,
                session_length_minutes=150,
                session_frequency_days=14,
                facilitator_id=facilitator.id,
            )
            session.add(cohort)
            session.flush()
            made["cohort"] = cohort
        extra = {"name": name} if name else {}
        application = make_application(
            programme_round, sector_code=sector_code, issues=list(issues), **extra
        )
        application.status = ApplicationStatus.PLACED
        place = Place(
            cohort_id=cohort.id,
            application_id=application.id,
            person_id=application.person_id,
            status=PlaceStatus.ACCEPTED,
            accepted_at=utcnow() - dt.timedelta(days=30),
        )
        session.add(place)
        person = session.get(User, application.person_id)
        session.commit()  # ends the transaction: later reads see what requests commit
        return Member(person, place, facilitator, cohort)

    return factory


def answer_pages(client, base: str, pages: dict[str, dict]) -> str:
    """Answer each page in order; returns where the last one led."""
    location = ""
    for slug, data in pages.items():
        response = client.submit_form(f"{base}/question/{slug}", data)
        assert response.status_code == 302, (slug, response.get_data(as_text=True)[:2000])
        location = response.headers["Location"]
    return location


def published_story(
    app, session, member, make_user, *, title="How a Preston bakery found its bakers", **fields
):
    """Written, sent, approved and published through the services."""
    from portal.casestudies import journey, services

    officer = make_user(Role.OFFICER)
    now = utcnow()
    with app.app_context():
        story = services.start(session, member.place, actor=member.person, now=now)
        story.title = title
        story.challenge = story.group_help = story.actions = story.outcomes = "Words."
        story.named, story.uses, story.consent_years = True, ["website"], 5
        story.answered_steps = [step.slug for step in journey.STEPS]
        for name, value in fields.items():
            setattr(story, name, value)
        services.submit(session, story, actor=member.person, now=now)
        services.start_review(session, story, actor=officer, now=now)
        services.decide(session, story, "approve", comment="", actor=officer, now=now)
        services.publish(session, story, actor=officer, now=now, anonymity_checked=False)
    session.commit()
    return story
