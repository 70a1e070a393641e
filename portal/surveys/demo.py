"""Demo data for surveys: the shipped definitions, and baseline invitations for the demo's
placed people, two in three of them answered (some keyed in from paper). No email is sent.

A step of ``portal.demo.load``; running it again adds nothing twice.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auth.models import Role, User, UserRole
from portal.cohorts.models import Place, PlaceStatus
from portal.db_base import utcnow
from portal.registration.models import Application, ApplicationSource
from portal.surveys import runner
from portal.surveys.definitions import load_definitions
from portal.surveys.invitations import invite_to_baseline
from portal.surveys.models import ResponseMode, SurveyInvitation, SurveyTiming
from portal.surveys.questions import AnswerValue

# Answers by turn, so the demo's figures look like a real group's.
CONFIDENCE = ("fairly", "not_very", "very", "fairly", "not_at_all")
PRACTICES = (["business_plan"], ["financial_reports", "targets"], ["none"], ["staff_reviews"])
TURNOVER = ("250k_to_1m", "100k_to_250k", "1m_to_5m", "250k_to_1m")
ISSUES = (["staffing", "finance"], ["exporting"], ["marketing", "technology"], ["supply-chain"])


def load(session: Session) -> int:
    """Load the definitions, invite placed people to the baseline survey and answer two
    in three. Returns how many versions and invitations were added."""
    added = load_definitions(session)
    officer = session.scalar(
        select(User).join(UserRole).where(UserRole.role == Role.OFFICER).order_by(User.id)
    )
    invited = set(
        session.scalars(
            select(SurveyInvitation.place_id).where(
                SurveyInvitation.timing == SurveyTiming.BASELINE
            )
        )
    )
    places = session.scalars(
        select(Place)
        .join(Application, Application.id == Place.application_id)
        .where(
            Place.status == PlaceStatus.ACCEPTED,
            Place.id.not_in(invited or {0}),
            # Places imported from earlier rounds are history: nobody is invited to them.
            Application.source != ApplicationSource.IMPORTED,
        )
        .order_by(Place.id)
    ).all()
    now = utcnow()
    for turn, place in enumerate(places):
        invitation = invite_to_baseline(session, place, now=now, notify=False)
        if invitation is None:
            continue
        added += 1
        if turn % 3 == 2:
            continue  # not answered yet
        paper = turn % 5 == 4 and officer is not None
        response = runner.start_response(
            session,
            invitation,
            now=now,
            mode=ResponseMode.PAPER if paper else ResponseMode.ONLINE,
            keyed_in_by=officer if paper else None,
        )
        values: dict[str, AnswerValue] = {
            "confidence": CONFIDENCE[turn % len(CONFIDENCE)],
            "management_practices": PRACTICES[turn % len(PRACTICES)],
            "employees": Decimal(6 + (turn * 7) % 40),
            "turnover_band": TURNOVER[turn % len(TURNOVER)],
            "issues_to_tackle": ISSUES[turn % len(ISSUES)],
        }
        for page in runner.current_pages(response):
            runner.save_page(
                session,
                response,
                page,
                {q.measure_code: values.get(q.measure_code) for q in page.questions},
                now=now,
            )
        runner.submit(session, response, now=now, actor=officer if paper else None)
    session.flush()
    return added
